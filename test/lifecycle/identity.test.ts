/**
 * Identity, replacement, re-delivery and ownership, as CloudFormation exercises them.
 */
import {
  AppMeshClient,
  CreateVirtualNodeCommand,
  DescribeVirtualNodeCommand,
} from '@aws-sdk/client-app-mesh';
import { seedPlatform } from '../../emulator';
import { DEFAULT_POLICY } from '../../lambda/policy';
import {
  createEvent,
  deleteEvent,
  type Props,
  STACK_ID,
  startWorld,
  updateEvent,
  type World,
} from '../support/harness';
import { expectMeshMatches, expectNothingLeft, mutatingCalls, ownedBy, revisions } from '../support/state';

let world: World;
const SHARING_ACCOUNT = '444455556666';
beforeAll(async () => {
  world = await startWorld();
  await seedPlatform(world.emulator, { meshName: 'other-mesh' });
  await seedPlatform(world.emulator, { meshName: 'ecs-mesh', meshOwner: SHARING_ACCOUNT });
});
afterAll(() => world.close());
beforeEach(() => world.emulator.clearRequests());

const base: Props = {
  MeshName: 'ecs-mesh',
  ServiceName: 'identity-app',
  Namespace: 'service.local',
  Port: '3000',
};

describe('GIVEN an identity property changes (a replacement)', () => {
  test.each<[string, Props, string]>([
    ['MeshName', { MeshName: 'other-mesh' }, 'mesh/other-mesh/service/identity-app'],
    ['MeshOwner', { MeshOwner: SHARING_ACCOUNT }, `mesh/ecs-mesh@${SHARING_ACCOUNT}/service/identity-app`],
    ['ServiceName', { ServiceName: 'identity-app-2' }, 'mesh/ecs-mesh/service/identity-app-2'],
  ])(
    'WHEN %s changes THEN a new id is returned, the old service is untouched until its cleanup Delete, and then exactly the new one remains',
    async (_name, change, newId) => {
      const provider = world.provider({ policy: { ...DEFAULT_POLICY, sharedMeshOwners: [SHARING_ACCOUNT] } });
      const td = await world.registerApp('identity-app');
      const oldProps: Props = {
        ...base,
        TaskDefinition: td,
        Gateway: { VirtualGatewayName: 'ecsworkshop-vgw' },
      };
      const newProps: Props = { ...oldProps, ...change };
      const created = await provider(createEvent(oldProps));
      const oldId = created.PhysicalResourceId;

      const replaced = await provider(updateEvent(oldId, newProps, oldProps));
      expect(replaced.PhysicalResourceId).toBe(newId);
      expectMeshMatches(world.emulator, oldProps);
      expectMeshMatches(world.emulator, newProps);
      expect(replaced.Data!.TaskDefinitionArn).not.toBe(created.Data!.TaskDefinitionArn);
      expect(
        revisions(world.emulator, 'identity-app').find((r) => r.arn === created.Data!.TaskDefinitionArn)
          ?.status,
      ).toBe('ACTIVE');
      if (change.MeshOwner) {
        expect(replaced.Data!.VirtualNodeArn).toBe(
          `arn:aws:appmesh:us-east-1:${SHARING_ACCOUNT}:mesh/ecs-mesh/virtualNode/identity-app`,
        );
        const envoy = revisions(world.emulator, 'identity-app').find(
          (r) => r.arn === replaced.Data!.TaskDefinitionArn,
        )!.task.containerDefinitions as { name: string; environment: { name: string; value: string }[] }[];
        expect(envoy.find((c) => c.name === 'envoy')!.environment).toContainEqual({
          name: 'APPMESH_RESOURCE_ARN',
          value: `mesh/ecs-mesh@${SHARING_ACCOUNT}/virtualNode/identity-app`,
        });
      }

      // CloudFormation's cleanup phase deletes the old physical id with the old properties.
      await provider(deleteEvent(oldId, oldProps));
      expect(ownedBy(world.emulator.snapshot(), oldId)).toEqual([]);
      expectMeshMatches(world.emulator, newProps);
      expect(
        revisions(world.emulator, 'identity-app').find((r) => r.arn === replaced.Data!.TaskDefinitionArn)
          ?.status,
      ).toBe('ACTIVE');

      await provider(deleteEvent(newId, newProps));
      expectNothingLeft(world.emulator);
    },
  );

  test('WHEN the stack rolls back after a replacement THEN deleting the new id leaves the old service exactly as it was', async () => {
    const provider = world.provider();
    const oldProps: Props = { ...base, ServiceName: 'rollback-app', Routes: [{ Name: 'main' }] };
    const newProps: Props = { ...oldProps, ServiceName: 'rollback-app-2' };
    const { PhysicalResourceId: oldId } = await provider(createEvent(oldProps));
    const update = updateEvent(oldId, newProps, oldProps);
    const { PhysicalResourceId: newId } = await provider(update);
    // CloudFormation rolls the stack back: the resource is the old id again, then the rollback's cleanup deletes
    // the new one.
    world.emulator.cloudformation.putStackResource(update.StackId, {
      logicalResourceId: update.LogicalResourceId,
      resourceType: update.ResourceType,
      physicalResourceId: oldId,
      resourceStatus: 'UPDATE_COMPLETE',
    });
    world.emulator.cloudformation.setStackStatus(
      update.StackId,
      'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
    );
    await provider(deleteEvent(newId, newProps));
    expectMeshMatches(world.emulator, oldProps);
    await provider(deleteEvent(oldId, oldProps));
    expectNothingLeft(world.emulator);
  });
});

describe('GIVEN CloudFormation delivers a request twice', () => {
  test('WHEN Create, Update and Delete each arrive twice THEN the second of each changes nothing and answers the same', async () => {
    const provider = world.provider();
    const td = await world.registerApp('twice-app');
    const props: Props = {
      ...base,
      ServiceName: 'twice-app',
      TaskDefinition: td,
      Routes: [{ Name: 'main' }],
    };
    const create = createEvent(props);
    const first = await provider(create);
    world.emulator.clearRequests();
    const second = await provider(create);
    expect(second).toEqual(first);
    expect(mutatingCalls(world.emulator)).toEqual([]);

    const next = { ...props, Port: '3000', Backends: ['x.service.local'] };
    const update = updateEvent(first.PhysicalResourceId, next, props);
    const u1 = await provider(update);
    world.emulator.clearRequests();
    const u2 = await provider(update);
    expect(u2).toEqual(u1);
    expect(mutatingCalls(world.emulator)).toEqual([]);

    const del = deleteEvent(first.PhysicalResourceId, next);
    await provider(del);
    world.emulator.clearRequests();
    await expect(provider(del)).resolves.toEqual({ PhysicalResourceId: first.PhysicalResourceId });
    expect(mutatingCalls(world.emulator)).toEqual([]);
    expectNothingLeft(world.emulator);
  });
});

describe('GIVEN a Delete for a physical id this provider did not issue', () => {
  test.each([
    [
      'the Provider framework marker of a failed Create',
      'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED',
    ],
    ['an id of other properties', 'mesh/ecs-mesh/service/someone-else'],
  ])('WHEN it is %s THEN it succeeds without any mutating call', async (_what, id) => {
    const provider = world.provider();
    await expect(provider(deleteEvent(id, base))).resolves.toEqual({ PhysicalResourceId: id });
    expect(mutatingCalls(world.emulator)).toEqual([]);
  });

  test('WHEN its properties do not even parse and the id is not ours THEN it succeeds without any call', async () => {
    const provider = world.provider();
    await expect(provider(deleteEvent('some-random-id', { Port: 'abc' }))).resolves.toEqual({
      PhysicalResourceId: 'some-random-id',
    });
    expect(world.emulator.requests).toEqual([]);
  });
});

describe('GIVEN a resource under a needed name that someone else owns', () => {
  test('WHEN a virtual node with that name exists without ownership tags THEN Create fails naming it and leaves it untouched', async () => {
    const appmesh = new AppMeshClient({});
    await appmesh.send(
      new CreateVirtualNodeCommand({
        meshName: 'ecs-mesh',
        virtualNodeName: 'hand-made',
        spec: {
          listeners: [{ portMapping: { port: 8080, protocol: 'tcp' } }],
          serviceDiscovery: { dns: { hostname: 'x.local' } },
        },
      }),
    );
    const provider = world.provider();
    world.emulator.clearRequests();
    await expect(provider(createEvent({ ...base, ServiceName: 'hand-made' }))).rejects.toThrow(
      'virtual node "hand-made" already exists and is not created by Custom::MeshService (no ownership tags). It was left untouched; rename this service or remove the other.',
    );
    expect(mutatingCalls(world.emulator)).toEqual([]);
    const node = await appmesh.send(
      new DescribeVirtualNodeCommand({ meshName: 'ecs-mesh', virtualNodeName: 'hand-made' }),
    );
    expect(node.virtualNode?.metadata?.version).toBe(1);
    expect(node.virtualNode?.spec?.listeners?.[0]?.portMapping).toEqual({ port: 8080, protocol: 'tcp' });
  });

  test('WHEN another stack owns the service THEN Create fails naming that stack and resource, and Delete of ours leaves it alone', async () => {
    const provider = world.provider();
    const props: Props = { ...base, ServiceName: 'contested' };
    const otherStack = 'arn:aws:cloudformation:us-east-1:111122223333:stack/other-team/0000';
    const theirs = await provider(createEvent(props, { stackId: otherStack, logicalId: 'Theirs' }));
    world.emulator.clearRequests();
    await expect(provider(createEvent(props))).rejects.toThrow(
      /virtual node "contested" already exists and is owned by mesh\/ecs-mesh\/service\/contested \(stack other-team, resource Theirs\)/,
    );
    expect(mutatingCalls(world.emulator)).toEqual([]);
    // Our (failed) resource's Delete — here with our own stack id — must not touch theirs.
    await provider(deleteEvent(theirs.PhysicalResourceId, props, { stackId: STACK_ID }));
    expectMeshMatches(world.emulator, props, 'Theirs', otherStack);
    await provider(
      deleteEvent(theirs.PhysicalResourceId, props, { stackId: otherStack, logicalId: 'Theirs' }),
    );
  });
});
