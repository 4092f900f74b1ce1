/**
 * App Mesh rules the model cannot express, each a pure function that throws the service's error. Only rules we can
 * support from the App Mesh documentation are here; see docs/emulator.md for the ones left out.
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
const GATEWAY_ROUTE_KINDS = ['httpRoute', 'http2Route', 'grpcRoute'] as const;
const RESERVED_PREFIX = '/aws-appmesh';

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

/** Path prefixes start with '/' and may not use the prefix App Mesh reserves for itself. */
function checkPrefix(prefix: unknown, path: string): void {
  if (typeof prefix !== 'string') return;
  if (!prefix.startsWith('/')) {
    throw appMeshErrors.badRequest(
      `Value '${prefix}' at '${path}' failed to satisfy constraint: a prefix must start with '/'`,
    );
  }
  if (prefix.startsWith(RESERVED_PREFIX)) {
    throw appMeshErrors.badRequest(
      `Value '${prefix}' at '${path}' is not allowed: prefixes beginning with ${RESERVED_PREFIX} are reserved by App Mesh`,
    );
  }
}

export function checkRouteSpec(spec: JsonObject): RouteKind {
  const kind = singleRouteKind(spec, Object.keys(ROUTE_PROTOCOLS) as RouteKind[], 'route');
  if (kind === 'httpRoute' || kind === 'http2Route') {
    checkPrefix(objectAt(spec, kind, 'match')?.prefix, `spec.${kind}.match.prefix`);
  }
  return kind;
}

export function checkGatewayRouteSpec(spec: JsonObject): void {
  const kind = singleRouteKind(spec, GATEWAY_ROUTE_KINDS, 'gateway route');
  if (kind !== 'grpcRoute') checkPrefix(objectAt(spec, kind, 'match')?.prefix, `spec.${kind}.match.prefix`);
}

interface ListenerPort {
  readonly port: unknown;
  readonly protocol: unknown;
}

function routerListeners(routerSpec: JsonObject): ListenerPort[] {
  const listeners = Array.isArray(routerSpec.listeners) ? routerSpec.listeners : [];
  return listeners
    .map((l) => objectAt(l, 'portMapping') ?? {})
    .map((pm) => ({ port: pm.port, protocol: pm.protocol }));
}

/**
 * A route's type must match the protocol of the virtual router listener it attaches to (httpRoute ↔ http, …): the
 * listener with the route's `match.port` when it names one, otherwise any listener.
 */
export function checkRouteFitsRouter(
  routeName: string,
  routeSpec: JsonObject,
  routerName: string,
  routerSpec: JsonObject,
) {
  const kind = checkRouteSpec(routeSpec);
  const protocol = ROUTE_PROTOCOLS[kind];
  const listeners = routerListeners(routerSpec);
  const port = objectAt(routeSpec, kind, 'match')?.port;
  const candidates = port === undefined ? listeners : listeners.filter((l) => l.port === port);
  if (!candidates.some((l) => l.protocol === protocol)) {
    const have = listeners.map((l) => `${String(l.protocol)}:${String(l.port)}`).join(', ') || 'no listeners';
    throw appMeshErrors.badRequest(
      `Route '${routeName}' is a ${kind} (protocol ${protocol}${port === undefined ? '' : `, port ${String(port)}`}) ` +
        `but virtual router '${routerName}' has ${have}: the route type must match the router listener's protocol`,
    );
  }
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
