/**
 * Forged requests: anyone allowed to invoke the ServiceToken can send an event naming any stack. The provider acts
 * only on requests CloudFormation is really making (verified with DescribeStackResource for stacks of its account),
 * so a forged Delete, Update or Create changes nothing of what another team owns.
 */
import { DEFAULT_POLICY } from '../../lambda/policy';
import {
  createEvent,
  deleteEvent,
  type Props,
  startWorld,
  updateEvent,
  type World,
} from '../support/harness';
import { expectMeshMatches, mutatingCalls, revisions } from '../support/state';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

const VICTIM = {
  stackId:
    'arn:aws:cloudformation:us-east-1:111122223333:stack/payments/7a7a7a7a-0000-4000-8000-000000000001',
  logicalId: 'Payments',
};
const victimProps = async (): Promise<Props> => ({
  MeshName: 'ecs-mesh',
  ServiceName: 'payments',
  Namespace: 'service.local',
  Port: '3000',
  TaskDefinition: await world.registerApp('payments', {
    tags: [{ key: 'mesh-service:allowed-stacks', value: VICTIM.stackId }],
  }),
  Routes: [{ Name: 'main' }],
  Gateway: { VirtualGatewayName: 'ecsworkshop-vgw', RouteName: 'payments', Prefix: '/pay/' },
});

let props: Props;
let id: string;
let taskDefinition: string;
beforeAll(async () => {
  props = await victimProps();
  // The victim's own stack creates its service, through CloudFormation.
  const created = await world.provider()(createEvent(props, VICTIM));
  id = created.PhysicalResourceId;
  taskDefinition = created.Data!.TaskDefinitionArn!;
});
beforeEach(() => world.emulator.clearRequests());

/** A caller allowed to invoke the ServiceToken sends the event itself: CloudFormation is not running anything. */
const forger = () => world.provider({ cloudFormation: false });

function victimIntact(): void {
  expectMeshMatches(world.emulator, props, VICTIM.logicalId, VICTIM.stackId);
  expect(revisions(world.emulator, 'payments').find((r) => r.arn === taskDefinition)?.status).toBe('ACTIVE');
}

describe('GIVEN a service of another stack, idle (CloudFormation is not operating on it)', () => {
  test('WHEN a Delete naming its stack, logical id and physical id is sent THEN it is refused and nothing changes', async () => {
    await expect(forger()(deleteEvent(id, props, VICTIM))).rejects.toThrow(
      'Delete of Payments refused: Payments in stack payments is CREATE_COMPLETE, not DELETE_IN_PROGRESS, so the request does not come from a CloudFormation operation on it',
    );
    expect(mutatingCalls(world.emulator)).toEqual([]);
    victimIntact();
  });

  test('WHEN an Update rerouting it is sent THEN it is refused and nothing changes', async () => {
    const hijack = {
      ...props,
      Gateway: { VirtualGatewayName: 'ecsworkshop-vgw', RouteName: 'payments', Prefix: '/' },
    };
    await expect(forger()(updateEvent(id, hijack, props, VICTIM))).rejects.toThrow(
      /^Update of Payments refused/,
    );
    expect(mutatingCalls(world.emulator)).toEqual([]);
    victimIntact();
  });

  test('WHEN a Delete carries an old physical id as if cleaning up a replacement THEN it is refused (the stack is not cleaning up)', async () => {
    await expect(
      forger()(
        deleteEvent('mesh/ecs-mesh/service/payments-old', { ...props, ServiceName: 'payments-old' }, VICTIM),
      ),
    ).rejects.toThrow(
      /has the physical id mesh\/ecs-mesh\/service\/payments, not mesh\/ecs-mesh\/service\/payments-old, and the stack is UPDATE_COMPLETE, not cleaning up/,
    );
    expect(mutatingCalls(world.emulator)).toEqual([]);
  });
});

describe('GIVEN names another team will need', () => {
  test('WHEN a Create names a stack or logical id that CloudFormation is not creating THEN it is refused before any change', async () => {
    const squat: Props = {
      MeshName: 'ecs-mesh',
      ServiceName: 'checkout',
      Namespace: 'service.local',
      Port: '3000',
      Gateway: { VirtualGatewayName: 'ecsworkshop-vgw', RouteName: 'catch-all' },
    };
    await expect(forger()(createEvent(squat, { ...VICTIM, logicalId: 'Checkout' }))).rejects.toThrow(
      'Create of Checkout refused: stack payments (arn:aws:cloudformation:us-east-1:111122223333:stack/payments/7a7a7a7a-0000-4000-8000-000000000001) has no resource Checkout',
    );
    const made = `arn:aws:cloudformation:us-east-1:111122223333:stack/made-up/${'0'.repeat(8)}-0000-4000-8000-000000000000`;
    await expect(forger()(createEvent(squat, { stackId: made, logicalId: 'Checkout' }))).rejects.toThrow(
      /^Create of Checkout refused: stack made-up .* has no resource Checkout/,
    );
    expect(mutatingCalls(world.emulator)).toEqual([]);
  });

  test('WHEN the resource named is of another type THEN it is refused', async () => {
    const stackId = VICTIM.stackId;
    world.emulator.cloudformation.putStackResource(stackId, {
      logicalResourceId: 'Bucket',
      resourceType: 'AWS::S3::Bucket',
      resourceStatus: 'CREATE_IN_PROGRESS',
    });
    await expect(
      forger()(
        createEvent(
          { MeshName: 'ecs-mesh', ServiceName: 'bucket', Namespace: 'service.local', Port: '3000' },
          { stackId, logicalId: 'Bucket' },
        ),
      ),
    ).rejects.toThrow(
      'Create of Bucket refused: Bucket in stack payments is of type AWS::S3::Bucket, not Custom::MeshService',
    );
  });
});

describe('GIVEN the verification can be turned off (context verifyStackRequests=false)', () => {
  test('WHEN it is off THEN a request is not checked with CloudFormation at all', async () => {
    const open = world.provider({
      cloudFormation: false,
      policy: { ...DEFAULT_POLICY, verifyStacks: false },
    });
    const other = { ...VICTIM, logicalId: 'Unchecked' };
    const result = await open(
      createEvent(
        { MeshName: 'ecs-mesh', ServiceName: 'unchecked', Namespace: 'service.local', Port: '3000' },
        other,
      ),
    );
    expect(world.emulator.requests.some((r) => r.service === 'cloudformation')).toBe(false);
    await open(deleteEvent(result.PhysicalResourceId, {}, other));
  });
});

describe('GIVEN stacks of other accounts (the provider cannot read them)', () => {
  test('WHEN an allowed account sends a request THEN it is served without a CloudFormation call (the trust model says why)', async () => {
    const foreign =
      'arn:aws:cloudformation:us-east-1:444455556666:stack/team-x/7a7a7a7a-0000-4000-8000-00000000000f';
    const provider = world.provider({
      cloudFormation: false,
      policy: { ...DEFAULT_POLICY, invokerAccounts: ['444455556666'] },
    });
    const p = { MeshName: 'ecs-mesh', ServiceName: 'team-x', Namespace: 'service.local', Port: '3000' };
    const created = await provider(createEvent(p, { stackId: foreign }));
    expect(world.emulator.requests.some((r) => r.service === 'cloudformation')).toBe(false);
    await provider(deleteEvent(created.PhysicalResourceId, p, { stackId: foreign }));
  });
});
