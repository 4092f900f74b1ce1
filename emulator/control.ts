/**
 * The control surface for standalone use (`npm run emulator`), over plain HTTP on the same port, no signature:
 *   GET    /_emulator/health
 *   GET    /_emulator/snapshot
 *   POST   /_emulator/reset
 *   GET    /_emulator/requests        DELETE /_emulator/requests
 *   POST   /_emulator/faults          {"clear"?, "preset"?: ["ecs"], "latency"?: [{match, ms}],
 *                                     "throttle"?: [{group, burst, refillPerSecond, operations}],
 *                                     "failNth"?: [{operation, n, error?}]}
 *   POST   /_emulator/share-mesh      {"meshName", "meshOwner", "accountId"?}
 */
import type { Emulator, InjectedError, ServiceName } from './types';
import { isPlainObject } from './util';

export type ControlHandler = (
  method: string,
  path: string,
  body: string,
) => { status: number; body: unknown };

function asArray(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isPlainObject) : [];
}

export function createControl(emulator: () => Emulator): ControlHandler {
  return (method, path, body) => {
    const e = emulator();
    const route = `${method} ${path.replace(/\/+$/, '')}`;
    try {
      const payload: unknown = body.trim() === '' ? {} : JSON.parse(body);
      const input = isPlainObject(payload) ? payload : {};
      switch (route) {
        case 'GET /_emulator/health':
          return { status: 200, body: { ok: true, url: e.url, region: e.region, accountId: e.accountId } };
        case 'GET /_emulator/snapshot':
          return { status: 200, body: e.snapshot() };
        case 'POST /_emulator/reset':
          e.reset();
          return { status: 200, body: {} };
        case 'GET /_emulator/requests':
          return { status: 200, body: { requests: e.requests } };
        case 'DELETE /_emulator/requests':
          e.clearRequests();
          return { status: 200, body: {} };
        case 'POST /_emulator/faults': {
          if (input.clear === true) e.faults.clear();
          for (const preset of Array.isArray(input.preset) ? input.preset : []) {
            e.faults.throttlePreset(preset as ServiceName);
          }
          for (const l of asArray(input.latency)) e.faults.latency(String(l.match), Number(l.ms));
          for (const t of asArray(input.throttle)) {
            e.faults.throttle(String(t.group), {
              burst: Number(t.burst),
              refillPerSecond: Number(t.refillPerSecond),
              operations: Array.isArray(t.operations) ? t.operations.map(String) : [],
            });
          }
          for (const f of asArray(input.failNth)) {
            e.faults.failNth(
              String(f.operation),
              Number(f.n),
              isPlainObject(f.error) ? (f.error as unknown as InjectedError) : undefined,
            );
          }
          return { status: 200, body: {} };
        }
        case 'POST /_emulator/share-mesh':
          e.shareMesh(
            String(input.meshName),
            String(input.meshOwner),
            typeof input.accountId === 'string' ? input.accountId : undefined,
          );
          return { status: 200, body: {} };
        default:
          return { status: 404, body: { message: `No emulator control endpoint ${route}` } };
      }
    } catch (error) {
      return { status: 400, body: { message: error instanceof Error ? error.message : String(error) } };
    }
  };
}
