/**
 * Options of the App Mesh Envoy sidecar that `buildEnvoyPatch` adds to a task definition.
 * Parsing CloudFormation's strings into this shape is the property layer's job; the patch re-checks the ranges
 * that decide whether the registered task definition can work at all.
 */

/** Envoy's log levels as the App Mesh agent accepts them (it also accepts `warn`, Envoy's newer spelling). */
export type EnvoyLogLevel = 'trace' | 'debug' | 'info' | 'warning' | 'error' | 'critical' | 'off';

export const ENVOY_LOG_LEVELS: readonly EnvoyLogLevel[] = [
  'trace',
  'debug',
  'info',
  'warning',
  'error',
  'critical',
  'off',
];

/** One tracer at a time: the App Mesh agent refuses to start with two `ENABLE_ENVOY_*_TRACING` flags set. */
export type EnvoyTracing =
  | { provider: 'xray'; samplingRate?: number /* 0-1 */; daemonImage?: string }
  | { provider: 'datadog'; address?: string; port?: number }
  | { provider: 'jaeger'; address?: string; port?: number };

export interface EnvoyOptions {
  /** Full image override; otherwise resolved for the Region, partition and FIPS (see `envoyImage`). */
  image?: string;
  /** Image tag as published, e.g. `v1.34.13.3-prod`; the FIPS variant appends `-fips`. */
  version: string;
  /** Use the FIPS variant (`<version>-fips`). GovCloud Regions always use it. */
  fips: boolean;
  logLevel: EnvoyLogLevel;
  /** `ENABLE_ENVOY_STATS_TAGS=1`: tags stats with `appmesh.mesh` and `appmesh.virtual_node`. */
  statsTags: boolean;
  /** `ENABLE_ENVOY_DOG_STATSD=1` with `STATSD_ADDRESS`/`STATSD_PORT`. */
  dogStatsD?: { address: string; port: number };
  tracing?: EnvoyTracing;
  /** Envoy container cpu units (AWS recommends 512 under load); unset = no reservation. */
  cpu?: number;
  /** Envoy container hard memory limit in MiB; unset = none. */
  memory?: number;
  /** Envoy container soft memory limit in MiB. */
  memoryReservation: number;
  /** `EgressIgnoredPorts` of the proxy configuration, at most 15 (ECS limit; 22 is always ignored). */
  egressIgnoredPorts: number[];
  /** `LISTENER_DRAIN_WAIT_TIME_S`, 5-110 (the agent clamps outside values); the container stopTimeout exceeds it. */
  drainTimeSeconds: number;
  /** `nofile` ulimit, soft = hard. */
  nofile: number;
  /** `APPMESH_SDS_SOCKET_PATH`: the SDS agent's Unix socket, for certificates and trust named by SDS secret. */
  sdsSocketPath?: string;
  /** Task-definition volumes mounted into Envoy (TLS certificate files, the SDS socket). */
  mountPoints?: readonly {
    readonly sourceVolume: string;
    readonly containerPath: string;
    readonly readOnly: boolean;
  }[];
}

/** The Envoy image the App Mesh controller for Kubernetes defaulted to in mid-2026 (roadmap issue #512). */
export const DEFAULT_ENVOY_VERSION = 'v1.34.13.3-prod';

export const DEFAULT_ENVOY_OPTIONS: EnvoyOptions = Object.freeze({
  version: DEFAULT_ENVOY_VERSION,
  fips: false,
  logLevel: 'info',
  statsTags: false,
  memoryReservation: 128,
  egressIgnoredPorts: Object.freeze([]) as unknown as number[],
  drainTimeSeconds: 20,
  nofile: 15000,
});

/**
 * X-Ray daemon image, pinned rather than `latest`: the patch must be a pure function of its inputs, and a
 * floating tag would let two deployments of the same template run different daemons without ECS noticing.
 * 3.6.6 is the newest release the aws/aws-xray-daemon repository shows (release commit PR #293, July 2026);
 * its release workflow publishes every version tag to `public.ecr.aws/xray/aws-xray-daemon`.
 */
export const DEFAULT_XRAY_DAEMON_IMAGE = 'public.ecr.aws/xray/aws-xray-daemon:3.6.6';

/** X-Ray's own default sampling rate, set explicitly so the task definition documents it. */
export const DEFAULT_XRAY_SAMPLING_RATE = 0.05;

/** Defaults of the App Mesh agent (Envoy configuration variables page), set explicitly for the same reason. */
export const DEFAULT_DATADOG_TRACER = { address: '127.0.0.1', port: 8126 } as const;
export const DEFAULT_JAEGER_TRACER = { address: '127.0.0.1', port: 9411 } as const;
