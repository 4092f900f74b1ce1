/**
 * Behaviour a template author sees beyond the lifecycle: one-line reasons for what is missing, the 4096-byte
 * response limit checked before any call, and the call structure (independent calls in parallel, ECS alongside
 * App Mesh) — asserted on the emulator's request log with injected latency, not on wall-clock time.
 */
import { DEFAULT_POLICY } from '../../lambda/policy';
import { createEvent, deleteEvent, type Props, startWorld, type World } from '../support/harness';
import { expectNothingLeft, mutatingCalls } from '../support/state';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());
beforeEach(() => {
  world.emulator.clearRequests();
  world.emulator.faults.clear();
});

const base: Props = {
  MeshName: 'ecs-mesh',
  ServiceName: 'behaviour',
  Namespace: 'service.local',
  Port: '3000',
};

describe('GIVEN something the service needs does not exist', () => {
  test.each([
    [{ MeshName: 'nope' }, 'mesh "nope" not found; create it first (MeshName must name an existing mesh)'],
    [
      { MeshName: 'ecs-mesh', MeshOwner: '999988887777' },
      'mesh "ecs-mesh" owned by 999988887777 not found or not shared with this account; create it first (MeshName must name an existing mesh)',
    ],
    [
      { Gateway: { VirtualGatewayName: 'ecsworkshop-vgw2' } },
      'virtual gateway "ecsworkshop-vgw2" not found in mesh "ecs-mesh"',
    ],
    [
      { TaskDefinition: 'nothing-here:7' },
      'TaskDefinition "nothing-here:7" not found; check the ARN, family and revision',
    ],
  ])('WHEN %j THEN the Create fails with one actionable line and changes nothing', async (change, reason) => {
    // The other account is one the provider may use meshes of: App Mesh itself answers that the mesh is not shared.
    const provider = world.provider({ policy: { ...DEFAULT_POLICY, sharedMeshOwners: ['999988887777'] } });
    await expect(provider(createEvent({ ...base, ...change }))).rejects.toThrow(reason);
    expect(mutatingCalls(world.emulator)).toEqual([]);
  });

  test('WHEN the task definition cannot take a sidecar THEN the refusal says what to change, before any change', async () => {
    const td = await world.registerApp('bridge-app', {
      networkMode: 'bridge',
      requiresCompatibilities: ['EC2'],
      cpu: undefined,
      memory: undefined,
      containerDefinitions: [
        { name: 'bridge-app', image: 'nginx', memory: 256, portMappings: [{ containerPort: 3000 }] },
      ],
    });
    world.emulator.clearRequests();
    await expect(world.provider()(createEvent({ ...base, TaskDefinition: td }))).rejects.toThrow(
      /networkMode is bridge, but an APPMESH proxy configuration needs awsvpc \(EC2 tasks too\); set NetworkMode: awsvpc/,
    );
    expect(mutatingCalls(world.emulator)).toEqual([]);
  });
});

describe("GIVEN CloudFormation's 4096-byte response limit", () => {
  test('WHEN the attributes could not fit THEN the request is refused before any AWS call', async () => {
    const long = (i: number) => `v${i}${'x'.repeat(29)}`;
    const props: Props = {
      ...base,
      ServiceName: 's'.repeat(63),
      Versions: Array.from({ length: 10 }, (_, i) => ({
        Name: long(i),
        VirtualNodeName: `${'n'.repeat(200)}${i}`,
        DiscoveryAttributes: { ECS_TASK_DEFINITION_FAMILY: `f${i}` },
        Weight: 10,
      })),
    };
    await expect(world.provider()(createEvent(props))).rejects.toThrow(
      /the resource's attributes would make a \d+-byte response, over CloudFormation's 4096-byte limit; use shorter names or fewer Versions/,
    );
    expect(world.emulator.requests).toEqual([]);
  });
});

describe('GIVEN the dependency order node → router → routes → service → gateway route', () => {
  test('WHEN a service with two versions, routes and a gateway route is created THEN each level runs in parallel, after the one before, with ECS alongside', async () => {
    const a = await world.registerApp('structure-a');
    const b = await world.registerApp('structure-b');
    const props: Props = {
      ...base,
      Versions: [
        { Name: 'a', TaskDefinition: a, Weight: 50 },
        { Name: 'b', TaskDefinition: b, Weight: 50 },
      ],
      Routes: [{ Name: 'one' }, { Name: 'two', Match: { Prefix: '/two/' } }],
      Gateway: { VirtualGatewayName: 'ecsworkshop-vgw' },
    };
    world.emulator.faults.latency('appmesh', 300);
    world.emulator.faults.latency('ecs', 300);
    world.emulator.clearRequests();
    const created = await world.provider()(createEvent(props));
    world.emulator.faults.clear();

    const calls = world.emulator.requests.filter((r) => /^(Create|Register)/.test(r.operation));
    const window = (op: string) =>
      calls.filter((c) => c.operation === op).map((c) => [c.startedAt, c.startedAt + c.durationMs] as const);
    const overlap = (x: readonly [number, number], y: readonly [number, number]) =>
      x[0] < y[1] && y[0] < x[1];
    const [nodeA, nodeB] = window('CreateVirtualNode');
    const [router] = window('CreateVirtualRouter');
    const [route1, route2] = window('CreateRoute');
    const [service] = window('CreateVirtualService');
    const [gatewayRoute] = window('CreateGatewayRoute');
    const [registerA, registerB] = window('RegisterTaskDefinition');
    // Same level: concurrent.
    expect(overlap(nodeA!, nodeB!) && overlap(nodeA!, router!)).toBe(true);
    expect(overlap(route1!, route2!) && overlap(route1!, service!)).toBe(true);
    // Next level: only after the previous one finished.
    expect(route1![0]).toBeGreaterThanOrEqual(Math.max(nodeA![1], nodeB![1], router![1]) - 1);
    expect(gatewayRoute![0]).toBeGreaterThanOrEqual(Math.max(route1![1], route2![1], service![1]) - 1);
    // ECS registrations run while App Mesh creates the first level (the node ARN is known in advance).
    expect(overlap(registerA!, nodeA!) || overlap(registerB!, nodeA!)).toBe(true);

    await world.provider()(deleteEvent(created.PhysicalResourceId, props));
    expectNothingLeft(world.emulator);
  });
});
