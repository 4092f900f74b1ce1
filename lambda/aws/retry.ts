/**
 * Retries bounded by the handler's time budget rather than by a small attempt count.
 *
 * CloudFormation deploys the resources of a stack in parallel, so a stack with many services meets real
 * throttling: ECS allows RegisterTaskDefinition at a burst of 20 and 1 per second per account and Region, and App
 * Mesh throttles mutating calls. With the SDK's default of 3 attempts, 30 concurrent registrations already fail.
 * This strategy keeps the SDK's adaptive client-side rate limiter (DefaultRateLimiter, the core of the SDK's
 * `adaptive` retry mode) and retries throttling with capped, fully jittered exponential backoff for as long as the
 * invocation's deadline allows, leaving the time after the deadline for cleanup and the response. Transient errors
 * (5xx, timeouts) get a few attempts; anything else is not retried. There is deliberately no retry quota: one
 * invocation's calls are few, and the deadline is the bound that matters.
 */
import { DefaultRateLimiter, type RateLimiter } from '@smithy/core/retry';
import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';

/** Shared and mutable: the handler moves the deadline as an invocation goes from work to cleanup. */
export interface RetryBudget {
  /** Epoch milliseconds after which no retry may start. */
  deadline: number;
}

export interface RetryTuning {
  readonly maxTransientAttempts: number;
  readonly throttlingBaseMs: number;
  readonly transientBaseMs: number;
  readonly maxBackoffMs: number;
}

/**
 * The backoff cap trades wasted calls for tail latency: with many invocations waiting on one token bucket, the last
 * ones wait for a token that may already be refilled. Measured with `npm run bench -- throttle` (60 patches against
 * the ECS preset, bound 40 s; 50 creates against the App Mesh preset, bound 11.5 s): a cap of 8 s took 41.6-46.5 s
 * and 17.4-18.0 s; 4 s took 42.2-42.3 s and 13.4-13.7 s for about 30% more throttled calls.
 */
export const DEFAULT_RETRY_TUNING: RetryTuning = {
  maxTransientAttempts: 5,
  throttlingBaseMs: 500,
  transientBaseMs: 100,
  maxBackoffMs: 4000,
};

/**
 * The floor of the adaptive rate limiter's sending rate, in calls per second (the SDK's default is 0.5). The limiter
 * learns a client's rate from the calls it sends; a Lambda invocation's client sends a handful, so its measured rate is
 * near zero and its first throttled call dropped it to the floor: each later call of the invocation, reads included,
 * then waited up to 2 s for a token while the account's bucket had refilled, and the last of many concurrent
 * invocations finished seconds after the bucket allowed. At 4 per second a call waits at most 250 ms; the backoff still
 * spreads the retries. Measured with 50 concurrent creates against the App Mesh preset (bound 11.5 s), ten runs each:
 * median 1.24 x the bound (1.11-1.34) at 0.5 per second, 1.14 x (1.08-1.28) at 4.
 */
export const MIN_SENDING_RATE = 4;

class Token implements RetryToken {
  constructor(private readonly count: number) {}
  getRetryCount(): number {
    return this.count;
  }
  getRetryDelay(): number {
    return 0; // the strategy has already waited before handing out the token
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class BudgetedRetryStrategy implements RetryStrategyV2 {
  readonly mode = 'adaptive';

  constructor(
    private readonly budget: RetryBudget,
    private readonly tuning: RetryTuning = DEFAULT_RETRY_TUNING,
    private readonly random: () => number = Math.random,
    private readonly rateLimiter: RateLimiter = new DefaultRateLimiter({ minFillRate: MIN_SENDING_RATE }),
  ) {}

  async acquireInitialRetryToken(): Promise<RetryToken> {
    await this.rateLimiter.getSendToken();
    return new Token(0);
  }

  async refreshRetryTokenForRetry(token: RetryToken, info: RetryErrorInfo): Promise<RetryToken> {
    this.rateLimiter.updateClientSendingRate(info);
    const attempt = token.getRetryCount() + 1;
    const error = info.error as { name?: string; message?: string } | undefined;
    // The SDK classifies LimitExceededException as throttling; App Mesh and ECS use it for quotas, which no
    // amount of waiting fixes.
    if (error?.name === 'LimitExceededException') throw new Error('quota exceeded');
    // ECS refuses concurrent registrations in one family with a ClientException; waiting is the cure.
    const familyBusy =
      error?.name === 'ClientException' && /too many concurrent attempts/i.test(error.message ?? '');
    const throttled = info.errorType === 'THROTTLING' || familyBusy;
    if (!throttled && info.errorType !== 'TRANSIENT') throw new Error('not retryable');
    if (!throttled && attempt >= this.tuning.maxTransientAttempts)
      throw new Error('transient retries exhausted');
    const base = throttled ? this.tuning.throttlingBaseMs : this.tuning.transientBaseMs;
    let delay = Math.floor(
      this.random() * Math.min(this.tuning.maxBackoffMs, base * 2 ** Math.min(attempt - 1, 20)),
    );
    if (info.retryAfterHint instanceof Date)
      delay = Math.max(delay, info.retryAfterHint.getTime() - Date.now());
    if (Date.now() + delay > this.budget.deadline) throw new Error('time budget exhausted');
    await sleep(delay);
    await this.rateLimiter.getSendToken();
    return new Token(attempt);
  }

  recordSuccess(): void {
    this.rateLimiter.updateClientSendingRate({});
  }
}
