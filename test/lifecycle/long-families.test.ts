/**
 * A task-definition family that CI feeds holds hundreds of ACTIVE revisions. The Service Connect and VPC Lattice
 * backends (which keep no record of their revisions on a resource of their own, as App Mesh's virtual nodes do) read
 * only the revisions at or above the sources their properties name, and the older ones the Tagging API says they
 * own: a request reads a handful of revisions, not the family, and still finds the revision kept for a rollback.
 */
import { CreateServiceNetworkCommand, VPCLatticeClient } from '@aws-sdk/client-vpc-lattice';
import {
  createEvent,
  deleteEvent,
  type Props,
  startWorld,
  updateEvent,
  type World,
} from '../support/harness';
import { revisions } from '../support/state';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});

const backends: [string, (td: string) => Props, () => Promise<void>][] = [
  [
    'ServiceConnect',
    (td) => ({
      Backend: 'ServiceConnect',
      MeshName: 'ecs-mesh',
      ServiceName: 'busy',
      Namespace: 'service.local',
      Port: '3000',
      TaskDefinition: td,
    }),
    async () => {
      world.emulator.servicediscovery.putNamespace('service.local');
    },
  ],
  [
    'VpcLattice',
    (td) => ({
      Backend: 'VpcLattice',
      MeshName: 'ecs-mesh',
      ServiceName: 'busy',
      Namespace: 'service.local',
      Port: '3000',
      VpcLattice: { ServiceNetwork: 'platform', VpcId: 'vpc-0abc1234def567890' },
      TaskDefinition: td,
    }),
    async () => {
      const lattice = new VPCLatticeClient({});
      await lattice.send(new CreateServiceNetworkCommand({ name: 'platform' }));
      lattice.destroy();
    },
  ],
];

const describes = () =>
  world.emulator.requests.filter((r) => r.operation === 'DescribeTaskDefinition').length;
const active = (arn: string) => revisions(world.emulator, 'busy').find((r) => r.arn === arn)?.status;
const ownedActive = () =>
  revisions(world.emulator, 'busy')
    .filter((r) => r.status === 'ACTIVE' && r.owner !== undefined)
    .map((r) => r.arn);

describe.each(backends)(
  'GIVEN Backend %s and a family of 100 ACTIVE revisions',
  (_backend, props, platform) => {
    beforeEach(async () => {
      world.emulator.reset();
      await platform();
    });

    test('WHEN the service is created, its source moves on twice and it is deleted THEN each request reads a handful of revisions, the rollback revision is kept while needed, and nothing owned is left', async () => {
      let source = '';
      for (let i = 0; i < 100; i++) source = await world.registerApp('busy');
      const provider = world.provider();

      world.emulator.clearRequests();
      const created = await provider(createEvent(props(source)));
      // The source and nothing below it: before, the newest 50.
      expect(describes()).toBeLessThanOrEqual(2);
      const first = created.Data!.TaskDefinitionArn!;
      expect(first).toMatch(/busy:101$/);

      const second = await world.registerApp('busy', { memory: '1024' });
      world.emulator.clearRequests();
      const updated = await provider(updateEvent(created.PhysicalResourceId, props(second), props(source)));
      expect(describes()).toBeLessThanOrEqual(4);
      const patched2 = updated.Data!.TaskDefinitionArn!;
      expect(patched2).toMatch(/busy:103$/);
      // CloudFormation may roll the ECS service back to the first patch.
      expect(active(first)).toBe('ACTIVE');

      const third = await world.registerApp('busy', { memory: '2048' });
      world.emulator.clearRequests();
      const again = await provider(updateEvent(created.PhysicalResourceId, props(third), props(second)));
      expect(describes()).toBeLessThanOrEqual(6);
      // Below every source this request names, the first patch is found by its tags, and no rollback needs it now.
      expect(active(first)).toBe('INACTIVE');
      expect(ownedActive().sort()).toEqual([patched2, again.Data!.TaskDefinitionArn!].sort());

      world.emulator.clearRequests();
      await provider(deleteEvent(created.PhysicalResourceId, props(third)));
      expect(describes()).toBeLessThanOrEqual(6);
      // The rollback revision of the last update, patched from a source the Delete does not name, goes too.
      expect(ownedActive()).toEqual([]);
      expect([source, second, third].map(active)).toEqual(['ACTIVE', 'ACTIVE', 'ACTIVE']);
    });

    test('WHEN the template names the bare family THEN the newest revision is patched and the service is deleted without leftovers', async () => {
      for (let i = 0; i < 60; i++) await world.registerApp('busy');
      const provider = world.provider();
      const created = await provider(createEvent(props('busy')));
      expect(created.Data!.TaskDefinitionArn).toMatch(/busy:61$/);
      await provider(deleteEvent(created.PhysicalResourceId, props('busy')));
      expect(ownedActive()).toEqual([]);
    });
  },
);
