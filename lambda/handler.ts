/**
 * The CloudFormation flow: which request, which physical id, which properties — then the backend does the work.
 * Every path ends in a returned result or a thrown error with a one-line reason; the Provider framework turns
 * either into exactly one response to CloudFormation.
 */
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import type { RetryBudget } from './aws/retry';
import type { Attributes, RequestContext, ServiceBackend } from './backend';
import { RESOURCE_TYPE } from './contract/properties';
import { MeshServiceError, UnsupportedRequestError } from './errors';
import type { Logger } from './log';
import { parseProperties, type ServiceModel } from './model';
import { assertResponseFits, reasonOf } from './response';

export interface HandlerResult {
  readonly PhysicalResourceId: string;
  readonly Data?: Attributes;
}

export interface HandlerDeps {
  readonly backend: ServiceBackend;
  /** The retry budget the backend's SDK clients read; the handler moves its deadline. */
  readonly budget: RetryBudget;
  readonly log: Logger;
  readonly now?: () => number;
}

/** Time kept back from the Lambda timeout for removing a failed Create's resources and answering. */
const CLEANUP_RESERVE_MS = 90_000;
const ANSWER_RESERVE_MS = 5_000;

function accountOf(context: Context): { accountId: string; partition: string } {
  const [, partition, , , accountId] = (context.invokedFunctionArn ?? '').split(':');
  return { accountId: accountId ?? '', partition: partition || 'aws' };
}

export async function handleEvent(
  event: CloudFormationCustomResourceEvent,
  context: Context,
  deps: HandlerDeps,
): Promise<HandlerResult> {
  const now = deps.now ?? Date.now;
  const log = deps.log.child({
    requestType: event.RequestType,
    requestId: event.RequestId,
    logicalResourceId: event.LogicalResourceId,
    stackId: event.StackId,
    ...('PhysicalResourceId' in event ? { physicalResourceId: event.PhysicalResourceId } : {}),
  });
  const remaining =
    typeof context.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : 600_000;
  const end = now() + remaining;
  deps.budget.deadline = end - Math.min(CLEANUP_RESERVE_MS, remaining / 4);
  log.info('request received', { resourceType: event.ResourceType, remainingMs: remaining });
  const started = now();
  try {
    const result = await dispatch(event, context, deps, log, () => {
      deps.budget.deadline = end - ANSWER_RESERVE_MS;
    });
    log.info('request succeeded', { durationMs: now() - started, result });
    return result;
  } catch (error) {
    const reason = reasonOf(error);
    log.error('request failed', {
      durationMs: now() - started,
      reason,
      errorName: (error as Error)?.name,
      ...(error instanceof MeshServiceError ? {} : { stack: (error as Error)?.stack }),
    });
    throw new Error(reason);
  }
}

async function dispatch(
  event: CloudFormationCustomResourceEvent,
  context: Context,
  deps: HandlerDeps,
  log: Logger,
  enterCleanupBudget: () => void,
): Promise<HandlerResult> {
  if (event.ResourceType !== RESOURCE_TYPE) {
    throw new UnsupportedRequestError(
      `resource type "${event.ResourceType}" is not served by this provider; it serves ${RESOURCE_TYPE} only`,
    );
  }
  const region = process.env.AWS_REGION ?? '';
  const { accountId, partition } = accountOf(context);
  const ctxFor = (physicalId: string): RequestContext => ({
    owner: { physicalId, stackId: event.StackId, logicalResourceId: event.LogicalResourceId },
    requestId: event.RequestId,
    region,
    partition,
    accountId,
    log: log.child({ physicalId }),
    beginCleanup: enterCleanupBudget,
  });

  const apply = async (desired: ServiceModel, previous: ServiceModel | undefined, fresh: boolean) => {
    const ctx = ctxFor(desired.physicalId);
    // Validation ends here, before any AWS call: the response must be able to carry the attributes.
    assertResponseFits(event, desired.physicalId, deps.backend.predictAttributes(desired, ctx));
    const data = await deps.backend.apply({ desired, ...(previous ? { previous } : {}), fresh }, ctx);
    return { PhysicalResourceId: desired.physicalId, Data: data };
  };

  switch (event.RequestType) {
    case 'Create':
      return apply(parseProperties(event.ResourceProperties), undefined, true);

    case 'Update': {
      const desired = parseProperties(event.ResourceProperties);
      const previous = tryParse(event.OldResourceProperties, log);
      if (desired.physicalId !== event.PhysicalResourceId) {
        // A replacement: build the new service beside the old one; CloudFormation deletes the old physical id in
        // its cleanup phase (or the new one if the stack rolls back), so nothing of the old one is touched here.
        log.info('identity changed: replacement', { newPhysicalId: desired.physicalId });
        return apply(desired, undefined, true);
      }
      return apply(desired, previous?.physicalId === desired.physicalId ? previous : undefined, false);
    }

    case 'Delete': {
      const id = event.PhysicalResourceId;
      const model = tryParse(event.ResourceProperties, log);
      if (!model) {
        if (/^mesh\/.+\/service\/.+$/.test(id)) {
          throw new MeshServiceError(
            `cannot delete ${id}: its properties no longer parse, so the resources it owns cannot be named; fix the properties in an update first, or delete the stack retaining this resource`,
          );
        }
        log.info('not a physical id this provider issued; nothing to delete');
        return { PhysicalResourceId: id };
      }
      if (model.physicalId !== id) {
        // For example the Provider framework's marker id after a failed Create, which created nothing.
        log.info('not a physical id this provider issued for these properties; nothing to delete');
        return { PhysicalResourceId: id };
      }
      const ctx = ctxFor(id);
      ctx.beginCleanup();
      await deps.backend.remove(model, ctx);
      return { PhysicalResourceId: id };
    }

    default:
      throw new UnsupportedRequestError(
        `request type "${(event as { RequestType?: string }).RequestType}" is not one of Create, Update, Delete`,
      );
  }
}

function tryParse(properties: unknown, log: Logger): ServiceModel | undefined {
  try {
    return parseProperties(properties);
  } catch (error) {
    log.warn('properties do not parse', { reason: reasonOf(error) });
    return undefined;
  }
}
