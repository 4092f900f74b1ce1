/**
 * Moving a running service to Versions (docs/versions.md): the version that keeps the service's node keeps the node
 * itself (same uid), its patched revision and the top-level attributes; an update that would delete the node is
 * refused before any AWS call; AWS's example naming (a node name other than the Cloud Map service name) carries over.
 */

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { AppMeshClient, DescribeVirtualNodeCommand } from '@aws-sdk/client-app-mesh';
import {
  createEvent,
  deleteEvent,
  type Props,
  startWorld,
  updateEvent,
  type World,
} from '../support/harness';
import { expectMeshMatches, expectNothingLeft, mutatingCalls, revisions } from '../support/state';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

const nodeUid = async (virtualNodeName: string) =>
  (
    await new AppMeshClient({}).send(
      new DescribeVirtualNodeCommand({ meshName: 'ecs-mesh', virtualNodeName }),
    )
  ).virtualNode?.metadata?.uid;

describe('GIVEN a running service without Versions', () => {
  test('WHEN it moves to Versions with KeepServiceNode on the first version THEN the node, the revision and the top-level attributes stay, and a rollback restores it', async () => {
    const provider = world.provider();
    const current = await world.registerApp('move-app');
    const canary = await world.registerApp('move-app-v2');
    const single: Props = {
      MeshName: 'ecs-mesh',
      ServiceName: 'move-app',
      Namespace: 'service.local',
      Port: '3000',
      TaskDefinition: current,
    };
    const created = await provider(createEvent(single));
    const id = created.PhysicalResourceId;
    const uid = await nodeUid('move-app');

    const versions: Props = {
      ...single,
      TaskDefinition: undefined,
      Versions: [
        { Name: 'v1', KeepServiceNode: 'true', TaskDefinition: current, Weight: '90' },
        { Name: 'v2', TaskDefinition: canary, Weight: '10' },
      ],
    };
    const moved = await provider(updateEvent(id, versions, single));
    expect(moved.PhysicalResourceId).toBe(id);
    expectMeshMatches(world.emulator, versions);
    // The running tasks' node is the same resource, and their revision is still the one to run.
    expect(await nodeUid('move-app')).toBe(uid);
    expect(moved.Data).toEqual(
      expect.objectContaining({
        'Versions.v1.VirtualNodeName': 'move-app',
        'Versions.v1.TaskDefinitionArn': created.Data!.TaskDefinitionArn,
        'Versions.v2.VirtualNodeName': 'move-app-v2',
        VirtualNodeName: 'move-app',
        VirtualNodeArn: created.Data!.VirtualNodeArn,
        TaskDefinitionArn: created.Data!.TaskDefinitionArn,
      }),
    );
    expect(
      revisions(world.emulator, 'move-app').find((r) => r.arn === created.Data!.TaskDefinitionArn)?.status,
    ).toBe('ACTIVE');

    // A second update with the same properties changes nothing but the window claim of its new request.
    world.emulator.clearRequests();
    expect(await provider(updateEvent(id, versions, single))).toEqual(moved);
    expect(mutatingCalls(world.emulator)).toEqual(['appmesh:TagResource']);
    const tagged = world.emulator.requests.find((r) => r.operation === 'TagResource')!.input as {
      tags: { key: string }[];
    };
    expect(tagged.tags.map((t) => t.key)).toEqual(['mesh-service:window']);

    // CloudFormation's rollback: the same update with the properties swapped.
    const rolledBack = await provider(updateEvent(id, single, versions));
    expectMeshMatches(world.emulator, single);
    expect(await nodeUid('move-app')).toBe(uid);
    expect(rolledBack.Data!.TaskDefinitionArn).toBe(created.Data!.TaskDefinitionArn);

    await provider(deleteEvent(id, single));
    expectNothingLeft(world.emulator);
  });

  test('WHEN it moves to Versions and no version keeps its node THEN the update is refused before any AWS call, naming KeepServiceNode', async () => {
    const provider = world.provider();
    const single: Props = {
      MeshName: 'ecs-mesh',
      ServiceName: 'refused-move',
      Namespace: 'service.local',
      Port: '3000',
    };
    const { PhysicalResourceId: id } = await provider(createEvent(single));
    const versions: Props = {
      ...single,
      Versions: [
        { Name: 'blue', DiscoveryAttributes: { color: 'blue' }, Weight: '50' },
        { Name: 'green', DiscoveryAttributes: { color: 'green' }, Weight: '50' },
      ],
    };
    world.emulator.clearRequests();
    await expect(provider(updateEvent(id, versions, single))).rejects.toThrow(
      'Versions: moving to Versions would delete virtual node "refused-move", which the service\'s running tasks use; give the version that runs them KeepServiceNode: true (it keeps the node and its task definition revision; docs/versions.md)',
    );
    expect(world.emulator.requests.filter((r) => r.service === 'appmesh' || r.service === 'ecs')).toEqual([]);
    expectMeshMatches(world.emulator, single);

    // The documented alternative: the version's VirtualNodeName set to the node's name.
    const named: Props = {
      ...versions,
      Versions: [
        {
          Name: 'blue',
          VirtualNodeName: 'refused-move',
          DiscoveryAttributes: { color: 'blue' },
          Weight: '50',
        },
        { Name: 'green', DiscoveryAttributes: { color: 'green' }, Weight: '50' },
      ],
    };
    const moved = await provider(updateEvent(id, named, single));
    expect(moved.Data!.VirtualNodeName).toBe('refused-move');
    await provider(deleteEvent(id, named));
    expectNothingLeft(world.emulator);
  });
});

describe("GIVEN AWS's example naming (virtual node colorteller-white-vn, Cloud Map service colorteller)", () => {
  test('WHEN declared with VirtualNodeName, then moved to Versions keeping the node THEN the node keeps its name and uid', async () => {
    const provider = world.provider();
    const white = await world.registerApp('colorteller-white');
    const black = await world.registerApp('colorteller-black');
    const single: Props = {
      MeshName: 'ecs-mesh',
      ServiceName: 'colorteller',
      VirtualNodeName: 'colorteller-white-vn',
      Namespace: 'service.local',
      Port: '3000',
      TaskDefinition: white,
    };
    const created = await provider(createEvent(single));
    expect(created.Data!.VirtualNodeName).toBe('colorteller-white-vn');
    const node = world.emulator
      .snapshot(['appmesh'])
      .appmesh.virtualNodes.find((n) => n.virtualNodeName === 'colorteller-white-vn')!;
    expect(node.spec.serviceDiscovery).toEqual({
      awsCloudMap: { namespaceName: 'service.local', serviceName: 'colorteller' },
    });
    const uid = await nodeUid('colorteller-white-vn');

    const versions: Props = {
      ...single,
      TaskDefinition: undefined,
      Versions: [
        { Name: 'white', KeepServiceNode: 'true', TaskDefinition: white, Weight: '50' },
        { Name: 'black', VirtualNodeName: 'colorteller-black-vn', TaskDefinition: black, Weight: '50' },
      ],
    };
    const moved = await provider(updateEvent(created.PhysicalResourceId, versions, single));
    expectMeshMatches(world.emulator, versions);
    expect(await nodeUid('colorteller-white-vn')).toBe(uid);
    expect(moved.Data!.TaskDefinitionArn).toBe(created.Data!.TaskDefinitionArn);
    expect(moved.Data!['Versions.black.VirtualNodeName']).toBe('colorteller-black-vn');

    await provider(deleteEvent(created.PhysicalResourceId, versions));
    expectNothingLeft(world.emulator);
  });
});

describe('GIVEN the properties fixtures written for earlier versions of the provider', () => {
  test.each(['canary.json', 'edge-dns.json', 'workshop-crystal.json', 'workshop-frontend.json'])(
    'WHEN %s is created THEN its node names are those it always had',
    async (file) => {
      const props = JSON.parse(
        readFileSync(path.join(__dirname, '..', 'fixtures', 'properties', file), 'utf8'),
      ) as Props;
      const { ServiceToken: _token, Envoy: _envoy, ...rest } = props;
      const names = new Set(
        ((rest.Versions as { Name: string }[] | undefined) ?? [{ Name: '' }]).map((v) =>
          v.Name ? `${rest.ServiceName}-${v.Name}` : String(rest.ServiceName),
        ),
      );
      const provider = world.provider();
      const created = await provider(
        createEvent({ ...rest, TaskDefinition: undefined, Versions: stripTd(rest.Versions) }),
      );
      const nodes = world.emulator
        .snapshot(['appmesh'])
        .appmesh.virtualNodes.map((n) => String(n.virtualNodeName))
        .filter((n) => names.has(n));
      expect(new Set(nodes)).toEqual(names);
      await provider(
        deleteEvent(created.PhysicalResourceId, {
          ...rest,
          TaskDefinition: undefined,
          Versions: stripTd(rest.Versions),
        }),
      );
    },
  );
});

function stripTd(versions: unknown): unknown {
  if (!Array.isArray(versions)) return undefined;
  return versions.map((v: Record<string, unknown>, i) => ({
    ...v,
    TaskDefinition: undefined,
    DiscoveryAttributes: { version: String(i) },
  }));
}
