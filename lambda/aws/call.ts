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
