/**
 * CDK props are camelCase, CloudFormation properties PascalCase. The conversion walks the contract's own types,
 * so map keys (user data such as Cloud Map attribute names) are left as written and a misspelt prop is caught.
 */
import { type Fields, ListType, StructType, type Type } from './dsl';

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
