/**
 * What a sweep costs: adopting an earlier attempt's leftovers, a Delete whose properties do not parse, and
 * `mesh-service cleanup` find what a resource or a stack owns by its ownership tags (the Resource Groups Tagging
 * API), so their calls follow what the stack owns, never the size of the mesh: the same requests in an empty mesh
 * and in one crowded with other teams' services make exactly the same number of calls.
 */
import { AppMeshClient, CreateVirtualNodeCommand } from '@aws-sdk/client-app-mesh';
import { cleanup, createCleanupClients } from '../../cli/cleanup';
import { seedPlatform } from '../../emulator';
import { ownershipTags } from '../../lambda/ownership';
import { createEvent, deleteEvent, type Props, STACK_ID, startWorld, type World } from '../support/harness';
import { ownedBy } from '../support/state';

let world: World;
let appMesh: AppMeshClient;
beforeAll(async () => {
  world = await startWorld();
  appMesh = new AppMeshClient({});
});
afterAll(async () => {
  appMesh.destroy();
  await world.close();
});
let zombies: Promise<unknown>[] = [];
beforeEach(async () => {
  await Promise.all(zombies);
  zombies = [];
});

/** A fresh mesh, empty or holding `others` services of other stacks (one virtual node each, owned and tagged). */
async function meshWith(others: number): Promise<void> {
  world.emulator.reset();
  await seedPlatform(world.emulator);
  for (let i = 0; i < others; i++) {
    const owner = {
      physicalId: `mesh/ecs-mesh/service/other-${i}`,
      stackId: world.emulator.cloudformation.stackId(`team-${i}`),
      logicalResourceId: 'Service',
    };
    await appMesh.send(
      new CreateVirtualNodeCommand({
        meshName: 'ecs-mesh',
        virtualNodeName: `other-${i}`,
        spec: {
          listeners: [{ portMapping: { port: 3000, protocol: 'http' } }],
          serviceDiscovery: { dns: { hostname: `other-${i}.local` } },
        },
        tags: ownershipTags(owner),
      }),
    );
    await world.registerApp(`other-${i}-app`);
  }
  world.emulator.clearRequests();
}

/** The calls the emulator received, `service:Operation`, counted by operation. */
const callCounts = () => {
  const counts: Record<string, number> = {};
  for (const r of world.emulator.requests) {
    const op = `${r.service}:${r.operation}`;
    counts[op] = (counts[op] ?? 0) + 1;
  }
  return counts;
};

const service = async (name: string, grant = STACK_ID): Promise<Props> => ({
  MeshName: 'ecs-mesh',
  ServiceName: name,
  Namespace: 'service.local',
  Port: '3000',
  TaskDefinition: await world.registerApp(`${name}-app`, {
    tags: [{ key: 'mesh-service:allowed-stacks', value: grant }],
  }),
  Routes: [{ Name: 'main' }],
  Gateway: { VirtualGatewayName: 'ecsworkshop-vgw', RouteName: `${name}-route` },
});

/** Runs a Create that is killed at its first CreateRoute (its nodes, router and revision exist). */
async function killedCreate(props: Props, o: { stackId?: string; logicalId?: string } = {}): Promise<void> {
  world.emulator.faults.killAt('appmesh:CreateRoute', 1, { applied: true });
  let settled = false;
  zombies.push(
    world
      .provider({
        caller: 'ZOMBIE',
        requestTimeoutMs: 600,
        remainingMs: 1_500,
        // The killed call's attempts time out at once, with the SDK's own TimeoutError (test/support/prompt-timeouts.ts).
        promptTimeouts: true,
        tuning: { maxTransientAttempts: 2, throttlingBaseMs: 5, transientBaseMs: 5, maxBackoffMs: 20 },
      })(createEvent(props, o))
      .catch(() => undefined)
      .finally(() => (settled = true)),
  );
  while (!settled && world.emulator.faults.killed().length === 0) await new Promise((r) => setTimeout(r, 5));
  await Promise.all(zombies);
  zombies = [];
}

/** What `step` returns (the calls it counted) in an empty mesh and in a mesh of 40 other services. */
async function emptyAndCrowded(
  step: () => Promise<Record<string, number>>,
): Promise<[Record<string, number>, Record<string, number>]> {
  const out: Record<string, number>[] = [];
  for (const others of [0, 40]) {
    await meshWith(others);
    out.push(await step());
  }
  return [out[0]!, out[1]!];
}

/** The calls of `request` alone. */
async function counted(request: () => Promise<unknown>): Promise<Record<string, number>> {
  world.emulator.clearRequests();
  await request();
  return callCounts();
}

describe('GIVEN a mesh crowded with other stacks’ services', () => {
  test('WHEN a Create adopts what a killed attempt of it left THEN it makes the same calls as in an empty mesh, and Delete leaves nothing', async () => {
    const [empty, crowded] = await emptyAndCrowded(async () => {
      // The first attempt had another ServiceName; the virtual service's name is shared (adopted), the rest goes.
      const first = { ...(await service('first')), VirtualServiceName: 'storefront.service.local' };
      await killedCreate(first);
      const second: Props = {
        ...first,
        ServiceName: 'second',
        Gateway: { VirtualGatewayName: 'ecsworkshop-vgw', RouteName: 'second-route' },
      };
      let id = '';
      const counts = await counted(async () => {
        id = (await world.provider()(createEvent(second))).PhysicalResourceId;
      });
      expect(ownedBy(world.emulator.snapshot(), 'mesh/ecs-mesh/service/first')).toEqual([]);
      await world.provider()(deleteEvent(id, second));
      expect(ownedBy(world.emulator.snapshot(), id)).toEqual([]);
      return counts;
    });
    expect(crowded).toEqual(empty);
  });

  test('WHEN a Delete’s properties do not parse THEN it finds what the id owns at the same cost as in an empty mesh, and leaves nothing', async () => {
    const [empty, crowded] = await emptyAndCrowded(async () => {
      const props = await service('garbled');
      const { PhysicalResourceId: id } = await world.provider()(createEvent(props));
      const counts = await counted(() =>
        world.provider()(deleteEvent(id, { MeshName: 'ecs-mesh', Port: 'not a port' })),
      );
      expect(ownedBy(world.emulator.snapshot(), id)).toEqual([]);
      return counts;
    });
    expect(crowded).toEqual(empty);
  });

  test('WHEN `mesh-service cleanup` removes what a deleted stack left THEN it makes the same calls as in an empty mesh', async () => {
    const [empty, crowded] = await emptyAndCrowded(async () => {
      const doomed = world.emulator.cloudformation.stackId('rolled-back');
      const props = await service('dead', doomed);
      await killedCreate(props, { stackId: doomed, logicalId: 'Dead' });
      world.emulator.cloudformation.deleteStack(doomed);
      const clients = createCleanupClients();
      let removed: string[] = [];
      const counts = await counted(async () => {
        const report = await cleanup(clients, {
          meshName: 'ecs-mesh',
          stack: doomed,
          apply: true,
          accountId: world.emulator.accountId,
        });
        expect(report.problems).toEqual([]);
        removed = report.owners.filter((o) => o.orphaned).map((o) => o.physicalId);
      });
      clients.destroy();
      expect(removed).toEqual(['mesh/ecs-mesh/service/dead']);
      expect(ownedBy(world.emulator.snapshot(), 'mesh/ecs-mesh/service/dead')).toEqual([]);
      return counts;
    });
    expect(crowded).toEqual(empty);
  });
});
