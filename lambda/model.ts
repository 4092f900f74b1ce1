/**
 * The service model: what a `Custom::MeshService` declares, with every default resolved, independent of the
 * backend that realises it (App Mesh today, ECS Service Connect later). Pure: no AWS calls.
 */
import { parseWith } from './contract/dsl';
import {
  type Backend,
  DEFAULT_ENVOY_VERSION,
  type EnvoyProps,
  type HeaderMatchProps,
  MeshServiceProperties,
  type MeshServiceProps,
  type Protocol,
  type RouteProps,
} from './contract/properties';
import { parseTaskDefinitionRef, type TaskDefinitionRef } from './contract/task-definition-ref';
import { PropertyValidationError } from './errors';
import { type Finding, serviceConnectWarnings } from './serviceconnect/rules';

export type { Backend, Protocol };

/** What the ServiceConnect backend realises (lambda/serviceconnect/): present with `Backend: ServiceConnect`. */
export interface ServiceConnectModel {
  /** The Cloud Map namespace (its name). */
  readonly namespace: string;
  readonly createNamespace: boolean;
  /** The Cloud Map service ECS creates for the ECS service: ServiceName. */
  readonly discoveryName: string;
  /** What clients call (VirtualServiceName, or its default); undefined for an Edge service (a client only). */
  readonly clientAlias?: { readonly dnsName: string; readonly port: number };
  /** The port mapping's appProtocol; undefined for tcp (ECS then proxies TCP). */
  readonly appProtocol?: 'http' | 'http2' | 'grpc';
  /** From the route's Timeout, in seconds. */
  readonly timeout?: { readonly idleSeconds?: number; readonly perRequestSeconds?: number };
  /** Accepted but not carried over (serviceconnect/rules.ts). */
  readonly warnings: readonly Finding[];
}

export type Discovery =
  | {
      readonly kind: 'cloudMap';
      readonly namespace: string;
      readonly serviceName: string;
      readonly attributes: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'dns'; readonly hostname: string };

export interface VersionModel {
  /** Undefined for the implicit version of a single-version service. */
  readonly name?: string;
  readonly nodeName: string;
  readonly taskDefinition?: TaskDefinitionRef;
  readonly discovery: Discovery;
}

export interface HeaderMatchModel {
  readonly name: string;
  readonly match?: { readonly kind: 'exact' | 'prefix' | 'suffix' | 'regex'; readonly value: string };
  readonly invert: boolean;
}

export interface RouteModel {
  readonly name: string;
  readonly match: {
    readonly prefix?: string;
    readonly path?: string;
    readonly method?: string;
    readonly headers: readonly HeaderMatchModel[];
    readonly grpcServiceName?: string;
    readonly grpcMethodName?: string;
  };
  readonly targets: readonly { readonly nodeName: string; readonly weight: number }[];
  readonly priority?: number;
  readonly retry?: {
    readonly maxRetries: number;
    readonly perRetryTimeoutMillis: number;
    readonly httpRetryEvents: readonly string[];
    readonly tcpRetryEvents: readonly string[];
    readonly grpcRetryEvents: readonly string[];
  };
  readonly timeout?: { readonly perRequestMillis?: number; readonly idleMillis?: number };
}

export interface GatewayModel {
  readonly virtualGatewayName: string;
  readonly routeName: string;
  readonly prefix?: string;
  readonly path?: string;
  readonly hostname?: string;
  readonly headers: readonly HeaderMatchModel[];
  readonly priority?: number;
  readonly rewrite?: {
    readonly prefix?: string;
    readonly defaultPrefix?: 'ENABLED' | 'DISABLED';
    readonly hostname?: 'ENABLED' | 'DISABLED';
  };
}

export interface EnvoyModel {
  readonly image?: string;
  readonly version: string;
  readonly fips: boolean;
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warning' | 'error' | 'critical' | 'off';
  readonly statsTags: boolean;
  readonly dogStatsD?: { readonly address: string; readonly port: number };
  readonly tracing?:
    | { readonly provider: 'xray'; readonly samplingRate?: number; readonly daemonImage?: string }
    | { readonly provider: 'datadog' | 'jaeger'; readonly address?: string; readonly port?: number };
  readonly cpu?: number;
  readonly memory?: number;
  readonly memoryReservation: number;
  readonly egressIgnoredPorts: readonly number[];
  readonly drainTimeSeconds: number;
  readonly nofile: number;
}

export interface ServiceModel {
  readonly backend: Backend;
  /** With `Backend: ServiceConnect`. */
  readonly serviceConnect?: ServiceConnectModel;
  readonly meshName: string;
  readonly meshOwner?: string;
  readonly serviceName: string;
  /** Undefined for an Edge service. */
  readonly virtualServiceName?: string;
  readonly physicalId: string;
  readonly port: number;
  readonly protocol: Protocol;
  readonly healthCheck?: {
    readonly protocol: Protocol;
    readonly port: number;
    readonly path?: string;
    readonly intervalMillis: number;
    readonly timeoutMillis: number;
    readonly healthyThreshold: number;
    readonly unhealthyThreshold: number;
  };
  readonly backends: readonly string[];
  /** Undefined when access logging is off. */
  readonly accessLogPath?: string;
  readonly versions: readonly VersionModel[];
  /** Present when requests reach the versions through a virtual router. */
  readonly router?: { readonly name: string; readonly routes: readonly RouteModel[] };
  readonly gateway?: GatewayModel;
  readonly envoy: EnvoyModel;
  readonly tags: readonly { readonly key: string; readonly value: string }[];
}

/**
 * Parses CloudFormation's properties into the model, or throws PropertyValidationError naming every problem.
 * `accountId` is the account the provider acts in: a MeshOwner equal to it is the same as no MeshOwner (the mesh is
 * the account's own), so it neither changes the identity nor selects the shared-mesh forms.
 */
export function parseProperties(raw: unknown, accountId?: string): ServiceModel {
  const parsed = parseWith(MeshServiceProperties, raw ?? {});
  if (!parsed.ok) throw new PropertyValidationError(parsed.issues);
  const p = parsed.value;
  return buildModel(
    accountId !== undefined && p.MeshOwner === accountId ? { ...p, MeshOwner: undefined } : p,
  );
}

/**
 * The physical id is the service's identity: `mesh/<mesh>[@<owner>]/service/<ServiceName>`. Deterministic (never
 * the RequestId), so a re-delivered Create returns the same id. Every App Mesh name the service creates by default
 * derives from ServiceName, so a replacement (a change of mesh, mesh owner or ServiceName) never needs a name that
 * the resource being replaced still holds; everything else, the virtual service name included, updates in place.
 */
export function physicalIdOf(identity: {
  meshName: string;
  meshOwner?: string;
  serviceName: string;
}): string {
  const mesh = identity.meshOwner ? `${identity.meshName}@${identity.meshOwner}` : identity.meshName;
  return `mesh/${mesh}/service/${identity.serviceName}`;
}

/**
 * The physical id of a Service Connect service: `service-connect/<namespace>/service/<ServiceName>`. Its identity is
 * the namespace and the discovery name (the mesh plays no part); it cannot be mistaken for an App Mesh id, so a
 * change of Backend is a change of identity (which the handler refuses).
 */
export function serviceConnectIdOf(identity: { namespace: string; serviceName: string }): string {
  return `service-connect/${identity.namespace}/service/${identity.serviceName}`;
}

/** The parts of a Service Connect physical id, or undefined for any other id. */
export function parseServiceConnectId(id: string): { namespace: string; serviceName: string } | undefined {
  const m = /^service-connect\/([^/]+)\/service\/([^/]+)$/.exec(id);
  return m ? { namespace: m[1]!, serviceName: m[2]! } : undefined;
}

/** The parts of a physical id this provider issued, or undefined for any other id (e.g. the framework's marker). */
export function parsePhysicalId(
  id: string,
): { meshName: string; meshOwner?: string; serviceName: string } | undefined {
  const m = /^mesh\/([^/@]+)(?:@(\d{12}))?\/service\/([^/]+)$/.exec(id);
  if (!m) return undefined;
  return { meshName: m[1]!, ...(m[2] ? { meshOwner: m[2] } : {}), serviceName: m[3]! };
}

export function buildModel(p: MeshServiceProps): ServiceModel {
  const edge = p.Edge;
  const virtualServiceName = edge ? undefined : (p.VirtualServiceName ?? defaultVirtualServiceName(p));
  const identity = {
    meshName: p.MeshName,
    ...(p.MeshOwner !== undefined ? { meshOwner: p.MeshOwner } : {}),
    serviceName: p.ServiceName,
  };

  const versions = buildVersions(p);
  const needsRouter = !edge && (p.Routes !== undefined || versions.length > 1);
  const weightOf = new Map(
    (p.Versions ?? []).map((v) => [v.Name, v.Weight ?? (versions.length === 1 ? 100 : 0)] as const),
  );
  const nodeOf = new Map(versions.map((v) => [v.name, v.nodeName] as const));
  const routes: RouteProps[] = p.Routes ?? [{ Name: 'default' } as RouteProps];

  const serviceConnect =
    p.Backend === 'ServiceConnect' ? serviceConnectModelOf(p, virtualServiceName, routes[0]) : undefined;
  return {
    backend: p.Backend,
    ...(serviceConnect ? { serviceConnect } : {}),
    ...identity,
    ...(virtualServiceName !== undefined ? { virtualServiceName } : {}),
    physicalId: serviceConnect
      ? serviceConnectIdOf({ namespace: serviceConnect.namespace, serviceName: p.ServiceName })
      : physicalIdOf(identity),
    port: p.Port,
    protocol: p.Protocol,
    ...(p.HealthCheck
      ? {
          healthCheck: {
            protocol: p.HealthCheck.Protocol ?? p.Protocol,
            port: p.HealthCheck.Port ?? p.Port,
            ...(p.HealthCheck.Path !== undefined ? { path: p.HealthCheck.Path } : {}),
            intervalMillis: p.HealthCheck.IntervalMillis,
            timeoutMillis: p.HealthCheck.TimeoutMillis,
            healthyThreshold: p.HealthCheck.HealthyThreshold,
            unhealthyThreshold: p.HealthCheck.UnhealthyThreshold,
          },
        }
      : {}),
    backends: [...p.Backends],
    ...(p.AccessLogPath !== '' ? { accessLogPath: p.AccessLogPath } : {}),
    versions,
    ...(needsRouter
      ? {
          router: {
            name: p.ServiceName,
            routes: routes.map((r) => buildRoute(r, p.Protocol, versions, weightOf, nodeOf)),
          },
        }
      : {}),
    ...(p.Gateway && !edge ? { gateway: buildGateway(p) } : {}),
    envoy: buildEnvoy(p.Envoy),
    tags: p.Tags.map((t) => ({ key: t.Key, value: t.Value })),
  };
}

/** The contract has refused what Service Connect cannot honour (serviceconnect/rules.ts): at most one route. */
function serviceConnectModelOf(
  p: MeshServiceProps,
  virtualServiceName: string | undefined,
  route: RouteProps | undefined,
): ServiceConnectModel {
  const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);
  const idleSeconds = seconds(route?.Timeout?.IdleMillis);
  const perRequestSeconds = seconds(route?.Timeout?.PerRequestMillis);
  const timeout = {
    ...(idleSeconds !== undefined ? { idleSeconds } : {}),
    ...(perRequestSeconds !== undefined ? { perRequestSeconds } : {}),
  };
  return {
    // The contract requires one of them with ServiceConnect.
    namespace: (p.ServiceConnect?.Namespace ?? p.Namespace)!,
    createNamespace: p.ServiceConnect?.CreateNamespace ?? false,
    discoveryName: p.ServiceName,
    ...(virtualServiceName !== undefined
      ? { clientAlias: { dnsName: virtualServiceName, port: p.Port } }
      : {}),
    ...(p.Protocol !== 'tcp' ? { appProtocol: p.Protocol } : {}),
    ...(Object.keys(timeout).length ? { timeout } : {}),
    warnings: serviceConnectWarnings(p),
  };
}

function defaultVirtualServiceName(p: MeshServiceProps): string {
  return p.Namespace !== undefined ? `${p.ServiceName}.${p.Namespace}` : p.DnsHostname!;
}

function buildVersions(p: MeshServiceProps): VersionModel[] {
  if (!p.Versions) {
    const taskDefinition =
      p.TaskDefinition !== undefined ? parseTaskDefinitionRef(p.TaskDefinition) : undefined;
    return [
      {
        nodeName: p.ServiceName,
        ...(taskDefinition ? { taskDefinition } : {}),
        discovery:
          p.Namespace !== undefined
            ? {
                kind: 'cloudMap',
                namespace: p.Namespace,
                serviceName: p.ServiceName,
                attributes: { ...p.DiscoveryAttributes },
              }
            : { kind: 'dns', hostname: p.DnsHostname! },
      },
    ];
  }
  const several = p.Versions.length > 1;
  return p.Versions.map((v) => {
    const taskDefinition =
      v.TaskDefinition !== undefined ? parseTaskDefinitionRef(v.TaskDefinition) : undefined;
    let discovery: Discovery;
    if (p.Namespace !== undefined) {
      // Every version's tasks register in the same Cloud Map service; ECS adds the attribute
      // ECS_TASK_DEFINITION_FAMILY to each instance, which tells the versions apart.
      const attributes =
        v.DiscoveryAttributes ??
        (several && taskDefinition ? { ECS_TASK_DEFINITION_FAMILY: taskDefinition.family } : {});
      discovery = {
        kind: 'cloudMap',
        namespace: p.Namespace,
        serviceName: p.ServiceName,
        attributes: { ...attributes },
      };
    } else {
      discovery = { kind: 'dns', hostname: v.DnsHostname ?? p.DnsHostname! };
    }
    return {
      name: v.Name,
      nodeName: v.VirtualNodeName ?? `${p.ServiceName}-${v.Name}`,
      ...(taskDefinition ? { taskDefinition } : {}),
      discovery,
    };
  });
}

function headerModels(headers: readonly HeaderMatchProps[] | undefined): HeaderMatchModel[] {
  return (headers ?? []).map((h) => {
    const kinds = ['Exact', 'Prefix', 'Suffix', 'Regex'] as const;
    const kind = kinds.find((k) => h[k] !== undefined);
    return {
      name: h.Name,
      ...(kind
        ? { match: { kind: kind.toLowerCase() as 'exact' | 'prefix' | 'suffix' | 'regex', value: h[kind]! } }
        : {}),
      invert: h.Invert,
    };
  });
}

function buildRoute(
  r: RouteProps,
  protocol: Protocol,
  versions: readonly VersionModel[],
  weightOf: ReadonlyMap<string, number>,
  nodeOf: ReadonlyMap<string | undefined, string>,
): RouteModel {
  const m = r.Match;
  const httpLike = protocol === 'http' || protocol === 'http2';
  const targets = r.Targets
    ? r.Targets.map((t) => ({
        nodeName: nodeOf.get(t.Version)!,
        weight: t.Weight ?? (t.Version !== undefined ? weightOf.get(t.Version)! : 100),
      }))
    : versions.map((v) => ({
        nodeName: v.nodeName,
        weight: v.name !== undefined ? weightOf.get(v.name)! : 100,
      }));
  return {
    name: r.Name,
    match: {
      ...(httpLike ? (m?.Path !== undefined ? { path: m.Path } : { prefix: m?.Prefix ?? '/' }) : {}),
      ...(m?.Method !== undefined ? { method: m.Method } : {}),
      headers: headerModels(m?.Headers),
      ...(m?.ServiceName !== undefined ? { grpcServiceName: m.ServiceName } : {}),
      ...(m?.MethodName !== undefined ? { grpcMethodName: m.MethodName } : {}),
    },
    targets,
    ...(r.Priority !== undefined ? { priority: r.Priority } : {}),
    ...(r.Retry
      ? {
          retry: {
            maxRetries: r.Retry.MaxRetries,
            perRetryTimeoutMillis: r.Retry.PerRetryTimeoutMillis,
            httpRetryEvents: [...(r.Retry.HttpRetryEvents ?? [])],
            tcpRetryEvents: [...(r.Retry.TcpRetryEvents ?? [])],
            grpcRetryEvents: [...(r.Retry.GrpcRetryEvents ?? [])],
          },
        }
      : {}),
    ...(r.Timeout
      ? {
          timeout: {
            ...(r.Timeout.PerRequestMillis !== undefined
              ? { perRequestMillis: r.Timeout.PerRequestMillis }
              : {}),
            ...(r.Timeout.IdleMillis !== undefined ? { idleMillis: r.Timeout.IdleMillis } : {}),
          },
        }
      : {}),
  };
}

function buildGateway(p: MeshServiceProps): GatewayModel {
  const g = p.Gateway!;
  const httpLike = p.Protocol !== 'grpc';
  return {
    virtualGatewayName: g.VirtualGatewayName,
    routeName: g.RouteName ?? p.ServiceName,
    ...(httpLike ? (g.Path !== undefined ? { path: g.Path } : { prefix: g.Prefix ?? '/' }) : {}),
    ...(g.Hostname !== undefined ? { hostname: g.Hostname } : {}),
    headers: headerModels(g.Headers),
    ...(g.Priority !== undefined ? { priority: g.Priority } : {}),
    ...(g.Rewrite
      ? {
          rewrite: {
            ...(g.Rewrite.Prefix !== undefined ? { prefix: g.Rewrite.Prefix } : {}),
            ...(g.Rewrite.DefaultPrefix !== undefined ? { defaultPrefix: g.Rewrite.DefaultPrefix } : {}),
            ...(g.Rewrite.Hostname !== undefined ? { hostname: g.Rewrite.Hostname } : {}),
          },
        }
      : {}),
  };
}

function buildEnvoy(e: EnvoyProps | undefined): EnvoyModel {
  if (!e) {
    return {
      version: DEFAULT_ENVOY_VERSION,
      fips: false,
      logLevel: 'info',
      statsTags: false,
      memoryReservation: 128,
      egressIgnoredPorts: [],
      drainTimeSeconds: 20,
      nofile: 15000,
    };
  }
  const t = e.Tracing;
  return {
    ...(e.Image !== undefined ? { image: e.Image } : {}),
    version: e.Version,
    fips: e.Fips,
    logLevel: e.LogLevel,
    statsTags: e.StatsTags,
    ...(e.DogStatsD ? { dogStatsD: { address: e.DogStatsD.Address, port: e.DogStatsD.Port } } : {}),
    ...(t
      ? {
          tracing:
            t.Provider === 'xray'
              ? {
                  provider: 'xray' as const,
                  ...(t.SamplingRate !== undefined ? { samplingRate: t.SamplingRate } : {}),
                  ...(t.DaemonImage !== undefined ? { daemonImage: t.DaemonImage } : {}),
                }
              : {
                  provider: t.Provider,
                  ...(t.Address !== undefined ? { address: t.Address } : {}),
                  ...(t.Port !== undefined ? { port: t.Port } : {}),
                },
        }
      : {}),
    ...(e.Cpu !== undefined ? { cpu: e.Cpu } : {}),
    ...(e.Memory !== undefined ? { memory: e.Memory } : {}),
    memoryReservation: e.MemoryReservation,
    egressIgnoredPorts: [...e.EgressIgnoredPorts],
    drainTimeSeconds: e.DrainTimeSeconds,
    nofile: e.Nofile,
  };
}
