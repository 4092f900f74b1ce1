/**
 * Request timeouts without the wait, for the tests of what a timeout does rather than of how long it takes.
 *
 * A call the emulator leaves unanswered (a hang or a kill) is never answered: its client can only time out. The SDK's
 * handler waits out its request timeout for that; this one, in the same process as the emulator, hears from it
 * (`faults.onUnanswered`) that no answer is coming and fails the attempt at once with the error the SDK's own timeout
 * gives (a TimeoutError, ETIMEDOUT), closing the connection as the SDK does. The handler under test sees what it sees
 * in Lambda, sooner. A healthy call keeps the full request timeout, so it never times out on a loaded machine.
 */
import { randomUUID } from 'node:crypto';
import type { HttpHandler } from '@smithy/core/protocols';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpHandlerOptions } from '@smithy/types';
import type { Emulator } from '../../emulator';
import type { RequestHandlerOptions } from '../../lambda/aws/clients';

/** Names each attempt to the emulator (unsigned: added after SigV4 signing, as a proxy could). */
const ATTEMPT_HEADER = 'x-test-attempt-id';

/** The error the SDK's Node.js handler rejects with when an attempt exceeds its requestTimeout. */
export function sdkTimeoutError(timeoutMs: number): Error {
  return Object.assign(
    new Error(
      `@smithy/node-http-handler - [ERROR] a request has exceeded the configured ${timeoutMs} ms requestTimeout.`,
    ),
    { name: 'TimeoutError', code: 'ETIMEDOUT' },
  );
}

type Handle = HttpHandler['handle'];

/**
 * A factory of HTTP handlers (ClientOverrides.requestHandler) whose attempts time out as soon as the emulator leaves
 * them unanswered. One listener per emulator, however many clients.
 */
export function promptTimeouts(emulator: Emulator): (options: RequestHandlerOptions) => HttpHandler {
  const abandon = new Map<string, () => void>();
  emulator.faults.onUnanswered((headers) => {
    const id = headers[ATTEMPT_HEADER];
    if (typeof id === 'string') abandon.get(id)?.();
  });
  return (options) => {
    const inner = new NodeHttpHandler(options);
    const handle: Handle = (request, handlerOptions: HttpHandlerOptions = {}) => {
      const id = randomUUID();
      const sent = Object.assign(Object.create(Object.getPrototypeOf(request)), request, {
        headers: { ...request.headers, [ATTEMPT_HEADER]: id },
      }) as typeof request;
      const controller = new AbortController();
      const outer = handlerOptions.abortSignal as AbortSignal | undefined;
      if (outer?.aborted) controller.abort();
      else outer?.addEventListener?.('abort', () => controller.abort(), { once: true });
      return new Promise((resolve, reject) => {
        abandon.set(id, () => {
          reject(sdkTimeoutError(options.requestTimeout));
          // Closes the connection, as the SDK destroys the request of a timed-out attempt.
          controller.abort();
        });
        inner
          .handle(sent, { ...handlerOptions, abortSignal: controller.signal })
          .then(resolve, reject)
          .finally(() => abandon.delete(id));
      });
    };
    return {
      metadata: inner.metadata,
      handle,
      updateHttpClientConfig: (key: never, value: never) => inner.updateHttpClientConfig(key, value),
      httpHandlerConfigs: () => inner.httpHandlerConfigs(),
      destroy: () => inner.destroy(),
    };
  };
}
