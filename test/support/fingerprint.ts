/**
 * The emulator's state as a string two runs share exactly when they left the same resources behind: every service's
 * saved state (emulator/state.ts: every Map, Set, array and counter, in insertion order, which is the order the List
 * operations answer in), with what differs between two runs of the same calls taken out:
 *  - the identifiers generated at random (UUIDs: App Mesh uids, CloudFormation stack ids, RequestIds and client
 *    tokens; hex runs of 16 or more: ELB ids, VPC Lattice ids, digests of those; Cloud Map's srv-/ns-/op- ids; the
 *    random label of a VPC Lattice service's domain name) are
 *    renamed in order of first appearance, so the same identifier in two places stays the same, two different ones
 *    stay different;
 *  - the clock's readings (fields named *At, *Time, *Timestamp, *Updated, *Date; ECS deployment ids);
 *  - the idempotency records of client tokens (App Mesh's, VPC Lattice's), which only the retry of the same call can
 *    meet and which differ with every token.
 * The fault matrix (test/support/matrix.ts) runs CloudFormation's next steps once per distinct end state.
 */
import { types } from 'node:util';
import type { Emulator } from '../../emulator';

const CLOCK = /^deploymentId$|(At|Time|Timestamp|Updated|Date)$/;
const CLIENT_TOKENS = new Set(['idempotency', 'clientTokens']);
const GENERATED =
  /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b(?:srv|ns|op)-[a-z0-9]{16}\b|[0-9a-f]{16,}|\b[0-9a-f]{7}(?=\.vpc-lattice-svcs\.)/g;

/**
 * `outcome` (what the request answered, or how it ended) is part of it, its identifiers renamed with the state's.
 * `clientTokens` keeps the idempotency records (renamed like the rest): where the next step may be the same call
 * again, with the same token.
 */
export function stateFingerprint(
  emulator: Emulator,
  outcome: unknown,
  options: { clientTokens?: boolean } = {},
): string {
  const dropped = options.clientTokens ? new Set<string>() : CLIENT_TOKENS;
  const names = new Map<string, string>();
  const rename = (text: string) =>
    text.replace(GENERATED, (id) => {
      const known = names.get(id);
      if (known !== undefined) return known;
      const name = `#${names.size}`;
      names.set(id, name);
      return name;
    });
  const lines: string[] = [];
  const walk = (value: unknown, at: string): void => {
    if (types.isMap(value)) {
      for (const [k, v] of value as Map<unknown, unknown>) walk(v, `${at}<${rename(String(k))}>`);
    } else if (types.isSet(value)) {
      let i = 0;
      for (const v of value as Set<unknown>) walk(v, `${at}{${i++}}`);
    } else if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, `${at}[${i}]`);
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (!dropped.has(k) && !CLOCK.test(k)) walk(v, `${at}.${k}`);
      }
    } else {
      lines.push(`${at}=${typeof value === 'string' ? JSON.stringify(rename(value)) : String(value)}`);
    }
  };
  walk(outcome, 'outcome');
  walk(emulator.saveState().fields, '');
  return lines.join('\n');
}
