/**
 * ECS deployments through the real @aws-sdk/client-ecs: CreateService and UpdateService accept the ECS-native
 * CANARY, LINEAR and BLUE_GREEN strategies and check `deploymentConfiguration` as ECS documents it (the ranges of
 * canaryConfiguration and linearConfiguration, bakeTimeInMinutes with BLUE_GREEN, the circuit breaker with rolling
 * only, each configuration with its own strategy, the ECS controller), and the Service Connect fields that come with
 * them: test traffic rules, access logs (with a log configuration) and TLS (with an AWS Private CA).
 */
import {
  CreateServiceCommand,
  type CreateServiceCommandInput,
  type DeploymentConfiguration,
  DescribeServicesCommand,
  RegisterTaskDefinitionCommand,
  type ServiceConnectConfiguration,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { failureOf, useEmulator } from './helpers';

const ctx = useEmulator();

let td: string;
beforeEach(async () => {
  ctx.emulator.servicediscovery.putNamespace('service.local');
  const out = await ctx.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'web',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'app',
          image: 'public.ecr.aws/nginx/nginx:latest',
          portMappings: [{ containerPort: 3000, name: 'http-3000', appProtocol: 'http' }],
        },
      ],
    }),
  );
  td = out.taskDefinition!.taskDefinitionArn!;
});

const PCA =
  'arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/11111111-2222-3333-4444-555555555555';

const connect = (over: Partial<ServiceConnectConfiguration> = {}, alias: object = {}) => ({
  enabled: true,
  namespace: 'service.local',
  services: [
    {
      portName: 'http-3000',
      discoveryName: 'web',
      clientAliases: [{ dnsName: 'web.service.local', port: 3000, ...alias }],
    },
  ],
  ...over,
});

const service = (
  deploymentConfiguration?: DeploymentConfiguration,
  over: Partial<CreateServiceCommandInput> = {},
): CreateServiceCommandInput => ({
  cluster: 'demo',
  serviceName: 'web',
  taskDefinition: td,
  desiredCount: 0,
  serviceConnectConfiguration: connect(),
  ...(deploymentConfiguration ? { deploymentConfiguration } : {}),
  ...over,
});

const refusal = async (input: CreateServiceCommandInput) => {
  const error = await failureOf(ctx.ecs.send(new CreateServiceCommand(input)));
  return `${error.name}: ${error.message}`;
};

describe('GIVEN CreateService with an ECS-native strategy', () => {
  test('WHEN a canary, a linear and a blue/green deployment are valid THEN each is created and DescribeServices echoes its deploymentConfiguration and controller', async () => {
    const configs: [string, DeploymentConfiguration][] = [
      [
        'canary',
        {
          strategy: 'CANARY',
          canaryConfiguration: { canaryPercent: 10.5, canaryBakeTimeInMinutes: 15 },
          bakeTimeInMinutes: 30,
        },
      ],
      [
        'linear',
        { strategy: 'LINEAR', linearConfiguration: { stepPercent: 3, stepBakeTimeInMinutes: 1440 } },
      ],
      [
        'bluegreen',
        {
          strategy: 'BLUE_GREEN',
          bakeTimeInMinutes: 0,
          alarms: { alarmNames: ['web-5xx'], enable: true, rollback: true },
        },
      ],
    ];
    for (const [name, deploymentConfiguration] of configs) {
      await ctx.ecs.send(
        new CreateServiceCommand(
          service(deploymentConfiguration, {
            serviceName: name,
            deploymentController: { type: 'ECS' },
            serviceConnectConfiguration: connect({
              services: [
                {
                  portName: 'http-3000',
                  discoveryName: name,
                  clientAliases: [{ dnsName: `${name}.service.local`, port: 3000 }],
                },
              ],
            }),
          }),
        ),
      );
    }
    const out = await ctx.ecs.send(
      new DescribeServicesCommand({ cluster: 'demo', services: configs.map(([n]) => n) }),
    );
    expect(out.services!.map((s) => [s.deploymentConfiguration, s.deploymentController])).toEqual(
      configs.map(([, c]) => [c, { type: 'ECS' }]),
    );
  });

  test.each([
    [
      'a canary percent below 0.1',
      { strategy: 'CANARY', canaryConfiguration: { canaryPercent: 0.05 } },
      /canaryPercent.*multiples of 0\.1 from 0\.1 to 100\.0/,
    ],
    [
      'a canary percent that is not a multiple of 0.1',
      { strategy: 'CANARY', canaryConfiguration: { canaryPercent: 10.25 } },
      /canaryPercent.*multiples of 0\.1/,
    ],
    [
      'a canary bake time above 1440',
      { strategy: 'CANARY', canaryConfiguration: { canaryBakeTimeInMinutes: 1441 } },
      /canaryBakeTimeInMinutes.*0 to 1440/,
    ],
    [
      'a linear step below 3',
      { strategy: 'LINEAR', linearConfiguration: { stepPercent: 2.9 } },
      /stepPercent.*multiples of 0\.1 from 3\.0 to 100\.0/,
    ],
    [
      'a linear step bake time below 0',
      { strategy: 'LINEAR', linearConfiguration: { stepBakeTimeInMinutes: -1 } },
      /stepBakeTimeInMinutes.*0 to 1440/,
    ],
    [
      'a canary configuration with the linear strategy',
      { strategy: 'LINEAR', canaryConfiguration: { canaryPercent: 10 } },
      /canaryConfiguration.*only valid.*CANARY/,
    ],
    [
      'a linear configuration with the rolling strategy',
      { strategy: 'ROLLING', linearConfiguration: { stepPercent: 10 } },
      /linearConfiguration.*only valid.*LINEAR/,
    ],
    [
      'a blue/green deployment without a bake time',
      { strategy: 'BLUE_GREEN' },
      /bakeTimeInMinutes.*must provide.*BLUE_GREEN/,
    ],
    [
      'a circuit breaker with a canary',
      {
        strategy: 'CANARY',
        canaryConfiguration: { canaryPercent: 10 },
        deploymentCircuitBreaker: { enable: true, rollback: true },
      },
      /deployment circuit breaker can only be used.*rolling/,
    ],
  ] as [string, DeploymentConfiguration, RegExp][])(
    'WHEN it has %s THEN it is refused as ECS documents, InvalidParameterException, and nothing is created',
    async (_what, config, message) => {
      const answer = await refusal(service(config));
      expect(answer).toMatch(/^InvalidParameterException: /);
      expect(answer).toMatch(message);
      expect(ctx.emulator.snapshot(['ecs']).ecs.services ?? []).toEqual([]);
    },
  );

  test('WHEN a canary has lifecycle hooks and alarms THEN they are taken; a hook stage the model does not list, or alarms without their required members, are refused by the model', async () => {
    const hooks = [
      {
        hookTargetArn: 'arn:aws:lambda:us-east-1:111122223333:function:check',
        roleArn: 'arn:aws:iam::111122223333:role/ecs-hooks',
        lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT', 'PRE_PRODUCTION_TRAFFIC_SHIFT'],
      },
    ] as DeploymentConfiguration['lifecycleHooks'];
    const canary: DeploymentConfiguration = {
      strategy: 'CANARY',
      canaryConfiguration: { canaryPercent: 10 },
      lifecycleHooks: hooks,
      alarms: { alarmNames: ['web-5xx'], enable: true, rollback: true },
    };
    await ctx.ecs.send(new CreateServiceCommand(service(canary)));
    const out = await ctx.ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web'] }));
    expect(out.services![0]!.deploymentConfiguration!.lifecycleHooks).toEqual(hooks);
    const badStage = await refusal(
      service(
        { ...canary, lifecycleHooks: [{ ...hooks![0]!, lifecycleStages: ['AFTER_LUNCH' as never] }] },
        { serviceName: 'other' },
      ),
    );
    expect(badStage).toMatch(/lifecycleStages/);
    const badAlarms = await refusal(
      service({ ...canary, alarms: { alarmNames: ['x'] } as never }, { serviceName: 'other' }),
    );
    expect(badAlarms).toMatch(/alarms/);
  });

  test('WHEN the strategy is CANARY under the CODE_DEPLOY controller THEN it is refused: the ECS-native strategies need the ECS controller', async () => {
    const answer = await refusal(
      service(
        { strategy: 'CANARY', canaryConfiguration: { canaryPercent: 10 } },
        { deploymentController: { type: 'CODE_DEPLOY' } },
      ),
    );
    expect(answer).toMatch(/^InvalidParameterException: .*CANARY.*deploymentController.*ECS/);
  });

  test('WHEN a service is updated from rolling to canary, then given a canary percent out of range THEN the first update is taken and the second refused, leaving the canary in place', async () => {
    await ctx.ecs.send(new CreateServiceCommand(service({ strategy: 'ROLLING' })));
    const canary = { strategy: 'CANARY', canaryConfiguration: { canaryPercent: 20 } } as const;
    await ctx.ecs.send(
      new UpdateServiceCommand({ cluster: 'demo', service: 'web', deploymentConfiguration: canary }),
    );
    const refused = await failureOf(
      ctx.ecs.send(
        new UpdateServiceCommand({
          cluster: 'demo',
          service: 'web',
          deploymentConfiguration: { strategy: 'CANARY', canaryConfiguration: { canaryPercent: 100.1 } },
        }),
      ),
    );
    expect(refused.name).toBe('InvalidParameterException');
    const out = await ctx.ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web'] }));
    expect(out.services![0]!.deploymentConfiguration).toEqual(canary);
  });
});

describe('GIVEN the Service Connect fields of a rollout', () => {
  test('WHEN test traffic rules, access logs with a log configuration and TLS with an AWS Private CA are given THEN the deployment carries them', async () => {
    const config = connect({
      accessLogConfiguration: { format: 'JSON', includeQueryParameters: 'DISABLED' },
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'sc' } },
      services: [
        {
          portName: 'http-3000',
          discoveryName: 'web',
          clientAliases: [
            {
              dnsName: 'web.service.local',
              port: 3000,
              testTrafficRules: { header: { name: 'x-canary', value: { exact: 'true' } } },
            },
          ],
          tls: {
            issuerCertificateAuthority: { awsPcaAuthorityArn: PCA },
            roleArn: 'arn:aws:iam::111122223333:role/sc-tls',
          },
        },
      ],
    });
    const out = await ctx.ecs.send(
      new CreateServiceCommand(service(undefined, { serviceConnectConfiguration: config })),
    );
    const deployed = out.service!.deployments![0]!.serviceConnectConfiguration!;
    expect(deployed.accessLogConfiguration).toEqual({ format: 'JSON', includeQueryParameters: 'DISABLED' });
    expect(deployed.services![0]!.clientAliases![0]!.testTrafficRules).toEqual({
      header: { name: 'x-canary', value: { exact: 'true' } },
    });
    expect(deployed.services![0]!.tls!.issuerCertificateAuthority).toEqual({ awsPcaAuthorityArn: PCA });
  });

  test.each([
    [
      'access logs without a log configuration',
      connect({ accessLogConfiguration: { format: 'TEXT' } }),
      /access logs.*logConfiguration/,
    ],
    [
      'an access log format the model does not list',
      connect({
        accessLogConfiguration: { format: 'CSV' as never },
        logConfiguration: { logDriver: 'awslogs' },
      }),
      /format/,
    ],
    [
      'a test traffic header without an exact value',
      connect({}, { testTrafficRules: { header: { name: 'x-canary', value: {} } } }),
      /exact/,
    ],
    [
      'TLS without an AWS Private CA',
      connect({
        services: [
          {
            portName: 'http-3000',
            discoveryName: 'web',
            clientAliases: [{ dnsName: 'web.service.local', port: 3000 }],
            tls: { issuerCertificateAuthority: {} },
          },
        ],
      }),
      /awsPcaAuthorityArn/,
    ],
    [
      'TLS with an issuer that is not an AWS Private CA ARN',
      connect({
        services: [
          {
            portName: 'http-3000',
            discoveryName: 'web',
            clientAliases: [{ dnsName: 'web.service.local', port: 3000 }],
            tls: {
              issuerCertificateAuthority: {
                awsPcaAuthorityArn: 'arn:aws:acm:us-east-1:111122223333:certificate/x',
              },
            },
          },
        ],
      }),
      /awsPcaAuthorityArn.*acm-pca/,
    ],
  ] as [string, ServiceConnectConfiguration, RegExp][])(
    'WHEN it has %s THEN it is refused and nothing is created',
    async (_what, config, message) => {
      const answer = await refusal(service(undefined, { serviceConnectConfiguration: config }));
      expect(answer).toMatch(
        /^(InvalidParameterException|ValidationException|SerializationException|InvalidParameter)/,
      );
      expect(answer).toMatch(message);
      expect(ctx.emulator.snapshot(['ecs']).ecs.services ?? []).toEqual([]);
    },
  );
});
