/**
 * The one argument parser of the commands (`mesh-service validate|migrate|cleanup`, `npm run demo`): node:util
 * parseArgs in strict mode, every command with `--help`, and a usage error (exit 2) naming the flag and what it
 * accepts for an unknown flag, a missing or unknown value, or arguments a command does not take. Backend values are
 * accepted in the template's spelling (`ServiceConnect`) and the command line's (`service-connect`), derived from the
 * backend registry. Pure: the callers print and exit.
 */
import { parseArgs } from 'node:util';
import { BACKENDS, type Backend } from '../lambda/backends';

/** Exit status of a usage error. */
export const USAGE_EXIT = 2;

export interface Flag {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  readonly default?: string;
  /** Placeholder of the value in messages (`<mesh>`). */
  readonly value?: string;
  /** The accepted spellings, each with the value it stands for; without it any value is accepted. */
  readonly choices?: Readonly<Record<string, string>>;
}

export interface CommandSpec {
  /** As a user types it: `mesh-service validate`, `npm run demo --`. */
  readonly name: string;
  readonly usage: string;
  readonly flags: Readonly<Record<string, Flag>>;
  /** The arguments that are not flags; none when absent. */
  readonly positionals?: { readonly name: string; readonly min: number; readonly max?: number };
}

export type FlagValues = Readonly<Record<string, string | boolean | readonly string[] | undefined>>;

export type Parsed =
  | { readonly help: true }
  | { readonly help: false; readonly values: FlagValues; readonly positionals: readonly string[] };

/** A command line the command does not understand: the message names the flag and what it accepts. */
export class UsageError extends Error {
  constructor(
    readonly command: string,
    message: string,
  ) {
    super(`${command}: ${message}`);
    this.name = 'UsageError';
  }
}

/** `ServiceConnect` → `service-connect`. */
export const cliSpelling = (name: string): string =>
  name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/** The spellings of the given backends (every registered one by default): `ServiceConnect` and `service-connect`. */
export function backendChoices(
  backends: readonly Backend[] = BACKENDS.map((b) => b.name),
): Readonly<Record<string, Backend>> {
  return Object.fromEntries(
    backends.flatMap((name) => [[cliSpelling(name), name] as const, [name, name] as const]),
  );
}

/** `a, b or c`. */
const either = (items: readonly string[]): string =>
  items.length > 1 ? `${items.slice(0, -1).join(', ')} or ${items.at(-1)}` : (items[0] ?? '');

const flagName = (name: string): string => `--${name}`;

function accepted(flag: Flag): string {
  return either(Object.keys(flag.choices ?? {}));
}

/**
 * Parses a command line. Returns `{ help: true }` when `--help`/`-h` is given, else the flags (a choice flag's value
 * as the value it stands for) and the positionals; throws UsageError otherwise.
 */
export function parseCommand(spec: CommandSpec, args: readonly string[]): Parsed {
  const flags: Record<string, Flag> = { ...spec.flags, help: { type: 'boolean', short: 'h' } };
  const options = Object.fromEntries(
    Object.entries(flags).map(([name, f]) => [
      name,
      {
        type: f.type,
        ...(f.short ? { short: f.short } : {}),
        ...(f.multiple ? { multiple: true } : {}),
        ...(f.default !== undefined ? { default: f.default } : {}),
      },
    ]),
  );
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...args],
      options,
      strict: true,
      allowPositionals: spec.positionals !== undefined,
    });
  } catch (e) {
    throw new UsageError(spec.name, explain(spec, flags, args, e as Error));
  }
  if (parsed.values.help === true) return { help: true };
  const values: Record<string, string | boolean | readonly string[] | undefined> = {};
  for (const [name, flag] of Object.entries(spec.flags)) {
    const raw = parsed.values[name] as string | boolean | string[] | undefined;
    values[name] = Array.isArray(raw)
      ? raw.map((v) => choose(spec, name, flag, v))
      : choose(spec, name, flag, raw);
  }
  const p = spec.positionals;
  const n = parsed.positionals.length;
  if (p && n < p.min)
    throw new UsageError(
      spec.name,
      `expected ${p.min === 1 ? 'a' : `at least ${p.min}`} ${p.name}, got none`,
    );
  if (p?.max !== undefined && n > p.max)
    throw new UsageError(
      spec.name,
      `expected ${p.max === 1 ? 'one' : `at most ${p.max}`} ${p.name}, got ${n}: ${parsed.positionals.join(' ')}`,
    );
  return { help: false, values, positionals: parsed.positionals };
}

function choose<T extends string | boolean | undefined>(
  spec: CommandSpec,
  name: string,
  flag: Flag,
  value: T,
): T {
  if (typeof value !== 'string' || !flag.choices) return value;
  const chosen = flag.choices[value];
  if (chosen === undefined)
    throw new UsageError(
      spec.name,
      `${flagName(name)} does not accept "${value}"; it accepts ${accepted(flag)}`,
    );
  return chosen as T;
}

/** The first thing parseArgs refused, said in the command's terms. */
function explain(
  spec: CommandSpec,
  flags: Record<string, Flag>,
  args: readonly string[],
  error: Error,
): string {
  const known = Object.entries(flags)
    .map(([name, f]) => `${flagName(name)}${f.type === 'string' ? ` ${f.value ?? '<value>'}` : ''}`)
    .join(', ');
  const options = Object.fromEntries(
    Object.entries(flags).map(([name, f]) => [
      name,
      { type: f.type, ...(f.short ? { short: f.short } : {}) },
    ]),
  );
  const { tokens } = parseArgs({
    args: [...args],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const t of tokens ?? []) {
    if (t.kind === 'positional' && !spec.positionals)
      return `unexpected argument "${t.value}"; it takes only flags: ${known}`;
    if (t.kind !== 'option') continue;
    const name = t.rawName.startsWith('--')
      ? t.name
      : Object.entries(flags).find(([, f]) => f.short === t.name)?.[0];
    const flag = name === undefined ? undefined : flags[name];
    if (!flag) return `unknown flag ${t.rawName}; it accepts ${known}`;
    if (flag.type === 'string' && (t.value === undefined || (!t.inlineValue && t.value.startsWith('-'))))
      return `${t.rawName} needs a value${flag.choices ? `: ${accepted(flag)}` : ` (${flag.value ?? '<value>'})`}`;
    if (flag.type === 'boolean' && t.value !== undefined)
      return `${t.rawName} takes no value, got "${t.value}"`;
  }
  return error.message;
}
