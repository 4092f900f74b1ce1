/**
 * The VPC Lattice backend through the real handler and SDK clients against the emulator, as CloudFormation drives
 * it: Create, re-delivery, in-place Update (a weight change is one call), the refusals that come before any change,
 * replacement beside the old service, Delete of everything owned.
 */
import {
  CreateServiceCommand,
  CreateServiceNetworkCommand,
  CreateTargetGroupCommand,
  GetAuthPolicyCommand,
  GetListenerCommand,
  GetRuleCommand,
  ListAccessLogSubscriptionsCommand,
  ListListenersCommand,
  ListRulesCommand,
  ListServiceNetworkServiceAssociationsCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  ListTargetGroupsCommand,
  VPCLatticeClient,
} from '@aws-sdk/client-vpc-lattice';
import { TAG } from '../../lambda/ownership';
import { revision } from '../serviceconnect/support';
import {
  createEvent,
  deleteEvent,
  type Props,
  STACK_ID,
  startWorld,
  updateEvent,
  type World,
} from '../support/harness';

const VPC = 'vpc-0abc1234def567890';
/** The Lattice operations that change something. */
const LATTICE_OPERATIONS = new Set([
  'CreateService',
  'UpdateService',
  'DeleteService',
  'CreateTargetGroup',
  'UpdateTargetGroup',
  'DeleteTargetGroup',
  'CreateListener',
  'UpdateListener',
  'DeleteListener',
  'CreateRule',
  'UpdateRule',
  'BatchUpdateRule',
  'DeleteRule',
  'CreateServiceNetworkServiceAssociation',
  'DeleteServiceNetworkServiceAssociation',
  'PutAuthPolicy',
  'DeleteAuthPolicy',
  'CreateAccessLogSubscription',
  'UpdateAccessLogSubscription',
  'DeleteAccessLogSubscription',
  'TagResource',
  'UntagResource',
]);

let world: World;
let lattice: VPCLatticeClient;
let networkArn: string;
beforeAll(async () => {
  world = await startWorld();
  lattice = new VPCLatticeClient({});
});
afterAll(async () => {
  lattice.destroy();
  await world.close();
});
beforeEach(async () => {
  world.emulator.reset();
  const network = await lattice.send(new CreateServiceNetworkCommand({ name: 'platform' }));
  networkArn = network.arn!;
});

/** The Lattice calls of the log that change something. */
const latticeWrites = () =>
  world.emulator.requests
    .filter((r) => r.service === 'vpclattice' && LATTICE_OPERATIONS.has(r.operation))
    .map((r) => r.operation);

const canary = (td1: string, td2: string, over: Props = {}): Props => ({
  Backend: 'VpcLattice',
  MeshName: 'ecs-mesh',
  ServiceName: 'frontend',
  Namespace: 'service.local',
  Port: '3000',
  HealthCheck: { Path: '/health', IntervalMillis: '10000' },
  VpcLattice: { ServiceNetwork: 'platform', VpcId: VPC },
  Versions: [
    { Name: 'v1', Weight: '90', TaskDefinition: td1 },
    { Name: 'v2', Weight: '10', TaskDefinition: td2 },
  ],
  Routes: [
    {
      Name: 'beta',
      Priority: '0',
      Match: { Headers: [{ Name: 'x-beta', Exact: 'yes' }] },
      Targets: [{ Version: 'v2', Weight: '1' }],
    },
    { Name: 'default' },
  ],
  Tags: [{ Key: 'team', Value: 'web' }],
  ...over,
});

async function services() {
  return (await lattice.send(new ListServicesCommand({}))).items ?? [];
}
async function targetGroups() {
  return (await lattice.send(new ListTargetGroupsCommand({}))).items ?? [];
}
async function tagsOf(arn: string) {
  return (await lattice.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags ?? {};
}
async function listenerOf(serviceId: string) {
  const [l] = (await lattice.send(new ListListenersCommand({ serviceIdentifier: serviceId }))).items ?? [];
  return lattice.send(new GetListenerCommand({ serviceIdentifier: serviceId, listenerIdentifier: l!.id! }));
}
async function rulesOf(serviceId: string, listenerId: string) {
  const items =
    (
      await lattice.send(
        new ListRulesCommand({ serviceIdentifier: serviceId, listenerIdentifier: listenerId }),
      )
    ).items ?? [];
  return Promise.all(
    items
      .filter((r) => !r.isDefault)
      .map((r) =>
        lattice.send(
          new GetRuleCommand({
            serviceIdentifier: serviceId,
            listenerIdentifier: listenerId,
            ruleIdentifier: r.id!,
          }),
        ),
      ),
  );
}

describe('GIVEN a Create with Backend VpcLattice', () => {
  test('WHEN the service network exists THEN the service, its target groups, listener, rules and association are created, owned, and the attributes wire each ECS service', async () => {
    const [td1, td2] = [await world.registerApp('frontend-v1'), await world.registerApp('frontend-v2')];
    world.emulator.clearRequests();
    const created = await world.provider()(createEvent(canary(td1, td2)));
    expect(created.PhysicalResourceId).toBe('vpc-lattice/service/frontend');
    expect(world.emulator.requests.filter((r) => r.service === 'appmesh')).toEqual([]);

    const [service] = await services();
    expect(service).toMatchObject({ name: 'frontend', customDomainName: 'frontend.service.local' });
    const groups = await targetGroups();
    expect(groups.map((g) => g.name).sort()).toEqual(['frontend-v1', 'frontend-v2']);
    expect(created.Data).toMatchObject({
      ServiceArn: service!.arn,
      ServiceNetworkArn: networkArn,
      CustomDomainName: 'frontend.service.local',
      'Versions.v1.TargetGroupArn': groups.find((g) => g.name === 'frontend-v1')!.arn,
      'Versions.v2.TargetGroupArn': groups.find((g) => g.name === 'frontend-v2')!.arn,
      PortName: 'http-3000',
      VirtualNodeName: '',
    });
    const tgArn = (name: string) => groups.find((g) => g.name === name)!.arn!;
    const listener = await listenerOf(service!.id!);
    expect(listener).toMatchObject({ protocol: 'HTTP', port: 3000 });
    // Lattice may answer a forward's target groups by id or ARN.
    const named = (identifier: string | undefined) =>
      groups.find((g) => g.id === identifier || g.arn === identifier)?.name;
    const weights = (targets: { targetGroupIdentifier?: string; weight?: number }[] | undefined) =>
      (targets ?? []).map((t) => [named(t.targetGroupIdentifier), t.weight]);
    expect(weights(listener.defaultAction?.forward?.targetGroups)).toEqual([
      ['frontend-v1', 90],
      ['frontend-v2', 10],
    ]);
    const [rule] = await rulesOf(service!.id!, listener.id!);
    expect(rule).toMatchObject({
      name: 'beta',
      priority: 1,
      match: {
        httpMatch: { headerMatches: [expect.objectContaining({ name: 'x-beta', match: { exact: 'yes' } })] },
      },
    });
    expect(weights(rule!.action?.forward?.targetGroups)).toEqual([['frontend-v2', 1]]);
    const associations = await lattice.send(
      new ListServiceNetworkServiceAssociationsCommand({ serviceIdentifier: service!.id! }),
    );
    expect(associations.items?.map((a) => a.serviceNetworkArn)).toEqual([networkArn]);
    // Everything created carries the ownership tags and the Tags property.
    for (const arn of [
      service!.arn!,
      tgArn('frontend-v1'),
      tgArn('frontend-v2'),
      listener.arn!,
      rule!.arn!,
    ]) {
      expect(await tagsOf(arn)).toMatchObject({
        [TAG.owner]: created.PhysicalResourceId,
        [TAG.stackId]: STACK_ID,
        team: 'web',
      });
    }
    // The revisions are prepared for Lattice: the port named, no sidecar.
    const prepared = revision(world.emulator, created.Data!['Versions.v1.TaskDefinitionArn']!);
    expect(prepared.containerDefinitions.map((c) => c.name)).toEqual(['frontend-v1']);
    expect(prepared.containerDefinitions[0]!.portMappings).toEqual([
      expect.objectContaining({ containerPort: 3000, name: 'http-3000' }),
    ]);
  });

  test('WHEN the same Create is delivered again THEN it answers the same and creates nothing', async () => {
    const [td1, td2] = [await world.registerApp('frontend-v1'), await world.registerApp('frontend-v2')];
    const event = createEvent(canary(td1, td2));
    const first = await world.provider()(event);
    world.emulator.clearRequests();
    const again = await world.provider()(event);
    expect(again).toEqual(first);
    expect(latticeWrites().filter((op) => op.startsWith('Create'))).toEqual([]);
    expect((await services()).length).toBe(1);
    expect((await targetGroups()).length).toBe(2);
  });

  test('WHEN a Lattice service of that name is not this resource THEN the Create is refused naming ServiceName, before any change', async () => {
    await lattice.send(new CreateServiceCommand({ name: 'frontend' }));
    const [td1, td2] = [await world.registerApp('frontend-v1'), await world.registerApp('frontend-v2')];
    world.emulator.clearRequests();
    await expect(world.provider()(createEvent(canary(td1, td2)))).rejects.toThrow(
      /ServiceName: the VPC Lattice service "frontend" exists and is not created by Custom::MeshService/,
    );
    expect(latticeWrites()).toEqual([]);
    expect(world.emulator.requests.filter((r) => r.operation === 'RegisterTaskDefinition')).toEqual([]);
  });

  test('WHEN the service network does not exist THEN the Create is refused naming VpcLattice.ServiceNetwork, before any change', async () => {
    const [td1, td2] = [await world.registerApp('frontend-v1'), await world.registerApp('frontend-v2')];
    world.emulator.clearRequests();
    const props = canary(td1, td2, { VpcLattice: { ServiceNetwork: 'elsewhere', VpcId: VPC } });
    await expect(world.provider()(createEvent(props))).rejects.toThrow(
      /VpcLattice\.ServiceNetwork: the service network "elsewhere" was not found/,
    );
    expect(latticeWrites()).toEqual([]);
  });
});

describe('GIVEN a Lattice service', () => {
  let td1: string;
  let td2: string;
  let physicalId: string;
  beforeEach(async () => {
    [td1, td2] = [await world.registerApp('frontend-v1'), await world.registerApp('frontend-v2')];
    physicalId = (await world.provider()(createEvent(canary(td1, td2)))).PhysicalResourceId;
    world.emulator.clearRequests();
  });

  test('WHEN the default route moves 90/10 → 50/50 THEN exactly one UpdateListener changes Lattice (beside the window claim)', async () => {
    const old = canary(td1, td2);
    const props = canary(td1, td2, {
      Versions: [
        { Name: 'v1', Weight: '50', TaskDefinition: td1 },
        { Name: 'v2', Weight: '50', TaskDefinition: td2 },
      ],
    });
    await world.provider()(updateEvent(physicalId, props, old));
    expect(latticeWrites().filter((op) => op !== 'TagResource')).toEqual(['UpdateListener']);
    const [service] = await services();
    const listener = await listenerOf(service!.id!);
    expect(listener.defaultAction?.forward?.targetGroups?.map((t) => t.weight)).toEqual([50, 50]);
  });

  test("WHEN a rule's weights change THEN exactly one UpdateRule changes Lattice (beside the window claim)", async () => {
    const old = canary(td1, td2);
    const routes = (old.Routes as Props[]).map((r) =>
      r.Name === 'beta'
        ? {
            ...r,
            Targets: [
              { Version: 'v1', Weight: '1' },
              { Version: 'v2', Weight: '1' },
            ],
          }
        : r,
    );
    await world.provider()(updateEvent(physicalId, canary(td1, td2, { Routes: routes }), old));
    expect(latticeWrites().filter((op) => op !== 'TagResource')).toEqual(['UpdateRule']);
  });

  test('WHEN the same properties are sent again THEN no Lattice resource changes', async () => {
    const props = canary(td1, td2);
    await world.provider()(updateEvent(physicalId, props, props));
    expect(latticeWrites().filter((op) => op !== 'TagResource')).toEqual([]);
  });

  test('WHEN Port changes in place THEN it is refused naming Port, before any change', async () => {
    const old = canary(td1, td2);
    await expect(
      world.provider()(updateEvent(physicalId, canary(td1, td2, { Port: '8080' }), old)),
    ).rejects.toThrow(/Port: the listener is HTTP on 3000, and Lattice cannot change/);
    expect(latticeWrites()).toEqual([]);
  });

  test('WHEN ServiceName changes THEN the replacement is built beside the old service, which its Delete removes', async () => {
    const old = canary(td1, td2);
    const next = canary(td1, td2, { ServiceName: 'frontend-next' });
    const replaced = await world.provider()(updateEvent(physicalId, next, old));
    expect(replaced.PhysicalResourceId).toBe('vpc-lattice/service/frontend-next');
    expect((await services()).map((s) => s.name).sort()).toEqual(['frontend', 'frontend-next']);
    await world.provider()(deleteEvent(physicalId, old));
    expect((await services()).map((s) => s.name)).toEqual(['frontend-next']);
    expect((await targetGroups()).map((g) => g.name).sort()).toEqual([
      'frontend-next-v1',
      'frontend-next-v2',
    ]);
  });

  test('WHEN it is deleted THEN nothing it owned is left: service, target groups, listener, rules, association, revisions', async () => {
    const props = canary(td1, td2);
    await world.provider()(deleteEvent(physicalId, props));
    expect(await services()).toEqual([]);
    expect(await targetGroups()).toEqual([]);
    const snap = world.emulator.snapshot(['ecs']);
    expect(
      snap.ecs.taskDefinitions.filter(
        (t) => t.status === 'ACTIVE' && t.tags.some((x) => x.key === TAG.owner && x.value === physicalId),
      ),
    ).toEqual([]);
    // A Delete delivered again finds nothing and succeeds.
    await world.provider()(deleteEvent(physicalId, props));
  });

  test('WHEN it is deleted THEN its listener goes beside the association, and the target groups, no rule naming them any more, do not wait for DeleteService', async () => {
    // GIVEN DeleteService refuses once (the target groups used to be deleted only after it)
    const props = canary(td1, td2);
    world.emulator.faults.failNth('vpclattice:DeleteService', 1, {
      type: 'ConflictException',
      status: 409,
      message: 'injected fault',
    });
    await expect(world.provider()(deleteEvent(physicalId, props))).rejects.toThrow(/injected fault/);
    const writes = latticeWrites();
    expect(writes.indexOf('DeleteListener')).toBeGreaterThanOrEqual(0);
    expect(writes.indexOf('DeleteListener')).toBeLessThan(writes.indexOf('DeleteTargetGroup'));
    expect(await targetGroups()).toEqual([]);
    const [left] = await services();
    expect((await lattice.send(new ListListenersCommand({ serviceIdentifier: left!.id! }))).items).toEqual(
      [],
    );
    // WHEN CloudFormation retries the Delete THEN the service goes too
    await world.provider()(deleteEvent(physicalId, props));
    expect(await services()).toEqual([]);
  });
});

describe('GIVEN the options of Backend VpcLattice', () => {
  test('WHEN AWS_IAM and access logs are asked, then dropped THEN the auth policy and the subscription follow', async () => {
    const [td1, td2] = [await world.registerApp('frontend-v1'), await world.registerApp('frontend-v2')];
    const logs = 'arn:aws:logs:us-east-1:111122223333:log-group:lattice-frontend';
    const plain = canary(td1, td2);
    const secured = canary(td1, td2, {
      VpcLattice: {
        ServiceNetwork: 'platform',
        VpcId: VPC,
        AuthType: 'AWS_IAM',
        AllowedPrincipals: ['444455556666'],
        AccessLogDestinationArn: logs,
      },
    });
    const { PhysicalResourceId: id } = await world.provider()(createEvent(secured));
    const [service] = await services();
    expect(service!.arn).toBeDefined();
    const policy = await lattice.send(new GetAuthPolicyCommand({ resourceIdentifier: service!.arn! }));
    expect(JSON.parse(policy.policy!).Statement[0].Principal).toEqual({ AWS: ['444455556666'] });
    const subscriptions = await lattice.send(
      new ListAccessLogSubscriptionsCommand({ resourceIdentifier: service!.arn! }),
    );
    expect(subscriptions.items?.map((a) => a.destinationArn)).toEqual([logs]);

    world.emulator.clearRequests();
    await world.provider()(updateEvent(id, plain, secured));
    expect(
      latticeWrites()
        .filter((op) => op !== 'TagResource')
        .sort(),
    ).toEqual(['DeleteAccessLogSubscription', 'DeleteAuthPolicy', 'UpdateService']);
    const after = await lattice.send(
      new ListAccessLogSubscriptionsCommand({ resourceIdentifier: service!.arn! }),
    );
    expect(after.items).toEqual([]);
    await world.provider()(deleteEvent(id, plain));
    expect(await services()).toEqual([]);
  });
});

describe('GIVEN a replacement whose new service CloudFormation never recorded', () => {
  test('WHEN the rollback Update names it as the old properties THEN its Lattice service and target groups are removed, the live one kept', async () => {
    const [td1, td2] = [await world.registerApp('frontend-v1'), await world.registerApp('frontend-v2')];
    const live = canary(td1, td2);
    const attempt = canary(td1, td2, { ServiceName: 'frontend-next' });
    const { PhysicalResourceId: id } = await world.provider()(createEvent(live));
    // The replacement built frontend-next, then its answer was lost (the Lambda killed).
    await world.provider()(updateEvent(id, attempt, live));
    expect((await services()).map((s) => s.name).sort()).toEqual(['frontend', 'frontend-next']);
    // CloudFormation rolls back on the id it holds, naming the failed properties as the old ones.
    await world.provider()(updateEvent(id, live, attempt));
    expect((await services()).map((s) => s.name)).toEqual(['frontend']);
    expect((await targetGroups()).map((g) => g.name).sort()).toEqual(['frontend-v1', 'frontend-v2']);
  });
});

/** The frontend without Versions: one target group, named after the service. */
const singleFrontend = (taskDefinition: string): Props => ({
  Backend: 'VpcLattice',
  MeshName: 'ecs-mesh',
  ServiceName: 'frontend',
  Namespace: 'service.local',
  Port: '3000',
  VpcLattice: { ServiceNetwork: 'platform', VpcId: VPC },
  TaskDefinition: taskDefinition,
});

describe('GIVEN a Lattice service without Versions, serving from its target group', () => {
  test('WHEN a canary is added whose first version keeps that target group, and later removed THEN the serving target group is never replaced, and Delete leaves nothing', async () => {
    const [td1, td2] = [await world.registerApp('frontend-v1'), await world.registerApp('frontend-v2')];
    const single = singleFrontend(td1);
    const created = await world.provider()(createEvent(single));
    const serving = created.Data!.TargetGroupArn!;
    expect((await targetGroups()).map((g) => [g.name, g.arn])).toEqual([['frontend', serving]]);
    const servingDeletes = () =>
      world.emulator.requests.filter(
        (r) =>
          r.operation === 'DeleteTargetGroup' &&
          [serving, serving.split('/').pop()].includes(
            (r.input as { targetGroupIdentifier?: string }).targetGroupIdentifier,
          ),
      );
    const forwards = async () => {
      const groups = await targetGroups();
      const [service] = await services();
      const listener = await listenerOf(service!.id!);
      return (listener.defaultAction?.forward?.targetGroups ?? []).map((t) => [
        groups.find((g) => g.id === t.targetGroupIdentifier || g.arn === t.targetGroupIdentifier)?.arn,
        t.weight,
      ]);
    };

    // WHEN the canary is added, v1 keeping the serving target group
    const withCanary: Props = {
      ...single,
      TaskDefinition: undefined,
      Versions: [
        { Name: 'v1', Weight: '90', TaskDefinition: td1, TargetGroupName: 'frontend' },
        { Name: 'v2', Weight: '10', TaskDefinition: td2 },
      ],
    };
    const canaried = await world.provider()(updateEvent(created.PhysicalResourceId, withCanary, single));
    // THEN v1 answers the serving target group, which the listener forwards 90 to, and v2 is new beside it
    expect(canaried.Data!['Versions.v1.TargetGroupArn']).toBe(serving);
    const fresh = canaried.Data!['Versions.v2.TargetGroupArn']!;
    expect(fresh).not.toBe(serving);
    expect((await targetGroups()).map((g) => g.name).sort()).toEqual(['frontend', 'frontend-v2']);
    expect(await forwards()).toEqual([
      [serving, 90],
      [fresh, 10],
    ]);
    expect(servingDeletes()).toEqual([]);

    // WHEN the canary is removed: back to one version, on the serving target group
    const back: Props = {
      ...single,
      TaskDefinition: undefined,
      Versions: [{ Name: 'v1', TaskDefinition: td1, TargetGroupName: 'frontend' }],
    };
    const restored = await world.provider()(updateEvent(created.PhysicalResourceId, back, withCanary));
    expect(restored.Data!['Versions.v1.TargetGroupArn']).toBe(serving);
    expect(restored.Data!.TargetGroupArn).toBe(serving);
    expect((await targetGroups()).map((g) => g.arn)).toEqual([serving]);
    expect(await forwards()).toEqual([[serving, 100]]);
    // WHEN Versions is dropped as well THEN the single version is still served by it
    const plain = await world.provider()(updateEvent(created.PhysicalResourceId, single, back));
    expect(plain.Data!.TargetGroupArn).toBe(serving);
    expect(servingDeletes()).toEqual([]);

    // WHEN it is deleted THEN nothing is left
    await world.provider()(deleteEvent(created.PhysicalResourceId, single));
    expect(await services()).toEqual([]);
    expect(await targetGroups()).toEqual([]);
    expect(servingDeletes()).toHaveLength(1);
  });

  test('WHEN Versions are added, or removed, with every target group replaced THEN the Update is refused naming the property, before any change', async () => {
    const [td1, td2] = [await world.registerApp('frontend-v1'), await world.registerApp('frontend-v2')];
    const single = singleFrontend(td1);
    const { TaskDefinition: _, ...versioned } = single;
    const { PhysicalResourceId: id } = await world.provider()(createEvent(single));
    world.emulator.clearRequests();
    const fresh = {
      ...versioned,
      Versions: [
        { Name: 'v1', Weight: '90', TaskDefinition: td1 },
        { Name: 'v2', Weight: '10', TaskDefinition: td2 },
      ],
    };
    await expect(world.provider()(updateEvent(id, fresh, single))).rejects.toThrow(
      /Versions\[0\]\.TargetGroupName: every target group would be replaced \(frontend deleted; frontend-v1, frontend-v2 created\).*TargetGroupName: frontend/,
    );
    expect(latticeWrites()).toEqual([]);

    // GIVEN a canary whose versions all have target groups of their own
    await world.provider()(deleteEvent(id, single));
    const { PhysicalResourceId: canaryId } = await world.provider()(createEvent(fresh));
    world.emulator.clearRequests();
    await expect(world.provider()(updateEvent(canaryId, single, fresh))).rejects.toThrow(
      /Versions: every target group would be replaced \(frontend-v1, frontend-v2 deleted; frontend created\).*keep the serving version in Versions, alone/,
    );
    expect(latticeWrites()).toEqual([]);
  });

  test('WHEN the target group a version names is not this resource THEN the Create is refused naming Versions[].TargetGroupName, before any change', async () => {
    const [td1, td2] = [await world.registerApp('frontend-v1'), await world.registerApp('frontend-v2')];
    await lattice.send(
      new CreateTargetGroupCommand({
        name: 'shared',
        type: 'IP',
        config: { port: 3000, protocol: 'HTTP', vpcIdentifier: VPC },
      }),
    );
    world.emulator.clearRequests();
    const props = canary(td1, td2, {
      Versions: [
        { Name: 'v1', Weight: '90', TaskDefinition: td1, TargetGroupName: 'shared' },
        { Name: 'v2', Weight: '10', TaskDefinition: td2 },
      ],
    });
    await expect(world.provider()(createEvent(props))).rejects.toThrow(
      /Versions\[0\]\.TargetGroupName: the VPC Lattice target group "shared" exists and is not created by Custom::MeshService/,
    );
    expect(latticeWrites()).toEqual([]);
  });
});
