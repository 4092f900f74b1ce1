/**
 * A two-version service through a whole canary — 100/0, 90/10, 50/50, 0/100, then retiring the old version — in one
 * Custom::MeshService, with both task definitions patched. Weights change in place; adding and retiring a version is
 * an update; revisions CloudFormation may roll back to stay ACTIVE; Delete leaves nothing.
 */
import {
  createEvent,
  deleteEvent,
  type Props,
  startWorld,
  updateEvent,
  type World,
} from '../support/harness';
import { expectMeshMatches, expectNothingLeft, meshResources, revisions } from '../support/state';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

function weights(w: World): Record<string, number> {
  const route = [...meshResources(w.emulator.snapshot()).values()].find(
    (r) => r.key.kind === 'route' && r.key.parent === 'ecsdemo-nodejs',
  );
  if (!route) throw new Error('no route');
  type HttpRoute = { httpRoute: { action: { weightedTargets: { virtualNode: string; weight: number }[] } } };
  const targets = (route.spec as HttpRoute).httpRoute.action.weightedTargets;
  return Object.fromEntries(targets.map((t) => [t.virtualNode, t.weight]));
}

test('GIVEN blue and green versions WHEN the weights move 100/0 → 90/10 → 50/50 → 0/100 and blue retires THEN each step is an in-place update', async () => {
  const provider = world.provider();
  const blueTd = await world.registerApp('nodejs-blue');
  const greenTd = await world.registerApp('nodejs-green');
  const props = (blue: number | undefined, green: number): Props => ({
    MeshName: 'ecs-mesh',
    ServiceName: 'ecsdemo-nodejs',
    Namespace: 'service.local',
    Port: '3000',
    Versions: [
      ...(blue === undefined ? [] : [{ Name: 'blue', TaskDefinition: blueTd, Weight: String(blue) }]),
      { Name: 'green', TaskDefinition: greenTd, Weight: String(green) },
    ],
  });

  // Start with blue only, then add green at 0%: adding a version is an update.
  let current: Props = {
    MeshName: 'ecs-mesh',
    ServiceName: 'ecsdemo-nodejs',
    Namespace: 'service.local',
    Port: '3000',
    Versions: [{ Name: 'blue', TaskDefinition: blueTd, Weight: '100' }],
  };
  const created = await provider(createEvent(current));
  const id = created.PhysicalResourceId;
  const blueOut = created.Data!['Versions.blue.TaskDefinitionArn']!;
  expect(created.Data!.TaskDefinitionArn).toBe(blueOut);

  const stages: [number | undefined, number][] = [
    [100, 0],
    [90, 10],
    [50, 50],
    [0, 100],
  ];
  let greenOut = '';
  for (const [blue, green] of stages) {
    const next = props(blue, green);
    const result = await provider(updateEvent(id, next, current));
    expect(result.PhysicalResourceId).toBe(id);
    expectMeshMatches(world.emulator, next);
    expect(weights(world)).toEqual({ 'ecsdemo-nodejs-blue': blue, 'ecsdemo-nodejs-green': green });
    // Moving weights registers nothing: the patched task definitions stay the same revisions.
    expect(result.Data!['Versions.blue.TaskDefinitionArn']).toBe(blueOut);
    greenOut ||= result.Data!['Versions.green.TaskDefinitionArn']!;
    expect(result.Data!['Versions.green.TaskDefinitionArn']).toBe(greenOut);
    expect(result.Data!.VirtualRouterArn).toMatch(/:mesh\/ecs-mesh\/virtualRouter\/ecsdemo-nodejs$/);
    current = next;
  }

  // Each version's node discovers only its own tasks.
  const nodes = [...meshResources(world.emulator.snapshot()).values()].filter(
    (r) => r.key.kind === 'virtualNode',
  );
  expect(
    nodes
      .map((n) => [
        n.key.name,
        (n.spec as { serviceDiscovery: { awsCloudMap: { attributes: unknown } } }).serviceDiscovery
          .awsCloudMap.attributes,
      ])
      .sort(),
  ).toEqual([
    ['ecsdemo-nodejs-blue', [{ key: 'ECS_TASK_DEFINITION_FAMILY', value: 'nodejs-blue' }]],
    ['ecsdemo-nodejs-green', [{ key: 'ECS_TASK_DEFINITION_FAMILY', value: 'nodejs-green' }]],
  ]);

  // Retire blue: its node goes, but its patched revision stays ACTIVE (the previous output) for a rollback.
  const retired = props(undefined, 100);
  const afterRetire = await provider(updateEvent(id, retired, current));
  expect(afterRetire.PhysicalResourceId).toBe(id);
  expectMeshMatches(world.emulator, retired);
  expect(afterRetire.Data!['Versions.blue.TaskDefinitionArn']).toBeUndefined();
  expect(revisions(world.emulator, 'nodejs-blue').find((r) => r.arn === blueOut)?.status).toBe('ACTIVE');

  // The rollback of that retirement (properties swapped back) restores blue exactly, on the same revision.
  const rolledBack = await provider(updateEvent(id, current, retired));
  expectMeshMatches(world.emulator, current);
  expect(rolledBack.Data!['Versions.blue.TaskDefinitionArn']).toBe(blueOut);

  // Retire again, then a later update forgets blue: its revisions are deregistered then (remembered by tag).
  await provider(updateEvent(id, retired, current));
  const later = { ...retired, Tags: [{ Key: 'stage', Value: 'done' }] };
  await provider(updateEvent(id, later, retired));
  expect(revisions(world.emulator, 'nodejs-blue').filter((r) => r.owner && r.status === 'ACTIVE')).toEqual(
    [],
  );
  expect(revisions(world.emulator, 'nodejs-blue').find((r) => r.arn === blueTd)?.status).toBe('ACTIVE');

  await provider(deleteEvent(id, later));
  expectNothingLeft(world.emulator);
  expect(
    revisions(world.emulator)
      .filter((r) => !r.owner)
      .every((r) => r.status === 'ACTIVE'),
  ).toBe(true);
});

test('GIVEN a version retired in one update WHEN the stack is deleted before any other update THEN its revisions are deregistered too', async () => {
  const provider = world.provider();
  const a = await world.registerApp('retire-a');
  const b = await world.registerApp('retire-b');
  const two: Props = {
    MeshName: 'ecs-mesh',
    ServiceName: 'retiring',
    Namespace: 'service.local',
    Port: '3000',
    Versions: [
      { Name: 'a', TaskDefinition: a, Weight: '50' },
      { Name: 'b', TaskDefinition: b, Weight: '50' },
    ],
  };
  const one: Props = { ...two, Versions: [{ Name: 'b', TaskDefinition: b, Weight: '100' }] };
  const { PhysicalResourceId: id } = await provider(createEvent(two));
  await provider(updateEvent(id, one, two));
  expect(revisions(world.emulator, 'retire-a').filter((r) => r.owner && r.status === 'ACTIVE')).toHaveLength(
    1,
  );
  await provider(deleteEvent(id, one));
  expectNothingLeft(world.emulator);
});
