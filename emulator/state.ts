/**
 * Saving the emulated services' state and putting it back, for tests that start many runs from one prepared world:
 * the fault matrices prepare a service once and run each cell from a copy of that state, instead of creating it again
 * through the handler for every cell (test/support/matrix.ts).
 *
 * A service's state is its fields that hold data: Maps, Sets, arrays and numbers (counters). Everything a service
 * stores in them is plain data (records, Maps and Sets of strings), which `structuredClone` copies faithfully, and
 * one clone of all the services keeps the objects two fields share shared (ECS's `deleting` holds families of its
 * `families`). Restoring refills the same Map, Set and array objects in place, so nothing that holds them sees a
 * different object. Fields holding functions or other objects (the services' wiring) are neither saved nor touched.
 */
import { types } from 'node:util';

/** The saved state of some services: opaque, restored by `restoreState` as many times as wanted. */
export interface SavedState {
  readonly fields: Record<string, Record<string, unknown>>;
}

// util.types, not instanceof: structuredClone makes its Maps and Sets in the main realm, which under Jest is not the
// realm of the module (its `Map` is another constructor).
const { isMap, isSet } = types;
const isState = (value: unknown): boolean =>
  isMap(value) || isSet(value) || Array.isArray(value) || typeof value === 'number';

export function saveState(services: Readonly<Record<string, object>>): SavedState {
  const fields: Record<string, Record<string, unknown>> = {};
  for (const [name, service] of Object.entries(services)) {
    fields[name] = Object.fromEntries(Object.entries(service).filter(([, value]) => isState(value)));
  }
  return { fields: structuredClone(fields) };
}

export function restoreState(services: Readonly<Record<string, object>>, saved: SavedState): void {
  // A copy each time: the saved state stays as it was, whatever the runs from it change.
  const copy = structuredClone(saved.fields);
  for (const [name, service] of Object.entries(services)) {
    const target = service as Record<string, unknown>;
    const fields = copy[name];
    if (!fields) throw new Error(`emulator bug: no saved state for ${name}`);
    for (const [key, value] of Object.entries(fields)) {
      const current = target[key] as unknown;
      if (isMap(current) && isMap(value)) {
        current.clear();
        for (const [k, v] of value) current.set(k, v);
      } else if (isSet(current) && isSet(value)) {
        current.clear();
        for (const v of value) current.add(v);
      } else if (Array.isArray(current) && Array.isArray(value)) {
        current.length = 0;
        current.push(...value);
      } else {
        target[key] = value;
      }
    }
  }
}
