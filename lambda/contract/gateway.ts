/** The gateway route on an existing virtual gateway: its match, rewrite, and rules. */
import { type Infer, int, oneOf, optional, str, struct } from './dsl';
import { HTTP_METHODS, SHARED_MATCH_FIELDS } from './matches';
import { hostname, known, type Protocol, pathPrefix, port, type Report, resourceName } from './values';

export const GatewayRewrite = struct(
  'GatewayRewrite',
  {
    Prefix: optional(
      str({
        min: 1,
        max: 255,
        pattern: /^\/(?:.*\/)?$/,
        patternHint: 'a path that starts and ends with "/"',
      }),
      { description: 'Replace the matched prefix with this one (needs a Prefix match).', update: 'in-place' },
    ),
    DefaultPrefix: optional(oneOf('ENABLED', 'DISABLED').named('DefaultGatewayRouteRewrite'), {
      description: 'ENABLED rewrites the matched prefix to `/`; DISABLED keeps the path as it is.',
      update: 'in-place',
    }),
    Path: optional(str({ min: 1, max: 255, pattern: /^\//, patternHint: 'a path starting with "/"' }), {
      description:
        'Replace the whole path with this one (App Mesh `rewrite.path.exact`; needs a Path match).',
      update: 'in-place',
    }),
    Hostname: optional(oneOf('ENABLED', 'DISABLED').named('DefaultGatewayRouteRewrite'), {
      description: "ENABLED rewrites the host header to the virtual service's name.",
      update: 'in-place',
    }),
  },
  {
    description:
      'How the gateway rewrites a matched request. Give at most one of Prefix, DefaultPrefix, Path; grpc gateway routes rewrite the hostname only.',
  },
);

export const Gateway = struct(
  'Gateway',
  {
    VirtualGatewayName: optional(resourceName(), {
      description:
        'App Mesh: an existing virtual gateway in the mesh (the platform owns it). Required with Backend AppMesh; with Backend ServiceConnect give ListenerArn instead.',
      update: 'in-place',
    }),
    ListenerArn: optional(
      str({
        min: 1,
        max: 2048,
        pattern: /^arn:[^:]+:elasticloadbalancing:[^:]+:\d{12}:listener\/app\/[^/]+\/[0-9a-f]+\/[0-9a-f]+$/,
        patternHint:
          'an Application Load Balancer listener ARN (arn:aws:elasticloadbalancing:<region>:<account>:listener/app/<name>/<id>/<id>)',
      }),
      {
        description:
          "Service Connect: the Application Load Balancer listener (the platform's) that takes the gateway route: the resource owns a listener rule on it, with the route's matches as conditions and its rewrites as transforms, forwarding to a target group it owns (attribute TargetGroupArn, for the AWS::ECS::Service LoadBalancers). Required with Backend ServiceConnect.",
        update: 'in-place',
      },
    ),
    VpcId: optional(
      str({ min: 1, max: 64, pattern: /^vpc-[0-9a-f]{8,17}$/, patternHint: 'a VPC id (vpc-<hex>)' }),
      {
        description:
          "Service Connect: the VPC of the target group (ip targets: the ECS service's tasks). A change replaces the target group.",
        defaultDoc: "the VPC of the listener's load balancer",
        update: 'in-place',
      },
    ),
    RulePriority: optional(int({ min: 1, max: 50000 }), {
      description:
        "Service Connect: the listener rule's priority (1-50000, unique per listener; the lowest is evaluated first). A priority another rule of the listener holds is refused before any change.",
      defaultDoc:
        'the priority the rule already has; for a new rule, one derived from the physical id (from 10001, the next free one)',
      update: 'in-place',
    }),
    RouteName: optional(resourceName(), {
      description: 'Name of the gateway route.',
      defaultDoc: '`<ServiceName>`',
      update: 'in-place',
    }),
    Prefix: optional(pathPrefix(), {
      description: 'http/http2: requests whose path starts with this prefix.',
      defaultDoc: '`/` when neither Path nor PathRegex is given (an http or http2 gateway listener)',
      update: 'in-place',
    }),
    Path: optional(str({ min: 1, max: 255, pattern: /^\//, patternHint: 'a path starting with "/"' }), {
      description: 'http/http2: requests whose path is exactly this.',
      update: 'in-place',
    }),
    PathRegex: optional(str({ min: 1, max: 255 }), {
      description: 'http/http2: requests whose path matches this regular expression.',
      update: 'in-place',
    }),
    Method: optional(oneOf(...HTTP_METHODS).named('HttpMethod'), {
      description: 'http/http2: HTTP method.',
      update: 'in-place',
    }),
    Hostname: optional(hostname(), { description: 'Requests for exactly this host.', update: 'in-place' }),
    HostnameSuffix: optional(
      str({
        min: 1,
        max: 253,
        pattern: /^[A-Za-z0-9_.-]+$/,
        patternHint: 'the end of a host name, such as .example.com',
      }),
      {
        description: 'Requests for a host name ending with this (App Mesh `hostname.suffix`).',
        update: 'in-place',
      },
    ),
    Headers: SHARED_MATCH_FIELDS.Headers,
    QueryParameters: SHARED_MATCH_FIELDS.QueryParameters,
    ServiceName: optional(str({ min: 1, max: 255 }), {
      description: 'grpc: requests for this fully qualified gRPC service name.',
      update: 'in-place',
    }),
    Metadata: SHARED_MATCH_FIELDS.Metadata,
    Port: optional(port(), {
      description:
        "The virtual gateway listener port the route takes requests on (App Mesh `match.port`); required by App Mesh when the gateway has several listeners, and checked by App Mesh against the gateway's listeners.",
      update: 'in-place',
    }),
    TargetPort: optional(port(), {
      description:
        'The port of the virtual service provider the requests go to (App Mesh `action.target.port`); the provider listens on `Port` only, so it must equal `Port`.',
      update: 'in-place',
    }),
    Priority: optional(int({ min: 0, max: 1000 }), {
      description: 'Gateway route priority; 0 is the highest.',
      update: 'in-place',
    }),
    Rewrite: optional(GatewayRewrite, {
      description: 'Prefix, path and hostname rewriting.',
      update: 'in-place',
    }),
  },
  {
    description:
      "Exposes the service through a gateway route on an existing virtual gateway. The route's type is the protocol of the gateway listener it is on (the one on `Port`, or the only one), not the service's: an `httpRoute` on an http listener, an `http2Route` on http2, a `grpcRoute` on grpc, whatever the service's Protocol (App Mesh routes to a virtual service of any protocol). Prefix, Path, PathRegex, Method, Headers, QueryParameters and the path rewrites are the matches of an http or http2 listener; ServiceName and Metadata of a grpc one: matches the listener's route type has not are refused when the gateway is read, before any change.",
  },
);

export const gatewayFields = {
  Gateway: optional(Gateway, {
    description: 'Gateway route on an existing virtual gateway.',
    update: 'in-place',
  }),
};

export type GatewayProps = Infer<typeof Gateway>;

/** The Gateway matches only a grpcRoute has. */
export function gatewayGrpcFields(g: GatewayProps): string[] {
  return (['ServiceName', 'Metadata'] as const).filter((k) => g[k] !== undefined);
}

/** The Gateway matches and rewrites only an httpRoute or http2Route has. */
export function gatewayHttpFields(g: GatewayProps): string[] {
  const rewrite = known(g.Rewrite) ? g.Rewrite : undefined;
  return [
    ...(['Prefix', 'Path', 'PathRegex', 'Method', 'Headers', 'QueryParameters'] as const).filter(
      (k) => g[k] !== undefined,
    ),
    ...(['Prefix', 'DefaultPrefix', 'Path'] as const)
      .filter((k) => rewrite?.[k] !== undefined)
      .map((k) => `Rewrite.${k}`),
  ];
}

export function gatewayRules(
  g: GatewayProps,
  protocol: Protocol | undefined,
  servicePort: number | undefined,
  report: Report,
): void {
  if (protocol === 'tcp')
    report('Gateway', 'virtual gateways route http, http2 and grpc only; a tcp service cannot be exposed');
  const paths = (['Prefix', 'Path', 'PathRegex'] as const).filter((k) => g[k] !== undefined);
  if (paths.length > 1)
    report(
      'Gateway',
      paths.length === 2 && !paths.includes('PathRegex')
        ? 'give Prefix or Path, not both'
        : `give one of Prefix, Path, PathRegex (got ${paths.join(', ')})`,
    );
  if (g.Hostname !== undefined && g.HostnameSuffix !== undefined)
    report('Gateway.HostnameSuffix', 'give Hostname or HostnameSuffix, not both');
  const rewrite = known(g.Rewrite) ? g.Rewrite : undefined;
  // The route's type is the gateway listener's protocol, which only the gateway knows (checked when it is read):
  // here, only matches of two types at once are refused.
  const grpc = gatewayGrpcFields(g);
  const http = gatewayHttpFields(g);
  if (grpc.length && http.length) {
    report(
      `Gateway.${grpc[0]}`,
      `a gateway route has one type, its gateway listener's protocol: ServiceName and Metadata match a grpcRoute, ${http.join(', ')} an httpRoute or http2Route; give the matches of one`,
    );
  }
  if (rewrite) {
    if (rewrite.Prefix !== undefined && rewrite.DefaultPrefix !== undefined) {
      report('Gateway.Rewrite', 'give Prefix or DefaultPrefix, not both');
    }
    const prefixRewrite = rewrite.Prefix !== undefined || rewrite.DefaultPrefix !== undefined;
    if (rewrite.Path !== undefined && prefixRewrite)
      report('Gateway.Rewrite', 'give Path or a prefix rewrite, not both');
    if (prefixRewrite && (g.Path !== undefined || g.PathRegex !== undefined)) {
      report('Gateway.Rewrite', 'a prefix rewrite needs a Prefix match, not Path');
    }
    if (rewrite.Path !== undefined && g.Path === undefined) {
      report('Gateway.Rewrite.Path', 'a path rewrite needs a Path (exact) match');
    }
  }
  if (known(g.TargetPort) && servicePort !== undefined && g.TargetPort !== servicePort) {
    report(
      'Gateway.TargetPort',
      `must equal Port (${servicePort}), the only listener of the service's provider, got ${g.TargetPort}`,
    );
  }
}
