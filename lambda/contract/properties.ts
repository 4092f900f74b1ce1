/**
 * The `Custom::MeshService` property contract: the single source of truth for what a template may say.
 * The handler parses with it; docs/mesh-service.md, schema/mesh-service.schema.json and the CDK construct's
 * props are generated from it (scripts/generate.ts) and tests fail when they drift.
 */

import { serviceConnectRules } from '../serviceconnect/rules';
import {
  bool,
  type Infer,
  int,
  isResolved,
  list,
  map,
  num,
  oneOf,
  optional,
  required,
  str,
  struct,
  type Unresolved,
  withDefault,
} from './dsl';
import { parseTaskDefinitionRef } from './task-definition-ref';

export const RESOURCE_TYPE = 'Custom::MeshService';
/** Tag keys in this namespace mark what the provider owns; template authors may not set them. */
export const TAG_PREFIX = 'mesh-service:';
/**
 * ECS and App Mesh allow 50 tags; the provider keeps 14 for ownership and bookkeeping (3 ownership tags, and on
 * virtual nodes the task family and up to 10 tags recording retired families).
 */
export const MAX_USER_TAGS = 36;
export const DEFAULT_ENVOY_VERSION = 'v1.34.13.3-prod';

const PROTOCOLS = ['http', 'http2', 'grpc', 'tcp'] as const;
export type Protocol = (typeof PROTOCOLS)[number];
/** What realises the service: App Mesh, or ECS Service Connect (lambda/serviceconnect/, docs/migration.md). */
export const BACKENDS = ['AppMesh', 'ServiceConnect'] as const;
export type Backend = (typeof BACKENDS)[number];

/**
 * App Mesh names. The API models give only a length, but a name is addressed in ARNs and URL paths (a `/` cannot
 * be) and in Envoy's cluster and statistics names, so the provider allows the characters every AWS example uses.
 */
const resourceName = () =>
  str({
    min: 1,
    max: 255,
    pattern: /^[A-Za-z0-9._-]+$/,
    patternHint: 'a name of 1-255 letters, digits, periods, hyphens and underscores',
  });
/** ECS and App Mesh tags: letters, digits and spaces of any script and `_ . : / = + - @`, as the whole string. */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const TAG_TEXT_HINT = 'letters, digits, spaces and _ . : / = + - @ only';
const reservedByAws = (what: string) => (v: string) =>
  v.toLowerCase().startsWith('aws:') ? `tag ${what} starting with aws: are reserved by AWS` : undefined;
/** DNS label: Cloud Map service names and the version suffix of virtual node names. */
const label = (max: number) =>
  str({
    min: 1,
    max,
    pattern: new RegExp(`^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,${max - 2}}[A-Za-z0-9_])?$`),
    patternHint: `a name of 1-${max} letters, digits, hyphens and underscores, not starting or ending with a hyphen`,
  });
const hostname = () =>
  str({
    min: 1,
    max: 253,
    pattern:
      /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/,
    patternHint: 'a DNS name such as service.local',
  });
const port = () => int({ min: 1, max: 65535 });
const millis = (min = 0, max?: number) => int({ min, ...(max !== undefined ? { max } : {}) });
const pathPrefix = () =>
  str({
    min: 1,
    max: 255,
    pattern: /^\//,
    patternHint: 'a path starting with "/"',
    check: (v) =>
      v.startsWith('/aws-appmesh')
        ? 'prefixes starting with /aws-appmesh are reserved by App Mesh'
        : undefined,
  });
const taskDefinitionRef = () =>
  str({
    min: 1,
    max: 2048,
    check: (v) =>
      parseTaskDefinitionRef(v)
        ? undefined
        : `expected a task definition ARN or family[:revision], got ${JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)}`,
  });
const attributes = () =>
  map(
    str({ min: 1, max: 255, pattern: /^[a-zA-Z0-9!-~]+$/, patternHint: 'printable ASCII without spaces' }),
    str({ min: 1, max: 1024 }),
    { max: 10 },
  );

// ---------------------------------------------------------------------------------------------------------------

const HealthCheck = struct(
  'HealthCheck',
  {
    Path: optional(str({ min: 1, max: 255, pattern: /^\//, patternHint: 'a path starting with "/"' }), {
      description:
        'Path requested by the health check. Required when the health check protocol is http or http2.',
      update: 'in-place',
    }),
    Protocol: optional(oneOf(...PROTOCOLS), {
      description: 'Protocol of the health check.',
      defaultDoc: 'the service `Protocol`',
      update: 'in-place',
    }),
    Port: optional(port(), {
      description: 'Port checked.',
      defaultDoc: 'the service `Port`',
      update: 'in-place',
    }),
    IntervalMillis: withDefault(millis(5000, 300000), 5000, {
      description: 'Time between checks, in milliseconds.',
      update: 'in-place',
    }),
    TimeoutMillis: withDefault(millis(2000, 60000), 2000, {
      description: 'Time to wait for an answer, in milliseconds.',
      update: 'in-place',
    }),
    HealthyThreshold: withDefault(int({ min: 2, max: 10 }), 2, {
      description: 'Consecutive successes before a task is marked healthy.',
      update: 'in-place',
    }),
    UnhealthyThreshold: withDefault(int({ min: 2, max: 10 }), 2, {
      description: 'Consecutive failures before a task is marked unhealthy.',
      update: 'in-place',
    }),
  },
  { description: 'Active health check of the virtual node listener, run by Envoy.' },
);

export const HEADER_MATCH_KINDS = ['Exact', 'Prefix', 'Suffix', 'Regex', 'Range'] as const;

const MatchRange = struct(
  'MatchRange',
  {
    Start: required(int(), { description: 'First value of the range (inclusive).', update: 'in-place' }),
    End: required(int(), { description: 'End of the range (exclusive).', update: 'in-place' }),
  },
  {
    description: 'An integer range `[Start, End)` a header value must fall in.',
    refine: (r, report) => {
      if (isResolved(r.Start) && isResolved(r.End) && r.Start >= r.End)
        report('End', `must be greater than Start (${r.Start}): the range is [Start, End), got ${r.End}`);
    },
  },
);

const HeaderMatch = struct(
  'HeaderMatch',
  {
    Name: required(str({ min: 1, max: 50 }), { description: 'Header name.', update: 'in-place' }),
    Exact: optional(str({ min: 1, max: 255 }), {
      description: 'Header value equals this.',
      update: 'in-place',
    }),
    Prefix: optional(str({ min: 1, max: 255 }), {
      description: 'Header value starts with this.',
      update: 'in-place',
    }),
    Suffix: optional(str({ min: 1, max: 255 }), {
      description: 'Header value ends with this.',
      update: 'in-place',
    }),
    Regex: optional(str({ min: 1, max: 255 }), {
      description: 'Header value matches this regular expression.',
      update: 'in-place',
    }),
    Range: optional(MatchRange, {
      description: 'Header value is an integer in this range (App Mesh `match.range`).',
      update: 'in-place',
    }),
    Invert: withDefault(bool(), false, {
      description: 'Match requests that do NOT match.',
      update: 'in-place',
    }),
  },
  {
    description:
      'A header (or, on grpc, metadata) condition. Give at most one of Exact, Prefix, Suffix, Regex, Range (none: the header is present).',
    refine: (h, report) => {
      const given = HEADER_MATCH_KINDS.filter((k) => h[k] !== undefined);
      if (given.length > 1)
        report(given[1]!, `give at most one of ${HEADER_MATCH_KINDS.join(', ')} (got ${given.join(', ')})`);
    },
  },
);

const QueryParameterMatch = struct(
  'QueryParameterMatch',
  {
    Name: required(str({ min: 1, max: 255 }), { description: 'Query parameter name.', update: 'in-place' }),
    Exact: optional(str({ min: 1, max: 255 }), {
      description: 'The parameter equals this value.',
      defaultDoc: 'the parameter is present, whatever its value',
      update: 'in-place',
    }),
  },
  { description: 'A query parameter condition of an http/http2 route or gateway route.' },
);

const HTTP_METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
] as const;

/** Match conditions routes and gateway routes declare alike. */
const SHARED_MATCH_FIELDS = {
  Headers: optional(list(HeaderMatch, { min: 1, max: 10 }), {
    description: 'http/http2: header conditions (all must match).',
    update: 'in-place',
  }),
  QueryParameters: optional(list(QueryParameterMatch, { min: 1, max: 10 }), {
    description: 'http/http2: query parameter conditions (all must match).',
    update: 'in-place',
  }),
  Metadata: optional(list(HeaderMatch, { min: 1, max: 10 }), {
    description: 'grpc: metadata conditions (all must match).',
    update: 'in-place',
  }),
};

const RouteMatch = struct(
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
    Method: optional(oneOf(...HTTP_METHODS), { description: 'http/http2: HTTP method.', update: 'in-place' }),
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

const RouteTarget = struct(
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

const HTTP_RETRY_EVENTS = ['server-error', 'gateway-error', 'client-error', 'stream-error'] as const;
const GRPC_RETRY_EVENTS = [
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
] as const;

const RetryPolicy = struct(
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

const RouteTimeout = struct(
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

const Route = struct(
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

const Version = struct(
  'Version',
  {
    Name: required(label(32), {
      description: 'Version label (e.g. `v1`, `blue`). Used in the virtual node name and in `Fn::GetAtt`.',
      update: 'in-place',
    }),
    TaskDefinition: optional(taskDefinitionRef(), {
      description:
        "This version's task definition (ARN or family[:revision]); it is patched with the Envoy sidecar.",
      update: 'in-place',
    }),
    Weight: optional(int({ min: 0, max: 100 }), {
      description: 'Weight of this version in routes that do not list their own Targets.',
      update: 'in-place',
    }),
    VirtualNodeName: optional(resourceName(), {
      description: "This version's virtual node name.",
      defaultDoc:
        "`<ServiceName>-<Name>`; with KeepServiceNode, the service's own node (`VirtualNodeName`, default `<ServiceName>`)",
      update: 'in-place',
      notes:
        'A new name creates the new virtual node and deletes the old one: tasks running with the old name lose their node (docs/versions.md).',
    }),
    KeepServiceNode: withDefault(bool(), false, {
      description:
        "This version keeps the service's own virtual node — the one a service without Versions has (`VirtualNodeName`, default `<ServiceName>`) — with its running tasks and its patched task definition revision (unchanged when TaskDefinition and Envoy are). The top-level `VirtualNodeName`, `VirtualNodeArn` and `TaskDefinitionArn` attributes keep resolving, to this version. At most one version.",
      update: 'in-place',
      notes:
        "Turning a service without Versions into Versions needs it on the version that runs the current tasks (or that version's VirtualNodeName set to the node name): otherwise the update is refused before any change, since it would delete the node the running tasks use. Step by step: docs/versions.md.",
    }),
    DiscoveryAttributes: optional(attributes(), {
      description: "Cloud Map instance attributes that select only this version's tasks.",
      defaultDoc: '`ECS_TASK_DEFINITION_FAMILY` = the family of `TaskDefinition`',
      update: 'in-place',
    }),
    DnsHostname: optional(hostname(), {
      description:
        "DNS discovery: this version's own hostname (required with DnsHostname and several versions).",
      update: 'in-place',
    }),
  },
  { description: 'One version of the service: its own virtual node and (patched) task definition.' },
);

const GatewayRewrite = struct(
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
    DefaultPrefix: optional(oneOf('ENABLED', 'DISABLED'), {
      description: 'ENABLED rewrites the matched prefix to `/`; DISABLED keeps the path as it is.',
      update: 'in-place',
    }),
    Path: optional(str({ min: 1, max: 255, pattern: /^\//, patternHint: 'a path starting with "/"' }), {
      description:
        'Replace the whole path with this one (App Mesh `rewrite.path.exact`; needs a Path match).',
      update: 'in-place',
    }),
    Hostname: optional(oneOf('ENABLED', 'DISABLED'), {
      description: "ENABLED rewrites the host header to the virtual service's name.",
      update: 'in-place',
    }),
  },
  {
    description:
      'How the gateway rewrites a matched request. Give at most one of Prefix, DefaultPrefix, Path; grpc gateway routes rewrite the hostname only.',
  },
);

const Gateway = struct(
  'Gateway',
  {
    VirtualGatewayName: required(resourceName(), {
      description: 'An existing virtual gateway in the mesh (the platform owns it).',
      update: 'in-place',
    }),
    RouteName: optional(resourceName(), {
      description: 'Name of the gateway route.',
      defaultDoc: '`<ServiceName>`',
      update: 'in-place',
    }),
    Prefix: optional(pathPrefix(), {
      description: 'http/http2: requests whose path starts with this prefix.',
      defaultDoc: '`/` when neither Path nor PathRegex is given (http/http2)',
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
    Method: optional(oneOf(...HTTP_METHODS), { description: 'http/http2: HTTP method.', update: 'in-place' }),
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
  { description: 'Exposes the service through a gateway route on an existing virtual gateway.' },
);

const DogStatsD = struct(
  'EnvoyDogStatsD',
  {
    Address: withDefault(str({ min: 1, max: 255 }), '127.0.0.1', {
      description: 'DogStatsD address.',
      update: 'in-place',
    }),
    Port: withDefault(port(), 8125, { description: 'DogStatsD port.', update: 'in-place' }),
  },
  { description: 'Sends Envoy statistics to a DogStatsD agent.' },
);

const Tracing = struct(
  'EnvoyTracing',
  {
    Provider: required(oneOf('xray', 'datadog', 'jaeger'), {
      description: 'The tracer (one at a time). `xray` adds the X-Ray daemon sidecar.',
      update: 'in-place',
    }),
    SamplingRate: optional(num({ min: 0, max: 1 }), {
      description: 'xray: sampling rate 0-1.',
      update: 'in-place',
    }),
    DaemonImage: optional(str({ min: 1, max: 255 }), {
      description: 'xray: X-Ray daemon image.',
      update: 'in-place',
    }),
    Address: optional(str({ min: 1, max: 255 }), {
      description: 'datadog/jaeger: agent address.',
      update: 'in-place',
    }),
    Port: optional(port(), { description: 'datadog/jaeger: agent port.', update: 'in-place' }),
  },
  {
    description: 'Distributed tracing from Envoy.',
    refine: (t, report) => {
      if (t.Provider === 'xray') {
        if (t.Address !== undefined) report('Address', 'applies to datadog and jaeger only');
        if (t.Port !== undefined) report('Port', 'applies to datadog and jaeger only');
      } else if (isResolved(t.Provider)) {
        if (t.SamplingRate !== undefined) report('SamplingRate', 'applies to xray only');
        if (t.DaemonImage !== undefined) report('DaemonImage', 'applies to xray only');
      }
    },
  },
);

const absolutePath = () =>
  str({ min: 1, max: 255, pattern: /^\/[^\s]*$/, patternHint: 'an absolute path without spaces' });

const EnvoyMountPoint = struct(
  'EnvoyMountPoint',
  {
    SourceVolume: required(str({ min: 1, max: 255 }), {
      description: 'A volume of the patched task definition (its `Volumes[].Name`).',
      update: 'in-place',
    }),
    ContainerPath: required(absolutePath(), {
      description: 'Where the volume appears in the Envoy container.',
      update: 'in-place',
    }),
    ReadOnly: withDefault(bool(), true, {
      description: 'Mount read-only.',
      update: 'in-place',
    }),
  },
  { description: 'A volume mounted into the Envoy container.' },
);

const acmArn = (service: 'acm' | 'acm-pca', resource: string, words: string) =>
  str({
    min: 1,
    max: 2048,
    pattern: new RegExp(`^arn:aws[a-z-]*:${service}:[a-z0-9-]+:\\d{12}:${resource}/[A-Za-z0-9-]+$`),
    patternHint: words,
  });

/** Where a listener's or a client's certificate comes from: exactly one source. */
const certificateFields = {
  CertificateChain: optional(absolutePath(), {
    description: 'File: the certificate chain, a path in the Envoy container (with PrivateKey).',
    update: 'in-place' as const,
  }),
  PrivateKey: optional(absolutePath(), {
    description: 'File: the private key, a path in the Envoy container (with CertificateChain).',
    update: 'in-place' as const,
  }),
  SdsSecretName: optional(str({ min: 1, max: 255 }), {
    description: 'SDS: the name of the secret the SDS agent serves (needs Envoy.SdsSocketPath).',
    update: 'in-place' as const,
  }),
};

function oneCertificateSource(
  c: {
    AcmCertificateArn?: unknown;
    CertificateChain?: unknown;
    PrivateKey?: unknown;
    SdsSecretName?: unknown;
  },
  report: (path: string, message: string) => void,
  acm: boolean,
): void {
  const sources = [
    ...(acm && c.AcmCertificateArn !== undefined ? ['AcmCertificateArn'] : []),
    ...(c.CertificateChain !== undefined || c.PrivateKey !== undefined
      ? ['CertificateChain and PrivateKey']
      : []),
    ...(c.SdsSecretName !== undefined ? ['SdsSecretName'] : []),
  ];
  const choices = acm
    ? 'AcmCertificateArn (ACM), CertificateChain with PrivateKey (files) or SdsSecretName (SDS)'
    : 'CertificateChain with PrivateKey (files) or SdsSecretName (SDS)';
  if (sources.length !== 1)
    report('', `give exactly one of ${choices}${sources.length ? `, got ${sources.join(', ')}` : ''}`);
  else if ((c.CertificateChain === undefined) !== (c.PrivateKey === undefined))
    report(
      c.CertificateChain === undefined ? 'CertificateChain' : 'PrivateKey',
      'a file certificate needs both CertificateChain and PrivateKey',
    );
}

const ListenerTlsCertificate = struct(
  'ListenerTlsCertificate',
  {
    AcmCertificateArn: optional(
      acmArn(
        'acm',
        'certificate',
        'an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)',
      ),
      {
        description:
          'ACM: a private certificate issued by AWS Private CA. Envoy fetches it at run time with the task role (proxy authorization): the task role needs `acm:ExportCertificate` on it; the provider never reads it.',
        update: 'in-place',
      },
    ),
    ...certificateFields,
  },
  {
    description: "The listener's certificate: ACM, files in the Envoy container, or SDS (exactly one).",
    refine: (c, report) => oneCertificateSource(c, report, true),
  },
);

const ClientTlsCertificate = struct(
  'ClientTlsCertificate',
  { ...certificateFields },
  {
    description:
      'The client certificate Envoy presents to a backend that validates it (mutual TLS): files or SDS (App Mesh takes no ACM certificate here).',
    refine: (c, report) => oneCertificateSource(c, report, false),
  },
);

const trustChain = {
  CertificateChain: optional(absolutePath(), {
    description: 'File: the trusted CA bundle, a path in the Envoy container.',
    update: 'in-place' as const,
  }),
  SdsSecretName: optional(str({ min: 1, max: 255 }), {
    description: 'SDS: the name of the trust bundle the SDS agent serves (needs Envoy.SdsSocketPath).',
    update: 'in-place' as const,
  }),
};

function oneTrust(
  t: { AcmCertificateAuthorityArns?: unknown; CertificateChain?: unknown; SdsSecretName?: unknown },
  report: (path: string, message: string) => void,
  acm: boolean,
): void {
  const given = (['AcmCertificateAuthorityArns', 'CertificateChain', 'SdsSecretName'] as const).filter(
    (k) => t[k] !== undefined,
  );
  const choices = acm
    ? 'AcmCertificateAuthorityArns, CertificateChain or SdsSecretName'
    : 'CertificateChain or SdsSecretName';
  if (given.length !== 1)
    report('', `give exactly one of ${choices}${given.length ? `, got ${given.join(', ')}` : ''}`);
}

const ListenerTlsTrust = struct(
  'ListenerTlsTrust',
  { ...trustChain },
  {
    description:
      'What the listener trusts to validate client certificates: a file or SDS (App Mesh takes no AWS Private CA trust on a listener).',
    refine: (t, report) => oneTrust(t, report, false),
  },
);

const TlsTrust = struct(
  'TlsTrust',
  {
    AcmCertificateAuthorityArns: optional(
      list(
        acmArn(
          'acm-pca',
          'certificate-authority',
          'an AWS Private CA ARN (arn:aws:acm-pca:<region>:<account>:certificate-authority/<id>)',
        ),
        { min: 1, max: 3, uniqueBy: { key: (a) => a, what: 'certificate authority' } },
      ),
      {
        description:
          'AWS Private CA: the certificate authorities whose certificates Envoy trusts. Envoy fetches them at run time with the task role, which needs `acm-pca:GetCertificateAuthorityCertificate` on them; the provider never reads them.',
        update: 'in-place',
      },
    ),
    ...trustChain,
  },
  {
    description:
      "What Envoy trusts to validate a backend's certificate: AWS Private CA, a file or SDS (exactly one).",
    refine: (t, report) => oneTrust(t, report, true),
  },
);

const subjectAlternativeNames = () =>
  optional(list(str({ min: 1, max: 254 }), { min: 1, max: 25, uniqueBy: { key: (n) => n, what: 'name' } }), {
    description:
      "Subject alternative names the peer's certificate must carry (one of them, exactly). Without them a client checks the backend's service discovery name, and a listener checks no name.",
    update: 'in-place' as const,
  });

const ListenerTlsValidation = struct(
  'ListenerTlsValidation',
  {
    Trust: required(ListenerTlsTrust, { description: 'The trusted CAs.', update: 'in-place' }),
    SubjectAlternativeNames: subjectAlternativeNames(),
  },
  { description: 'Mutual TLS: the listener asks clients for a certificate and validates it.' },
);

const TlsValidation = struct(
  'TlsValidation',
  {
    Trust: required(TlsTrust, { description: 'The trusted CAs.', update: 'in-place' }),
    SubjectAlternativeNames: subjectAlternativeNames(),
  },
  { description: "How Envoy validates a backend's certificate." },
);

const ListenerTls = struct(
  'ListenerTls',
  {
    Mode: required(oneOf('STRICT', 'PERMISSIVE', 'DISABLED'), {
      description:
        'STRICT accepts TLS only; PERMISSIVE accepts TLS and plain text (for a migration); DISABLED accepts plain text only.',
      update: 'in-place',
    }),
    Certificate: required(ListenerTlsCertificate, {
      description: "The listener's certificate.",
      update: 'in-place',
    }),
    Validation: optional(ListenerTlsValidation, {
      description: 'Mutual TLS: validate client certificates.',
      update: 'in-place',
    }),
  },
  { description: 'TLS of the virtual node listener: Envoy terminates TLS for the application.' },
);

const ClientTls = struct(
  'ClientTls',
  {
    Enforce: withDefault(bool(), true, {
      description: 'Envoy originates TLS to the backend (false: the policy is kept but not applied).',
      update: 'in-place',
    }),
    Ports: optional(list(port(), { min: 1, max: 20, uniqueBy: { key: (p) => p, what: 'port' } }), {
      description: 'Backend ports the policy applies to.',
      defaultDoc: 'every port',
      update: 'in-place',
    }),
    Certificate: optional(ClientTlsCertificate, {
      description: 'Mutual TLS: the certificate Envoy presents when the backend asks for one.',
      update: 'in-place',
    }),
    Validation: required(TlsValidation, {
      description: "How Envoy validates the backend's certificate.",
      update: 'in-place',
    }),
  },
  { description: 'Client TLS policy: how Envoy connects to backends over TLS.' },
);

const BackendDefaults = struct(
  'BackendDefaults',
  {
    ClientTls: optional(ClientTls, {
      description: 'The client TLS policy of every backend without its own in BackendPolicies.',
      update: 'in-place',
    }),
  },
  { description: 'Defaults for every backend of the virtual node (App Mesh `backendDefaults`).' },
);

const BackendPolicy = struct(
  'BackendPolicy',
  {
    VirtualServiceName: required(resourceName(), {
      description: 'One of `Backends`.',
      update: 'in-place',
    }),
    ClientTls: required(ClientTls, {
      description: 'The client TLS policy for this backend.',
      update: 'in-place',
    }),
  },
  { description: "A backend's own client policy (App Mesh `backends[].virtualService.clientPolicy`)." },
);

const ListenerTimeout = struct(
  'ListenerTimeout',
  {
    PerRequestMillis: optional(millis(0), {
      description: 'http/http2/grpc: per-request timeout in milliseconds (0 disables it).',
      defaultDoc: "Envoy's 15 seconds",
      update: 'in-place',
    }),
    IdleMillis: optional(millis(0), {
      description: 'Idle timeout in milliseconds (0 disables it).',
      update: 'in-place',
    }),
  },
  {
    description:
      "Timeouts of the virtual node listener (the receiving side). A route timeout above Envoy's 15-second default fully applies only with a listener timeout at least as long on the nodes it targets.",
  },
);

const OutlierDetection = struct(
  'OutlierDetection',
  {
    MaxServerErrors: required(int({ min: 1 }), {
      description: 'Consecutive server errors (5xx) that eject a task.',
      update: 'in-place',
    }),
    IntervalMillis: required(millis(1), {
      description: 'Time between ejection sweeps, in milliseconds.',
      update: 'in-place',
    }),
    BaseEjectionDurationMillis: required(millis(1), {
      description:
        'Base time a task stays ejected, in milliseconds (multiplied by the times it was ejected).',
      update: 'in-place',
    }),
    MaxEjectionPercent: required(int({ min: 0, max: 100 }), {
      description: 'At most this percentage of the tasks is ejected (at least one whatever the value).',
      update: 'in-place',
    }),
  },
  { description: "Outlier detection of the listener: clients' Envoys eject tasks that keep failing." },
);

const ConnectionPool = struct(
  'ConnectionPool',
  {
    MaxConnections: optional(int({ min: 1 }), {
      description: 'http and tcp: the most connections to all tasks of the service at once.',
      update: 'in-place',
    }),
    MaxPendingRequests: optional(int({ min: 1 }), {
      description: 'http: requests queued beyond MaxConnections.',
      update: 'in-place',
    }),
    MaxRequests: optional(int({ min: 1 }), {
      description: 'http2 and grpc: the most requests in flight at once.',
      update: 'in-place',
    }),
  },
  {
    description:
      'Connection pool (circuit breaking) of the listener, of the listener protocol: http takes MaxConnections (required) and MaxPendingRequests, http2 and grpc MaxRequests, tcp MaxConnections.',
  },
);

const JsonLogField = struct(
  'AccessLogJsonField',
  {
    Key: required(str({ min: 1, max: 100 }), { description: 'JSON key.', update: 'in-place' }),
    Value: required(str({ min: 1, max: 100 }), {
      description: 'Envoy command operator(s), e.g. `%RESPONSE_CODE%`.',
      update: 'in-place',
    }),
  },
  { description: 'One field of a JSON access log line.' },
);

const AccessLogFormat = struct(
  'AccessLogFormat',
  {
    Text: optional(str({ min: 1, max: 1000, trailingNewline: true }), {
      description:
        'A text line with Envoy command operators, e.g. `[%START_TIME%] %REQ(:METHOD)% %RESPONSE_CODE%\\n`.',
      update: 'in-place',
    }),
    Json: optional(list(JsonLogField, { min: 1, max: 50, uniqueBy: { key: (f) => f.Key, what: 'key' } }), {
      description: 'A JSON object per line, its fields in this order.',
      update: 'in-place',
    }),
  },
  {
    description:
      'Format of the access log lines (App Mesh `logging.accessLog.file.format`). Give Text or Json.',
    refine: (f, report) => {
      if ((f.Text === undefined) === (f.Json === undefined)) report('', 'give exactly one of Text and Json');
    },
  },
);

const Envoy = struct(
  'Envoy',
  {
    Image: optional(str({ min: 1, max: 255 }), {
      description: 'Full Envoy image URI; overrides the regional App Mesh image.',
      defaultDoc: "the App Mesh Envoy image for the stack's Region and `Version`",
      update: 'in-place',
    }),
    Version: withDefault(
      str({
        min: 1,
        max: 64,
        pattern: /^v[0-9][A-Za-z0-9._-]*$/,
        patternHint: 'an image tag such as v1.34.13.3-prod',
      }),
      DEFAULT_ENVOY_VERSION,
      { description: 'Tag of the App Mesh Envoy image.', update: 'in-place' },
    ),
    Fips: withDefault(bool(), false, {
      description: 'Use the FIPS variant of the image (always used in AWS GovCloud).',
      update: 'in-place',
    }),
    LogLevel: withDefault(oneOf('trace', 'debug', 'info', 'warning', 'error', 'critical', 'off'), 'info', {
      description: 'ENVOY_LOG_LEVEL.',
      update: 'in-place',
    }),
    StatsTags: withDefault(bool(), false, {
      description: 'ENABLE_ENVOY_STATS_TAGS: tag statistics with mesh and node names.',
      update: 'in-place',
    }),
    DogStatsD: optional(DogStatsD, { description: 'DogStatsD statistics.', update: 'in-place' }),
    Tracing: optional(Tracing, { description: 'Tracing.', update: 'in-place' }),
    Cpu: optional(int({ min: 0, max: 16384 }), {
      description: 'Envoy container cpu units.',
      update: 'in-place',
    }),
    Memory: optional(int({ min: 6, max: 122880 }), {
      description: 'Envoy container memory hard limit, MiB.',
      update: 'in-place',
    }),
    MemoryReservation: withDefault(int({ min: 6, max: 122880 }), 128, {
      description: 'Envoy container memory reservation, MiB.',
      update: 'in-place',
    }),
    EgressIgnoredPorts: withDefault(
      list(port(), { max: 15, uniqueBy: { key: (p) => p, what: 'port' } }),
      [],
      {
        description: 'Outbound ports that bypass Envoy (at most 15; 22 always does).',
        update: 'in-place',
      },
    ),
    DrainTimeSeconds: withDefault(int({ min: 5, max: 110 }), 20, {
      description: 'LISTENER_DRAIN_WAIT_TIME_S; the container stopTimeout is set above it.',
      update: 'in-place',
    }),
    Nofile: withDefault(int({ min: 1024, max: 1048576 }), 15000, {
      description: 'Open-files ulimit (soft and hard) of the Envoy container.',
      update: 'in-place',
    }),
    SdsSocketPath: optional(absolutePath(), {
      description:
        'APPMESH_SDS_SOCKET_PATH: the Unix socket of the Secret Discovery Service agent (e.g. SPIRE) in the Envoy container, where Envoy fetches the certificates and trust named by `SdsSecretName` (Envoy image 1.15.1.0 or later). Required when a TLS property names an SDS secret; mount the socket with MountPoints.',
      update: 'in-place',
    }),
    MountPoints: optional(list(EnvoyMountPoint, { min: 1, max: 10 }), {
      description:
        "Volumes of the task definition mounted into the Envoy container: where TLS certificate files (`CertificateChain`, `PrivateKey`) or the SDS agent's socket come from.",
      update: 'in-place',
    }),
  },
  {
    description: 'Options of the Envoy sidecar added to patched task definitions.',
    refine: (e, report) => {
      if (
        isResolved(e.Memory) &&
        isResolved(e.MemoryReservation) &&
        e.Memory !== undefined &&
        e.MemoryReservation > e.Memory
      ) {
        report('MemoryReservation', `must not exceed Memory (${e.Memory} MiB), got ${e.MemoryReservation}`);
      }
    },
  },
);

const Tag = struct(
  'Tag',
  {
    Key: required(
      str({
        min: 1,
        max: 128,
        pattern: TAG_TEXT,
        patternHint: TAG_TEXT_HINT,
        check: (k) =>
          reservedByAws('keys')(k) ??
          (k.startsWith(TAG_PREFIX)
            ? `tag keys starting with ${TAG_PREFIX} are reserved for the provider's ownership tags`
            : undefined),
      }),
      { description: 'Tag key.', update: 'in-place' },
    ),
    Value: withDefault(
      str({
        min: 0,
        max: 256,
        pattern: TAG_TEXT,
        patternHint: TAG_TEXT_HINT,
        check: reservedByAws('values'),
      }),
      '',
      { description: 'Tag value.', update: 'in-place' },
    ),
  },
  { description: 'A tag applied to every App Mesh resource and patched task definition.' },
);

const ServiceConnect = struct(
  'ServiceConnect',
  {
    Namespace: optional(hostname(), {
      description:
        'Cloud Map namespace (its name) the service joins. Needed with DnsHostname, which names no namespace.',
      defaultDoc: '`Namespace`',
      update: 'replacement',
    }),
    CreateNamespace: withDefault(bool(), false, {
      description:
        "Create the namespace as a Cloud Map HTTP namespace, tagged as this resource's, when it does not exist (and delete it with the resource when no service uses it any more). Otherwise a missing namespace fails the request.",
      update: 'in-place',
    }),
  },
  { description: 'Options of the ServiceConnect backend (Backend: ServiceConnect only).' },
);

// ---------------------------------------------------------------------------------------------------------------

const fields = {
  MeshName: required(resourceName(), { description: 'Name of an existing mesh.', update: 'replacement' }),
  MeshOwner: optional(str({ pattern: /^\d{12}$/, patternHint: 'a 12-digit AWS account id' }), {
    description: 'Account that owns a mesh shared with this account (AWS RAM).',
    defaultDoc: "the provider's account",
    update: 'replacement',
  }),
  ServiceName: required(label(63), {
    description:
      'Service name: the virtual router name, the Cloud Map service name and the default virtual node name.',
    update: 'replacement',
  }),
  VirtualNodeName: optional(resourceName(), {
    description:
      "The service's own virtual node: the node of a service without Versions, and with Versions the node the version with KeepServiceNode keeps. Set it to keep a node whose name differs from the Cloud Map service name (as AWS's App Mesh examples name them, e.g. `colorteller-white-vn`).",
    defaultDoc: '`<ServiceName>`',
    update: 'in-place',
    notes:
      'A new name creates the virtual node under it and deletes the old one (tasks running with the old name lose their node; docs/versions.md). With Versions, only together with a version that has KeepServiceNode.',
  }),
  VirtualServiceName: optional(resourceName(), {
    description: 'Name of the virtual service other services call (their Backends).',
    defaultDoc: '`<ServiceName>.<Namespace>` with Cloud Map, `DnsHostname` with DNS',
    update: 'in-place',
    notes:
      'A new name creates the virtual service under it, repoints the gateway route and then deletes the old one.',
  }),
  Edge: withDefault(bool(), false, {
    description:
      'An edge service that nothing in the mesh calls (e.g. behind a load balancer): no virtual service, router or gateway route.',
    update: 'in-place',
  }),
  Namespace: optional(hostname(), {
    description:
      'Cloud Map namespace (e.g. `service.local`) where ECS registers the tasks. Give Namespace or DnsHostname.',
    update: 'in-place',
  }),
  DnsHostname: optional(hostname(), {
    description:
      'DNS service discovery: the hostname that resolves to the tasks. Give Namespace or DnsHostname.',
    update: 'in-place',
  }),
  DnsResponseType: optional(oneOf('LOADBALANCER', 'ENDPOINTS'), {
    description:
      'DNS discovery: LOADBALANCER sends traffic to the address the hostname resolves to (a load balancer); ENDPOINTS to every address it resolves to (each task), which outlier detection needs to eject single tasks.',
    defaultDoc: "App Mesh's default (LOADBALANCER)",
    update: 'in-place',
  }),
  IpPreference: optional(oneOf('IPv6_PREFERRED', 'IPv4_PREFERRED', 'IPv4_ONLY', 'IPv6_ONLY'), {
    description:
      "Which addresses of the service's tasks Envoy uses (Cloud Map or DNS discovery), for dual-stack tasks.",
    defaultDoc: "the mesh's IP preference",
    update: 'in-place',
  }),
  Port: required(port(), {
    description: 'Port the application listens on (the listener and AppPorts).',
    update: 'in-place',
  }),
  Protocol: withDefault(oneOf(...PROTOCOLS), 'http', {
    description: 'Listener protocol.',
    update: 'in-place',
  }),
  HealthCheck: optional(HealthCheck, { description: 'Listener health check.', update: 'in-place' }),
  Tls: optional(ListenerTls, {
    description:
      'TLS of the listener (mutual TLS with Validation). ACM certificates and AWS Private CA trust are fetched by Envoy at run time with the task role, never by the provider; files and SDS sockets must be in the Envoy container (Envoy.MountPoints).',
    update: 'in-place',
    notes:
      "Mode DISABLED keeps the configuration without TLS. To move running clients to TLS: PERMISSIVE first, then the clients' BackendDefaults/BackendPolicies, then STRICT.",
  }),
  ListenerTimeout: optional(ListenerTimeout, {
    description: 'Listener timeouts, of the listener protocol (tcp: IdleMillis only).',
    update: 'in-place',
  }),
  OutlierDetection: optional(OutlierDetection, {
    description:
      'Outlier detection of the listener (with Cloud Map discovery, or DNS with DnsResponseType ENDPOINTS).',
    update: 'in-place',
  }),
  ConnectionPool: optional(ConnectionPool, {
    description: 'Connection pool (circuit breaking) of the listener.',
    update: 'in-place',
  }),
  Backends: withDefault(list(resourceName(), { max: 50, uniqueBy: { key: (b) => b, what: 'backend' } }), [], {
    description: 'Virtual service names this service calls.',
    update: 'in-place',
  }),
  BackendDefaults: optional(BackendDefaults, {
    description: 'Client policy of every backend (TLS origination).',
    update: 'in-place',
  }),
  BackendPolicies: optional(
    list(BackendPolicy, {
      min: 1,
      max: 50,
      uniqueBy: { key: (b) => b.VirtualServiceName, what: 'backend' },
    }),
    { description: 'Client policies of single backends, over BackendDefaults.', update: 'in-place' },
  ),
  AccessLogPath: withDefault(
    str({
      min: 0,
      max: 255,
      pattern: /^(?:\/.*)?$/,
      patternHint: 'an absolute file path, or "" to turn access logs off',
    }),
    '/dev/stdout',
    { description: 'Envoy access log file; an empty string turns access logging off.', update: 'in-place' },
  ),
  AccessLogFormat: optional(AccessLogFormat, {
    description: 'Format of the access log lines.',
    defaultDoc: "Envoy's default text format",
    update: 'in-place',
  }),
  Routes: optional(list(Route, { min: 1, max: 50, uniqueBy: { key: (r) => r.Name, what: 'route name' } }), {
    description: 'Routes of a virtual router in front of the versions; weighted targets make canaries.',
    defaultDoc: 'no router for a single version; one route `default` (all requests) for several versions',
    update: 'in-place',
  }),
  Versions: optional(
    list(Version, { min: 1, max: 10, uniqueBy: { key: (v) => v.Name, what: 'version name' } }),
    {
      description:
        'Several versions of the service, each with its own virtual node and task definition, behind a router.',
      defaultDoc: 'one version: the virtual node `<ServiceName>` with `TaskDefinition`',
      update: 'in-place',
    },
  ),
  TaskDefinition: optional(taskDefinitionRef(), {
    description:
      'Task definition (ARN or family[:revision]) to patch with the Envoy sidecar (single version).',
    update: 'in-place',
  }),
  DiscoveryAttributes: optional(attributes(), {
    description: 'Cloud Map instance attributes the virtual node filters on (single version).',
    update: 'in-place',
  }),
  Gateway: optional(Gateway, {
    description: 'Gateway route on an existing virtual gateway.',
    update: 'in-place',
  }),
  Envoy: optional(Envoy, {
    description: 'Envoy sidecar options for patched task definitions.',
    update: 'in-place',
  }),
  Tags: withDefault(list(Tag, { max: MAX_USER_TAGS, uniqueBy: { key: (t) => t.Key, what: 'tag key' } }), [], {
    description: 'Tags for every App Mesh resource and patched task definition.',
    update: 'in-place',
  }),
  Backend: withDefault(oneOf(...BACKENDS), 'AppMesh', {
    description:
      'What realises the service: `AppMesh` (virtual nodes, router, routes, the Envoy sidecar) or `ServiceConnect` (Amazon ECS Service Connect: the Cloud Map namespace is checked, the task definition is prepared for Service Connect, and the return values are wired into the `AWS::ECS::Service` `ServiceConnectConfiguration`). App Mesh ended on 2026-09-30: use `ServiceConnect` for new services. See docs/migration.md.',
    update: 'replacement',
    notes:
      'A change on an existing resource is refused: one ECS service cannot be in a mesh and a Service Connect namespace at once. Migrate blue/green (a new resource and a new ECS service, traffic shifted at the edge; docs/migration.md). With `ServiceConnect`, the identity is the namespace and `ServiceName` (`MeshName` and `MeshOwner` are not used), and properties Service Connect cannot honour are refused by name, saying what to use instead.',
  }),
  ServiceConnect: optional(ServiceConnect, {
    description: 'Options of the ServiceConnect backend.',
    update: 'in-place',
  }),
};

export const MeshServiceProperties = struct('MeshServiceProperties', fields, {
  ignore: ['ServiceToken', 'ServiceTimeout'],
  description: 'Properties of Custom::MeshService.',
  refine: (p, report) => crossPropertyRules(p, report),
});

export type MeshServiceProps = Infer<typeof MeshServiceProperties>;
export type RouteProps = Infer<typeof Route>;
export type VersionProps = Infer<typeof Version>;
export type GatewayProps = Infer<typeof Gateway>;
export type EnvoyProps = Infer<typeof Envoy>;
export type HealthCheckProps = Infer<typeof HealthCheck>;
export type HeaderMatchProps = Infer<typeof HeaderMatch>;
export type ServiceConnectProps = Infer<typeof ServiceConnect>;
export type ClientTlsProps = Infer<typeof ClientTls>;

// ---------------------------------------------------------------------------------------------------------------
// Rules that span properties. They must tolerate Unresolved values (the offline template linter).

const known = <T>(v: T | Unresolved | undefined): v is T => v !== undefined && isResolved(v);

function crossPropertyRules(p: MeshServiceProps, report: (path: string, message: string) => void): void {
  serviceConnectRules(p, report);
  const discovery = [p.Namespace, p.DnsHostname].filter((v) => v !== undefined).length;
  if (discovery !== 1) {
    report(
      discovery === 0 ? 'Namespace' : 'DnsHostname',
      'give exactly one of Namespace (Cloud Map discovery) and DnsHostname (DNS discovery)',
    );
  }

  if (p.Edge === true) {
    for (const key of ['VirtualServiceName', 'Routes', 'Gateway', 'Versions'] as const) {
      if (p[key] !== undefined)
        report(key, 'an Edge service has no virtual service, router, gateway route or versions');
    }
  }

  const versions = known(p.Versions) ? p.Versions.filter(known) : undefined;
  if (p.DiscoveryAttributes !== undefined && p.DnsHostname !== undefined) {
    report('DiscoveryAttributes', 'only for Cloud Map discovery (Namespace), not with DnsHostname');
  }
  if (p.Versions !== undefined) {
    if (p.TaskDefinition !== undefined)
      report('TaskDefinition', 'with Versions, give each version its own TaskDefinition');
    if (p.DiscoveryAttributes !== undefined) {
      report('DiscoveryAttributes', 'with Versions, give each version its own DiscoveryAttributes');
    }
  }
  if (versions) versionRules(p, versions, report);

  const protocol = known(p.Protocol) ? p.Protocol : undefined;
  if (known(p.Routes)) {
    p.Routes.forEach((route, i) => {
      if (known(route))
        routeRules(route, `Routes[${i}]`, protocol, known(p.Port) ? p.Port : undefined, versions, report);
    });
  }

  if (known(p.HealthCheck) && protocol) {
    const hcProtocol = known(p.HealthCheck.Protocol) ? p.HealthCheck.Protocol : protocol;
    const httpLike = hcProtocol === 'http' || hcProtocol === 'http2';
    if (httpLike && p.HealthCheck.Path === undefined) {
      report('HealthCheck.Path', `required for an ${hcProtocol} health check`);
    }
    if (!httpLike && p.HealthCheck.Path !== undefined) {
      report('HealthCheck.Path', `not allowed for a ${hcProtocol} health check`);
    }
    const hcPort = p.HealthCheck.Port;
    if (known(hcPort) && known(p.Port) && hcPort !== p.Port) {
      report(
        'HealthCheck.Port',
        `must equal Port (${p.Port}): App Mesh checks the listener port, got ${hcPort}`,
      );
    }
    const { IntervalMillis, TimeoutMillis } = p.HealthCheck;
    if (known(IntervalMillis) && known(TimeoutMillis) && TimeoutMillis >= IntervalMillis) {
      report(
        'HealthCheck.TimeoutMillis',
        `must be shorter than IntervalMillis (${IntervalMillis}), got ${TimeoutMillis}`,
      );
    }
  }

  if (known(p.Gateway)) gatewayRules(p.Gateway, protocol, known(p.Port) ? p.Port : undefined, report);
  listenerRules(p, protocol, report);
  tlsRules(p, versions, report);

  const versionsKnown = p.Versions === undefined || versions !== undefined;
  const patches = versions
    ? versions.some((v) => v.TaskDefinition !== undefined)
    : p.TaskDefinition !== undefined;
  if (p.Envoy !== undefined && versionsKnown && !patches) {
    report('Envoy', 'has no effect without a TaskDefinition to patch; remove it or give TaskDefinition');
  }
  if (
    p.Edge !== true &&
    p.VirtualServiceName === undefined &&
    known(p.DnsHostname) &&
    p.DnsHostname.endsWith('.')
  ) {
    report(
      'DnsHostname',
      'must not end with "." when it is the default VirtualServiceName; give VirtualServiceName',
    );
  }
}

function versionRules(
  p: MeshServiceProps,
  versions: readonly Infer<typeof Version>[],
  report: (path: string, message: string) => void,
): void {
  const nodeNames = new Map<string, number>();
  const families = new Map<string, number>();
  const hostnames = new Map<string, number>();
  const several = versions.length > 1;
  versions.forEach((v, i) => {
    const at = `Versions[${i}]`;
    const serviceNode = p.VirtualNodeName ?? p.ServiceName;
    if (
      v.KeepServiceNode === true &&
      known(v.VirtualNodeName) &&
      known(serviceNode) &&
      v.VirtualNodeName !== serviceNode
    ) {
      report(
        `${at}.VirtualNodeName`,
        `a version with KeepServiceNode keeps the service's node "${serviceNode}"; remove VirtualNodeName (or set the top-level VirtualNodeName)`,
      );
    }
    const nodeName =
      v.VirtualNodeName ??
      (v.KeepServiceNode === true
        ? serviceNode
        : known(p.ServiceName) && known(v.Name)
          ? `${p.ServiceName}-${v.Name}`
          : undefined);
    if (known(nodeName)) {
      const first = nodeNames.get(nodeName);
      if (first !== undefined)
        report(`${at}.VirtualNodeName`, `virtual node name "${nodeName}" is also used by Versions[${first}]`);
      nodeNames.set(nodeName, i);
    }
    if (several && p.Namespace !== undefined) {
      const family = known(v.TaskDefinition) ? parseTaskDefinitionRef(v.TaskDefinition)?.family : undefined;
      if (v.DiscoveryAttributes === undefined && v.TaskDefinition === undefined) {
        report(
          at,
          "give TaskDefinition or DiscoveryAttributes, so that this version's virtual node discovers only its own tasks",
        );
      } else if (v.DiscoveryAttributes === undefined && family !== undefined) {
        const first = families.get(family);
        if (first !== undefined) {
          report(
            `${at}.TaskDefinition`,
            `task definition family "${family}" is also Versions[${first}]'s; versions are told apart by family in Cloud Map, so give each its own family or DiscoveryAttributes`,
          );
        }
        families.set(family, i);
      }
    }
    if (p.DnsHostname !== undefined && several && v.DnsHostname === undefined) {
      report(`${at}.DnsHostname`, 'required for each version when several versions use DNS discovery');
    }
    if (known(v.DnsHostname)) {
      if (p.Namespace !== undefined)
        report(`${at}.DnsHostname`, 'only for DNS discovery (DnsHostname), not with Namespace');
      const first = hostnames.get(v.DnsHostname);
      if (first !== undefined) report(`${at}.DnsHostname`, `also used by Versions[${first}]`);
      hostnames.set(v.DnsHostname, i);
    }
    if (v.DiscoveryAttributes !== undefined && p.DnsHostname !== undefined) {
      report(`${at}.DiscoveryAttributes`, 'only for Cloud Map discovery (Namespace)');
    }
  });
  const keeping = versions.flatMap((v, i) => (v.KeepServiceNode === true ? [i] : []));
  if (keeping.length > 1) {
    report(
      `Versions[${keeping[1]}].KeepServiceNode`,
      `only one version keeps the service's node; Versions[${keeping[0]}] already does`,
    );
  }
  if (p.VirtualNodeName !== undefined && keeping.length === 0) {
    report(
      'VirtualNodeName',
      "with Versions, names the node a version keeps: give that version KeepServiceNode: true, or move the name to the version's VirtualNodeName",
    );
  }
  const routesTakeWeights =
    p.Routes === undefined || (known(p.Routes) && p.Routes.some((r) => known(r) && r.Targets === undefined));
  if (several && routesTakeWeights) {
    versions.forEach((v, i) => {
      if (v.Weight === undefined) {
        report(
          `Versions[${i}].Weight`,
          'required when several versions share a route without its own Targets',
        );
      }
    });
  }
  if (p.Routes === undefined && versions.length > 0 && versions.every((v) => v.Weight === 0)) {
    report('Versions', 'every version has Weight 0; at least one needs a weight above 0');
  }
  const total = weightTotal(versions.map((v) => (versions.length === 1 ? (v.Weight ?? 100) : v.Weight)));
  if (p.Routes === undefined && total !== undefined && total > MAX_ROUTE_WEIGHT) {
    report(
      'Versions',
      `the weights total ${total}; App Mesh allows the weights of a route to total at most ${MAX_ROUTE_WEIGHT}`,
    );
  }
}

/** App Mesh: the weighted targets of a route total at most 100. */
const MAX_ROUTE_WEIGHT = 100;

/** The sum of the weights, when every one is known. */
function weightTotal(weights: readonly unknown[]): number | undefined {
  if (!weights.every((w): w is number => typeof w === 'number')) return undefined;
  return weights.reduce((a, b) => a + b, 0);
}

function routeRules(
  route: Infer<typeof Route>,
  at: string,
  protocol: Protocol | undefined,
  servicePort: number | undefined,
  versions: readonly Infer<typeof Version>[] | undefined,
  report: (path: string, message: string) => void,
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

function gatewayRules(
  g: GatewayProps,
  protocol: Protocol | undefined,
  servicePort: number | undefined,
  report: (path: string, message: string) => void,
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
  if (protocol === 'grpc') {
    for (const key of ['Prefix', 'Path', 'PathRegex', 'Method', 'Headers', 'QueryParameters'] as const) {
      if (g[key] !== undefined)
        report(`Gateway.${key}`, 'not available on a grpc gateway route; use ServiceName and Metadata');
    }
    for (const key of ['Prefix', 'DefaultPrefix', 'Path'] as const) {
      if (rewrite?.[key] !== undefined)
        report(
          `Gateway.Rewrite.${key}`,
          'not available on a grpc gateway route (it rewrites the hostname only)',
        );
    }
  } else if (protocol) {
    for (const key of ['ServiceName', 'Metadata'] as const) {
      if (g[key] !== undefined) report(`Gateway.${key}`, 'only for a grpc gateway route');
    }
  }
  if (rewrite && protocol !== 'grpc') {
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

/** Listener options against the listener protocol; logging; discovery options. */
function listenerRules(
  p: MeshServiceProps,
  protocol: Protocol | undefined,
  report: (path: string, message: string) => void,
): void {
  if (protocol === 'tcp' && known(p.ListenerTimeout) && p.ListenerTimeout.PerRequestMillis !== undefined) {
    report('ListenerTimeout.PerRequestMillis', 'a tcp listener has only an idle timeout');
  }
  if (known(p.ConnectionPool) && protocol) {
    const pool = p.ConnectionPool;
    const allowed: Record<Protocol, readonly string[]> = {
      http: ['MaxConnections', 'MaxPendingRequests'],
      http2: ['MaxRequests'],
      grpc: ['MaxRequests'],
      tcp: ['MaxConnections'],
    };
    const needed = protocol === 'http' || protocol === 'tcp' ? 'MaxConnections' : 'MaxRequests';
    for (const key of ['MaxConnections', 'MaxPendingRequests', 'MaxRequests'] as const) {
      if (pool[key] !== undefined && !allowed[protocol].includes(key)) {
        report(
          `ConnectionPool.${key}`,
          `not for a ${protocol} listener, whose connection pool takes ${allowed[protocol].join(' and ')}`,
        );
      }
    }
    if (pool[needed] === undefined) report(`ConnectionPool.${needed}`, `required for a ${protocol} listener`);
  }
  if (p.AccessLogFormat !== undefined && known(p.AccessLogPath) && p.AccessLogPath === '') {
    report(
      'AccessLogFormat',
      'access logging is off (AccessLogPath is ""); give AccessLogPath or remove AccessLogFormat',
    );
  }
  if (p.DnsResponseType !== undefined && p.DnsHostname === undefined) {
    report('DnsResponseType', 'only for DNS discovery (DnsHostname)');
  }
  if (known(p.BackendPolicies)) {
    const backends = known(p.Backends) && p.Backends.every(known) ? new Set(p.Backends) : undefined;
    p.BackendPolicies.forEach((b, i) => {
      if (backends && known(b) && known(b.VirtualServiceName) && !backends.has(b.VirtualServiceName)) {
        report(
          `BackendPolicies[${i}].VirtualServiceName`,
          `"${b.VirtualServiceName}" is not one of Backends; add it to Backends or remove its policy`,
        );
      }
    });
  }
}

/** Every SDS secret the TLS properties name, by property path. */
function sdsSecretPaths(p: MeshServiceProps): string[] {
  const out: string[] = [];
  const client = (c: unknown, at: string) => {
    if (!known(c)) return;
    const tls = c as {
      Certificate?: { SdsSecretName?: unknown };
      Validation?: { Trust?: { SdsSecretName?: unknown } };
    };
    if (known(tls.Certificate) && tls.Certificate.SdsSecretName !== undefined)
      out.push(`${at}.Certificate.SdsSecretName`);
    if (
      known(tls.Validation) &&
      known(tls.Validation.Trust) &&
      tls.Validation.Trust.SdsSecretName !== undefined
    )
      out.push(`${at}.Validation.Trust.SdsSecretName`);
  };
  client(p.Tls, 'Tls');
  if (known(p.BackendDefaults)) client(p.BackendDefaults.ClientTls, 'BackendDefaults.ClientTls');
  if (known(p.BackendPolicies)) {
    p.BackendPolicies.forEach((b, i) => {
      if (known(b)) client(b.ClientTls, `BackendPolicies[${i}].ClientTls`);
    });
  }
  return out;
}

function tlsRules(
  p: MeshServiceProps,
  versions: readonly Infer<typeof Version>[] | undefined,
  report: (path: string, message: string) => void,
): void {
  const patches = versions
    ? versions.some((v) => v.TaskDefinition !== undefined)
    : p.TaskDefinition !== undefined;
  const envoy = known(p.Envoy) ? p.Envoy : undefined;
  const sds = sdsSecretPaths(p);
  if (patches && sds.length > 0 && p.Envoy !== undefined && envoy?.SdsSocketPath === undefined) {
    report(
      'Envoy.SdsSocketPath',
      `required: ${sds[0]} names an SDS secret, and Envoy fetches it from the SDS agent's socket (APPMESH_SDS_SOCKET_PATH)`,
    );
  } else if (patches && sds.length > 0 && p.Envoy === undefined) {
    report(
      'Envoy',
      `give Envoy.SdsSocketPath: ${sds[0]} names an SDS secret, and Envoy fetches it from the SDS agent's socket (APPMESH_SDS_SOCKET_PATH)`,
    );
  }
}
