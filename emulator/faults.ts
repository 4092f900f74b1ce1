/**
 * Fault injection: latency, token-bucket throttling and planned faults ("the nth call fails / hangs / is reset /
 * kills its caller"). The server asks, for each request, how long to wait, whether a bucket refuses it and whether
 * it is a planned fault — in that order. A call counts towards the planned faults when it reaches that last stage,
 * i.e. once throttling admitted it. Calls of a killed caller never get that far: they hang before any stage.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { type ErrorCode, ServiceError } from './errors';
import type {
  FaultOptions,
  Faults,
  HangOptions,
  InjectedError,
  ScopeOptions,
  ServiceName,
  ThrottleBucket,
  ThrottlePreset,
} from './types';

/** What the faults need to know of a service (from its entry in emulator/service-table.ts). */
export interface ServiceFacts {
  /** Every operation of its model, so presets can be derived from the models. */
  readonly operations: readonly string[];
  /** Its internal failure: the default error of `failNth`. */
  readonly internalError: ErrorCode;
  /** The error a throttled call gets. */
  readonly throttlingError: ErrorCode;
}

/** An operation pattern matches `Operation` in any service, `service:Operation` in one, or `*` anything. */
function matchesOperation(pattern: string, service: ServiceName, operation: string): boolean {
  return pattern === '*' || pattern === operation || pattern === `${service}:${operation}`;
}

class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    readonly burst: number,
    readonly refillPerSecond: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }
  refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.refillPerSecond);
    this.last = now;
  }
  hasToken(): boolean {
    return this.tokens >= 1;
  }
  take(): void {
    this.tokens -= 1;
  }
}

interface ThrottleGroup {
  readonly operations: readonly string[];
  readonly bucket: TokenBucket;
}

/** How a planned fault answers: an error, or no answer at all (a hang, a reset, a killed caller). */
type PlannedKind = 'fail' | 'hang' | 'reset' | 'kill';

interface PlannedFault {
  readonly kind: PlannedKind;
  readonly operation: string;
  /** Matching calls until the first one it affects (1 = the next one). */
  remaining: number;
  /** How many consecutive matching calls it affects from then on. */
  times: number;
  readonly applied: boolean;
  readonly error?: InjectedError;
  /** Only this access key id's calls count (undefined: everyone's). */
  readonly caller?: string;
}

/** A planned fault that leaves the call unanswered; `applied`: the operation takes effect before. */
export interface Interruption {
  readonly kind: 'hang' | 'reset' | 'kill';
  readonly applied: boolean;
}

/** The operations App Mesh's model lists as mutating: Create*, Update*, Delete*, TagResource, UntagResource. */
function isAppMeshMutation(operation: string): boolean {
  return (
    /^(Create|Update|Delete)/.test(operation) || operation === 'TagResource' || operation === 'UntagResource'
  );
}

export class FaultInjector implements Faults {
  private readonly latencies = new Map<string, number>();
  private readonly groups = new Map<string, ThrottleGroup>();
  private planned: PlannedFault[] = [];
  private readonly dead: string[] = [];
  /** Destroyers of the connections of unanswered calls, released by clear() and on close. */
  private readonly parked = new Set<() => void>();
  private readonly unansweredListeners = new Set<(headers: IncomingHttpHeaders) => void>();

  constructor(
    private readonly factsOf: (service: ServiceName) => ServiceFacts,
    private readonly clock: () => number = Date.now,
  ) {}

  latency(match: string, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError(`latency must be a non-negative number of ms, got ${ms}`);
    if (ms === 0) this.latencies.delete(match);
    else this.latencies.set(match, ms);
  }

  throttle(group: string, bucket: ThrottleBucket): void {
    if (!(bucket.burst >= 1) || !(bucket.refillPerSecond >= 0)) {
      throw new RangeError(`throttle ${group}: burst must be >= 1 and refillPerSecond >= 0`);
    }
    this.groups.set(group, {
      operations: [...bucket.operations],
      bucket: new TokenBucket(bucket.burst, bucket.refillPerSecond, this.clock()),
    });
  }

  throttlePreset(preset: ThrottlePreset): void {
    if (preset !== 'ecs' && preset !== 'appmesh') {
      throw new RangeError(`throttlePreset: no preset for '${String(preset)}' (presets: ecs, appmesh)`);
    }
    if (preset === 'ecs') {
      // ECS publishes per-account token buckets for its API ("Request throttling for the Amazon ECS API");
      // the figures below are the ones this project's specification takes from that page.
      this.throttle('ecs:RegisterDeregisterTaskDefinition', {
        burst: 20,
        refillPerSecond: 1,
        operations: ['ecs:RegisterTaskDefinition', 'ecs:DeregisterTaskDefinition'],
      });
      this.throttle('ecs:DescribeTaskDefinition', {
        burst: 50,
        refillPerSecond: 20,
        operations: ['ecs:DescribeTaskDefinition'],
      });
      this.throttle('ecs:DeleteTaskDefinitions', {
        burst: 5,
        refillPerSecond: 1,
        operations: ['ecs:DeleteTaskDefinitions'],
      });
      return;
    }
    // AWS publishes no App Mesh API rate. AWS's own App Mesh controller for Kubernetes limits its App Mesh calls to
    // 8 per second, so all mutating calls share one bucket of 8 refilled at 8/s.
    this.throttle('appmesh:mutating', {
      burst: 8,
      refillPerSecond: 8,
      operations: this.factsOf('appmesh')
        .operations.filter(isAppMeshMutation)
        .map((op) => `appmesh:${op}`),
    });
  }

  failNth(operation: string, n: number, error?: InjectedError, options: ScopeOptions = {}): void {
    this.plan('failNth', 'fail', operation, n, 1, false, options.caller, error);
  }

  hangNth(operation: string, n: number, options: HangOptions = {}): void {
    this.plan('hangNth', 'hang', operation, n, options.count ?? 1, options.applied === true, options.caller);
  }

  resetNth(operation: string, n: number, options: FaultOptions = {}): void {
    this.plan('resetNth', 'reset', operation, n, 1, options.applied === true, options.caller);
  }

  killAt(operation: string, n: number, options: FaultOptions = {}): void {
    this.plan('killAt', 'kill', operation, n, 1, options.applied === true, options.caller);
  }

  killed(): string[] {
    return [...this.dead];
  }

  clear(): void {
    this.latencies.clear();
    this.groups.clear();
    this.planned = [];
    this.dead.length = 0;
    this.releaseParked();
  }

  private plan(
    name: string,
    kind: PlannedKind,
    operation: string,
    n: number,
    times: number,
    applied: boolean,
    caller: string | undefined,
    error?: InjectedError,
  ): void {
    if (typeof operation !== 'string' || operation === '') {
      throw new RangeError(`${name}: operation must be a non-empty pattern (Op, service:Op or *)`);
    }
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name}: n must be an integer >= 1, got ${n}`);
    if (!Number.isInteger(times) || times < 1) {
      throw new RangeError(`${name}: count must be an integer >= 1, got ${times}`);
    }
    this.planned.push({
      kind,
      operation,
      remaining: n,
      times,
      applied,
      error,
      ...(caller ? { caller } : {}),
    });
  }

  /** Injected latency for a request: the largest of the matching rules. */
  delayFor(service: ServiceName, operation: string): number {
    let delay = 0;
    for (const [match, ms] of this.latencies) {
      const hit =
        match === '*' ||
        match === service ||
        matchesOperation(match, service, operation) ||
        this.groups.get(match)?.operations.some((p) => matchesOperation(p, service, operation)) === true;
      if (hit) delay = Math.max(delay, ms);
    }
    return delay;
  }

  /** Takes a token from every bucket the operation belongs to, or throws the service's throttling error (taking none). */
  admit(service: ServiceName, operation: string): void {
    const now = this.clock();
    const buckets = [...this.groups.values()]
      .filter((g) => g.operations.some((p) => matchesOperation(p, service, operation)))
      .map((g) => g.bucket);
    for (const bucket of buckets) bucket.refill(now);
    if (!buckets.every((b) => b.hasToken())) {
      const { type, status } = this.factsOf(service).throttlingError;
      throw new ServiceError(type, 'Rate exceeded', status);
    }
    for (const bucket of buckets) bucket.take();
  }

  /**
   * The planned-fault stage. Counts the call against every planned fault matching its operation (in the order they
   * were planned; several may come due on one call, the first planned wins and all of them are used up). Throws the
   * error of a due `failNth`; returns the interruption of a due `hangNth` / `resetNth` / `killAt` (a `killAt` also
   * marks `accessKeyId` dead); undefined when nothing is due.
   */
  plannedFault(
    service: ServiceName,
    operation: string,
    accessKeyId: string | undefined,
  ): Interruption | undefined {
    let due: PlannedFault | undefined;
    for (const fault of this.planned) {
      if (!matchesOperation(fault.operation, service, operation)) continue;
      if (fault.caller !== undefined && fault.caller !== accessKeyId) continue;
      if (fault.remaining > 1) {
        fault.remaining -= 1;
        continue;
      }
      fault.times -= 1;
      due ??= fault;
    }
    this.planned = this.planned.filter((f) => f.times > 0);
    if (!due) return undefined;
    if (due.kind === 'fail') {
      const fallback = this.factsOf(service).internalError;
      throw new ServiceError(
        due.error?.type ?? fallback.type,
        due.error?.message ?? `Injected failure of ${operation} (faults.failNth)`,
        due.error?.status ?? fallback.status,
      );
    }
    if (due.kind === 'kill' && accessKeyId !== undefined && !this.dead.includes(accessKeyId)) {
      this.dead.push(accessKeyId);
    }
    return { kind: due.kind, applied: due.applied };
  }

  /** Whether `killAt` killed this caller. */
  isKilled(accessKeyId: string | undefined): boolean {
    return accessKeyId !== undefined && this.dead.includes(accessKeyId);
  }

  /**
   * Registers the destroyer of an unanswered call's connection; `clear()` and `releaseParked()` call it. Returns
   * the function that unregisters it (when the client gave up first).
   */
  park(destroy: () => void, headers: IncomingHttpHeaders = {}): () => void {
    this.parked.add(destroy);
    if (this.unansweredListeners.size > 0) {
      const listeners = [...this.unansweredListeners];
      setImmediate(() => {
        for (const listener of listeners) listener(headers);
      });
    }
    return () => {
      this.parked.delete(destroy);
    };
  }

  onUnanswered(listener: (headers: IncomingHttpHeaders) => void): () => void {
    this.unansweredListeners.add(listener);
    return () => {
      this.unansweredListeners.delete(listener);
    };
  }

  /** Destroys the connections of every unanswered call (clear(), reset() and close()). */
  releaseParked(): void {
    const all = [...this.parked];
    this.parked.clear();
    for (const destroy of all) destroy();
  }
}
