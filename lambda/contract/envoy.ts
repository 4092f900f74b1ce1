/** The Envoy sidecar options of patched task definitions (image, resources, stats, tracing, mounts, SDS), and their rules. */
import type { Infer } from './dsl';
import {
  bool,
  int,
  isResolved,
  list,
  num,
  oneOf,
  optional,
  required,
  type StructOutput,
  str,
  struct,
  withDefault,
} from './dsl';
import type { listenerFields } from './listener';
import { absolutePath, known, port, type Report } from './values';
import type { VersionProps, versionFields } from './versions';

export const DEFAULT_ENVOY_VERSION = 'v1.34.13.3-prod';

export const DogStatsD = struct(
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

export const Tracing = struct(
  'EnvoyTracing',
  {
    Provider: required(oneOf('xray', 'datadog', 'jaeger').named('TracingProvider'), {
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

export const EnvoyMountPoint = struct(
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

export const Envoy = struct(
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

export const envoyFields = {
  Envoy: optional(Envoy, {
    description: 'Envoy sidecar options for patched task definitions.',
    update: 'in-place',
  }),
};

/** What the TLS rules read of the properties. */
type TlsView = StructOutput<typeof listenerFields & typeof versionFields & typeof envoyFields>;

/** Every SDS secret the TLS properties name, by property path. */
export function sdsSecretPaths(p: TlsView): string[] {
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
  if (known(p.Versions)) {
    p.Versions.forEach((v, i) => {
      if (known(v)) client(v.Tls, `Versions[${i}].Tls`);
    });
  }
  if (known(p.BackendDefaults)) client(p.BackendDefaults.ClientTls, 'BackendDefaults.ClientTls');
  if (known(p.BackendPolicies)) {
    p.BackendPolicies.forEach((b, i) => {
      if (known(b)) client(b.ClientTls, `BackendPolicies[${i}].ClientTls`);
    });
  }
  return out;
}

export function tlsRules(p: TlsView, versions: readonly VersionProps[] | undefined, report: Report): void {
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

/** Envoy options without a task definition to patch are a mistake worth naming. */
export function envoyRules(p: TlsView, versions: readonly VersionProps[] | undefined, report: Report): void {
  const versionsKnown = p.Versions === undefined || versions !== undefined;
  const patches = versions
    ? versions.some((v) => v.TaskDefinition !== undefined)
    : p.TaskDefinition !== undefined;
  if (p.Envoy !== undefined && versionsKnown && !patches) {
    report('Envoy', 'has no effect without a TaskDefinition to patch; remove it or give TaskDefinition');
  }
}

export type EnvoyProps = Infer<typeof Envoy>;
