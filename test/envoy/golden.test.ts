import type { ContainerDefinition, ProxyConfiguration } from '@aws-sdk/client-ecs';
import { buildEnvoyPatch } from '../../lambda/appmesh/envoy/patch';
import { ACCOUNT, frontendContainer, patchInput } from './fixtures';

/**
 * Golden test: the workshop's frontend task (Fargate, awsvpc, 256/512, one app container `frontend` on 3000 with
 * awslogs), patched with the default options, compared field by field with the reference table
 * (shared/reference/envoy-sidecar.md). Each field's row of the table is quoted next to it.
 */

const EXPECTED_ENVOY: ContainerDefinition = {
  // name: `envoy`
  name: 'envoy',
  // image: 840364872350.dkr.ecr.<region>.amazonaws.com/aws-appmesh-envoy:<version>
  image: '840364872350.dkr.ecr.us-west-2.amazonaws.com/aws-appmesh-envoy:v1.34.13.3-prod',
  // essential: true
  essential: true,
  // user: "1337"
  user: '1337',
  // environment: APPMESH_RESOURCE_ARN, AWS_REGION, ENVOY_LOG_LEVEL (info), LISTENER_DRAIN_WAIT_TIME_S (20),
  // ENVOY_ADMIN_ACCESS_PORT 9901; sorted by name
  environment: [
    {
      name: 'APPMESH_RESOURCE_ARN',
      value: `arn:aws:appmesh:us-west-2:${ACCOUNT}:mesh/ecs-mesh/virtualNode/frontend`,
    },
    { name: 'AWS_REGION', value: 'us-west-2' },
    { name: 'ENVOY_ADMIN_ACCESS_PORT', value: '9901' },
    { name: 'ENVOY_LOG_LEVEL', value: 'info' },
    { name: 'LISTENER_DRAIN_WAIT_TIME_S', value: '20' },
  ],
  // portMappings: 9901, 15000, 15001 TCP
  portMappings: [
    { containerPort: 9901, protocol: 'tcp' },
    { containerPort: 15000, protocol: 'tcp' },
    { containerPort: 15001, protocol: 'tcp' },
  ],
  // healthCheck: curl server_info | grep LIVE, startPeriod 10, interval 5, timeout 2, retries 3
  healthCheck: {
    command: ['CMD-SHELL', 'curl -s http://localhost:9901/server_info | grep state | grep -q LIVE'],
    interval: 5,
    timeout: 2,
    retries: 3,
    startPeriod: 10,
  },
  // ulimits: nofile raised (examples 15000)
  ulimits: [{ name: 'nofile', softLimit: 15000, hardLimit: 15000 }],
  // resources: memoryReservation 128 (examples 128-256); fits 512 MiB with the frontend's 0
  memoryReservation: 128,
  // stopTimeout: above the listener drain time (e.g. 30 s)
  stopTimeout: 30,
  // not in the table: the provider's ownership marker (see sidecars.ts SIDECAR_LABEL)
  dockerLabels: { 'mesh-service.sidecar': 'envoy' },
  // logConfiguration: follow the app container's log driver (awslogs: same group and Region)
  logConfiguration: {
    logDriver: 'awslogs',
    options: {
      'awslogs-group': 'ecsworkshop-frontend',
      'awslogs-region': 'us-west-2',
      'awslogs-stream-prefix': 'frontend',
    },
  },
};

const EXPECTED_PROXY_CONFIGURATION: ProxyConfiguration = {
  // proxyConfiguration.type: APPMESH
  type: 'APPMESH',
  // containerName: envoy
  containerName: 'envoy',
  properties: [
    // IgnoredUID 1337 (equal to the Envoy container's user)
    { name: 'IgnoredUID', value: '1337' },
    // ProxyIngressPort / ProxyEgressPort 15000 / 15001
    { name: 'ProxyIngressPort', value: '15000' },
    { name: 'ProxyEgressPort', value: '15001' },
    // AppPorts: the virtual node's listener ports
    { name: 'AppPorts', value: '3000' },
    // EgressIgnoredIPs 169.254.170.2,169.254.169.254
    { name: 'EgressIgnoredIPs', value: '169.254.170.2,169.254.169.254' },
    // EgressIgnoredPorts: omitted when empty; IgnoredGID: only with a FireLens log router
  ],
};

// App containers: dependsOn [{containerName: envoy, condition: HEALTHY}]
const EXPECTED_FRONTEND_DEPENDS_ON = [{ containerName: 'envoy', condition: 'HEALTHY' }];

describe('GIVEN the workshop frontend task definition WHEN patched with the default options', () => {
  const result = buildEnvoyPatch(patchInput());
  const containers = result.containerDefinitions ?? [];
  const envoy = containers.find((c) => c.name === 'envoy') ?? {};
  const frontend = containers.find((c) => c.name === 'frontend') ?? {};

  it.each(Object.keys(EXPECTED_ENVOY) as (keyof ContainerDefinition)[])(
    'THEN the envoy container field %s matches the reference',
    (field) => {
      expect(envoy[field]).toEqual(EXPECTED_ENVOY[field]);
    },
  );

  it('THEN the envoy container has no field beyond the reference', () => {
    expect(envoy).toStrictEqual(EXPECTED_ENVOY);
  });

  it.each(EXPECTED_PROXY_CONFIGURATION.properties?.map((p) => [p.name, p.value]) ?? [])(
    'THEN the proxy property %s is %s',
    (name, value) => {
      expect(result.proxyConfiguration?.properties?.find((p) => p.name === name)?.value).toBe(value);
    },
  );

  it('THEN the proxy configuration is exactly the reference, in a fixed order', () => {
    expect(result.proxyConfiguration).toStrictEqual(EXPECTED_PROXY_CONFIGURATION);
  });

  it('THEN the frontend container waits for Envoy to be HEALTHY', () => {
    expect(frontend.dependsOn).toStrictEqual(EXPECTED_FRONTEND_DEPENDS_ON);
  });

  it('THEN the frontend container is otherwise unchanged', () => {
    expect({ ...frontend, dependsOn: undefined }).toStrictEqual({
      ...frontendContainer(),
      dependsOn: undefined,
    });
  });

  it('THEN the task level is copied without the read-only fields, with the ownership tags', () => {
    expect({ ...result, containerDefinitions: undefined, proxyConfiguration: undefined }).toStrictEqual({
      containerDefinitions: undefined,
      proxyConfiguration: undefined,
      family: 'ecsdemo-frontend',
      taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecsdemo-frontend-TaskRole`,
      executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecsdemo-frontend-ExecutionRole`,
      networkMode: 'awsvpc',
      volumes: [],
      placementConstraints: [],
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      tags: [
        { key: 'mesh-service:stack', value: 'arn:aws:cloudformation:us-west-2:123456789012:stack/app/1' },
      ],
    });
  });

  it('THEN the containers are the frontend then Envoy', () => {
    expect(containers.map((c) => c.name)).toEqual(['frontend', 'envoy']);
  });
});
