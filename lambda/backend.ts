/**
 * The boundary between the CloudFormation flow (handler.ts) and a backend: what realises a `Custom::MeshService`
 * (App Mesh in appmesh/, ECS Service Connect in serviceconnect/). A backend is a plug-in: its folder holds its
 * contract section, its model, its identity and its runtime; lambda/backends.ts lists it (one line) and the Lambda
 * entry (lambda/index.ts) wires its runtime. The handler knows backends only through `BackendPlugin` and
 * `ServiceBackend`.
 */
import type { AwsClients } from './aws/clients';
import type { TaggedResource } from './aws/tagging';
import type { AttributeDoc } from './contract/attributes';
import type { BackendContract, CoreProps } from './contract/properties';
import type { Logger } from './log';
import type { CoreModel } from './model';
import type { Owner } from './ownership';
import type { ProviderPolicy, StackIdentity } from './policy';

/**
 * The in-progress window of CloudFormation's operation on the resource, as the stack verifier saw it: the resource's
 * status and when it entered it. CloudFormation sends one request per resource per window.
 */
export interface RequestWindow {
  readonly id: string;
  /**
   * A Delete of the resource's current physical id while the resource itself is being deleted: the logical resource
   * ends, so no other physical id of it can still be live, and whatever it owns under any id goes.
   */
  readonly endsResource?: boolean;
}

export interface RequestContext {
  readonly owner: Owner;
  /** The stack of the request, already checked against the policy's invokers. */
  readonly stack: StackIdentity;
  readonly policy: ProviderPolicy;
  /**
   * Resolves when the request is proven to come from its stack's operation, with the window of that operation
   * (undefined when it cannot be checked: verification off, or a stack of another account); rejects otherwise.
   * Backends call it through `readAuthorized`, alongside their own reads, before any change. Memoized.
   */
  readonly authorize: () => Promise<RequestWindow | undefined>;
  readonly requestType: 'Create' | 'Update' | 'Delete';
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

/** The models of one request: all of the backend that serves it (the handler drops another backend's). */
export interface ApplyRequest<M extends CoreModel = CoreModel> {
  readonly desired: M;
  /** The properties before this update (in-place updates only). */
  readonly previous?: M;
  /**
   * A Create, or the new side of a replacement: CloudFormation will never send a Delete for this physical id if
   * the request fails, so a failure must remove what this request created before it is reported.
   */
  readonly fresh: boolean;
  /** For a replacement: the service being replaced, which stays in place until CloudFormation deletes it. */
  readonly replaces?: M;
  /**
   * The properties of an earlier attempt of this resource that CloudFormation never recorded — an Update rolling back
   * a replacement that failed or was killed names them as its OldResourceProperties. What remains of them is a
   * leftover (ownership.ts): removed, or adopted where this request wants the same name.
   */
  readonly earlierAttempt?: M;
}

export interface RemoveRequest<M extends CoreModel = CoreModel> {
  /** A physical id this backend owns (`BackendPlugin.owns`). */
  readonly physicalId: string;
  /**
   * The Delete's properties, when they parse as this backend's, whatever identity they name: the backend decides
   * what they may tell it (App Mesh: the resources of this very id; Service Connect: the task-definition families,
   * of which only revisions this physical id owns are touched). Without them the backend searches by ownership.
   */
  readonly model?: M;
  /**
   * What carries this physical id's ownership tags, when the caller has searched already (the reclaimer's sweep,
   * lambda/reclaimer.ts, which found the owner by them): the backend then does not search the tags again. Each
   * resource is still removed only while its own tags name this owner.
   */
  readonly owned?: readonly TaggedResource[];
}

/** `Fn::GetAtt` attributes: names to string values. */
export type Attributes = Record<string, string>;

export interface ServiceBackend<M extends CoreModel = CoreModel> {
  apply(request: ApplyRequest<M>, ctx: RequestContext): Promise<Attributes>;
  remove(request: RemoveRequest<M>, ctx: RequestContext): Promise<void>;
  /**
   * The attributes a successful apply would return, with values at their longest (revision numbers unknown
   * before registering), so the handler can refuse, before any call, a service whose response could not fit
   * CloudFormation's 4096-byte limit.
   */
  predictAttributes(model: M, ctx: RequestContext): Attributes;
}

export type BackendFactory<M extends CoreModel = CoreModel> = (clients: AwsClients) => ServiceBackend<M>;

/**
 * A backend as the registry (lambda/backends.ts) lists it: pure, it loads no SDK code (the CDK construct and the CLI
 * read the contract through it). Its runtime, a `BackendFactory`, is wired in the Lambda entry (lambda/index.ts).
 */
export interface BackendPlugin<M extends CoreModel = CoreModel> {
  /** Its `Backend` value. */
  readonly name: M['backend'];
  /** Its section of the property contract (its own properties and what it refuses). */
  readonly contract: BackendContract;
  /** Its `Fn::GetAtt` attributes, for the reference docs and the tests. */
  readonly attributes: readonly AttributeDoc[];
  /**
   * Its model of properties that passed the contract naming it. `accountId` is the account the provider acts in
   * (a MeshOwner equal to it is the account's own mesh).
   */
  buildModel(p: CoreProps, accountId: string | undefined): M;
  /** Whether it issued this physical id: a Delete finds its backend by this alone. */
  owns(physicalId: string): boolean;
  /**
   * The Resource Groups Tagging API resource types (`service` or `service:type`) of what it creates with ownership
   * tags, beside task-definition revisions: how the reclaimer (lambda/reclaimer.ts) finds the owners of a dead stack,
   * whose resources its runtime's `remove` then removes.
   */
  readonly ownedTypes: readonly string[];
}

/** What the handler needs of the registry (lambda/backends.ts). */
export interface BackendRegistry {
  /** Parses properties into the model of the backend they name; throws PropertyValidationError. */
  parse(raw: unknown, accountId: string | undefined): CoreModel;
  named(name: string): BackendPlugin | undefined;
  /** The backend that issued a physical id. */
  owning(physicalId: string): BackendPlugin | undefined;
  /** The backend of an id no backend issued (the default `Backend`). */
  readonly defaultBackend: string;
  /** Every backend's `ownedTypes`. */
  readonly ownedTypes: readonly string[];
}

/**
 * Runs the read phase beside the request's authorization, and reports the authorization's refusal before anything
 * the reads found: a caller the verifier refuses learns nothing of what exists (whether a mesh, a gateway or a
 * namespace does). Resolves with the window and the reads' results once every one has settled.
 */
export async function readAuthorized<const T extends readonly unknown[]>(
  ctx: RequestContext,
  reads: T,
): Promise<[RequestWindow | undefined, ...{ -readonly [K in keyof T]: Awaited<T[K]> }]> {
  const [auth, ...rest] = await Promise.allSettled([ctx.authorize(), ...reads]);
  if (auth!.status === 'rejected') throw auth!.reason;
  const failed = rest.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return [auth!.value, ...rest.map((r) => (r as PromiseFulfilledResult<unknown>).value)] as unknown as [
    RequestWindow | undefined,
    ...{ -readonly [K in keyof T]: Awaited<T[K]> },
  ];
}
