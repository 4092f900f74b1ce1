/**
 * CDK props are camelCase, CloudFormation properties PascalCase. The conversion walks the contract's own types,
 * so map keys (user data such as Cloud Map attribute names) are left as written and a misspelt prop is caught.
 */
import { EnumType, type Fields, ListType, NumberType, StructType, type Type } from './dsl';

export const camel = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

export function toCloudFormation(type: Type<unknown>, value: unknown, path = ''): unknown {
  if (value === undefined || value === null) return undefined;
  if (type instanceof StructType && typeof value === 'object' && !Array.isArray(value)) {
    const fields = (type as StructType<Fields>).fields;
    const byCamel = new Map(Object.keys(fields).map((k) => [camel(k), k] as const));
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      const pascal = byCamel.get(key);
      if (!pascal) {
        throw new Error(
          `${path ? `${path}.` : ''}${key}: unknown property; known properties are ${[...byCamel.keys()].join(', ')}`,
        );
      }
      const converted = toCloudFormation(fields[pascal]!.type, v, path ? `${path}.${key}` : key);
      if (converted !== undefined) out[pascal] = converted;
    }
    return out;
  }
  if (type instanceof ListType && Array.isArray(value)) {
    return value.map((item, i) => toCloudFormation(type.item, item, `${path}[${i}]`));
  }
  return value;
}

/**
 * The names and kinds the CDK construct gives the contract's properties, shared by the generator of its props
 * (cli/generate/typescript.ts) and the conversion back to CloudFormation (infra/props.ts), so new properties come
 * out the same in both:
 * - an integer named `...Millis` or `...Seconds` is a `Duration` named without the unit (`IntervalMillis` →
 *   `interval`), and the number stays as a deprecated prop of its own name (`intervalMillis`);
 * - an enumeration is a jsii enum named by the contract (`EnumType.named`) or after the property (a list's item:
 *   the singular), with a member per value in UPPER_SNAKE_CASE (`IPv6_PREFERRED` → `IPV6_PREFERRED`).
 */
export type DurationUnit = 'milliseconds' | 'seconds';

export interface DurationProp {
  /** The prop of type Duration. */
  readonly name: string;
  /** The deprecated number prop (the contract's name in camelCase). */
  readonly legacy: string;
  readonly unit: DurationUnit;
}

const DURATION_NAME = /^(.+?)(Millis|Seconds)$/;

export function durationProp(key: string, type: Type<unknown>): DurationProp | undefined {
  const match = DURATION_NAME.exec(key);
  if (!match || !(type instanceof NumberType) || !type.integer) return undefined;
  return {
    name: camel(match[1]!),
    legacy: camel(key),
    unit: match[2] === 'Millis' ? 'milliseconds' : 'seconds',
  };
}

/** The enumeration of a property (or of its list's items). */
export function enumOf(
  key: string,
  type: Type<unknown>,
): { readonly name: string; readonly type: EnumType<string>; readonly list: boolean } | undefined {
  if (type instanceof EnumType) return { name: type.name ?? key, type, list: false };
  if (type instanceof ListType && type.item instanceof EnumType) {
    const item = type.item as EnumType<string>;
    return { name: item.name ?? key.replace(/s$/, ''), type: item, list: true };
  }
  return undefined;
}

/** The enum member of a value: `IPv6_PREFERRED` → `IPV6_PREFERRED`, `AppMesh` → `APP_MESH`, `server-error` → `SERVER_ERROR`. */
export const enumMember = (value: string): string =>
  value
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
