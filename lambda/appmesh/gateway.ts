/**
 * Which type the service's gateway route is: the protocol of the virtual gateway listener it goes on (the one on
 * `Gateway.Port`, or the only one), whatever the service's own protocol. App Mesh checks a gateway route's type
 * against its gateway's listener, and routes to a target virtual service of any protocol (user guide, "Gateway
 * routes": a gateway route "routes traffic to an existing virtual service"). So an http2 or grpc service behind an
 * http gateway gets an `httpRoute`. Refused here, from the gateway as read and before any change: a port the gateway
 * does not listen on, several listeners without a port (App Mesh needs `match.port` then), and matches the route's
 * type does not have. Pure.
 */
import { MeshServiceError } from '../errors';
import type { GatewayProtocol } from './desired';
import type { GatewayModel } from './model';

const PROTOCOLS: readonly string[] = ['http', 'http2', 'grpc'] satisfies GatewayProtocol[];

export interface GatewayListener {
  readonly port: number;
  readonly protocol: string;
}

const article = (routeType: string) => (routeType.startsWith('http') ? 'an' : 'a');

export function gatewayListenerProtocol(
  g: GatewayModel,
  listeners: readonly GatewayListener[],
): GatewayProtocol {
  const name = `virtual gateway "${g.virtualGatewayName}"`;
  const heard = listeners.map((l) => `${l.protocol} on port ${l.port}`).join(', ') || 'nothing';
  let listener: GatewayListener | undefined;
  if (g.port !== undefined) {
    listener = listeners.find((l) => l.port === g.port);
    if (!listener)
      throw new MeshServiceError(
        `Gateway.Port: ${name} has no listener on port ${g.port}; it listens for ${heard}`,
      );
  } else if (listeners.length === 1) {
    listener = listeners[0];
  } else {
    throw new MeshServiceError(
      listeners.length
        ? `Gateway.Port: required: ${name} has several listeners (${heard}); give the port of the one the gateway route is on`
        : `Gateway.VirtualGatewayName: ${name} has no listener to take a gateway route`,
    );
  }
  const protocol = listener!.protocol;
  if (!PROTOCOLS.includes(protocol))
    throw new MeshServiceError(
      `Gateway.VirtualGatewayName: ${name} listens for ${protocol}, which takes no gateway route`,
    );
  const routeType = `${protocol}Route`;
  const on = `${name} listens for ${protocol} on port ${listener!.port}, so its gateway route is ${article(routeType)} ${routeType}`;
  if (protocol === 'grpc') {
    const http = httpMatches(g);
    if (http.length) {
      const rewriteOnly = http.every((f) => f.startsWith('Rewrite.'));
      throw new MeshServiceError(
        `Gateway.${http[0]}: ${on}, which ${
          rewriteOnly ? 'rewrites the hostname only' : 'matches no path, method, header or query parameter'
        }; match with ServiceName, Hostname or Metadata, or use a gateway with an http or http2 listener`,
      );
    }
  } else {
    const grpc = g.grpcServiceName !== undefined ? 'ServiceName' : g.metadata.length ? 'Metadata' : undefined;
    if (grpc) {
      throw new MeshServiceError(
        `Gateway.${grpc}: ${on}, which matches no gRPC ${
          grpc === 'ServiceName' ? 'service name' : 'metadata'
        }; match with Prefix, Path, PathRegex, Method, Headers or QueryParameters, or use a gateway with a grpc listener`,
      );
    }
  }
  return protocol as GatewayProtocol;
}

/** The matches and rewrites of an httpRoute or http2Route the service's Gateway gives, by property name. */
function httpMatches(g: GatewayModel): string[] {
  return [
    ...(g.prefix !== undefined ? ['Prefix'] : []),
    ...(g.path !== undefined ? ['Path'] : []),
    ...(g.pathRegex !== undefined ? ['PathRegex'] : []),
    ...(g.method !== undefined ? ['Method'] : []),
    ...(g.headers.length ? ['Headers'] : []),
    ...(g.queryParameters.length ? ['QueryParameters'] : []),
    ...(g.rewrite?.prefix !== undefined ? ['Rewrite.Prefix'] : []),
    ...(g.rewrite?.defaultPrefix !== undefined ? ['Rewrite.DefaultPrefix'] : []),
    ...(g.rewrite?.path !== undefined ? ['Rewrite.Path'] : []),
  ];
}
