/**
 * Rollouts, test traffic, access logs, listener timeouts and TLS on Service Connect: the contract maps what App Mesh
 * did with weights, header routes and listener options to an ECS-native deployment of one ECS service and the
 * Service Connect fields, refusing by name what has no equivalent; through the real handler and SDK against the
 * emulator, the attributes wire an ECS CreateService and UpdateService that the emulator's ECS validates.
 */
import {
  CreateServiceCommand,
  type CreateServiceCommandInput,
  DescribeServicesCommand,
  ECSClient,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { seedPlatform } from '../../emulator';
import { MeshServiceProperties, parseFor } from '../../lambda/backends';
import { parseWith } from '../../lambda/contract/dsl';
import { linearSteps } from '../../lambda/serviceconnect/rollout';
import {
  createEvent,
  deleteEvent,
  type Props,
  startWorld,
  updateEvent,
  type World,
} from '../support/harness';
import { ownedLeft } from './support';

const PCA =
  'arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/11111111-2222-3333-4444-555555555555';
const ACM = 'arn:aws:acm:us-east-1:111122223333:certificate/abc-123';
const ROLE = 'arn:aws:iam::111122223333:role/mesh-service/sc-tls';

const props = (over: Props = {}): Props => ({
  Backend: 'ServiceConnect',
  MeshName: 'ecs-mesh',
  ServiceName: 'web',
  Namespace: 'service.local',
  Port: '3000',
  ...over,
});
const versions = (w1: string, w2: string) => [
  { Name: 'v1', TaskDefinition: 'web:1', Weight: w1 },
  { Name: 'v2', TaskDefinition: 'web-v2:1', Weight: w2 },
];

const messages = (p: Props): string[] => {
  const parsed = parseWith(MeshServiceProperties, p);
  return parsed.ok ? [] : parsed.issues.map((i) => `${i.path}: ${i.message}`);
};
const model = (p: Props) => parseFor('ServiceConnect', p).serviceConnect;

describe('GIVEN two Versions on Service Connect', () => {
  test('WHEN one is lighter THEN they are a CANARY rollout to it, its share the CanaryPercent, with ECS’s default bake', () => {
    expect(messages(props({ Versions: versions('90', '10') }))).toEqual([]);
    expect(model(props({ Versions: versions('90', '10') })).rollout).toEqual({
      strategy: 'CANARY',
      percent: 10,
      stepBakeMinutes: 10,
      runs: 1,
    });
    expect(model(props({ Versions: versions('2', '1') })).rollout!.percent).toBe(33.3);
  });

  test('WHEN the lighter one weighs 0 THEN the ECS service runs the other one (nothing rolls out yet)', () => {
    expect(model(props({ Versions: versions('100', '0') })).rollout).toMatchObject({ runs: 0, percent: 5 });
    expect(model(props({ Versions: versions('0', '100') })).rollout).toMatchObject({ runs: 1 });
  });

  test.each<[string, Props, string, RegExp]>([
    [
      'equal weights (a lasting split)',
      { Versions: versions('50', '50') },
      'Versions',
      /equal weights.*VpcLattice/,
    ],
    [
      'three versions',
      {
        Versions: [...versions('80', '10'), { Name: 'v3', TaskDefinition: 'web-v3:1', Weight: '10' }],
      },
      'Versions',
      /one new version at a time.*VpcLattice/,
    ],
    [
      'a Percent beside the weights',
      { Versions: versions('90', '10'), ServiceConnect: { Rollout: { Percent: '20' } } },
      'ServiceConnect.Rollout.Percent',
      /weights give the percent/,
    ],
    [
      'a LINEAR step under 3 percent from the weights',
      { Versions: versions('98', '2'), ServiceConnect: { Rollout: { Strategy: 'LINEAR' } } },
      'Versions[1].Weight',
      /LINEAR step.*3-100.*2/,
    ],
    [
      'BLUE_GREEN with a partial weight',
      {
        Versions: versions('90', '10'),
        ServiceConnect: { Rollout: { Strategy: 'BLUE_GREEN', BakeMinutes: '5' } },
      },
      'Versions[1].Weight',
      /BLUE_GREEN shifts all traffic at once/,
    ],
    [
      'weighted route targets',
      {
        Versions: versions('90', '10'),
        Routes: [
          {
            Name: 'r',
            Targets: [
              { Version: 'v1', Weight: '1' },
              { Version: 'v2', Weight: '1' },
            ],
          },
        ],
      },
      'Routes[0].Targets',
      /give the weights on Versions/,
    ],
  ])('WHEN %s THEN it is refused naming %s', (_what, over, path, reason) => {
    expect(messages(props(over)).filter((m) => m.startsWith(`${path}: `))).toEqual([
      expect.stringMatching(reason),
    ]);
  });
});

describe('GIVEN ServiceConnect.Rollout', () => {
  test.each<[string, Props, string, RegExp]>([
    ['a canary percent below 0.1', { Percent: '0.05' }, 'ServiceConnect.Rollout.Percent', /0\.1-100/],
    [
      'a canary percent off the 0.1 grid',
      { Percent: '10.25' },
      'ServiceConnect.Rollout.Percent',
      /multiples of 0\.1/,
    ],
    [
      'a linear step under 3',
      { Strategy: 'LINEAR', Percent: '2.5' },
      'ServiceConnect.Rollout.Percent',
      /3-100/,
    ],
    [
      'a step bake over 1440',
      { StepBakeMinutes: '1441' },
      'ServiceConnect.Rollout.StepBakeMinutes',
      /0-1440/,
    ],
    ['a bake over 1440', { BakeMinutes: '1441' }, 'ServiceConnect.Rollout.BakeMinutes', /0-1440/],
    [
      'BLUE_GREEN without a bake',
      { Strategy: 'BLUE_GREEN' },
      'ServiceConnect.Rollout.BakeMinutes',
      /requires BakeTimeInMinutes/,
    ],
    [
      'BLUE_GREEN with a percent',
      { Strategy: 'BLUE_GREEN', BakeMinutes: '10', Percent: '10' },
      'ServiceConnect.Rollout.Percent',
      /BLUE_GREEN shifts all traffic at once/,
    ],
    [
      'a canary over 33 hours',
      { StepBakeMinutes: '1440', BakeMinutes: '541' },
      'ServiceConnect.Rollout',
      /BakeMinutes 541 \+ StepBakeMinutes 1440 = 1981 minutes.*33 hours \(1980 minutes\)/,
    ],
    [
      'a linear deployment over 33 hours',
      { Strategy: 'LINEAR', Percent: '11', StepBakeMinutes: '220', BakeMinutes: '1' },
      'ServiceConnect.Rollout',
      /BakeMinutes 1 \+ StepBakeMinutes 220 × 9 steps = 1981 minutes/,
    ],
  ])('WHEN it has %s THEN it is refused naming %s', (_what, rollout, path, reason) => {
    const found = messages(props({ TaskDefinition: 'web:1', ServiceConnect: { Rollout: rollout } }));
    expect(found.filter((m) => m.startsWith(`${path}: `))).toEqual([expect.stringMatching(reason)]);
  });

  test('WHEN a canary totals exactly 33 hours, or a linear one just under THEN it is accepted', () => {
    for (const rollout of [
      { StepBakeMinutes: '1440', BakeMinutes: '540' },
      { Strategy: 'LINEAR', Percent: '11', StepBakeMinutes: '220', BakeMinutes: '0' },
    ])
      expect(messages(props({ TaskDefinition: 'web:1', ServiceConnect: { Rollout: rollout } }))).toEqual([]);
  });

  test.each([
    [10, 9],
    [11, 9],
    [25, 3],
    [3, 33],
    [100, 0],
  ])('WHEN StepPercent is %d THEN CloudFormation counts %d steps', (percent, steps) => {
    expect(linearSteps(percent)).toBe(steps);
  });
});

describe('GIVEN test traffic, access logs, listener timeouts and TLS', () => {
  const headerRoute = (version: string, over: object = {}) => ({
    Name: 'test',
    Match: { Headers: [{ Name: 'x-canary', Exact: 'true', ...over }] },
    Targets: [{ Version: version }],
  });

  test('WHEN an exact-header route sends everything to the new version THEN it is the test traffic; any other header route stays refused', () => {
    const p = props({ Versions: versions('90', '10'), Routes: [headerRoute('v2'), { Name: 'all' }] });
    expect(messages(p)).toEqual([]);
    expect(model(p).rollout!.testTraffic).toEqual({ name: 'x-canary', value: 'true' });
    expect(
      messages(props({ Versions: versions('90', '10'), Routes: [headerRoute('v1'), { Name: 'all' }] })),
    ).toEqual([
      expect.stringMatching(
        /^Routes\[0\]\.Targets\[0\]\.Version: test traffic goes to the new revision, the lighter version "v2"/,
      ),
    ]);
    expect(
      messages(
        props({
          Versions: versions('90', '10'),
          Routes: [headerRoute('v2', { Exact: undefined, Prefix: 't' }), { Name: 'all' }],
        }),
      ),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Routes\[0\]\.Match\.Headers: header routes are not available/),
      ]),
    );
  });

  test('WHEN AccessLogFormat, ListenerTimeout and ServiceConnect.Tls are given THEN they map to the attributes, with a warning that custom log fields are lost', () => {
    const p = props({
      TaskDefinition: 'web:1',
      AccessLogFormat: { Json: [{ Key: 'code', Value: '%RESPONSE_CODE%' }] },
      ListenerTimeout: { IdleMillis: '30000', PerRequestMillis: '5000' },
      Tls: { Mode: 'STRICT', Certificate: { AcmCertificateArn: ACM } },
      ServiceConnect: { Tls: { AwsPcaAuthorityArn: PCA, RoleArn: ROLE } },
    });
    expect(messages(p)).toEqual([]);
    const m = model(p);
    expect(m.timeout).toEqual({ idleSeconds: 30, perRequestSeconds: 5 });
    expect(m.proxy).toEqual({ accessLogFormat: 'JSON', tls: { awsPcaAuthorityArn: PCA, roleArn: ROLE } });
    expect(m.warnings.find((w) => w.path === 'AccessLogFormat')!.message).toMatch(/custom fields.*lost/);
  });

  test.each<[string, Props, string, RegExp]>([
    [
      'mutual TLS',
      {
        Tls: {
          Mode: 'STRICT',
          Certificate: { AcmCertificateArn: ACM },
          Validation: { Trust: { CertificateChain: '/ca.pem' } },
        },
        ServiceConnect: { Tls: { AwsPcaAuthorityArn: PCA } },
      },
      'Tls.Validation',
      /no mutual TLS/,
    ],
    [
      'a file certificate',
      { Tls: { Mode: 'STRICT', Certificate: { CertificateChain: '/c.pem', PrivateKey: '/k.pem' } } },
      'Tls.Certificate',
      /no file or SDS certificate/,
    ],
    [
      'an SDS certificate',
      { Tls: { Mode: 'STRICT', Certificate: { SdsSecretName: 's' } }, Envoy: { SdsSocketPath: '/sds.sock' } },
      'Tls.Certificate',
      /no file or SDS certificate/,
    ],
    [
      'an ACM certificate without its CA',
      { Tls: { Mode: 'STRICT', Certificate: { AcmCertificateArn: ACM } } },
      'ServiceConnect.Tls',
      /needs the AWS Private CA/,
    ],
    [
      'a CA that is not AWS Private CA',
      { ServiceConnect: { Tls: { AwsPcaAuthorityArn: ACM } } },
      'ServiceConnect.Tls.AwsPcaAuthorityArn',
      /AWS Private CA ARN/,
    ],
    [
      'both a listener and a route timeout',
      { ListenerTimeout: { IdleMillis: '1000' }, Routes: [{ Name: 'r', Timeout: { IdleMillis: '2000' } }] },
      'ListenerTimeout',
      /give the timeouts once/,
    ],
    [
      'a listener timeout of milliseconds',
      { ListenerTimeout: { IdleMillis: '1500' } },
      'ListenerTimeout.IdleMillis',
      /whole seconds/,
    ],
  ])('WHEN %s THEN it is refused naming %s', (_what, over, path, reason) => {
    const found = messages(props({ TaskDefinition: 'web:1', ...over }));
    expect(found.filter((m) => m.startsWith(`${path}: `))).toEqual([expect.stringMatching(reason)]);
  });
});

describe('GIVEN a rollout through the handler and the emulator', () => {
  let world: World;
  let ecs: ECSClient;
  beforeAll(async () => {
    world = await startWorld();
    ecs = new ECSClient({});
  });
  afterAll(async () => {
    ecs.destroy();
    await world.close();
  });
  beforeEach(async () => {
    world.emulator.reset();
    await seedPlatform(world.emulator);
    world.emulator.servicediscovery.putNamespace('service.local');
  });

  /** The AWS::ECS::Service a template wires from the attributes, as the SDK sends it. */
  const ecsService = (data: Record<string, string>): CreateServiceCommandInput => ({
    cluster: 'demo',
    serviceName: 'web',
    taskDefinition: data.TaskDefinitionArn!,
    desiredCount: 0,
    deploymentController: { type: 'ECS' },
    deploymentConfiguration: {
      strategy: data.DeploymentStrategy as 'CANARY',
      canaryConfiguration: {
        canaryPercent: Number(data.CanaryPercent),
        canaryBakeTimeInMinutes: Number(data.CanaryBakeTimeInMinutes),
      },
      bakeTimeInMinutes: Number(data.BakeTimeInMinutes),
    },
    serviceConnectConfiguration: {
      enabled: true,
      namespace: data.NamespaceArn!,
      accessLogConfiguration: { format: data.AccessLogFormat as 'TEXT' },
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'sc' } },
      services: [
        {
          portName: data.PortName!,
          discoveryName: data.DiscoveryName!,
          clientAliases: [
            {
              dnsName: data.ClientAliasDnsName!,
              port: Number(data.ClientAliasPort),
              testTrafficRules: {
                header: { name: data.TestTrafficHeaderName!, value: { exact: data.TestTrafficHeaderValue! } },
              },
            },
          ],
          timeout: { idleTimeoutSeconds: Number(data.IdleTimeoutSeconds) },
          tls: {
            issuerCertificateAuthority: { awsPcaAuthorityArn: data.TlsAwsPcaAuthorityArn! },
            roleArn: data.TlsRoleArn!,
          },
        },
      ],
    },
  });

  test('WHEN it is created, its canary percent updated in place, then deleted THEN the attributes wire an ECS canary the emulator accepts, UpdateService takes the new percent, and nothing is left', async () => {
    const v1 = await world.registerApp('web');
    const v2 = await world.registerApp('web-v2');
    const provider = world.provider();
    const at = (w1: string, w2: string): Props =>
      props({
        Versions: [
          { Name: 'v1', TaskDefinition: v1, Weight: w1 },
          { Name: 'v2', TaskDefinition: v2, Weight: w2 },
        ],
        Routes: [
          {
            Name: 'test',
            Match: { Headers: [{ Name: 'x-canary', Exact: 'true' }] },
            Targets: [{ Version: 'v2' }],
          },
          { Name: 'all', Timeout: { IdleMillis: '60000' } },
        ],
        AccessLogFormat: { Text: '[%START_TIME%] %RESPONSE_CODE%\n' },
        ServiceConnect: {
          Rollout: { StepBakeMinutes: '15', BakeMinutes: '30' },
          Tls: { AwsPcaAuthorityArn: PCA, RoleArn: ROLE },
        },
      });
    const created = await provider(createEvent(at('90', '10')));
    expect(created.Data).toMatchObject({
      DeploymentStrategy: 'CANARY',
      CanaryPercent: '10',
      CanaryBakeTimeInMinutes: '15',
      BakeTimeInMinutes: '30',
      TestTrafficHeaderName: 'x-canary',
      TestTrafficHeaderValue: 'true',
      AccessLogFormat: 'TEXT',
      TlsAwsPcaAuthorityArn: PCA,
      TlsRoleArn: ROLE,
      IdleTimeoutSeconds: '60',
    });
    // The ECS service runs the new (lighter) version's prepared revision.
    expect(created.Data!.TaskDefinitionArn).toBe(created.Data!['Versions.v2.TaskDefinitionArn']);
    expect(Buffer.byteLength(JSON.stringify(created.Data))).toBeLessThan(4096);
    await ecs.send(new CreateServiceCommand(ecsService(created.Data!)));

    const updated = await provider(updateEvent(created.PhysicalResourceId, at('80', '20'), at('90', '10')));
    expect(updated.PhysicalResourceId).toBe(created.PhysicalResourceId);
    expect(updated.Data).toMatchObject({ CanaryPercent: '20' });
    expect(updated.Data!.TaskDefinitionArn).toBe(created.Data!.TaskDefinitionArn);
    const { serviceName: _n, ...next } = ecsService(updated.Data!);
    await ecs.send(new UpdateServiceCommand({ ...next, service: 'web' }));
    const described = await ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web'] }));
    expect(described.services![0]!.deploymentConfiguration!.canaryConfiguration!.canaryPercent).toBe(20);

    await provider(deleteEvent(created.PhysicalResourceId, at('80', '20')));
    expect(ownedLeft(world.emulator)).toEqual([]);
  });

  test.each([
    [
      'LINEAR',
      { Strategy: 'LINEAR', Percent: '25', StepBakeMinutes: '5' },
      { StepPercent: '25', StepBakeTimeInMinutes: '5' },
      (d: Record<string, string>) => ({
        strategy: 'LINEAR' as const,
        linearConfiguration: {
          stepPercent: Number(d.StepPercent),
          stepBakeTimeInMinutes: Number(d.StepBakeTimeInMinutes),
        },
      }),
    ],
    [
      'BLUE_GREEN',
      { Strategy: 'BLUE_GREEN', BakeMinutes: '20' },
      { BakeTimeInMinutes: '20' },
      (d: Record<string, string>) => ({
        strategy: 'BLUE_GREEN' as const,
        bakeTimeInMinutes: Number(d.BakeTimeInMinutes),
      }),
    ],
  ])(
    'WHEN a single-version service declares a %s rollout THEN its attributes wire an ECS service the emulator accepts, and none of another strategy is returned',
    async (strategy, rollout, expected, configuration) => {
      const td = await world.registerApp('web');
      const created = await world.provider()(
        createEvent(props({ TaskDefinition: td, ServiceConnect: { Rollout: rollout } })),
      );
      expect(created.Data).toMatchObject({ DeploymentStrategy: strategy, ...expected });
      expect(created.Data).not.toHaveProperty('CanaryPercent');
      const d = created.Data!;
      await ecs.send(
        new CreateServiceCommand({
          cluster: 'demo',
          serviceName: 'web',
          taskDefinition: d.TaskDefinitionArn!,
          deploymentController: { type: 'ECS' },
          deploymentConfiguration: configuration(d),
          serviceConnectConfiguration: {
            enabled: true,
            namespace: d.NamespaceArn!,
            services: [
              {
                portName: d.PortName!,
                discoveryName: d.DiscoveryName!,
                clientAliases: [{ dnsName: d.ClientAliasDnsName!, port: Number(d.ClientAliasPort) }],
              },
            ],
          },
        }),
      );
      await world.provider()(deleteEvent(created.PhysicalResourceId, props({ TaskDefinition: td })));
      expect(ownedLeft(world.emulator)).toEqual([]);
    },
  );

  test('WHEN a rollout’s ServiceName changes THEN the replacement is built beside the old one with both versions and the rollout attributes, and the old one’s cleanup Delete leaves exactly its revisions', async () => {
    const v1 = await world.registerApp('web');
    const v2 = await world.registerApp('web-v2');
    const provider = world.provider();
    const oldProps = props({
      Versions: [
        { Name: 'v1', TaskDefinition: v1, Weight: '90' },
        { Name: 'v2', TaskDefinition: v2, Weight: '10' },
      ],
    });
    const newProps = { ...oldProps, ServiceName: 'web-2' };
    const created = await provider(createEvent(oldProps));
    const replaced = await provider(updateEvent(created.PhysicalResourceId, newProps, oldProps));
    expect(replaced.PhysicalResourceId).toBe('service-connect/service.local/service/web-2');
    expect(replaced.Data).toMatchObject({
      DeploymentStrategy: 'CANARY',
      CanaryPercent: '10',
      DiscoveryName: 'web-2',
    });
    await provider(deleteEvent(created.PhysicalResourceId, oldProps));
    expect(ownedLeft(world.emulator, [created.PhysicalResourceId])).toEqual([]);
    expect(ownedLeft(world.emulator, [replaced.PhysicalResourceId]).sort()).toEqual(
      [
        `revision ${replaced.Data!['Versions.v1.TaskDefinitionArn']}`,
        `revision ${replaced.Data!['Versions.v2.TaskDefinitionArn']}`,
      ].sort(),
    );
    await provider(deleteEvent(replaced.PhysicalResourceId, newProps));
    expect(ownedLeft(world.emulator)).toEqual([]);
  });

  test('WHEN the Create asks for a canary over CloudFormation’s 33 hours THEN it fails naming ServiceConnect.Rollout with no AWS call', async () => {
    world.emulator.clearRequests();
    await expect(
      world.provider()(
        createEvent(
          props({
            TaskDefinition: 'web:1',
            ServiceConnect: { Rollout: { StepBakeMinutes: '1440', BakeMinutes: '1000' } },
          }),
        ),
      ),
    ).rejects.toThrow(/ServiceConnect\.Rollout: .*33 hours/);
    expect(world.emulator.requests).toEqual([]);
  });
});
