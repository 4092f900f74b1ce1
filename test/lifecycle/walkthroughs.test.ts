/**
 * Shapes from AWS's App Mesh walkthroughs, through the provider and read back with the real App Mesh SDK client from
 * the emulator: what each property produces, where the walkthroughs and the provider once differed (issue 22).
 */
import { AppMeshClient, DescribeVirtualNodeCommand } from '@aws-sdk/client-app-mesh';
import {
  createEvent,
  deleteEvent,
  type Props,
  startWorld,
  updateEvent,
  type World,
} from '../support/harness';
import { expectNothingLeft } from '../support/state';

let world: World;
let appmesh: AppMeshClient;
beforeAll(async () => {
  world = await startWorld();
  appmesh = new AppMeshClient({});
});
afterAll(async () => {
  appmesh.destroy();
  await world.close();
});

async function node(name: string) {
  const out = await appmesh.send(
    new DescribeVirtualNodeCommand({ meshName: 'ecs-mesh', virtualNodeName: name }),
  );
  return out.virtualNode!;
}

describe('Cloud Map attributes of a version', () => {
  test('GIVEN a single version WHEN created THEN its node selects its family, and adding a second version leaves that node unchanged', async () => {
    const provider = world.provider();
    const v1 = await world.registerApp('colorteller-white');
    const v2 = await world.registerApp('colorteller-black');
    const base = {
      MeshName: 'ecs-mesh',
      ServiceName: 'colorteller',
      Namespace: 'service.local',
      Port: '3000',
    };
    const one: Props = { ...base, Versions: [{ Name: 'white', TaskDefinition: v1 }] };
    const created = await provider(createEvent(one));
    const white = await node('colorteller-white');
    expect(white.spec?.serviceDiscovery?.awsCloudMap?.attributes).toEqual([
      { key: 'ECS_TASK_DEFINITION_FAMILY', value: 'colorteller-white' },
    ]);

    const two: Props = {
      ...base,
      Versions: [
        { Name: 'white', TaskDefinition: v1, Weight: '100' },
        { Name: 'black', TaskDefinition: v2, Weight: '0' },
      ],
    };
    await provider(updateEvent(created.PhysicalResourceId, two, one));
    const whiteAfter = await node('colorteller-white');
    // Not updated at all: the node's discovery, and so the tasks it routes to, stay what they were.
    expect(whiteAfter.metadata?.version).toBe(white.metadata?.version);
    expect((await node('colorteller-black')).spec?.serviceDiscovery?.awsCloudMap?.attributes).toEqual([
      { key: 'ECS_TASK_DEFINITION_FAMILY', value: 'colorteller-black' },
    ]);

    await provider(deleteEvent(created.PhysicalResourceId, two));
    expectNothingLeft(world.emulator);
  });

  test('GIVEN a service without Versions WHEN created THEN its node filters on no attribute (every instance of its Cloud Map service is its own)', async () => {
    const provider = world.provider();
    const td = await world.registerApp('colorgateway');
    const props: Props = {
      MeshName: 'ecs-mesh',
      ServiceName: 'colorgateway',
      Namespace: 'service.local',
      Port: '3000',
      TaskDefinition: td,
    };
    const created = await provider(createEvent(props));
    expect((await node('colorgateway')).spec?.serviceDiscovery?.awsCloudMap?.attributes).toBeUndefined();
    await provider(deleteEvent(created.PhysicalResourceId, props));
    expectNothingLeft(world.emulator);
  });
});
