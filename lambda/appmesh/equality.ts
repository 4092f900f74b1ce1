/**
 * Comparing a desired spec with the one App Mesh returns. The service echoes what it was given but may drop empty
 * collections, omit false flags and fill defaults, so both sides are normalised first; an update is made only on a
 * real difference, and the difference is what gets logged.
 */
import type { Kind, Spec } from './desired';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Values App Mesh fills in when the caller leaves them out, per kind, as paths into the spec. A desired spec that
 * omits one of these compares equal to an actual spec that holds exactly the default. None is known for the kinds
 * the provider manages (the mesh's egressFilter default concerns meshes, which it never writes); the table stays so
 * that one found later is a one-line change, not a special case in the comparison.
 */
const SERVICE_DEFAULTS: Partial<
  Record<Kind, readonly { readonly path: readonly string[]; readonly value: Json }[]>
> = {};

/** Drops undefined/null, empty arrays, empty objects and `false`/`0`-free noise such as `invert: false`. */
export function normalize(value: unknown): Json | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) {
    const items = value.map(normalize).filter((v): v is Json => v !== undefined);
    return items.length ? items : undefined;
  }
  if (typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const key of Object.keys(value).sort()) {
      const v = normalize((value as Record<string, unknown>)[key]);
      if (v === undefined) continue;
      if (key === 'invert' && v === false) continue;
      out[key] = v;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return value as Json;
}

function withDefaults(kind: Kind, spec: Json | undefined, actual: Json | undefined): Json | undefined {
  const defaults = SERVICE_DEFAULTS[kind] ?? [];
  if (!defaults.length) return spec;
  const copy = structuredClone(spec ?? {}) as Record<string, Json>;
  for (const { path, value } of defaults) {
    if (getPath(actual, path) === undefined) continue;
    if (getPath(copy, path) !== undefined) continue;
    setPath(copy, path, value);
  }
  return copy;
}

function getPath(value: Json | undefined, path: readonly string[]): Json | undefined {
  let cur: Json | undefined = value;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

function setPath(target: Record<string, Json>, path: readonly string[], value: Json): void {
  let cur = target;
  path.forEach((p, i) => {
    if (i === path.length - 1) cur[p] = value;
    else {
      if (typeof cur[p] !== 'object' || cur[p] === null || Array.isArray(cur[p])) cur[p] = {};
      cur = cur[p] as Record<string, Json>;
    }
  });
}

export interface Difference {
  readonly path: string;
  readonly desired: Json | undefined;
  readonly actual: Json | undefined;
}

/** The differences between desired and actual after normalisation; empty means no update is needed. */
export function specDiff(kind: Kind, desired: Spec, actual: Spec): Difference[] {
  const a = normalize(actual);
  const d = withDefaults(kind, normalize(desired), a);
  const out: Difference[] = [];
  walk(d, a, '', out);
  return out;
}

function walk(d: Json | undefined, a: Json | undefined, path: string, out: Difference[]): void {
  if (out.length >= 20) return;
  if (d === a) return;
  const isObj = (v: unknown): v is Record<string, Json> =>
    v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObj(d) && isObj(a)) {
    for (const key of new Set([...Object.keys(d), ...Object.keys(a)]))
      walk(d[key], a[key], path ? `${path}.${key}` : key, out);
    return;
  }
  if (Array.isArray(d) && Array.isArray(a) && d.length === a.length) {
    d.forEach((item, i) => {
      walk(item, a[i], `${path}[${i}]`, out);
    });
    return;
  }
  out.push({ path: path || '(spec)', desired: d, actual: a });
}
