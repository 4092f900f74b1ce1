import type {
  ContainerDefinition,
  KeyValuePair,
  RegisterTaskDefinitionCommandInput,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
import { DEFAULT_XRAY_DAEMON_IMAGE } from '../../lambda/appmesh/envoy/options';
import {
  buildEnvoyPatch,
  ENVOY_CONTAINER_NAME,
  type EnvoyPatchInput,
  XRAY_CONTAINER_NAME,
} from '../../lambda/appmesh/envoy/patch';
import { TaskDefinitionError } from '../../lambda/errors';
import {
  ACCOUNT,
  ec2Source,
  FRONTEND_NODE_ARN,
  fireLensSource,
  frontendContainer,
  frontendSource,
  options,
  patchInput,
  REGION,
  withContainers,
} from './fixtures';

const container = (result: RegisterTaskDefinitionCommandInput, name: string): ContainerDefinition => {
  const found = result.containerDefinitions?.find((c) => c.name === name);
  if (!found) throw new Error(`no container ${name} in ${result.containerDefinitions?.map((c) => c.name)}`);
  return found;
};
const envOf = (c: ContainerDefinition): Record<string, string | undefined> =>
  Object.fromEntries((c.environment ?? []).map((v: KeyValuePair) => [v.name, v.value]));
const proxyProps = (result: RegisterTaskDefinitionCommandInput) =>
  Object.fromEntries((result.proxyConfiguration?.properties ?? []).map((p) => [p.name, p.value]));
/** What DescribeTaskDefinition would return for a registered patch. */
const asDescribed = (result: RegisterTaskDefinitionCommandInput, revision: number): TaskDefinition => {
  const { tags: _tags, ...rest } = structuredClone(result);
  return {
    ...rest,
    taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${result.family}:${revision}`,
    revision,
    status: 'ACTIVE',
    compatibilities: ['EC2', 'FARGATE'],
    requiresAttributes: [{ name: 'ecs.capability.container-health-check' }],
    registeredAt: new Date('2026-06-01T00:00:00Z'),
    registeredBy: `arn:aws:sts::${ACCOUNT}:assumed-role/mesh-service/handler`,
  };
};
const repatch = (input: EnvoyPatchInput, first: EnvoyPatchInput['envoy']) => {
  const once = buildEnvoyPatch({ ...input, envoy: first });
  return buildEnvoyPatch({ ...input, source: asDescribed(once, 99), sourceTags: once.tags ?? [] });
};

describe('buildEnvoyPatch: task shapes', () => {
  it('GIVEN a Fargate awsvpc task with one app container WHEN patched THEN it has Envoy, the proxy and the dependency', () => {
    const result = buildEnvoyPatch(patchInput());
    expect(result.containerDefinitions?.map((c) => c.name)).toEqual(['frontend', 'envoy']);
    expect(result.proxyConfiguration?.containerName).toBe('envoy');
    expect(container(result, 'frontend').dependsOn).toEqual([
      { containerName: 'envoy', condition: 'HEALTHY' },
    ]);
  });

  it('GIVEN an EC2 awsvpc task without task-level cpu/memory WHEN patched THEN no task fit check applies', () => {
    const result = buildEnvoyPatch(
      patchInput({ source: ec2Source(), envoy: options({ memoryReservation: 4096 }) }),
    );
    expect(result.family).toBe('ecsdemo-frontend-ec2');
    expect(result.requiresCompatibilities).toEqual(['EC2']);
    expect(result.cpu).toBeUndefined();
    expect(container(result, 'envoy').memoryReservation).toBe(4096);
  });

  it('GIVEN several app containers WHEN patched THEN every one waits for Envoy and keeps its other dependencies once', () => {
    const worker: ContainerDefinition = {
      name: 'worker',
      image: 'example/worker:1',
      essential: true,
      dependsOn: [
        { containerName: 'migrate', condition: 'SUCCESS' },
        { containerName: 'envoy', condition: 'START' },
      ],
    };
    const migrate: ContainerDefinition = { name: 'migrate', image: 'example/migrate:1', essential: false };
    const result = buildEnvoyPatch(
      patchInput({ source: withContainers([frontendContainer(), worker, migrate]) }),
    );
    expect(container(result, 'frontend').dependsOn).toEqual([
      { containerName: 'envoy', condition: 'HEALTHY' },
    ]);
    expect(container(result, 'worker').dependsOn).toEqual([
      { containerName: 'migrate', condition: 'SUCCESS' },
      { containerName: 'envoy', condition: 'HEALTHY' },
    ]);
    expect(container(result, 'migrate').dependsOn).toEqual([
      { containerName: 'envoy', condition: 'HEALTHY' },
    ]);
    expect(result.containerDefinitions?.map((c) => c.name)).toEqual([
      'frontend',
      'worker',
      'migrate',
      'envoy',
    ]);
  });

  it('GIVEN listener ports on two app containers WHEN patched THEN AppPorts lists both, ascending', () => {
    const admin: ContainerDefinition = {
      name: 'admin',
      image: 'example/admin:1',
      portMappings: [{ containerPort: 8443, protocol: 'tcp' }],
    };
    const result = buildEnvoyPatch(
      patchInput({ source: withContainers([frontendContainer(), admin]), listenerPorts: [8443, 3000, 3000] }),
    );
    expect(proxyProps(result).AppPorts).toBe('3000,8443');
  });

  it('GIVEN a listener port inside a containerPortRange WHEN patched THEN it counts as exposed', () => {
    const ranged = {
      ...frontendContainer(),
      portMappings: [{ containerPortRange: '3000-3010', protocol: 'tcp' as const }],
    };
    const result = buildEnvoyPatch(patchInput({ source: withContainers([ranged]), listenerPorts: [3005] }));
    expect(proxyProps(result).AppPorts).toBe('3005');
  });

  it('GIVEN an awslogs app container with format patterns WHEN patched THEN Envoy logs to the same group without them', () => {
    const app = frontendContainer();
    app.logConfiguration = {
      logDriver: 'awslogs',
      options: {
        'awslogs-group': 'g',
        'awslogs-region': 'us-west-2',
        'awslogs-stream-prefix': 'p',
        'awslogs-create-group': 'true',
        'awslogs-multiline-pattern': '^INFO',
        'awslogs-datetime-format': '%Y',
      },
    };
    const result = buildEnvoyPatch(patchInput({ source: withContainers([app]) }));
    expect(container(result, 'envoy').logConfiguration).toEqual({
      logDriver: 'awslogs',
      options: {
        'awslogs-group': 'g',
        'awslogs-region': 'us-west-2',
        'awslogs-stream-prefix': 'p',
        'awslogs-create-group': 'true',
      },
    });
    expect(container(result, 'frontend').logConfiguration?.options?.['awslogs-multiline-pattern']).toBe(
      '^INFO',
    );
  });

  it('GIVEN app containers without logging WHEN patched THEN Envoy has no logConfiguration either', () => {
    const app = { ...frontendContainer(), logConfiguration: undefined };
    const result = buildEnvoyPatch(patchInput({ source: withContainers([app]) }));
    expect(container(result, 'envoy')).not.toHaveProperty('logConfiguration');
  });

  it('GIVEN the first app container has no logging but the second has WHEN patched THEN Envoy follows the second', () => {
    const quiet = { name: 'init', image: 'example/init:1', essential: false };
    const result = buildEnvoyPatch(patchInput({ source: withContainers([quiet, frontendContainer()]) }));
    expect(container(result, 'envoy').logConfiguration?.options?.['awslogs-group']).toBe(
      'ecsworkshop-frontend',
    );
  });

  describe('GIVEN a FireLens log router and an app container logging through it WHEN patched', () => {
    const source = fireLensSource();
    const input = patchInput({ source, listenerPorts: [8080] });
    const result = buildEnvoyPatch(input);

    it('THEN Envoy logs through FireLens with the same options and secret options', () => {
      expect(container(result, 'envoy').logConfiguration).toEqual(
        source.containerDefinitions?.[1]?.logConfiguration,
      );
    });

    it('THEN the log router does not wait for Envoy, and runs with the group the proxy ignores', () => {
      const router = container(result, 'log_router');
      expect(router.dependsOn).toBeUndefined();
      expect(router.user).toBe('0:1338');
      expect(proxyProps(result).IgnoredGID).toBe('1338');
    });

    it('THEN only the app container waits for Envoy', () => {
      expect(container(result, 'orders').dependsOn).toEqual([
        { containerName: 'envoy', condition: 'HEALTHY' },
      ]);
    });

    it('THEN a router that waited for Envoy no longer does, and a router user keeps its UID', () => {
      const router = {
        ...source.containerDefinitions?.[0],
        user: '1000',
        dependsOn: [{ containerName: 'envoy', condition: 'HEALTHY' as const }],
      };
      const patched = buildEnvoyPatch({
        ...input,
        source: withContainers([router, source.containerDefinitions?.[1] ?? {}], source),
      });
      expect(container(patched, 'log_router').dependsOn).toBeUndefined();
      expect(container(patched, 'log_router').user).toBe('1000:1338');
    });

    it('THEN the proxy properties are in their fixed order', () => {
      expect(result.proxyConfiguration?.properties?.map((p) => p.name)).toEqual([
        'IgnoredUID',
        'IgnoredGID',
        'ProxyIngressPort',
        'ProxyEgressPort',
        'AppPorts',
        'EgressIgnoredIPs',
      ]);
    });
  });

  it('GIVEN a field ECS may add later WHEN patched THEN it is copied, while the read-only fields are dropped', () => {
    const source = { ...frontendSource(), futureFeature: { enabled: true } } as TaskDefinition;
    const result = buildEnvoyPatch(patchInput({ source })) as unknown as Record<string, unknown>;
    expect(result.futureFeature).toEqual({ enabled: true });
    for (const field of [
      'taskDefinitionArn',
      'revision',
      'status',
      'requiresAttributes',
      'compatibilities',
      'registeredAt',
      'registeredBy',
      'deregisteredAt',
      'deleteRequestedAt',
    ]) {
      expect(result).not.toHaveProperty(field);
    }
  });

  it('GIVEN the other task-level fields WHEN patched THEN they are copied as they are', () => {
    const source: TaskDefinition = {
      ...frontendSource(),
      pidMode: 'task',
      ephemeralStorage: { sizeInGiB: 40 },
      runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
      enableFaultInjection: true,
      volumes: [{ name: 'data', efsVolumeConfiguration: { fileSystemId: 'fs-1' } }],
    };
    const result = buildEnvoyPatch(patchInput({ source }));
    expect(result).toMatchObject({
      pidMode: 'task',
      ephemeralStorage: { sizeInGiB: 40 },
      runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
      enableFaultInjection: true,
      volumes: [{ name: 'data', efsVolumeConfiguration: { fileSystemId: 'fs-1' } }],
    });
  });

  it('GIVEN the source WHEN patched THEN the source object is not mutated', () => {
    const input = patchInput({ source: fireLensSource(), listenerPorts: [8080] });
    const before = structuredClone(input);
    buildEnvoyPatch(input);
    expect(input).toEqual(before);
  });
});

describe('buildEnvoyPatch: idempotence', () => {
  const firelens = patchInput({ source: fireLensSource(), listenerPorts: [8080] });
  it.each<[string, EnvoyPatchInput, EnvoyPatchInput['envoy'], EnvoyPatchInput['envoy']]>([
    ['the frontend, same options', patchInput(), options(), options()],
    ['the frontend, X-Ray then none', patchInput(), options({ tracing: { provider: 'xray' } }), options()],
    [
      'the frontend, none then X-Ray',
      patchInput(),
      options(),
      options({ tracing: { provider: 'xray', samplingRate: 0.2 } }),
    ],
    [
      'the frontend, Datadog and stats then Jaeger',
      patchInput(),
      options({
        tracing: { provider: 'datadog' },
        statsTags: true,
        dogStatsD: { address: '10.0.0.1', port: 8125 },
      }),
      options({ tracing: { provider: 'jaeger', port: 9412 } }),
    ],
    [
      'the frontend, egress ports and resources then defaults',
      patchInput(),
      options({ egressIgnoredPorts: [443, 5432], cpu: 64, memory: 256, drainTimeSeconds: 60, nofile: 65535 }),
      options(),
    ],
    [
      'FireLens, X-Ray then Datadog',
      firelens,
      options({ tracing: { provider: 'xray' } }),
      options({ tracing: { provider: 'datadog' } }),
    ],
    [
      'EC2, FIPS image then defaults',
      patchInput({ source: ec2Source() }),
      options({ fips: true, image: 'x/aws-appmesh-envoy:v1-prod-fips' }),
      options(),
    ],
  ])(
    'GIVEN %s WHEN a patched revision is patched again THEN the result equals patching the original',
    (_what, input, first, second) => {
      const direct = buildEnvoyPatch({ ...input, envoy: second });
      expect(repatch({ ...input, envoy: second }, first)).toStrictEqual(direct);
    },
  );

  it('GIVEN a patched revision WHEN patched again THEN nothing is duplicated', () => {
    const twice = repatch(
      patchInput({ envoy: options({ tracing: { provider: 'xray' } }) }),
      options({ tracing: { provider: 'xray' } }),
    );
    expect(twice.containerDefinitions?.map((c) => c.name)).toEqual(['frontend', 'envoy', 'xray-daemon']);
    expect(container(twice, 'frontend').dependsOn).toHaveLength(1);
    expect(twice.tags).toHaveLength(1);
  });

  it('GIVEN a hand-made App Mesh Envoy and proxy configuration (workshop style) WHEN patched THEN both are replaced', () => {
    const handMade: ContainerDefinition = {
      name: 'envoy',
      image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.18.3.0-prod',
      essential: true,
      user: '1337',
      environment: [{ name: 'APPMESH_VIRTUAL_NODE_NAME', value: 'mesh/ecs-mesh/virtualNode/frontend' }],
    };
    const source: TaskDefinition = {
      ...withContainers([
        { ...frontendContainer(), dependsOn: [{ containerName: 'envoy', condition: 'START' }] },
        handMade,
      ]),
      proxyConfiguration: {
        type: 'APPMESH',
        containerName: 'envoy',
        properties: [
          { name: 'AppPorts', value: '3000' },
          { name: 'EgressIgnoredPorts', value: '' },
          { name: 'IgnoredUID', value: '1337' },
        ],
      },
    };
    expect(buildEnvoyPatch(patchInput({ source }))).toStrictEqual(buildEnvoyPatch(patchInput()));
  });

  it('GIVEN a hand-made Envoy recognised only by its APPMESH_RESOURCE_ARN WHEN patched THEN it is replaced', () => {
    const mirrored: ContainerDefinition = {
      name: 'envoy',
      image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/mirror/envoy:1`,
      environment: [{ name: 'APPMESH_RESOURCE_ARN', value: FRONTEND_NODE_ARN }],
    };
    const result = buildEnvoyPatch(patchInput({ source: withContainers([frontendContainer(), mirrored]) }));
    expect(result).toStrictEqual(buildEnvoyPatch(patchInput()));
  });

  it("GIVEN the author's own xray-daemon and no X-Ray tracing WHEN patched THEN it is kept as an application container", () => {
    const own: ContainerDefinition = {
      name: 'xray-daemon',
      image: 'amazon/aws-xray-daemon:3.3.4',
      user: '1000',
    };
    const result = buildEnvoyPatch(patchInput({ source: withContainers([frontendContainer(), own]) }));
    expect(container(result, 'xray-daemon')).toEqual({
      ...own,
      dependsOn: [{ containerName: 'envoy', condition: 'HEALTHY' }],
    });
  });
});

describe('buildEnvoyPatch: options', () => {
  const envoyOf = (overrides: Partial<EnvoyPatchInput['envoy']>, input: Partial<EnvoyPatchInput> = {}) =>
    container(buildEnvoyPatch(patchInput({ ...input, envoy: options(overrides) })), 'envoy');

  it.each<[string, Partial<EnvoyPatchInput['envoy']>, Record<string, string>]>([
    ['logLevel debug', { logLevel: 'debug' }, { ENVOY_LOG_LEVEL: 'debug' }],
    ['statsTags', { statsTags: true }, { ENABLE_ENVOY_STATS_TAGS: '1' }],
    [
      'dogStatsD',
      { dogStatsD: { address: '10.0.0.9', port: 8125 } },
      { ENABLE_ENVOY_DOG_STATSD: '1', STATSD_ADDRESS: '10.0.0.9', STATSD_PORT: '8125' },
    ],
    [
      'X-Ray tracing with the default sampling rate',
      { tracing: { provider: 'xray' } },
      { ENABLE_ENVOY_XRAY_TRACING: '1', XRAY_DAEMON_PORT: '2000', XRAY_SAMPLING_RATE: '0.05' },
    ],
    [
      'X-Ray tracing with a sampling rate',
      { tracing: { provider: 'xray', samplingRate: 0.25 } },
      { XRAY_SAMPLING_RATE: '0.25' },
    ],
    [
      'Datadog tracing with the default agent',
      { tracing: { provider: 'datadog' } },
      { ENABLE_ENVOY_DATADOG_TRACING: '1', DATADOG_TRACER_ADDRESS: '127.0.0.1', DATADOG_TRACER_PORT: '8126' },
    ],
    [
      'Datadog tracing with an address and port',
      { tracing: { provider: 'datadog', address: 'datadog-agent.local', port: 18126 } },
      { DATADOG_TRACER_ADDRESS: 'datadog-agent.local', DATADOG_TRACER_PORT: '18126' },
    ],
    [
      'Jaeger tracing with the default collector',
      { tracing: { provider: 'jaeger' } },
      { ENABLE_ENVOY_JAEGER_TRACING: '1', JAEGER_TRACER_ADDRESS: '127.0.0.1', JAEGER_TRACER_PORT: '9411' },
    ],
    ['drainTimeSeconds', { drainTimeSeconds: 45 }, { LISTENER_DRAIN_WAIT_TIME_S: '45' }],
  ])('GIVEN %s WHEN patched THEN Envoy has the variables', (_what, overrides, expected) => {
    expect(envOf(envoyOf(overrides))).toMatchObject(expected);
  });

  it.each<[string, Partial<EnvoyPatchInput['envoy']>]>([
    ['statsTags', { statsTags: true }],
    ['dogStatsD', { dogStatsD: { address: 'a', port: 1 } }],
    ['X-Ray', { tracing: { provider: 'xray' } }],
    ['Datadog', { tracing: { provider: 'datadog' } }],
    ['Jaeger', { tracing: { provider: 'jaeger' } }],
  ])('GIVEN %s WHEN patched THEN the environment stays sorted by name', (_what, overrides) => {
    const names = (envoyOf(overrides).environment ?? []).map((v) => v.name ?? '');
    expect(names).toEqual([...names].sort());
  });

  it('GIVEN no tracer WHEN patched THEN no tracing variable is set and one tracer never mixes with another', () => {
    const env = envOf(envoyOf({}));
    expect(Object.keys(env).filter((k) => k.includes('TRAC'))).toEqual([]);
    const datadog = envOf(envoyOf({ tracing: { provider: 'datadog' } }));
    expect(Object.keys(datadog).filter((k) => /^ENABLE_ENVOY_.*_TRACING$/.test(k))).toEqual([
      'ENABLE_ENVOY_DATADOG_TRACING',
    ]);
  });

  describe('GIVEN X-Ray tracing WHEN patched', () => {
    const result = buildEnvoyPatch(patchInput({ envoy: options({ tracing: { provider: 'xray' } }) }));
    const xray = container(result, XRAY_CONTAINER_NAME);

    it('THEN the X-Ray daemon sidecar is added with the pinned image, UID 1337 and 2000/udp', () => {
      expect(xray).toEqual({
        name: 'xray-daemon',
        image: DEFAULT_XRAY_DAEMON_IMAGE,
        essential: false,
        user: '1337',
        environment: [{ name: 'AWS_REGION', value: REGION }],
        portMappings: [{ containerPort: 2000, protocol: 'udp' }],
        cpu: 32,
        memoryReservation: 64,
        dockerLabels: { 'mesh-service.sidecar': 'xray-daemon' },
        logConfiguration: container(result, ENVOY_CONTAINER_NAME).logConfiguration,
      });
    });

    it('THEN Envoy starts after the daemon has started', () => {
      expect(container(result, ENVOY_CONTAINER_NAME).dependsOn).toEqual([
        { containerName: 'xray-daemon', condition: 'START' },
      ]);
    });

    it('THEN the daemon is not an application container: it does not wait for Envoy', () => {
      expect(xray.dependsOn).toBeUndefined();
    });

    it('THEN a daemon image override is used', () => {
      const custom = buildEnvoyPatch(
        patchInput({
          envoy: options({ tracing: { provider: 'xray', daemonImage: 'amazon/aws-xray-daemon:3.3.15' } }),
        }),
      );
      expect(container(custom, XRAY_CONTAINER_NAME).image).toBe('amazon/aws-xray-daemon:3.3.15');
    });
  });

  it.each<[string, Partial<EnvoyPatchInput['envoy']>, Partial<ContainerDefinition>]>([
    ['cpu', { cpu: 128 }, { cpu: 128 }],
    ['memory', { memory: 256 }, { memory: 256, memoryReservation: 128 }],
    ['memoryReservation', { memoryReservation: 96 }, { memoryReservation: 96 }],
    ['nofile', { nofile: 65535 }, { ulimits: [{ name: 'nofile', softLimit: 65535, hardLimit: 65535 }] }],
    ['drainTimeSeconds 110 (the maximum)', { drainTimeSeconds: 110 }, { stopTimeout: 120 }],
    ['drainTimeSeconds 5 (the minimum)', { drainTimeSeconds: 5 }, { stopTimeout: 15 }],
    [
      'an image override',
      { image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.39.1.0-prod' },
      { image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.39.1.0-prod' },
    ],
    [
      'a version',
      { version: 'v1.39.1.0-prod' },
      { image: '840364872350.dkr.ecr.us-west-2.amazonaws.com/aws-appmesh-envoy:v1.39.1.0-prod' },
    ],
  ])('GIVEN %s WHEN patched THEN the Envoy container has it', (_what, overrides, expected) => {
    expect(envoyOf(overrides)).toMatchObject(expected);
  });

  it('GIVEN no cpu or memory option WHEN patched THEN Envoy has neither', () => {
    const envoy = envoyOf({});
    expect(envoy).not.toHaveProperty('cpu');
    expect(envoy).not.toHaveProperty('memory');
  });

  it('GIVEN egress ignored ports WHEN patched THEN they are a sorted, comma-joined string', () => {
    const result = buildEnvoyPatch(patchInput({ envoy: options({ egressIgnoredPorts: [5432, 443, 443] }) }));
    expect(proxyProps(result).EgressIgnoredPorts).toBe('443,5432');
    expect(result.proxyConfiguration?.properties?.at(-1)?.name).toBe('EgressIgnoredPorts');
  });

  it('GIVEN no egress ignored ports WHEN patched THEN the key is left out, never an empty string', () => {
    const result = buildEnvoyPatch(patchInput());
    expect(result.proxyConfiguration?.properties?.map((p) => p.name)).not.toContain('EgressIgnoredPorts');
    expect(
      result.proxyConfiguration?.properties?.every((p) => typeof p.value === 'string' && p.value !== ''),
    ).toBe(true);
  });

  it('GIVEN a mesh shared by another account WHEN patched THEN APPMESH_RESOURCE_ARN uses the mesh@owner form', () => {
    const env = envOf(envoyOf({}, { meshOwner: '210987654321' }));
    expect(env.APPMESH_RESOURCE_ARN).toBe('mesh/ecs-mesh@210987654321/virtualNode/frontend');
  });

  it.each<[string, string, Partial<EnvoyPatchInput['envoy']>, string]>([
    [
      'a standard Region',
      'eu-west-1',
      {},
      '840364872350.dkr.ecr.eu-west-1.amazonaws.com/aws-appmesh-envoy:v1.34.13.3-prod',
    ],
    [
      'an opt-in Region',
      'af-south-1',
      {},
      '924023996002.dkr.ecr.af-south-1.amazonaws.com/aws-appmesh-envoy:v1.34.13.3-prod',
    ],
    [
      'China',
      'cn-northwest-1',
      {},
      '919830735681.dkr.ecr.cn-northwest-1.amazonaws.com.cn/aws-appmesh-envoy:v1.34.13.3-prod',
    ],
    [
      'FIPS',
      'us-east-1',
      { fips: true },
      '840364872350.dkr.ecr.us-east-1.amazonaws.com/aws-appmesh-envoy:v1.34.13.3-prod-fips',
    ],
    [
      'GovCloud with a FIPS image',
      'us-gov-west-1',
      { image: '111122223333.dkr.ecr.us-gov-west-1.amazonaws.com/aws-appmesh-envoy:v1.34.13.3-prod-fips' },
      '111122223333.dkr.ecr.us-gov-west-1.amazonaws.com/aws-appmesh-envoy:v1.34.13.3-prod-fips',
    ],
  ])(
    "GIVEN %s WHEN patched THEN Envoy runs the Region's image and AWS_REGION is that Region",
    (_what, region, overrides, image) => {
      const envoy = envoyOf(overrides, { region });
      expect(envoy.image).toBe(image);
      expect(envOf(envoy).AWS_REGION).toBe(region);
    },
  );
});

describe('buildEnvoyPatch: tags', () => {
  it('GIVEN reserved, owned and user tags WHEN patched THEN aws: and old mesh-service: tags go and ownerTags are added', () => {
    const result = buildEnvoyPatch(
      patchInput({
        sourceTags: [
          { key: 'aws:cloudformation:stack-name', value: 'app' },
          { key: 'AWS:Other', value: 'x' },
          { key: 'team', value: 'web' },
          { key: 'mesh-service:stack', value: 'old' },
          { key: 'mesh-service:node', value: 'stale' },
        ],
        ownerTags: [
          { key: 'mesh-service:stack', value: 'new' },
          { key: 'mesh-service:mesh', value: 'ecs-mesh' },
        ],
      }),
    );
    expect(result.tags).toEqual([
      { key: 'team', value: 'web' },
      { key: 'mesh-service:stack', value: 'new' },
      { key: 'mesh-service:mesh', value: 'ecs-mesh' },
    ]);
  });

  it('GIVEN no tag to keep and no owner tag WHEN patched THEN tags is left out', () => {
    const result = buildEnvoyPatch(patchInput({ sourceTags: [{ key: 'aws:x', value: 'y' }], ownerTags: [] }));
    expect(result).not.toHaveProperty('tags');
  });

  it('GIVEN 49 user tags and 1 owner tag WHEN patched THEN all 50 are kept', () => {
    const sourceTags = Array.from({ length: 49 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    expect(buildEnvoyPatch(patchInput({ sourceTags })).tags).toHaveLength(50);
  });

  it('GIVEN an owner tag outside mesh-service: WHEN patched THEN it is a programming error, not a user error', () => {
    const call = () => buildEnvoyPatch(patchInput({ ownerTags: [{ key: 'owner', value: 'me' }] }));
    expect(call).toThrow(Error);
    expect(call).not.toThrow(TaskDefinitionError);
  });
});

describe('buildEnvoyPatch: refusals', () => {
  const appAs = (over: Partial<ContainerDefinition>) => withContainers([{ ...frontendContainer(), ...over }]);
  const base = frontendSource();
  const router = fireLensSource().containerDefinitions?.[0] ?? {};

  it.each<[string, Partial<EnvoyPatchInput>, RegExp]>([
    [
      'bridge networking',
      { source: { ...base, networkMode: 'bridge' } },
      /networkMode is bridge.*needs awsvpc \(EC2 tasks too\)/,
    ],
    ['host networking', { source: { ...base, networkMode: 'host' } }, /networkMode is host/],
    [
      'no networkMode (bridge by default)',
      { source: { ...base, networkMode: undefined } },
      /networkMode is bridge \(the default\)/,
    ],
    [
      'no task role',
      { source: { ...base, taskRoleArn: undefined } },
      /no taskRoleArn.*appmesh:StreamAggregatedResources.*AWSAppMeshEnvoyAccess/,
    ],
    [
      'a listener port no container exposes',
      { listenerPorts: [8080] },
      /no application container exposes the virtual node listener port 8080/,
    ],
    ['no listener port', { listenerPorts: [] }, /AppPorts would be empty/],
    ['an invalid listener port', { listenerPorts: [70000] }, /ports are integers from 1 to 65535/],
    [
      'a listener port only the log router exposes',
      {
        source: withContainers([
          { ...router, portMappings: [{ containerPort: 24224 }] },
          frontendContainer(),
        ]),
        listenerPorts: [24224],
      },
      /no application container exposes the virtual node listener port 24224/,
    ],
    [
      '16 egress ignored ports',
      { envoy: options({ egressIgnoredPorts: Array.from({ length: 16 }, (_, i) => 1000 + i) }) },
      /egressIgnoredPorts has 16 ports; ECS accepts at most 15/,
    ],
    [
      'Envoy that does not fit the task memory',
      { source: appAs({ memory: 448 }) },
      /containers need 576 MiB \(yours 448 \+ envoy 128\) but the task has 512 MiB; raise the task memory to at least 576/,
    ],
    [
      'Envoy and X-Ray that do not fit the task memory',
      { source: appAs({ memoryReservation: 384 }), envoy: options({ tracing: { provider: 'xray' } }) },
      /containers need 576 MiB \(yours 384 \+ envoy 128 \+ xray-daemon 64\) but the task has 512 MiB/,
    ],
    [
      'Envoy that does not fit the task cpu',
      { source: appAs({ cpu: 256 }), envoy: options({ cpu: 64 }) },
      /containers need 320 cpu units \(yours 256 \+ envoy 64\) but the task has 256/,
    ],
    [
      'an Envoy hard memory limit above the task memory',
      { envoy: options({ memory: 1024 }) },
      /Envoy option memory is 1024 MiB but the task has 512 MiB/,
    ],
    [
      'a task memory given in GB that is too small',
      { source: { ...appAs({ memory: 1000 }), cpu: '1 vCPU', memory: '1 GB' } },
      /containers need 1128 MiB .* but the task has 1024 MiB/,
    ],
    [
      'a user container named envoy that is not an App Mesh Envoy',
      { source: withContainers([frontendContainer(), { name: 'envoy', image: 'envoyproxy/envoy:v1.34.0' }]) },
      /container "envoy" runs envoyproxy\/envoy:v1.34.0, which is not the App Mesh Envoy; rename it/,
    ],
    [
      'an App Mesh Envoy under another name',
      {
        source: withContainers([
          frontendContainer(),
          { name: 'proxy', image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod' },
        ]),
      },
      /container "proxy" already runs the App Mesh Envoy; remove it/,
    ],
    [
      "the author's own xray-daemon together with X-Ray tracing",
      {
        source: withContainers([
          frontendContainer(),
          { name: 'xray-daemon', image: 'amazon/aws-xray-daemon' },
        ]),
        envoy: options({ tracing: { provider: 'xray' } }),
      },
      /container "xray-daemon" was not added by the mesh service; remove or rename it/,
    ],
    [
      'an app container running as user 1337',
      { source: appAs({ user: '1337' }) },
      /container "frontend" runs as user 1337.*bypass Envoy/,
    ],
    ['an app container running as 1337:1337', { source: appAs({ user: '1337:1337' }) }, /runs as user 1337/],
    [
      'an app container with group 1338 beside a FireLens router',
      { source: withContainers([router, { ...frontendContainer(), user: '1000:1338' }]) },
      /container "frontend" runs with group 1338/,
    ],
    [
      'an app container mapping an Envoy port',
      {
        source: appAs({ portMappings: [{ containerPort: 3000 }, { containerPort: 15000, protocol: 'tcp' }] }),
      },
      /container "frontend" maps port 15000, which Envoy uses/,
    ],
    [
      'an app container range covering the admin port',
      { source: appAs({ portMappings: [{ containerPort: 3000 }, { containerPortRange: '9000-9999' }] }) },
      /maps port 9901/,
    ],
    [
      'an app container mapping 2000 with X-Ray tracing',
      {
        source: appAs({ portMappings: [{ containerPort: 3000 }, { containerPort: 2000, protocol: 'udp' }] }),
        envoy: options({ tracing: { provider: 'xray' } }),
      },
      /maps port 2000, which the X-Ray daemon needs/,
    ],
    [
      'a proxy configuration pointing at another container',
      {
        source: { ...base, proxyConfiguration: { type: 'APPMESH', containerName: 'proxy', properties: [] } },
      },
      /APPMESH proxy configuration points at container proxy/,
    ],
    [
      'a proxy configuration of another type',
      { source: { ...base, proxyConfiguration: { type: 'ISTIO' as 'APPMESH', containerName: 'envoy' } } },
      /its proxy configuration is of type ISTIO; remove it/,
    ],
    [
      'only a log router',
      { source: withContainers([router]) },
      /no application container \(only a log router\)/,
    ],
    [
      'Fargate without an execution role',
      { source: { ...base, executionRoleArn: undefined } },
      /no executionRoleArn, and Fargate pulls 840364872350.dkr.ecr.us-west-2.amazonaws.com\/aws-appmesh-envoy/,
    ],
    [
      'more than 50 tags',
      { sourceTags: Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: 'v' })) },
      /would carry 51 tags.*remove at least 1/,
    ],
    [
      'a drain time below 5 s',
      { envoy: options({ drainTimeSeconds: 3 }) },
      /drainTimeSeconds is 3; set an integer from 5 to 110/,
    ],
    ['a drain time above 110 s', { envoy: options({ drainTimeSeconds: 111 }) }, /drainTimeSeconds is 111/],
    [
      'a sampling rate above 1',
      { envoy: options({ tracing: { provider: 'xray', samplingRate: 1.5 } }) },
      /samplingRate is 1.5/,
    ],
    [
      'memory not above memoryReservation',
      { envoy: options({ memory: 128 }) },
      /memory \(128 MiB\) must be greater than memoryReservation/,
    ],
    ['an unknown log level', { envoy: options({ logLevel: 'verbose' as 'info' }) }, /logLevel is verbose/],
    [
      'an invalid DogStatsD port',
      { envoy: options({ dogStatsD: { address: 'x', port: 0 } }) },
      /dogStatsD.port is 0/,
    ],
    ['GovCloud without an image', { region: 'us-gov-west-1' }, /no Envoy image registry for us-gov-west-1/],
    [
      'FIPS outside the US and Canada',
      { region: 'eu-west-1', envoy: options({ fips: true }) },
      /FIPS Envoy image is only published in US and Canada/,
    ],
  ])('GIVEN %s WHEN patched THEN it is refused, naming the revision', (_what, overrides, message) => {
    const call = () => buildEnvoyPatch(patchInput(overrides));
    expect(call).toThrow(TaskDefinitionError);
    expect(call).toThrow(/^Task definition ecsdemo-frontend:3: /);
    expect(call).toThrow(message);
  });

  it('GIVEN any refusal THEN the message is a single line', () => {
    try {
      buildEnvoyPatch(patchInput({ source: { ...base, taskRoleArn: undefined } }));
      throw new Error('not refused');
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('GIVEN Fargate without an execution role but a public Envoy image WHEN patched THEN it is accepted', () => {
    const source = { ...frontendSource(), executionRoleArn: undefined };
    const envoy = options({ image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.34.13.3-prod' });
    expect(() => buildEnvoyPatch(patchInput({ source, envoy }))).not.toThrow();
  });

  it('GIVEN an EC2 task without an execution role WHEN patched THEN it is accepted (the instance role pulls)', () => {
    const source = { ...ec2Source(), executionRoleArn: undefined };
    expect(() => buildEnvoyPatch(patchInput({ source }))).not.toThrow();
  });
});
