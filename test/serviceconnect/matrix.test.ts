/**
 * The fault matrix (test/support/matrix.ts) on the Service Connect backend: every call of a Create, an in-place
 * Update and a Delete × every fault kind (a 500, throttling, a timeout, a lost answer, a reset, a call that never
 * answers, a kill), then CloudFormation's next step; no owned revision may be left and the surviving properties'
 * revision must be the one the answer names.
 */
import { startWorld, type World } from '../support/harness';
import { runMatrix } from '../support/matrix';
import { SC_CREATE, SC_DELETE, SC_ROLLOUT_CREATE, SC_ROLLOUT_UPDATE, SC_UPDATE } from '../support/scenarios';

let world: World;
const zombies: Promise<unknown>[] = [];
beforeAll(async () => {
  world = await startWorld();
  world.emulator.servicediscovery.putNamespace('service.local');
});
afterAll(async () => {
  await Promise.all(zombies);
  await world.close();
});

describe('GIVEN Backend ServiceConnect', () => {
  test.each([
    ['a Create', SC_CREATE, 'sc'],
    ['an in-place Update', SC_UPDATE, 'su'],
    ['a Delete', SC_DELETE, 'sd'],
    ['a rollout Create (two versions, one lighter)', SC_ROLLOUT_CREATE, 'rc'],
    ['a rollout Update (one version to two)', SC_ROLLOUT_UPDATE, 'ru'],
  ] as const)(
    "WHEN each call of %s meets every fault kind THEN CloudFormation's next step leaves exactly the surviving revision, then nothing",
    async (name, scenario, prefix) => {
      const tally = await runMatrix(world, scenario, prefix, zombies, 3);
      console.log(`fault matrix, Service Connect, ${name}: ${JSON.stringify(tally)}`);
    },
    300_000,
  );
});
