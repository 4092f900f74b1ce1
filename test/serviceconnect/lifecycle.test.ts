/**
 * The Service Connect backend through the real handler and SDK clients against the emulator, as CloudFormation
 * drives it: Create, in-place Update and its rollback, replacement, Delete, re-delivery, ownership, and the refusals
 * that come before any call.
 */
import {
  CreateServiceCommand,
  ECSClient,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { seedPlatform } from '../../emulator';
import {
  createEvent,
  deleteEvent,
  type Props,
  STACK_ID,
  startWorld,
  updateEvent,
  type World,
} from '../support/harness';
import { calls, mutating, namespaces, ownedLeft, revision } from './support';

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

const base = (td: string, over: Props = {}): Props => ({
  Backend: 'ServiceConnect',
  MeshName: 'ecs-mesh',
  ServiceName: 'crystal',
  Namespace: 'service.local',
  Port: '3000',
  TaskDefinition: td,
  ...over,
});

describe('GIVEN a Create with Backend ServiceConnect', () => {
  test('WHEN the namespace exists THEN the prepared revision is registered, no App Mesh call is made, and the attributes wire an ECS service that ECS accepts', async () => {
    const td = await world.registerApp('crystal');
    world.emulator.clearRequests();
    const created = await world.provider()(createEvent(base(td)));
    expect(created.PhysicalResourceId).toBe('service-connect/service.local/service/crystal');
    expect(calls(world.emulator).filter((c) => c.startsWith('appmesh:'))).toEqual([]);
    expect(mutating(world.emulator)).toEqual(['ecs:RegisterTaskDefinition']);
    const [ns] = namespaces(world.emulator);
    expect(created.Data).toMatchObject({
      NamespaceArn: ns!.Arn,
      PortName: 'http-3000',
      DiscoveryName: 'crystal',
      ClientAliasDnsName: 'crystal.service.local',
      ClientAliasPort: '3000',
      AppProtocol: 'http',
      VirtualNodeName: '',
      VirtualServiceName: '',
      GatewayRouteArn: '',
      EnvoyImage: '',
    });
    const prepared = revision(world.emulator, created.Data!.TaskDefinitionArn!);
    expect(prepared.containerDefinitions.map((c) => c.name)).toEqual(['crystal']);
    expect(prepared.containerDefinitions[0]!.portMappings).toEqual([
      expect.objectContaining({ containerPort: 3000, name: 'http-3000', appProtocol: 'http' }),
    ]);
    expect(prepared.proxyConfiguration).toBeUndefined();
    expect([prepared.cpu, prepared.memory]).toEqual(['256', '512']);
    expect(prepared.tags).toEqual(
      expect.arrayContaining([
        { key: 'mesh-service:owner', value: created.PhysicalResourceId },
        { key: 'mesh-service:stack-id', value: STACK_ID },
      ]),
    );

    // What the template does with the attributes: the ECS service joins the namespace.
    const d = created.Data!;
    const out = await ecs.send(
      new CreateServiceCommand({
        cluster: 'demo',
        serviceName: 'crystal',
        taskDefinition: d.TaskDefinitionArn,
        serviceConnectConfiguration: {
          enabled: true,
          namespace: d.NamespaceArn,
          services: [
            {
              portName: d.PortName!,
              discoveryName: d.DiscoveryName,
              clientAliases: [{ dnsName: d.ClientAliasDnsName, port: Number(d.ClientAliasPort) }],
            },
          ],
        },
      }),
    );
    expect(out.service!.deployments![0]!.serviceConnectResources![0]!.discoveryName).toBe('crystal');
  });

  test('WHEN the source carries the App Mesh sidecars, proxy configuration and variables THEN every App Mesh artefact is gone from the prepared one', async () => {
    const td = await world.registerApp('legacy');
    const provider = world.provider();
    const mesh = await provider(
      createEvent(
        {
          MeshName: 'ecs-mesh',
          ServiceName: 'legacy',
          Namespace: 'service.local',
          Port: '3000',
          TaskDefinition: td,
          Envoy: { Tracing: { Provider: 'xray' } },
        },
        { logicalId: 'Legacy' },
      ),
    );
    const patched = revision(world.emulator, mesh.Data!.TaskDefinitionArn!);
    expect(patched.containerDefinitions.map((c) => c.name).sort()).toEqual([
      'envoy',
      'legacy',
      'xray-daemon',
    ]);

    // As a template author who copied the patched revision into their own task definition would register it.
    const {
      taskDefinitionArn: _arn,
      revision: _revision,
      status: _status,
      requiresAttributes: _requires,
      compatibilities: _compatibilities,
      registeredAt: _at,
      registeredBy: _by,
      tags: _tags,
      ...content
    } = patched as Record<string, unknown>;
    const copied = await world.registerApp('legacy', content as Partial<RegisterTaskDefinitionCommandInput>);
    const sc = await provider(createEvent(base(copied, { ServiceName: 'legacy-sc' })));
    const prepared = revision(world.emulator, sc.Data!.TaskDefinitionArn!);
    expect(prepared.containerDefinitions.map((c) => c.name)).toEqual(['legacy']);
    const app = prepared.containerDefinitions[0]!;
    expect(app.dependsOn).toBeUndefined();
    expect((app.environment ?? []).filter((v) => v.name.startsWith('APPMESH_'))).toEqual([]);
    expect(prepared.proxyConfiguration).toBeUndefined();
  });

  test('WHEN the namespace is missing THEN the Create fails naming it before any change; with CreateNamespace it is created, owned, and deleted with the service', async () => {
    const td = await world.registerApp('crystal');
    world.emulator.reset();
    const provider = world.provider();
    const td2 = await world.registerApp('crystal');
    world.emulator.clearRequests();
    await expect(provider(createEvent(base(td2)))).rejects.toThrow(
      /Cloud Map namespace "service.local" not found .*set ServiceConnect.CreateNamespace: true/,
    );
    expect(mutating(world.emulator)).toEqual([]);

    const props = base(td2, { ServiceConnect: { CreateNamespace: 'true' } });
    const created = await provider(createEvent(props));
    const [ns] = namespaces(world.emulator);
    expect(ns!.Type).toBe('HTTP');
    expect(ns!.Tags).toEqual(
      expect.arrayContaining([{ Key: 'mesh-service:owner', Value: created.PhysicalResourceId }]),
    );
    expect(created.Data!.NamespaceArn).toBe(ns!.Arn);
    await provider(deleteEvent(created.PhysicalResourceId, props));
    expect(namespaces(world.emulator)).toEqual([]);
    expect(ownedLeft(world.emulator)).toEqual([]);
    expect(td).toBeDefined();
  });

  test('WHEN the owned namespace still holds an ECS service at the Delete THEN it is left in place and the Delete succeeds', async () => {
    world.emulator.reset();
    const td = await world.registerApp('crystal');
    const provider = world.provider();
    const props = base(td, { ServiceConnect: { CreateNamespace: 'true' } });
    const created = await provider(createEvent(props));
    await ecs.send(
      new CreateServiceCommand({
        serviceName: 'other',
        taskDefinition: created.Data!.TaskDefinitionArn,
        serviceConnectConfiguration: {
          enabled: true,
          namespace: 'service.local',
          services: [{ portName: 'http-3000', discoveryName: 'other' }],
        },
      }),
    );
    await provider(deleteEvent(created.PhysicalResourceId, props));
    expect(namespaces(world.emulator).map((n) => n.Name)).toEqual(['service.local']);
  });
});

describe('GIVEN refusals that come before any call', () => {
  test.each<[string, Props, RegExp]>([
    [
      'a lasting split of versions (equal weights)',
      {
        TaskDefinition: undefined,
        Versions: [
          { Name: 'a', Weight: '50', DiscoveryAttributes: { v: 'a' } },
          { Name: 'b', Weight: '50', DiscoveryAttributes: { v: 'b' } },
        ],
      },
      /Versions: equal weights \(50\/50\) say neither is the new version.*Backend: VpcLattice/,
    ],
    [
      'a header route',
      { Routes: [{ Name: 'beta', Match: { Headers: [{ Name: 'x-beta', Exact: '1' }] } }] },
      /Routes\[0\]\.Match\.Headers: header routes are not available on Service Connect/,
    ],
    [
      'a path route',
      { Routes: [{ Name: 'api', Match: { Prefix: '/api' } }] },
      /Routes\[0\]\.Match: path and method routes are not available on Service Connect/,
    ],
    [
      'a gateway route',
      { Gateway: { VirtualGatewayName: 'ecsworkshop-vgw' } },
      /Gateway\.VirtualGatewayName: names an App Mesh virtual gateway; with Backend ServiceConnect the gateway route is a listener rule of an Application Load Balancer/,
    ],
    [
      'retry tuning',
      {
        Routes: [
          {
            Name: 'main',
            Retry: { MaxRetries: '3', PerRetryTimeoutMillis: '1000', HttpRetryEvents: ['server-error'] },
          },
        ],
      },
      /Routes\[0\]\.Retry: retry tuning is not available on Service Connect/,
    ],
    [
      'an upper-case ServiceName',
      { ServiceName: 'Crystal' },
      /ServiceName: "Crystal" cannot be a Service Connect discovery name/,
    ],
  ])(
    'WHEN the template declares %s THEN the request fails naming it, with no AWS call at all',
    async (_what, over, message) => {
      const td = await world.registerApp('crystal');
      world.emulator.clearRequests();
      const props = Object.fromEntries(Object.entries(base(td, over)).filter(([, v]) => v !== undefined));
      await expect(world.provider()(createEvent(props))).rejects.toThrow(message);
      expect(calls(world.emulator)).toEqual([]);
    },
  );

  test('WHEN an App Mesh resource is updated to Backend ServiceConnect (or back) THEN it is refused naming the blue/green path, with no AWS call', async () => {
    const td = await world.registerApp('crystal');
    const provider = world.provider();
    const appMesh: Props = {
      MeshName: 'ecs-mesh',
      ServiceName: 'crystal',
      Namespace: 'service.local',
      Port: '3000',
    };
    const { PhysicalResourceId: id } = await provider(createEvent(appMesh));
    world.emulator.clearRequests();
    await expect(provider(updateEvent(id, base(td), appMesh))).rejects.toThrow(
      /Backend: changing AppMesh to ServiceConnect on an existing resource is refused.*blue\/green.*new AWS::ECS::Service.*shift traffic at the edge/,
    );
    expect(calls(world.emulator)).toEqual([]);

    const sc = await provider(createEvent(base(td), { logicalId: 'Sc' }));
    world.emulator.clearRequests();
    await expect(
      provider(
        updateEvent(sc.PhysicalResourceId, { ...appMesh, ServiceName: 'crystal-2' }, base(td), {
          logicalId: 'Sc',
        }),
      ),
    ).rejects.toThrow(/Backend: changing ServiceConnect to AppMesh/);
    expect(calls(world.emulator)).toEqual([]);
  });

  test('WHEN Protocol changes in place THEN it is refused (appProtocol is immutable on a live service) before any change', async () => {
    const td = await world.registerApp('crystal');
    const provider = world.provider();
    const created = await provider(createEvent(base(td)));
    world.emulator.clearRequests();
    await expect(
      provider(updateEvent(created.PhysicalResourceId, base(td, { Protocol: 'grpc' }), base(td))),
    ).rejects.toThrow(
      /Protocol: changing http to grpc changes the port's appProtocol, which ECS cannot change/,
    );
    expect(mutating(world.emulator)).toEqual([]);
  });

  test('WHEN the task definition is not granted to the stack THEN it is refused before any change', async () => {
    const td = await world.registerApp('crystal', { tags: [{ key: 'app', value: 'x' }] });
    world.emulator.clearRequests();
    await expect(world.provider()(createEvent(base(td)))).rejects.toThrow(
      /stack workshop may not register revisions of this task definition: the revision has no mesh-service:allowed-stacks tag/,
    );
    expect(mutating(world.emulator)).toEqual([]);
  });

  test('WHEN the task definition is a Windows one THEN it is refused before any change', async () => {
    const td = await world.registerApp('win', {
      runtimePlatform: { operatingSystemFamily: 'WINDOWS_SERVER_2022_CORE', cpuArchitecture: 'X86_64' },
      cpu: '1024',
      memory: '2048',
    });
    world.emulator.clearRequests();
    await expect(world.provider()(createEvent(base(td, { ServiceName: 'win' })))).rejects.toThrow(
      /runs on WINDOWS_SERVER_2022_CORE, and Service Connect runs Linux tasks only/,
    );
    expect(mutating(world.emulator)).toEqual([]);
  });
});

describe('GIVEN a Service Connect service', () => {
  test('WHEN it is updated in place and then rolled back THEN the previous revision stays ACTIVE and the rollback answers what the Create answered', async () => {
    const td = await world.registerApp('crystal');
    const provider = world.provider();
    const a = base(td, { Routes: [{ Name: 'main', Timeout: { IdleMillis: '60000' } }] });
    const b = base(td, {
      Routes: [{ Name: 'main', Timeout: { IdleMillis: '30000', PerRequestMillis: '5000' } }],
      Tags: [{ Key: 'stage', Value: 'b' }],
    });
    const created = await provider(createEvent(a));
    expect(created.Data).toMatchObject({ IdleTimeoutSeconds: '60' });
    const updated = await provider(updateEvent(created.PhysicalResourceId, b, a));
    expect(updated.Data).toMatchObject({ IdleTimeoutSeconds: '30', PerRequestTimeoutSeconds: '5' });
    expect(updated.Data!.TaskDefinitionArn).toBe(created.Data!.TaskDefinitionArn);
    expect(revision(world.emulator, created.Data!.TaskDefinitionArn!).tags).toContainEqual({
      key: 'stage',
      value: 'b',
    });

    const td8080 = await world.registerApp('crystal', {
      containerDefinitions: [
        {
          name: 'crystal',
          image: 'public.ecr.aws/aws-containers/ecsdemo-crystal:latest',
          portMappings: [{ containerPort: 8080 }],
        },
      ],
    });
    const ported = base(td8080, { Port: '8080' });
    const moved = await provider(updateEvent(created.PhysicalResourceId, ported, b));
    expect(moved.Data!.TaskDefinitionArn).not.toBe(created.Data!.TaskDefinitionArn);
    expect(revision(world.emulator, created.Data!.TaskDefinitionArn!).status).toBe('ACTIVE');

    const rolledBack = await provider(updateEvent(created.PhysicalResourceId, b, ported));
    expect(rolledBack.Data).toEqual(updated.Data);
    await provider(deleteEvent(created.PhysicalResourceId, b));
    expect(ownedLeft(world.emulator)).toEqual([]);
  });

  test('WHEN ServiceName changes THEN a new id is returned beside the old one, whose cleanup Delete leaves exactly the new one', async () => {
    const td = await world.registerApp('crystal');
    const provider = world.provider();
    const oldProps = base(td);
    const newProps = base(td, { ServiceName: 'crystal-2' });
    const created = await provider(createEvent(oldProps));
    const replaced = await provider(updateEvent(created.PhysicalResourceId, newProps, oldProps));
    expect(replaced.PhysicalResourceId).toBe('service-connect/service.local/service/crystal-2');
    expect(ownedLeft(world.emulator, [created.PhysicalResourceId])).toHaveLength(1);
    await provider(deleteEvent(created.PhysicalResourceId, oldProps));
    expect(ownedLeft(world.emulator, [created.PhysicalResourceId])).toEqual([]);
    expect(ownedLeft(world.emulator, [replaced.PhysicalResourceId])).toEqual([
      `revision ${replaced.Data!.TaskDefinitionArn}`,
    ]);
    await provider(deleteEvent(replaced.PhysicalResourceId, newProps));
    expect(ownedLeft(world.emulator)).toEqual([]);
  });

  test('WHEN Create, Update and Delete each arrive twice THEN the second of each changes nothing and answers the same', async () => {
    const td = await world.registerApp('crystal');
    const provider = world.provider();
    const props = base(td, { ServiceConnect: { CreateNamespace: 'true' } });
    const create = createEvent(props);
    const first = await provider(create);
    world.emulator.clearRequests();
    expect(await provider(create)).toEqual(first);
    expect(mutating(world.emulator)).toEqual([]);

    const next = { ...props, Backends: ['nodejs.service.local'] };
    const update = updateEvent(first.PhysicalResourceId, next, props);
    const u1 = await provider(update);
    world.emulator.clearRequests();
    expect(await provider(update)).toEqual(u1);
    expect(mutating(world.emulator)).toEqual([]);

    const del = deleteEvent(first.PhysicalResourceId, next);
    await provider(del);
    world.emulator.clearRequests();
    await expect(provider(del)).resolves.toEqual({ PhysicalResourceId: first.PhysicalResourceId });
    expect(mutating(world.emulator)).toEqual([]);
    expect(ownedLeft(world.emulator)).toEqual([]);
  });

  test('WHEN another resource joins the namespace a first one created, declared as existing, THEN it is used as it is and never deleted by the second', async () => {
    world.emulator.reset();
    const td = await world.registerApp('crystal');
    const provider = world.provider();
    const owner = base(td, { ServiceConnect: { CreateNamespace: 'true' } });
    const first = await provider(createEvent(owner));
    // Asking to create it too is refused (test/serviceconnect/namespace.test.ts).
    const other = base(td, { ServiceName: 'nodejs' });
    const second = await provider(createEvent(other, { logicalId: 'Nodejs' }));
    expect(second.Data!.NamespaceArn).toBe(first.Data!.NamespaceArn);
    await provider(deleteEvent(second.PhysicalResourceId, other, { logicalId: 'Nodejs' }));
    expect(namespaces(world.emulator).map((n) => n.Name)).toEqual(['service.local']);
    await provider(deleteEvent(first.PhysicalResourceId, owner));
    expect(namespaces(world.emulator)).toEqual([]);
  });

  test('WHEN a Delete names a Service Connect id no resource has THEN it succeeds without any mutating call', async () => {
    world.emulator.clearRequests();
    await expect(
      world.provider()(deleteEvent('service-connect/service.local/service/nobody', base('nobody'))),
    ).resolves.toEqual({ PhysicalResourceId: 'service-connect/service.local/service/nobody' });
    expect(mutating(world.emulator)).toEqual([]);
  });
});
