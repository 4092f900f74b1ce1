/**
 * The App Mesh backend's service model: what a `Custom::MeshService` with `Backend: AppMesh` declares, with every
 * default resolved — its virtual nodes (one per version, with their discovery), listener, client policies, router and
 * routes, gateway route and Envoy options — and its identity, the physical id `mesh/<mesh>[@<owner>]/service/<name>`.
 * Built from properties that passed the contract (lambda/backends.ts parses them). Pure: no AWS calls.
 */
import type { ClientTlsProps, CoreProps, EnvoyProps, Protocol, RouteProps } from '../contract/properties';
import { DEFAULT_ENVOY_VERSION } from '../contract/properties';
import { parseTaskDefinitionRef, type TaskDefinitionRef } from '../contract/task-definition-ref';
import { PropertyValidationError } from '../errors';
import {
  type CertificateSource,
  type CoreModel,
  certificateSource,
  defaultVirtualServiceName,
  type HeaderMatchModel,
  headerModels,
  healthCheckModel,
  type QueryParameterModel,
  queryModels,
  type TlsValidationModel,
  type TrustSource,
  validationModel,
} from '../model';
import { parsePhysicalId, physicalIdOf } from './identity';

export type { CertificateSource, HeaderMatchModel, QueryParameterModel, TlsValidationModel, TrustSource };
export { parsePhysicalId, physicalIdOf };

/** The properties of an App Mesh service: the core ones (App Mesh has no properties of its own). */
export type AppMeshProps = CoreProps;

export type IpPreference = 'IPv6_PREFERRED' | 'IPv4_PREFERRED' | 'IPv4_ONLY' | 'IPv6_ONLY';

export type Discovery =
  | {
      readonly kind: 'cloudMap';
      readonly namespace: string;
      readonly serviceName: string;
      readonly attributes: Readonly<Record<string, string>>;
      readonly ipPreference?: IpPreference;
    }
  | {
      readonly kind: 'dns';
      readonly hostname: string;
      readonly responseType?: 'LOADBALANCER' | 'ENDPOINTS';
      readonly ipPreference?: IpPreference;
    };

export interface VersionModel {
  /** Undefined for the implicit version of a single-version service. */
  readonly name?: string;
  readonly nodeName: string;
  readonly taskDefinition?: TaskDefinitionRef;
  readonly discovery: Discovery;
  /**
   * The service's own node (a service without Versions, its only version, or the version that keeps the node):
   * its attributes are also the top-level VirtualNodeName, VirtualNodeArn and TaskDefinitionArn.
   */
  readonly primary: boolean;
  /** Its node's listener TLS: the service's `Tls`, with what the version's `Tls` has of its own. */
  readonly tls?: ListenerTlsModel;
  /** The version gives its own listener certificate (the task-role needs then name its property). */
  readonly ownCertificate?: boolean;
}

export interface ListenerTlsModel {
  readonly mode: 'STRICT' | 'PERMISSIVE' | 'DISABLED';
  readonly certificate: CertificateSource;
  readonly validation?: TlsValidationModel;
}

export interface ClientTlsModel {
  readonly enforce: boolean;
  readonly ports: readonly number[];
  readonly certificate?: CertificateSource;
  readonly validation: TlsValidationModel;
}

export interface ListenerModel {
  /** The service's `Tls`; each version's node has its own in `VersionModel.tls`. */
  readonly tls?: ListenerTlsModel;
  readonly timeout?: { readonly perRequestMillis?: number; readonly idleMillis?: number };
  readonly outlierDetection?: {
    readonly maxServerErrors: number;
    readonly intervalMillis: number;
    readonly baseEjectionDurationMillis: number;
    readonly maxEjectionPercent: number;
  };
  readonly connectionPool?: {
    readonly maxConnections?: number;
    readonly maxPendingRequests?: number;
    readonly maxRequests?: number;
  };
}

export interface RouteModel {
  readonly name: string;
  readonly match: {
    readonly prefix?: string;
    readonly path?: string;
    readonly pathRegex?: string;
    readonly method?: string;
    readonly scheme?: 'http' | 'https';
    readonly headers: readonly HeaderMatchModel[];
    readonly queryParameters: readonly QueryParameterModel[];
    readonly grpcServiceName?: string;
    readonly grpcMethodName?: string;
    readonly metadata: readonly HeaderMatchModel[];
    readonly port?: number;
  };
  readonly targets: readonly { readonly nodeName: string; readonly weight: number; readonly port?: number }[];
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
  readonly pathRegex?: string;
  readonly method?: string;
  readonly hostname?: string;
  readonly hostnameSuffix?: string;
  readonly headers: readonly HeaderMatchModel[];
  readonly queryParameters: readonly QueryParameterModel[];
  readonly grpcServiceName?: string;
  readonly metadata: readonly HeaderMatchModel[];
  readonly port?: number;
  readonly targetPort?: number;
  readonly priority?: number;
  readonly rewrite?: {
    readonly prefix?: string;
    readonly defaultPrefix?: 'ENABLED' | 'DISABLED';
    readonly path?: string;
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
  /** Present only when given: the patch's input digest must not change for services that do not use them. */
  readonly sdsSocketPath?: string;
  readonly mountPoints?: readonly {
    readonly sourceVolume: string;
    readonly containerPath: string;
    readonly readOnly: boolean;
  }[];
}

export interface AppMeshModel extends CoreModel {
  readonly backend: 'AppMesh';
  readonly meshName: string;
  readonly meshOwner?: string;
  /** Undefined for an Edge service. */
  readonly virtualServiceName?: string;
  /** TLS, timeouts, outlier detection and connection pool of the virtual node listener. */
  readonly listener: ListenerModel;
  readonly backends: readonly string[];
  /** Client policy of every backend, and of single backends (by virtual service name). */
  readonly backendDefaults?: { readonly tls?: ClientTlsModel };
  readonly backendPolicies: readonly { readonly virtualServiceName: string; readonly tls: ClientTlsModel }[];
  /** Undefined when access logging is off. */
  readonly accessLogPath?: string;
  readonly accessLogFormat?:
    | { readonly kind: 'text'; readonly text: string }
    | { readonly kind: 'json'; readonly fields: readonly { readonly key: string; readonly value: string }[] };
  readonly versions: readonly VersionModel[];
  /** Present when requests reach the versions through a virtual router. */
  readonly router?: { readonly name: string; readonly routes: readonly RouteModel[] };
  readonly gateway?: GatewayModel;
  readonly envoy: EnvoyModel;
}

export function buildAppMeshModel(p: AppMeshProps): AppMeshModel {
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

  const healthCheck = healthCheckModel(p);
  return {
    backend: 'AppMesh',
    ...identity,
    ...(virtualServiceName !== undefined ? { virtualServiceName } : {}),
    physicalId: physicalIdOf(identity),
    port: p.Port,
    protocol: p.Protocol,
    ...(healthCheck ? { healthCheck } : {}),
    listener: buildListener(p),
    backends: [...p.Backends],
    ...(p.BackendDefaults
      ? {
          backendDefaults: p.BackendDefaults.ClientTls
            ? { tls: clientTlsModel(p.BackendDefaults.ClientTls) }
            : {},
        }
      : {}),
    backendPolicies: (p.BackendPolicies ?? []).map((b) => ({
      virtualServiceName: b.VirtualServiceName,
      tls: clientTlsModel(b.ClientTls),
    })),
    ...(p.AccessLogPath !== '' ? { accessLogPath: p.AccessLogPath } : {}),
    ...(p.AccessLogPath !== '' && p.AccessLogFormat
      ? {
          accessLogFormat: p.AccessLogFormat.Json
            ? {
                kind: 'json' as const,
                fields: p.AccessLogFormat.Json.map((f) => ({ key: f.Key, value: f.Value })),
              }
            : { kind: 'text' as const, text: p.AccessLogFormat.Text! },
        }
      : {}),
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

/** The service's own virtual node: a service without Versions has it, and the version that keeps it. */
export function serviceNodeName(p: { VirtualNodeName?: string; ServiceName: string }): string {
  return p.VirtualNodeName ?? p.ServiceName;
}

function buildVersions(p: AppMeshProps): VersionModel[] {
  const dnsOptions = {
    ...(p.DnsResponseType !== undefined ? { responseType: p.DnsResponseType } : {}),
    ...(p.IpPreference !== undefined ? { ipPreference: p.IpPreference } : {}),
  };
  const cloudMapOptions = p.IpPreference !== undefined ? { ipPreference: p.IpPreference } : {};
  const serviceNode = serviceNodeName(p);
  if (!p.Versions) {
    const taskDefinition =
      p.TaskDefinition !== undefined ? parseTaskDefinitionRef(p.TaskDefinition) : undefined;
    return [
      {
        nodeName: serviceNode,
        ...(taskDefinition ? { taskDefinition } : {}),
        discovery:
          p.Namespace !== undefined
            ? {
                kind: 'cloudMap',
                namespace: p.Namespace,
                serviceName: p.ServiceName,
                attributes: { ...p.DiscoveryAttributes },
                ...cloudMapOptions,
              }
            : { kind: 'dns', hostname: p.DnsHostname!, ...dnsOptions },
        primary: true,
        ...versionTls(p, undefined),
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
      // ECS_TASK_DEFINITION_FAMILY to each instance, which tells the versions apart. A single version selects its
      // family too: adding a second version must not change (and re-route) the first one's node, nor retiring one
      // widen the other's to every instance.
      const attributes =
        v.DiscoveryAttributes ??
        (taskDefinition ? { ECS_TASK_DEFINITION_FAMILY: taskDefinition.family } : {});
      discovery = {
        kind: 'cloudMap',
        namespace: p.Namespace,
        serviceName: p.ServiceName,
        attributes: { ...attributes },
        ...cloudMapOptions,
      };
    } else {
      discovery = { kind: 'dns', hostname: v.DnsHostname ?? p.DnsHostname!, ...dnsOptions };
    }
    const nodeName = v.VirtualNodeName ?? (v.KeepServiceNode ? serviceNode : `${p.ServiceName}-${v.Name}`);
    return {
      name: v.Name,
      nodeName,
      ...(taskDefinition ? { taskDefinition } : {}),
      discovery,
      // A single version has always given the top-level attributes; with several, the one on the service's node.
      primary: !several || nodeName === serviceNode,
      ...versionTls(p, v.Tls),
    };
  });
}

/** A version's listener TLS: the service's Mode, and its certificate and validation unless the version has its own. */
function versionTls(
  p: AppMeshProps,
  own: NonNullable<AppMeshProps['Versions']>[number]['Tls'],
): { tls?: ListenerTlsModel; ownCertificate?: boolean } {
  const service = serviceTls(p);
  if (!service) return {};
  const validation = own?.Validation ? validationModel(own.Validation) : service.validation;
  return {
    tls: {
      mode: service.mode,
      certificate: own?.Certificate ? certificateSource(own.Certificate) : service.certificate,
      ...(validation ? { validation } : {}),
    },
    ...(own?.Certificate ? { ownCertificate: true } : {}),
  };
}

function serviceTls(p: AppMeshProps): ListenerTlsModel | undefined {
  if (!p.Tls) return undefined;
  return {
    mode: p.Tls.Mode,
    certificate: certificateSource(p.Tls.Certificate),
    ...(p.Tls.Validation ? { validation: validationModel(p.Tls.Validation) } : {}),
  };
}

function clientTlsModel(c: ClientTlsProps): ClientTlsModel {
  return {
    enforce: c.Enforce,
    ports: [...(c.Ports ?? [])],
    ...(c.Certificate ? { certificate: certificateSource(c.Certificate) } : {}),
    validation: validationModel(c.Validation),
  };
}

function buildListener(p: AppMeshProps): ListenerModel {
  const t = p.ListenerTimeout;
  const o = p.OutlierDetection;
  const c = p.ConnectionPool;
  return {
    ...(p.Tls ? { tls: serviceTls(p)! } : {}),
    ...(t && (t.PerRequestMillis !== undefined || t.IdleMillis !== undefined)
      ? {
          timeout: {
            ...(t.PerRequestMillis !== undefined ? { perRequestMillis: t.PerRequestMillis } : {}),
            ...(t.IdleMillis !== undefined ? { idleMillis: t.IdleMillis } : {}),
          },
        }
      : {}),
    ...(o
      ? {
          outlierDetection: {
            maxServerErrors: o.MaxServerErrors,
            intervalMillis: o.IntervalMillis,
            baseEjectionDurationMillis: o.BaseEjectionDurationMillis,
            maxEjectionPercent: o.MaxEjectionPercent,
          },
        }
      : {}),
    ...(c
      ? {
          connectionPool: {
            ...(c.MaxConnections !== undefined ? { maxConnections: c.MaxConnections } : {}),
            ...(c.MaxPendingRequests !== undefined ? { maxPendingRequests: c.MaxPendingRequests } : {}),
            ...(c.MaxRequests !== undefined ? { maxRequests: c.MaxRequests } : {}),
          },
        }
      : {}),
  };
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
        ...(t.Port !== undefined ? { port: t.Port } : {}),
      }))
    : versions.map((v) => ({
        nodeName: v.nodeName,
        weight: v.name !== undefined ? weightOf.get(v.name)! : 100,
      }));
  return {
    name: r.Name,
    match: {
      ...(httpLike
        ? m?.Path !== undefined
          ? { path: m.Path }
          : m?.PathRegex !== undefined
            ? { pathRegex: m.PathRegex }
            : { prefix: m?.Prefix ?? '/' }
        : {}),
      ...(m?.Method !== undefined ? { method: m.Method } : {}),
      ...(m?.Scheme !== undefined ? { scheme: m.Scheme } : {}),
      headers: headerModels(m?.Headers),
      queryParameters: queryModels(m?.QueryParameters),
      ...(m?.ServiceName !== undefined ? { grpcServiceName: m.ServiceName } : {}),
      ...(m?.MethodName !== undefined ? { grpcMethodName: m.MethodName } : {}),
      metadata: headerModels(m?.Metadata),
      ...(m?.Port !== undefined ? { port: m.Port } : {}),
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

function buildGateway(p: AppMeshProps): GatewayModel {
  const g = p.Gateway!;
  // The route's type (and so whether it defaults to the prefix `/`) is the gateway listener's: desired.ts.
  return {
    // The contract requires it with Backend AppMesh (contract.ts).
    virtualGatewayName: g.VirtualGatewayName!,
    routeName: g.RouteName ?? p.ServiceName,
    ...(g.Path !== undefined ? { path: g.Path } : {}),
    ...(g.PathRegex !== undefined ? { pathRegex: g.PathRegex } : {}),
    ...(g.Prefix !== undefined ? { prefix: g.Prefix } : {}),
    ...(g.Method !== undefined ? { method: g.Method } : {}),
    ...(g.Hostname !== undefined ? { hostname: g.Hostname } : {}),
    ...(g.HostnameSuffix !== undefined ? { hostnameSuffix: g.HostnameSuffix } : {}),
    headers: headerModels(g.Headers),
    queryParameters: queryModels(g.QueryParameters),
    ...(g.ServiceName !== undefined ? { grpcServiceName: g.ServiceName } : {}),
    metadata: headerModels(g.Metadata),
    ...(g.Port !== undefined ? { port: g.Port } : {}),
    ...(g.TargetPort !== undefined ? { targetPort: g.TargetPort } : {}),
    ...(g.Priority !== undefined ? { priority: g.Priority } : {}),
    ...(g.Rewrite
      ? {
          rewrite: {
            ...(g.Rewrite.Prefix !== undefined ? { prefix: g.Rewrite.Prefix } : {}),
            ...(g.Rewrite.DefaultPrefix !== undefined ? { defaultPrefix: g.Rewrite.DefaultPrefix } : {}),
            ...(g.Rewrite.Path !== undefined ? { path: g.Rewrite.Path } : {}),
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
    ...(e.SdsSocketPath !== undefined ? { sdsSocketPath: e.SdsSocketPath } : {}),
    ...(e.MountPoints
      ? {
          mountPoints: e.MountPoints.map((m) => ({
            sourceVolume: m.SourceVolume,
            containerPath: m.ContainerPath,
            readOnly: m.ReadOnly,
          })),
        }
      : {}),
  };
}

/**
 * An update that turns a service without Versions into Versions must keep the service's virtual node on one version
 * (KeepServiceNode, or that version's VirtualNodeName set to the node's name): otherwise the node the running tasks'
 * Envoys are configured with would be deleted, and those tasks would lose their node. Refused before any AWS call.
 */
export function checkVersionMove(previous: AppMeshModel | undefined, desired: AppMeshModel): void {
  if (!previous || previous.physicalId !== desired.physicalId) return;
  const [before] = previous.versions;
  if (previous.versions.length !== 1 || !before || before.name !== undefined) return;
  if (desired.versions.every((v) => v.name === undefined)) return;
  if (desired.versions.some((v) => v.nodeName === before.nodeName)) return;
  throw new PropertyValidationError([
    {
      path: 'Versions',
      message: `moving to Versions would delete virtual node "${before.nodeName}", which the service's running tasks use; give the version that runs them KeepServiceNode: true (it keeps the node and its task definition revision; docs/versions.md)`,
    },
  ]);
}
