/**
 * App Mesh rules the model cannot express, each a pure function that throws the service's error (the quotas it
 * enforces are in quotas.ts). Only rules we can support from the App Mesh documentation are here; see
 * docs/emulator.md for the ones left out.
 */
import { appMeshErrors } from '../errors';
import { isPlainObject, type JsonObject } from '../util';
import { KINDS, type Kind } from './kinds';

const ROUTE_PROTOCOLS = {
  httpRoute: 'http',
  http2Route: 'http2',
  grpcRoute: 'grpc',
  tcpRoute: 'tcp',
} as const;
type RouteKind = keyof typeof ROUTE_PROTOCOLS;
const GATEWAY_ROUTE_PROTOCOLS = {
  httpRoute: 'http',
  http2Route: 'http2',
  grpcRoute: 'grpc',
} as const;
type GatewayRouteKind = keyof typeof GATEWAY_ROUTE_PROTOCOLS;
const GATEWAY_ROUTE_KINDS = Object.keys(GATEWAY_ROUTE_PROTOCOLS) as GatewayRouteKind[];
const RESERVED_PREFIX = '/aws-appmesh';
/** App Mesh user guide, "Gateway routes": "You can't specify either /aws-appmesh* or /aws-app-mesh* for Prefix match". */
const GATEWAY_RESERVED_PREFIXES = [RESERVED_PREFIX, '/aws-app-mesh'];
/** App Mesh user guide, "Gateway routes": "You can't specify /aws.app-mesh* or aws.appmesh for the Service name". */
const GATEWAY_RESERVED_GRPC_SERVICES = ['aws.app-mesh', 'aws.appmesh'];
/** API reference, WeightedTarget: "The total weight for all targets combined must be less than or equal to 100." */
const MAX_TOTAL_WEIGHT = 100;
/** Retry event lists per route type (API reference, HttpRetryPolicy / GrpcRetryPolicy). */
const RETRY_EVENT_MEMBERS: Record<RouteKind, readonly string[]> = {
  httpRoute: ['httpRetryEvents', 'tcpRetryEvents'],
  http2Route: ['httpRetryEvents', 'tcpRetryEvents'],
  grpcRoute: ['grpcRetryEvents', 'httpRetryEvents', 'tcpRetryEvents'],
  tcpRoute: [],
};

function objectAt(value: unknown, ...path: string[]): JsonObject | undefined {
  let node: unknown = value;
  for (const key of path) node = isPlainObject(node) ? node[key] : undefined;
  return isPlainObject(node) ? node : undefined;
}

/** The API reference: clientToken allows "up to 36 letters, numbers, hyphens, and underscores". */
export function checkClientToken(token: unknown): void {
  if (typeof token === 'string' && !/^[A-Za-z0-9_-]{1,36}$/.test(token)) {
    throw appMeshErrors.badRequest(
      `Value '${token}' at 'clientToken' failed to satisfy constraint: up to 36 letters, numbers, hyphens, and underscores are allowed`,
    );
  }
}

/**
 * Names become ARN path segments, so App Mesh refuses a '/' in them (aws/aws-app-mesh-roadmap#101: passing an ARN as
 * meshName is answered with 400).
 */
export function checkResourceName(name: string, member: string): void {
  if (name.includes('/')) {
    throw appMeshErrors.badRequest(
      `Value '${name}' at '${member}' failed to satisfy constraint: a name may not contain '/'`,
    );
  }
}

/** A route spec names exactly one route type (RouteSpec / GatewayRouteSpec are not unions in the model). */
function singleRouteKind<K extends string>(spec: JsonObject, kinds: readonly K[], what: string): K {
  const present = kinds.filter((k) => spec[k] !== undefined && spec[k] !== null);
  const [only] = present;
  if (present.length !== 1 || only === undefined) {
    throw appMeshErrors.badRequest(
      `A ${what} spec must specify exactly one of ${kinds.join(', ')}; found ${present.length === 0 ? 'none' : present.join(', ')}`,
    );
  }
  return only;
}

/** Path prefixes start with '/' and may not use the prefixes App Mesh reserves for itself. */
function checkPrefix(prefix: unknown, path: string, reserved: readonly string[] = [RESERVED_PREFIX]): void {
  if (typeof prefix !== 'string') return;
  if (!prefix.startsWith('/')) {
    throw appMeshErrors.badRequest(
      `Value '${prefix}' at '${path}' failed to satisfy constraint: a prefix must start with '/'`,
    );
  }
  const taken = reserved.find((r) => prefix.startsWith(r));
  if (taken !== undefined) {
    throw appMeshErrors.badRequest(
      `Value '${prefix}' at '${path}' is not allowed: prefixes beginning with ${taken} are reserved by App Mesh`,
    );
  }
}

function listOf(value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.filter(isPlainObject) : [];
}

/** API reference, WeightedTarget: the weights of a route's targets add up to at most 100. */
function checkTotalWeight(kind: RouteKind, spec: JsonObject): void {
  const targets = listOf(objectAt(spec, kind, 'action')?.weightedTargets);
  const total = targets.reduce((sum, t) => sum + (typeof t.weight === 'number' ? t.weight : 0), 0);
  if (total > MAX_TOTAL_WEIGHT) {
    throw appMeshErrors.badRequest(
      `The weights at 'spec.${kind}.action.weightedTargets' add up to ${total}: the total weight for all targets combined must be less than or equal to ${MAX_TOTAL_WEIGHT}.`,
    );
  }
}

/**
 * API reference, HttpRetryPolicy / GrpcRetryPolicy: "Specify at least one value for at least one of the types of
 * RetryEvents" (the model's min 1 refuses empty lists; this refuses a policy with none of them).
 */
function checkRetryPolicy(kind: RouteKind, spec: JsonObject): void {
  const policy = objectAt(spec, kind, 'retryPolicy');
  if (!policy) return;
  const members = RETRY_EVENT_MEMBERS[kind];
  if (!members.some((m) => Array.isArray(policy[m]) && policy[m].length > 0)) {
    throw appMeshErrors.badRequest(
      `The retry policy at 'spec.${kind}.retryPolicy' specifies no retry events: specify at least one value for at least one of ${members.join(', ')}.`,
    );
  }
}

/** API reference, GrpcRouteMatch.methodName: "If you specify a name, you must also specify a serviceName." */
function checkGrpcMatch(spec: JsonObject): void {
  const match = objectAt(spec, 'grpcRoute', 'match');
  if (match?.methodName !== undefined && match.serviceName === undefined) {
    throw appMeshErrors.badRequest(
      `A gRPC route that matches methodName '${String(match.methodName)}' must also specify a serviceName (spec.grpcRoute.match.serviceName).`,
    );
  }
}

export function checkRouteSpec(spec: JsonObject): RouteKind {
  const kind = singleRouteKind(spec, Object.keys(ROUTE_PROTOCOLS) as RouteKind[], 'route');
  if (kind === 'httpRoute' || kind === 'http2Route') {
    checkPrefix(objectAt(spec, kind, 'match')?.prefix, `spec.${kind}.match.prefix`);
  }
  if (kind === 'grpcRoute') checkGrpcMatch(spec);
  checkTotalWeight(kind, spec);
  checkRetryPolicy(kind, spec);
  return kind;
}

export function checkGatewayRouteSpec(spec: JsonObject): GatewayRouteKind {
  const kind = singleRouteKind(spec, GATEWAY_ROUTE_KINDS, 'gateway route');
  if (kind === 'grpcRoute') {
    const service = objectAt(spec, kind, 'match')?.serviceName;
    if (typeof service === 'string' && GATEWAY_RESERVED_GRPC_SERVICES.some((r) => service.startsWith(r))) {
      throw appMeshErrors.badRequest(
        `Value '${service}' at 'spec.grpcRoute.match.serviceName' is not allowed: service names beginning with ${GATEWAY_RESERVED_GRPC_SERVICES.join(' or ')} are reserved by App Mesh`,
      );
    }
  } else {
    checkPrefix(
      objectAt(spec, kind, 'match')?.prefix,
      `spec.${kind}.match.prefix`,
      GATEWAY_RESERVED_PREFIXES,
    );
  }
  return kind;
}

interface ListenerPort {
  readonly port: unknown;
  readonly protocol: unknown;
}

function listenerPorts(parentSpec: JsonObject): ListenerPort[] {
  return listOf(parentSpec.listeners)
    .map((l) => objectAt(l, 'portMapping') ?? {})
    .map((pm) => ({ port: pm.port, protocol: pm.protocol }));
}

/**
 * A (gateway) route attaches to a listener of its parent: the one with its `match.port`, or the only one. With
 * several listeners the route must name the port: real App Mesh answers "Route must define a port match criteria if
 * the Virtual Router has multiple listeners" (aws/aws-app-mesh-controller-for-k8s#715; user guide, "Multiple
 * listeners": "For routes that receive traffic from a resource with multiple listeners, you must specify the
 * MatchPort value"). Its type must match that listener's protocol.
 */
function checkFitsListener(args: {
  what: 'Route' | 'Gateway route';
  name: string;
  kind: string;
  protocol: string;
  port: unknown;
  parentLabel: 'Virtual Router' | 'Virtual Gateway';
  parentName: string;
  listeners: ListenerPort[];
}): void {
  const { what, name, kind, protocol, port, parentLabel, parentName, listeners } = args;
  if (listeners.length > 1 && port === undefined) {
    throw appMeshErrors.badRequest(
      `${what} must define a port match criteria if the ${parentLabel} has multiple listeners (${what.toLowerCase()} '${name}', ${parentLabel.toLowerCase()} '${parentName}').`,
    );
  }
  const candidates = port === undefined ? listeners : listeners.filter((l) => l.port === port);
  if (!candidates.some((l) => l.protocol === protocol)) {
    const have = listeners.map((l) => `${String(l.protocol)}:${String(l.port)}`).join(', ') || 'no listeners';
    throw appMeshErrors.badRequest(
      `${what} '${name}' is a ${kind} (protocol ${protocol}${port === undefined ? '' : `, port ${String(port)}`}) ` +
        `but ${parentLabel.toLowerCase()} '${parentName}' has ${have}: the ${what.toLowerCase()} type must match the listener's protocol`,
    );
  }
}

/**
 * App Mesh user guide, "Routes": "The protocol that you select must match the listener protocol that you selected
 * for your virtual router" (httpRoute ↔ http, …).
 */
export function checkRouteFitsRouter(
  routeName: string,
  routeSpec: JsonObject,
  routerName: string,
  routerSpec: JsonObject,
) {
  const kind = checkRouteSpec(routeSpec);
  checkFitsListener({
    what: 'Route',
    name: routeName,
    kind,
    protocol: ROUTE_PROTOCOLS[kind],
    port: objectAt(routeSpec, kind, 'match')?.port,
    parentLabel: 'Virtual Router',
    parentName: routerName,
    listeners: listenerPorts(routerSpec),
  });
}

/**
 * The same rule for a gateway route and its virtual gateway's listener (httpRoute ↔ http, http2Route ↔ http2,
 * grpcRoute ↔ grpc). The "Gateway routes" page of the user guide does not restate it; it is the documented router rule
 * applied to the gateway's listener, as the gateway route types mirror the gateway listener protocols.
 */
export function checkGatewayRouteFitsGateway(
  routeName: string,
  routeSpec: JsonObject,
  gatewayName: string,
  gatewaySpec: JsonObject,
) {
  const kind = checkGatewayRouteSpec(routeSpec);
  checkFitsListener({
    what: 'Gateway route',
    name: routeName,
    kind,
    protocol: GATEWAY_ROUTE_PROTOCOLS[kind],
    port: objectAt(routeSpec, kind, 'match')?.port,
    parentLabel: 'Virtual Gateway',
    parentName: gatewayName,
    listeners: listenerPorts(gatewaySpec),
  });
}

/**
 * App Mesh user guide, "Gateway routes" (creating a gateway route): "Choose the port that corresponds to the target for
 * Virtual service provider port. Virtual service provider port is required when the provider (router or node) of the
 * selected virtual service has multiple listeners." So a gateway route's `action.target.port` must be a listener port
 * of the target virtual service's provider, and is required when that provider has several listeners (wording ours).
 * A virtual service without a provider has no listener to check.
 */
export function checkGatewayRouteTargetPort(args: {
  routeName: string;
  routeSpec: JsonObject;
  providerLabel: 'virtual node' | 'virtual router';
  providerName: string;
  providerSpec: JsonObject;
}): void {
  const { routeName, routeSpec, providerLabel, providerName, providerSpec } = args;
  const kind = GATEWAY_ROUTE_KINDS.find((k) => isPlainObject(routeSpec[k]));
  if (!kind) return;
  const port = objectAt(routeSpec, kind, 'action', 'target')?.port;
  const ports = listenerPorts(providerSpec).map((l) => l.port);
  if (port === undefined) {
    if (ports.length > 1) {
      throw appMeshErrors.badRequest(
        `Gateway route '${routeName}' must specify spec.${kind}.action.target.port: the target's provider, ${providerLabel} '${providerName}', has multiple listeners (${ports.join(', ')}).`,
      );
    }
    return;
  }
  if (!ports.includes(port)) {
    throw appMeshErrors.badRequest(
      `Value '${String(port)}' at 'spec.${kind}.action.target.port' does not correspond to a listener of ${providerLabel} '${providerName}', the target's provider (listeners: ${ports.join(', ') || 'none'}).`,
    );
  }
}

/**
 * A listener's own consistency (virtual nodes and virtual gateways):
 * - API reference, HealthCheckPolicy.port: "This port must match the port defined in the PortMapping for the listener."
 * - API reference, VirtualNodeConnectionPool / VirtualGatewayConnectionPool: "Only one protocol is used at a time and
 *   should be the same protocol as the one chosen under port mapping"; user guide, "Virtual gateways": "The
 *   connectionPool and portMapping protocols must be the same."
 * - Virtual gateways: a grpc health check needs an http2 or grpc listener; real wording "GRPC HealthCheck requires
 *   listener type of HTTP2 or GRPC." (hashicorp/terraform-provider-aws#21359).
 */
function checkListener(listener: JsonObject, path: string, owner: 'virtualNode' | 'virtualGateway'): void {
  const mapping = objectAt(listener, 'portMapping');
  const port = mapping?.port;
  const protocol = mapping?.protocol;
  const healthCheck = objectAt(listener, 'healthCheck');
  if (healthCheck?.port !== undefined && healthCheck.port !== port) {
    throw appMeshErrors.badRequest(
      `Value '${String(healthCheck.port)}' at '${path}.healthCheck.port' is not allowed: the health check port must match the listener's port mapping port ${String(port)}.`,
    );
  }
  if (
    owner === 'virtualGateway' &&
    healthCheck?.protocol === 'grpc' &&
    protocol !== 'http2' &&
    protocol !== 'grpc'
  ) {
    throw appMeshErrors.badRequest('GRPC HealthCheck requires listener type of HTTP2 or GRPC.');
  }
  const pool = objectAt(listener, 'connectionPool');
  const poolType = pool
    ? Object.keys(pool).find((k) => pool[k] !== undefined && pool[k] !== null)
    : undefined;
  if (poolType !== undefined && poolType !== protocol) {
    throw appMeshErrors.badRequest(
      `The connection pool at '${path}.connectionPool' is of type ${poolType} but the listener's protocol is ${String(protocol)}: the connection pool and port mapping protocols must be the same.`,
    );
  }
}

/**
 * Virtual node spec rules:
 * - API reference, VirtualNodeSpec.serviceDiscovery: "If you specify a listener, then you must specify service
 *   discovery information"; and the converse, real wording "Service Discovery can't be set without a listener."
 *   (hashicorp/terraform-provider-aws#13337).
 * - Backends: two backends naming the same virtual service are refused (aws/aws-app-mesh-roadmap#170: the App Mesh
 *   team's bug report that the API silently merged them and "should validate this and return a client error").
 * - Each listener (checkListener).
 */
export function checkVirtualNodeSpec(spec: JsonObject): void {
  const listeners = listOf(spec.listeners);
  const discovery = isPlainObject(spec.serviceDiscovery);
  if (listeners.length > 0 && !discovery) {
    throw appMeshErrors.badRequest(
      'A virtual node with a listener must specify service discovery information (spec.serviceDiscovery): if you specify a listener, then you must specify service discovery information.',
    );
  }
  if (discovery && listeners.length === 0) {
    throw appMeshErrors.badRequest("Service Discovery can't be set without a listener.");
  }
  listeners.forEach((l, i) => {
    checkListener(l, `spec.listeners[${i}]`, 'virtualNode');
  });
  const seen = new Set<string>();
  listOf(spec.backends).forEach((backend, i) => {
    const name = objectAt(backend, 'virtualService')?.virtualServiceName;
    if (typeof name !== 'string') return;
    if (seen.has(name)) {
      throw appMeshErrors.badRequest(
        `Duplicate backend at 'spec.backends[${i}]': virtual service '${name}' is already a backend of this virtual node.`,
      );
    }
    seen.add(name);
  });
}

export function checkVirtualGatewaySpec(spec: JsonObject): void {
  listOf(spec.listeners).forEach((l, i) => {
    checkListener(l, `spec.listeners[${i}]`, 'virtualGateway');
  });
}

export interface Reference {
  readonly kind: Kind;
  readonly name: string;
  /** Where in the spec the reference is, for messages. */
  readonly path: string;
}

/**
 * The resources a spec refers to and that must exist (NotFoundException at create/update) and may not be deleted
 * while referred to (ResourceInUseException). Virtual node backends are deliberately not references: App Mesh
 * accepts a backend virtual service that does not exist (yet).
 */
export function referencesOf(kind: Kind, spec: JsonObject): Reference[] {
  const refs: Reference[] = [];
  if (kind === 'virtualService') {
    const node = objectAt(spec, 'provider', 'virtualNode')?.virtualNodeName;
    if (typeof node === 'string') {
      refs.push({ kind: 'virtualNode', name: node, path: 'spec.provider.virtualNode.virtualNodeName' });
    }
    const router = objectAt(spec, 'provider', 'virtualRouter')?.virtualRouterName;
    if (typeof router === 'string') {
      refs.push({
        kind: 'virtualRouter',
        name: router,
        path: 'spec.provider.virtualRouter.virtualRouterName',
      });
    }
  }
  if (kind === 'route') {
    for (const routeKind of Object.keys(ROUTE_PROTOCOLS)) {
      const targets = objectAt(spec, routeKind, 'action')?.weightedTargets;
      if (!Array.isArray(targets)) continue;
      targets.forEach((t, i) => {
        if (isPlainObject(t) && typeof t.virtualNode === 'string') {
          refs.push({
            kind: 'virtualNode',
            name: t.virtualNode,
            path: `spec.${routeKind}.action.weightedTargets[${i}].virtualNode`,
          });
        }
      });
    }
  }
  if (kind === 'gatewayRoute') {
    for (const routeKind of GATEWAY_ROUTE_KINDS) {
      const name = objectAt(spec, routeKind, 'action', 'target', 'virtualService')?.virtualServiceName;
      if (typeof name === 'string') {
        refs.push({
          kind: 'virtualService',
          name,
          path: `spec.${routeKind}.action.target.virtualService.virtualServiceName`,
        });
      }
    }
  }
  return refs;
}

export function describeKind(kind: Kind): string {
  return KINDS[kind].label.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}
