/**
 * The reclaimer, through its Lambda entry (lambda/reclaim.ts) as EventBridge invokes it: a Create killed at any call
 * leaves what it had made, and the Provider framework acknowledges CloudFormation's rollback Delete without calling
 * the handler. The stack's rollback event ("CloudFormation Stack Status Change", detail.status-details.status
 * ROLLBACK_COMPLETE) makes the reclaimer remove what the dead ids of that stack own — with every backend's own
 * removal (App Mesh, Service Connect's namespace, VPC Lattice's service and target groups) and the revisions — so
 * nothing is left and a new stack wanting the same names gets them, without anyone running `mesh-service cleanup`.
 * Never a stack in progress or in a *_FAILED state.
 */
import { CreateServiceNetworkCommand, VPCLatticeClient } from '@aws-sdk/client-vpc-lattice';
import type { Context } from 'aws-lambda';
import { credentialsFor, seedPlatform } from '../../emulator';
import { beginRequest } from '../../emulator/cloudformation/requests';
import {
  RECLAIMER_APP_MESH_ACTIONS,
  RECLAIMER_CLOUDFORMATION_ACTIONS,
  RECLAIMER_ELB_DELETE_ACTIONS,
  RECLAIMER_ELB_READ_ACTIONS,
  RECLAIMER_LATTICE_ACTIONS,
  RECLAIMER_UNSCOPED_ACTIONS,
} from '../../infra/reclaimer';
import { createLogger } from '../../lambda/log';
import { createReclaimHandler, type StackStatusEvent } from '../../lambda/reclaim';
import { seedIngressListener } from '../../scripts/demo-ingress';
import { createEvent, deleteEvent, type Props, startWorld, type World } from '../support/harness';
import { ownedResources } from '../support/state';

let world: World;
let lattice: VPCLatticeClient;
beforeAll(async () => {
  world = await startWorld();
  lattice = new VPCLatticeClient({});
});
afterAll(async () => {
  lattice.destroy();
  await world.close();
});

/** The reclaimer's own access key: its calls are told apart in the emulator's log. */
const RECLAIMER = credentialsFor('111122223333', 'RECLAIMER');

/** The reclaimer Lambda, one execution environment of it. */
const reclaim = () => {
  const entry = createReclaimHandler({
    log: createLogger({}, () => {}, 'error'),
    clients: { credentials: RECLAIMER },
  });
  const context = {
    awsRequestId: 'reclaim-invocation',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:MeshServiceProvider-Reclaimer',
    getRemainingTimeInMillis: () => 60_000,
  } as Context;
  return (event: StackStatusEvent) => entry(event, context);
};

/** The event EventBridge delivers when the stack reaches `status` (CloudFormation User Guide, its detail fields). */
const statusEvent = (stackId: string, status: string): StackStatusEvent => ({
  source: 'aws.cloudformation',
  'detail-type': 'CloudFormation Stack Status Change',
  detail: { 'stack-id': stackId, 'status-details': { status } },
});

/** Its role's actions (infra/reclaimer.ts), and the IAM prefix of each emulated service. */
const ALLOWED = new Set<string>([
  ...RECLAIMER_APP_MESH_ACTIONS,
  ...RECLAIMER_CLOUDFORMATION_ACTIONS,
  ...RECLAIMER_LATTICE_ACTIONS,
  ...RECLAIMER_UNSCOPED_ACTIONS,
  ...RECLAIMER_ELB_READ_ACTIONS,
  ...RECLAIMER_ELB_DELETE_ACTIONS,
]);
const IAM_PREFIX: Record<string, string> = {
  tagging: 'tag',
  vpclattice: 'vpc-lattice',
  elbv2: 'elasticloadbalancing',
};
/** The reclaimer's calls of the log as IAM actions. */
const reclaimerActions = () =>
  world.emulator.requests
    .filter((r) => r.accessKeyId === RECLAIMER.accessKeyId)
    .map((r) => `${IAM_PREFIX[r.service] ?? r.service}:${r.operation}`);

interface Scenario {
  readonly backend: string;
  /** The platform after a reset. */
  readonly platform: () => Promise<unknown>;
  readonly props: (td: string) => Props;
}

/** The Service Connect service both Service Connect scenarios create. */
const serviceConnect = (td: string): Props => ({
  Backend: 'ServiceConnect',
  MeshName: 'ecs-mesh',
  ServiceName: 'phoenix',
  Namespace: 'phoenix.local',
  ServiceConnect: { CreateNamespace: 'true' },
  Port: '3000',
  TaskDefinition: td,
});

const SCENARIOS: Scenario[] = [
  {
    backend: 'AppMesh',
    platform: () => seedPlatform(world.emulator),
    props: (td) => ({
      MeshName: 'ecs-mesh',
      ServiceName: 'phoenix',
      Namespace: 'service.local',
      Port: '3000',
      TaskDefinition: td,
      Routes: [{ Name: 'main' }],
      Gateway: { VirtualGatewayName: 'ecsworkshop-vgw', RouteName: 'phoenix-route' },
    }),
  },
  {
    backend: 'ServiceConnect',
    platform: async () => {},
    props: (td) => serviceConnect(td),
  },
  {
    // A Gateway: the resource also owns an ALB listener rule and a target group on the platform's listener.
    backend: 'ServiceConnect with a Gateway',
    platform: async () => {
      ingressListenerArn = (await seedIngressListener()).MeshIngressListenerArn!;
    },
    props: (td) => ({
      ...serviceConnect(td),
      Gateway: { ListenerArn: ingressListenerArn, Prefix: '/phoenix' },
    }),
  },
  {
    backend: 'VpcLattice',
    platform: () => lattice.send(new CreateServiceNetworkCommand({ name: 'platform' })),
    props: (td) => ({
      Backend: 'VpcLattice',
      MeshName: 'ecs-mesh',
      ServiceName: 'phoenix',
      Namespace: 'service.local',
      Port: '3000',
      VpcLattice: { ServiceNetwork: 'platform', VpcId: 'vpc-0abc1234def567890' },
      TaskDefinition: td,
      Routes: [{ Name: 'default' }],
    }),
  },
];

/** The platform's ALB listener of the Gateway scenario. */
let ingressListenerArn = '';

/** Everything the emulator holds with an ownership tag (test/support/state.ts). */
const owned = () => ownedResources(world.emulator);

/** A fresh world with the application's task definition, granted to `stackId`. */
async function fresh(scenario: Scenario, stackId: string): Promise<Props> {
  world.emulator.reset();
  await scenario.platform();
  return scenario.props(
    await world.registerApp('phoenix-app', {
      tags: [{ key: 'mesh-service:allowed-stacks', value: stackId }],
    }),
  );
}

/** Every call position of the Create, `service:Operation` with its number among the calls of that operation. */
async function positions(scenario: Scenario): Promise<{ operation: string; nth: number }[]> {
  const stackId = world.emulator.cloudformation.stackId('probe');
  const p = await fresh(scenario, stackId);
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
    // The killed call's attempts time out at once, with the SDK's own TimeoutError (test/support/prompt-timeouts.ts).
    promptTimeouts: true,
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

describe.each(SCENARIOS)(
  'GIVEN a $backend Create killed at a call, and its stack rolled back',
  (scenario) => {
    test('WHEN the stack rollback event reaches the reclaimer, at every kill position THEN no owned resource is left and a new stack gets the names', async () => {
      const all = await positions(scenario);
      expect(all.length).toBeGreaterThan(5);
      const left: string[] = [];
      const actions = new Set<string>();
      let leftBeforeReclaim = 0;
      for (const { operation, nth } of all) {
        const dead = world.emulator.cloudformation.stackId('doomed');
        const p = await fresh(scenario, dead);
        await killedAndRolledBack(p, dead, operation, nth);
        if (owned().length) leftBeforeReclaim++;
        await reclaim()(statusEvent(dead, 'ROLLBACK_COMPLETE'));
        for (const a of reclaimerActions()) actions.add(a);
        const orphans = owned();
        if (orphans.length) left.push(`${operation} #${nth}: ${orphans.join(', ')}`);
        // A new stack wanting the same names gets them.
        const next = world.emulator.cloudformation.stackId('reborn');
        const q = scenario.props(
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
      // The kills did leave something for the reclaimer to remove (the test could fail).
      expect(leftBeforeReclaim).toBeGreaterThan(0);
      // Every call it made is one its role allows.
      expect([...actions].filter((a) => !ALLOWED.has(a))).toEqual([]);
      expect(actions.size).toBeGreaterThan(2);
    });
  },
);

describe.each([
  ['AppMesh', 'appmesh:CreateRoute', 1],
  ['ServiceConnect', 'ecs:RegisterTaskDefinition', 1],
] as const)('GIVEN a %s Create killed at %s, and a stack that is not done', (backend, operation, nth) => {
  test.each(['UPDATE_ROLLBACK_FAILED', 'ROLLBACK_FAILED', 'ROLLBACK_IN_PROGRESS', 'UPDATE_IN_PROGRESS'])(
    'WHEN the reclaimer is told of the stack while it is %s THEN it removes nothing',
    async (status) => {
      const scenario = SCENARIOS.find((s) => s.backend === backend)!;
      const dead = world.emulator.cloudformation.stackId('doomed');
      const p = await fresh(scenario, dead);
      await killedAndRolledBack(p, dead, operation, nth);
      world.emulator.cloudformation.setStackStatus(dead, status);
      const before = owned();
      expect(before.length).toBeGreaterThan(0);
      const summary = await reclaim()(statusEvent(dead, 'ROLLBACK_COMPLETE'));
      expect(summary.reclaimed).toEqual([]);
      expect(summary.leftAlone.map((o) => o.reason)).toEqual(
        expect.arrayContaining([expect.stringContaining(status)]),
      );
      expect(owned()).toEqual(before);
    },
  );
});

describe('GIVEN an event the reclaimer is not for', () => {
  test.each(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'ROLLBACK_IN_PROGRESS'])(
    'WHEN a stack reaches %s THEN it reads nothing',
    async (status) => {
      const dead = world.emulator.cloudformation.stackId('doomed');
      await fresh(SCENARIOS[0]!, dead);
      world.emulator.clearRequests();
      await expect(reclaim()(statusEvent(dead, status))).resolves.toEqual({ reclaimed: [], leftAlone: [] });
      expect(world.emulator.requests).toEqual([]);
    },
  );
});

// The scheduled backstop: the same judgement over every owner of the account.
describe('GIVEN a killed Create whose stack event was missed', () => {
  test('WHEN the scheduled sweep runs THEN it removes what the dead id owns and keeps a live service', async () => {
    const scenario = SCENARIOS[0]!;
    const dead = world.emulator.cloudformation.stackId('doomed');
    const p = await fresh(scenario, dead);
    await killedAndRolledBack(p, dead, 'appmesh:CreateVirtualService', 1);
    const live = world.emulator.cloudformation.stackId('alive');
    const q = {
      ...scenario.props(
        await world.registerApp('alive-app', { tags: [{ key: 'mesh-service:allowed-stacks', value: live }] }),
      ),
      ServiceName: 'alive',
      Gateway: { VirtualGatewayName: 'ecsworkshop-vgw', RouteName: 'alive-route' },
    };
    await world.provider()(createEvent(q, { stackId: live, logicalId: 'Alive' }));
    const alive = owned();
    const summary = await reclaim()({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} });
    expect(summary.reclaimed.map((o) => o.physicalId)).toEqual(['mesh/ecs-mesh/service/phoenix']);
    expect(owned().every((r) => alive.includes(r))).toBe(true);
    expect(owned().some((r) => r.includes('phoenix'))).toBe(false);
    expect(owned().filter((r) => r.includes('alive')).length).toBeGreaterThan(0);
  });
});
