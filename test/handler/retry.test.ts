import type { RetryErrorInfo, RetryToken } from '@smithy/types';
import { BudgetedRetryStrategy, DEFAULT_RETRY_TUNING } from '../../lambda/aws/retry';

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
