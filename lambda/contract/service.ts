/** The service itself: identity, discovery, port and protocol, health check, tags; and their rules. */
import type { Infer } from './dsl';
import {
  bool,
  int,
  list,
  oneOf,
  optional,
  required,
  type StructOutput,
  str,
  struct,
  withDefault,
} from './dsl';
import {
  hostname,
  known,
  label,
  MAX_USER_TAGS,
  millis,
  PROTOCOLS,
  type Protocol,
  port,
  type Report,
  reservedByAws,
  resourceName,
  TAG_PREFIX,
  TAG_TEXT,
  TAG_TEXT_HINT,
} from './values';

export const HealthCheck = struct(
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

export const Tag = struct(
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

export const serviceFields = {
  MeshName: required(resourceName(), { description: 'Name of an existing mesh.', update: 'replacement' }),
  MeshOwner: optional(str({ pattern: /^\d{12}$/, patternHint: 'a 12-digit AWS account id' }), {
    description:
      "Account that owns a mesh shared with this account (AWS RAM); it must be one of the provider's sharedMeshOwnerAccountIds (refused before any call otherwise).",
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
};

export const tagFields = {
  Tags: withDefault(list(Tag, { max: MAX_USER_TAGS, uniqueBy: { key: (t) => t.Key, what: 'tag key' } }), [], {
    description: 'Tags for every App Mesh resource and patched task definition.',
    update: 'in-place',
  }),
};

/** What the service rules read beyond the service's own properties: whether the sections an Edge service lacks are given. */
type ServiceView = StructOutput<typeof serviceFields> & {
  readonly Routes?: unknown;
  readonly Gateway?: unknown;
  readonly Versions?: unknown;
};

/** Exactly one discovery; an Edge service has nothing that other services would call. */
export function discoveryRules(p: ServiceView, report: Report): void {
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
}

/** The health check against the listener it checks. */
export function healthCheckRules(p: ServiceView, protocol: Protocol | undefined, report: Report): void {
  if (!known(p.HealthCheck) || !protocol) return;
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

/** A DNS hostname that is also the default virtual service name cannot be absolute. */
export function dnsHostnameRules(p: ServiceView, report: Report): void {
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

export type HealthCheckProps = Infer<typeof HealthCheck>;
