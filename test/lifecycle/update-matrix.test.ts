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
  await new AppMeshClient({}).send(
    new CreateVirtualGatewayCommand({
      meshName: 'ecs-mesh',
      virtualGatewayName: 'grpc-vgw',
      spec: { listeners: [{ portMapping: { port: 9090, protocol: 'grpc' } }] },
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
  // Issue 15: every new property added, changed and removed (Port is 3001 from the first step on).
  [
    'Listener TLS added (ACM certificate, STRICT)',
    (p) => ({
      ...p,
      Tls: {
        Mode: 'STRICT',
        Certificate: { AcmCertificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/crystal-1' },
      },
    }),
  ],
  [
    'Listener TLS changed (file certificate, mutual TLS with SDS trust and SANs, PERMISSIVE)',
    (p) => ({
      ...p,
      Tls: {
        Mode: 'PERMISSIVE',
        Certificate: { CertificateChain: '/certs/chain.pem', PrivateKey: '/certs/key.pem' },
        Validation: {
          Trust: { SdsSecretName: 'spiffe://ecs-mesh' },
          SubjectAlternativeNames: ['ecsdemo-frontend.service.local'],
        },
      },
    }),
  ],
  ['Listener TLS removed', (p) => without(p, 'Tls')],
  ['ListenerTimeout added', (p) => ({ ...p, ListenerTimeout: { PerRequestMillis: '30000' } })],
  [
    'ListenerTimeout changed',
    (p) => ({ ...p, ListenerTimeout: { PerRequestMillis: '0', IdleMillis: '60000' } }),
  ],
  ['ListenerTimeout removed', (p) => without(p, 'ListenerTimeout')],
  [
    'OutlierDetection added',
    (p) => ({
      ...p,
      OutlierDetection: {
        MaxServerErrors: '5',
        IntervalMillis: '10000',
        BaseEjectionDurationMillis: '30000',
        MaxEjectionPercent: '50',
      },
    }),
  ],
  [
    'OutlierDetection changed',
    (p) => ({
      ...p,
      OutlierDetection: {
        MaxServerErrors: '3',
        IntervalMillis: '5000',
        BaseEjectionDurationMillis: '10000',
        MaxEjectionPercent: '100',
      },
    }),
  ],
  ['OutlierDetection removed', (p) => without(p, 'OutlierDetection')],
  ['ConnectionPool added', (p) => ({ ...p, ConnectionPool: { MaxConnections: '100' } })],
  [
    'ConnectionPool changed',
    (p) => ({ ...p, ConnectionPool: { MaxConnections: '50', MaxPendingRequests: '10' } }),
  ],
  ['ConnectionPool removed', (p) => without(p, 'ConnectionPool')],
  ['AccessLogFormat text', (p) => ({ ...p, AccessLogFormat: { Text: '[%START_TIME%] %RESPONSE_CODE%\n' } })],
  [
    'AccessLogFormat json',
    (p) => ({
      ...p,
      AccessLogFormat: {
        Json: [
          { Key: 'status', Value: '%RESPONSE_CODE%' },
          { Key: 'path', Value: '%REQ(:PATH)%' },
        ],
      },
    }),
  ],
  ['AccessLogFormat removed', (p) => without(p, 'AccessLogFormat')],
  [
    'Client TLS added (BackendDefaults with AWS Private CA trust, a BackendPolicy with a client certificate)',
    (p) => ({
      ...p,
      Backends: ['ecsdemo-nodejs.service.local', 'ecsdemo-frontend.service.local'],
      BackendDefaults: {
        ClientTls: {
          Validation: {
            Trust: {
              AcmCertificateAuthorityArns: [
                'arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/ca-1',
              ],
            },
          },
        },
      },
      BackendPolicies: [
        {
          VirtualServiceName: 'ecsdemo-nodejs.service.local',
          ClientTls: {
            Ports: ['3000'],
            Certificate: { CertificateChain: '/certs/client.pem', PrivateKey: '/certs/client-key.pem' },
            Validation: {
              Trust: { CertificateChain: '/certs/ca.pem' },
              SubjectAlternativeNames: ['ecsdemo-nodejs.service.local'],
            },
          },
        },
      ],
    }),
  ],
  [
    'Client TLS changed (not enforced; policy moved to the other backend)',
    (p) => ({
      ...p,
      BackendDefaults: {
        ClientTls: { Enforce: 'false', Validation: { Trust: { SdsSecretName: 'spiffe://ecs-mesh' } } },
      },
      BackendPolicies: [
        {
          VirtualServiceName: 'ecsdemo-frontend.service.local',
          ClientTls: { Validation: { Trust: { CertificateChain: '/certs/ca.pem' } } },
        },
      ],
    }),
  ],
  ['Client TLS removed', (p) => without(p, 'BackendDefaults', 'BackendPolicies', 'Backends')],
  ['IpPreference (Cloud Map)', (p) => ({ ...p, IpPreference: 'IPv4_ONLY' })],
  [
    'DNS with DnsResponseType ENDPOINTS and IpPreference',
    (p) => ({
      ...without(p, 'Namespace'),
      DnsHostname: 'crystal.example.internal',
      VirtualServiceName: 'ecsdemo-crystal.service.local',
      DnsResponseType: 'ENDPOINTS',
      IpPreference: 'IPv6_PREFERRED',
    }),
  ],
  [
    'DnsResponseType and IpPreference removed, Namespace back',
    (p) => ({
      ...without(p, 'DnsHostname', 'DnsResponseType', 'IpPreference', 'VirtualServiceName'),
      Namespace: 'service.local',
    }),
  ],
  ['VirtualNodeName (AWS example naming)', (p) => ({ ...p, VirtualNodeName: 'crystal-vn' })],
  ['VirtualNodeName removed (back to ServiceName)', (p) => without(p, 'VirtualNodeName')],
  [
    'Routes with the new matches (path regex, query, header range, scheme, port) and a target port',
    (p) => ({
      ...p,
      Routes: [
        {
          Name: 'api',
          Match: {
            PathRegex: '^/api/v[0-9]+/.*$',
            Scheme: 'https',
            Port: '3001',
            QueryParameters: [{ Name: 'beta', Exact: 'yes' }, { Name: 'debug' }],
            Headers: [{ Name: 'x-version', Range: { Start: '2', End: '5' } }],
          },
          Targets: [{ Port: '3001' }],
        },
        { Name: 'main', Priority: '100' },
      ],
    }),
  ],
  [
    'Routes matches changed',
    (p) => ({
      ...p,
      Routes: [
        { Name: 'api', Match: { Path: '/api', QueryParameters: [{ Name: 'beta' }] } },
        { Name: 'main', Priority: '100' },
      ],
    }),
  ],
  ['Routes with the new matches removed', (p) => without(p, 'Routes')],
  [
    'Gateway with the new fields (method, hostname suffix, query, match port, target port, path rewrite)',
    (p) => ({
      ...p,
      Gateway: {
        VirtualGatewayName: 'ecsworkshop-vgw',
        Path: '/crystal',
        Method: 'GET',
        HostnameSuffix: '.example.com',
        QueryParameters: [{ Name: 'v', Exact: '2' }],
        Headers: [{ Name: 'x-tier', Range: { Start: '1', End: '3' } }],
        Port: '3000',
        TargetPort: '3001',
        Rewrite: { Path: '/', Hostname: 'DISABLED' },
      },
    }),
  ],
  [
    'Gateway changed (path regex, no rewrite)',
    (p) => ({ ...p, Gateway: { VirtualGatewayName: 'ecsworkshop-vgw', PathRegex: '^/crystal/.*$' } }),
  ],
  ['Gateway with the new fields removed', (p) => without(p, 'Gateway')],
  [
    'grpc: metadata route, gRPC gateway route with service name and metadata, listener options of grpc',
    (p) => ({
      ...p,
      Protocol: 'grpc',
      Routes: [
        {
          Name: 'orders',
          Match: {
            ServiceName: 'shop.Orders',
            Metadata: [
              { Name: 'tenant', Exact: 'a' },
              { Name: 'build', Range: { Start: '10', End: '20' }, Invert: 'true' },
            ],
          },
        },
      ],
      Gateway: {
        VirtualGatewayName: 'grpc-vgw',
        ServiceName: 'shop.Orders',
        Metadata: [{ Name: 'tenant', Prefix: 'a' }],
        Rewrite: { Hostname: 'DISABLED' },
      },
      ListenerTimeout: { PerRequestMillis: '20000' },
      ConnectionPool: { MaxRequests: '200' },
    }),
  ],
  [
    'tcp: idle listener timeout, connection pool of tcp, route with a port match',
    (p) => ({
      ...without(p, 'Gateway'),
      Protocol: 'tcp',
      Routes: [{ Name: 'orders', Match: { Port: '3001' }, Timeout: { IdleMillis: '300000' } }],
      ListenerTimeout: { IdleMillis: '300000' },
      ConnectionPool: { MaxConnections: '20' },
    }),
  ],
  [
    'back to http, listener options and routes removed',
    (p) => ({ ...without(p, 'Routes', 'ListenerTimeout', 'ConnectionPool'), Protocol: 'http' }),
  ],
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
    const update = updateEvent(id, next, props);
    const result = await provider(update);
    expect({ step: name, id: result.PhysicalResourceId }).toEqual({ step: name, id });
    expectMeshMatches(world.emulator, next);

    world.emulator.clearRequests();
    const again = await provider(update); // the same request, delivered again
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
  const v1 = await world.registerApp('matrix-app', { volumes: [{ name: 'certs' }, { name: 'spire' }] });
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
    [
      'Envoy mount points and SDS socket, with SDS mutual TLS',
      (p) => ({
        ...p,
        Envoy: {
          LogLevel: 'debug',
          StatsTags: 'true',
          DrainTimeSeconds: '30',
          SdsSocketPath: '/run/spire/sockets/agent.sock',
          MountPoints: [
            { SourceVolume: 'spire', ContainerPath: '/run/spire/sockets' },
            { SourceVolume: 'certs', ContainerPath: '/certs', ReadOnly: 'true' },
          ],
        },
        Tls: {
          Mode: 'STRICT',
          Certificate: { SdsSecretName: 'spiffe://ecs-mesh/matrix-app' },
          Validation: { Trust: { SdsSecretName: 'spiffe://ecs-mesh' } },
        },
      }),
    ],
    [
      'Listener certificate from ACM (the task role label changes)',
      (p) => ({
        ...p,
        Tls: {
          Mode: 'STRICT',
          Certificate: { AcmCertificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/matrix-1' },
        },
      }),
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
  expect(new Set(outputs).size).toBe(outputs.length - 1);
  const envoyOf = (arn: string) =>
    (
      revisions(world.emulator, 'matrix-app').find((r) => r.arn === arn)!.task.containerDefinitions as {
        name: string;
        environment: { name: string; value: string }[];
        mountPoints?: unknown[];
        dockerLabels?: Record<string, string>;
      }[]
    ).find((c) => c.name === 'envoy')!;
  const sds = envoyOf(outputs.at(-3)!);
  expect(sds.environment).toContainEqual({
    name: 'APPMESH_SDS_SOCKET_PATH',
    value: '/run/spire/sockets/agent.sock',
  });
  expect(sds.mountPoints).toEqual([
    { sourceVolume: 'spire', containerPath: '/run/spire/sockets', readOnly: true },
    { sourceVolume: 'certs', containerPath: '/certs', readOnly: true },
  ]);
  expect(envoyOf(outputs.at(-1)!).dockerLabels?.['mesh-service.task-role-needs']).toBe(
    'acm:ExportCertificate',
  );
  const last = revisions(world.emulator, 'matrix-app').find((r) => r.arn === outputs.at(-1))!;
  expect(last.task.tags).toEqual(expect.arrayContaining([{ key: 'team', value: 'a' }]));

  // Removing the task definition keeps the last output for a rollback, then Delete removes everything.
  const bare = { ...props, TaskDefinition: undefined, Envoy: undefined, Tls: undefined };
  const result = await provider(updateEvent(id, bare, props));
  expect(result.Data?.TaskDefinitionArn).toBeUndefined();
  await provider(deleteEvent(id, bare));
  expectNothingLeft(world.emulator);
  expect(revisions(world.emulator, 'matrix-app').find((r) => r.arn === v1)?.status).toBe('ACTIVE');
});
