/**
 * Lambda entry of the Custom::MeshService provider (the Provider framework's onEvent handler) with every backend's
 * runtime: what the tests, the benchmarks and the reclaimer (lambda/reclaim.ts) load. The bundle ships the same
 * handler as one file per backend behind a router (lambda/router.ts, lambda/paths/), so that a request loads only
 * its backend's code and SDK client.
 */
import { createAppMeshBackend } from './appmesh/backend';
import type { AwsClients } from './aws/clients';
import type { BackendFactory, BackendPlugin, ServiceBackend } from './backend';
import type { Backend } from './backends';
import {
  createDeps,
  type Handler,
  type HandlerOptions,
  handlerWith,
  backendRuntimes as runtimesOf,
} from './entry';
import { type HandlerDeps, type HandlerResult, handleEvent } from './handler';
import { createServiceConnectBackend } from './serviceconnect/backend';
import { createVpcLatticeBackend } from './vpclattice/backend';

export type { HandlerDeps, HandlerOptions, HandlerResult };
export { handleEvent };

/**
 * The runtime of each backend the registry (lambda/backends.ts) lists: the registry itself stays free of SDK code,
 * for the CDK construct and the CLI. A backend added to the registry without its factory here fails to compile.
 */
const RUNTIMES: { readonly [B in Backend]: BackendFactory } = {
  AppMesh: createAppMeshBackend,
  ServiceConnect: createServiceConnectBackend,
  VpcLattice: createVpcLatticeBackend,
};

/** Each backend's runtime on these clients, created on its first use (the reclaimer's). */
export function backendRuntimes(clients: AwsClients): (plugin: BackendPlugin) => ServiceBackend {
  return runtimesOf(clients, RUNTIMES);
}

export const handler = handlerWith(RUNTIMES);

/** A handler with its own clients and retry budget, as a separate Lambda execution environment would have. */
export function createHandler(options: HandlerOptions = {}): Handler {
  const own = createDeps(RUNTIMES, options);
  return (event, context) => handleEvent(event, context, own);
}
