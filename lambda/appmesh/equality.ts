/**
 * Comparing a desired spec with the one App Mesh returns. The service echoes what it was given but may drop empty
 * collections and false flags, so both sides are normalised first; an update is made only on a real difference,
 * and the difference is what gets logged. (App Mesh fills no defaults into the specs this provider writes; should
 * one appear, the re-delivery tests — which expect a repeated request to make no mutating call — would show it.)
 */
import type { Spec } from './desired';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Drops undefined/null, empty arrays, empty objects and `invert: false`, and sorts object keys. */
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

export interface Difference {
  readonly path: string;
  readonly desired: Json | undefined;
  readonly actual: Json | undefined;
}

/** The differences between desired and actual after normalisation (at most 20); empty means no update. */
export function specDiff(desired: Spec, actual: Spec): Difference[] {
  const out: Difference[] = [];
  walk(normalize(desired), normalize(actual), '', out);
  return out;
}

function walk(d: Json | undefined, a: Json | undefined, path: string, out: Difference[]): void {
  if (out.length >= 20 || d === a) return;
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
