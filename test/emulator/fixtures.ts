/** Specs and task definitions the emulator tests build on (the ECS workshop's App Mesh chapter). */
import type {
  GatewayRouteSpec,
  RouteSpec,
  VirtualNodeSpec,
  VirtualRouterSpec,
  VirtualServiceSpec,
} from '@aws-sdk/client-app-mesh';
import type { ContainerDefinition, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';

export const MESH = 'ecs-mesh';

export function nodeSpec(
  port = 3000,
  hostname = 'ecsdemo-crystal.service.local',
  backends: string[] = [],
): VirtualNodeSpec {
  return {
    listeners: [{ portMapping: { port, protocol: 'http' } }],
    serviceDiscovery: { dns: { hostname } },
    backends:
      backends.length > 0
        ? backends.map((virtualServiceName) => ({ virtualService: { virtualServiceName } }))
        : undefined,
  };
}

export function routerSpec(
  protocol: 'http' | 'http2' | 'grpc' | 'tcp' = 'http',
  port = 3000,
): VirtualRouterSpec {
  return { listeners: [{ portMapping: { port, protocol } }] };
}

export function providedByNode(virtualNodeName: string): VirtualServiceSpec {
  return { provider: { virtualNode: { virtualNodeName } } };
}

export function providedByRouter(virtualRouterName: string): VirtualServiceSpec {
  return { provider: { virtualRouter: { virtualRouterName } } };
}

export function httpRouteTo(virtualNode: string, prefix = '/', weight = 1): RouteSpec {
  return { httpRoute: { match: { prefix }, action: { weightedTargets: [{ virtualNode, weight }] } } };
}

export function gatewayRouteTo(virtualServiceName: string, prefix = '/'): GatewayRouteSpec {
  return { httpRoute: { match: { prefix }, action: { target: { virtualService: { virtualServiceName } } } } };
}

export const GATEWAY_SPEC = { listeners: [{ portMapping: { port: 3000, protocol: 'http' as const } }] };

/** The Envoy container as envoy-sidecar.md describes it. */
export function envoyContainer(
  region = 'us-east-1',
  nodeArn = 'mesh/ecs-mesh/virtualNode/frontend',
): ContainerDefinition {
  return {
    name: 'envoy',
    image: `840364872350.dkr.ecr.${region}.amazonaws.com/aws-appmesh-envoy:v1.34.13.3-prod`,
    essential: true,
    user: '1337',
    memoryReservation: 128,
    environment: [
      { name: 'APPMESH_RESOURCE_ARN', value: nodeArn },
      { name: 'AWS_REGION', value: region },
      { name: 'ENVOY_LOG_LEVEL', value: 'info' },
    ],
    healthCheck: {
      command: ['CMD-SHELL', 'curl -s http://localhost:9901/server_info | grep state | grep -q LIVE'],
      startPeriod: 10,
      interval: 5,
      timeout: 2,
      retries: 3,
    },
    ulimits: [{ name: 'nofile', softLimit: 15000, hardLimit: 15000 }],
    stopTimeout: 30,
  };
}

/** A correctly patched workshop task definition (awsvpc, Fargate 256/512, app + Envoy sidecar). */
export function patchedTaskDefinition(family = 'ecsdemo-frontend'): RegisterTaskDefinitionCommandInput {
  return {
    family,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    taskRoleArn: 'arn:aws:iam::111122223333:role/frontend-task',
    executionRoleArn: 'arn:aws:iam::111122223333:role/frontend-execution',
    containerDefinitions: [
      {
        name: 'frontend',
        image: 'public.ecr.aws/aws-containers/ecsdemo-frontend:latest',
        memoryReservation: 256,
        portMappings: [{ containerPort: 3000 }],
        dependsOn: [{ containerName: 'envoy', condition: 'HEALTHY' }],
      },
      envoyContainer(),
    ],
    proxyConfiguration: {
      type: 'APPMESH',
      containerName: 'envoy',
      properties: [
        { name: 'IgnoredUID', value: '1337' },
        { name: 'ProxyIngressPort', value: '15000' },
        { name: 'ProxyEgressPort', value: '15001' },
        { name: 'AppPorts', value: '3000' },
        { name: 'EgressIgnoredIPs', value: '169.254.170.2,169.254.169.254' },
      ],
    },
  };
}

/** A minimal valid EC2 task definition. */
export function simpleTaskDefinition(family = 'web'): RegisterTaskDefinitionCommandInput {
  return { family, containerDefinitions: [{ name: 'app', image: 'nginx', memory: 128 }] };
}
