/** The listener and egress: TLS, timeouts, outlier detection, connection pool, backends and their client policies, access logs; and their rules. */
import { int, list, optional, required, type StructOutput, str, struct, withDefault } from './dsl';
import type { serviceFields } from './service';
import { BackendDefaults, BackendPolicy, ListenerTls } from './tls';
import { known, millis, type Protocol, type Report, resourceName } from './values';

export const ListenerTimeout = struct(
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

export const OutlierDetection = struct(
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

export const ConnectionPool = struct(
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

export const JsonLogField = struct(
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

export const AccessLogFormat = struct(
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

export const listenerFields = {
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
};

/** Listener options against the listener protocol; logging; discovery options. */
export function listenerRules(
  p: StructOutput<typeof serviceFields & typeof listenerFields>,
  protocol: Protocol | undefined,
  report: Report,
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
