/**
 * Throttling as a stack with many services meets it: every resource is its own Lambda execution environment (own
 * SDK clients), all at once, against the emulator's published-limit presets. Timing is measured by
 * `npm run bench`, not asserted here.
 *
 * The scenarios run on an accelerated clock (`acceleratedClock` below): `Date.now()` and the timers of this test
 * file's module registry run `speed` times faster than real time. That one clock is shared by both sides — the
 * emulator's token buckets (the FaultInjector reads `Date.now`), the provider's retry strategy (its backoff sleeps
 * with `setTimeout`; its deadline and the SDK's adaptive rate limiter read `Date.now()`) and the SDK's own retries —
 * so a bucket of "1 per second" and a backoff of "500 ms" keep their ratio: the same scenarios and assertions, in a
 * fraction of the wall time. Only CPU work is not accelerated (it looks `speed` times slower on this clock), so each
 * test keeps its emulated limit well below what a loaded machine can send: at 10x, App Mesh's bucket refills 80
 * tokens a real second and, on two busy cores, 50 creates met no throttling at all; at 3x (24 a second) they meet as
 * much as in real time. Measured with three CPU hogs on two cores: 3x App Mesh, 4x ECS.
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

/**
 * An accelerated clock for this file: `Date.now()` and `setTimeout` / `setInterval` of this file's globals (which
 * every module it loads — the emulator, the handler, the AWS SDK — reads at call time) run `scale` times faster than
 * real time; `speed(scale)` changes the factor from now on (the clock stays continuous). Jest's own timers captured
 * the real functions before the test file ran, so test timeouts stay in real time. `new Date()` is left alone:
 * nothing under test measures time with it.
 */
function acceleratedClock() {
  const realNow = Date.now;
  const realSetTimeout = globalThis.setTimeout;
  const realSetInterval = globalThis.setInterval;
  let scale = 1;
  let realOrigin = realNow();
  let origin = realOrigin;
  const now = () => origin + (realNow() - realOrigin) * scale;
  Date.now = now;
  globalThis.setTimeout = ((handler: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) =>
    realSetTimeout(handler, (ms ?? 0) / scale, ...args)) as typeof setTimeout;
  globalThis.setInterval = ((handler: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) =>
    realSetInterval(handler, (ms ?? 0) / scale, ...args)) as typeof setInterval;
  return {
    speed(factor: number) {
      origin = now();
      realOrigin = realNow();
      scale = factor;
    },
    restore() {
      Date.now = realNow;
      globalThis.setTimeout = realSetTimeout;
      globalThis.setInterval = realSetInterval;
    },
  };
}

// Before the emulator starts: its FaultInjector takes `Date.now` as its clock when it is constructed.
const clock = acceleratedClock();

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());
afterAll(() => clock.restore());
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
  clock.speed(3);
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
  clock.speed(1); // a few seconds in real time
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
  clock.speed(4);
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
