/**
 * A suite's world closes only once no invocation of it is still running: a killed or hung invocation would otherwise
 * go on retrying against the closed emulator (sockets, backoff timers) after the suite, and keep Jest's worker from
 * exiting ("a worker process has failed to exit gracefully").
 */
import { credentialsFor } from '../../emulator';
import { createEvent, startWorld } from '../support/harness';

test('GIVEN an invocation killed at its first call, with a 10-minute request timeout WHEN the world closes THEN close() returns only once that invocation has ended', async () => {
  const world = await startWorld();
  const key = credentialsFor(world.emulator.accountId, 'ZOMBIE').accessKeyId;
  world.emulator.faults.killAt('*', 1, { caller: key });
  const provider = world.provider({ caller: 'ZOMBIE', requestTimeoutMs: 600_000 });
  let settled = false;
  const run = provider(
    createEvent({ MeshName: 'ecs-mesh', ServiceName: 'zombie', Namespace: 'service.local', Port: '3000' }),
  ).then(
    () => undefined,
    () => undefined,
  );
  void run.finally(() => {
    settled = true;
  });
  while (!world.emulator.requests.some((r) => r.error === 'Killed'))
    await new Promise((r) => setTimeout(r, 5));
  await world.close();
  expect(settled).toBe(true);
});
