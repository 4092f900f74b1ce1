/**
 * Desired App Mesh state: a pure function of the service model. Every resource is keyed by kind, parent and
 * name; the reconciler compares this with what exists.
 */
import type {
  ClientPolicy,
  ClientTlsCertificate,
  GatewayRouteSpec,
  GrpcGatewayRouteMetadata,
  GrpcRouteMetadata,
  HttpGatewayRouteMatch,
  HttpQueryParameter,
  HttpRouteHeader,
  HttpRouteMatch,
  Listener,
  ListenerTimeout,
  ListenerTlsCertificate,
  ListenerTlsValidationContext,
  RouteSpec,
  TlsValidationContext,
  VirtualNodeConnectionPool,
  VirtualNodeSpec,
  VirtualRouterSpec,
  VirtualServiceSpec,
} from '@aws-sdk/client-app-mesh';
import { type KeyValue, MAX_TAGS, type Owner, ownershipTags, TAG } from '../ownership';
import type {
  AppMeshModel,
  CertificateSource,
  ClientTlsModel,
  GatewayModel,
  HeaderMatchModel,
  QueryParameterModel,
  RouteModel,
  TlsValidationModel,
  TrustSource,
} from './model';

export type Kind = 'virtualNode' | 'virtualRouter' | 'route' | 'virtualService' | 'gatewayRoute';

export interface ResourceKey {
  readonly kind: Kind;
  readonly name: string;
  /** The virtual router of a route, the virtual gateway of a gateway route. */
  readonly parent?: string;
}

export type Spec = VirtualNodeSpec | VirtualRouterSpec | RouteSpec | VirtualServiceSpec | GatewayRouteSpec;

export interface DesiredResource {
  readonly key: ResourceKey;
  readonly spec: Spec;
  readonly tags: readonly KeyValue[];
}

/** Creation order: a level may only reference resources of earlier levels. Deletion runs the other way. */
export const CREATE_LEVELS: readonly (readonly Kind[])[] = [
  ['virtualNode', 'virtualRouter'],
  ['route', 'virtualService'],
  ['gatewayRoute'],
];
/** Once gateway routes, virtual services and routes are gone, nothing refers to routers or nodes: one level. */
export const DELETE_LEVELS: readonly (readonly Kind[])[] = [
  ['gatewayRoute'],
  ['virtualService', 'route'],
  ['virtualRouter', 'virtualNode'],
];

export const keyId = (k: ResourceKey): string => `${k.kind}:${k.parent ?? ''}/${k.name}`;

export const describeKey = (k: ResourceKey): string => {
  const words: Record<Kind, string> = {
    virtualNode: 'virtual node',
    virtualRouter: 'virtual router',
    route: 'route',
    virtualService: 'virtual service',
    gatewayRoute: 'gateway route',
  };
  const parent =
    k.parent === undefined
      ? ''
      : k.kind === 'route'
        ? ` of virtual router "${k.parent}"`
        : ` on virtual gateway "${k.parent}"`;
  return `${words[k.kind]} "${k.name}"${parent}`;
};

const ms = (value: number) => ({ unit: 'ms' as const, value });

function headerMatches(headers: readonly HeaderMatchModel[]): HttpRouteHeader[] | undefined {
  if (headers.length === 0) return undefined;
  return headers.map((h) => ({
    name: h.name,
    ...(h.match
      ? {
          match: (h.match.kind === 'range'
            ? { range: { start: h.match.start, end: h.match.end } }
            : { [h.match.kind]: h.match.value }) as unknown as HttpRouteHeader['match'],
        }
      : {}),
    ...(h.invert ? { invert: true } : {}),
  }));
}

function queryParameters(params: readonly QueryParameterModel[]): HttpQueryParameter[] | undefined {
  if (params.length === 0) return undefined;
  return params.map((q) => ({
    name: q.name,
    ...(q.exact !== undefined ? { match: { exact: q.exact } } : {}),
  }));
}

function certificateSpec(c: CertificateSource) {
  if (c.kind === 'acm') return { acm: { certificateArn: c.certificateArn } };
  if (c.kind === 'sds') return { sds: { secretName: c.secretName } };
  return { file: { certificateChain: c.certificateChain, privateKey: c.privateKey } };
}

function trustSpec(t: TrustSource) {
  if (t.kind === 'acm') return { acm: { certificateAuthorityArns: [...t.certificateAuthorityArns] } };
  if (t.kind === 'sds') return { sds: { secretName: t.secretName } };
  return { file: { certificateChain: t.certificateChain } };
}

function validationSpec(v: TlsValidationModel) {
  return {
    trust: trustSpec(v.trust),
    ...(v.subjectAlternativeNames.length
      ? { subjectAlternativeNames: { match: { exact: [...v.subjectAlternativeNames] } } }
      : {}),
  };
}

function clientPolicySpec(tls: ClientTlsModel): ClientPolicy {
  return {
    tls: {
      enforce: tls.enforce,
      ...(tls.ports.length ? { ports: [...tls.ports] } : {}),
      ...(tls.certificate ? { certificate: certificateSpec(tls.certificate) as ClientTlsCertificate } : {}),
      validation: validationSpec(tls.validation) as TlsValidationContext,
    },
  };
}

/** The listener's own options, each of the listener protocol. */
function listenerOptions(
  model: AppMeshModel,
  version: AppMeshModel['versions'][number],
): Omit<Listener, 'portMapping' | 'healthCheck'> {
  const { timeout, outlierDetection: o, connectionPool: pool } = model.listener;
  const tls = version.tls;
  const protocol = model.protocol;
  const timeoutSpec = timeout
    ? protocol === 'tcp'
      ? { tcp: { ...(timeout.idleMillis !== undefined ? { idle: ms(timeout.idleMillis) } : {}) } }
      : {
          [protocol]: {
            ...(timeout.perRequestMillis !== undefined ? { perRequest: ms(timeout.perRequestMillis) } : {}),
            ...(timeout.idleMillis !== undefined ? { idle: ms(timeout.idleMillis) } : {}),
          },
        }
    : undefined;
  return {
    ...(tls
      ? {
          tls: {
            mode: tls.mode,
            certificate: certificateSpec(tls.certificate) as ListenerTlsCertificate,
            ...(tls.validation
              ? { validation: validationSpec(tls.validation) as ListenerTlsValidationContext }
              : {}),
          },
        }
      : {}),
    ...(timeoutSpec ? { timeout: timeoutSpec as ListenerTimeout } : {}),
    ...(o
      ? {
          outlierDetection: {
            maxServerErrors: o.maxServerErrors,
            interval: ms(o.intervalMillis),
            baseEjectionDuration: ms(o.baseEjectionDurationMillis),
            maxEjectionPercent: o.maxEjectionPercent,
          },
        }
      : {}),
    ...(pool ? { connectionPool: { [protocol]: { ...pool } } as unknown as VirtualNodeConnectionPool } : {}),
  };
}

export function virtualNodeSpec(
  model: AppMeshModel,
  version: AppMeshModel['versions'][number],
): VirtualNodeSpec {
  const hc = model.healthCheck;
  const d = version.discovery;
  const attributes =
    d.kind === 'cloudMap' ? Object.entries(d.attributes).sort(([a], [b]) => a.localeCompare(b)) : [];
  const policies = new Map(model.backendPolicies.map((b) => [b.virtualServiceName, b.tls]));
  const format = model.accessLogFormat;
  return {
    listeners: [
      {
        portMapping: { port: model.port, protocol: model.protocol },
        ...listenerOptions(model, version),
        ...(hc
          ? {
              healthCheck: {
                protocol: hc.protocol,
                port: hc.port,
                ...(hc.path !== undefined ? { path: hc.path } : {}),
                intervalMillis: hc.intervalMillis,
                timeoutMillis: hc.timeoutMillis,
                healthyThreshold: hc.healthyThreshold,
                unhealthyThreshold: hc.unhealthyThreshold,
              },
            }
          : {}),
      },
    ],
    serviceDiscovery:
      d.kind === 'cloudMap'
        ? {
            awsCloudMap: {
              namespaceName: d.namespace,
              serviceName: d.serviceName,
              ...(attributes.length
                ? { attributes: attributes.map(([key, value]) => ({ key, value })) }
                : {}),
              ...(d.ipPreference !== undefined ? { ipPreference: d.ipPreference } : {}),
            },
          }
        : {
            dns: {
              hostname: d.hostname,
              ...(d.responseType !== undefined ? { responseType: d.responseType } : {}),
              ...(d.ipPreference !== undefined ? { ipPreference: d.ipPreference } : {}),
            },
          },
    ...(model.backends.length
      ? {
          backends: [...model.backends].sort().map((name) => {
            const tls = policies.get(name);
            return {
              virtualService: {
                virtualServiceName: name,
                ...(tls ? { clientPolicy: clientPolicySpec(tls) } : {}),
              },
            };
          }),
        }
      : {}),
    ...(model.backendDefaults?.tls
      ? { backendDefaults: { clientPolicy: clientPolicySpec(model.backendDefaults.tls) } }
      : {}),
    ...(model.accessLogPath !== undefined
      ? {
          logging: {
            accessLog: {
              file: {
                path: model.accessLogPath,
                ...(format
                  ? {
                      format:
                        format.kind === 'text'
                          ? { text: format.text }
                          : { json: format.fields.map((f) => ({ key: f.key, value: f.value })) },
                    }
                  : {}),
              },
            },
          },
        }
      : {}),
  };
}

function pathMatch(m: { path?: string; pathRegex?: string; prefix?: string }) {
  if (m.path !== undefined) return { path: { exact: m.path } };
  if (m.pathRegex !== undefined) return { path: { regex: m.pathRegex } };
  return { prefix: m.prefix ?? '/' };
}

export function routeSpec(model: AppMeshModel, route: RouteModel): RouteSpec {
  const action = {
    weightedTargets: route.targets.map((t) => ({
      virtualNode: t.nodeName,
      weight: t.weight,
      ...(t.port !== undefined ? { port: t.port } : {}),
    })),
  };
  const port = route.match.port !== undefined ? { port: route.match.port } : {};
  const retry = route.retry;
  const timeout = route.timeout;
  const spec: RouteSpec = route.priority !== undefined ? { priority: route.priority } : {};
  if (model.protocol === 'tcp') {
    return {
      ...spec,
      tcpRoute: {
        action,
        ...(route.match.port !== undefined ? { match: { port: route.match.port } } : {}),
        ...(timeout?.idleMillis !== undefined ? { timeout: { idle: ms(timeout.idleMillis) } } : {}),
      },
    };
  }
  const retryPolicy = retry
    ? {
        maxRetries: retry.maxRetries,
        perRetryTimeout: ms(retry.perRetryTimeoutMillis),
        ...(retry.httpRetryEvents.length ? { httpRetryEvents: [...retry.httpRetryEvents] } : {}),
        ...(retry.tcpRetryEvents.length
          ? { tcpRetryEvents: [...retry.tcpRetryEvents] as 'connection-error'[] }
          : {}),
      }
    : undefined;
  const timeoutSpec =
    timeout && (timeout.perRequestMillis !== undefined || timeout.idleMillis !== undefined)
      ? {
          ...(timeout.perRequestMillis !== undefined ? { perRequest: ms(timeout.perRequestMillis) } : {}),
          ...(timeout.idleMillis !== undefined ? { idle: ms(timeout.idleMillis) } : {}),
        }
      : undefined;
  if (model.protocol === 'grpc') {
    return {
      ...spec,
      grpcRoute: {
        action,
        match: {
          ...(route.match.grpcServiceName !== undefined ? { serviceName: route.match.grpcServiceName } : {}),
          ...(route.match.grpcMethodName !== undefined ? { methodName: route.match.grpcMethodName } : {}),
          ...(route.match.metadata.length
            ? { metadata: headerMatches(route.match.metadata) as GrpcRouteMetadata[] }
            : {}),
          ...port,
        },
        ...(retryPolicy
          ? {
              retryPolicy: {
                ...retryPolicy,
                ...(retry!.grpcRetryEvents.length
                  ? {
                      grpcRetryEvents: [...retry!.grpcRetryEvents] as NonNullable<
                        NonNullable<RouteSpec['grpcRoute']>['retryPolicy']
                      >['grpcRetryEvents'],
                    }
                  : {}),
              },
            }
          : {}),
        ...(timeoutSpec ? { timeout: timeoutSpec } : {}),
      },
    };
  }
  const match: HttpRouteMatch = {
    ...pathMatch(route.match),
    ...(route.match.method !== undefined ? { method: route.match.method as HttpRouteMatch['method'] } : {}),
    ...(route.match.scheme !== undefined ? { scheme: route.match.scheme } : {}),
    ...port,
  };
  const headers = headerMatches(route.match.headers);
  if (headers) match.headers = headers;
  const query = queryParameters(route.match.queryParameters);
  if (query) match.queryParameters = query;
  const http = {
    action,
    match,
    ...(retryPolicy ? { retryPolicy } : {}),
    ...(timeoutSpec ? { timeout: timeoutSpec } : {}),
  };
  return model.protocol === 'http2' ? { ...spec, http2Route: http } : { ...spec, httpRoute: http };
}

/** The protocols a virtual gateway listener speaks, each the type of the gateway routes on it. */
export type GatewayProtocol = 'http' | 'http2' | 'grpc';

/**
 * The gateway route is of the type its gateway listener speaks (`protocol`), whatever the service's own protocol:
 * App Mesh checks the route against the gateway's listener, and routes to a virtual service of any protocol.
 */
export function gatewayRouteSpec(
  g: GatewayModel,
  virtualServiceName: string,
  protocol: GatewayProtocol,
): GatewayRouteSpec {
  const target = {
    virtualService: { virtualServiceName },
    ...(g.targetPort !== undefined ? { port: g.targetPort } : {}),
  };
  const spec: GatewayRouteSpec = g.priority !== undefined ? { priority: g.priority } : {};
  const hostname =
    g.hostname !== undefined
      ? { hostname: { exact: g.hostname } }
      : g.hostnameSuffix !== undefined
        ? { hostname: { suffix: g.hostnameSuffix } }
        : {};
  const port = g.port !== undefined ? { port: g.port } : {};
  const hostnameRewrite = g.rewrite?.hostname
    ? { hostname: { defaultTargetHostname: g.rewrite.hostname } }
    : {};
  if (protocol === 'grpc') {
    return {
      ...spec,
      grpcRoute: {
        action: { target, ...(g.rewrite?.hostname ? { rewrite: hostnameRewrite } : {}) },
        match: {
          ...(g.grpcServiceName !== undefined ? { serviceName: g.grpcServiceName } : {}),
          ...hostname,
          ...(g.metadata.length ? { metadata: headerMatches(g.metadata) as GrpcGatewayRouteMetadata[] } : {}),
          ...port,
        },
      },
    };
  }
  const match: HttpGatewayRouteMatch = {
    ...pathMatch(g),
    ...(g.method !== undefined ? { method: g.method as HttpGatewayRouteMatch['method'] } : {}),
    ...hostname,
    ...port,
  };
  const headers = headerMatches(g.headers);
  if (headers) match.headers = headers;
  const query = queryParameters(g.queryParameters);
  if (query) match.queryParameters = query;
  const pathRewrite =
    g.rewrite?.prefix !== undefined
      ? { prefix: { value: g.rewrite.prefix } }
      : g.rewrite?.defaultPrefix !== undefined
        ? { prefix: { defaultPrefix: g.rewrite.defaultPrefix } }
        : g.rewrite?.path !== undefined
          ? { path: { exact: g.rewrite.path } }
          : {};
  const rewrite = { ...pathRewrite, ...hostnameRewrite };
  const route = { action: { target, ...(Object.keys(rewrite).length ? { rewrite } : {}) }, match };
  return protocol === 'http2' ? { ...spec, http2Route: route } : { ...spec, httpRoute: route };
}

export interface DesiredOptions {
  readonly owner: Owner;
  /** The revision record (ownership.revisionRecordTags) as stored, carried by every virtual node. */
  readonly ledger?: readonly KeyValue[];
  /**
   * The request's window claim (ownership.ts `windowClaim`): on the virtual service, which carries only the
   * ownership tags and the Tags property; an edge service has none, so on its first virtual node while the node's
   * tags leave room (a record of ten 255-character families and 36 Tags fill all 50: the claim then yields).
   */
  readonly claim?: KeyValue;
  /** The protocol of the gateway listener the gateway route is on, as read; the service's own protocol without it. */
  readonly gatewayProtocol?: GatewayProtocol;
}

export function desiredMesh(model: AppMeshModel, options: DesiredOptions): DesiredResource[] {
  const tags = [...ownershipTags(options.owner), ...model.tags];
  const out: DesiredResource[] = model.versions.map((v) => ({
    key: { kind: 'virtualNode', name: v.nodeName },
    spec: virtualNodeSpec(model, v),
    tags: [
      ...tags,
      ...(v.taskDefinition ? [{ key: TAG.taskFamily, value: v.taskDefinition.family }] : []),
      ...(options.ledger ?? []),
    ],
  }));
  const claim = options.claim ? [options.claim] : [];
  const first = out[0];
  if (model.virtualServiceName === undefined && first && claim.length && first.tags.length < MAX_TAGS)
    out[0] = { ...first, tags: [...first.tags, ...claim] };
  if (model.router) {
    const router = model.router;
    out.push({
      key: { kind: 'virtualRouter', name: router.name },
      spec: { listeners: [{ portMapping: { port: model.port, protocol: model.protocol } }] },
      tags,
    });
    for (const r of router.routes) {
      out.push({
        key: { kind: 'route', name: r.name, parent: router.name },
        spec: routeSpec(model, r),
        tags,
      });
    }
  }
  if (model.virtualServiceName !== undefined) {
    out.push({
      key: { kind: 'virtualService', name: model.virtualServiceName },
      spec: {
        provider: model.router
          ? { virtualRouter: { virtualRouterName: model.router.name } }
          : { virtualNode: { virtualNodeName: model.versions[0]!.nodeName } },
      },
      tags: [...tags, ...claim],
    });
    if (model.gateway) {
      out.push({
        key: {
          kind: 'gatewayRoute',
          name: model.gateway.routeName,
          parent: model.gateway.virtualGatewayName,
        },
        spec: gatewayRouteSpec(
          model.gateway,
          model.virtualServiceName,
          options.gatewayProtocol ?? (model.protocol === 'tcp' ? 'http' : model.protocol),
        ),
        tags,
      });
    }
  }
  return out;
}

/** The keys a model manages (used for the other side of an update: what the old properties had). */
export function managedKeys(model: AppMeshModel): ResourceKey[] {
  return desiredMesh(model, {
    owner: { physicalId: model.physicalId, stackId: '', logicalResourceId: '' },
  }).map((r) => r.key);
}
