/**
 * Lambda entry of the Custom::MeshService provider (the Provider framework's onEvent handler).
 * Nothing at module scope can throw: clients are created on the first invocation, inside the handler, so that even
 * a broken environment fails a request with a reason instead of failing the module load (which the framework cannot
 * report to CloudFormation).
 */
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { createAppMeshBackend } from './appmesh/backend';
import { createAwsClients } from './aws/clients';
import type { RetryBudget } from './aws/retry';
import { type HandlerDeps, type HandlerResult, handleEvent } from './handler';
import { createLogger } from './log';

export type { HandlerDeps, HandlerResult };
export { handleEvent };

let deps: HandlerDeps | undefined;

function defaultDeps(): HandlerDeps {
  const budget: RetryBudget = { deadline: Date.now() + 60_000 };
  const clients = createAwsClients(budget);
  return {
    backend: createAppMeshBackend(clients),
    budget,
    log: createLogger({ service: 'mesh-service-provider' }),
  };
}

export async function handler(
  event: CloudFormationCustomResourceEvent,
  context: Context,
): Promise<HandlerResult> {
  deps ??= defaultDeps();
  return handleEvent(event, context, deps);
}

/** A handler with its own clients and retry budget, as a separate Lambda execution environment would have. */
export function createHandler(overrides: Partial<HandlerDeps> = {}) {
  const own = { ...defaultDeps(), ...overrides };
  return (event: CloudFormationCustomResourceEvent, context: Context) => handleEvent(event, context, own);
}
