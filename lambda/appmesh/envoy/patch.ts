import type {
  ContainerDefinition,
  ContainerDependency,
  PortMapping,
  RegisterTaskDefinitionCommandInput,
  Tag,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
import { TAG_PREFIX } from '../../contract/properties';
import { READ_ONLY_FIELDS } from '../../ecs/revisions';
import { parseSize } from '../../ecs/sizes';
import { TaskDefinitionError } from '../../errors';
import { envoyImage, isAppMeshEnvoyImage } from './image';
import { DEFAULT_XRAY_DAEMON_IMAGE, ENVOY_LOG_LEVELS, type EnvoyOptions } from './options';
import type { TaskRolePermission } from './permissions';
import {
  appMeshProxyConfiguration,
  ENVOY_CONTAINER_NAME,
  ENVOY_PORTS,
  ENVOY_UID,
  envoyContainer,
  envoyEnvironment,
  envoyResourceArn,
  LOG_ROUTER_GID,
  MAX_EGRESS_IGNORED_PORTS,
  SIDECAR_LABEL,
  sidecarLogConfiguration,
  XRAY_CONTAINER_NAME,
  XRAY_DAEMON_CPU,
  XRAY_DAEMON_MEMORY_RESERVATION,
  XRAY_DAEMON_PORT,
  xrayDaemonContainer,
} from './sidecars';

export { ENVOY_CONTAINER_NAME, XRAY_CONTAINER_NAME } from './sidecars';

/**
 * The pure patch: from a task definition exactly as DescribeTaskDefinition returned it to the
 * RegisterTaskDefinition input of a revision with the App Mesh Envoy sidecar. No I/O; throws `TaskDefinitionError`
 * when the revision cannot work in the mesh, with a one-line message that names the revision and what to change.
 *
 * Idempotent by construction: everything the patch owns (the `envoy` container, our `xray-daemon`, the dependencies
 * on them, the APPMESH proxy configuration, the `mesh-service:` tags) is removed from the source first and built
 * again from the options, so patching a patched revision gives the same result as patching the original.
 */

export interface EnvoyPatchInput {
  /** Exactly as DescribeTaskDefinition returned it. */
  source: TaskDefinition;
  /** DescribeTaskDefinition(include: ['TAGS']).tags */
  sourceTags: Tag[];
  meshName: string;
  meshOwner?: string;
  virtualNodeName: string;
  /** Full ARN (already known before the node exists). */
  virtualNodeArn: string;
  region: string;
  /** The virtual node's listener port(s) → AppPorts. */
  listenerPorts: number[];
  envoy: EnvoyOptions;
  /** Ownership tags to add (keys start with `mesh-service:`). */
  ownerTags: Tag[];
  /**
   * What the task role needs beyond `appmesh:StreamAggregatedResources` (envoy/permissions.ts): said in the refusal of a
   * task definition without a task role, and in a label on the Envoy container.
   */
  taskRolePermissions?: readonly TaskRolePermission[];
}

const MAX_TAGS = 50;
/** Variables that make a container an App Mesh Envoy, whatever its image (APPMESH_VIRTUAL_NODE_NAME is the old name). */
const APPMESH_NODE_VARIABLES = ['APPMESH_RESOURCE_ARN', 'APPMESH_VIRTUAL_NODE_NAME', 'APPMESH_RESOURCE_NAME'];

export function buildEnvoyPatch(input: EnvoyPatchInput): RegisterTaskDefinitionCommandInput {
  const { source, envoy: options } = input;
  if (source.family === undefined || source.family === '') {
    throw new Error('buildEnvoyPatch: the source task definition has no family');
  }
  const id = source.revision === undefined ? source.family : `${source.family}:${source.revision}`;
  const refuse = (what: string) => new TaskDefinitionError(`Task definition ${id}: ${what}`);

  const appPorts = validPorts(input.listenerPorts, 'the virtual node listener ports', refuse);
  if (appPorts.length === 0) {
    throw refuse(
      'the virtual node has no listener, so AppPorts would be empty; give the virtual node a listener port',
    );
  }
  const egressIgnoredPorts = validPorts(
    options.egressIgnoredPorts,
    'Envoy option egressIgnoredPorts',
    refuse,
  );
  validateOptions(options, refuse);
  const tracing = options.tracing;
  const withXray = tracing?.provider === 'xray';

  // Task level.
  const networkMode = source.networkMode ?? 'bridge (the default)';
  if (networkMode !== 'awsvpc') {
    throw refuse(
      `networkMode is ${networkMode}, but an APPMESH proxy configuration needs awsvpc (EC2 tasks too); set NetworkMode: awsvpc`,
    );
  }
  const permissions = input.taskRolePermissions ?? [];
  if (source.taskRoleArn === undefined || source.taskRoleArn === '') {
    const more = permissions.map((p) => `, ${p.action} on ${p.resources.join(' and ')} (${p.why})`).join('');
    throw refuse(
      `no taskRoleArn; Envoy authenticates to App Mesh with the task role, which needs appmesh:StreamAggregatedResources on ${input.virtualNodeArn} (e.g. the managed policy AWSAppMeshEnvoyAccess)${more}; set TaskRoleArn`,
    );
  }
  const volumes = new Set((source.volumes ?? []).map((v) => v.name));
  for (const m of options.mountPoints ?? []) {
    if (!volumes.has(m.sourceVolume)) {
      throw refuse(
        `Envoy.MountPoints names volume "${m.sourceVolume}", which the task definition does not have; add it to the task definition's Volumes or change SourceVolume`,
      );
    }
  }
  const existingProxy = source.proxyConfiguration;
  if (existingProxy !== undefined) {
    if (existingProxy.type !== undefined && existingProxy.type !== 'APPMESH') {
      throw refuse(
        `its proxy configuration is of type ${existingProxy.type}; remove it, the mesh service sets an APPMESH one`,
      );
    }
    if (existingProxy.containerName !== ENVOY_CONTAINER_NAME) {
      throw refuse(
        `its APPMESH proxy configuration points at container ${existingProxy.containerName}; remove that proxy container and its proxy configuration, the mesh service adds its own "${ENVOY_CONTAINER_NAME}"`,
      );
    }
  }

  // Sort the containers: ours are dropped and rebuilt, the rest are the template author's.
  const kept: ContainerDefinition[] = [];
  for (const container of source.containerDefinitions ?? []) {
    const name = container.name ?? '';
    if (name === ENVOY_CONTAINER_NAME) {
      // Ours, or an App Mesh Envoy added by hand (e.g. from the workshop): both are replaced. Anything else under
      // this name is someone's own program, and replacing it would silently delete it.
      if (isOurs(container, ENVOY_CONTAINER_NAME) || isAppMeshEnvoy(container)) continue;
      throw refuse(
        `container "${name}" runs ${container.image ?? 'an image'}, which is not the App Mesh Envoy; rename it, the mesh service needs the name "${ENVOY_CONTAINER_NAME}" for its sidecar`,
      );
    }
    if (name === XRAY_CONTAINER_NAME) {
      if (isOurs(container, XRAY_CONTAINER_NAME)) continue;
      if (withXray) {
        throw refuse(
          `container "${name}" was not added by the mesh service; remove or rename it, with X-Ray tracing the mesh service adds and manages its own "${XRAY_CONTAINER_NAME}"`,
        );
      }
    } else if (isAppMeshEnvoy(container)) {
      throw refuse(
        `container "${name}" already runs the App Mesh Envoy; remove it, the mesh service adds its own as "${ENVOY_CONTAINER_NAME}"`,
      );
    }
    kept.push(container);
  }

  // A FireLens log router is not an application container: see the dependsOn comment below.
  const isLogRouter = (c: ContainerDefinition) => c.firelensConfiguration !== undefined;
  const logRouter = kept.find(isLogRouter);
  const apps = kept.filter((c) => !isLogRouter(c));
  if (apps.length === 0) {
    throw refuse(
      'no application container (only a log router); add the container that serves the virtual node listener',
    );
  }

  for (const app of apps) {
    const [uid, gid] = userIds(app.user);
    if (uid === ENVOY_UID) {
      throw refuse(
        `container "${app.name}" runs as user ${ENVOY_UID}, the UID the proxy ignores, so its traffic would bypass Envoy; run it as another user`,
      );
    }
    if (logRouter && gid === LOG_ROUTER_GID) {
      throw refuse(
        `container "${app.name}" runs with group ${LOG_ROUTER_GID}, the GID the proxy ignores for the FireLens log router, so its traffic would bypass Envoy; run it with another group`,
      );
    }
  }

  for (const container of kept) {
    for (const mapping of container.portMappings ?? []) {
      const protocol = mapping.protocol ?? 'tcp';
      const clash = ENVOY_PORTS.find((port) => protocol === 'tcp' && maps(mapping, port));
      if (clash !== undefined) {
        throw refuse(
          `container "${container.name}" maps port ${clash}, which Envoy uses (9901 admin, 15000 ingress, 15001 egress) in the task's shared network namespace; move it to another port`,
        );
      }
      if (withXray && maps(mapping, XRAY_DAEMON_PORT)) {
        throw refuse(
          `container "${container.name}" maps port ${XRAY_DAEMON_PORT}, which the X-Ray daemon needs for X-Ray tracing; move it to another port or choose another tracer`,
        );
      }
    }
  }

  for (const port of appPorts) {
    if (!apps.some((app) => (app.portMappings ?? []).some((mapping) => maps(mapping, port)))) {
      throw refuse(
        `no application container exposes the virtual node listener port ${port} as a containerPort; add a port mapping for ${port} to the application container or change the listener`,
      );
    }
  }

  // The sidecars.
  let image: string;
  try {
    image = envoyImage(input.region, { version: options.version, fips: options.fips, image: options.image });
  } catch (error) {
    // envoyImage cannot know the revision; its refusal gets the same prefix as the others.
    if (!(error instanceof TaskDefinitionError)) throw error;
    throw new TaskDefinitionError(`Task definition ${id}: ${error.message}`, { cause: error });
  }
  const xrayImage = withXray ? tracing.daemonImage || DEFAULT_XRAY_DAEMON_IMAGE : undefined;
  const fargate = (source.requiresCompatibilities ?? []).includes('FARGATE');
  const privateImage = [image, xrayImage].find((i) => i !== undefined && /\.dkr\.ecr\./.test(i));
  if (fargate && privateImage !== undefined && !source.executionRoleArn) {
    throw refuse(
      `no executionRoleArn, and Fargate pulls ${privateImage} from Amazon ECR with the execution role; set ExecutionRoleArn to a role with ECR read access (e.g. the managed policy AmazonECSTaskExecutionRolePolicy)`,
    );
  }

  const logConfiguration = sidecarLogConfiguration(
    apps.find((app) => app.logConfiguration)?.logConfiguration,
  );
  const resourceArn = envoyResourceArn(input);
  const sidecars: ContainerDefinition[] = [
    envoyContainer({
      image,
      environment: envoyEnvironment(resourceArn, input.region, options),
      options,
      logConfiguration,
      withXray,
      taskRolePermissions: [...new Set(permissions.map((p) => p.action))],
    }),
  ];
  if (xrayImage !== undefined) {
    sidecars.push(
      xrayDaemonContainer({
        image: xrayImage,
        region: input.region,
        logConfiguration: structuredClone(logConfiguration),
      }),
    );
  }

  checkResources(source, kept, sidecars, options, refuse);

  // Dependencies. Every application container waits for Envoy to be HEALTHY, or its first connections would go to a
  // proxy that is not listening yet. The log router must not wait: containers that log through awsfirelens (Envoy
  // itself, when it follows the application's FireLens driver) can only start after the router, so a router that
  // waited for Envoy would deadlock the task and lose Envoy's start-up logs. Its own egress bypasses Envoy through
  // IgnoredGID instead.
  const outputNames = new Set([...kept, ...sidecars].map((c) => c.name));
  const patchedKept = kept.map((container) => {
    const copy = structuredClone(container);
    const others = (copy.dependsOn ?? []).filter(
      (d: ContainerDependency) =>
        d.containerName !== ENVOY_CONTAINER_NAME && outputNames.has(d.containerName),
    );
    if (isLogRouter(container)) {
      copy.user = `${userIds(container.user)[0] || '0'}:${LOG_ROUTER_GID}`;
      if (others.length > 0) copy.dependsOn = others;
      else delete copy.dependsOn;
    } else {
      copy.dependsOn = [...others, { containerName: ENVOY_CONTAINER_NAME, condition: 'HEALTHY' }];
    }
    return copy;
  });

  const output: Record<string, unknown> = structuredClone(source) as Record<string, unknown>;
  for (const field of READ_ONLY_FIELDS) delete output[field];
  output.containerDefinitions = [...patchedKept, ...sidecars];
  output.proxyConfiguration = appMeshProxyConfiguration({
    appPorts,
    egressIgnoredPorts,
    ignoreLogRouterGid: logRouter !== undefined,
  });
  const tags = patchedTags(input.sourceTags, input.ownerTags, refuse);
  if (tags.length > 0) output.tags = tags;
  else delete output.tags;
  return output as unknown as RegisterTaskDefinitionCommandInput;
}

type Refuse = (what: string) => TaskDefinitionError;

function isOurs(container: ContainerDefinition, sidecar: string): boolean {
  return container.dockerLabels?.[SIDECAR_LABEL] === sidecar;
}

function isAppMeshEnvoy(container: ContainerDefinition): boolean {
  return (
    isAppMeshEnvoyImage(container.image) ||
    (container.environment ?? []).some((v) => APPMESH_NODE_VARIABLES.includes(v.name ?? ''))
  );
}

/** `user` is `uid`, `uid:gid`, `name` or `name:group` (ECS container definition). */
function userIds(user: string | undefined): [string, string | undefined] {
  if (user === undefined || user === '') return ['', undefined];
  const [uid = '', gid] = user.split(':');
  return [uid, gid];
}

function maps(mapping: PortMapping, port: number): boolean {
  if (mapping.containerPort === port) return true;
  const range = /^(\d+)-(\d+)$/.exec(mapping.containerPortRange ?? '');
  return range !== null && Number(range[1]) <= port && port <= Number(range[2]);
}

/** Integers 1-65535, duplicates removed, ascending: the same set of ports always gives the same string. */
function validPorts(ports: readonly number[], what: string, refuse: Refuse): number[] {
  for (const port of ports) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw refuse(`${what} include ${port}; ports are integers from 1 to 65535`);
    }
  }
  return [...new Set(ports)].sort((a, b) => a - b);
}

function validateOptions(options: EnvoyOptions, refuse: Refuse): void {
  const integer = (value: number, name: string, min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw refuse(`Envoy option ${name} is ${value}; set an integer from ${min} to ${max}`);
    }
  };
  if (options.version === '')
    throw refuse('Envoy option version is empty; set an image tag such as v1.34.13.3-prod');
  if (!ENVOY_LOG_LEVELS.includes(options.logLevel)) {
    throw refuse(`Envoy option logLevel is ${options.logLevel}; use one of ${ENVOY_LOG_LEVELS.join(', ')}`);
  }
  if (
    options.egressIgnoredPorts.length > 0 &&
    new Set(options.egressIgnoredPorts).size > MAX_EGRESS_IGNORED_PORTS
  ) {
    throw refuse(
      `Envoy option egressIgnoredPorts has ${new Set(options.egressIgnoredPorts).size} ports; ECS accepts at most ${MAX_EGRESS_IGNORED_PORTS}`,
    );
  }
  integer(options.drainTimeSeconds, 'drainTimeSeconds', 5, 110);
  integer(options.nofile, 'nofile', 1, 1048576);
  integer(options.memoryReservation, 'memoryReservation', 6, 1048576);
  if (options.memory !== undefined) {
    integer(options.memory, 'memory', 6, 1048576);
    if (options.memory <= options.memoryReservation) {
      throw refuse(
        `Envoy option memory (${options.memory} MiB) must be greater than memoryReservation (${options.memoryReservation} MiB); raise memory or lower memoryReservation`,
      );
    }
  }
  if (options.cpu !== undefined) integer(options.cpu, 'cpu', 0, 196608);
  if (options.dogStatsD) {
    if (options.dogStatsD.address === '')
      throw refuse('Envoy option dogStatsD.address is empty; set the DogStatsD host');
    integer(options.dogStatsD.port, 'dogStatsD.port', 1, 65535);
  }
  const tracing = options.tracing;
  if (tracing?.provider === 'xray') {
    const rate = tracing.samplingRate;
    if (rate !== undefined && !(rate >= 0 && rate <= 1)) {
      throw refuse(`Envoy option tracing.samplingRate is ${rate}; set a decimal from 0 to 1`);
    }
  } else if (tracing !== undefined) {
    if (tracing.address === '')
      throw refuse(`Envoy option tracing.address is empty; set the ${tracing.provider} host`);
    if (tracing.port !== undefined) integer(tracing.port, 'tracing.port', 1, 65535);
  }
}

/**
 * ECS adds up the containers' memoryReservation (memory when there is none) against the task's memory, and their
 * cpu against the task's cpu; a task without task-level values (EC2) has nothing to exceed.
 */
function checkResources(
  source: TaskDefinition,
  kept: ContainerDefinition[],
  sidecars: ContainerDefinition[],
  options: EnvoyOptions,
  refuse: Refuse,
): void {
  const taskMemory = parseSize(source.memory, 'GB');
  const taskCpu = parseSize(source.cpu, 'vCPU');
  const reserved = (c: ContainerDefinition) => c.memoryReservation ?? c.memory ?? 0;
  const sum = (cs: ContainerDefinition[], f: (c: ContainerDefinition) => number) =>
    cs.reduce((s, c) => s + f(c), 0);
  const withXray = sidecars.length > 1;
  const xrayPart = (unit: string, value: number) =>
    withXray ? ` + ${XRAY_CONTAINER_NAME} ${value}${unit}` : '';

  if (taskMemory !== undefined) {
    const yours = sum(kept, reserved);
    const total = yours + sum(sidecars, reserved);
    if (total > taskMemory) {
      throw refuse(
        `containers need ${total} MiB (yours ${yours} + envoy ${options.memoryReservation}${xrayPart('', XRAY_DAEMON_MEMORY_RESERVATION)}) but the task has ${taskMemory} MiB; raise the task memory to at least ${total} MiB (a valid Fargate size if on Fargate) or lower the Envoy memoryReservation`,
      );
    }
    if (options.memory !== undefined && options.memory > taskMemory) {
      throw refuse(
        `Envoy option memory is ${options.memory} MiB but the task has ${taskMemory} MiB; lower it or raise the task memory`,
      );
    }
  }
  if (taskCpu !== undefined) {
    const yours = sum(kept, (c) => c.cpu ?? 0);
    const total = yours + sum(sidecars, (c) => c.cpu ?? 0);
    if (total > taskCpu) {
      throw refuse(
        `containers need ${total} cpu units (yours ${yours} + envoy ${options.cpu ?? 0}${xrayPart('', XRAY_DAEMON_CPU)}) but the task has ${taskCpu}; raise the task cpu to at least ${total} or lower the Envoy cpu`,
      );
    }
  }
}

/**
 * The source's tags minus the reserved `aws:` ones (ECS refuses them on register) and minus our own
 * `mesh-service:` ones (rebuilt from ownerTags, so a re-patch cannot keep stale ownership), then ownerTags.
 */
function patchedTags(sourceTags: readonly Tag[], ownerTags: readonly Tag[], refuse: Refuse): Tag[] {
  const owner = new Map<string, Tag>();
  for (const tag of ownerTags) {
    if (!tag.key?.startsWith(TAG_PREFIX)) {
      throw new Error(`buildEnvoyPatch: owner tag key "${tag.key}" does not start with ${TAG_PREFIX}`);
    }
    owner.set(tag.key, { key: tag.key, value: tag.value ?? '' });
  }
  const kept = sourceTags
    .filter((tag) => tag.key !== undefined && !/^aws:/i.test(tag.key) && !tag.key.startsWith(TAG_PREFIX))
    .map((tag) => ({ ...tag }));
  const tags = [...kept, ...owner.values()];
  if (tags.length > MAX_TAGS) {
    throw refuse(
      `would carry ${tags.length} tags (${kept.length} of yours + ${owner.size} ownership tags of the mesh service) but ECS allows ${MAX_TAGS}; remove at least ${tags.length - MAX_TAGS} of its tags`,
    );
  }
  return tags;
}
