/**
 * Generic, model-driven validation of a deserialized value against a shape: required members, types, enums,
 * lengths, ranges, patterns (matched against the whole value), unions (exactly one member set) and unknown members. Issues name the member path the
 * way a caller writes it (`spec.listeners[0].portMapping.protocol`) and the rule, in the wording AWS services use
 * ("Value 'HTTP' at '…' failed to satisfy constraint: Member must satisfy enum value set: […]").
 */
import { isPlainObject } from '../util';
import { type MemberRef, type ServiceModel, type Shape, shapeOf } from './model';

export interface Issue {
  readonly path: string;
  readonly message: string;
}

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

export function memberPath(parent: string, member: string): string {
  return parent ? `${parent}.${member}` : member;
}

function show(value: unknown, sensitive: boolean): string {
  if (sensitive) return "'***'";
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `'${text.length > 64 ? `${text.slice(0, 61)}...` : text}'`;
}

function constraint(path: string, value: unknown, rule: string, sensitive: boolean): Issue {
  return {
    path,
    message: `Value ${show(value, sensitive)} at '${path}' failed to satisfy constraint: ${rule}`,
  };
}

const patterns = new Map<string, RegExp | null>();

/**
 * Model patterns are Java-flavoured and AWS applies them to the whole value, anchored or not in the model text: IAM
 * refuses a tag value with a comma under the model's unanchored `[\p{L}\p{Z}\p{N}_.:/=+\-@]*` (SWO-GS/auto-tag#90),
 * and the ECS API reference (Tag) publishes that same pattern as `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`. So every pattern
 * must match the entire string; patterns that already carry `^…$` (all of App Mesh's) mean the same either way.
 */
export function compilePattern(source: string): RegExp | null {
  if (!patterns.has(source)) {
    let re: RegExp | null = null;
    for (const flags of ['u', '']) {
      try {
        re = new RegExp(`^(?:${source})$`, flags);
        break;
      } catch {
        // try the next flag set
      }
    }
    patterns.set(source, re);
  }
  return patterns.get(source) ?? null;
}

function checkLength(
  path: string,
  value: unknown,
  length: number,
  shape: Shape,
  sensitive: boolean,
  out: Issue[],
) {
  if (shape.min !== undefined && length < shape.min) {
    out.push(
      constraint(path, value, `Member must have length greater than or equal to ${shape.min}`, sensitive),
    );
  }
  if (shape.max !== undefined && length > shape.max) {
    out.push(
      constraint(path, value, `Member must have length less than or equal to ${shape.max}`, sensitive),
    );
  }
}

function checkRange(path: string, value: number, shape: Shape, out: Issue[]) {
  if (shape.min !== undefined && value < shape.min) {
    out.push(constraint(path, value, `Member must have value greater than or equal to ${shape.min}`, false));
  }
  if (shape.max !== undefined && value > shape.max) {
    out.push(constraint(path, value, `Member must have value less than or equal to ${shape.max}`, false));
  }
}

/**
 * Validates `value` (never null/undefined: absent members are skipped by the caller) against `shapeName`,
 * appending every violation to `out`.
 */
export function validateValue(
  model: ServiceModel,
  shapeName: string,
  value: unknown,
  path: string,
  out: Issue[],
  inheritedSensitive = false,
): void {
  const shape = shapeOf(model, shapeName);
  const sensitive = inheritedSensitive || shape.sensitive === true;
  switch (shape.type) {
    case 'structure':
      validateStructure(model, shapeName, shape, value, path, out, sensitive);
      return;
    case 'list': {
      if (!Array.isArray(value)) {
        out.push(constraint(path, value, 'Member must be a list', sensitive));
        return;
      }
      checkLength(path, value, value.length, shape, sensitive, out);
      value.forEach((item, i) => {
        const itemPath = `${path}[${i}]`;
        if (item === null || item === undefined) {
          out.push({
            path: itemPath,
            message: `Value null at '${itemPath}' failed to satisfy constraint: Member must not be null`,
          });
        } else if (shape.member) {
          validateValue(model, shape.member.shape, item, itemPath, out, sensitive);
        }
      });
      return;
    }
    case 'map': {
      if (!isPlainObject(value)) {
        out.push(constraint(path, value, 'Member must be a map', sensitive));
        return;
      }
      const entries = Object.entries(value);
      checkLength(path, value, entries.length, shape, sensitive, out);
      for (const [k, v] of entries) {
        const entryPath = `${path}.${k}`;
        if (shape.key) validateValue(model, shape.key.shape, k, `${path}(key ${k})`, out, sensitive);
        if (v === null || v === undefined) {
          out.push({
            path: entryPath,
            message: `Value null at '${entryPath}' failed to satisfy constraint: Member must not be null`,
          });
        } else if (shape.value) {
          validateValue(model, shape.value.shape, v, entryPath, out, sensitive);
        }
      }
      return;
    }
    case 'string': {
      if (typeof value !== 'string') {
        out.push(constraint(path, value, 'Member must be a string', sensitive));
        return;
      }
      if (shape.enum && !shape.enum.includes(value)) {
        out.push(
          constraint(
            path,
            value,
            `Member must satisfy enum value set: [${shape.enum.join(', ')}]`,
            sensitive,
          ),
        );
      }
      checkLength(path, value, [...value].length, shape, sensitive, out);
      if (shape.pattern !== undefined) {
        const re = compilePattern(shape.pattern);
        if (re && !re.test(value)) {
          out.push(
            constraint(
              path,
              value,
              `Member must satisfy regular expression pattern: ${shape.pattern}`,
              sensitive,
            ),
          );
        }
      }
      return;
    }
    case 'integer':
    case 'long': {
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        out.push(
          constraint(
            path,
            value,
            `Member must be ${shape.type === 'long' ? 'a long' : 'an integer'}`,
            sensitive,
          ),
        );
        return;
      }
      if (shape.type === 'integer' && (value < INT32.min || value > INT32.max)) {
        out.push(constraint(path, value, 'Member must be a 32-bit integer', sensitive));
        return;
      }
      if (!Number.isSafeInteger(value)) {
        out.push(constraint(path, value, 'Member must be a 64-bit integer representable exactly', sensitive));
        return;
      }
      checkRange(path, value, shape, out);
      return;
    }
    case 'double':
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        out.push(constraint(path, value, 'Member must be a number', sensitive));
        return;
      }
      checkRange(path, value, shape, out);
      return;
    case 'boolean':
      if (typeof value !== 'boolean')
        out.push(constraint(path, value, 'Member must be a boolean', sensitive));
      return;
    case 'timestamp':
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        out.push(constraint(path, value, 'Member must be a timestamp in epoch seconds', sensitive));
      }
      return;
    case 'blob':
      if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
        out.push(constraint(path, value, 'Member must be base64-encoded binary data', sensitive));
      }
      return;
  }
}

/** A structure's members as entries, computed once per shape (every request and answer is validated). */
const entriesOf = new WeakMap<Shape, [string, MemberRef][]>();
function memberEntries(shape: Shape): [string, MemberRef][] {
  let entries = entriesOf.get(shape);
  if (!entries) {
    entries = Object.entries(shape.members ?? {});
    entriesOf.set(shape, entries);
  }
  return entries;
}

function validateStructure(
  model: ServiceModel,
  shapeName: string,
  shape: Shape,
  value: unknown,
  path: string,
  out: Issue[],
  sensitive: boolean,
): void {
  if (!isPlainObject(value)) {
    out.push(constraint(path || '(input)', value, 'Member must be a structure', sensitive));
    return;
  }
  const members = shape.members ?? {};
  const known = () => Object.keys(members);
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(members, key)) {
      const at = memberPath(path, key);
      out.push({
        path: at,
        message: `Unknown member '${key}' at '${at}': ${shapeName} has no such member (known members: ${known().join(', ')})`,
      });
    }
  }
  for (const name of shape.required ?? []) {
    if (value[name] === undefined || value[name] === null) {
      const at = memberPath(path, name);
      out.push({
        path: at,
        message: `Value null at '${at}' failed to satisfy constraint: Member must not be null`,
      });
    }
  }
  if (shape.union) {
    const set = known().filter((k) => value[k] !== undefined && value[k] !== null);
    if (set.length !== 1) {
      out.push({
        path: path || '(input)',
        message:
          `Value at '${path}' failed to satisfy constraint: Member must have exactly one of [${known().join(', ')}] ` +
          `set (a union), found ${set.length === 0 ? 'none' : set.join(', ')}`,
      });
    }
  }
  for (const [name, ref] of memberEntries(shape)) {
    const member = value[name];
    if (member === undefined || member === null) continue;
    validateValue(model, ref.shape, member, memberPath(path, name), out, sensitive);
  }
}

/** Validates a whole operation input or output structure. */
export function validateStructureValue(model: ServiceModel, shapeName: string, value: unknown): Issue[] {
  const out: Issue[] = [];
  validateValue(model, shapeName, value, '', out);
  return out;
}

/** The message AWS services use for validation failures: "N validation error(s) detected: …; …". */
export function describeIssues(issues: readonly Issue[]): string {
  const shown = issues.slice(0, 10).map((i) => i.message);
  const more = issues.length > shown.length ? `; and ${issues.length - shown.length} more` : '';
  const noun = issues.length === 1 ? 'validation error' : 'validation errors';
  return `${issues.length} ${noun} detected: ${shown.join('; ')}${more}`;
}
