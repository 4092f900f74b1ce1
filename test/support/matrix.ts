/**
 * The fault matrix: every call a request makes (reads included, the CloudFormation check too) is hit in turn by every
 * kind of fault a real invocation meets — a 500, throttling, a timeout, a lost answer (the call took effect), a reset
 * connection, a call that never answers however often it is retried, and the Lambda killed at that call. After each,
 * CloudFormation's next step runs (nothing after a failed Create, the retry of a killed one, the rollback Update, the
 * retried Delete …) and the emulator must hold exactly what the surviving properties describe, then nothing at all
 * once the service is deleted: no orphan, no lost configuration.
 *
 * CloudFormation's next steps run once per distinct end state. Most cells end exactly where the clean run or an
 * earlier cell ended — the same answer, the same resources with the same specs, tags, versions and statuses, in the
 * same order (test/support/fingerprint.ts: equal up to the renaming of generated identifiers and the clock) — and from
 * the same state the next steps are the same calls with the same answers, already run and checked: such a cell counts
 * as `reused` and skips them. A killed cell is fingerprinted once the kill has been seen: from then on the emulator
 * refuses every call of the dead invocation before it reaches a service (the calls already past that check complete
 * in the same turn of the event loop), so its state is final even while the invocation winds down; the fingerprint of
 * a killed cell keeps the client-token records too (a retry may send the same call again) and only ever matches
 * another killed cell's.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { credentialsFor, type ServiceName } from '../../emulator';
import { beginRequest } from '../../emulator/cloudformation/requests';
import type { HandlerResult } from '../../lambda/handler';
import { stateFingerprint } from './fingerprint';
import type { ProviderOptions, World } from './harness';
import { MATRIX_POLICY } from './scenarios';
import { orphansOf } from './state';

export type Provider = (event: CloudFormationCustomResourceEvent) => Promise<HandlerResult>;

export type Outcome =
  | { readonly ok: true; readonly result: HandlerResult }
  | { readonly ok: false; readonly error: string; readonly killed: boolean };

export interface Scenario<C> {
  /** Brings the world to where the request starts (no faults). */
  prepare(world: World, provider: Provider, tag: string): Promise<C>;
  request(context: C): CloudFormationCustomResourceEvent;
  /** CloudFormation's next steps after this outcome, with assertions; ends with the service deleted. */
  after(world: World, provider: Provider, context: C, outcome: Outcome): Promise<void>;
  /** Physical ids and task-definition families the scenario may leave resources under. */
  footprint(context: C): { physicalIds: string[]; families: string[] };
}

export type FaultKind = 'error' | 'throttle' | 'timeout' | 'lost' | 'reset' | 'stuck' | 'kill';

export interface Position {
  readonly service: ServiceName;
  readonly operation: string;
  readonly nth: number;
}

/** Fast retries: the matrix tests what happens, not how long the backoff is. */
export const FAST = {
  // A timeout, a lost answer, a stuck call and the calls of a killed invocation time out as soon as the emulator
  // leaves them unanswered (test/support/prompt-timeouts.ts), with the error the SDK gives after requestTimeoutMs:
  // the cells do not sit out their timeouts (before, at 150 ms each, they were idle for much of a matrix's time). A
  // healthy call keeps a request timeout it meets only on a badly starved machine (the event loop's longest stall
  // during a matrix is 25-40 ms on a quiet one, seconds at a load of 20 on two cores); a cell whose healthy call still
  // timed out is inconclusive and runs again (runMatrix).
  requestTimeoutMs: 5_000,
  promptTimeouts: true,
  unlimited: true,
  tuning: { maxTransientAttempts: 2, throttlingBaseMs: 2, transientBaseMs: 2, maxBackoffMs: 10 },
} as const satisfies ProviderOptions;

const MUTATING = /^(Create|Update|Delete|Tag|Untag|Register|Deregister|Add|Remove|Modify|Set)/;

const THROTTLING = {
  appmesh: { type: 'TooManyRequestsException', status: 429 },
  ecs: { type: 'ThrottlingException', status: 400 },
  cloudformation: { type: 'Throttling', status: 400 },
  servicediscovery: { type: 'ThrottlingException', status: 400 },
  tagging: { type: 'ThrottledException', status: 400 },
  vpclattice: { type: 'ThrottlingException', status: 429 },
  elbv2: { type: 'Throttling', status: 400 },
} as const satisfies Record<ServiceName, { type: string; status: number }>;

/**
 * The calls of a clean run, as (service, operation, occurrence) positions: those of one caller (killed invocations of
 * an earlier matrix in the same emulator may still be retrying).
 */
export function positionsOf(world: World, caller: string): Position[] {
  const key = credentialsFor(world.emulator.accountId, caller).accessKeyId;
  const seen = new Map<string, number>();
  return world.emulator.requests
    .filter((r) => r.accessKeyId === key)
    .map((r) => {
      const id = `${r.service}:${r.operation}`;
      const nth = (seen.get(id) ?? 0) + 1;
      seen.set(id, nth);
      return { service: r.service, operation: r.operation, nth };
    });
}

export const isMutating = (p: Position) => MUTATING.test(p.operation);

/**
 * Arms the fault at the position, for this caller's calls only (earlier cells' killed invocations may still be winding down); returns the log mark that
 * proves it came due.
 */
function arm(world: World, kind: FaultKind, p: Position, caller: string): string {
  const f = world.emulator.faults;
  const op = `${p.service}:${p.operation}`;
  const scope = { caller };
  switch (kind) {
    case 'error':
      f.failNth(op, p.nth, undefined, scope);
      return 'error';
    case 'throttle':
      f.failNth(op, p.nth, { ...THROTTLING[p.service], message: 'Rate exceeded' }, scope);
      return 'error';
    case 'timeout':
      f.hangNth(op, p.nth, scope);
      return 'Hung';
    case 'lost':
      f.hangNth(op, p.nth, { ...scope, applied: true });
      return 'Hung';
    case 'reset':
      f.resetNth(op, p.nth, scope);
      return 'Reset';
    case 'stuck':
      // Every attempt of that call: the retries run out and the request fails.
      f.hangNth(op, p.nth, { ...scope, count: FAST.tuning.maxTransientAttempts });
      return 'Hung';
    case 'kill':
      f.killAt(op, p.nth, { ...scope, applied: true });
      return 'Killed';
  }
}

/**
 * Runs one cell from the prepared world (`context`, in the state `prepare` left): arms the fault, sends the request
 * through a fresh Lambda environment, then CloudFormation's next step; returns what a failure looked like and what was
 * left behind, and `inconclusive` (why) when the fault never came due (the request ended before the position).
 */
async function runCell<C>(
  world: World,
  scenario: Scenario<C>,
  context: C,
  kind: FaultKind,
  p: Position,
  tag: string,
  zombies: Promise<unknown>[],
  /** The environment that takes the next steps (never faulted). */
  provider: Provider,
  /** The faulted environment's request timeout (longer when a cell runs again, see runMatrix). */
  requestTimeoutMs: number,
  /** The end states whose next steps have run and passed (stateFingerprint). */
  checked: Set<string>,
): Promise<{ outcome: Outcome; orphans: string[]; reused: boolean; inconclusive?: string }> {
  const caller = `CELL${tag.replace(/[^A-Za-z0-9]/g, '')}`;
  // CloudFormation's part is played here: a killed invocation never answers, but CloudFormation hears of it (the
  // framework reports the failure) before it takes its next step.
  const faulted = world.provider({
    ...FAST,
    requestTimeoutMs,
    caller,
    remainingMs: 120_000,
    cloudFormation: false,
    policy: MATRIX_POLICY,
  });
  // This cell's calls only: killed invocations of earlier cells are still retrying into the void.
  const key = credentialsFor(world.emulator.accountId, caller).accessKeyId;
  const mark = arm(world, kind, p, key);
  // The log only grows while cells run (each reads from where it started: the whole log is tens of thousands of
  // entries by the last cells, and the kill wait polls it).
  const from = world.emulator.requests.length;
  const mine = () => world.emulator.requests.slice(from).filter((r) => r.accessKeyId === key);
  let outcome: Outcome;
  /** Whether the emulator's state can no longer change by this cell's invocation (see the top). */
  let final = true;
  const t0 = Date.now();
  const event = scenario.request(context);
  const inProgress = beginRequest(world.emulator.cloudformation, event);
  const run = faulted(event);
  if (kind === 'kill') {
    // The Lambda is gone at that call: the framework answers FAILED; the invocation itself never answers.
    let settled = false;
    zombies.push(run.then(undefined, () => undefined).finally(() => (settled = true)));
    // Until the kill (or, were the position never reached, until the invocation ends on its own).
    const seen = () => mine().some((r) => r.error === 'Killed');
    for (let i = 0; i < 3000 && !settled && !seen(); i++) await new Promise((r) => setTimeout(r, 5));
    outcome = { ok: false, error: 'killed', killed: true };
    final = settled || seen();
  } else {
    outcome = await run.then(
      (result): Outcome => ({ ok: true, result }),
      (e: Error): Outcome => ({ ok: false, error: e.message, killed: false }),
    );
  }
  inProgress.end(
    outcome.ok ? { physicalResourceId: outcome.result.PhysicalResourceId } : { failed: outcome.error },
  );
  const due = mine().some(
    (r) =>
      r.service === p.service &&
      r.operation === p.operation &&
      (mark === 'error' ? r.error !== undefined : r.error === mark),
  );
  // How the request ended, as the next steps see it (a failure's message plays no part in them).
  const end = !final
    ? undefined
    : !outcome.ok && outcome.killed
      ? stateFingerprint(world.emulator, 'killed', { clientTokens: true })
      : stateFingerprint(world.emulator, outcome.ok ? outcome.result : 'failed');
  const reused = end !== undefined && checked.has(end);
  let orphans: string[] = [];
  if (!reused) {
    await scenario.after(world, provider, context, outcome);
    orphans = orphansOf(world, scenario.footprint(context));
    if (end !== undefined && orphans.length === 0) checked.add(end);
  }
  if (due) return { outcome, orphans, reused };
  // The request ended before it reached the position (a healthy call timed out on a loaded machine): what happened
  // is still checked for orphans, and the caller runs the cell again.
  const calls = mine().map(
    (r) =>
      `${r.service}:${r.operation} ${r.status}${r.error ? ` ${r.error}` : ''} at +${r.startedAt - t0} ms`,
  );
  return {
    outcome,
    orphans,
    reused,
    inconclusive: `${kind} at ${p.service}:${p.operation}#${p.nth} never came due (${tag}); outcome ${JSON.stringify(outcome).slice(0, 300)}; calls: ${calls.join(', ')}`,
  };
}

/** The faulted environment's request timeout, as a multiple of FAST's, in a cell's first, second and third run. */
const PATIENCE = [1, 3, 6] as const;

export const KINDS: readonly FaultKind[] = ['error', 'throttle', 'timeout', 'lost', 'reset', 'stuck', 'kill'];

/**
 * The whole matrix of one scenario: a clean run gives the positions, then every kind at every position (a lost answer
 * only where the call changes something). Asserts no orphans cell by cell; returns the tally.
 */
export async function runMatrix<C>(
  world: World,
  scenario: Scenario<C>,
  prefix: string,
  zombies: Promise<unknown>[],
  minPositions = 10,
): Promise<{
  positions: number;
  cells: number;
  succeeded: number;
  failed: number;
  killed: number;
  orphans: number;
  inconclusive: number;
  runs: number;
}> {
  const provider = world.provider({ policy: MATRIX_POLICY });
  const clean = await scenario.prepare(world, provider, prefix);
  // Every cell starts from this state, put back before it (emulator/state.ts), instead of preparing a service of its
  // own through the handler: the same world for the clean run and each cell, and a third of the calls fewer.
  const prepared = world.emulator.saveState();
  world.emulator.clearRequests();
  // Configured as the cells' environments are, which also loads what their clients load lazily, before any cell
  // counts on its timeouts; with the provider's own request timeout: its calls are the positions, none may time out.
  const cleanCaller = `CLEAN${prefix}`;
  const { requestTimeoutMs: _short, ...patient } = FAST;
  const result = await world.provider({ ...patient, caller: cleanCaller, policy: MATRIX_POLICY })(
    scenario.request(clean),
  );
  const positions = positionsOf(world, cleanCaller);
  const checked = new Set([stateFingerprint(world.emulator, result)]);
  await scenario.after(world, provider, clean, { ok: true, result });
  expect(orphansOf(world, scenario.footprint(clean))).toEqual([]);
  // Every request of these scenarios makes reads and writes in several waves: a handful of positions means a run cut short.
  expect(positions.length).toBeGreaterThan(minPositions);

  const tally = {
    positions: positions.length,
    cells: 0,
    succeeded: 0,
    failed: 0,
    killed: 0,
    orphans: 0,
    /** Runs that ended before their position (inconclusive, run again; still checked for orphans). */
    inconclusive: 0,
    runs: 0,
    /** Cells that ended in a state whose next steps had already run (see the top). */
    reused: 0,
  };
  const cells = KINDS.flatMap((kind) =>
    positions.filter((p) => kind !== 'lost' || isMutating(p)).map((p) => ({ kind, p })),
  );
  // One cell at a time, each from the prepared state, in its own Lambda environment, faults scoped to it. (Cells once
  // ran two at once to overlap their waits for calls that never answer; with prompt timeouts they no longer wait.)
  for (const { kind, p } of cells) {
    const position = `${p.service}:${p.operation}#${p.nth}`;
    for (let attempt = 1; ; attempt++) {
      const tag = `${prefix}${++tally.runs}`;
      // The killed invocations of the cells before have ended (their calls time out at once): none writes into this one.
      await Promise.all(zombies);
      world.emulator.restoreState(prepared);
      // A healthy call that timed out made the run inconclusive: the next run waits longer for healthy calls.
      const { outcome, orphans, reused, inconclusive } = await runCell(
        world,
        scenario,
        clean,
        kind,
        p,
        tag,
        zombies,
        provider,
        FAST.requestTimeoutMs * PATIENCE[attempt - 1]!,
        checked,
      );
      tally.orphans += orphans.length;
      expect({ kind, position, orphans }).toEqual({ kind, position, orphans: [] });
      if (!inconclusive) {
        tally.cells++;
        tally[outcome.ok ? 'succeeded' : outcome.killed ? 'killed' : 'failed']++;
        if (reused) tally.reused++;
        break;
      }
      tally.inconclusive++;
      if (attempt === PATIENCE.length) throw new Error(inconclusive);
    }
  }
  return tally;
}
