/** The emulator's public types. Other engineers code against these shapes: change them only additively. */

export type ServiceName = 'appmesh' | 'ecs';

export interface EmulatorOptions {
  /** TCP port; 0 (the default) picks an ephemeral port. */
  readonly port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  readonly host?: string;
  /** Region used in ARNs; default us-east-1. */
  readonly region?: string;
  /** The account the default credentials act as; default 111122223333. */
  readonly accountId?: string;
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
  throttlePreset(preset: ServiceName): void;
  /**
   * The `n`th call (1-based, counted from now) of `operation` fails with `error` (default: the service's 500,
   * InternalServerErrorException / ServerException) and has no effect. Note the SDK retries 5xx answers.
   */
  failNth(operation: string, n: number, error?: InjectedError): void;
  /** Removes every latency, throttling and failure rule. */
  clear(): void;
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
  };
}

export interface Emulator {
  /** Base URL, e.g. http://127.0.0.1:43125 */
  readonly url: string;
  readonly region: string;
  readonly accountId: string;
  /**
   * AWS_ENDPOINT_URL_APP_MESH, AWS_ENDPOINT_URL_ECS, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION.
   * The credentials are dummies; the access key id carries the calling account, so `env('444455556666')` gives
   * the environment of another account (e.g. the owner of a shared mesh).
   */
  env(accountId?: string): Record<string, string>;
  readonly faults: Faults;
  /** Every request, in arrival order. */
  readonly requests: readonly RequestLogEntry[];
  clearRequests(): void;
  /** Wipes all state, shares, faults and the request log. */
  reset(): void;
  snapshot(): EmulatorSnapshot;
  /**
   * Shares a mesh with another account, as AWS RAM would (RAM itself is not emulated). The mesh is identified by
   * name and owner; `withAccountId` defaults to the emulator's account.
   */
  shareMesh(meshName: string, ownerAccountId: string, withAccountId?: string): void;
  close(): Promise<void>;
}
