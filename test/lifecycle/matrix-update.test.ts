/**
 * The fault matrix for an in-place Update (test/support/matrix.ts): every call position × every fault kind, then CloudFormation's
 * next step; no orphan may remain and no configuration may be lost.
 */
import { startWorld, type World } from '../support/harness';
import { type FaultKind, isMutating, positionsOf, runCell } from '../support/matrix';
import { UPDATE } from '../support/scenarios';

let world: World;
const zombies: Promise<unknown>[] = [];
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await Promise.all(zombies);
  await world.close();
});

// Kills last: a killed caller stays dead until the faults are cleared, which the other kinds do after each cell.
const KINDS: FaultKind[] = ['error', 'throttle', 'timeout', 'lost', 'reset', 'stuck', 'kill'];

test("GIVEN an in-place Update WHEN each call meets a 500, throttling, a timeout, a lost answer, a reset, a call that never answers, or a kill THEN CloudFormation's next step leaves exactly the surviving service, then nothing", async () => {
  const provider = world.provider();
  const clean = await UPDATE.prepare(world, provider, 'mu');
  world.emulator.clearRequests();
  const result = await provider(UPDATE.request(clean));
  const positions = positionsOf(world);
  await UPDATE.after(world, provider, clean, { ok: true, result });
  expect(positions.length).toBeGreaterThan(10);

  const tally = { cells: 0, succeeded: 0, failed: 0, killed: 0, orphans: 0 };
  let cell = 0;
  for (const kind of KINDS) {
    for (const p of positions) {
      if (kind === 'lost' && !isMutating(p)) continue;
      const tag = `mu${++cell}`;
      const { outcome, orphans } = await runCell(world, UPDATE, kind, p, tag, zombies, provider);
      if (kind !== 'kill') world.emulator.faults.clear();
      tally.cells++;
      tally[outcome.ok ? 'succeeded' : outcome.killed ? 'killed' : 'failed']++;
      tally.orphans += orphans.length;
      expect({ kind, position: `${p.service}:${p.operation}#${p.nth}`, orphans }).toEqual({
        kind,
        position: `${p.service}:${p.operation}#${p.nth}`,
        orphans: [],
      });
    }
  }
  console.log(
    `fault matrix, an in-place Update: ${JSON.stringify({ positions: positions.length, ...tally })}`,
  );
}, 300_000);
