/**
 * saveState and restoreState (emulator/state.ts): many runs from one prepared world, as the fault matrices use them.
 * Through the real SDK clients: what a run changes is gone after a restore, the services answer as they did at the
 * save (counters included), and a saved state survives any number of runs from it.
 */
import {
  CreateMeshCommand,
  CreateVirtualNodeCommand,
  DeleteMeshCommand,
  DescribeVirtualNodeCommand,
  UpdateVirtualNodeCommand,
} from '@aws-sdk/client-app-mesh';
import {
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { CreateServiceCommand, DeleteServiceCommand, VPCLatticeClient } from '@aws-sdk/client-vpc-lattice';
import { stackId } from '../../emulator';
import { useEmulator } from './helpers';

const ctx = useEmulator({ taskDefinitionDeletionDelayMs: 300 });
let lattice: VPCLatticeClient;
beforeAll(() => {
  lattice = new VPCLatticeClient({});
});
afterAll(() => lattice.destroy());

const register = (family: string) =>
  ctx.ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      containerDefinitions: [{ name: 'app', image: 'nginx', memory: 128 }],
    }),
  );

/** A world with something of each kind: a mesh and its node, revisions (one being deleted), a stack, a Lattice service. */
async function prepare() {
  await ctx.appmesh.send(new CreateMeshCommand({ meshName: 'm' }));
  await ctx.appmesh.send(
    new CreateVirtualNodeCommand({
      meshName: 'm',
      virtualNodeName: 'n',
      spec: {},
      tags: [{ key: 'k', value: 'v' }],
    }),
  );
  await register('app');
  const second = (await register('app')).taskDefinition!.taskDefinitionArn!;
  await ctx.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: second }));
  await ctx.ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: [second] }));
  const stack = stackId('prepared');
  ctx.emulator.cloudformation.putStack({ stackId: stack, stackStatus: 'CREATE_IN_PROGRESS' });
  const service = await lattice.send(new CreateServiceCommand({ name: 'svc' }));
  return { second, stack, serviceArn: service.arn! };
}

/** A run that changes each kind of state the prepared world holds. */
async function run(w: Awaited<ReturnType<typeof prepare>>) {
  await ctx.appmesh.send(
    new UpdateVirtualNodeCommand({ meshName: 'm', virtualNodeName: 'n', spec: { backends: [] } }),
  );
  await ctx.appmesh.send(new CreateMeshCommand({ meshName: 'other' }));
  await ctx.appmesh.send(new DeleteMeshCommand({ meshName: 'other' }));
  await register('app');
  await register('new-family');
  ctx.emulator.cloudformation.setStackStatus(w.stack, 'CREATE_COMPLETE');
  await lattice.send(new DeleteServiceCommand({ serviceIdentifier: w.serviceArn }));
}

describe('GIVEN a prepared world whose state is saved', () => {
  test('WHEN a run changes it and the state is restored THEN the snapshot is the saved one, again after a second run', async () => {
    const w = await prepare();
    const before = ctx.emulator.snapshot();
    const saved = ctx.emulator.saveState();
    await run(w);
    expect(ctx.emulator.snapshot()).not.toEqual(before);
    ctx.emulator.restoreState(saved);
    expect(ctx.emulator.snapshot()).toEqual(before);
    // The run from the restored state does not change what was saved.
    await run(w);
    ctx.emulator.restoreState(saved);
    expect(ctx.emulator.snapshot()).toEqual(before);
  });

  test('WHEN restored THEN the services answer as at the save: versions, revision numbers, and a deletion under way completes', async () => {
    const w = await prepare();
    const saved = ctx.emulator.saveState();
    await run(w);
    ctx.emulator.restoreState(saved);
    const node = await ctx.appmesh.send(
      new DescribeVirtualNodeCommand({ meshName: 'm', virtualNodeName: 'n' }),
    );
    expect(node.virtualNode?.metadata?.version).toBe(1);
    // The family's counter is the saved one: the next revision is the third, as it would have been after the save.
    expect((await register('app')).taskDefinition?.revision).toBe(3);
    // The revision being deleted at the save is still being deleted, then gone once its delay has passed.
    const deleting = await ctx.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: w.second }));
    expect(deleting.taskDefinition?.status).toBe('DELETE_IN_PROGRESS');
    await new Promise((r) => setTimeout(r, 350));
    await expect(
      ctx.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: w.second })),
    ).rejects.toThrow();
  });

  test('WHEN restored THEN faults and the request log are left as they are', async () => {
    await prepare();
    const saved = ctx.emulator.saveState();
    const logged = ctx.emulator.requests.length;
    // A 400 (not retried): the fault armed before the restore still answers the next call.
    ctx.emulator.faults.failNth('appmesh:CreateMesh', 1, {
      type: 'BadRequestException',
      status: 400,
      message: 'injected',
    });
    ctx.emulator.restoreState(saved);
    expect(ctx.emulator.requests.length).toBe(logged);
    await expect(ctx.appmesh.send(new CreateMeshCommand({ meshName: 'x' }))).rejects.toThrow('injected');
  });
});
