import type { ContainerDefinition, TaskDefinition } from '@aws-sdk/client-ecs';
import { DEFAULT_ENVOY_OPTIONS, type EnvoyOptions } from '../../lambda/appmesh/envoy/options';
import type { EnvoyPatchInput } from '../../lambda/appmesh/envoy/patch';

/** Test data: task definitions as DescribeTaskDefinition returns them, and patch inputs around them. */

export const ACCOUNT = '123456789012';
export const REGION = 'us-west-2';
export const FRONTEND_NODE_ARN = `arn:aws:appmesh:${REGION}:${ACCOUNT}:mesh/ecs-mesh/virtualNode/frontend`;

/** The ECS workshop's frontend service task definition (Fargate, awsvpc, 256/512, one app container on 3000). */
export function frontendSource(): TaskDefinition {
  return {
    taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/ecsdemo-frontend:3`,
    containerDefinitions: [
      {
        name: 'frontend',
        image: 'public.ecr.aws/aws-containers/ecsdemo-frontend',
        cpu: 0,
        portMappings: [{ containerPort: 3000, hostPort: 3000, protocol: 'tcp' }],
        essential: true,
        environment: [
          { name: 'CRYSTAL_URL', value: 'http://ecsdemo-crystal.service.local:3000/crystal' },
          { name: 'NODEJS_URL', value: 'http://ecsdemo-nodejs.service.local:3000' },
        ],
        mountPoints: [],
        volumesFrom: [],
        logConfiguration: {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': 'ecsworkshop-frontend',
            'awslogs-region': REGION,
            'awslogs-stream-prefix': 'frontend',
          },
        },
        systemControls: [],
      },
    ],
    family: 'ecsdemo-frontend',
    taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecsdemo-frontend-TaskRole`,
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecsdemo-frontend-ExecutionRole`,
    networkMode: 'awsvpc',
    revision: 3,
    volumes: [],
    status: 'ACTIVE',
    requiresAttributes: [
      { name: 'com.amazonaws.ecs.capability.logging-driver.awslogs' },
      { name: 'ecs.capability.execution-role-awslogs' },
      { name: 'com.amazonaws.ecs.capability.task-iam-role' },
      { name: 'ecs.capability.task-eni' },
    ],
    placementConstraints: [],
    compatibilities: ['EC2', 'FARGATE'],
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    registeredAt: new Date('2026-05-04T09:30:00.000Z'),
    registeredBy: `arn:aws:sts::${ACCOUNT}:assumed-role/cdk-hnb659fds-cfn-exec-role/AWSCloudFormation`,
  };
}

export function options(overrides: Partial<EnvoyOptions> = {}): EnvoyOptions {
  return { ...DEFAULT_ENVOY_OPTIONS, egressIgnoredPorts: [], ...overrides };
}

export function patchInput(overrides: Partial<EnvoyPatchInput> = {}): EnvoyPatchInput {
  return {
    source: frontendSource(),
    sourceTags: [],
    meshName: 'ecs-mesh',
    virtualNodeName: 'frontend',
    virtualNodeArn: FRONTEND_NODE_ARN,
    region: REGION,
    listenerPorts: [3000],
    envoy: options(),
    ownerTags: [
      { key: 'mesh-service:stack', value: 'arn:aws:cloudformation:us-west-2:123456789012:stack/app/1' },
    ],
    ...overrides,
  };
}

/** The frontend task with its containers replaced or extended; other fields kept. */
export function withContainers(containers: ContainerDefinition[], base: TaskDefinition = frontendSource()) {
  return { ...base, containerDefinitions: containers };
}

export function frontendContainer(): ContainerDefinition {
  const container = frontendSource().containerDefinitions?.[0];
  if (!container) throw new Error('fixture has no container');
  return container;
}

/** An EC2 task: awsvpc, no task-level cpu/memory, containers with their own memory. */
export function ec2Source(): TaskDefinition {
  const source = frontendSource();
  delete source.cpu;
  delete source.memory;
  source.requiresCompatibilities = ['EC2'];
  source.family = 'ecsdemo-frontend-ec2';
  source.revision = 7;
  source.containerDefinitions = [{ ...frontendContainer(), memory: 512 }];
  return source;
}

/** A FireLens setup: a Fluent Bit log router and an application container logging through it. */
export function fireLensSource(): TaskDefinition {
  const source = frontendSource();
  source.family = 'orders';
  source.revision = 12;
  source.cpu = '1024';
  source.memory = '2048';
  source.containerDefinitions = [
    {
      name: 'log_router',
      image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable',
      essential: true,
      firelensConfiguration: { type: 'fluentbit', options: { 'enable-ecs-log-metadata': 'true' } },
      memoryReservation: 50,
      logConfiguration: {
        logDriver: 'awslogs',
        options: {
          'awslogs-group': 'firelens',
          'awslogs-region': REGION,
          'awslogs-stream-prefix': 'firelens',
        },
      },
    },
    {
      name: 'orders',
      image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/orders:1.4.2`,
      essential: true,
      portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
      memoryReservation: 512,
      logConfiguration: {
        logDriver: 'awsfirelens',
        options: { Name: 'datadog', Host: 'http-intake.logs.datadoghq.com', TLS: 'on', dd_service: 'orders' },
        secretOptions: [
          { name: 'apikey', valueFrom: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:dd-api-key` },
        ],
      },
    },
  ];
  return source;
}
