/**
 * What ECS fills in on RegisterTaskDefinition that the caller did not send, visible in the response and in
 * DescribeTaskDefinition. ONE table; each entry says why we believe real ECS does it. A provider that re-registers
 * a described task definition must cope with these (they come back on every Describe).
 */
import { isPlainObject, type JsonObject } from '../util';
import { parseTaskCpu, parseTaskMemory } from './task-size';

export interface RegisterDefault {
  readonly field: string;
  readonly value: string;
  readonly why: string;
  readonly apply: (taskDefinition: JsonObject) => void;
}

function containers(td: JsonObject): JsonObject[] {
  return Array.isArray(td.containerDefinitions) ? td.containerDefinitions.filter(isPlainObject) : [];
}

function portMappings(container: JsonObject): JsonObject[] {
  return Array.isArray(container.portMappings) ? container.portMappings.filter(isPlainObject) : [];
}

function fillEachContainer(member: string, value: () => unknown): (td: JsonObject) => void {
  return (td) => {
    for (const c of containers(td)) if (c[member] === undefined) c[member] = value();
  };
}

export const ECS_REGISTER_DEFAULTS: readonly RegisterDefault[] = [
  {
    field: 'containerDefinitions[].essential',
    value: 'true',
    why: 'ECS docs (container definition "essential"): "If this parameter is omitted, a container is assumed to be essential."',
    apply: fillEachContainer('essential', () => true),
  },
  {
    field: 'containerDefinitions[].cpu',
    value: '0',
    why: 'Real DescribeTaskDefinition outputs show "cpu": 0 for containers registered without cpu (e.g. the outputs quoted in aws/amazon-ecs-agent#2579 and CircleCI-Public/aws-ecs-orb#29).',
    apply: fillEachContainer('cpu', () => 0),
  },
  {
    field: 'containerDefinitions[].portMappings',
    value: '[]',
    why: 'The AWS CLI register-task-definition example (sleep360, registered without ports) answers with "portMappings": [].',
    apply: fillEachContainer('portMappings', () => []),
  },
  {
    field: 'containerDefinitions[].environment / mountPoints / volumesFrom',
    value: '[]',
    why: 'Real Describe outputs always carry "environment": [], "mountPoints": [], "volumesFrom": [] (AWS CLI examples; the outputs quoted above).',
    apply: (td) => {
      for (const member of ['environment', 'mountPoints', 'volumesFrom'])
        fillEachContainer(member, () => [])(td);
    },
  },
  {
    field: 'containerDefinitions[].systemControls',
    value: '[]',
    why: 'ECS now returns "systemControls": [] for every container (the perpetual diff fixed by hashicorp/terraform-provider-aws#46132).',
    apply: fillEachContainer('systemControls', () => []),
  },
  {
    field: 'containerDefinitions[].portMappings[].protocol',
    value: '"tcp"',
    why: 'ECS docs (PortMapping "protocol"): "The default is tcp"; Describe shows it.',
    apply: (td) => {
      for (const c of containers(td)) for (const pm of portMappings(c)) pm.protocol ??= 'tcp';
    },
  },
  {
    field: 'containerDefinitions[].portMappings[].hostPort (awsvpc and host network modes)',
    value: 'containerPort',
    why: 'ECS docs: with awsvpc or host networking "the hostPort can either be left blank or set to the same value as the containerPort"; ECS stores it equal to containerPort (aws/amazon-ecs-agent#185 for host mode; turnerlabs/terraform-ecs-fargate#11 for awsvpc).',
    apply: (td) => {
      if (td.networkMode !== 'awsvpc' && td.networkMode !== 'host') return;
      for (const c of containers(td)) {
        for (const pm of portMappings(c))
          if (pm.hostPort === undefined && pm.containerPort !== undefined) pm.hostPort = pm.containerPort;
      }
    },
  },
  {
    field: 'volumes',
    value: '[]',
    why: 'The AWS CLI describe-task-definition example output shows "volumes": [] for a task definition without volumes.',
    apply: (td) => {
      td.volumes ??= [];
    },
  },
  {
    field: 'placementConstraints',
    value: '[]',
    why: 'Real DescribeTaskDefinition outputs carry "placementConstraints": [] when none were registered: an awsvpc Fargate definition (suryaval/aws-summit-2019 lab-2/README.md) and a bridge EC2 one (huannv93/ucadity-labs1 aws/server/modules/ecs/templates/task_be.tpl, a describe output kept as a template).',
    apply: (td) => {
      td.placementConstraints ??= [];
    },
  },
  {
    field: 'cpu, memory (task level)',
    value: '"1 vCPU" → "1024", "2 GB" → "2048"',
    why: 'ECS docs (task size): a vCPU value "is converted to an integer indicating the CPU units" and a GB value "to an integer indicating the MiB" when the task definition is registered.',
    apply: (td) => {
      if (typeof td.cpu === 'string') td.cpu = String(parseTaskCpu(td.cpu) ?? td.cpu);
      if (typeof td.memory === 'string') td.memory = String(parseTaskMemory(td.memory) ?? td.memory);
    },
  },
];

export function applyRegisterDefaults(taskDefinition: JsonObject): void {
  for (const entry of ECS_REGISTER_DEFAULTS) entry.apply(taskDefinition);
}
