/**
 * The CloudFormation flow: which request, which physical id, which properties — then the backend does the work
 * (`onCreate`, `onUpdate`, `onDelete`; the backend of a Delete is the one that owns its physical id).
 * Every path ends in a returned result or a thrown error with a one-line reason; the Provider framework turns
 * either into exactly one response to CloudFormation.
 */
import { randomUUID } from 'node:crypto';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import type { RetryBudget } from './aws/retry';
import type {
  ApplyRequest,
  Attributes,
  BackendPlugin,
  BackendRegistry,
  RequestContext,
  RequestWindow,
  ServiceBackend,
} from './backend';
import { RESOURCE_TYPE } from './contract/properties';
import { MeshServiceError, UnsupportedRequestError } from './errors';
import type { Logger } from './log';
import type { CoreModel } from './model';

export type { RequestWindow };

import { checkInvoker, type ProviderPolicy, type StackIdentity } from './policy';
import { assertResponseFits, reasonOf } from './response';

export interface HandlerResult {
  readonly PhysicalResourceId: string;
  readonly Data?: Attributes;
}

/** Proves that a request comes from the stack operation it names (see stack-verifier.ts). */
export interface StackVerifier {
  /** Resolves with the window of CloudFormation's operation on the resource; rejects a request it cannot prove. */
  verify(request: VerifiedRequest): Promise<RequestWindow>;
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
  /** The backends (lambda/backends.ts): the handler knows them only through the registry. */
  readonly registry: BackendRegistry;
  /** The runtime of a backend, created on first use. */
  readonly runtime: (backend: BackendPlugin) => ServiceBackend;
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

/** Everything one request's steps share. */
interface Request {
  readonly event: CloudFormationCustomResourceEvent;
  readonly deps: HandlerDeps;
  readonly log: Logger;
  readonly accountId: string;
  readonly ctxFor: (physicalId: string) => RequestContext;
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
  let verification: Promise<RequestWindow | undefined> | undefined;
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
    requestType: event.RequestType,
    requestId: event.RequestId,
    invocationId,
    region,
    partition,
    accountId,
    log: log.child({ physicalId }),
    beginCleanup: enterCleanupBudget,
  });
  const request: Request = { event, deps, log, accountId, ctxFor };
  switch (event.RequestType) {
    case 'Create':
      return onCreate(request, event.ResourceProperties);
    case 'Update':
      return onUpdate(
        request,
        event.PhysicalResourceId,
        event.ResourceProperties,
        event.OldResourceProperties,
      );
    case 'Delete':
      return onDelete(request, event.PhysicalResourceId, event.ResourceProperties);
    default:
      throw new UnsupportedRequestError(
        `request type "${(event as { RequestType?: string }).RequestType}" is not one of Create, Update, Delete`,
      );
  }
}

const parse = (r: Request, properties: unknown) => r.deps.registry.parse(properties, r.accountId);

/** Properties that may not parse (old or Delete properties): undefined then, with the reason logged. */
function tryParse(r: Request, properties: unknown): CoreModel | undefined {
  try {
    return parse(r, properties);
  } catch (error) {
    r.log.warn('properties do not parse', { reason: reasonOf(error) });
    return undefined;
  }
}

/** The backend of a model the registry built. */
function pluginOf(r: Request, model: CoreModel): BackendPlugin {
  const plugin = r.deps.registry.named(model.backend);
  if (!plugin)
    throw new UnsupportedRequestError(`Backend: ${model.backend} is not served by this provider build`);
  return plugin;
}

/** A model of another backend than the one serving the request tells that backend nothing. */
const sameBackend = (model: CoreModel | undefined, plugin: BackendPlugin) =>
  model?.backend === plugin.name ? model : undefined;

async function apply(
  r: Request,
  desired: CoreModel,
  fresh: boolean,
  related: { readonly previous?: CoreModel; readonly earlierAttempt?: CoreModel } = {},
): Promise<HandlerResult> {
  const ctx = r.ctxFor(desired.physicalId);
  const plugin = pluginOf(r, desired);
  const backend = r.deps.runtime(plugin);
  // Validation ends here, before any AWS call: the response must be able to carry the attributes.
  assertResponseFits(r.event, desired.physicalId, backend.predictAttributes(desired, ctx));
  const previous = sameBackend(related.previous, plugin);
  const earlierAttempt = sameBackend(related.earlierAttempt, plugin);
  const request: ApplyRequest = fresh
    ? { desired, fresh, ...(previous ? { replaces: previous } : {}) }
    : {
        desired,
        fresh,
        ...(previous ? { previous } : {}),
        ...(earlierAttempt ? { earlierAttempt } : {}),
      };
  const data = await backend.apply(request, ctx);
  return { PhysicalResourceId: desired.physicalId, Data: data };
}

function onCreate(r: Request, properties: unknown): Promise<HandlerResult> {
  return apply(r, parse(r, properties), true);
}

function onUpdate(
  r: Request,
  physicalId: string,
  properties: unknown,
  oldProperties: unknown,
): Promise<HandlerResult> {
  const desired = parse(r, properties);
  const previous = tryParse(r, oldProperties);
  refuseBackendChange(r, physicalId, desired);
  if (desired.physicalId !== physicalId) {
    // A replacement: build the new service beside the old one; CloudFormation deletes the old physical id in its
    // cleanup phase (or the new one if the stack rolls back), so nothing of the old one is touched here.
    r.log.info('identity changed: replacement', { newPhysicalId: desired.physicalId });
    return apply(r, desired, true, previous ? { previous } : {});
  }
  // Old properties of another identity, in an Update that keeps the physical id: CloudFormation rolls back a
  // replacement it never recorded (the handler failed or was killed), so what remains of it is a leftover.
  return previous?.physicalId === desired.physicalId
    ? apply(r, desired, false, { previous })
    : apply(r, desired, false, previous ? { earlierAttempt: previous } : {});
}

async function onDelete(r: Request, physicalId: string, properties: unknown): Promise<HandlerResult> {
  const plugin = r.deps.registry.owning(physicalId);
  if (!plugin) {
    // For example the Provider framework's marker after a failed Create, which created nothing.
    r.log.info('not a physical id this provider issued; nothing to delete');
    return { PhysicalResourceId: physicalId };
  }
  const backend = r.deps.runtime(plugin);
  const model = sameBackend(tryParse(r, properties), plugin);
  const ctx = r.ctxFor(physicalId);
  ctx.beginCleanup();
  await backend.remove({ physicalId, ...(model ? { model } : {}) }, ctx);
  return { PhysicalResourceId: physicalId };
}

/**
 * Backend is a replacement that is never carried out: one ECS service cannot be in a mesh and a Service Connect
 * namespace at once, so the old and the new resource could not serve the same ECS service side by side. The form of
 * the physical id tells which backend holds the resource, even when the old properties do not parse.
 */
function refuseBackendChange(r: Request, physicalId: string, desired: CoreModel): void {
  const live = r.deps.registry.owning(physicalId)?.name ?? r.deps.registry.defaultBackend;
  const wanted = desired.backend;
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
): Promise<RequestWindow | undefined> {
  if (!policy.verifyStacks || !verifier || stack.account !== accountId) return undefined;
  return verifier.verify({
    requestType: event.RequestType,
    stack,
    logicalResourceId: event.LogicalResourceId,
    resourceType: event.ResourceType,
    ...('PhysicalResourceId' in event ? { physicalResourceId: event.PhysicalResourceId } : {}),
  });
}
