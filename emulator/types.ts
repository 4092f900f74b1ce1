import type { IncomingHttpHeaders } from 'node:http';
/** The emulator's public types. Other engineers code against these shapes: change them only additively. */
import type { Elbv2Snapshot } from './elbv2/service';
import type { SavedState } from './state';

export type { Elbv2Snapshot };

export type ServiceName =
  | 'appmesh'
  | 'ecs'
  | 'cloudformation'
  | 'servicediscovery'
  | 'tagging'
  | 'vpclattice'
  | 'elbv2';

/** The services with a throttling preset (`faults.throttlePreset`). */
export type ThrottlePreset = 'appmesh' | 'ecs';

export interface EmulatorOptions {
  /** TCP port; 0 (the default) picks an ephemeral port. */
  readonly port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  readonly host?: string;
  /** Region used in ARNs; default us-east-1. */
  readonly region?: string;
  /** The account the default credentials act as; default 111122223333. */
  readonly accountId?: string;
  /**
   * Milliseconds a DELETE_IN_PROGRESS task definition revision stays describable before it disappears, as ECS
   * finishes deleting it; default 60000. 0: gone on the next request.
   */
  readonly taskDefinitionDeletionDelayMs?: number;
  /**
   * Milliseconds a Cloud Map namespace operation (CreateHttpNamespace, DeleteNamespace) stays PENDING, a namespace
   * being created staying invisible meanwhile; default 0 (done at once).
   */
  readonly namespaceOperationDelayMs?: number;
}

export interface RequestLogEntry {
  readonly service: ServiceName;
  /** Operation name (e.g. `CreateVirtualNode`), or the method and path / target of a request no operation matched. */
  readonly operation: string;
  /** The deserialized input members (URI, query, header and body members merged), as received. */
  readonly input: unknown;
  /** HTTP status of the answer (0 while the request is still in flight). */
  readonly status: number;
  /** Error type when the answer is an error. */
  readonly error?: string;
  /** Epoch milliseconds at arrival. */
  readonly startedAt: number;
  readonly durationMs: number;
  /**
   * The access key id of the SigV4 Authorization header (absent when the request carried none). It ends with the
   * calling account (`EMULATOR111122223333`); whatever precedes the 12 digits tells callers of one account apart,
   * e.g. Lambda execution environments (`EMULATORENV3111122223333`).
   */
  readonly accessKeyId?: string;
}

export interface ThrottleBucket {
  /** Bucket size: the number of calls allowed in a burst. */
  readonly burst: number;
  /** Tokens added per second (may be 0). */
  readonly refillPerSecond: number;
  /**
   * Operations sharing the bucket. `TagResource` matches both services' operation of that name;
   * `appmesh:TagResource` / `ecs:TagResource` match one.
   */
  readonly operations: readonly string[];
}

export interface InjectedError {
  readonly type: string;
  readonly status: number;
  readonly message?: string;
}

export interface Faults {
  /** Delays every matching request by `ms` (0 removes the rule). `match`: operation name, group name, service name or '*'. */
  latency(match: string, ms: number): void;
  /** A token bucket shared by the listed operations; a throttled request consumes no token. */
  throttle(group: string, bucket: ThrottleBucket): void;
  /** The documented (ECS) or assumed (App Mesh) per-account API limits. */
  throttlePreset(preset: ThrottlePreset): void;
  /**
   * The `n`th call (1-based, counted from now) of `operation` fails with `error` (default: the service's 500,
   * InternalServerErrorException / ServerException / InternalFailure) and has no effect. Note the SDK retries 5xx
   * answers. `operation`: `Op` (any service), `service:Op`, or `*` (any operation of any service). A call counts
   * when it reaches the fault stage, i.e. after throttling admitted it.
   */
  failNth(operation: string, n: number, error?: InjectedError, options?: ScopeOptions): void;
  /**
   * The `n`th matching call (and the `count - 1` matching calls after it; count defaults to 1) is never answered:
   * the connection stays open with no response until the client gives up, or `clear()`, `reset()` or `close()`
   * destroys it. With `applied: true` the operation takes effect first and only the response is lost; otherwise
   * it has no effect. Logged with status 0 and error `'Hung'`. Counted like `failNth`.
   */
  hangNth(operation: string, n: number, options?: HangOptions): void;
  /**
   * Calls `listener` with the headers of every call the emulator leaves unanswered until the client gives up (a hang
   * or a kill; not a reset, which answers with a TCP RST), on a later turn of the event loop. For a client in the
   * same process that would otherwise sit out its request timeout to learn what it can already know: no answer is
   * coming (test/support/prompt-timeouts.ts). Returns the function that removes the listener.
   */
  onUnanswered(listener: (headers: IncomingHttpHeaders) => void): () => void;
  /**
   * The `n`th matching call's connection is reset (TCP RST, no response): the SDK sees a socket error
   * (ECONNRESET / socket hang up). `applied` as for `hangNth`. Logged with status 0 and error `'Reset'`.
   */
  resetNth(operation: string, n: number, options?: FaultOptions): void;
  /**
   * The `n`th matching call kills its caller, identified by its access key id: that call (applied or not, as for
   * `hangNth`) and every later request with the same access key id hang forever and never take effect — a Lambda
   * execution environment killed mid-invocation. Other access keys, even of the same account, are unaffected.
   * Logged with status 0 and error `'Killed'`. `clear()` and `reset()` revive every caller.
   */
  killAt(operation: string, n: number, options?: FaultOptions): void;
  /** The access key ids `killAt` has killed, in the order they died. */
  killed(): string[];
  /**
   * Removes every latency, throttling and planned rule, destroys the connections of hung calls and revives
   * killed callers.
   */
  clear(): void;
}

export interface ScopeOptions {
  /**
   * Only calls with this access key id count and are affected (one Lambda execution environment among several
   * running at once); default: every caller.
   */
  readonly caller?: string;
}

export interface FaultOptions extends ScopeOptions {
  /** The operation takes effect before its response is lost (default false: it has no effect). */
  readonly applied?: boolean;
}

export interface HangOptions extends FaultOptions {
  /** How many consecutive matching calls hang, from the `n`th on (default 1). */
  readonly count?: number;
}

export interface TagSnapshot {
  readonly key: string;
  readonly value: string;
}

/** An App Mesh resource as Describe returns it, plus its tags. */
export type AppMeshResourceSnapshot = Record<string, unknown> & {
  readonly meshName: string;
  readonly metadata: {
    readonly arn: string;
    readonly uid: string;
    readonly version: number;
    readonly createdAt: number;
    readonly lastUpdatedAt: number;
    readonly meshOwner: string;
    readonly resourceOwner: string;
  };
  readonly spec: Record<string, unknown>;
  readonly status: { readonly status: string };
  readonly tags: readonly TagSnapshot[];
};

/** An ECS task definition revision as DescribeTaskDefinition returns it, plus its tags. */
export type TaskDefinitionSnapshot = Record<string, unknown> & {
  readonly taskDefinitionArn: string;
  readonly family: string;
  readonly revision: number;
  readonly status: 'ACTIVE' | 'INACTIVE' | 'DELETE_IN_PROGRESS';
  readonly tags: readonly TagSnapshot[];
};

/** An ECS service: its identity, status, task definition and Service Connect settings (namespace as an ARN). */
export interface EcsServiceSnapshot {
  readonly serviceArn: string;
  readonly serviceName: string;
  readonly clusterArn: string;
  readonly status: string;
  readonly taskDefinition: string;
  readonly serviceConnectConfiguration?: Record<string, unknown>;
  /** VpcLatticeConfigurations as given (roleArn, targetGroupArn, portName). */
  readonly vpcLatticeConfigurations?: readonly Record<string, unknown>[];
}

/** A Cloud Map namespace. Timestamps are epoch seconds. */
export interface NamespaceSnapshot {
  readonly Id: string;
  readonly Arn: string;
  readonly Name: string;
  readonly Type: string;
  readonly ResourceOwner: string;
  readonly CreateDate: number;
  /** Cloud Map services in it: those ECS created for Service Connect services. */
  readonly ServiceCount: number;
  readonly Tags: readonly { readonly Key: string; readonly Value: string }[];
}

/** A Cloud Map service (those ECS creates for Service Connect discovery names). Timestamps are epoch seconds. */
export interface CloudMapServiceSnapshot {
  readonly Id: string;
  readonly Arn: string;
  readonly Name: string;
  readonly NamespaceId: string;
  readonly CreateDate: number;
}

/** Cloud Map state the tests and the demo set directly (a platform's namespace). */
export interface ServiceDiscoveryControl {
  /** Puts a namespace (HTTP, DNS_PRIVATE or DNS_PUBLIC) of the account, already created. */
  putNamespace(
    name: string,
    options?: { readonly accountId?: string; readonly type?: 'HTTP' | 'DNS_PRIVATE' | 'DNS_PUBLIC' },
  ): { readonly arn: string; readonly id: string };
}

/** A stack resource as DescribeStackResource returns it (StackName/StackId aside). Timestamps are epoch seconds. */
export type StackResourceSnapshot = Record<string, unknown> & {
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceType: string;
  readonly ResourceStatus: string;
  readonly ResourceStatusReason?: string;
  readonly LastUpdatedTimestamp: number;
};

/** A CloudFormation stack as DescribeStacks returns it, plus its resources. Timestamps are epoch seconds. */
export type StackSnapshot = Record<string, unknown> & {
  readonly StackId: string;
  readonly StackName: string;
  readonly StackStatus: string;
  readonly StackStatusReason?: string;
  readonly CreationTime: number;
  readonly LastUpdatedTime?: number;
  readonly DeletionTime?: number;
  readonly Resources: readonly StackResourceSnapshot[];
};

/** Plain JSON view of all state, for assertions such as "nothing left behind". Timestamps are epoch seconds. */
export interface EmulatorSnapshot {
  readonly appmesh: {
    readonly meshes: readonly AppMeshResourceSnapshot[];
    readonly virtualNodes: readonly AppMeshResourceSnapshot[];
    readonly virtualServices: readonly AppMeshResourceSnapshot[];
    readonly virtualRouters: readonly AppMeshResourceSnapshot[];
    readonly routes: readonly AppMeshResourceSnapshot[];
    readonly virtualGateways: readonly AppMeshResourceSnapshot[];
    readonly gatewayRoutes: readonly AppMeshResourceSnapshot[];
    /** Meshes shared with other accounts (the emulator's stand-in for AWS RAM). */
    readonly shares: readonly { readonly meshArn: string; readonly accountIds: readonly string[] }[];
  };
  readonly ecs: {
    readonly taskDefinitions: readonly TaskDefinitionSnapshot[];
    /** ECS services (every status), in creation order. */
    readonly services?: readonly EcsServiceSnapshot[];
  };
  /** Cloud Map namespaces (as GetNamespace describes them, plus their tags) and services. */
  readonly servicediscovery?: {
    readonly namespaces: readonly NamespaceSnapshot[];
    readonly services: readonly CloudMapServiceSnapshot[];
  };
  /**
   * Elastic Load Balancing v2 (as its Describe operations answer, in creation order; rules with their ListenerArn,
   * target groups with their Targets) and the tags of every tagged resource, by ARN.
   */
  readonly elbv2?: Elbv2Snapshot;
  /** Every stack of every account, deleted ones (DELETE_COMPLETE) included, in creation order. */
  readonly cloudformation: {
    readonly stacks: readonly StackSnapshot[];
  };
  /** VPC Lattice resources of every account, in creation order (emulator/vpc-lattice/service.ts). */
  readonly vpclattice?: VpcLatticeSnapshot;
}

/** A VPC Lattice resource as its Get operation answers it (timestamps in epoch seconds), plus its tags. */
export type VpcLatticeResourceSnapshot = Record<string, unknown> & {
  readonly id: string;
  readonly arn: string;
  readonly tags: readonly TagSnapshot[];
};

export interface VpcLatticeSnapshot {
  readonly serviceNetworks: readonly VpcLatticeResourceSnapshot[];
  readonly services: readonly VpcLatticeResourceSnapshot[];
  readonly serviceNetworkServiceAssociations: readonly VpcLatticeResourceSnapshot[];
  readonly listeners: readonly VpcLatticeResourceSnapshot[];
  /** The rules callers created (a listener's default rule is its `defaultAction`). */
  readonly rules: readonly VpcLatticeResourceSnapshot[];
  readonly targetGroups: readonly (VpcLatticeResourceSnapshot & {
    readonly targets: readonly { readonly id: string; readonly port: number }[];
  })[];
  readonly accessLogSubscriptions: readonly VpcLatticeResourceSnapshot[];
  readonly authPolicies: readonly { readonly resourceArn: string; readonly policy: string }[];
}

/** A stack resource to put (`emulator.cloudformation.putStack` / `putStackResource`). */
export interface StackResourceInput {
  /** The template's logical id, e.g. `Frontend`. */
  readonly logicalResourceId: string;
  /** e.g. `Custom::MeshService`, `AWS::ECS::TaskDefinition`. */
  readonly resourceType: string;
  /** Absent while CloudFormation has not learnt it (a resource still being created). */
  readonly physicalResourceId?: string;
  /** One of the model's ResourceStatus values (CREATE_IN_PROGRESS, UPDATE_COMPLETE, DELETE_COMPLETE, …). */
  readonly resourceStatus: string;
  readonly resourceStatusReason?: string;
  /**
   * When the resource entered its status (its LastUpdatedTimestamp), in the clock's unit as the snapshot shows it;
   * default now. CloudFormation re-delivering a request keeps the moment its operation began.
   */
  readonly since?: number;
}

export interface PutStackInput {
  /** `arn:<partition>:cloudformation:<emulator region>:<account>:stack/<name>/<id>` (see `stackId()`). */
  readonly stackId: string;
  /** One of the model's StackStatus values (CREATE_IN_PROGRESS, UPDATE_COMPLETE, DELETE_COMPLETE, …). */
  readonly stackStatus: string;
  readonly stackStatusReason?: string;
  /** Replaces the stack's resources when given; an existing stack keeps its resources when omitted. */
  readonly resources?: readonly StackResourceInput[];
}

/**
 * CloudFormation is emulated read-only (DescribeStacks, DescribeStackResource, DescribeStackResources,
 * ListStackResources, ListStacks); tests and the demo set its state through this control. Errors (an unknown
 * stack, a status the model does not list, a malformed stack id, a second live stack of one name) throw.
 */
export interface CloudFormationControl {
  /** Creates the stack, or replaces its status (and resources, when given). Its account is the stack id's. */
  putStack(stack: PutStackInput): StackSnapshot;
  /** Sets the status (UPDATE_* also sets LastUpdatedTime; DELETE_COMPLETE sets DeletionTime, resources untouched). */
  setStackStatus(stackId: string, stackStatus: string, stackStatusReason?: string): StackSnapshot;
  /** Creates or replaces one resource of the stack (by logical id). */
  putStackResource(stackId: string, resource: StackResourceInput): StackSnapshot;
  /** Deletes the stack as CloudFormation completes a deletion: DELETE_COMPLETE, every resource DELETE_COMPLETE. */
  deleteStack(stackId: string): StackSnapshot;
  /** A realistic stack id in the emulator's region: `arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>`. */
  stackId(stackName: string, accountId?: string): string;
  /** One stack as `snapshot()` shows it (without copying the rest of the state), or undefined. */
  getStack(stackId: string): StackSnapshot | undefined;
}

/** Narrows a snapshot: with `families`, only those task-definition families' revisions. */
export interface SnapshotFilter {
  readonly families?: readonly string[];
}

export interface Emulator {
  /** Base URL, e.g. http://127.0.0.1:43125 */
  readonly url: string;
  readonly region: string;
  readonly accountId: string;
  /**
   * AWS_ENDPOINT_URL_APP_MESH, AWS_ENDPOINT_URL_ECS, AWS_ENDPOINT_URL_CLOUDFORMATION,
   * AWS_ENDPOINT_URL_SERVICEDISCOVERY, AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API,
   * AWS_ENDPOINT_URL_VPC_LATTICE, AWS_ACCESS_KEY_ID,
   * AWS_SECRET_ACCESS_KEY, AWS_REGION.
   * The credentials are dummies; the access key id carries the calling account, so `env('444455556666')` gives
   * the environment of another account (e.g. the owner of a shared mesh). `caller` (letters and digits) makes a
   * distinct access key id of that account: `env(undefined, 'ENV3')` → `EMULATORENV3111122223333`, e.g. one
   * Lambda execution environment (see `faults.killAt`).
   */
  env(accountId?: string, caller?: string): Record<string, string>;
  readonly faults: Faults;
  /** Every request, in arrival order. */
  readonly requests: readonly RequestLogEntry[];
  clearRequests(): void;
  /** Wipes all state (stacks included), shares, faults (hung calls are destroyed, killed callers revived) and the request log. */
  reset(): void;
  /**
   * The services' state (stacks included; not the faults or the request log), to put back with `restoreState` as
   * often as wanted: many runs from one prepared world (emulator/state.ts).
   */
  saveState(): SavedState;
  /** Puts the services' state back as `saveState` saved it; faults and the request log are left as they are. */
  restoreState(state: SavedState): void;
  /** Plain JSON of the state; with `parts`, only those services' state is read (the others are empty). */
  snapshot(parts?: readonly ServiceName[], filter?: SnapshotFilter): EmulatorSnapshot;
  /**
   * Shares a mesh with another account, as AWS RAM would (RAM itself is not emulated). The mesh is identified by
   * name and owner; `withAccountId` defaults to the emulator's account.
   */
  shareMesh(meshName: string, ownerAccountId: string, withAccountId?: string): void;
  /**
   * Stops sharing a mesh with an account, as removing it from the RAM resource share would: that account's calls
   * then answer as for a mesh never shared (NotFoundException), its resources stay for the owner to see and delete.
   */
  unshareMesh(meshName: string, ownerAccountId: string, withAccountId?: string): void;
  /** The state behind the emulated CloudFormation read API. */
  readonly cloudformation: CloudFormationControl;
  /** Cloud Map namespaces put directly (`POST /_emulator/namespaces` over HTTP). */
  readonly servicediscovery: ServiceDiscoveryControl;
  /** Stops the server; the connections of hung calls are destroyed, so it never waits for them. */
  close(): Promise<void>;
}
