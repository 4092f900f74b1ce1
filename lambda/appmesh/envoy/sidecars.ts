import type {
  ContainerDefinition,
  KeyValuePair,
  LogConfiguration,
  ProxyConfiguration,
} from '@aws-sdk/client-ecs';
import {
  DEFAULT_DATADOG_TRACER,
  DEFAULT_JAEGER_TRACER,
  DEFAULT_XRAY_SAMPLING_RATE,
  type EnvoyOptions,
} from './options';

/** Pure builders of what the patch adds: the Envoy and X-Ray containers and the APPMESH proxy configuration. */

export const ENVOY_CONTAINER_NAME = 'envoy';
export const XRAY_CONTAINER_NAME = 'xray-daemon';

/** Envoy runs as this UID and the proxy configuration ignores it, so Envoy's own egress is not redirected to itself. */
export const ENVOY_UID = '1337';
/**
 * Egress of this GID bypasses Envoy too. The patch gives it to a FireLens log router (as cdk-ecs-service-extensions
 * does with `user: 0:1338`): the router ships Envoy's own logs, so it must work before Envoy is up and whatever the
 * mesh's egress filter says.
 */
export const LOG_ROUTER_GID = '1338';

export const ENVOY_ADMIN_PORT = 9901;
export const PROXY_INGRESS_PORT = 15000;
export const PROXY_EGRESS_PORT = 15001;
export const ENVOY_PORTS: readonly number[] = [ENVOY_ADMIN_PORT, PROXY_INGRESS_PORT, PROXY_EGRESS_PORT];
export const XRAY_DAEMON_PORT = 2000;

/** 169.254.170.2: task metadata and task-role credentials; 169.254.169.254: instance metadata (EC2). */
export const EGRESS_IGNORED_IPS: readonly string[] = ['169.254.170.2', '169.254.169.254'];
/** ECS limit on `EgressIgnoredPorts`. */
export const MAX_EGRESS_IGNORED_PORTS = 15;

/**
 * Docker label that marks the containers this provider added. Ownership must be explicit: a container called
 * `xray-daemon` may be the template author's own, and only ours may be removed when X-Ray tracing is turned off.
 */
export const SIDECAR_LABEL = 'mesh-service.sidecar';

/** The daemon buffers segments and forwards them in batches; 32 units and 64 MiB (soft) are plenty. */
export const XRAY_DAEMON_CPU = 32;
export const XRAY_DAEMON_MEMORY_RESERVATION = 64;

/**
 * The agent drains listeners for LISTENER_DRAIN_WAIT_TIME_S, then waits 3 s more for Envoy to exit before it kills
 * it; ECS sends SIGKILL after stopTimeout. 10 s of margin keeps the whole sequence inside stopTimeout, and the
 * largest drain time (110 s) still gives ECS's maximum of 120 s.
 */
export const STOP_TIMEOUT_MARGIN_SECONDS = 10;

export const ENVOY_HEALTH_CHECK_COMMAND: readonly string[] = [
  'CMD-SHELL',
  `curl -s http://localhost:${ENVOY_ADMIN_PORT}/server_info | grep state | grep -q LIVE`,
];

/**
 * Label on the Envoy container listing the IAM actions its task role needs beyond `appmesh:StreamAggregatedResources`
 * (e.g. `acm:ExportCertificate`): the task definition itself says what to grant.
 */
export const TASK_ROLE_NEEDS_LABEL = 'mesh-service.task-role-needs';

/** `APPMESH_RESOURCE_ARN`: the node's ARN, or for a mesh shared by another account the `mesh@owner` name form. */
export function envoyResourceArn(args: {
  virtualNodeArn: string;
  meshName: string;
  meshOwner?: string;
  virtualNodeName: string;
}): string {
  if (args.meshOwner !== undefined && args.meshOwner !== '') {
    return `mesh/${args.meshName}@${args.meshOwner}/virtualNode/${args.virtualNodeName}`;
  }
  return args.virtualNodeArn;
}

/** Envoy's environment, sorted by name so that the same inputs always give the same task definition. */
export function envoyEnvironment(resourceArn: string, region: string, options: EnvoyOptions): KeyValuePair[] {
  const env: Record<string, string> = {
    APPMESH_RESOURCE_ARN: resourceArn,
    // Set explicitly: without it the agent asks the instance metadata service, which Fargate does not have.
    AWS_REGION: region,
    ENVOY_ADMIN_ACCESS_PORT: String(ENVOY_ADMIN_PORT),
    ENVOY_LOG_LEVEL: options.logLevel,
    LISTENER_DRAIN_WAIT_TIME_S: String(options.drainTimeSeconds),
  };
  if (options.statsTags) env.ENABLE_ENVOY_STATS_TAGS = '1';
  if (options.sdsSocketPath !== undefined) env.APPMESH_SDS_SOCKET_PATH = options.sdsSocketPath;
  if (options.dogStatsD) {
    env.ENABLE_ENVOY_DOG_STATSD = '1';
    env.STATSD_ADDRESS = options.dogStatsD.address;
    env.STATSD_PORT = String(options.dogStatsD.port);
  }
  const tracing = options.tracing;
  switch (tracing?.provider) {
    case 'xray':
      env.ENABLE_ENVOY_XRAY_TRACING = '1';
      env.XRAY_DAEMON_PORT = String(XRAY_DAEMON_PORT);
      env.XRAY_SAMPLING_RATE = String(tracing.samplingRate ?? DEFAULT_XRAY_SAMPLING_RATE);
      break;
    case 'datadog':
      env.ENABLE_ENVOY_DATADOG_TRACING = '1';
      env.DATADOG_TRACER_ADDRESS = tracing.address ?? DEFAULT_DATADOG_TRACER.address;
      env.DATADOG_TRACER_PORT = String(tracing.port ?? DEFAULT_DATADOG_TRACER.port);
      break;
    case 'jaeger':
      env.ENABLE_ENVOY_JAEGER_TRACING = '1';
      env.JAEGER_TRACER_ADDRESS = tracing.address ?? DEFAULT_JAEGER_TRACER.address;
      env.JAEGER_TRACER_PORT = String(tracing.port ?? DEFAULT_JAEGER_TRACER.port);
      break;
    case undefined:
      break;
  }
  return Object.keys(env)
    .sort()
    .map((name) => ({ name, value: env[name] }));
}

/**
 * The sidecars log where the application does. awslogs: same group, Region and stream prefix (stream names also
 * carry the container name, so they stay apart); the application's datetime/multiline patterns describe its own log
 * format and would mangle Envoy's, so they are left out. awsfirelens and any other driver: the same configuration,
 * secret options included (e.g. an output's API key).
 */
export function sidecarLogConfiguration(app: LogConfiguration | undefined): LogConfiguration | undefined {
  if (app?.logDriver === undefined) return undefined;
  const copy = structuredClone(app);
  if (copy.logDriver === 'awslogs' && copy.options) {
    delete copy.options['awslogs-datetime-format'];
    delete copy.options['awslogs-multiline-pattern'];
  }
  return copy;
}

export function envoyContainer(args: {
  image: string;
  environment: KeyValuePair[];
  options: EnvoyOptions;
  logConfiguration: LogConfiguration | undefined;
  withXray: boolean;
  taskRolePermissions?: readonly string[];
}): ContainerDefinition {
  const { options } = args;
  const container: ContainerDefinition = {
    name: ENVOY_CONTAINER_NAME,
    image: args.image,
    essential: true,
    user: ENVOY_UID,
    environment: args.environment,
    portMappings: ENVOY_PORTS.map((containerPort) => ({ containerPort, protocol: 'tcp' })),
    healthCheck: {
      command: [...ENVOY_HEALTH_CHECK_COMMAND],
      interval: 5,
      timeout: 2,
      retries: 3,
      startPeriod: 10,
    },
    // Envoy holds two sockets per proxied connection; Docker's default 1024 makes it fail under load.
    ulimits: [{ name: 'nofile', softLimit: options.nofile, hardLimit: options.nofile }],
    memoryReservation: options.memoryReservation,
    stopTimeout: options.drainTimeSeconds + STOP_TIMEOUT_MARGIN_SECONDS,
    dockerLabels: { [SIDECAR_LABEL]: ENVOY_CONTAINER_NAME },
  };
  if (options.cpu !== undefined) container.cpu = options.cpu;
  if (options.memory !== undefined) container.memory = options.memory;
  if (args.logConfiguration) container.logConfiguration = args.logConfiguration;
  if (options.mountPoints?.length) {
    container.mountPoints = options.mountPoints.map((m) => ({
      sourceVolume: m.sourceVolume,
      containerPath: m.containerPath,
      readOnly: m.readOnly,
    }));
  }
  // What Envoy fetches at run time with the task role, beyond its configuration (TLS from ACM / AWS Private CA).
  if (args.taskRolePermissions?.length)
    container.dockerLabels![TASK_ROLE_NEEDS_LABEL] = args.taskRolePermissions.join(' ');
  // START, not HEALTHY: the daemon has no health check, and Envoy only needs its UDP port to exist.
  if (args.withXray) container.dependsOn = [{ containerName: XRAY_CONTAINER_NAME, condition: 'START' }];
  return container;
}

export function xrayDaemonContainer(args: {
  image: string;
  region: string;
  logConfiguration: LogConfiguration | undefined;
}): ContainerDefinition {
  const container: ContainerDefinition = {
    name: XRAY_CONTAINER_NAME,
    image: args.image,
    // Tracing is best effort: a daemon that dies must not take the service's tasks down with it.
    essential: false,
    // The proxy ignores this UID, so the daemon reaches the X-Ray API directly, not through Envoy.
    user: ENVOY_UID,
    environment: [{ name: 'AWS_REGION', value: args.region }],
    portMappings: [{ containerPort: XRAY_DAEMON_PORT, protocol: 'udp' }],
    cpu: XRAY_DAEMON_CPU,
    memoryReservation: XRAY_DAEMON_MEMORY_RESERVATION,
    dockerLabels: { [SIDECAR_LABEL]: XRAY_CONTAINER_NAME },
  };
  if (args.logConfiguration) container.logConfiguration = args.logConfiguration;
  return container;
}

/** Values are strings, arrays joined with commas; the key order is fixed; empty values are never sent. */
export function appMeshProxyConfiguration(args: {
  appPorts: number[];
  egressIgnoredPorts: number[];
  ignoreLogRouterGid: boolean;
}): ProxyConfiguration {
  const properties: KeyValuePair[] = [{ name: 'IgnoredUID', value: ENVOY_UID }];
  if (args.ignoreLogRouterGid) properties.push({ name: 'IgnoredGID', value: LOG_ROUTER_GID });
  properties.push(
    { name: 'ProxyIngressPort', value: String(PROXY_INGRESS_PORT) },
    { name: 'ProxyEgressPort', value: String(PROXY_EGRESS_PORT) },
    { name: 'AppPorts', value: args.appPorts.join(',') },
    { name: 'EgressIgnoredIPs', value: EGRESS_IGNORED_IPS.join(',') },
  );
  // An empty EgressIgnoredPorts value once broke the ECS agent: the key is left out instead.
  if (args.egressIgnoredPorts.length > 0) {
    properties.push({ name: 'EgressIgnoredPorts', value: args.egressIgnoredPorts.join(',') });
  }
  return { type: 'APPMESH', containerName: ENVOY_CONTAINER_NAME, properties };
}
