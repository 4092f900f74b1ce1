/**
 * RegisterTaskDefinition rules the model cannot express, each a small pure function over the (model-valid)
 * request that throws the error real ECS answers with — ClientException, except unparseable task cpu/memory which
 * ECS reports as InvalidParameterException. Messages quote real ECS wording where it is known.
 */
import { ecsErrors } from '../errors';
import { isPlainObject, type JsonObject } from '../util';
import { isFargateSize, parseTaskCpu, parseTaskMemory } from './task-size';

type Rule = (td: JsonObject) => void;

/** ECS: "Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed." */
export const FAMILY_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;
/** ECS API reference (ProxyConfiguration): EgressIgnoredPorts lists at most 15 ports. */
const MAX_EGRESS_IGNORED_PORTS = 15;
const MAX_TAGS = 50;

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

const containerNameAndImage: Rule = (td) => {
  for (const c of containersOf(td)) {
    if (!nameOf(c)) throw ecsErrors.client('Container.name should not be null or empty.');
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

const portMappings: Rule = (td) => {
  for (const c of containersOf(td)) {
    const mappings = Array.isArray(c.portMappings) ? c.portMappings.filter(isPlainObject) : [];
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
        throw ecsErrors.client(
          `Container '${nameOf(c)}' depends on container '${dep.containerName}', which is not defined in this task definition.`,
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

/** The APPMESH proxy configuration (ECS API reference, ProxyConfiguration; App Mesh user guide, "Envoy on ECS"). */
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
    if (typeof p.name !== 'string' || p.name === '' || p.value === undefined || p.value === null) {
      throw ecsErrors.client('ProxyConfiguration properties value cannot be null.');
    }
    if (typeof p.value !== 'string' || p.value.trim() === '') {
      throw ecsErrors.client(
        `ProxyConfiguration property '${p.name}' has an empty value: omit the property instead of sending an empty string.`,
      );
    }
    properties.set(p.name, p.value);
  }
  const appPorts = properties.get('AppPorts');
  if (appPorts === undefined)
    throw ecsErrors.client('App ports not found: the APPMESH proxy configuration needs AppPorts.');
  for (const name of ['AppPorts', 'EgressIgnoredPorts', 'ProxyIngressPort', 'ProxyEgressPort']) {
    const value = properties.get(name);
    if (value !== undefined && !portList(value)) {
      throw ecsErrors.client(
        `ProxyConfiguration property '${name}' must be a comma-separated list of ports 1-65535, got '${value}'.`,
      );
    }
  }
  for (const name of ['ProxyIngressPort', 'ProxyEgressPort']) {
    if (!properties.has(name)) throw ecsErrors.client(`The APPMESH proxy configuration needs ${name}.`);
  }
  if (!properties.has('IgnoredUID') && !properties.has('IgnoredGID')) {
    throw ecsErrors.client('The APPMESH proxy configuration needs IgnoredUID or IgnoredGID.');
  }
  const ignored = portList(properties.get('EgressIgnoredPorts') ?? '1') ?? [];
  if (properties.has('EgressIgnoredPorts') && ignored.length > MAX_EGRESS_IGNORED_PORTS) {
    throw ecsErrors.client(
      `EgressIgnoredPorts lists ${ignored.length} ports; at most ${MAX_EGRESS_IGNORED_PORTS} are allowed.`,
    );
  }
};

/** Tag rules shared by RegisterTaskDefinition and TagResource. */
export function checkTags(tags: readonly { key?: unknown }[]): void {
  if (tags.length > MAX_TAGS)
    throw ecsErrors.client(`A resource can have at most ${MAX_TAGS} tags; got ${tags.length}.`);
  const seen = new Set<string>();
  for (const tag of tags) {
    const key = String(tag.key ?? '');
    if (key.toLowerCase().startsWith('aws:')) {
      throw ecsErrors.client(
        `Tag key '${key}' is not allowed: keys starting with 'aws:' are reserved for AWS use.`,
      );
    }
    if (seen.has(key)) throw ecsErrors.client(`Duplicate tag key '${key}'.`);
    seen.add(key);
  }
}

const tags: Rule = (td) => {
  if (Array.isArray(td.tags)) checkTags(td.tags.filter(isPlainObject));
};

/** In the order ECS reports them: the first rule that fails is the error. */
export const REGISTER_RULES: readonly Rule[] = [
  family,
  containersPresent,
  containerNameAndImage,
  uniqueContainerNames,
  essentialContainer,
  taskSizeParses,
  fargate,
  containerMemory,
  containerCpu,
  portMappings,
  dependsOn,
  proxyConfiguration,
  tags,
];

export function checkRegisterTaskDefinition(request: JsonObject): void {
  for (const rule of REGISTER_RULES) rule(request);
}
