/**
 * The fault matrix (test/support/matrix.ts) on the VPC Lattice backend: every call of a Create, an in-place Update
 * and a Delete × every fault kind (a 500, throttling, a timeout, a lost answer, a reset, a call that never answers, a
 * kill), then CloudFormation's next step; no owned Lattice resource or revision may be left, and the surviving
 * properties' service must be the one Lattice holds.
 */
import { CreateServiceNetworkCommand, VPCLatticeClient } from '@aws-sdk/client-vpc-lattice';
import { startWorld, type World } from '../support/harness';
import { runMatrix } from '../support/matrix';
import { VL_CREATE, VL_DELETE, VL_UPDATE } from '../support/scenarios';

let world: World;
const zombies: Promise<unknown>[] = [];
beforeAll(async () => {
  world = await startWorld();
  const lattice = new VPCLatticeClient({});
  await lattice.send(new CreateServiceNetworkCommand({ name: 'platform' }));
  lattice.destroy();
});
afterAll(async () => {
  await Promise.all(zombies);
  await world.close();
});

describe('GIVEN Backend VpcLattice', () => {
  test.each([
    ['a Create', VL_CREATE, 'lc'],
    ['an in-place Update', VL_UPDATE, 'lu'],
    ['a Delete', VL_DELETE, 'ld'],
  ] as const)(
    "WHEN each call of %s meets every fault kind THEN CloudFormation's next step leaves exactly the surviving service, then nothing",
    async (name, scenario, prefix) => {
      const tally = await runMatrix(world, scenario, prefix, zombies, 10);
      console.log(`fault matrix, VPC Lattice, ${name}: ${JSON.stringify(tally)}`);
    },
    600_000,
  );
});
