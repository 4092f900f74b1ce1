/**
 * Desired App Mesh state: a pure function of the service model. Every resource is keyed by kind, parent and
 * name; the reconciler compares this with what exists.
 */
import type {
  GatewayRouteSpec,
  HttpGatewayRouteMatch,
  HttpRouteHeader,
  HttpRouteMatch,
  RouteSpec,
  VirtualNodeSpec,
  VirtualRouterSpec,
  VirtualServiceSpec,
} from '@aws-sdk/client-app-mesh';
import type { GatewayModel, HeaderMatchModel, RouteModel, ServiceModel } from '../model';
import { type KeyValue, type Owner, ownershipTags, TAG } from '../ownership';

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
    ...(h.match ? { match: { [h.match.kind]: h.match.value } as unknown as HttpRouteHeader['match'] } : {}),
    ...(h.invert ? { invert: true } : {}),
  }));
}

export function virtualNodeSpec(
  model: ServiceModel,
  version: ServiceModel['versions'][number],
): VirtualNodeSpec {
  const hc = model.healthCheck;
  const d = version.discovery;
  const attributes =
    d.kind === 'cloudMap' ? Object.entries(d.attributes).sort(([a], [b]) => a.localeCompare(b)) : [];
  return {
    listeners: [
      {
        portMapping: { port: model.port, protocol: model.protocol },
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
            },
          }
        : { dns: { hostname: d.hostname } },
    ...(model.backends.length
      ? {
          backends: [...model.backends]
            .sort()
            .map((name) => ({ virtualService: { virtualServiceName: name } })),
        }
      : {}),
    ...(model.accessLogPath !== undefined
      ? { logging: { accessLog: { file: { path: model.accessLogPath } } } }
      : {}),
  };
}

export function routeSpec(model: ServiceModel, route: RouteModel): RouteSpec {
  const action = {
    weightedTargets: route.targets.map((t) => ({ virtualNode: t.nodeName, weight: t.weight })),
  };
  const retry = route.retry;
  const timeout = route.timeout;
  const spec: RouteSpec = route.priority !== undefined ? { priority: route.priority } : {};
  if (model.protocol === 'tcp') {
    return {
      ...spec,
      tcpRoute: {
        action,
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
    ...(route.match.path !== undefined
      ? { path: { exact: route.match.path } }
      : { prefix: route.match.prefix ?? '/' }),
    ...(route.match.method !== undefined ? { method: route.match.method as HttpRouteMatch['method'] } : {}),
  };
  const headers = headerMatches(route.match.headers);
  if (headers) match.headers = headers;
  const http = {
    action,
    match,
    ...(retryPolicy ? { retryPolicy } : {}),
    ...(timeoutSpec ? { timeout: timeoutSpec } : {}),
  };
  return model.protocol === 'http2' ? { ...spec, http2Route: http } : { ...spec, httpRoute: http };
}

export function gatewayRouteSpec(
  model: ServiceModel,
  g: GatewayModel,
  virtualServiceName: string,
): GatewayRouteSpec {
  const target = { virtualService: { virtualServiceName } };
  const spec: GatewayRouteSpec = g.priority !== undefined ? { priority: g.priority } : {};
  const hostname = g.hostname !== undefined ? { hostname: { exact: g.hostname } } : {};
  const hostnameRewrite = g.rewrite?.hostname
    ? { hostname: { defaultTargetHostname: g.rewrite.hostname } }
    : {};
  if (model.protocol === 'grpc') {
    return {
      ...spec,
      grpcRoute: {
        action: { target, ...(g.rewrite?.hostname ? { rewrite: hostnameRewrite } : {}) },
        match: { ...hostname },
      },
    };
  }
  const match: HttpGatewayRouteMatch = {
    ...(g.path !== undefined ? { path: { exact: g.path } } : { prefix: g.prefix ?? '/' }),
    ...hostname,
  };
  const headers = headerMatches(g.headers);
  if (headers) match.headers = headers;
  const prefixRewrite =
    g.rewrite?.prefix !== undefined
      ? { prefix: { value: g.rewrite.prefix } }
      : g.rewrite?.defaultPrefix !== undefined
        ? { prefix: { defaultPrefix: g.rewrite.defaultPrefix } }
        : {};
  const rewrite = { ...prefixRewrite, ...hostnameRewrite };
  const route = { action: { target, ...(Object.keys(rewrite).length ? { rewrite } : {}) }, match };
  return model.protocol === 'http2' ? { ...spec, http2Route: route } : { ...spec, httpRoute: route };
}

export interface DesiredOptions {
  readonly owner: Owner;
  /** The revision record (ownership.revisionRecordTags) as stored, carried by every virtual node. */
  readonly ledger?: readonly KeyValue[];
}

export function desiredMesh(model: ServiceModel, options: DesiredOptions): DesiredResource[] {
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
      tags,
    });
    if (model.gateway) {
      out.push({
        key: {
          kind: 'gatewayRoute',
          name: model.gateway.routeName,
          parent: model.gateway.virtualGatewayName,
        },
        spec: gatewayRouteSpec(model, model.gateway, model.virtualServiceName),
        tags,
      });
    }
  }
  return out;
}

/** The keys a model manages (used for the other side of an update: what the old properties had). */
export function managedKeys(model: ServiceModel): ResourceKey[] {
  return desiredMesh(model, {
    owner: { physicalId: model.physicalId, stackId: '', logicalResourceId: '' },
  }).map((r) => r.key);
}
