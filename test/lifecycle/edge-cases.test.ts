/**
 * Sequences that are easy to get wrong: protocol changes under a router, many families added and rolled back,
 * retired families across failed updates, bare family names and rollback, a re-delivered Create after a failure,
 * the cleanup Delete of an identity whose properties no longer name it, and task definitions of other accounts.
 */
import { AppMeshClient, CreateVirtualGatewayCommand } from '@aws-sdk/client-app-mesh';
import { ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import {
  appTaskDefinition,
  createEvent,
  deleteEvent,
  type Props,
  startWorld,
  updateEvent,
  type World,
} from '../support/harness';
import { expectMeshMatches, expectNothingLeft, mutatingCalls, ownedBy, revisions } from '../support/state';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());
beforeEach(() => {
  world.emulator.faults.clear();
  world.emulator.clearRequests();
});

const base: Props = { MeshName: 'ecs-mesh', Namespace: 'service.local', Port: '3000' };
const activeOwned = (family?: string) =>
  revisions(world.emulator, family).filter((r) => r.owner && r.status === 'ACTIVE');

test('GIVEN a routed service WHEN Protocol changes http → http2 → grpc → tcp and back THEN routes and gateway route are recreated with the new type', async () => {
  const provider = world.provider();
  const appmesh = new AppMeshClient({});
  for (const protocol of ['http2', 'grpc'] as const) {
    await appmesh.send(
      new CreateVirtualGatewayCommand({
        meshName: 'ecs-mesh',
        virtualGatewayName: `${protocol}-vgw`,
        spec: { listeners: [{ portMapping: { port: 8080, protocol } }] },
      }),
    );
  }
  const http: Props = {
    ...base,
    ServiceName: 'proto',
    Routes: [{ Name: 'main' }],
    Gateway: { VirtualGatewayName: 'ecsworkshop-vgw' },
  };
  const { PhysicalResourceId: id } = await provider(createEvent(http));
  // A gateway route takes its service's protocol, so each step uses a gateway listening for it.
  const steps: Props[] = [
    { ...http, Protocol: 'http2', Gateway: { VirtualGatewayName: 'http2-vgw' } },
    { ...http, Protocol: 'grpc', Gateway: { VirtualGatewayName: 'grpc-vgw' } },
    { ...base, ServiceName: 'proto', Protocol: 'tcp', Routes: [{ Name: 'main' }] },
    http,
  ];
  let previous = http;
  for (const next of steps) {
    await provider(updateEvent(id, next, previous));
    expectMeshMatches(world.emulator, next);
    previous = next;
  }
  await provider(deleteEvent(id, previous));
  expectNothingLeft(world.emulator);
});

test("GIVEN a gateway that listens for grpc WHEN an http service's Gateway matches a path prefix on it THEN it is refused before any change, naming the property and the listener", async () => {
  const provider = world.provider();
  const appmesh = new AppMeshClient({});
  await appmesh.send(
    new CreateVirtualGatewayCommand({
      meshName: 'ecs-mesh',
      virtualGatewayName: 'grpc-only-vgw',
      spec: { listeners: [{ portMapping: { port: 8080, protocol: 'grpc' } }] },
    }),
  );
  appmesh.destroy();
  world.emulator.clearRequests();
  await expect(
    provider(
      createEvent({
        ...base,
        ServiceName: 'prefix-on-grpc',
        Gateway: { VirtualGatewayName: 'grpc-only-vgw', Prefix: '/shop/' },
      }),
    ),
  ).rejects.toThrow(
    'Gateway.Prefix: virtual gateway "grpc-only-vgw" listens for grpc on port 8080, so its gateway route is a grpcRoute, which matches no path, method, header or query parameter; match with ServiceName, Hostname or Metadata, or use a gateway with an http or http2 listener',
  );
  expect(mutatingCalls(world.emulator)).toEqual([]);
});

test('GIVEN an update that adds nine families WHEN it is rolled back THEN the rollback succeeds and Delete leaves no revision', async () => {
  const provider = world.provider();
  const tds: string[] = [];
  for (let i = 0; i < 10; i++) tds.push(await world.registerApp(`many-${i}`));
  const one: Props = {
    ...base,
    ServiceName: 'many',
    Versions: [{ Name: 'v0', TaskDefinition: tds[0], Weight: 100 }],
  };
  const ten: Props = {
    ...one,
    Versions: tds.map((td, i) => ({ Name: `v${i}`, TaskDefinition: td, Weight: 10 })),
  };
  const { PhysicalResourceId: id } = await provider(createEvent(one));
  await provider(updateEvent(id, ten, one));
  expect(activeOwned().filter((r) => r.arn.includes('/many-')).length).toBe(10);
  // The stack fails elsewhere: CloudFormation rolls this resource back.
  await provider(updateEvent(id, one, ten));
  expectMeshMatches(world.emulator, one);
  // The nine retired families stay ACTIVE for one more rollback, and the Delete still finds them.
  expect(activeOwned().filter((r) => r.arn.includes('/many-')).length).toBe(10);
  await provider(deleteEvent(id, one));
  expectNothingLeft(world.emulator);
});

test('GIVEN a family retired by one update WHEN the next update fails and is rolled back THEN the record survives and the revisions are still cleaned', async () => {
  const provider = world.provider();
  const a = await world.registerApp('ledger-a');
  const b = await world.registerApp('ledger-b');
  const onA: Props = { ...base, ServiceName: 'ledger', TaskDefinition: a };
  const onB: Props = { ...base, ServiceName: 'ledger', TaskDefinition: b };
  const onBTagged: Props = { ...onB, Tags: [{ Key: 'x', Value: 'y' }], Envoy: { LogLevel: 'debug' } };
  const { PhysicalResourceId: id } = await provider(createEvent(onA));
  await provider(updateEvent(id, onB, onA)); // retires ledger-a (its revision kept for a rollback)
  world.emulator.faults.failNth('RegisterTaskDefinition', 1, { type: 'AccessDeniedException', status: 400 });
  await expect(provider(updateEvent(id, onBTagged, onB))).rejects.toThrow(/AccessDeniedException/);
  await provider(updateEvent(id, onB, onBTagged)); // the rollback
  await provider(updateEvent(id, onBTagged, onB)); // a later update: ledger-a is stale now and deregistered
  expect(activeOwned('ledger-a')).toEqual([]);
  await provider(deleteEvent(id, onBTagged));
  expectNothingLeft(world.emulator);
});

test('GIVEN a bare family name WHEN the application registers a new revision and an update rolls back THEN the revision ECS ran stays ACTIVE', async () => {
  const provider = world.provider();
  await world.registerApp('bare');
  const props: Props = { ...base, ServiceName: 'bare', TaskDefinition: 'bare' };
  const created = await provider(createEvent(props));
  const first = created.Data!.TaskDefinitionArn!;
  await world.registerApp('bare', {
    containerDefinitions: [
      { ...appTaskDefinition('bare', world.emulator.accountId).containerDefinitions![0]!, image: 'nginx:2' },
    ],
  });
  const changed: Props = { ...props, Backends: ['x.service.local'] };
  const updated = await provider(updateEvent(created.PhysicalResourceId, changed, props));
  expect(updated.Data!.TaskDefinitionArn).not.toBe(first); // the newest application revision, patched
  await provider(updateEvent(created.PhysicalResourceId, props, changed)); // the rollback
  expect(revisions(world.emulator, 'bare').find((r) => r.arn === first)?.status).toBe('ACTIVE');
  await provider(deleteEvent(created.PhysicalResourceId, props));
  expectNothingLeft(world.emulator);
});

test('GIVEN two versions of one family (DNS discovery) WHEN created THEN both revisions are registered, one after the other', async () => {
  const provider = world.provider();
  const v1 = await world.registerApp('shared-family');
  const v2 = await world.registerApp('shared-family', {
    containerDefinitions: [
      {
        ...appTaskDefinition('shared-family', world.emulator.accountId).containerDefinitions![0]!,
        image: 'nginx:2',
      },
    ],
  });
  const props: Props = {
    MeshName: 'ecs-mesh',
    ServiceName: 'shared',
    DnsHostname: 'shared.example.internal',
    Port: '3000',
    Versions: [
      { Name: 'a', TaskDefinition: v1, Weight: 50, DnsHostname: 'a.shared.example.internal' },
      { Name: 'b', TaskDefinition: v2, Weight: 50, DnsHostname: 'b.shared.example.internal' },
    ],
  };
  world.emulator.clearRequests();
  // With latency, registrations that overlapped would be refused (the emulator models ECS's ClientException).
  world.emulator.faults.latency('RegisterTaskDefinition', 100);
  const created = await provider(createEvent(props));
  const registrations = world.emulator.requests.filter((r) => r.operation === 'RegisterTaskDefinition');
  expect(registrations.map((r) => r.error)).toEqual([undefined, undefined]);
  expect(registrations[1]!.startedAt).toBeGreaterThanOrEqual(
    registrations[0]!.startedAt + registrations[0]!.durationMs,
  );
  expect(created.Data!['Versions.a.TaskDefinitionArn']).not.toBe(
    created.Data!['Versions.b.TaskDefinitionArn'],
  );
  await provider(deleteEvent(created.PhysicalResourceId, props));
  expectNothingLeft(world.emulator);
});

test('GIVEN a Create that failed and cleaned up WHEN CloudFormation delivers it again THEN it succeeds (client tokens are per invocation)', async () => {
  const provider = world.provider();
  const props: Props = { ...base, ServiceName: 'again', Routes: [{ Name: 'main' }] };
  const event = createEvent(props);
  world.emulator.faults.failNth('CreateVirtualService', 1, { type: 'ForbiddenException', status: 403 });
  await expect(provider(event)).rejects.toThrow(/ForbiddenException/);
  expect(ownedBy(world.emulator.snapshot(), 'mesh/ecs-mesh/service/again')).toEqual([]);
  const result = await provider(event);
  expectMeshMatches(world.emulator, props);
  await provider(deleteEvent(result.PhysicalResourceId, props));
  expectNothingLeft(world.emulator);
});

test('GIVEN a Delete whose properties are of another identity WHEN the physical id is ours THEN the mesh is searched and everything it owns is removed', async () => {
  const provider = world.provider();
  const td = await world.registerApp('swept');
  const props: Props = {
    ...base,
    ServiceName: 'swept',
    TaskDefinition: td,
    Routes: [{ Name: 'r' }],
    Gateway: { VirtualGatewayName: 'ecsworkshop-vgw' },
  };
  const { PhysicalResourceId: id } = await provider(createEvent(props));
  // E.g. CloudFormation's cleanup of a rolled-back replacement carrying the properties rolled back to.
  await provider(deleteEvent(id, { ...props, ServiceName: 'swept-old' }));
  expect(ownedBy(world.emulator.snapshot(), id)).toEqual([]);
  expectNothingLeft(world.emulator);
  expect(revisions(world.emulator, 'swept').find((r) => r.arn === td)?.status).toBe('ACTIVE');
});

test('GIVEN a replacement whose new service would share a name with the old one THEN it is refused before any call, saying what to rename', async () => {
  const provider = world.provider();
  const dns: Props = {
    MeshName: 'ecs-mesh',
    ServiceName: 'dnsvc',
    DnsHostname: 'dnsvc.example.internal',
    Port: '3000',
  };
  const { PhysicalResourceId: id } = await provider(createEvent(dns));
  world.emulator.clearRequests();
  await expect(provider(updateEvent(id, { ...dns, ServiceName: 'dnsvc2' }, dns))).rejects.toThrow(
    'changing ServiceName, MeshName or MeshOwner replaces the service (CloudFormation builds the new one, then deletes the old one), but virtual service "dnsvc.example.internal" (give VirtualServiceName (or, with DNS discovery, DnsHostname) a new value too) would be needed by both',
  );
  expect(world.emulator.requests).toEqual([]);
  await provider(deleteEvent(id, dns));
});

test('GIVEN a task definition ARN of another account THEN it is refused before any call', async () => {
  const other = 'arn:aws:ecs:us-east-1:999988887777:task-definition/elsewhere:1';
  await expect(
    world.provider()(createEvent({ ...base, ServiceName: 'elsewhere', TaskDefinition: other })),
  ).rejects.toThrow(
    `TaskDefinition "${other}" is in 999988887777/us-east-1, but the provider patches task definitions of its own account and Region (111122223333/us-east-1); register the task definition there`,
  );
  expect(world.emulator.requests).toEqual([]);
});

test('GIVEN a family with more ACTIVE revisions than an apply reads WHEN the service is created and deleted THEN all goes well', async () => {
  const ecs = new ECSClient({});
  let td = '';
  for (let i = 0; i < 60; i++) {
    td = (
      await ecs.send(new RegisterTaskDefinitionCommand(appTaskDefinition('busy', world.emulator.accountId)))
    ).taskDefinition!.taskDefinitionArn!;
  }
  const provider = world.provider();
  const props: Props = { ...base, ServiceName: 'busy', TaskDefinition: 'busy' };
  const created = await provider(createEvent(props));
  expect(created.Data!.TaskDefinitionArn).toMatch(/busy:61$/);
  expect(revisions(world.emulator, 'busy').find((r) => r.arn === td)?.status).toBe('ACTIVE');
  const describes = world.emulator.requests.filter((r) => r.operation === 'DescribeTaskDefinition').length;
  expect(describes).toBeLessThanOrEqual(51);
  await provider(deleteEvent(created.PhysicalResourceId, props));
  expectNothingLeft(world.emulator);
  ecs.destroy();
});
