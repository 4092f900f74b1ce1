/** What the narrow SDK adapters share: timing every call for logs and the demo, and one-line error messages. */
import { AwsCallError } from '../errors';

/** A call made, for logs, the demo and tests. */
export interface CallRecord {
  readonly operation: string;
  readonly target: string;
  readonly ms: number;
}

export const errorName = (e: unknown): string => (e as { name?: string })?.name ?? 'Error';
export const errorMessage = (e: unknown): string => (e as Error)?.message ?? String(e);

export type Sender = { send(command: unknown): Promise<unknown> };

export function caller(client: unknown, onCall: (record: CallRecord) => void) {
  const sender = client as Sender;
  return async function call<T>(operation: string, target: string, command: unknown): Promise<T> {
    const started = Date.now();
    try {
      return (await sender.send(command)) as T;
    } finally {
      onCall({ operation, target, ms: Date.now() - started });
    }
  };
}

/** Throws the one-line error a template author reads: which call, on what, and what AWS said. */
export function failCall(operation: string, what: string, e: unknown): never {
  throw new AwsCallError(`${operation} ${what} failed: ${errorName(e)}: ${errorMessage(e)}`, { cause: e });
}

/** The HTTP status of the answer an SDK error carries (also through an AwsCallError's cause), if there was one. */
export function httpStatusOf(e: unknown): number | undefined {
  const status = (x: unknown) =>
    (x as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return status(e) ?? status((e as { cause?: unknown } | undefined)?.cause);
}

/**
 * True when the service answered with a refusal (4xx other than throttling): the call had no effect. Anything else
 * — no answer (a timeout, a reset connection), a 5xx, throttling that outlasted the retries — may have taken effect.
 */
export function isDefinitiveRefusal(e: unknown): boolean {
  const status = httpStatusOf(e);
  return status !== undefined && status >= 400 && status < 500 && status !== 429;
}
