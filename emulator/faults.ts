/**
 * Fault injection: latency, token-bucket throttling and "the nth call fails". The server asks, for each request,
 * how long to wait, whether a bucket refuses it and whether it is a planned failure — in that order.
 */
import { INTERNAL_ERROR, ServiceError, THROTTLING_ERROR } from './errors';
import type { Faults, InjectedError, ServiceName, ThrottleBucket } from './types';

/** An operation pattern matches `Operation` in any service, or `service:Operation` in one. */
function matchesOperation(pattern: string, service: ServiceName, operation: string): boolean {
  return pattern === operation || pattern === `${service}:${operation}`;
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

interface PlannedFailure {
  readonly operation: string;
  remaining: number;
  readonly error?: InjectedError;
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
  private failures: PlannedFailure[] = [];

  constructor(
    /** Every operation name per service, so presets can be derived from the models. */
    private readonly operationsOf: (service: ServiceName) => readonly string[],
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

  throttlePreset(preset: ServiceName): void {
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
      operations: this.operationsOf('appmesh')
        .filter(isAppMeshMutation)
        .map((op) => `appmesh:${op}`),
    });
  }

  failNth(operation: string, n: number, error?: InjectedError): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`failNth: n must be an integer >= 1, got ${n}`);
    this.failures.push({ operation, remaining: n, error });
  }

  clear(): void {
    this.latencies.clear();
    this.groups.clear();
    this.failures = [];
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
      const { type, status } = THROTTLING_ERROR[service];
      throw new ServiceError(type, 'Rate exceeded', status);
    }
    for (const bucket of buckets) bucket.take();
  }

  /** Counts the call against every planned failure of its operation; throws when one comes due. */
  checkPlannedFailure(service: ServiceName, operation: string): void {
    let due: PlannedFailure | undefined;
    for (const failure of this.failures) {
      if (!matchesOperation(failure.operation, service, operation)) continue;
      failure.remaining -= 1;
      if (failure.remaining === 0 && !due) due = failure;
    }
    this.failures = this.failures.filter((f) => f.remaining > 0);
    if (due) {
      const fallback = INTERNAL_ERROR[service];
      const type = due.error?.type ?? fallback.type;
      const status = due.error?.status ?? fallback.status;
      throw new ServiceError(
        type,
        due.error?.message ?? `Injected failure of ${operation} (faults.failNth)`,
        status,
      );
    }
  }
}
