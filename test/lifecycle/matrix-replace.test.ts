/**
 * The fault matrix for a replacement (test/support/matrix.ts): every call position × every fault kind, then CloudFormation's
 * next step; no orphan may remain and no configuration may be lost.
 */
import { startWorld, type World } from '../support/harness';
import { runMatrix } from '../support/matrix';
import { REPLACE } from '../support/scenarios';

let world: World;
const zombies: Promise<unknown>[] = [];
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await Promise.all(zombies);
  await world.close();
});

test("GIVEN a replacement WHEN each call meets a 500, throttling, a timeout, a lost answer, a reset, a call that never answers, or a kill THEN CloudFormation's next step leaves exactly the surviving service, then nothing", async () => {
  const tally = await runMatrix(world, REPLACE, 'mr', zombies);
  console.log(`fault matrix, a replacement: ${JSON.stringify(tally)}`);
}, 300_000);
