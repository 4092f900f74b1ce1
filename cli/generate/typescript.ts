/**
 * The typed props of the CDK construct, generated from the property contract: camelCase names, the contract's
 * descriptions as JSDoc, one interface per object type, a jsii enum per enumeration, `Duration` for times and the
 * construct references of infra/references.ts beside their strings (the naming rules: lambda/contract/case.ts).
 * The conversion back to CloudFormation's names walks the same contract (infra/props.ts), so the construct and the
 * handler can never disagree, and a property added to the contract comes out typed after `npm run generate`.
 */

import { referencesOf } from '../../infra/references';
import { MeshServiceProperties } from '../../lambda/backends';
import { camel, durationProp, enumMember, enumOf } from '../../lambda/contract/case';
import {
  BooleanType,
  EnumType,
  type Fields,
  ListType,
  MapType,
  NumberType,
  StringType,
  StructType,
  structsOf,
  type Type,
  type UpdateBehaviour,
} from '../../lambda/contract/dsl';

export { camel } from '../../lambda/contract/case';

const interfaceName = (s: StructType<Fields>): string =>
  s.name === 'MeshServiceProperties' ? 'MeshServiceProperties' : `MeshService${s.name}`;

/**
 * The TypeScript type of a contract type, in the subset jsii translates to Python, Java, .NET and Go: mutable
 * arrays (`T[]`, not `readonly T[]`), string-keyed maps, and an enum for an enumeration (`enums` names them).
 */
function tsType(type: Type<unknown>, enumName?: string): string {
  if (type instanceof StructType) return interfaceName(type as StructType<Fields>);
  if (type instanceof ListType) return `${tsType(type.item, enumName)}[]`;
  if (type instanceof MapType) return `{ [key: string]: ${tsType(type.value)} }`;
  if (type instanceof EnumType) {
    if (!enumName) throw new Error('an enumeration without a name');
    return enumName;
  }
  if (type instanceof NumberType) return 'number';
  if (type instanceof BooleanType) return 'boolean';
  if (type instanceof StringType) return 'string';
  throw new Error('unknown type');
}

export const updateWords = (u: UpdateBehaviour): string =>
  u === 'replacement'
    ? 'Replacement'
    : u === 'in-place'
      ? 'No interruption'
      : `Conditional: ${u.conditional}`;

function jsdoc(lines: string[], indent: string): string {
  return [`${indent}/**`, ...lines.map((l) => `${indent} * ${l}`.trimEnd()), `${indent} */`].join('\n');
}

const structs = (contract: StructType<Fields>) => structsOf(contract);
const CONTRACT = MeshServiceProperties as unknown as StructType<Fields>;

/**
 * Every enumeration of the contract by its name. One name, one set of values: two properties with the same values
 * share an enum (Protocol of the listener and of the health check); the same name with other values is an error
 * asking for `EnumType.named`.
 */
export function contractEnums(
  contract: StructType<Fields> = CONTRACT,
): Map<string, { values: readonly string[]; where: string }> {
  const out = new Map<string, { values: readonly string[]; where: string }>();
  for (const s of structs(contract)) {
    for (const [key, field] of Object.entries(s.fields)) {
      const e = enumOf(key, field.type);
      if (!e) continue;
      const where = `${s.name}.${key}`;
      const known = out.get(e.name);
      if (known && known.values.join('|') !== e.type.values.join('|')) {
        throw new Error(
          `the enumerations of ${known.where} and ${where} are both named ${e.name} but differ: name one with oneOf(...).named('...')`,
        );
      }
      if (!known) out.set(e.name, { values: e.type.values, where });
    }
  }
  return out;
}

/** A duration default as CDK code: `Duration.seconds(5)`. */
function durationDefault(value: number, unit: 'milliseconds' | 'seconds'): string {
  const ms = unit === 'seconds' ? value * 1000 : value;
  if (ms % 60_000 === 0 && ms > 0) return `Duration.minutes(${ms / 60_000})`;
  if (ms % 1000 === 0) return `Duration.seconds(${ms / 1000})`;
  return `Duration.millis(${ms})`;
}

function fieldLines(field: Fields[string], constraintsUnit?: string): string[] {
  const lines = [field.description];
  if (field.notes) lines.push(field.notes);
  const constraints = field.type.constraintsDoc();
  if (constraints) lines.push(`Allowed: ${constraints}${constraintsUnit ? ` ${constraintsUnit}` : ''}.`);
  return lines;
}

/** The props of a struct are unique: a Duration's name (`IntervalMillis` → `interval`) may not be another property's. */
function checkPropNames(s: StructType<Fields>): void {
  const seen = new Map<string, string>();
  for (const key of Object.keys(s.fields)) {
    const field = s.fields[key]!;
    const duration = durationProp(key, field.type);
    const reference = referencesOf(s.name, key);
    const names = duration
      ? [duration.name, duration.legacy]
      : [camel(key), ...(reference ? [reference.prop] : [])];
    for (const name of names) {
      const other = seen.get(name);
      if (other !== undefined) {
        throw new Error(
          `${s.name}: the construct prop ${name} would stand for both ${other} and ${key}; rename one of them`,
        );
      }
      seen.set(name, key);
    }
  }
}

const IMPORTS: Record<string, string> = {
  'appmesh.': "import type * as appmesh from 'aws-cdk-lib/aws-appmesh';",
  'ecs.': "import type * as ecs from 'aws-cdk-lib/aws-ecs';",
  MeshService: "import type { MeshService } from './mesh-service';",
};

/** The props module of a contract (by default the provider's; tests render others). */
export function renderPropsModule(contract: StructType<Fields> = CONTRACT): string {
  const enums = contractEnums(contract);
  const body: string[] = [];
  const used = new Set<string>(["import type { Duration } from 'aws-cdk-lib/core';"]);
  for (const [name, { values, where }] of enums) {
    body.push(
      jsdoc(
        [`The values of ${where.replace(/^MeshServiceProperties\./, '')} (and of every property with them).`],
        '',
      ),
    );
    body.push(`export enum ${name} {`);
    for (const value of values) body.push(`  ${enumMember(value)} = '${value}',`);
    body.push('}', '');
  }
  for (const s of structs(contract)) {
    checkPropNames(s);
    const desc = s.options.description ? [s.options.description] : [];
    body.push(jsdoc(desc.length ? desc : [s.name], ''));
    body.push(`export interface ${interfaceName(s)} {`);
    for (const [key, field] of Object.entries(s.fields)) {
      const update = `Update: ${updateWords(field.update)}.`;
      const duration = durationProp(key, field.type);
      const reference = referencesOf(s.name, key);
      const e = enumOf(key, field.type);
      if (duration) {
        const lines = fieldLines(field, duration.unit);
        if (field.hasDefault)
          lines.push(`@default ${durationDefault(field.defaultValue as number, duration.unit)}`);
        else if (field.defaultDoc) lines.push(`@default ${field.defaultDoc.replace(/`/g, '')}`);
        lines.push(update);
        body.push(jsdoc(lines, '  '));
        body.push(`  readonly ${duration.name}?: Duration;`);
        body.push(
          jsdoc(
            [`The same as ${duration.name}, in ${duration.unit}.`, `@deprecated use ${duration.name}`],
            '  ',
          ),
        );
        body.push(`  readonly ${duration.legacy}?: number;`);
        continue;
      }
      const lines = fieldLines(field);
      if (field.hasDefault) {
        const d = field.defaultValue;
        lines.push(
          `@default ${e && typeof d === 'string' ? `${e.name}.${enumMember(d)}` : JSON.stringify(d)}`,
        );
      } else if (field.defaultDoc) lines.push(`@default ${field.defaultDoc.replace(/`/g, '')}`);
      lines.push(update);
      body.push(jsdoc(lines, '  '));
      const optional = !field.required || reference !== undefined;
      body.push(`  readonly ${camel(key)}${optional ? '?' : ''}: ${tsType(field.type, e?.name)};`);
      if (reference) {
        for (const [prefix, line] of Object.entries(IMPORTS))
          if (reference.tsType.startsWith(prefix)) used.add(line);
        body.push(jsdoc([reference.description, update], '  '));
        body.push(`  readonly ${reference.prop}?: ${reference.tsType};`);
      }
    }
    body.push('}', '');
  }
  const out = [
    '// Generated by `npm run generate` from lambda/contract/properties.ts — do not edit.',
    '// A test fails when this file differs from what the contract generates.',
    '',
    ...[...used].sort(),
    '',
    ...body,
  ];
  return `${out.join('\n').trimEnd()}\n`;
}
