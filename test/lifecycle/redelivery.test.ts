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

/** Resolves when the emulator has answered a call of this operation. */
async function answered(operation: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (world.emulator.requests.some((r) => r.operation === operation && r.status > 0)) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${operation} never answered`);
}

describe('GIVEN the first delivery fails after its twin converged on the revision it registered', () => {
  // The first delivery's last write fails for good, a second after it is sent: time for the twin to register,
  // converge on the first delivery's (lower) revision and deregister its own, even on a starved machine.
  const failing: Record<string, { operation: string; over: Props }> = {
    AppMesh: { operation: 'CreateGatewayRoute', over: {} },
    ServiceConnect: {
      operation: 'CreateHttpNamespace',
      over: { Namespace: 'fresh.local', ServiceConnect: { CreateNamespace: 'true' } },
    },
  };

  test.each(Object.keys(failing))(
    '%s: WHEN the first delivery undoes its Create THEN the revision the twin answered stays ACTIVE, the only one',
    async (backend) => {
      const { operation, over } = failing[backend]!;
      const props = propsFor(backend, await world.registerApp('twins'), over);
      const event = createEvent(props);
      world.emulator.faults.latency(operation, 1000);
      world.emulator.faults.failNth(operation, 1, { type: 'ForbiddenException', status: 403 });
      const inProgress = beginRequest(world.emulator.cloudformation, event);
      const deliver = () => world.provider({ cloudFormation: false })(event);
      const first = deliver();
      await answered('RegisterTaskDefinition');
      const [a, b] = await Promise.allSettled([first, deliver()]);
      world.emulator.faults.latency(operation, 0);
      expect(a.status).toBe('rejected');
      expect(b.status).toBe('fulfilled');
      const answer = (b as PromiseFulfilledResult<HandlerResult>).value;
      inProgress.end({ physicalResourceId: answer.PhysicalResourceId });
      const [firstRegistered] = revisions(world.emulator, 'twins').filter((r) => r.owner !== undefined);
      // The twin answers what the first delivery registered (the lowest), not its own registration.
      expect(answer.Data!.TaskDefinitionArn).toBe(firstRegistered!.arn);
      expect(activeOwned()).toEqual([answer.Data!.TaskDefinitionArn]);
    },
  );
});
