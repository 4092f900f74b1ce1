/** Routes of the virtual router in front of the versions: matches, weighted targets, retries, timeouts, and their rules. */
import { type Infer, int, list, oneOf, optional, required, str, struct } from './dsl';
import { HTTP_METHODS, SHARED_MATCH_FIELDS } from './matches';
import { known, label, millis, type Protocol, pathPrefix, port, type Report, resourceName } from './values';
import { MAX_ROUTE_WEIGHT, type VersionProps, weightTotal } from './versions';

export const RouteMatch = struct(
  'RouteMatch',
  {
    Prefix: optional(pathPrefix(), {
      description: 'http/http2: requests whose path starts with this prefix.',
      defaultDoc: '`/` when Path is not given (http/http2)',
      update: 'in-place',
    }),
    Path: optional(str({ min: 1, max: 255, pattern: /^\//, patternHint: 'a path starting with "/"' }), {
      description: 'http/http2: requests whose path is exactly this.',
      update: 'in-place',
    }),
    PathRegex: optional(str({ min: 1, max: 255 }), {
      description: 'http/http2: requests whose path matches this regular expression (App Mesh `path.regex`).',
      update: 'in-place',
    }),
    Method: optional(oneOf(...HTTP_METHODS).named('HttpMethod'), {
      description: 'http/http2: HTTP method.',
      update: 'in-place',
    }),
    Scheme: optional(oneOf('http', 'https'), {
      description: 'http/http2: the request scheme.',
      update: 'in-place',
    }),
    Headers: SHARED_MATCH_FIELDS.Headers,
    QueryParameters: SHARED_MATCH_FIELDS.QueryParameters,
    ServiceName: optional(str({ min: 1, max: 255 }), {
      description: 'grpc: fully qualified gRPC service name.',
      update: 'in-place',
    }),
    MethodName: optional(str({ min: 1, max: 50 }), {
      description: 'grpc: method name (needs ServiceName).',
      update: 'in-place',
    }),
    Metadata: SHARED_MATCH_FIELDS.Metadata,
    Port: optional(port(), {
      description:
        "The listener port the route takes requests on (App Mesh `match.port`); the router's only listener is `Port`, so it must equal `Port`.",
      update: 'in-place',
    }),
  },
  {
    description:
      'Which requests a route takes. Give at most one of Prefix, Path, PathRegex. tcp routes take all traffic and match only a Port.',
  },
);

export const RouteTarget = struct(
  'RouteTarget',
  {
    Version: optional(label(32), {
      description: 'Name of a version in `Versions`. Omit when the service has no `Versions`.',
      update: 'in-place',
    }),
    Weight: optional(int({ min: 0, max: 100 }), {
      description: 'Relative weight of the target.',
      defaultDoc: "the version's `Weight`, or 100 for a service without `Versions`",
      update: 'in-place',
    }),
    Port: optional(port(), {
      description:
        "The target virtual node's listener port (App Mesh `weightedTargets[].port`); every node of the service listens on `Port` only, so it must equal `Port`.",
      update: 'in-place',
    }),
  },
  { description: 'A weighted target of a route.' },
);

export const HTTP_RETRY_EVENTS = ['server-error', 'gateway-error', 'client-error', 'stream-error'] as const;
export const GRPC_RETRY_EVENTS = [
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
] as const;

export const RetryPolicy = struct(
  'RetryPolicy',
  {
    MaxRetries: required(int({ min: 0, max: 100 }), {
      description: 'Maximum number of retries.',
      update: 'in-place',
    }),
    PerRetryTimeoutMillis: required(millis(1), {
      description: 'Timeout of each try, in milliseconds.',
      update: 'in-place',
    }),
    HttpRetryEvents: optional(list(oneOf(...HTTP_RETRY_EVENTS), { min: 1, max: 25 }), {
      description: 'HTTP conditions that cause a retry.',
      update: 'in-place',
    }),
    TcpRetryEvents: optional(list(oneOf('connection-error'), { min: 1, max: 1 }), {
      description: 'TCP conditions that cause a retry.',
      update: 'in-place',
    }),
    GrpcRetryEvents: optional(list(oneOf(...GRPC_RETRY_EVENTS), { min: 1, max: 5 }), {
      description: 'grpc: gRPC status conditions that cause a retry.',
      update: 'in-place',
    }),
  },
  { description: 'Retry policy of an http, http2 or grpc route. Give at least one kind of retry event.' },
);

export const RouteTimeout = struct(
  'RouteTimeout',
  {
    PerRequestMillis: optional(millis(0), {
      description: 'http/http2/grpc: per-request timeout in milliseconds (0 disables it).',
      update: 'in-place',
    }),
    IdleMillis: optional(millis(0), {
      description: 'Idle timeout in milliseconds (0 disables it).',
      update: 'in-place',
    }),
  },
  { description: 'Route timeouts.' },
);

export const Route = struct(
  'Route',
  {
    Name: required(resourceName(), {
      description: 'Route name, unique within the service.',
      update: 'in-place',
    }),
    Match: optional(RouteMatch, {
      description: 'Which requests this route takes.',
      defaultDoc: 'all requests (prefix `/` for http/http2)',
      update: 'in-place',
    }),
    Targets: optional(list(RouteTarget, { min: 1, max: 10 }), {
      description: 'Weighted targets.',
      defaultDoc: 'every version with its `Weight` (or the single virtual node)',
      update: 'in-place',
    }),
    Priority: optional(int({ min: 0, max: 1000 }), {
      description: 'Route priority; 0 is the highest.',
      update: 'in-place',
    }),
    Retry: optional(RetryPolicy, { description: 'Retry policy (not for tcp).', update: 'in-place' }),
    Timeout: optional(RouteTimeout, { description: 'Timeouts.', update: 'in-place' }),
  },
  { description: 'A route of the virtual router. Routes are matched by Name on update.' },
);

export const routeFields = {
  Routes: optional(list(Route, { min: 1, max: 50, uniqueBy: { key: (r) => r.Name, what: 'route name' } }), {
    description: 'Routes of a virtual router in front of the versions; weighted targets make canaries.',
    defaultDoc: 'no router for a single version; one route `default` (all requests) for several versions',
    update: 'in-place',
  }),
};

export function routeRules(
  route: Infer<typeof Route>,
  at: string,
  protocol: Protocol | undefined,
  servicePort: number | undefined,
  versions: readonly VersionProps[] | undefined,
  report: Report,
): void {
  const m = known(route.Match) ? route.Match : undefined;
  const HTTP_ONLY = [
    'Prefix',
    'Path',
    'PathRegex',
    'Method',
    'Scheme',
    'Headers',
    'QueryParameters',
  ] as const;
  if (protocol === 'tcp') {
    if (m) {
      for (const key of [...HTTP_ONLY, 'ServiceName', 'MethodName', 'Metadata'] as const) {
        if (m[key] !== undefined)
          report(`${at}.Match.${key}`, 'tcp routes take all traffic; a tcp match has only Port');
      }
    }
    if (route.Retry !== undefined) report(`${at}.Retry`, 'tcp routes have no retry policy');
    if (known(route.Timeout) && route.Timeout.PerRequestMillis !== undefined) {
      report(`${at}.Timeout.PerRequestMillis`, 'tcp routes have only an idle timeout');
    }
  } else if (protocol === 'grpc' && m) {
    for (const key of HTTP_ONLY) {
      if (m[key] !== undefined)
        report(`${at}.Match.${key}`, 'not a grpc match; use ServiceName, MethodName and Metadata');
    }
    if (m.MethodName !== undefined && m.ServiceName === undefined)
      report(`${at}.Match.MethodName`, 'needs ServiceName');
  } else if (protocol && m) {
    for (const key of ['ServiceName', 'MethodName', 'Metadata'] as const) {
      if (m[key] !== undefined) report(`${at}.Match.${key}`, 'only for grpc routes');
    }
    const paths = (['Prefix', 'Path', 'PathRegex'] as const).filter((k) => m[k] !== undefined);
    if (paths.length > 1)
      report(
        `${at}.Match`,
        paths.length === 2 && !paths.includes('PathRegex')
          ? 'give Prefix or Path, not both'
          : `give one of Prefix, Path, PathRegex (got ${paths.join(', ')})`,
      );
  }
  if (m && known(m.Port) && servicePort !== undefined && m.Port !== servicePort) {
    report(`${at}.Match.Port`, `must equal Port (${servicePort}), the router's only listener, got ${m.Port}`);
  }
  if (known(route.Targets) && servicePort !== undefined) {
    route.Targets.forEach((t, j) => {
      if (known(t) && known(t.Port) && t.Port !== servicePort)
        report(
          `${at}.Targets[${j}].Port`,
          `must equal Port (${servicePort}), the virtual node's only listener, got ${t.Port}`,
        );
    });
  }
  if (known(route.Retry) && protocol !== 'tcp') {
    const r = route.Retry;
    if (r.GrpcRetryEvents !== undefined && protocol !== 'grpc')
      report(`${at}.Retry.GrpcRetryEvents`, 'only for grpc routes');
    if (
      r.HttpRetryEvents === undefined &&
      r.TcpRetryEvents === undefined &&
      r.GrpcRetryEvents === undefined
    ) {
      report(`${at}.Retry`, 'give at least one of HttpRetryEvents, TcpRetryEvents, GrpcRetryEvents');
    }
  }
  if (known(route.Targets)) {
    const targets = route.Targets.filter(known);
    const names = new Set(versions?.map((v) => v.Name).filter(known));
    const seen = new Set<string>();
    targets.forEach((t, j) => {
      const tp = `${at}.Targets[${j}]`;
      if (!versions) {
        if (t.Version !== undefined)
          report(`${tp}.Version`, 'only with Versions; this service has a single version');
        return;
      }
      if (t.Version === undefined) {
        report(`${tp}.Version`, `required with Versions; one of ${[...names].join(', ')}`);
        return;
      }
      if (!known(t.Version)) return;
      if (!names.has(t.Version))
        report(`${tp}.Version`, `no version named "${t.Version}"; versions are ${[...names].join(', ')}`);
      if (seen.has(t.Version))
        report(`${tp}.Version`, `version "${t.Version}" is already a target of this route`);
      seen.add(t.Version);
      const version = versions.find((v) => v.Name === t.Version);
      if (t.Weight === undefined && version && version.Weight === undefined) {
        report(`${tp}.Weight`, `required: version "${t.Version}" has no Weight`);
      }
    });
    if (!versions && targets.length > 1) report(`${at}.Targets`, 'a service without Versions has one target');
    const weights = targets.map(
      (t) => t.Weight ?? (versions ? versions.find((v) => v.Name === t.Version)?.Weight : 100),
    );
    if (weights.every((w) => typeof w === 'number' && w === 0)) {
      report(`${at}.Targets`, 'at least one target needs a weight above 0');
    }
    const total = weightTotal(weights);
    if (total !== undefined && total > MAX_ROUTE_WEIGHT) {
      report(`${at}.Targets`, `the weights total ${total}; App Mesh allows at most ${MAX_ROUTE_WEIGHT}`);
    }
  } else if (versions && versions.length > 0) {
    const weights = versions.map((v) => (versions.length === 1 ? (v.Weight ?? 100) : v.Weight));
    if (weights.every((w) => typeof w === 'number' && w === 0)) {
      report(`${at}.Targets`, 'every version has Weight 0; at least one needs a weight above 0');
    }
    const total = weightTotal(weights);
    if (total !== undefined && total > MAX_ROUTE_WEIGHT) {
      report(
        `${at}.Targets`,
        `the weights total ${total} (from Versions[].Weight); App Mesh allows at most ${MAX_ROUTE_WEIGHT}`,
      );
    }
  }
}

export type RouteProps = Infer<typeof Route>;
