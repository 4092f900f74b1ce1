/**
 * What App Mesh fills in that the caller did not send, and that Describe therefore shows. ONE table; each entry
 * says why we believe the real service does it. Nothing is added here without such a reason: a default the real
 * service does not apply would hide a provider bug (e.g. a reconcile loop that never sees its own spec).
 */
import { isPlainObject, type JsonObject } from '../util';
import type { Kind } from './kinds';

export interface SpecDefault {
  readonly kind: Kind;
  /** Path inside `spec`. */
  readonly path: readonly string[];
  readonly value: unknown;
  readonly why: string;
}

export const APP_MESH_SPEC_DEFAULTS: readonly SpecDefault[] = [
  {
    kind: 'mesh',
    path: ['egressFilter'],
    value: { type: 'DROP_ALL' },
    why:
      'The App Mesh API reference for EgressFilter states "The default is DROP_ALL"; a mesh created without a spec ' +
      '(e.g. `aws appmesh create-mesh --mesh-name x`) describes with spec.egressFilter.type DROP_ALL.',
  },
];

/** Returns a copy of `spec` with the kind's defaults filled in where the caller left them out. */
export function applySpecDefaults(kind: Kind, spec: JsonObject): JsonObject {
  const result: JsonObject = structuredClone(spec);
  for (const entry of APP_MESH_SPEC_DEFAULTS) {
    if (entry.kind !== kind) continue;
    let node: JsonObject = result;
    entry.path.forEach((key, i) => {
      if (i === entry.path.length - 1) {
        if (node[key] === undefined) node[key] = structuredClone(entry.value);
        return;
      }
      if (!isPlainObject(node[key])) node[key] = {};
      node = node[key] as JsonObject;
    });
  }
  return result;
}
