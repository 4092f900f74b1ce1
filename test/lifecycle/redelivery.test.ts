/**
 * Concurrent re-delivery, as the Provider framework produces it: after an invoke error it invokes the handler again
 * with the same event while the first invocation still runs. ECS has no client token for RegisterTaskDefinition, so
 * both deliveries may register; whatever the interleaving, both must answer CloudFormation the same
 * TaskDefinitionArn and leave no duplicate ACTIVE revision — for either backend, on Create and on an in-place Update.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { seedPlatform } from '../../emulator';
import { beginRequest } from '../../emulator/cloudformation/requests';
import type { HandlerResult } from '../../lambda/handler';
import { createEvent, type Props, startWorld, updateEvent, type World } from '../support/harness';
import { revisions } from '../support/state';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});
beforeEach(async () => {
  world.emulator.reset();
  await seedPlatform(world.emulator);
  world.emulator.servicediscovery.putNamespace('service.local');
});

const BACKENDS: Record<string, Props> = {
  AppMesh: { Routes: [{ Name: 'main' }], Gateway: { VirtualGatewayName: 'ecsworkshop-vgw' } },
  ServiceConnect: { Backend: 'ServiceConnect' },
};

const propsFor = (backend: string, td: string, over: Props = {}): Props => ({
  MeshName: 'ecs-mesh',
  ServiceName: 'twins',
  Namespace: 'service.local',
  Port: '3000',
  TaskDefinition: td,
  ...BACKENDS[backend],
  ...over,
});

const activeOwned = () =>
  revisions(world.emulator, 'twins')
    .filter((r) => r.status === 'ACTIVE' && r.owner !== undefined)
    .map((r) => r.arn)
    .sort();

/**
 * The same event delivered twice, the second `staggerMs` after the first, both running to their answers. The
 * resource stays in progress until both have answered: CloudFormation hears only the framework's one answer.
 */
async function twins(
  event: CloudFormationCustomResourceEvent,
  staggerMs: number,
): Promise<[HandlerResult, HandlerResult]> {
  const inProgress = beginRequest(world.emulator.cloudformation, event);
  const deliver = () => world.provider({ cloudFormation: false })(event);
  const both = await Promise.all([deliver(), new Promise((r) => setTimeout(r, staggerMs)).then(deliver)]);
  inProgress.end({ physicalResourceId: both[1].PhysicalResourceId });
  return both;
}

const cases = Object.keys(BACKENDS).flatMap((backend) =>
  [0, 40].flatMap((latency) => [0, 20, 50, 100].map((stagger) => [backend, latency, stagger] as const)),
);

describe('GIVEN one request delivered twice, the deliveries running at once', () => {
  test.each(cases)(
    '%s, emulator latency %i ms, second delivery %i ms later: WHEN the Create is delivered twice THEN both answer the same TaskDefinitionArn and one owned revision is ACTIVE',
    async (backend, latency, stagger) => {
      const props = propsFor(backend, await world.registerApp('twins'));
      world.emulator.faults.latency('*', latency);
      const [a, b] = await twins(createEvent(props), stagger);
      world.emulator.faults.latency('*', 0);
      expect(b.Data!.TaskDefinitionArn).toBe(a.Data!.TaskDefinitionArn);
      expect(activeOwned()).toEqual([a.Data!.TaskDefinitionArn]);
    },
  );

  test.each(cases)(
    '%s, emulator latency %i ms, second delivery %i ms later: WHEN an in-place Update is delivered twice THEN both answer the same TaskDefinitionArn and only it and the previous revision stay ACTIVE',
    async (backend, latency, stagger) => {
      const before = propsFor(backend, await world.registerApp('twins'));
      const created = await world.provider()(createEvent(before));
      // A new revision of the application, so that the Update registers a new patched revision.
      const after = propsFor(backend, await world.registerApp('twins', { cpu: '512', memory: '1024' }));
      world.emulator.faults.latency('*', latency);
      const [a, b] = await twins(updateEvent(created.PhysicalResourceId, after, before), stagger);
      world.emulator.faults.latency('*', 0);
      expect(b.Data!.TaskDefinitionArn).toBe(a.Data!.TaskDefinitionArn);
      expect(a.Data!.TaskDefinitionArn).not.toBe(created.Data!.TaskDefinitionArn);
      expect(activeOwned()).toEqual([created.Data!.TaskDefinitionArn, a.Data!.TaskDefinitionArn].sort());
    },
  );
});
