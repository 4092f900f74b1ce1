/**
 * ECS rules the model cannot express: the task-definition ones here (RegisterTaskDefinition, tags, one registration
 * per family at a time), the Service Connect ones beside the services they check (services.ts), the Fargate sizes in
 * task-size.ts.
 *
 * RegisterTaskDefinition rules are each a small pure function over the (model-valid) request that throws the error
 * real ECS answers with — ClientException, except unparseable task cpu/memory which ECS reports as
 * InvalidParameterException. Each rule names its documented source; messages quote real ECS wording where it is
 * known (docs/emulator.md lists which).
 */
import { ecsErrors, ServiceError } from '../errors';
import { isPlainObject, type JsonObject } from '../util';
import { isFargateSize, parseTaskCpu, parseTaskMemory } from './task-size';

type Rule = (td: JsonObject) => void;

/** ECS: "Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed." */
export const FAMILY_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;
/** ECS API reference (ContainerDefinition.name): the same wording as for the family. */
const CONTAINER_NAME_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;
/** ECS API reference (ProxyConfiguration): EgressIgnoredPorts lists at most 15 ports. */
const MAX_EGRESS_IGNORED_PORTS = 15;
const MAX_TAGS = 50;
/** ECS developer guide, "Amazon ECS service quotas": Containers per task definition, 10 (not adjustable). */
export const MAX_CONTAINERS = 10;
/**
 * ECS developer guide, "Amazon ECS service quotas": task definition size 64 KiB (awsdocs/amazon-ecs-developer-guide#149
 * corrected it from 32 KiB with the CloudTrail record of the refusal).
 */
export const MAX_TASK_DEFINITION_BYTES = 65536;
/** ECS API reference (HealthCheck): "You may specify between 5 and 300 seconds", 2–60, 1–10 retries, 0–300. */
const HEALTH_CHECK_RANGES = [
  { member: 'interval', min: 5, max: 300 },
  { member: 'timeout', min: 2, max: 60 },
  { member: 'retries', min: 1, max: 10 },
  { member: 'startPeriod', min: 0, max: 300 },
] as const;
/**
 * ECS API reference (RegisterTaskDefinition.cpu): "If you're using the EC2 launch type or external launch type, this
 * field is optional. Supported values are between 128 CPU units (0.125 vCPUs) and 196608 CPU units (192 vCPUs)."
 */
const EC2_TASK_CPU = { min: 128, max: 196608 } as const;
/** ECS API reference (ContainerDefinition.stopTimeout): "For tasks that use the Fargate launch type, the max stop timeout value is 120 seconds". */
const FARGATE_MAX_STOP_TIMEOUT = 120;

function containersOf(td: JsonObject): JsonObject[] {
  return Array.isArray(td.containerDefinitions) ? td.containerDefinitions.filter(isPlainObject) : [];
}

function nameOf(c: JsonObject): string {
  return typeof c.name === 'string' ? c.name : '';
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function taskMemory(td: JsonObject): number | undefined {
  return typeof td.memory === 'string' ? parseTaskMemory(td.memory) : undefined;
}

function taskCpu(td: JsonObject): number | undefined {
  return typeof td.cpu === 'string' ? parseTaskCpu(td.cpu) : undefined;
}

function requiresFargate(td: JsonObject): boolean {
  return Array.isArray(td.requiresCompatibilities) && td.requiresCompatibilities.includes('FARGATE');
}

/** The network mode ECS uses: "If no network mode is specified, the default is bridge" (RegisterTaskDefinition). */
function networkModeOf(td: JsonObject): string {
  return typeof td.networkMode === 'string' ? td.networkMode : 'bridge';
}

/**
 * The request's size as ECS measures it: the JSON body. Real ECS answers ClientException "Actual length: '66420'.
 * Max allowed length is '65536' bytes." (CloudTrail record quoted in awsdocs/amazon-ecs-developer-guide#149).
 */
const requestSize: Rule = (td) => {
  const bytes = Buffer.byteLength(JSON.stringify(td), 'utf8');
  if (bytes > MAX_TASK_DEFINITION_BYTES) {
    throw ecsErrors.client(
      `Actual length: '${bytes}'. Max allowed length is '${MAX_TASK_DEFINITION_BYTES}' bytes.`,
    );
  }
};

const family: Rule = (td) => {
  if (typeof td.family !== 'string' || !FAMILY_PATTERN.test(td.family)) {
    throw ecsErrors.client(
      `Invalid family '${String(td.family)}': up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.`,
    );
  }
};

const containersPresent: Rule = (td) => {
  if (containersOf(td).length === 0) throw ecsErrors.client('Container list cannot be empty.');
};

/** "Containers per task definition: 10" (service quotas); real ECS answers "Too many containers." (aws/amazon-ecs-cli#184). */
const containerCount: Rule = (td) => {
  if (containersOf(td).length > MAX_CONTAINERS) throw ecsErrors.client('Too many containers.');
};

const containerNameAndImage: Rule = (td) => {
  for (const c of containersOf(td)) {
    if (!nameOf(c)) throw ecsErrors.client('Container.name should not be null or empty.');
    if (!CONTAINER_NAME_PATTERN.test(nameOf(c))) {
      throw ecsErrors.client(
        `Invalid container name '${nameOf(c)}': up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.`,
      );
    }
    if (typeof c.image !== 'string' || c.image === '') {
      throw ecsErrors.client(`Container.image should not be null or empty (container '${nameOf(c)}').`);
    }
  }
};

const uniqueContainerNames: Rule = (td) => {
  const seen = new Set<string>();
  for (const c of containersOf(td)) {
    if (seen.has(nameOf(c))) {
      throw ecsErrors.client(
        `Container names must be unique within a task definition: '${nameOf(c)}' is used more than once.`,
      );
    }
    seen.add(nameOf(c));
  }
};

const essentialContainer: Rule = (td) => {
  if (!containersOf(td).some((c) => c.essential !== false)) {
    throw ecsErrors.client('A task definition must have at least one essential container.');
  }
};

const taskSizeParses: Rule = (td) => {
  if (typeof td.cpu === 'string' && parseTaskCpu(td.cpu) === undefined) {
    throw ecsErrors.invalidParameter("Invalid 'cpu' setting for task.");
  }
  if (typeof td.memory === 'string' && parseTaskMemory(td.memory) === undefined) {
    throw ecsErrors.invalidParameter("Invalid 'memory' setting for task.");
  }
};

const fargate: Rule = (td) => {
  if (!Array.isArray(td.requiresCompatibilities) || !td.requiresCompatibilities.includes('FARGATE')) return;
  if (td.networkMode !== 'awsvpc') throw ecsErrors.client("Fargate only supports network mode 'awsvpc'.");
  const cpu = taskCpu(td);
  const memory = taskMemory(td);
  if (cpu === undefined) throw ecsErrors.client("Fargate requires that 'cpu' be defined at the task level.");
  if (memory === undefined)
    throw ecsErrors.client("Fargate requires that 'memory' be defined at the task level.");
  if (!isFargateSize(cpu, memory)) {
    throw ecsErrors.client(
      `No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory. See the Amazon ECS documentation for the valid values.`,
    );
  }
};

/**
 * A task that does not require Fargate (EC2 or external) takes a task cpu of 128–196608 units (EC2_TASK_CPU). ECS's
 * troubleshooting page "task definition invalid CPU or memory errors" gives the answer to an invalid value:
 * ClientException "Invalid 'cpu' setting for task." (real wording).
 */
const ec2TaskCpu: Rule = (td) => {
  if (requiresFargate(td)) return;
  const cpu = taskCpu(td);
  if (cpu !== undefined && (cpu < EC2_TASK_CPU.min || cpu > EC2_TASK_CPU.max)) {
    throw ecsErrors.client("Invalid 'cpu' setting for task.");
  }
};

/**
 * What Fargate does not support (ECS API reference: pidMode and ipcMode "not supported for … tasks run on Fargate",
 * ContainerDefinition.privileged the same, stopTimeout "max … 120 seconds" on Fargate). The pidMode and ipcMode
 * messages are real ECS wording (aws/aws-cdk#29619, cn-terraform/terraform-aws-ecs-fargate#2); the others are ours in
 * the same style.
 */
const fargateUnsupported: Rule = (td) => {
  if (!requiresFargate(td)) return;
  if (td.pidMode === 'host') {
    throw ecsErrors.client(
      "Tasks using the Fargate launch type do not support pidMode 'host'. The supported value for pidMode is 'task'.",
    );
  }
  if (td.ipcMode !== undefined && td.ipcMode !== null) {
    throw ecsErrors.client('Tasks using the Fargate launch type do not support ipcMode.');
  }
  for (const c of containersOf(td)) {
    if (c.privileged === true) {
      throw ecsErrors.client(
        `Tasks using the Fargate launch type do not support privileged containers (container '${nameOf(c)}').`,
      );
    }
    const stop = num(c.stopTimeout);
    if (stop !== undefined && stop > FARGATE_MAX_STOP_TIMEOUT) {
      throw ecsErrors.client(
        `Invalid 'stopTimeout' setting for container '${nameOf(c)}': tasks using the Fargate launch type allow at most ${FARGATE_MAX_STOP_TIMEOUT} seconds, got ${stop}.`,
      );
    }
  }
};

/**
 * Network-mode restrictions on containers (ECS API reference, ContainerDefinition): "The hostname parameter is not
 * supported if you're using the awsvpc network mode"; links are "only supported if the network mode of a task
 * definition is bridge". Real wording: "hostname is not supported on container when networkMode=awsvpc."
 * (labd/ecs-deplojo#26), "Links are not supported when networkMode=awsvpc." (aws-observability/aws-otel-collector#1359).
 */
const networkModeContainers: Rule = (td) => {
  const mode = networkModeOf(td);
  for (const c of containersOf(td)) {
    if (mode === 'awsvpc' && typeof c.hostname === 'string') {
      throw ecsErrors.client('hostname is not supported on container when networkMode=awsvpc.');
    }
    if (mode !== 'bridge' && Array.isArray(c.links) && c.links.length > 0) {
      throw ecsErrors.client(`Links are not supported when networkMode=${mode}.`);
    }
  }
};

/**
 * Container health check ranges (ECS API reference, HealthCheck). The maximum message is real ECS wording ("Health
 * check retries must be less than or equal to the maximum allowed value 10 for container '…'", PostHog/posthog#8647);
 * the minimum one mirrors it.
 */
const healthCheckRanges: Rule = (td) => {
  for (const c of containersOf(td)) {
    if (!isPlainObject(c.healthCheck)) continue;
    for (const { member, min, max } of HEALTH_CHECK_RANGES) {
      const value = num(c.healthCheck[member]);
      if (value === undefined) continue;
      if (value > max) {
        throw ecsErrors.client(
          `Health check ${member} must be less than or equal to the maximum allowed value ${max} for container '${nameOf(c)}'`,
        );
      }
      if (value < min) {
        throw ecsErrors.client(
          `Health check ${member} must be greater than or equal to the minimum allowed value ${min} for container '${nameOf(c)}'`,
        );
      }
    }
  }
};

const containerMemory: Rule = (td) => {
  const task = taskMemory(td);
  let sum = 0;
  for (const c of containersOf(td)) {
    const hard = num(c.memory);
    const soft = num(c.memoryReservation);
    if (task === undefined && hard === undefined && soft === undefined) {
      throw ecsErrors.client(
        `Invalid setting for container '${nameOf(c)}'. At least one of 'memory' or 'memoryReservation' must be specified.`,
      );
    }
    if (hard !== undefined && soft !== undefined && soft > hard) {
      throw ecsErrors.client(
        `Invalid setting for container '${nameOf(c)}'. 'memoryReservation' (${soft}) must be less than or equal to 'memory' (${hard}).`,
      );
    }
    if (task !== undefined && hard !== undefined && hard > task) {
      throw ecsErrors.client(
        `The 'memory' setting for container '${nameOf(c)}' is greater than for the task.`,
      );
    }
    sum += soft ?? hard ?? 0;
  }
  if (task !== undefined && sum > task) {
    throw ecsErrors.client(
      `The sum of all container memory reservations (memoryReservation, or memory where no reservation is set: ${sum} MiB) ` +
        `cannot be greater than the value of the task 'memory' (${task} MiB).`,
    );
  }
};

const containerCpu: Rule = (td) => {
  const task = taskCpu(td);
  if (task === undefined) return;
  const sum = containersOf(td).reduce((total, c) => total + (num(c.cpu) ?? 0), 0);
  if (sum > task) {
    throw ecsErrors.client(
      `The sum of all container 'cpu' values (${sum}) cannot be greater than the value of the task 'cpu' (${task}).`,
    );
  }
};

/**
 * ECS API reference (RegisterTaskDefinition.networkMode): "If the network mode is set to none, you cannot specify port
 * mappings in your container definitions"; ContainerDefinition.portMappings: "If the network mode of a task definition
 * is set to none, then you can't specify port mappings." The message is ours, in the style of the links one.
 */
const portMappings: Rule = (td) => {
  for (const c of containersOf(td)) {
    const mappings = Array.isArray(c.portMappings) ? c.portMappings.filter(isPlainObject) : [];
    if (networkModeOf(td) === 'none' && mappings.length > 0) {
      throw ecsErrors.client(
        `Port mappings are not supported when networkMode=none (container '${nameOf(c)}').`,
      );
    }
    for (const pm of mappings) {
      if (pm.containerPort === undefined && pm.containerPortRange === undefined) {
        throw ecsErrors.client(`Invalid 'containerPort' setting for container '${nameOf(c)}'.`);
      }
      if (td.networkMode === 'awsvpc' && pm.hostPort !== undefined && pm.hostPort !== pm.containerPort) {
        throw ecsErrors.client(
          `When networkMode=awsvpc, the host ports and container ports in port mappings must match (container '${nameOf(c)}': hostPort ${String(pm.hostPort)}, containerPort ${String(pm.containerPort)}).`,
        );
      }
    }
  }
};

function dependenciesOf(c: JsonObject): { containerName: string; condition: string }[] {
  if (!Array.isArray(c.dependsOn)) return [];
  return c.dependsOn
    .filter(isPlainObject)
    .map((d) => ({ containerName: String(d.containerName), condition: String(d.condition) }));
}

const dependsOn: Rule = (td) => {
  const byName = new Map(containersOf(td).map((c) => [nameOf(c), c]));
  for (const c of byName.values()) {
    for (const dep of dependenciesOf(c)) {
      const target = byName.get(dep.containerName);
      if (!target) {
        // Real ECS wording, "+" included (dagster-io/dagster#6926, eagletmt/hako#99).
        throw ecsErrors.client(
          `Cannot depend on container + '${dep.containerName}' because it does not exist`,
        );
      }
      // ECS API reference (ContainerDependency.condition): COMPLETE and SUCCESS "can't be set on an essential
      // container"; real wording from boto/boto3#2436. An omitted `essential` means essential.
      if ((dep.condition === 'COMPLETE' || dep.condition === 'SUCCESS') && target.essential !== false) {
        throw ecsErrors.client(
          'A dependency container with SUCCESS or COMPLETE condition cannot be an essential container',
        );
      }
      if (dep.condition === 'HEALTHY' && !isPlainObject(target.healthCheck)) {
        throw ecsErrors.client(
          `Container '${nameOf(c)}' depends on container '${dep.containerName}' with condition HEALTHY, but '${dep.containerName}' has no healthCheck.`,
        );
      }
    }
  }
  // A cycle can never start: find one with a depth-first search and name it.
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(name)), name].join(' -> ');
      throw ecsErrors.client(`Container dependency cycle detected: ${cycle}.`);
    }
    state.set(name, 'visiting');
    stack.push(name);
    const container = byName.get(name);
    for (const dep of container ? dependenciesOf(container) : []) visit(dep.containerName);
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of byName.keys()) visit(name);
};

function portList(value: string): number[] | undefined {
  const parts = value.split(',').map((p) => p.trim());
  const ports = parts.map(Number);
  return parts.every((p) => /^\d+$/.test(p)) && ports.every((p) => p >= 1 && p <= 65535) ? ports : undefined;
}

/**
 * The APPMESH proxy configuration (ECS API reference, ProxyConfiguration.properties; App Mesh user guide, "Envoy on
 * ECS"). Empty values are allowed where the reference says so: EgressIgnoredPorts and EgressIgnoredIPs "can be an
 * empty list", IgnoredUID "can be empty" when IgnoredGID is specified and vice versa. An empty or missing AppPorts is
 * "App ports not found" (aws/aws-app-mesh-roadmap#467).
 */
const proxyConfiguration: Rule = (td) => {
  const proxy = td.proxyConfiguration;
  if (!isPlainObject(proxy)) return;
  // APPMESH is the only proxy type; an omitted type is treated as APPMESH.
  if (td.networkMode !== 'awsvpc') {
    throw ecsErrors.client('APPMESH proxy configuration is only supported in networkMode=awsvpc');
  }
  if (!containersOf(td).some((c) => nameOf(c) === proxy.containerName)) {
    throw ecsErrors.client(
      `The proxy configuration names container '${String(proxy.containerName)}', which is not defined in this task definition.`,
    );
  }
  const properties = new Map<string, string>();
  for (const p of Array.isArray(proxy.properties) ? proxy.properties.filter(isPlainObject) : []) {
    if (typeof p.name !== 'string' || p.name === '' || typeof p.value !== 'string') {
      throw ecsErrors.client('ProxyConfiguration properties value cannot be null.');
    }
    properties.set(p.name, p.value.trim());
  }
  const filled = (name: string) => (properties.get(name) ?? '') !== '';
  if (!filled('AppPorts'))
    throw ecsErrors.client('App ports not found: the APPMESH proxy configuration needs AppPorts.');
  for (const name of ['ProxyIngressPort', 'ProxyEgressPort']) {
    if (!filled(name)) throw ecsErrors.client(`The APPMESH proxy configuration needs ${name}.`);
  }
  for (const name of ['AppPorts', 'EgressIgnoredPorts', 'ProxyIngressPort', 'ProxyEgressPort']) {
    const value = properties.get(name);
    if (value !== undefined && value !== '' && !portList(value)) {
      throw ecsErrors.client(
        `ProxyConfiguration property '${name}' must be a comma-separated list of ports 1-65535, got '${value}'.`,
      );
    }
  }
  if (!filled('IgnoredUID') && !filled('IgnoredGID')) {
    throw ecsErrors.client(
      'The APPMESH proxy configuration needs IgnoredUID or IgnoredGID (one of them may be empty, not both).',
    );
  }
  const ignored = filled('EgressIgnoredPorts')
    ? (portList(properties.get('EgressIgnoredPorts') ?? '') ?? [])
    : [];
  if (ignored.length > MAX_EGRESS_IGNORED_PORTS) {
    throw ecsErrors.client(
      `EgressIgnoredPorts lists ${ignored.length} ports; at most ${MAX_EGRESS_IGNORED_PORTS} are allowed.`,
    );
  }
};

/**
 * Tag rules shared by RegisterTaskDefinition and TagResource (ECS API reference, Tag): at most 50, unique keys, and
 * "Do not use aws:, AWS:, or any upper or lowercase combination of such as a prefix for either keys or values".
 * The allowed characters are the model's pattern, which the validator applies to the whole key and value.
 */
export function checkTags(tags: readonly { key?: unknown; value?: unknown }[]): void {
  if (tags.length > MAX_TAGS)
    throw ecsErrors.client(`A resource can have at most ${MAX_TAGS} tags; got ${tags.length}.`);
  const seen = new Set<string>();
  for (const tag of tags) {
    const key = String(tag.key ?? '');
    const value = typeof tag.value === 'string' ? tag.value : '';
    if (key.toLowerCase().startsWith('aws:')) {
      throw ecsErrors.client(
        `Tag key '${key}' is not allowed: keys starting with 'aws:' are reserved for AWS use.`,
      );
    }
    if (value.toLowerCase().startsWith('aws:')) {
      throw ecsErrors.client(
        `Tag value '${value}' (key '${key}') is not allowed: values starting with 'aws:' are reserved for AWS use.`,
      );
    }
    if (seen.has(key)) throw ecsErrors.client(`Duplicate tag key '${key}'.`);
    seen.add(key);
  }
}

/** `tags: []` is refused: real ECS answers ClientException "Tags can not be empty." (fabfuel/ecs-deploy#146, kayac/ecspresso#296). */
const tags: Rule = (td) => {
  if (!Array.isArray(td.tags)) return;
  if (td.tags.length === 0) throw ecsErrors.client('Tags can not be empty.');
  checkTags(td.tags.filter(isPlainObject));
};

/** In the order ECS reports them: the first rule that fails is the error. */
export const REGISTER_RULES: readonly Rule[] = [
  requestSize,
  family,
  containersPresent,
  containerCount,
  containerNameAndImage,
  uniqueContainerNames,
  essentialContainer,
  taskSizeParses,
  fargate,
  ec2TaskCpu,
  fargateUnsupported,
  networkModeContainers,
  containerMemory,
  containerCpu,
  portMappings,
  healthCheckRanges,
  dependsOn,
  proxyConfiguration,
  tags,
];

export function checkRegisterTaskDefinition(request: JsonObject): void {
  for (const rule of REGISTER_RULES) rule(request);
}

/**
 * Real ECS refuses a registration while another one of the same family is in progress: ClientException (HTTP 400)
 * "Too many concurrent attempts to create a new revision of the specified family." (convox/praxis#276,
 * jenkinsci/amazon-ecs-plugin#105). Requests only overlap here when latency is injected; the provider serialises its
 * own registrations per family. The pipeline admits a call with it once the input is parsed, before the faults, and
 * ends the hold when the call ends.
 */
export class FamilyRegistrations {
  /** `<account>/<family>` of the registrations in progress. */
  private readonly inProgress = new Set<string>();

  /** Holds the family of a registration until the returned release; any other call passes. */
  admit(operation: string, account: string, input: unknown): (() => void) | undefined {
    const family = registeringFamily(operation, account, input);
    if (family === undefined) return undefined;
    if (this.inProgress.has(family)) {
      throw new ServiceError(
        'ClientException',
        'Too many concurrent attempts to create a new revision of the specified family.',
        400,
      );
    }
    this.inProgress.add(family);
    return () => {
      this.inProgress.delete(family);
    };
  }
}

function registeringFamily(operation: string, account: string, input: unknown): string | undefined {
  if (operation !== 'RegisterTaskDefinition' || !isPlainObject(input)) return undefined;
  return typeof input.family === 'string' ? `${account}/${input.family}` : undefined;
}
