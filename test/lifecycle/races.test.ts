/**
 * Races, as CloudFormation and several teams produce them: two stacks wanting one name, two deliveries of one request
 * running at once (the Provider framework re-invokes the handler after an invoke error while the first invocation
 * still runs), and Deletes that meet resources already gone. No race may lose what another owns or returned.
 */
import {
  AppMeshClient,
  CreateGatewayRouteCommand,
  CreateVirtualNodeCommand,
  CreateVirtualServiceCommand,
  DeleteVirtualNodeCommand,
  DescribeGatewayRouteCommand,
  DescribeVirtualServiceCommand,
} from '@aws-sdk/client-app-mesh';
import { seedPlatform } from '../../emulator';
import { ownershipTags } from '../../lambda/ownership';
import {
  createEvent,
  deleteEvent,
  type Props,
  startWorld,
  updateEvent,
  type World,
} from '../support/harness';
import { expectMeshMatches, expectNothingLeft, ownedBy, revisions } from '../support/state';

let world: World;
let appmesh: AppMeshClient;
beforeAll(async () => {
  world = await startWorld();
  appmesh = new AppMeshClient({});
});
afterAll(async () => {
  appmesh.destroy();
  await world.close();
});
beforeEach(async () => {
  world.emulator.reset();
  await seedPlatform(world.emulator);
});

const base: Props = { MeshName: 'ecs-mesh', Namespace: 'service.local', Port: '3000' };
const WINNER = {
  physicalId: 'mesh/ecs-mesh/service/winner',
  stackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/team-b/00000000-0000-0000-0000-00000000000b',
  logicalResourceId: 'Winner',
};

/** Resolves when the emulator has answered (or, with `arrived`, received) a call of this operation. */
async function answered(operation: string, count = 1, arrived = false): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const seen = world.emulator.requests.filter(
      (r) => r.operation === operation && (arrived || r.status > 0),
    );
    if (seen.length >= count) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${operation} never ${arrived ? 'arrived' : 'answered'}`);
}

const tags = ownershipTags(WINNER);

/** Another team's service, already there (under names of its own). */
async function winnerExists(): Promise<void> {
  await appmesh.send(
    new CreateVirtualNodeCommand({
      meshName: 'ecs-mesh',
      virtualNodeName: 'winner',
      spec: {
        listeners: [{ portMapping: { port: 3000, protocol: 'http' } }],
        serviceDiscovery: { dns: { hostname: 'winner.local' } },
      },
      tags,
    }),
  );
  await appmesh.send(
    new CreateVirtualServiceCommand({
      meshName: 'ecs-mesh',
      virtualServiceName: 'winner.service.local',
      spec: { provider: { virtualNode: { virtualNodeName: 'winner' } } },
      tags,
    }),
  );
}

/** The other team takes a contested name, through the same API, with its own ownership tags. */
async function winnerTakes(what: 'virtualService' | 'gatewayRoute', name: string): Promise<void> {
  if (what === 'virtualService') {
    await appmesh.send(
      new CreateVirtualServiceCommand({
        meshName: 'ecs-mesh',
        virtualServiceName: name,
        spec: { provider: { virtualNode: { virtualNodeName: 'winner' } } },
        tags,
      }),
    );
    return;
  }
  await appmesh.send(
    new CreateGatewayRouteCommand({
      meshName: 'ecs-mesh',
      virtualGatewayName: 'ecsworkshop-vgw',
      gatewayRouteName: name,
      spec: {
        httpRoute: {
          match: { prefix: '/' },
          action: { target: { virtualService: { virtualServiceName: 'winner.service.local' } } },
        },
      },
      tags,
    }),
  );
}

describe('GIVEN two stacks racing for one name', () => {
  test.each([
    ['virtual service', 'virtualService' as const, { VirtualServiceName: 'contested.service.local' }],
    [
      'gateway route',
      'gatewayRoute' as const,
      { Gateway: { VirtualGatewayName: 'ecsworkshop-vgw', RouteName: 'catch-all' } },
    ],
  ])(
    'WHEN the other stack takes the %s between our reads and our create THEN ours fails naming it, removes only its own resources, and theirs is untouched',
    async (_what, kind, over) => {
      const props: Props = { ...base, ServiceName: 'loser', ...over };
      await winnerExists();
      world.emulator.clearRequests();
      // Our Create reads first (the name is free); its first write is slowed, and the other stack takes the name.
      world.emulator.faults.latency('CreateVirtualNode', 300);
      const ours = world.provider()(createEvent(props));
      await answered('CreateVirtualNode', 1, true);
      await winnerTakes(kind, kind === 'virtualService' ? 'contested.service.local' : 'catch-all');

      await expect(ours).rejects.toThrow(
        /was created by mesh\/ecs-mesh\/service\/winner \(stack team-b, resource Winner\) while this request ran; it was left untouched/,
      );
      expect(ownedBy(world.emulator.snapshot(), 'mesh/ecs-mesh/service/loser')).toEqual([]);
      const theirs =
        kind === 'virtualService'
          ? await appmesh.send(
              new DescribeVirtualServiceCommand({
                meshName: 'ecs-mesh',
                virtualServiceName: 'contested.service.local',
              }),
            )
          : await appmesh.send(
              new DescribeGatewayRouteCommand({
                meshName: 'ecs-mesh',
                virtualGatewayName: 'ecsworkshop-vgw',
                gatewayRouteName: 'catch-all',
              }),
            );
      expect(JSON.stringify(theirs)).toContain('"status":"ACTIVE"');
      expect(ownedBy(world.emulator.snapshot(), WINNER.physicalId).length).toBeGreaterThanOrEqual(2);
    },
  );
});

describe('GIVEN CloudFormation delivers one request twice, the deliveries running at once', () => {
  const props = async (): Promise<Props> => ({
    ...base,
    ServiceName: 'twins',
    TaskDefinition: await world.registerApp('twins'),
    Routes: [{ Name: 'main' }],
    Gateway: { VirtualGatewayName: 'ecsworkshop-vgw' },
  });

  test('WHEN both run interleaved THEN both succeed with the same service, every revision they return is ACTIVE, and Delete leaves nothing', async () => {
    const p = await props();
    const event = createEvent(p);
    world.emulator.faults.latency('*', 40);
    const [a, b] = await Promise.all([
      world.provider()(event),
      new Promise((r) => setTimeout(r, 15)).then(() => world.provider()(event)),
    ]);
    world.emulator.faults.latency('*', 0);
    expect(a.PhysicalResourceId).toBe(b.PhysicalResourceId);
    const { TaskDefinitionArn: _ta, ...meshA } = a.Data!;
    const { TaskDefinitionArn: _tb, ...meshB } = b.Data!;
    expect(meshA).toEqual(meshB);
    expectMeshMatches(world.emulator, p);
    const state = revisions(world.emulator, 'twins');
    for (const returned of [a.Data!.TaskDefinitionArn, b.Data!.TaskDefinitionArn])
      expect(state.find((r) => r.arn === returned)?.status).toBe('ACTIVE');
    await world.provider()(deleteEvent(a.PhysicalResourceId, p));
    expectNothingLeft(world.emulator);
  });

  test('WHEN the first delivery fails after the second reused what it wrote THEN the revision the second returned stays ACTIVE and the next step converges', async () => {
    const p = await props();
    const event = createEvent(p);
    // The first delivery is ahead; its gateway route create (the last write) fails for good, a second after it is
    // sent: time for the second delivery to catch up, even on a starved machine.
    world.emulator.faults.latency('appmesh:CreateGatewayRoute', 1000);
    world.emulator.faults.failNth('CreateGatewayRoute', 1, { type: 'ForbiddenException', status: 403 });
    const first = world.provider()(event);
    await answered('RegisterTaskDefinition');
    const second = world.provider()(event);
    const [a, b] = await Promise.allSettled([first, second]);
    world.emulator.faults.latency('appmesh:CreateGatewayRoute', 0);
    expect(a.status).toBe('rejected');
    expect(b.status).toBe('fulfilled');
    const returned = (b as PromiseFulfilledResult<Awaited<typeof second>>).value;
    expect(
      revisions(world.emulator, 'twins').find((r) => r.arn === returned.Data!.TaskDefinitionArn)?.status,
    ).toBe('ACTIVE');
    // What CloudFormation does next (an update of the stack, or its deletion) finds a consistent service.
    const next = await world.provider()(updateEvent(returned.PhysicalResourceId, p, p));
    expect(next.Data!.TaskDefinitionArn).toBe(returned.Data!.TaskDefinitionArn);
    expectMeshMatches(world.emulator, p);
    await world.provider()(deleteEvent(returned.PhysicalResourceId, p));
    expectNothingLeft(world.emulator);
  });

  test('WHEN the second delivery arrives after the first succeeded THEN it changes nothing and answers the same', async () => {
    const p = await props();
    const event = createEvent(p);
    const first = await world.provider()(event);
    world.emulator.clearRequests();
    const second = await world.provider()(event);
    expect(second).toEqual(first);
    expect(
      world.emulator.requests.filter((r) =>
        /^(Create|Update|Delete|Tag|Untag|Register|Deregister)/.test(r.operation),
      ),
    ).toEqual([]);
  });
});

describe('GIVEN a Delete that meets resources already gone', () => {
  test('WHEN a resource disappears between its Describe and its ListTagsForResource THEN the Delete still succeeds', async () => {
    // An edge service: one virtual node, nothing referring to it.
    const p: Props = {
      MeshName: 'ecs-mesh',
      ServiceName: 'vanishing',
      DnsHostname: 'vanishing.lb.local',
      Port: '3000',
      Edge: 'true',
    };
    const { PhysicalResourceId: id } = await world.provider()(createEvent(p));
    world.emulator.clearRequests();
    // Another delivery of the same Delete is faster: the node goes right after our Describe of it.
    world.emulator.faults.latency('ListTagsForResource', 200);
    const del = world.provider()(deleteEvent(id, p));
    await answered('DescribeVirtualNode');
    await appmesh.send(new DeleteVirtualNodeCommand({ meshName: 'ecs-mesh', virtualNodeName: 'vanishing' }));
    await expect(del).resolves.toEqual({ PhysicalResourceId: id });
    world.emulator.faults.latency('ListTagsForResource', 0);
    expect(world.emulator.requests.find((r) => r.operation === 'ListTagsForResource')?.error).toBe(
      'NotFoundException',
    );
    expectNothingLeft(world.emulator);
  });

  test('WHEN two Deletes of the same service run at once THEN both succeed and nothing is left', async () => {
    const td = await world.registerApp('double-delete');
    const p: Props = {
      ...base,
      ServiceName: 'double-delete',
      TaskDefinition: td,
      Routes: [{ Name: 'main' }],
    };
    const { PhysicalResourceId: id } = await world.provider()(createEvent(p));
    world.emulator.faults.latency('*', 30);
    const event = deleteEvent(id, p);
    const outcomes = await Promise.allSettled([world.provider()(event), world.provider()(event)]);
    world.emulator.faults.latency('*', 0);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled']);
    expectNothingLeft(world.emulator);
  });
});
