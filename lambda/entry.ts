/**
 * A Lambda handler on the runtimes of some backends: lambda/index.ts wires every backend's (the source entry, and the
 * reclaimer's), each request path's file of the bundle only its own (lambda/paths/, behind lambda/router.ts).
 * Nothing at module scope can throw: clients are created on the first invocation, inside the handler, so that even
 * a broken environment fails a request with a reason instead of failing the module load (which the framework cannot
 * report to CloudFormation).
 */
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { type AwsClients, type ClientOverrides, createAwsClients } from './aws/clients';
import type { RetryBudget, RetryTuning } from './aws/retry';
import type { BackendFactory, BackendPlugin, ServiceBackend } from './backend';
import { type Backend, registry } from './backends';
import { type HandlerDeps, type HandlerResult, handleEvent } from './handler';
import { createLogger, type Logger } from './log';
import { type ProviderPolicy, policyFromEnvironment } from './policy';
import { createStackApi, createStackVerifier } from './stack-verifier';

export interface HandlerOptions {
  readonly log?: Logger;
  readonly tuning?: RetryTuning;
  /** The trust policy; by default read from the environment the provider stack sets (policy.ts). */
  readonly policy?: ProviderPolicy;
  /** Tests and benchmarks only: per-environment credentials and a shorter request timeout. */
  readonly clients?: ClientOverrides;
}

/** The runtime factory of each backend an entry serves (the registry, lambda/backends.ts, lists them all). */
export type BackendRuntimes = { readonly [B in Backend]?: BackendFactory };

/** Each backend's runtime on these clients, created on its first use (the handler's and the reclaimer's). */
export function backendRuntimes(
  clients: AwsClients,
  factories: BackendRuntimes,
): (plugin: BackendPlugin) => ServiceBackend {
  const runtimes = new Map<string, ServiceBackend>();
  return (plugin) => {
    let found = runtimes.get(plugin.name);
    if (!found) {
      const factory = factories[plugin.name as Backend];
      // The router (lambda/router.ts) sends each request to the file of the backend that serves it.
      if (!factory)
        throw new Error(
          `the runtime of Backend ${plugin.name} is not in this file of the bundle (it serves ${Object.keys(factories).join(', ')})`,
        );
      found = factory(clients);
      runtimes.set(plugin.name, found);
    }
    return found;
  };
}

/** One execution environment's dependencies: the clients read the same retry budget the handler moves. */
export function createDeps(factories: BackendRuntimes, options: HandlerOptions): HandlerDeps {
  const budget: RetryBudget = { deadline: Date.now() + 60_000 };
  const clients = createAwsClients(budget, options.tuning, options.clients);
  return {
    registry,
    runtime: backendRuntimes(clients, factories),
    budget,
    log: options.log ?? createLogger({ service: 'mesh-service-provider' }),
    policy: () => options.policy ?? policyFromEnvironment(process.env),
    verifier: createStackVerifier(createStackApi(clients.cloudFormation)),
  };
}

export type Handler = (event: CloudFormationCustomResourceEvent, context: Context) => Promise<HandlerResult>;

/**
 * The Lambda handler of an entry: its clients and retry budget are created on its first invocation (nothing at module
 * scope can throw), and serve every invocation of the execution environment after it.
 */
export function handlerWith(factories: BackendRuntimes): Handler {
  let deps: HandlerDeps | undefined;
  return (event, context) => {
    deps ??= createDeps(factories, {});
    return handleEvent(event, context, deps);
  };
}
