/**
 * The CloudFormation flow: which request, which physical id, which properties — then the backend does the work.
 * Every path ends in a returned result or a thrown error with a one-line reason; the Provider framework turns
 * either into exactly one response to CloudFormation.
 */
import { randomUUID } from 'node:crypto';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import type { RetryBudget } from './aws/retry';
import type { Attributes, RequestContext, ServiceBackend } from './backend';
import { RESOURCE_TYPE } from './contract/properties';
import { MeshServiceError, UnsupportedRequestError } from './errors';
import type { Logger } from './log';
import {
  type Backend,
  parsePhysicalId,
  parseProperties,
  parseServiceConnectId,
  type ServiceModel,
} from './model';
import { checkInvoker, type ProviderPolicy, type StackIdentity } from './policy';
import { assertResponseFits, reasonOf } from './response';

export interface HandlerResult {
  readonly PhysicalResourceId: string;
  readonly Data?: Attributes;
}

/** Proves that a request comes from the stack operation it names (see stack-verifier.ts). */
export interface StackVerifier {
  verify(request: VerifiedRequest): Promise<void>;
}

export interface VerifiedRequest {
  readonly requestType: 'Create' | 'Update' | 'Delete';
  readonly stack: StackIdentity;
  readonly logicalResourceId: string;
  readonly resourceType: string;
  /** Update and Delete: the physical id the request acts on. */
  readonly physicalResourceId?: string;
}

export interface HandlerDeps {
  /** The App Mesh backend (`Backend: AppMesh`, the default). */
  readonly backend: ServiceBackend;
  /** The ECS Service Connect backend (`Backend: ServiceConnect`). */
  readonly serviceConnect?: ServiceBackend;
  /** The retry budget the backend's SDK clients read; the handler moves its deadline. */
  readonly budget: RetryBudget;
  readonly log: Logger;
  /** The trust policy; read per request, so that a misconfiguration fails the request with a reason. */
  readonly policy: () => ProviderPolicy;
  /** Checks requests of stacks in the provider's own account with CloudFormation (when the policy says so). */
  readonly verifier?: StackVerifier;
}

/** Time kept back from the end for removing a failed Create's resources and answering. */
const CLEANUP_RESERVE_MS = 90_000;
const ANSWER_RESERVE_MS = 5_000;
/** What may pass between CloudFormation starting its ServiceTimeout clock and this invocation starting. */
const SERVICE_TIMEOUT_SLACK_MS = 15_000;

function accountOf(context: Context): { accountId: string; partition: string } {
  const [, partition, , , accountId] = (context.invokedFunctionArn ?? '').split(':');
  return { accountId: accountId ?? '', partition: partition || 'aws' };
}

/**
 * How long this invocation may work: the Lambda's remaining time, and no longer than CloudFormation waits
 * (ServiceTimeout) — an answer after that is thrown away while the work goes on.
 */
function timeBudgetMs(event: CloudFormationCustomResourceEvent, context: Context): number {
  const lambda =
    typeof context.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : 600_000;
  const serviceTimeout = Number(
    (event.ResourceProperties as { ServiceTimeout?: unknown } | undefined)?.ServiceTimeout,
  );
  if (!Number.isFinite(serviceTimeout) || serviceTimeout <= 0) return lambda;
  return Math.max(10_000, Math.min(lambda, serviceTimeout * 1000 - SERVICE_TIMEOUT_SLACK_MS));
}

export async function handleEvent(
  event: CloudFormationCustomResourceEvent,
  context: Context,
  deps: HandlerDeps,
): Promise<HandlerResult> {
  const log = deps.log.child({
    requestType: event.RequestType,
    // CloudFormation's RequestId, and Lambda's own request id under Powertools' name (lambda/log.ts).
    requestId: event.RequestId,
    function_request_id: context.awsRequestId,
    logicalResourceId: event.LogicalResourceId,
    stackId: event.StackId,
    ...('PhysicalResourceId' in event ? { physicalResourceId: event.PhysicalResourceId } : {}),
  });
  const budget = timeBudgetMs(event, context);
  const started = Date.now();
  const end = started + budget;
  deps.budget.deadline = end - Math.min(CLEANUP_RESERVE_MS, budget / 4);
  log.info('request received', { resourceType: event.ResourceType, budgetMs: budget });
  try {
    const result = await dispatch(event, context, log, deps, () => {
      deps.budget.deadline = end - ANSWER_RESERVE_MS;
    });
    log.info('request succeeded', { durationMs: Date.now() - started, result });
    return result;
  } catch (error) {
    const reason = reasonOf(error);
    log.error('request failed', {
      durationMs: Date.now() - started,
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
  log: Logger,
  deps: HandlerDeps,
  enterCleanupBudget: () => void,
): Promise<HandlerResult> {
  if (event.ResourceType !== RESOURCE_TYPE) {
    throw new UnsupportedRequestError(
      `resource type "${event.ResourceType}" is not served by this provider; it serves ${RESOURCE_TYPE} only`,
    );
  }
  const region = process.env.AWS_REGION ?? '';
  if (!region) {
    throw new MeshServiceError(
      'AWS_REGION is missing from the environment: the provider cannot tell its Region',
    );
  }
  const { accountId, partition } = accountOf(context);
  const invocationId = context.awsRequestId || randomUUID();
  // Who may ask: before the properties are even read, a stack of an account the policy does not allow is refused.
  const policy = deps.policy();
  const stack = checkInvoker(event.StackId, { accountId, region, partition }, policy);
  let verification: Promise<void> | undefined;
  const authorize = () => {
    verification ??= verify(event, stack, accountId, policy, deps.verifier);
    return verification;
  };
  // Which physical ids CloudFormation may still hold for this logical resource: none in a Create, the current one in
  // an Update (the old side of a replacement). Anything else of this stack and logical id is an earlier attempt's
  // leftover. A Delete cannot know the live id (after a replacement it is not the one being deleted): no leftovers.
  const livePhysicalIds =
    event.RequestType === 'Create'
      ? []
      : event.RequestType === 'Update'
        ? [event.PhysicalResourceId]
        : undefined;
  const ctxFor = (physicalId: string): RequestContext => ({
    owner: {
      physicalId,
      stackId: event.StackId,
      logicalResourceId: event.LogicalResourceId,
      ...(livePhysicalIds ? { livePhysicalIds } : {}),
    },
    stack,
    policy,
    authorize,
    requestId: event.RequestId,
    invocationId,
    region,
    partition,
    accountId,
    log: log.child({ physicalId }),
    beginCleanup: enterCleanupBudget,
  });
  const backendFor = (backend: Backend): ServiceBackend => {
    if (backend === 'AppMesh') return deps.backend;
    if (!deps.serviceConnect)
      throw new UnsupportedRequestError('Backend: ServiceConnect is not served by this provider build');
    return deps.serviceConnect;
  };
  const parse = (properties: unknown) => parseProperties(properties, accountId);
  const tryParse = (properties: unknown): ServiceModel | undefined => {
    try {
      return parse(properties);
    } catch (error) {
      log.warn('properties do not parse', { reason: reasonOf(error) });
      return undefined;
    }
  };

  const apply = async (
    desired: ServiceModel,
    previous: ServiceModel | undefined,
    fresh: boolean,
    earlierAttempt?: ServiceModel,
  ) => {
    const ctx = ctxFor(desired.physicalId);
    const backend = backendFor(desired.backend);
    // Validation ends here, before any AWS call: the response must be able to carry the attributes.
    assertResponseFits(event, desired.physicalId, backend.predictAttributes(desired, ctx));
    const request = fresh
      ? { desired, fresh, ...(previous ? { replaces: previous } : {}) }
      : {
          desired,
          fresh,
          ...(previous ? { previous } : {}),
          ...(earlierAttempt ? { earlierAttempt } : {}),
        };
    const data = await backend.apply(request, ctx);
    return { PhysicalResourceId: desired.physicalId, Data: data };
  };

  switch (event.RequestType) {
    case 'Create':
      return apply(parse(event.ResourceProperties), undefined, true);

    case 'Update': {
      const desired = parse(event.ResourceProperties);
      const previous = tryParse(event.OldResourceProperties);
      refuseBackendChange(event.PhysicalResourceId, desired.backend);
      if (desired.physicalId !== event.PhysicalResourceId) {
        // A replacement: build the new service beside the old one; CloudFormation deletes the old physical id in
        // its cleanup phase (or the new one if the stack rolls back), so nothing of the old one is touched here.
        log.info('identity changed: replacement', { newPhysicalId: desired.physicalId });
        return apply(desired, previous, true);
      }
      // Old properties of another identity, in an Update that keeps the physical id: CloudFormation rolls back a
      // replacement it never recorded (the handler failed or was killed), so what remains of it is a leftover.
      return previous?.physicalId === desired.physicalId
        ? apply(desired, previous, false)
        : apply(desired, undefined, false, previous);
    }

    case 'Delete': {
      const id = event.PhysicalResourceId;
      if (parseServiceConnectId(id)) {
        const model = tryParse(event.ResourceProperties);
        const ctx = ctxFor(id);
        ctx.beginCleanup();
        // The properties give the task-definition families, whatever identity they name.
        await backendFor('ServiceConnect').remove(
          { physicalId: id, meshName: '', ...(model?.backend === 'ServiceConnect' ? { model } : {}) },
          ctx,
        );
        return { PhysicalResourceId: id };
      }
      const identity = parsePhysicalId(id);
      if (!identity) {
        // For example the Provider framework's marker after a failed Create, which created nothing.
        log.info('not a physical id this provider issued; nothing to delete');
        return { PhysicalResourceId: id };
      }
      const model = tryParse(event.ResourceProperties);
      const ctx = ctxFor(id);
      ctx.beginCleanup();
      // Properties of another identity (or none that parse) cannot name this service's resources: its mesh is then
      // searched for what this physical id owns.
      await deps.backend.remove(
        { physicalId: id, ...identity, ...(model?.physicalId === id ? { model } : {}) },
        ctx,
      );
      return { PhysicalResourceId: id };
    }

    default:
      throw new UnsupportedRequestError(
        `request type "${(event as { RequestType?: string }).RequestType}" is not one of Create, Update, Delete`,
      );
  }
}

/**
 * Backend is a replacement that is never carried out: one ECS service cannot be in a mesh and a Service Connect
 * namespace at once, so the old and the new resource could not serve the same ECS service side by side. The form of
 * the physical id tells which backend holds the resource, even when the old properties do not parse.
 */
function refuseBackendChange(physicalId: string, wanted: Backend): void {
  const live: Backend = parseServiceConnectId(physicalId) ? 'ServiceConnect' : 'AppMesh';
  if (live === wanted) return;
  throw new MeshServiceError(
    `Backend: changing ${live} to ${wanted} on an existing resource is refused: it would replace the resource, and one ECS service cannot be in a mesh and a Service Connect namespace at once. Migrate blue/green instead: add a new Custom::MeshService with Backend ${wanted} (a new logical id) and a new AWS::ECS::Service wired to its attributes, shift traffic at the edge (load balancer weights or DNS), then remove the old resource and its ECS service (docs/migration.md; mesh-service migrate writes the new template)`,
  );
}

/**
 * A request of a stack in the provider's own account is checked with CloudFormation: anyone allowed to invoke the
 * ServiceToken could otherwise send a Delete naming another team's stack. Stacks of other accounts cannot be read
 * from here; the trust model (docs/security.md) says what that means.
 */
async function verify(
  event: CloudFormationCustomResourceEvent,
  stack: StackIdentity,
  accountId: string,
  policy: ProviderPolicy,
  verifier: StackVerifier | undefined,
): Promise<void> {
  if (!policy.verifyStacks || !verifier || stack.account !== accountId) return;
  await verifier.verify({
    requestType: event.RequestType,
    stack,
    logicalResourceId: event.LogicalResourceId,
    resourceType: event.ResourceType,
    ...('PhysicalResourceId' in event ? { physicalResourceId: event.PhysicalResourceId } : {}),
  });
}
