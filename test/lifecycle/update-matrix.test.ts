/**
 * Create → Update (every in-place property, one step at a time) → Delete, through the real handler and SDK against
 * the emulator. After every step the emulator must hold exactly what the properties describe, the physical id must
 * not change, and delivering the same Update again must make no mutating call at all.
 */
import { AppMeshClient, CreateVirtualGatewayCommand } from '@aws-sdk/client-app-mesh';
import {
  createEvent,
  deleteEvent,
  type Props,
  startWorld,
  updateEvent,
  type World,
} from '../support/harness';
import { expectMeshMatches, expectNothingLeft, mutatingCalls, revisions } from '../support/state';

let world: World;
beforeAll(async () => {
  world = await startWorld();
  await new AppMeshClient({}).send(
    new CreateVirtualGatewayCommand({
      meshName: 'ecs-mesh',
      virtualGatewayName: 'internal-vgw',
      spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] },
    }),
  );
});
afterAll(() => world.close());

const base: Props = {
  MeshName: 'ecs-mesh',
  ServiceName: 'ecsdemo-crystal',
  Namespace: 'service.local',
  Port: '3000',
};

type Step = [string, (p: Props) => Props];
const without = (p: Props, ...keys: string[]) =>
  Object.fromEntries(Object.entries(p).filter(([k]) => !keys.includes(k)));

const steps: Step[] = [
  ['Port', (p) => ({ ...p, Port: '3001' })],
  ['Protocol', (p) => ({ ...p, Protocol: 'http2' })],
  ['HealthCheck added', (p) => ({ ...p, HealthCheck: { Path: '/health' } })],
  [
    'HealthCheck changed',
    (p) => ({ ...p, HealthCheck: { Path: '/ping', IntervalMillis: '10000', UnhealthyThreshold: '3' } }),
  ],
  ['HealthCheck removed', (p) => without(p, 'HealthCheck')],
  ['AccessLogPath off', (p) => ({ ...p, AccessLogPath: '' })],
  ['AccessLogPath on', (p) => without(p, 'AccessLogPath')],
  [
    'Backends added',
    (p) => ({ ...p, Backends: ['ecsdemo-nodejs.service.local', 'ecsdemo-frontend.service.local'] }),
  ],
  [
    'Backends reordered (no change)',
    (p) => ({ ...p, Backends: ['ecsdemo-frontend.service.local', 'ecsdemo-nodejs.service.local'] }),
  ],
  ['Backends removed', (p) => without(p, 'Backends')],
  ['VirtualServiceName', (p) => ({ ...p, VirtualServiceName: 'crystal.example.internal' })],
  ['Namespace', (p) => ({ ...p, Namespace: 'svc.local' })],
  [
    'DiscoveryAttributes',
    (p) => ({ ...p, DiscoveryAttributes: { ECS_TASK_DEFINITION_FAMILY: 'ecsdemo-crystal' } }),
  ],
  [
    'DnsHostname instead of Namespace',
    (p) => ({ ...without(p, 'Namespace', 'DiscoveryAttributes'), DnsHostname: 'crystal.example.internal' }),
  ],
  [
    'Namespace back, default virtual service name',
    (p) => ({ ...without(p, 'DnsHostname', 'VirtualServiceName'), Namespace: 'service.local' }),
  ],
  [
    'Tags added',
    (p) => ({
      ...p,
      Tags: [
        { Key: 'team', Value: 'crystal' },
        { Key: 'cost-center', Value: '42' },
      ],
    }),
  ],
  ['Tags changed and one removed', (p) => ({ ...p, Tags: [{ Key: 'team', Value: 'platform' }] })],
  ['Routes added (router appears)', (p) => ({ ...p, Routes: [{ Name: 'main' }] })],
  [
    'Routes changed',
    (p) => ({
      ...p,
      Routes: [
        {
          Name: 'api',
          Priority: '10',
          Match: { Prefix: '/api/', Method: 'GET', Headers: [{ Name: 'x-canary', Exact: 'yes' }] },
          Retry: {
            MaxRetries: '3',
            PerRetryTimeoutMillis: '1000',
            HttpRetryEvents: ['server-error'],
            TcpRetryEvents: ['connection-error'],
          },
          Timeout: { PerRequestMillis: '5000', IdleMillis: '60000' },
        },
        { Name: 'main', Priority: '100' },
      ],
    }),
  ],
  ['Routes removed (router goes)', (p) => without(p, 'Routes')],
  // The workshop gateway listens for http: a gateway route must be of its protocol.
  ['Protocol back to http', (p) => ({ ...p, Protocol: 'http' })],
  ['Gateway added', (p) => ({ ...p, Gateway: { VirtualGatewayName: 'ecsworkshop-vgw' } })],
  [
    'Gateway changed',
    (p) => ({
      ...p,
      Gateway: {
        VirtualGatewayName: 'ecsworkshop-vgw',
        Prefix: '/crystal/',
        Rewrite: { DefaultPrefix: 'ENABLED' },
        Priority: '5',
      },
    }),
  ],
  [
    'Gateway moved to another gateway',
    (p) => ({ ...p, Gateway: { VirtualGatewayName: 'internal-vgw', RouteName: 'crystal' } }),
  ],
  ['Gateway removed', (p) => without(p, 'Gateway')],
  [
    'Edge (virtual service goes)',
    (p) => ({ ...without(p, 'Namespace'), DnsHostname: 'crystal.lb.example.com', Edge: 'true' }),
  ],
  [
    'not Edge (virtual service back)',
    (p) => ({ ...without(p, 'DnsHostname', 'Edge'), Namespace: 'service.local' }),
  ],
];

test('GIVEN a plain service WHEN each in-place property changes in turn THEN the mesh follows, in place, idempotently', async () => {
  const provider = world.provider();
  let props = base;
  const created = await provider(createEvent(props));
  const id = created.PhysicalResourceId;
  expect(id).toBe('mesh/ecs-mesh/service/ecsdemo-crystal');
  expectMeshMatches(world.emulator, props);

  for (const [name, change] of steps) {
    const next = change(props);
    const result = await provider(updateEvent(id, next, props));
    expect({ step: name, id: result.PhysicalResourceId }).toEqual({ step: name, id });
    expectMeshMatches(world.emulator, next);

    world.emulator.clearRequests();
    const again = await provider(updateEvent(id, next, props));
    expect({ step: name, redelivered: mutatingCalls(world.emulator) }).toEqual({
      step: name,
      redelivered: [],
    });
    expect(again).toEqual(result);
    props = next;
  }

  await provider(deleteEvent(id, props));
  expectNothingLeft(world.emulator);
});

test('GIVEN a service with a task definition WHEN the patch inputs change THEN a new revision is returned and old ones are cleaned safely', async () => {
  const provider = world.provider();
  const v1 = await world.registerApp('matrix-app');
  let props: Props = { ...base, ServiceName: 'matrix-app', TaskDefinition: v1 };
  const created = await provider(createEvent(props));
  const id = created.PhysicalResourceId;
  const outputs = [created.Data!.TaskDefinitionArn!];

  const changes: Step[] = [
    ['Envoy log level', (p) => ({ ...p, Envoy: { LogLevel: 'debug' } })],
    ['Envoy stats tags', (p) => ({ ...p, Envoy: { LogLevel: 'debug', StatsTags: 'true' } })],
    [
      'Envoy drain time',
      (p) => ({ ...p, Envoy: { LogLevel: 'debug', StatsTags: 'true', DrainTimeSeconds: '30' } }),
    ],
    ['Tags only (no new revision)', (p) => ({ ...p, Tags: [{ Key: 'team', Value: 'a' }] })],
  ];
  for (const [name, change] of changes) {
    const next = change(props);
    const result = await provider(updateEvent(id, next, props));
    outputs.push(result.Data!.TaskDefinitionArn!);
    const [current, previous] = outputs.slice(-1).concat(outputs.slice(-2, -1));
    const state = revisions(world.emulator, 'matrix-app');
    expect({ step: name, current: state.find((r) => r.arn === current)?.status }).toEqual({
      step: name,
      current: 'ACTIVE',
    });
    expect({ step: name, previous: state.find((r) => r.arn === previous)?.status }).toEqual({
      step: name,
      previous: 'ACTIVE',
    });
    expect(state.filter((r) => r.owner && r.status === 'ACTIVE').length).toBeLessThanOrEqual(2);
    props = next;
  }
  // Only Tags changed in the last step: the same revision, retagged.
  expect(outputs.at(-1)).toBe(outputs.at(-2));
  const last = revisions(world.emulator, 'matrix-app').find((r) => r.arn === outputs.at(-1))!;
  expect(last.task.tags).toEqual(expect.arrayContaining([{ key: 'team', value: 'a' }]));

  // Removing the task definition keeps the last output for a rollback, then Delete removes everything.
  const bare = { ...props, TaskDefinition: undefined, Envoy: undefined };
  const result = await provider(updateEvent(id, bare, props));
  expect(result.Data?.TaskDefinitionArn).toBeUndefined();
  await provider(deleteEvent(id, bare));
  expectNothingLeft(world.emulator);
  expect(revisions(world.emulator, 'matrix-app').find((r) => r.arn === v1)?.status).toBe('ACTIVE');
});
