/**
 * The reclaimer: a Create killed at any call leaves what it had made, and the Provider framework acknowledges
 * CloudFormation's rollback Delete without calling the handler. The stack's rollback event (EventBridge, "CloudFormation
 * Stack Status Change") makes the reclaimer remove what the dead ids of that stack own — so nothing is left and a new
 * stack wanting the same names gets them, without anyone running `mesh-service cleanup`. Never a stack in progress or
 * in a *_FAILED state.
 */
import { AppMeshClient } from '@aws-sdk/client-app-mesh';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { seedPlatform } from '../../emulator';
import { beginRequest } from '../../emulator/cloudformation/requests';
import { createLogger } from '../../lambda/log';
import { createReclaimer, type StackStatusEvent } from '../../lambda/reclaimer';
import { createStackApi } from '../../lambda/stack-verifier';
import { createEvent, deleteEvent, type Props, startWorld, type World } from '../support/harness';
import { orphansOf } from '../support/state';

let world: World;
let clients: { appMesh: AppMeshClient; ecs: ECSClient; tagging: ResourceGroupsTaggingAPIClient };
let cfn: CloudFormationClient;
beforeAll(async () => {
  world = await startWorld();
  cfn = new CloudFormationClient({});
  clients = {
    appMesh: new AppMeshClient({}),
    ecs: new ECSClient({}),
    tagging: new ResourceGroupsTaggingAPIClient({}),
  };
});
afterAll(async () => {
  for (const c of [...Object.values(clients), cfn]) c.destroy();
  await world.close();
});

const reclaimer = () =>
  createReclaimer(
    { ...clients, stacks: createStackApi(cfn) },
    createLogger({}, () => {}, 'error'),
  );

const props = (td: string): Props => ({
  MeshName: 'ecs-mesh',
  ServiceName: 'phoenix',
  Namespace: 'service.local',
  Port: '3000',
  TaskDefinition: td,
  Routes: [{ Name: 'main' }],
  Gateway: { VirtualGatewayName: 'ecsworkshop-vgw', RouteName: 'phoenix-route' },
});

/** The event EventBridge delivers when the stack reaches `status`. */
const statusEvent = (stackId: string, status: string): StackStatusEvent => ({
  source: 'aws.cloudformation',
  'detail-type': 'CloudFormation Stack Status Change',
  detail: { 'stack-id': stackId, 'status-details': { status } },
});

/** A fresh world with the application's task definition, granted to `stackId`. */
async function fresh(stackId: string): Promise<Props> {
  world.emulator.reset();
  await seedPlatform(world.emulator);
  return props(
    await world.registerApp('phoenix-app', {
      tags: [{ key: 'mesh-service:allowed-stacks', value: stackId }],
    }),
  );
}

/** Every call position of the Create, `service:Operation` with its number among the calls of that operation. */
async function positions(): Promise<{ operation: string; nth: number }[]> {
  const stackId = world.emulator.cloudformation.stackId('probe');
  const p = await fresh(stackId);
  world.emulator.clearRequests();
  await world.provider()(createEvent(p, { stackId }));
  const seen = new Map<string, number>();
  return world.emulator.requests.map((r) => {
    const operation = `${r.service}:${r.operation}`;
    const nth = (seen.get(operation) ?? 0) + 1;
    seen.set(operation, nth);
    return { operation, nth };
  });
}

/**
 * The Create killed at the call, then what CloudFormation and the framework do: the resource CREATE_FAILED, the
 * rollback's Delete acknowledged without the handler, the stack ROLLBACK_COMPLETE.
 */
async function killedAndRolledBack(p: Props, stackId: string, operation: string, nth: number): Promise<void> {
  world.emulator.faults.killAt(operation, nth, { applied: true });
  const event = createEvent(p, { stackId, logicalId: 'Phoenix' });
  const inProgress = beginRequest(world.emulator.cloudformation, event);
  const handler = world.provider({
    cloudFormation: false,
    caller: `ZOMBIE-${operation}-${nth}`.replace(/[^A-Za-z0-9]/g, ''),
    requestTimeoutMs: 600,
    remainingMs: 1_500,
    tuning: { maxTransientAttempts: 2, throttlingBaseMs: 5, transientBaseMs: 5, maxBackoffMs: 20 },
  });
  await expect(handler(event)).rejects.toThrow();
  inProgress.end({ failed: 'killed' });
  world.emulator.faults.clear();
  world.emulator.cloudformation.putStackResource(stackId, {
    logicalResourceId: 'Phoenix',
    resourceType: 'Custom::MeshService',
    resourceStatus: 'DELETE_COMPLETE',
  });
  world.emulator.cloudformation.setStackStatus(stackId, 'ROLLBACK_COMPLETE');
}

describe('GIVEN a Create killed at a call, and its stack rolled back', () => {
  test('WHEN the stack rollback event reaches the reclaimer, at every kill position THEN no owned resource is left and a new stack gets the names', async () => {
    const all = await positions();
    expect(all.length).toBeGreaterThan(20);
    const left: string[] = [];
    for (const { operation, nth } of all) {
      const dead = world.emulator.cloudformation.stackId('doomed');
      const p = await fresh(dead);
      await killedAndRolledBack(p, dead, operation, nth);
      await reclaimer().onEvent(statusEvent(dead, 'ROLLBACK_COMPLETE'));
      const orphans = orphansOf(world, {
        physicalIds: ['mesh/ecs-mesh/service/phoenix'],
        families: ['phoenix-app'],
      });
      if (orphans.length) left.push(`${operation} #${nth}: ${orphans.join(', ')}`);
      // A new stack wanting the same names gets them.
      const next = world.emulator.cloudformation.stackId('reborn');
      const q = props(
        await world.registerApp('phoenix-app', {
          tags: [{ key: 'mesh-service:allowed-stacks', value: next }],
        }),
      );
      const created = await world.provider()(createEvent(q, { stackId: next, logicalId: 'Phoenix' }));
      await world.provider()(
        deleteEvent(created.PhysicalResourceId, q, { stackId: next, logicalId: 'Phoenix' }),
      );
    }
    expect(left).toEqual([]);
  });
});

describe('GIVEN a stack that is not done', () => {
  test.each(['UPDATE_ROLLBACK_FAILED', 'ROLLBACK_IN_PROGRESS'])(
    'WHEN the reclaimer is told of the stack while it is %s THEN it removes nothing',
    async (status) => {
      const dead = world.emulator.cloudformation.stackId('doomed');
      const p = await fresh(dead);
      await killedAndRolledBack(p, dead, 'appmesh:CreateRoute', 1);
      world.emulator.cloudformation.setStackStatus(dead, status);
      const before = orphansOf(world, {
        physicalIds: ['mesh/ecs-mesh/service/phoenix'],
        families: ['phoenix-app'],
      });
      expect(before.length).toBeGreaterThan(0);
      await reclaimer().onEvent(statusEvent(dead, 'ROLLBACK_COMPLETE'));
      expect(
        orphansOf(world, { physicalIds: ['mesh/ecs-mesh/service/phoenix'], families: ['phoenix-app'] }),
      ).toEqual(before);
    },
  );
});

// The scheduled backstop: the same judgement over every owner of the account.
describe('GIVEN a killed Create whose stack event was missed', () => {
  test('WHEN the scheduled sweep runs THEN it removes what the dead id owns and keeps a live service', async () => {
    const dead = world.emulator.cloudformation.stackId('doomed');
    const p = await fresh(dead);
    await killedAndRolledBack(p, dead, 'appmesh:CreateVirtualService', 1);
    const live = world.emulator.cloudformation.stackId('alive');
    const q = {
      ...props(
        await world.registerApp('alive-app', { tags: [{ key: 'mesh-service:allowed-stacks', value: live }] }),
      ),
      ServiceName: 'alive',
      Gateway: { VirtualGatewayName: 'ecsworkshop-vgw', RouteName: 'alive-route' },
    };
    await world.provider()(createEvent(q, { stackId: live, logicalId: 'Alive' }));
    await reclaimer().onEvent({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} });
    expect(
      orphansOf(world, { physicalIds: ['mesh/ecs-mesh/service/phoenix'], families: ['phoenix-app'] }),
    ).toEqual([]);
    expect(
      orphansOf(world, { physicalIds: ['mesh/ecs-mesh/service/alive'], families: ['alive-app'] }).length,
    ).toBeGreaterThan(0);
  });
});
