/**
 * Lambda entry of the Custom::MeshService provider (the Provider framework's onEvent handler).
 * Nothing at module scope can throw: clients are created on the first invocation, inside the handler, so that even
 * a broken environment fails a request with a reason instead of failing the module load (which the framework cannot
 * report to CloudFormation).
 */
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { createAppMeshBackend } from './appmesh/backend';
import { type AwsClients, type ClientOverrides, createAwsClients } from './aws/clients';
import type { RetryBudget, RetryTuning } from './aws/retry';
import { type BackendFactory, type BackendPlugin, lazyBackend, type ServiceBackend } from './backend';
import { type Backend, registry } from './backends';
import { type HandlerDeps, type HandlerResult, handleEvent } from './handler';
import { createLogger, type Logger } from './log';
import { type ProviderPolicy, policyFromEnvironment } from './policy';
import { createServiceConnectBackend } from './serviceconnect/backend';
import { createStackApi, createStackVerifier } from './stack-verifier';
import { predictVpcLatticeAttributes } from './vpclattice/attributes';

export type { HandlerDeps, HandlerResult };
export { handleEvent };

export interface HandlerOptions {
  readonly log?: Logger;
  readonly tuning?: RetryTuning;
  /** The trust policy; by default read from the environment the provider stack sets (policy.ts). */
  readonly policy?: ProviderPolicy;
  /** Tests and benchmarks only: per-environment credentials and a shorter request timeout. */
  readonly clients?: ClientOverrides;
}

/** The VPC Lattice runtime module (`require`d: the bundle makes it a file of its own, scripts/bundle-lambda.mjs). */
type VpcLatticeRuntime = typeof import('./vpclattice/backend.js');

/**
 * The runtime of each backend the registry (lambda/backends.ts) lists: the registry itself stays free of SDK code,
 * for the CDK construct and the CLI. A backend added to the registry without its factory here fails to compile.
 */
const RUNTIMES: { readonly [B in Backend]: BackendFactory } = {
  AppMesh: createAppMeshBackend,
  ServiceConnect: createServiceConnectBackend,
  // Loaded on its first request: its SDK client and code stay out of the bundle the other backends load.
  VpcLattice: lazyBackend(
    async () => (require('./vpclattice/backend') as VpcLatticeRuntime).createVpcLatticeBackend,
    predictVpcLatticeAttributes,
  ),
};

/** Each backend's runtime on these clients, created on its first use (the handler's and the reclaimer's). */
export function backendRuntimes(clients: AwsClients): (plugin: BackendPlugin) => ServiceBackend {
  const runtimes = new Map<string, ServiceBackend>();
  return (plugin) => {
    let found = runtimes.get(plugin.name);
    if (!found) {
      found = RUNTIMES[plugin.name as Backend](clients);
      runtimes.set(plugin.name, found);
    }
    return found;
  };
}

/** One execution environment's dependencies: the clients read the same retry budget the handler moves. */
function createDeps(options: HandlerOptions = {}): HandlerDeps {
  const budget: RetryBudget = { deadline: Date.now() + 60_000 };
  const clients = createAwsClients(budget, options.tuning, options.clients);
  return {
    registry,
    runtime: backendRuntimes(clients),
    budget,
    log: options.log ?? createLogger({ service: 'mesh-service-provider' }),
    policy: () => options.policy ?? policyFromEnvironment(process.env),
    verifier: createStackVerifier(createStackApi(clients.cloudFormation)),
  };
}

let deps: HandlerDeps | undefined;

export async function handler(
  event: CloudFormationCustomResourceEvent,
  context: Context,
): Promise<HandlerResult> {
  deps ??= createDeps();
  return handleEvent(event, context, deps);
}

/** A handler with its own clients and retry budget, as a separate Lambda execution environment would have. */
export function createHandler(options: HandlerOptions = {}) {
  const own = createDeps(options);
  return (event: CloudFormationCustomResourceEvent, context: Context) => handleEvent(event, context, own);
}
