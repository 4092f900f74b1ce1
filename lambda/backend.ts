/**
 * The boundary between the CloudFormation flow (handler.ts) and the service that realises a `Custom::MeshService`:
 * App Mesh (appmesh/) or ECS Service Connect, App Mesh's successor (serviceconnect/), chosen per resource by its
 * `Backend` property (and, for a Delete, by the form of its physical id).
 */
import type { Logger } from './log';
import type { ServiceModel } from './model';
import type { Owner } from './ownership';
import type { ProviderPolicy, StackIdentity } from './policy';

export interface RequestContext {
  readonly owner: Owner;
  /** The stack of the request, already checked against the policy's invokers. */
  readonly stack: StackIdentity;
  readonly policy: ProviderPolicy;
  /**
   * Resolves when the request is proven to come from its stack's operation (or when that cannot be checked);
   * rejects otherwise. Backends call it in their read phase, alongside their own reads, before any change.
   * Memoized: calling it again costs nothing.
   */
  readonly authorize: () => Promise<void>;
  readonly requestId: string;
  /** Unique per invocation (the Lambda request id): a re-delivered CloudFormation request is a new invocation. */
  readonly invocationId: string;
  readonly region: string;
  readonly partition: string;
  /** The account the provider runs in (and calls AWS in). */
  readonly accountId: string;
  readonly log: Logger;
  /** Gives the rest of the invocation's time to what follows (cleanup after a failure, or a Delete). */
  readonly beginCleanup: () => void;
}

export interface ApplyRequest {
  readonly desired: ServiceModel;
  /** The properties before this update (in-place updates only). */
  readonly previous?: ServiceModel;
  /**
   * A Create, or the new side of a replacement: CloudFormation will never send a Delete for this physical id if
   * the request fails, so a failure must remove what this request created before it is reported.
   */
  readonly fresh: boolean;
  /** For a replacement: the service being replaced, which stays in place until CloudFormation deletes it. */
  readonly replaces?: ServiceModel;
  /**
   * The properties of an earlier attempt of this resource that CloudFormation never recorded — an Update rolling back
   * a replacement that failed or was killed names them as its OldResourceProperties. What remains of them is a
   * leftover (ownership.ts): removed, or adopted where this request wants the same name.
   */
  readonly earlierAttempt?: ServiceModel;
}

export interface RemoveRequest {
  readonly physicalId: string;
  /** The mesh of an App Mesh service; empty for a Service Connect one (its physical id names its namespace). */
  readonly meshName: string;
  readonly meshOwner?: string;
  /**
   * The service's properties when they name its resources; without them its mesh is searched by ownership tags.
   * For a Service Connect service, the Delete's properties whatever identity they name (they give the task-definition
   * families; only revisions this physical id owns are touched).
   */
  readonly model?: ServiceModel;
}

/** `Fn::GetAtt` attributes: names to string values. */
export type Attributes = Record<string, string>;

export interface ServiceBackend {
  apply(request: ApplyRequest, ctx: RequestContext): Promise<Attributes>;
  remove(request: RemoveRequest, ctx: RequestContext): Promise<void>;
  /**
   * The attributes a successful apply would return, with values at their longest (revision numbers unknown
   * before registering), so the handler can refuse, before any call, a service whose response could not fit
   * CloudFormation's 4096-byte limit.
   */
  predictAttributes(model: ServiceModel, ctx: RequestContext): Attributes;
}
