/**
 * The Lambda entry of the bundle (dist/lambda/index.js): hands each request to the file of the backend that serves
 * it — dist/lambda/app-mesh.js, service-connect.js or vpc-lattice.js (lambda/paths/), each the whole handler with
 * that backend's runtime and SDK client — required on the backend's first request. A request so loads one backend's
 * code and one copy of the SDK core, never another backend's.
 *
 * The backend that serves a request is the one the handler would ask a runtime of (lambda/handler.ts): a Create's or
 * an Update's `Backend` (the default when absent; a value the contract refuses fails in any file alike), a Delete's
 * physical id's. An Update whose physical id another backend issued is refused before any runtime is asked for, so
 * its file does not matter; neither does it for a request refused before that. test/handler/router.test.ts holds the
 * router to the handler's choice.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { parsePhysicalId } from './appmesh/identity';
import type { Backend } from './backends';
import type { Handler } from './entry';
import { parseServiceConnectId } from './serviceconnect/identity';
import { parseVpcLatticeId } from './vpclattice/identity';

/** Each backend's file beside this one, and which physical ids it issued (its plugin's `owns`). */
export const BACKEND_FILES: {
  readonly [B in Backend]: { readonly file: string; readonly owns: (physicalId: string) => boolean };
} = {
  AppMesh: { file: 'app-mesh.js', owns: (id) => parsePhysicalId(id) !== undefined },
  ServiceConnect: { file: 'service-connect.js', owns: (id) => parseServiceConnectId(id) !== undefined },
  VpcLattice: { file: 'vpc-lattice.js', owns: (id) => parseVpcLatticeId(id) !== undefined },
};

/** The default `Backend` (the registry's first, lambda/backends.ts). */
export const DEFAULT_BACKEND: Backend = 'AppMesh';

const BACKENDS = Object.keys(BACKEND_FILES) as Backend[];

/** The backend whose file serves a request. */
export function servingBackend(event: CloudFormationCustomResourceEvent): Backend {
  if (event.RequestType === 'Delete') {
    return BACKENDS.find((b) => BACKEND_FILES[b].owns(String(event.PhysicalResourceId))) ?? DEFAULT_BACKEND;
  }
  const named = (event.ResourceProperties as { Backend?: unknown } | undefined)?.Backend;
  return BACKENDS.find((b) => b === named) ?? DEFAULT_BACKEND;
}

/** A handler that loads each backend's handler on its first request. */
export function createRouter(load: (backend: Backend) => Handler): Handler {
  const loaded = new Map<Backend, Handler>();
  return (event, context) => {
    const backend = servingBackend(event);
    let handler = loaded.get(backend);
    if (!handler) {
      handler = load(backend);
      loaded.set(backend, handler);
    }
    return handler(event, context);
  };
}

/** Requires a file beside this one at run time (a path esbuild sees as a literal or a pattern it would bundle). */
const requireBeside = (file: string): unknown => require(require('node:path').join(__dirname, file));

export const handler = createRouter(
  (backend) => (requireBeside(BACKEND_FILES[backend].file) as { handler: Handler }).handler,
);
