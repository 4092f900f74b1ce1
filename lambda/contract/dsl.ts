/**
 * A small declarative schema language for CloudFormation resource properties.
 *
 * Why not a general-purpose validator: CloudFormation sends every scalar as a string (`3000` arrives as
 * `"3000"`, `true` as `"true"`), template authors need messages that name the property path and the rule, and
 * the same declaration must also produce the reference docs, a JSON Schema for editors and the typed props of
 * the CDK construct. Each type here therefore knows how to parse (with CloudFormation's coercions), how to
 * describe itself for docs, and how to render itself as JSON Schema and as a TypeScript type.
 */
import type { PropertyIssue } from '../errors';

/** Stands for a value that cannot be known offline (an intrinsic function in a template being linted). */
export class Unresolved {
  constructor(readonly expression: string) {}
}

export const isResolved = <T>(value: T | Unresolved): value is T => !(value instanceof Unresolved);

export interface ParseContext {
  readonly issues: PropertyIssue[];
}

const INVALID: unique symbol = Symbol('invalid');
export type Invalid = typeof INVALID;
export const isInvalid = (v: unknown): v is Invalid => v === INVALID;

export type JsonSchema = { [key: string]: unknown };

/** How a change of the property is applied, in CloudFormation's own terms. */
export type UpdateBehaviour = 'replacement' | 'in-place' | { readonly conditional: string };

export abstract class Type<T> {
  /** Parses a value as CloudFormation delivers it; records issues and returns INVALID on failure. */
  abstract parse(value: unknown, path: string, ctx: ParseContext): T | Invalid;
  /** Type as the reference docs name it, e.g. `Integer`, `List of String`, `HealthCheck`. */
  abstract docType(): string;
  /** Allowed values / ranges in words, for docs. */
  constraintsDoc(): string | undefined {
    return undefined;
  }
  /** JSON Schema of the value as written in a template (so numbers may also be strings). */
  abstract jsonSchema(): JsonSchema;
  /** TypeScript type of the value in the CDK construct's props. */
  abstract tsType(): string;
}

const render = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    const s = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(s);
  }
  return String(value);
};

const issue = (ctx: ParseContext, path: string, message: string): Invalid => {
  ctx.issues.push({ path, message });
  return INVALID;
};

const INTRINSIC_REF = { $ref: '#/$defs/Intrinsic' };
const orIntrinsic = (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, INTRINSIC_REF] });

// ---------------------------------------------------------------------------------------------------------------
// Scalars

export interface StringRules {
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: RegExp;
  /** What the pattern means, in words: "a 12-digit AWS account id". */
  readonly patternHint?: string;
  /** Further rule checked after the pattern; returns a message when the value breaks it. */
  readonly check?: (value: string) => string | undefined;
  /** A line break may end the value (an access log format line); no other control character is allowed. */
  readonly trailingNewline?: boolean;
}

/**
 * The first C0 or C1 control character or DEL in a string: no property has a use for them, and AWS refuses them in
 * names and tags.
 */
function firstControlCharacter(value: string): { code: number; index: number } | undefined {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return { code, index };
  }
  return undefined;
}

export class StringType extends Type<string> {
  constructor(readonly rules: StringRules = {}) {
    super();
  }
  parse(value: unknown, path: string, ctx: ParseContext): string | Invalid {
    if (value instanceof Unresolved) return value as unknown as string;
    // YAML and JSON templates may hold a number or boolean where a string is expected; CloudFormation
    // stringifies it, and so do we.
    if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
    if (typeof value === 'boolean') value = String(value);
    if (typeof value !== 'string')
      return issue(ctx, path, `expected ${this.expectation()}, got ${render(value)}`);
    const control = firstControlCharacter(
      this.rules.trailingNewline && value.endsWith('\n') ? value.slice(0, -1) : value,
    );
    if (control) {
      const code = control.code.toString(16).toUpperCase().padStart(4, '0');
      return issue(
        ctx,
        path,
        `must not contain control characters (found U+${code} at position ${control.index})`,
      );
    }
    const { min = 0, max, pattern, check } = this.rules;
    if (value.length < min || (max !== undefined && value.length > max)) {
      const got = value.length === 0 ? 'an empty string' : `${value.length} characters`;
      return issue(ctx, path, `expected ${this.lengthWords()}, got ${got}`);
    }
    if (pattern && !pattern.test(value))
      return issue(ctx, path, `expected ${this.expectation()}, got ${render(value)}`);
    const problem = check?.(value);
    if (problem) return issue(ctx, path, problem);
    return value;
  }
  private lengthWords(): string {
    const { min = 0, max } = this.rules;
    if (max === undefined) return min > 0 ? `a string of at least ${min} characters` : 'a string';
    return min === max ? `a string of ${min} characters` : `a string of ${min}-${max} characters`;
  }
  private expectation(): string {
    return this.rules.patternHint ?? this.lengthWords();
  }
  docType(): string {
    return 'String';
  }
  override constraintsDoc(): string | undefined {
    const parts: string[] = [];
    const { min, max, patternHint, pattern } = this.rules;
    if (min !== undefined || max !== undefined) parts.push(`${min ?? 0}-${max ?? '∞'} characters`);
    if (patternHint) parts.push(patternHint);
    else if (pattern) parts.push(`pattern \`${pattern.source}\``);
    return parts.length ? parts.join('; ') : undefined;
  }
  jsonSchema(): JsonSchema {
    const s: JsonSchema = { type: 'string' };
    if (this.rules.min) s.minLength = this.rules.min;
    if (this.rules.max !== undefined) s.maxLength = this.rules.max;
    if (this.rules.pattern) s.pattern = this.rules.pattern.source;
    return orIntrinsic(s);
  }
  tsType(): string {
    return 'string';
  }
}

export class EnumType<E extends string> extends Type<E> {
  /** The enumeration's name in the CDK construct (e.g. `TlsMode`); by default the property's name. */
  name?: string;
  constructor(readonly values: readonly E[]) {
    super();
  }
  /** Names the enumeration in the CDK construct, where the property's own name would be vague or collide. */
  named(name: string): this {
    this.name = name;
    return this;
  }
  parse(value: unknown, path: string, ctx: ParseContext): E | Invalid {
    if (value instanceof Unresolved) return value as unknown as E;
    if (typeof value === 'string' && (this.values as readonly string[]).includes(value)) return value as E;
    const hint =
      typeof value === 'string' && (this.values as readonly string[]).includes(value.toLowerCase())
        ? ` (values are case-sensitive: use "${value.toLowerCase()}")`
        : '';
    return issue(ctx, path, `expected one of ${this.values.join(', ')}, got ${render(value)}${hint}`);
  }
  docType(): string {
    return 'String';
  }
  override constraintsDoc(): string {
    return `one of ${this.values.map((v) => `\`${v}\``).join(', ')}`;
  }
  jsonSchema(): JsonSchema {
    return orIntrinsic({ type: 'string', enum: [...this.values] });
  }
  tsType(): string {
    return this.values.map((v) => `'${v}'`).join(' | ');
  }
}

export interface NumberRules {
  readonly min?: number;
  readonly max?: number;
}

const INTEGER_TEXT = /^[+-]?\d+$/;
const DECIMAL_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)$/;

export class NumberType extends Type<number> {
  constructor(
    readonly integer: boolean,
    readonly rules: NumberRules = {},
  ) {
    super();
  }
  parse(value: unknown, path: string, ctx: ParseContext): number | Invalid {
    if (value instanceof Unresolved) return value as unknown as number;
    let n: number | undefined;
    if (typeof value === 'number') n = value;
    else if (typeof value === 'string' && (this.integer ? INTEGER_TEXT : DECIMAL_TEXT).test(value))
      n = Number(value);
    const { min, max } = this.rules;
    if (
      n === undefined ||
      !Number.isFinite(n) ||
      (this.integer && !Number.isSafeInteger(n)) ||
      (min !== undefined && n < min) ||
      (max !== undefined && n > max)
    ) {
      return issue(ctx, path, `expected ${this.words()}, got ${render(value)}`);
    }
    return n;
  }
  private words(): string {
    const noun = this.integer ? 'an integer' : 'a number';
    const { min, max } = this.rules;
    if (min !== undefined && max !== undefined) return `${noun} ${min}-${max}`;
    if (min !== undefined) return `${noun} ≥ ${min}`;
    if (max !== undefined) return `${noun} ≤ ${max}`;
    return noun;
  }
  docType(): string {
    return this.integer ? 'Integer' : 'Number';
  }
  override constraintsDoc(): string | undefined {
    const { min, max } = this.rules;
    if (min === undefined && max === undefined) return undefined;
    return `${min ?? '-∞'}-${max ?? '∞'}`;
  }
  jsonSchema(): JsonSchema {
    const n: JsonSchema = { type: this.integer ? 'integer' : 'number' };
    if (this.rules.min !== undefined) n.minimum = this.rules.min;
    if (this.rules.max !== undefined) n.maximum = this.rules.max;
    const text = { type: 'string', pattern: (this.integer ? INTEGER_TEXT : DECIMAL_TEXT).source };
    return { anyOf: [n, text, INTRINSIC_REF] };
  }
  tsType(): string {
    return 'number';
  }
}

export class BooleanType extends Type<boolean> {
  parse(value: unknown, path: string, ctx: ParseContext): boolean | Invalid {
    if (value instanceof Unresolved) return value as unknown as boolean;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    return issue(ctx, path, `expected true or false, got ${render(value)}`);
  }
  docType(): string {
    return 'Boolean';
  }
  jsonSchema(): JsonSchema {
    return { anyOf: [{ type: 'boolean' }, { type: 'string', enum: ['true', 'false'] }, INTRINSIC_REF] };
  }
  tsType(): string {
    return 'boolean';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Collections

export interface ListRules<T> {
  readonly min?: number;
  readonly max?: number;
  /** Items must be unique by this key; the message names the duplicate. */
  readonly uniqueBy?: { readonly key: (item: T) => unknown; readonly what: string };
}

export class ListType<T> extends Type<T[]> {
  constructor(
    readonly item: Type<T>,
    readonly rules: ListRules<T> = {},
  ) {
    super();
  }
  parse(value: unknown, path: string, ctx: ParseContext): T[] | Invalid {
    if (value instanceof Unresolved) return value as unknown as T[];
    if (!Array.isArray(value)) return issue(ctx, path, `expected a list, got ${render(value)}`);
    const { min = 0, max } = this.rules;
    if (value.length < min || (max !== undefined && value.length > max)) {
      const range = max === undefined ? `at least ${min}` : min === max ? `${min}` : `${min}-${max}`;
      return issue(ctx, path, `expected ${range} items, got ${value.length}`);
    }
    const out: T[] = [];
    let ok = true;
    value.forEach((v, i) => {
      const parsed = this.item.parse(v, `${path}[${i}]`, ctx);
      if (isInvalid(parsed)) ok = false;
      else out.push(parsed);
    });
    if (!ok) return INVALID;
    const unique = this.rules.uniqueBy;
    if (unique) {
      const seen = new Map<unknown, number>();
      for (const [i, item] of out.entries()) {
        if (!isResolved(item)) continue;
        const key = unique.key(item);
        if (key instanceof Unresolved || key === undefined) continue;
        const first = seen.get(key);
        if (first !== undefined) {
          return issue(
            ctx,
            `${path}[${i}]`,
            `duplicate ${unique.what} ${render(key)} (also at ${path}[${first}])`,
          );
        }
        seen.set(key, i);
      }
    }
    return out;
  }
  docType(): string {
    return `List of ${this.item.docType()}`;
  }
  override constraintsDoc(): string | undefined {
    const { min, max } = this.rules;
    const parts: string[] = [];
    if (min !== undefined || max !== undefined) parts.push(`${min ?? 0}-${max ?? '∞'} items`);
    const inner = this.item.constraintsDoc();
    if (inner && !(this.item instanceof StructType)) parts.push(`each ${inner}`);
    if (this.rules.uniqueBy) parts.push(`unique ${this.rules.uniqueBy.what}s`);
    return parts.length ? parts.join('; ') : undefined;
  }
  jsonSchema(): JsonSchema {
    const s: JsonSchema = { type: 'array', items: this.item.jsonSchema() };
    if (this.rules.min) s.minItems = this.rules.min;
    if (this.rules.max !== undefined) s.maxItems = this.rules.max;
    return orIntrinsic(s);
  }
  tsType(): string {
    const inner = this.item.tsType();
    return inner.includes('|') ? `Array<${inner}>` : `${inner}[]`;
  }
}

/** A map of string keys to values (Cloud Map attributes). */
export class MapType<T> extends Type<Record<string, T>> {
  constructor(
    readonly key: StringType,
    readonly value: Type<T>,
    readonly rules: { readonly max?: number } = {},
  ) {
    super();
  }
  parse(value: unknown, path: string, ctx: ParseContext): Record<string, T> | Invalid {
    if (value instanceof Unresolved) return value as unknown as Record<string, T>;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return issue(ctx, path, `expected a map of names to values, got ${render(value)}`);
    }
    const entries = Object.entries(value);
    if (this.rules.max !== undefined && entries.length > this.rules.max) {
      return issue(ctx, path, `expected at most ${this.rules.max} entries, got ${entries.length}`);
    }
    const out: [string, T][] = [];
    let ok = true;
    for (const [k, v] of entries) {
      const key = this.key.parse(k, `${path}.${k}`, ctx);
      const parsed = this.value.parse(v, `${path}.${k}`, ctx);
      if (isInvalid(key) || isInvalid(parsed)) ok = false;
      else out.push([key, parsed]);
    }
    // fromEntries makes own properties even of names like __proto__ (user data: Cloud Map attribute names).
    return ok ? Object.fromEntries(out) : INVALID;
  }
  docType(): string {
    return `Map of ${this.value.docType()}`;
  }
  override constraintsDoc(): string | undefined {
    const parts = [this.rules.max !== undefined ? `at most ${this.rules.max} entries` : undefined];
    const k = this.key.constraintsDoc();
    if (k) parts.push(`keys ${k}`);
    const v = this.value.constraintsDoc();
    if (v) parts.push(`values ${v}`);
    const text = parts.filter(Boolean).join('; ');
    return text || undefined;
  }
  jsonSchema(): JsonSchema {
    const s: JsonSchema = {
      type: 'object',
      propertyNames: this.key.jsonSchema().anyOf ? (this.key.jsonSchema().anyOf as JsonSchema[])[0] : {},
      additionalProperties: this.value.jsonSchema(),
    };
    if (this.rules.max !== undefined) s.maxProperties = this.rules.max;
    return orIntrinsic(s);
  }
  tsType(): string {
    return `Record<string, ${this.value.tsType()}>`;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Structures

export interface FieldMeta {
  readonly description: string;
  readonly update: UpdateBehaviour;
  /** Words for a default that depends on other properties, e.g. "`<ServiceName>.<Namespace>`". */
  readonly defaultDoc?: string;
  /** Extra rule text for the docs (cross-property rules). */
  readonly notes?: string;
}

export interface Field<T, R extends boolean = boolean, D extends boolean = boolean> extends FieldMeta {
  readonly type: Type<T>;
  readonly required: R;
  readonly hasDefault: D;
  readonly defaultValue?: T;
}

export const required = <T>(type: Type<T>, meta: FieldMeta): Field<T, true, false> => ({
  ...meta,
  type,
  required: true,
  hasDefault: false,
});
export const optional = <T>(type: Type<T>, meta: FieldMeta): Field<T, false, false> => ({
  ...meta,
  type,
  required: false,
  hasDefault: false,
});
export const withDefault = <T>(type: Type<T>, defaultValue: T, meta: FieldMeta): Field<T, false, true> => ({
  ...meta,
  type,
  required: false,
  hasDefault: true,
  defaultValue,
});

// biome-ignore lint/suspicious/noExplicitAny: a field of any value type
export type Fields = Record<string, Field<any>>;

type FieldOutput<F> =
  F extends Field<infer T, infer R, infer D>
    ? R extends true
      ? T
      : D extends true
        ? T
        : T | undefined
    : never;

export type StructOutput<F extends Fields> = { readonly [K in keyof F]: FieldOutput<F[K]> };

export type Infer<S> = S extends Type<infer T> ? T : never;

export interface StructOptions<F extends Fields> {
  /** Cross-property rules; report problems with `report(path, message)` (path relative to this object). */
  readonly refine?: (value: StructOutput<F>, report: (path: string, message: string) => void) => void;
  /** Keys accepted and dropped without a trace (CloudFormation's own ServiceToken and ServiceTimeout). */
  readonly ignore?: readonly string[];
  readonly description?: string;
}

export class StructType<F extends Fields> extends Type<StructOutput<F>> {
  constructor(
    readonly name: string,
    readonly fields: F,
    readonly options: StructOptions<F> = {},
  ) {
    super();
  }
  parse(value: unknown, path: string, ctx: ParseContext): StructOutput<F> | Invalid {
    if (value instanceof Unresolved) return value as unknown as StructOutput<F>;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return issue(
        ctx,
        path,
        `expected an object with properties ${Object.keys(this.fields).join(', ')}, got ${render(value)}`,
      );
    }
    const input = value as Record<string, unknown>;
    const ignore = new Set(this.options.ignore ?? []);
    const known = Object.keys(this.fields);
    let ok = true;
    for (const key of Object.keys(input)) {
      if (key in this.fields || ignore.has(key)) continue;
      ok = false;
      const suggestion = known.find((k) => k.toLowerCase() === key.toLowerCase());
      issue(
        ctx,
        join(path, key),
        suggestion
          ? `unknown property; did you mean ${suggestion}? (names are case-sensitive)`
          : `unknown property; known properties are ${known.join(', ')}`,
      );
    }
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(this.fields)) {
      const raw = input[key];
      if (raw === undefined || raw === null) {
        if (field.required) {
          ok = false;
          issue(ctx, join(path, key), 'required property is missing');
        } else {
          out[key] = field.hasDefault ? structuredClone(field.defaultValue) : undefined;
        }
        continue;
      }
      const parsed = field.type.parse(raw, join(path, key), ctx);
      if (isInvalid(parsed)) ok = false;
      else out[key] = parsed;
    }
    if (!ok) return INVALID;
    const result = out as StructOutput<F>;
    if (this.options.refine) {
      const before = ctx.issues.length;
      this.options.refine(result, (p, message) => issue(ctx, join(path, p), message));
      if (ctx.issues.length > before) return INVALID;
    }
    return result;
  }
  docType(): string {
    return this.name;
  }
  jsonSchema(): JsonSchema {
    // An object-valued property may be an intrinsic function too (`!If [Cond, {...}, !Ref AWS::NoValue]`).
    return orIntrinsic({ $ref: `#/$defs/${this.name}` });
  }
  /** The object's own JSON Schema (referenced from `$defs`). */
  definition(): JsonSchema {
    const properties: Record<string, JsonSchema> = {};
    for (const [key, field] of Object.entries(this.fields)) {
      const s: JsonSchema = { description: field.description, ...field.type.jsonSchema() };
      if (field.hasDefault) s.default = field.defaultValue;
      properties[key] = s;
    }
    for (const key of this.options.ignore ?? []) properties[key] = {};
    const requiredKeys = Object.entries(this.fields)
      .filter(([, f]) => f.required)
      .map(([k]) => k);
    return {
      type: 'object',
      ...(this.options.description ? { description: this.options.description } : {}),
      properties,
      ...(requiredKeys.length ? { required: requiredKeys } : {}),
      additionalProperties: false,
    };
  }
  tsType(): string {
    return this.name;
  }
}

/** A rule may report on the object itself with the key ''. */
const join = (path: string, key: string): string => (path && key ? `${path}.${key}` : path || key);

/** Every StructType reachable from a type, outermost first, each once. */
export function structsOf(type: Type<unknown>, seen = new Set<StructType<Fields>>()): StructType<Fields>[] {
  if (type instanceof StructType) {
    if (seen.has(type)) return [];
    seen.add(type);
    const out: StructType<Fields>[] = [type];
    for (const f of Object.values(type.fields as Fields)) out.push(...structsOf(f.type, seen));
    return out;
  }
  if (type instanceof ListType) return structsOf(type.item, seen);
  if (type instanceof MapType) return structsOf(type.value, seen);
  return [];
}

// ---------------------------------------------------------------------------------------------------------------
// Shorthands

export const str = (rules?: StringRules) => new StringType(rules);
export const int = (rules?: NumberRules) => new NumberType(true, rules);
export const num = (rules?: NumberRules) => new NumberType(false, rules);
export const bool = () => new BooleanType();
export const oneOf = <E extends string>(...values: E[]) => new EnumType<E>(values);
export const list = <T>(item: Type<T>, rules?: ListRules<T>) => new ListType(item, rules);
export const map = <T>(key: StringType, value: Type<T>, rules?: { max?: number }) =>
  new MapType(key, value, rules);
export const struct = <F extends Fields>(name: string, fields: F, options?: StructOptions<F>) =>
  new StructType(name, fields, options);

/** Parses a value; returns the typed value or the list of issues. */
export function parseWith<T>(
  type: Type<T>,
  value: unknown,
): { ok: true; value: T } | { ok: false; issues: PropertyIssue[] } {
  const ctx: ParseContext = { issues: [] };
  const parsed = type.parse(value, '', ctx);
  if (isInvalid(parsed) || ctx.issues.length) return { ok: false, issues: ctx.issues };
  return { ok: true, value: parsed };
}
