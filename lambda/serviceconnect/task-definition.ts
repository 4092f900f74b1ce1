/**
 * The pure preparation of a task definition for ECS Service Connect: from a revision exactly as
 * DescribeTaskDefinition returned it to the RegisterTaskDefinition input of a revision ECS can run in a namespace.
 * No I/O; throws `TaskDefinitionError` naming the revision and what to change.
 *
 * - Every App Mesh artefact goes, whoever added it (this provider's App Mesh backend, the workshop's scripts, a
 *   template author): the Envoy and X-Ray daemon sidecars, the APPMESH proxy configuration, `APPMESH_*` variables
 *   and the dependencies on the removed containers. ECS adds its own Service Connect proxy to each task.
 * - The application's port mapping gets a name (what `ServiceConnectConfiguration.Services[].PortName` refers to)
 *   and the `appProtocol` (none for tcp: ECS then proxies TCP).
 * - The task gets task-level cpu and memory with room for the proxy ECS adds: 256 CPU units and 64 MiB above what
 *   the containers reserve (the ECS developer guide's recommendation for Service Connect), raised to a valid Fargate
 *   size on Fargate.
 * - Windows task definitions are refused: Service Connect runs Linux tasks only.
 *
 * Idempotent: preparing a prepared revision gives the same result.
 *
 * The VPC Lattice backend prepares its revisions with the same transform under its own profile
 * (`VPC_LATTICE_PROFILE`): the App Mesh artefacts stripped and the port named alike, but awsvpc only (its target
 * groups are of type IP), no proxy to make room for and the port mapping's appProtocol left as it is.
 */
import type {
  ContainerDefinition,
  PortMapping,
  RegisterTaskDefinitionCommandInput,
  Tag,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
import { TAG_PREFIX } from '../contract/properties';
import { READ_ONLY_FIELDS } from '../ecs/revisions';
import { parseSize } from '../ecs/sizes';
import { TaskDefinitionError } from '../errors';
import { SERVICE_CONNECT_NAME } from './contract';

export interface ServiceConnectRevisionInput {
  /** Exactly as DescribeTaskDefinition returned it. */
  readonly source: TaskDefinition;
  /** DescribeTaskDefinition(include: ['TAGS']).tags */
  readonly sourceTags: readonly Tag[];
  /** The application's port (the port mapping to name). */
  readonly port: number;
  readonly protocol: 'http' | 'http2' | 'grpc' | 'tcp';
  /** Tags of the provider (keys `mesh-service:`), replacing any such tag of the source. */
  readonly ownerTags: readonly Tag[];
  /** What the revision is prepared for; Service Connect by default. */
  readonly profile?: RevisionProfile;
}

/** What a backend that runs without App Mesh needs of a revision. */
export interface RevisionProfile {
  /** Its name in messages. */
  readonly label: string;
  readonly networkModes: readonly string[];
  /** ECS adds a proxy to each task: task-level cpu and memory with room for it. */
  readonly proxyHeadroom: boolean;
  /** The port mapping's appProtocol follows Protocol. */
  readonly appProtocol: boolean;
}

export const SERVICE_CONNECT_PROFILE: RevisionProfile = {
  label: 'Service Connect',
  networkModes: ['awsvpc', 'bridge'],
  proxyHeadroom: true,
  appProtocol: true,
};

/** ECS registers a VPC Lattice service's tasks by IP (awsvpc) under the port mapping it names; no proxy is added. */
export const VPC_LATTICE_PROFILE: RevisionProfile = {
  label: 'VPC Lattice',
  networkModes: ['awsvpc'],
  proxyHeadroom: false,
  appProtocol: false,
};

export interface PreparedServiceConnectRevision {
  readonly input: RegisterTaskDefinitionCommandInput;
  /** The name of the application's port mapping. */
  readonly portName: string;
  /** Names of the App Mesh containers removed. */
  readonly removedContainers: readonly string[];
}

/** The proxy ECS adds to every Service Connect task (ECS developer guide, Service Connect: task resources). */
export const PROXY_HEADROOM = { cpu: 256, memory: 64 } as const;

/** The label the App Mesh backend puts on the sidecars it adds. */
const SIDECAR_LABEL = 'mesh-service.sidecar';
const APPMESH_ENVOY_IMAGE = /(^|\/)aws-appmesh-envoy(:|@|$)/;
const XRAY_DAEMON_IMAGE = /(^|\/)(aws-xray-daemon|amazon\/aws-xray-daemon)(:|@|$)/;
/** Variables that make a container an App Mesh Envoy, whatever its image. */
const APPMESH_NODE_VARIABLES = ['APPMESH_RESOURCE_ARN', 'APPMESH_VIRTUAL_NODE_NAME', 'APPMESH_RESOURCE_NAME'];

/**
 * Fargate task sizes: cpu units → the memory sizes (MiB) it allows (RegisterTaskDefinition, cpu and memory), in
 * ascending order.
 */
const FARGATE_SIZES: readonly (readonly [number, readonly number[]])[] = [
  [256, [512, 1024, 2048]],
  [512, range(1024, 4096, 1024)],
  [1024, range(2048, 8192, 1024)],
  [2048, range(4096, 16384, 1024)],
  [4096, range(8192, 30720, 1024)],
  [8192, range(16384, 61440, 4096)],
  [16384, range(32768, 122880, 8192)],
];

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

/** The port mapping name a service gets when its mapping has none: `<protocol>-<port>`, e.g. `http-3000`. */
export const defaultPortName = (protocol: string, port: number): string => `${protocol}-${port}`;

export function prepareServiceConnectRevision(
  input: ServiceConnectRevisionInput,
): PreparedServiceConnectRevision {
  const { source } = input;
  const profile = input.profile ?? SERVICE_CONNECT_PROFILE;
  const label = profile.label;
  if (source.family === undefined || source.family === '') {
    throw new Error('prepareServiceConnectRevision: the source task definition has no family');
  }
  const id = source.revision === undefined ? source.family : `${source.family}:${source.revision}`;
  const refuse = (what: string) => new TaskDefinitionError(`Task definition ${id}: ${what}`);

  const os = source.runtimePlatform?.operatingSystemFamily;
  if (os?.startsWith('WINDOWS')) {
    throw refuse(
      `runs on ${os}, and ${label} runs Linux tasks only; keep this service on Linux or leave it out of ${label}`,
    );
  }
  const networkMode = source.networkMode ?? 'bridge';
  if (!profile.networkModes.includes(networkMode)) {
    throw refuse(
      `networkMode is ${networkMode}, but ${label} needs ${profile.networkModes.join(' or ')}; set NetworkMode: awsvpc`,
    );
  }
  if (source.proxyConfiguration?.type !== undefined && source.proxyConfiguration.type !== 'APPMESH') {
    throw refuse(
      `its proxy configuration is of type ${source.proxyConfiguration.type}; remove it, ${label} needs none`,
    );
  }

  // The App Mesh sidecars go; everything else is the template author's.
  const removed: string[] = [];
  const kept: ContainerDefinition[] = [];
  for (const container of source.containerDefinitions ?? []) {
    if (isAppMeshSidecar(container, source.proxyConfiguration?.containerName))
      removed.push(container.name ?? '');
    else kept.push(structuredClone(container));
  }
  if (kept.length === 0)
    throw refuse('no container is left once the App Mesh sidecars are removed; add the application');
  const gone = new Set(removed);
  for (const container of kept) {
    if (container.dependsOn) {
      const others = container.dependsOn.filter((d) => !gone.has(d.containerName ?? ''));
      if (others.length) container.dependsOn = others;
      else delete container.dependsOn;
    }
    if (container.environment) {
      const env = container.environment.filter((v) => !(v.name ?? '').startsWith('APPMESH_'));
      if (env.length) container.environment = env;
      else delete container.environment;
    }
  }

  // The application's port: exposed by exactly one mapping of one container.
  const exposing = kept.flatMap((c) =>
    (c.portMappings ?? []).filter((m) => m.containerPort === input.port).map((m) => ({ c, m })),
  );
  if (exposing.length === 0) {
    throw refuse(
      `no container exposes Port ${input.port} as a containerPort; add a port mapping for ${input.port} to the application container or change Port`,
    );
  }
  if (exposing.length > 1) {
    throw refuse(
      `containers ${exposing.map((e) => `"${e.c.name}"`).join(' and ')} all map containerPort ${input.port}; ${label} needs one port mapping to name`,
    );
  }
  const mapping: PortMapping = exposing[0]!.m;
  if ((mapping.protocol ?? 'tcp') !== 'tcp') {
    throw refuse(`the port mapping of ${input.port} is ${mapping.protocol}; ${label} takes tcp only`);
  }
  const portName =
    mapping.name !== undefined && mapping.name !== ''
      ? mapping.name
      : defaultPortName(input.protocol, input.port);
  if (!SERVICE_CONNECT_NAME.test(portName)) {
    throw refuse(
      `the port mapping of ${input.port} is named "${portName}", which ${label} cannot use (lowercase letters, digits, underscores and hyphens, up to 64, not starting with a hyphen); rename it`,
    );
  }
  const clash = kept.flatMap((c) => c.portMappings ?? []).find((m) => m !== mapping && m.name === portName);
  if (clash) {
    throw refuse(
      `another port mapping (containerPort ${clash.containerPort}) is already named "${portName}"; rename it or name the mapping of ${input.port}`,
    );
  }
  mapping.name = portName;
  if (profile.appProtocol) {
    if (input.protocol === 'tcp') delete mapping.appProtocol;
    else mapping.appProtocol = input.protocol;
  }

  const output: Record<string, unknown> = structuredClone(source) as Record<string, unknown>;
  for (const field of READ_ONLY_FIELDS) delete output[field];
  delete output.proxyConfiguration;
  output.containerDefinitions = kept;
  if (profile.proxyHeadroom) Object.assign(output, taskSize(source, kept, refuse));
  const tags = preparedTags(input.sourceTags, input.ownerTags);
  if (tags.length) output.tags = tags;
  else delete output.tags;
  return {
    input: output as unknown as RegisterTaskDefinitionCommandInput,
    portName,
    removedContainers: removed,
  };
}

function isAppMeshSidecar(container: ContainerDefinition, proxyContainer: string | undefined): boolean {
  if (container.dockerLabels?.[SIDECAR_LABEL] !== undefined) return true;
  if (proxyContainer !== undefined && container.name === proxyContainer) return true;
  const image = container.image ?? '';
  if (APPMESH_ENVOY_IMAGE.test(image) || XRAY_DAEMON_IMAGE.test(image)) return true;
  return (container.environment ?? []).some((v) => APPMESH_NODE_VARIABLES.includes(v.name ?? ''));
}

/**
 * Task-level cpu and memory that leave the proxy its headroom above what the containers reserve. On Fargate, the
 * smallest valid size at least as large as both the current size and the need.
 */
function taskSize(
  source: TaskDefinition,
  containers: readonly ContainerDefinition[],
  refuse: (what: string) => TaskDefinitionError,
): { cpu: string; memory: string } {
  const cpuNeed = containers.reduce((s, c) => s + (c.cpu ?? 0), 0) + PROXY_HEADROOM.cpu;
  const memoryNeed =
    containers.reduce((s, c) => s + (c.memoryReservation ?? c.memory ?? 0), 0) + PROXY_HEADROOM.memory;
  const cpu = Math.max(parseSize(source.cpu, 'vCPU') ?? 0, cpuNeed);
  const memory = Math.max(parseSize(source.memory, 'GB') ?? 0, memoryNeed);
  if (!(source.requiresCompatibilities ?? []).includes('FARGATE'))
    return { cpu: String(cpu), memory: String(memory) };
  for (const [units, memories] of FARGATE_SIZES) {
    if (units < cpu) continue;
    const fit = memories.find((m) => m >= memory);
    if (fit !== undefined) return { cpu: String(units), memory: String(fit) };
  }
  throw refuse(
    `its containers and the Service Connect proxy need ${cpu} CPU units and ${memory} MiB, more than the largest Fargate task; lower the containers' reservations`,
  );
}

/** The source's tags without reserved `aws:` ones and without the provider's, then the provider's. */
function preparedTags(sourceTags: readonly Tag[], ownerTags: readonly Tag[]): Tag[] {
  const kept = sourceTags
    .filter((t) => t.key !== undefined && !/^aws:/i.test(t.key) && !t.key.startsWith(TAG_PREFIX))
    .map((t) => ({ ...t }));
  return [...kept, ...ownerTags.map((t) => ({ key: t.key, value: t.value ?? '' }))];
}
