/**
 * A Cloud Map namespace another Custom::MeshService created (issue 21, item 7), through the real handler and SDK
 * clients against the emulator: a resource that asks to create a namespace another resource owns is refused, naming
 * ServiceConnect.CreateNamespace, before any change; declared as existing, the namespace is used without being owned;
 * and its owner's Delete leaves it while Cloud Map still counts services in it (those ECS created for the ECS
 * services that joined it).
 */
import { CreateServiceCommand, DeleteServiceCommand, ECSClient } from '@aws-sdk/client-ecs';
import { ListServicesCommand, ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { ALLOWED_STACKS_TAG } from '../../lambda/policy';
import {
  createEvent,
  deleteEvent,
  type Props,
  startWorld,
  updateEvent,
  type World,
} from '../support/harness';
import { mutating, namespaces } from './support';

let world: World;
let ecs: ECSClient;
let sd: ServiceDiscoveryClient;
beforeAll(async () => {
  world = await startWorld();
  ecs = new ECSClient({});
  sd = new ServiceDiscoveryClient({});
});
afterAll(async () => {
  ecs.destroy();
  sd.destroy();
  await world.close();
});

interface Team {
  readonly stackId: string;
  readonly logicalId: string;
  readonly props: Props;
}

/** A team's stack: its own task definition (granted to it) and Custom::MeshService in namespace apps.local. */
async function team(
  stackName: string,
  serviceName: string,
  over: Props = {},
  stackId = world.emulator.cloudformation.stackId(stackName),
): Promise<Team> {
  const td = await world.registerApp(serviceName, {
    tags: [{ key: ALLOWED_STACKS_TAG, value: stackId }],
  });
  return {
    stackId,
    logicalId: 'Service',
    props: {
      Backend: 'ServiceConnect',
      MeshName: 'ecs-mesh',
      ServiceName: serviceName,
      Namespace: 'apps.local',
      Port: '3000',
      TaskDefinition: td,
      ...over,
    },
  };
}

const on = (t: Team) => ({ stackId: t.stackId, logicalId: t.logicalId });

/** What the team's template does with the attributes: an ECS service in the namespace. */
async function ecsServiceOf(name: string, data: Record<string, string>): Promise<void> {
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'apps',
      serviceName: name,
      taskDefinition: data.TaskDefinitionArn,
      serviceConnectConfiguration: {
        enabled: true,
        namespace: data.NamespaceArn,
        services: [
          {
            portName: data.PortName!,
            discoveryName: data.DiscoveryName,
            clientAliases: [{ dnsName: data.ClientAliasDnsName, port: Number(data.ClientAliasPort) }],
          },
        ],
      },
    }),
  );
}

const cloudMapServices = async (namespaceId: string) =>
  (
    await sd.send(
      new ListServicesCommand({
        Filters: [{ Name: 'NAMESPACE_ID', Values: [namespaceId], Condition: 'EQ' }],
      }),
    )
  )
    .Services!.map((s) => s.Name!)
    .sort();

beforeEach(() => {
  world.emulator.reset();
});

describe('GIVEN a namespace that a Custom::MeshService of stack team-a created (CreateNamespace: true)', () => {
  test('WHEN a resource of another stack asks to create it too THEN it is refused naming ServiceConnect.CreateNamespace and the owner, before any change', async () => {
    const provider = world.provider();
    const a = await team('team-a', 'crystal', { ServiceConnect: { CreateNamespace: 'true' } });
    const owner = await provider(createEvent(a.props, on(a)));
    const b = await team('team-b', 'nodejs', { ServiceConnect: { CreateNamespace: 'true' } });
    world.emulator.clearRequests();

    await expect(provider(createEvent(b.props, on(b)))).rejects.toThrow(
      /ServiceConnect\.CreateNamespace: the Cloud Map namespace "apps\.local" exists and is owned by service-connect\/apps\.local\/service\/crystal \(stack team-a, resource Service\).*declare it as existing/,
    );
    expect(mutating(world.emulator)).toEqual([]);
    const [ns] = namespaces(world.emulator);
    expect(ns!.Arn).toBe(owner.Data!.NamespaceArn);
    expect(ns!.Tags).toContainEqual({ Key: 'mesh-service:owner', Value: owner.PhysicalResourceId });
  });

  test('WHEN a resource of the same stack (another logical id) asks to create it, or an Update turns CreateNamespace on THEN it is refused the same way', async () => {
    const provider = world.provider();
    const a = await team('team-a', 'crystal', { ServiceConnect: { CreateNamespace: 'true' } });
    await provider(createEvent(a.props, on(a)));
    const sibling: Team = {
      ...(await team('team-a', 'nodejs', { ServiceConnect: { CreateNamespace: 'true' } }, a.stackId)),
      logicalId: 'Nodejs',
    };
    await expect(provider(createEvent(sibling.props, on(sibling)))).rejects.toThrow(
      /ServiceConnect\.CreateNamespace: .*owned by service-connect\/apps\.local\/service\/crystal/,
    );

    const { ServiceConnect: _sc, ...existing } = sibling.props;
    const joined = await provider(createEvent(existing, on(sibling)));
    world.emulator.clearRequests();
    await expect(
      provider(updateEvent(joined.PhysicalResourceId, sibling.props, existing, on(sibling))),
    ).rejects.toThrow(/ServiceConnect\.CreateNamespace: .*owned by/);
    expect(mutating(world.emulator)).toEqual([]);
  });

  test('WHEN another stack declares it as existing THEN it is used without being owned, and the owner’s Delete leaves it while Cloud Map counts the other stack’s service in it', async () => {
    const provider = world.provider();
    const a = await team('team-a', 'crystal', { ServiceConnect: { CreateNamespace: 'true' } });
    const owner = await provider(createEvent(a.props, on(a)));
    const [before] = namespaces(world.emulator);

    const b = await team('team-b', 'nodejs');
    const joined = await provider(createEvent(b.props, on(b)));
    expect(joined.Data!.NamespaceArn).toBe(owner.Data!.NamespaceArn);
    const [after] = namespaces(world.emulator);
    expect(after!.Tags).toEqual(before!.Tags);

    // Both templates run an ECS service in the namespace; team-a's stack is deleted (its ECS service first).
    await ecsServiceOf('crystal', owner.Data!);
    await ecsServiceOf('nodejs', joined.Data!);
    expect(await cloudMapServices(after!.Id)).toEqual(['crystal', 'nodejs']);
    await ecs.send(new DeleteServiceCommand({ cluster: 'apps', service: 'crystal' }));
    expect(await cloudMapServices(after!.Id)).toEqual(['nodejs']);
    await provider(deleteEvent(owner.PhysicalResourceId, a.props, on(a)));
    expect(namespaces(world.emulator).map((n) => [n.Name, n.ServiceCount])).toEqual([['apps.local', 1]]);

    // team-b's Delete never deletes a namespace it does not own, in use or not.
    await ecs.send(new DeleteServiceCommand({ cluster: 'apps', service: 'nodejs' }));
    await provider(deleteEvent(joined.PhysicalResourceId, b.props, on(b)));
    expect(namespaces(world.emulator).map((n) => n.Name)).toEqual(['apps.local']);
  });
});
