/** Small pure helpers shared by the emulator's layers. */

export type JsonObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A deep copy of plain JSON data, so stored state never aliases a request or a response. */
export function cloneJson<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** JSON with object keys sorted: two equal inputs give the same text whatever their key order. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Epoch seconds with millisecond precision: the wire format of AWS JSON timestamps. */
export function nowEpochSeconds(): number {
  return Date.now() / 1000;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextToken?: string;
}

/**
 * Pagination with opaque tokens over a list sorted by `keyOf` (ascending, or descending when told). The token remembers the last key returned (not an
 * offset), so creating or deleting items between pages neither repeats nor skips the others.
 * Returns undefined when the token is not one this function issued.
 */
export function paginate<T>(
  sorted: readonly T[],
  keyOf: (item: T) => string,
  limit: number,
  nextToken: string | undefined,
  descending = false,
): Page<T> | undefined {
  let start = 0;
  if (nextToken !== undefined) {
    const after = decodeToken(nextToken);
    if (after === undefined) return undefined;
    start = sorted.findIndex((item) => (descending ? keyOf(item) < after : keyOf(item) > after));
    if (start < 0) start = sorted.length;
  }
  const items = sorted.slice(start, start + limit);
  const last = items.at(-1);
  const more = start + limit < sorted.length;
  return more && last !== undefined ? { items, nextToken: encodeToken(keyOf(last)) } : { items };
}

function encodeToken(after: string): string {
  return Buffer.from(JSON.stringify({ v: 1, after }), 'utf8').toString('base64url');
}

function decodeToken(token: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return isPlainObject(parsed) && parsed.v === 1 && typeof parsed.after === 'string'
      ? parsed.after
      : undefined;
  } catch {
    return undefined;
  }
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
