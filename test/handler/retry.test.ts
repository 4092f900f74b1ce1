import { DefaultRateLimiter } from '@smithy/core/retry';
import type { RetryErrorInfo, RetryToken } from '@smithy/types';
import { BudgetedRetryStrategy, DEFAULT_RETRY_TUNING, MIN_SENDING_RATE } from '../../lambda/aws/retry';

const info = (errorType: RetryErrorInfo['errorType'], name: string, message = ''): RetryErrorInfo =>
  ({
    errorType,
    error: Object.assign(new Error(message), { name, $metadata: {} }),
  }) as unknown as RetryErrorInfo;

/** How many retries the strategy grants before refusing. */
async function retries(strategy: BudgetedRetryStrategy, error: RetryErrorInfo, cap = 100): Promise<number> {
  let token: RetryToken = await strategy.acquireInitialRetryToken();
  for (let n = 0; n < cap; n++) {
    try {
      token = await strategy.refreshRetryTokenForRetry(token, error);
    } catch {
      return n;
    }
  }
  return cap;
}

describe('GIVEN the time-budgeted retry strategy (no waiting: jitter drawn as 0, no client-side rate limit)', () => {
  const unlimited = { getSendToken: async () => {}, updateClientSendingRate: () => {} };
  const strategy = () =>
    new BudgetedRetryStrategy({ deadline: Date.now() + 60_000 }, DEFAULT_RETRY_TUNING, () => 0, unlimited);

  test('WHEN a call is throttled THEN it is retried for as long as the budget lasts, not a fixed few times', async () => {
    expect(await retries(strategy(), info('THROTTLING', 'ThrottlingException'), 50)).toBe(50);
  });

  test('WHEN the deadline has passed THEN a throttled call is not retried', async () => {
    const late = new BudgetedRetryStrategy(
      { deadline: Date.now() - 1 },
      DEFAULT_RETRY_TUNING,
      () => 0.5,
      unlimited,
    );
    expect(await retries(late, info('THROTTLING', 'ThrottlingException'))).toBe(0);
  });

  test('WHEN the error is transient (5xx) THEN it gets a few attempts', async () => {
    expect(await retries(strategy(), info('TRANSIENT', 'InternalServerErrorException'))).toBe(
      DEFAULT_RETRY_TUNING.maxTransientAttempts - 1,
    );
  });

  test('WHEN a quota is exceeded (LimitExceededException, which the SDK calls throttling) THEN it is not retried', async () => {
    expect(await retries(strategy(), info('THROTTLING', 'LimitExceededException'))).toBe(0);
  });

  test('WHEN ECS refuses concurrent registrations in a family THEN that ClientException is retried like throttling', async () => {
    const busy = info(
      'CLIENT_ERROR',
      'ClientException',
      'Too many concurrent attempts to create a new revision of the specified family.',
    );
    expect(await retries(strategy(), busy, 20)).toBe(20);
  });

  test('WHEN the error is a client error THEN it is not retried', async () => {
    expect(await retries(strategy(), info('CLIENT_ERROR', 'BadRequestException'))).toBe(0);
  });
});

describe('GIVEN the strategy with its adaptive rate limiter (fake clock)', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_700_000_000_000 }));
  afterEach(() => jest.useRealTimers());

  /** Fake milliseconds from a throttled call to the send token of the client's next call, both retry and new call. */
  async function waitAfterThrottle(strategy: BudgetedRetryStrategy): Promise<number> {
    const started = Date.now();
    const first = await strategy.acquireInitialRetryToken();
    let granted = false;
    const next = strategy
      .refreshRetryTokenForRetry(first, info('THROTTLING', 'TooManyRequestsException'))
      .then(() => strategy.acquireInitialRetryToken())
      .then(() => {
        granted = true;
      });
    for (let i = 0; i < 1000 && !granted; i++) await jest.advanceTimersByTimeAsync(10);
    await next;
    return Date.now() - started;
  }

  test(`WHEN a call of an invocation's client is throttled THEN its next calls wait at most 1/${MIN_SENDING_RATE} s each for the limiter, not the SDK floor's 2 s`, async () => {
    const budget = { deadline: Number.POSITIVE_INFINITY };
    // Jitter drawn as 0: only the limiter makes the client wait.
    const ours = await waitAfterThrottle(new BudgetedRetryStrategy(budget, DEFAULT_RETRY_TUNING, () => 0));
    expect(ours).toBeLessThanOrEqual((2 * 1000) / MIN_SENDING_RATE + 20);
    // The SDK's own floor (0.5 per second), for contrast: the check above can tell them apart.
    const sdkFloor = await waitAfterThrottle(
      new BudgetedRetryStrategy(budget, DEFAULT_RETRY_TUNING, () => 0, new DefaultRateLimiter()),
    );
    expect(sdkFloor).toBeGreaterThan(1000);
  });
});
