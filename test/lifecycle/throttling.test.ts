/**
 * Throttling as a stack with many services meets it: every resource is its own Lambda execution environment (own
 * SDK clients), all at once, against the emulator's published-limit presets. Timing is measured by
 * `npm run bench`, not asserted here.
 */
import { ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { seedPlatform } from '../../emulator';
import {
  appTaskDefinition,
  createEvent,
  deleteEvent,
  type Props,
  startWorld,
  type World,
} from '../support/harness';
import { expectNothingLeft } from '../support/state';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());
beforeEach(async () => {
  world.emulator.reset();
  await seedPlatform(world.emulator);
});

const service = (i: number, extra: Props = {}): Props => ({
  MeshName: 'ecs-mesh',
  ServiceName: `svc-${i}`,
  Namespace: 'service.local',
  Port: '3000',
  ...extra,
});

test('GIVEN App Mesh throttled at 8 mutating calls a second WHEN 50 services are created at once THEN all succeed, and so do their deletes', async () => {
  world.emulator.faults.throttlePreset('appmesh');
  const ids = Array.from({ length: 50 }, (_, i) => i);
  const created = await Promise.all(
    ids.map((i) => world.provider()(createEvent(service(i), { logicalId: `Svc${i}` }))),
  );
  expect(created.map((c) => c.PhysicalResourceId)).toEqual(ids.map((i) => `mesh/ecs-mesh/service/svc-${i}`));
  const throttled = world.emulator.requests.filter((r) => r.error === 'TooManyRequestsException').length;
  expect(throttled).toBeGreaterThan(0);

  await Promise.all(
    ids.map((i) =>
      world.provider()(deleteEvent(created[i]!.PhysicalResourceId, service(i), { logicalId: `Svc${i}` })),
    ),
  );
  expectNothingLeft(world.emulator);
}, 180_000);

test('GIVEN the ECS preset WHEN 30 registrations run with the SDK default of 3 attempts THEN some fail (the limit is real)', async () => {
  world.emulator.faults.throttlePreset('ecs');
  const ecs = new ECSClient({ maxAttempts: 3 });
  const results = await Promise.allSettled(
    Array.from({ length: 30 }, (_, i) =>
      ecs.send(new RegisterTaskDefinitionCommand(appTaskDefinition(`plain-${i}`, world.emulator.accountId))),
    ),
  );
  const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
  expect(failed.length).toBeGreaterThan(0);
  expect(failed.every((f) => (f.reason as Error).name === 'ThrottlingException')).toBe(true);
  ecs.destroy();
}, 60_000);

test('GIVEN the ECS preset (register/deregister: burst 20, 1 per second) WHEN 60 services patch their task definitions at once THEN all succeed', async () => {
  const families = Array.from({ length: 60 }, (_, i) => `patched-${i}`);
  const tds: string[] = [];
  for (const f of families) tds.push(await world.registerApp(f));
  world.emulator.faults.throttlePreset('ecs');
  world.emulator.clearRequests();

  const results = await Promise.all(
    families.map((f, i) =>
      world.provider()(
        createEvent(service(i, { ServiceName: f, TaskDefinition: tds[i] }), { logicalId: `P${i}` }),
      ),
    ),
  );
  expect(results.every((r) => /task-definition\/patched-\d+:2$/.test(r.Data!.TaskDefinitionArn!))).toBe(true);
  const registrations = world.emulator.requests.filter((r) => r.operation === 'RegisterTaskDefinition');
  expect(registrations.filter((r) => r.status === 200)).toHaveLength(60);
  expect(registrations.some((r) => r.error === 'ThrottlingException')).toBe(true);
}, 240_000);
