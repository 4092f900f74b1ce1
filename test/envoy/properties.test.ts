import type {
  ContainerDefinition,
  RegisterTaskDefinitionCommandInput,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
import fc from 'fast-check';
import type { EnvoyOptions, EnvoyTracing } from '../../lambda/appmesh/envoy/options';
import { buildEnvoyPatch, type EnvoyPatchInput } from '../../lambda/appmesh/envoy/patch';
import { ACCOUNT, fireLensSource, frontendSource, options, patchInput, REGION } from './fixtures';

/** Property-based tests: idempotence, and "application containers are unchanged except dependsOn". */

const APP_NAMES = ['web', 'api', 'worker', 'cache-warmer', 'migrate', 'sidecar'];
const PORTS = [3000, 3001, 3100, 8080, 8443];

const logConfigurationArb = fc.constantFrom<ContainerDefinition['logConfiguration'] | undefined>(
  undefined,
  {
    logDriver: 'awslogs',
    options: { 'awslogs-group': 'g', 'awslogs-region': REGION, 'awslogs-stream-prefix': 'app' },
  },
  { logDriver: 'awsfirelens', options: { Name: 'cloudwatch', region: REGION, log_group_name: 'g' } },
  { logDriver: 'json-file', options: { 'max-size': '10m' } },
);

const appsArb = fc
  .uniqueArray(fc.constantFrom(...APP_NAMES), { minLength: 1, maxLength: 4 })
  .chain((names) =>
    fc.tuple(
      ...names.map((name, index) =>
        fc.record({
          name: fc.constant(name),
          image: fc.constantFrom(`example/${name}:1`, `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${name}:2`),
          essential: fc.boolean(),
          portMappings: fc
            .uniqueArray(fc.constantFrom(...PORTS), { minLength: 1, maxLength: 2 })
            .map((ports) => ports.map((containerPort) => ({ containerPort, protocol: 'tcp' as const }))),
          user: fc.constantFrom(undefined, '1000', 'app', '1000:1000'),
          memoryReservation: fc.constantFrom(undefined, 64, 256),
          logConfiguration: logConfigurationArb,
          dependsOn: fc
            .subarray(names.slice(0, index))
            .map((deps) => deps.map((containerName) => ({ containerName, condition: 'START' as const }))),
          environment: fc.constant(null).map(() => [{ name: 'NAME', value: name }]),
        }),
      ),
    ),
  )
  .map((apps) =>
    apps.map((app) => {
      const container: ContainerDefinition = { ...app };
      for (const key of Object.keys(container) as (keyof ContainerDefinition)[]) {
        if (container[key] === undefined) delete container[key];
      }
      if (container.dependsOn?.length === 0) delete container.dependsOn;
      return container;
    }),
  );

const tracingArb: fc.Arbitrary<EnvoyTracing | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.record(
    {
      provider: fc.constant('xray' as const),
      samplingRate: fc.double({ min: 0, max: 1, noNaN: true }),
      daemonImage: fc.constant('public.ecr.aws/xray/aws-xray-daemon:3.3.15'),
    },
    { requiredKeys: ['provider'] },
  ),
  fc.record(
    {
      provider: fc.constant('datadog' as const),
      address: fc.constant('10.0.0.2'),
      port: fc.integer({ min: 1, max: 65535 }),
    },
    { requiredKeys: ['provider'] },
  ),
  fc.record(
    {
      provider: fc.constant('jaeger' as const),
      address: fc.constant('jaeger.local'),
      port: fc.integer({ min: 1, max: 65535 }),
    },
    { requiredKeys: ['provider'] },
  ),
);

const optionsArb: fc.Arbitrary<EnvoyOptions> = fc
  .record({
    fips: fc.boolean(),
    logLevel: fc.constantFrom('trace', 'debug', 'info', 'warning', 'error', 'critical', 'off' as const),
    statsTags: fc.boolean(),
    dogStatsD: fc.option(
      fc.record({ address: fc.constant('127.0.0.1'), port: fc.integer({ min: 1, max: 65535 }) }),
      {
        nil: undefined,
      },
    ),
    tracing: tracingArb,
    cpu: fc.option(fc.integer({ min: 0, max: 512 }), { nil: undefined }),
    memoryReservation: fc.integer({ min: 16, max: 256 }),
    egressIgnoredPorts: fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { maxLength: 15 }),
    drainTimeSeconds: fc.integer({ min: 5, max: 110 }),
    nofile: fc.integer({ min: 1024, max: 1048576 }),
  })
  .map((o) => {
    const result: EnvoyOptions = options(o);
    for (const key of Object.keys(result) as (keyof EnvoyOptions)[]) {
      if (result[key] === undefined) delete result[key];
    }
    return result;
  });

const inputArb: fc.Arbitrary<EnvoyPatchInput> = fc
  .record({
    apps: appsArb,
    withRouter: fc.boolean(),
    fargate: fc.boolean(),
    region: fc.constantFrom('us-east-1', 'us-west-2', 'ca-central-1'),
    meshOwner: fc.constantFrom(undefined, '210987654321'),
    listenerPick: fc.integer({ min: 0, max: 100 }),
  })
  .map(({ apps, withRouter, fargate, region, meshOwner, listenerPick }) => {
    const router = fireLensSource().containerDefinitions?.[0];
    const source: TaskDefinition = {
      ...frontendSource(),
      containerDefinitions: withRouter && router ? [router, ...apps] : apps,
    };
    if (fargate) {
      source.cpu = '4096';
      source.memory = '30720';
    } else {
      source.requiresCompatibilities = ['EC2'];
      delete source.cpu;
      delete source.memory;
    }
    const exposed = [
      ...new Set(apps.flatMap((a) => (a.portMappings ?? []).map((p) => p.containerPort ?? 0))),
    ];
    const listenerPorts = [exposed[listenerPick % exposed.length] ?? 3000];
    return patchInput({
      source,
      region,
      meshOwner,
      listenerPorts,
      sourceTags: [{ key: 'team', value: 'x' }],
    });
  });

/** What DescribeTaskDefinition returns for a registered patch. */
function asDescribed(result: RegisterTaskDefinitionCommandInput): TaskDefinition {
  const { tags: _tags, ...rest } = structuredClone(result);
  return {
    ...rest,
    taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${result.family}:4`,
    revision: 4,
    status: 'ACTIVE',
    compatibilities: ['EC2', 'FARGATE'],
    requiresAttributes: [{ name: 'ecs.capability.container-health-check' }],
    registeredAt: new Date('2026-06-01T00:00:00Z'),
    registeredBy: `arn:aws:sts::${ACCOUNT}:assumed-role/mesh-service/handler`,
  };
}

describe('buildEnvoyPatch properties', () => {
  it('GIVEN any valid task and two option sets WHEN patch(patch(x, A), B) THEN it deep-equals patch(x, B)', () => {
    fc.assert(
      fc.property(inputArb, optionsArb, optionsArb, (input, first, second) => {
        const once = buildEnvoyPatch({ ...input, envoy: first });
        const again = buildEnvoyPatch({
          ...input,
          envoy: second,
          source: asDescribed(once),
          sourceTags: once.tags ?? [],
        });
        expect(again).toStrictEqual(buildEnvoyPatch({ ...input, envoy: second }));
      }),
      { numRuns: 300 },
    );
  });

  it('GIVEN any valid task WHEN patched THEN application containers are unchanged except dependsOn', () => {
    fc.assert(
      fc.property(inputArb, optionsArb, (input, envoy) => {
        const result = buildEnvoyPatch({ ...input, envoy });
        const apps = (input.source.containerDefinitions ?? []).filter((c) => !c.firelensConfiguration);
        for (const app of apps) {
          const patched = result.containerDefinitions?.find((c) => c.name === app.name);
          expect({ ...patched, dependsOn: undefined }).toStrictEqual({ ...app, dependsOn: undefined });
          expect(patched?.dependsOn).toEqual([
            ...(app.dependsOn ?? []),
            { containerName: 'envoy', condition: 'HEALTHY' },
          ]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('GIVEN any valid task WHEN patched THEN there is one Envoy, its environment is sorted and proxy values are non-empty strings', () => {
    fc.assert(
      fc.property(inputArb, optionsArb, (input, envoy) => {
        const result = buildEnvoyPatch({ ...input, envoy });
        const envoys = (result.containerDefinitions ?? []).filter((c) => c.name === 'envoy');
        expect(envoys).toHaveLength(1);
        const names = (envoys[0]?.environment ?? []).map((v) => v.name ?? '');
        expect(names).toEqual([...names].sort());
        for (const property of result.proxyConfiguration?.properties ?? []) {
          expect(typeof property.value).toBe('string');
          expect(property.value).not.toBe('');
        }
        const containerNames = (result.containerDefinitions ?? []).map((c) => c.name);
        expect(new Set(containerNames).size).toBe(containerNames.length);
      }),
      { numRuns: 200 },
    );
  });
});
