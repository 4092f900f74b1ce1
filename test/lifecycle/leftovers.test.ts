/**
 * A handler killed mid-way (Lambda timeout, out of memory) leaves what it had created, and the Provider framework
 * acknowledges CloudFormation's Delete of the failed Create without calling the handler. Nothing may stay behind for
 * good: the next Create or Update of the same stack and logical id adopts or removes its earlier attempt's leftovers,
 * and `mesh-service cleanup` removes what stacks that no longer exist (or no longer hold it) left, of every backend
 * (App Mesh; a Service Connect Gateway's ALB rule and target group; a VPC Lattice service and its target groups).
 */
import { CreateServiceNetworkCommand, VPCLatticeClient } from '@aws-sdk/client-vpc-lattice';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { cleanup, createCleanupClients, formatCleanup } from '../../cli/cleanup';
import { main } from '../../cli/main';
import { seedPlatform } from '../../emulator';
import { seedIngressListener } from '../../scripts/demo-ingress';
import {
  createEvent,
  deleteEvent,
  type Props,
  STACK_ID,
  startWorld,
  updateEvent,
  type World,
} from '../support/harness';
import { expectMeshMatches, expectNothingLeft, ownedBy, ownedResources, revisions } from '../support/state';

let world: World;
let clients: ReturnType<typeof createCleanupClients>;
let lattice: VPCLatticeClient;
beforeAll(async () => {
  world = await startWorld();
  clients = createCleanupClients();
  lattice = new VPCLatticeClient({});
});
afterAll(async () => {
  clients.destroy();
  lattice.destroy();
  await world.close();
});
/** Killed invocations still winding down; the emulator keeps them dead until they have. */
let zombies: Promise<unknown>[] = [];
beforeEach(async () => {
  await Promise.all(zombies);
  zombies = [];
  world.emulator.reset();
  await seedPlatform(world.emulator);
});

const KILLED = {
  caller: 'ZOMBIE',
  // Calls before the kill must not time out on a starved machine; after it, the budget ends the invocation soon.
  requestTimeoutMs: 600,
  remainingMs: 1_500,
  // The killed call's attempts time out at once, with the SDK's own TimeoutError (test/support/prompt-timeouts.ts).
  promptTimeouts: true,
  tuning: { maxTransientAttempts: 2, throttlingBaseMs: 5, transientBaseMs: 5, maxBackoffMs: 20 },
} as const;

/** Runs an invocation that is killed when it makes its nth call of `operation` (which takes effect). */
async function killed(event: CloudFormationCustomResourceEvent, operation: string, n: number) {
  const before = world.emulator.faults.killed().length;
  world.emulator.faults.killAt(operation, n, { applied: true });
  let settled = false;
  zombies.push(
    world
      .provider(KILLED)(event)
      .catch(() => undefined)
      .finally(() => (settled = true)),
  );
  // Until the kill (or the invocation's end, were the kill never to come: the expectation below then fails).
  while (!settled && world.emulator.faults.killed().length === before)
    await new Promise((r) => setTimeout(r, 5));
  expect(world.emulator.faults.killed()).toHaveLength(before + 1);
  // CloudFormation hears of the failure (the framework reports it) before its next step: the killed invocation's
  // remaining attempts time out at once, and its in-progress window ends here, not in the middle of the next request.
  await Promise.all(zombies);
}
const killedCreate = (
  props: Props,
  operation: string,
  n: number,
  o: { logicalId?: string; stackId?: string } = {},
) => killed(createEvent(props, o), operation, n);

/** A routed service with a gateway route and a task definition granted to the stack (by id). */
const service = async (name: string, over: Props = {}, grant = STACK_ID): Promise<Props> => ({
  MeshName: 'ecs-mesh',
  ServiceName: name,
  Namespace: 'service.local',
  Port: '3000',
  TaskDefinition: await world.registerApp(`${name}-app`, {
    tags: [{ key: 'mesh-service:allowed-stacks', value: grant }],
  }),
  Routes: [{ Name: 'main' }],
  Gateway: { VirtualGatewayName: 'ecsworkshop-vgw', RouteName: `${name}-route` },
  ...over,
});

describe('GIVEN a Create killed mid-way (its nodes, router and revision exist; the rest does not)', () => {
  test('WHEN CloudFormation creates the same resource again THEN it adopts what was left, and Delete leaves nothing', async () => {
    const props = await service('phoenix');
    await killedCreate(props, 'appmesh:CreateRoute', 1);
    expect(ownedBy(world.emulator.snapshot(), 'mesh/ecs-mesh/service/phoenix').length).toBeGreaterThan(0);

    const again = await world.provider()(createEvent(props));
    expectMeshMatches(world.emulator, props);
    const active = revisions(world.emulator, 'phoenix-app').filter((r) => r.owner && r.status === 'ACTIVE');
    expect(active.map((r) => r.arn)).toEqual([again.Data!.TaskDefinitionArn]);
    await world.provider()(deleteEvent(again.PhysicalResourceId, props));
    expectNothingLeft(world.emulator);
  });

  test('WHEN it is created again under another ServiceName sharing a name with the first attempt THEN the shared name is adopted and the rest removed', async () => {
    const first = await service('first', { VirtualServiceName: 'storefront.service.local' });
    await killedCreate(first, 'appmesh:CreateGatewayRoute', 1);
    const second: Props = {
      ...first,
      ServiceName: 'second',
      Gateway: { VirtualGatewayName: 'ecsworkshop-vgw', RouteName: 'second-route' },
    };

    const created = await world.provider()(createEvent(second));
    expectMeshMatches(world.emulator, second);
    expect(ownedBy(world.emulator.snapshot(), 'mesh/ecs-mesh/service/first')).toEqual([]);
    expect(
      revisions(world.emulator, 'first-app').filter(
        (r) => r.owner === 'mesh/ecs-mesh/service/first' && r.status === 'ACTIVE',
      ),
    ).toEqual([]);
    await world.provider()(deleteEvent(created.PhysicalResourceId, second));
    expectNothingLeft(world.emulator);
  });

  test('WHEN a replacement is killed mid-way THEN the rollback Update removes what the new side had made, and Delete leaves nothing', async () => {
    const old = await service('stable');
    const provider = world.provider();
    const { PhysicalResourceId: id } = await provider(createEvent(old));
    const renamed: Props = {
      ...old,
      ServiceName: 'unstable',
      Gateway: { VirtualGatewayName: 'ecsworkshop-vgw', RouteName: 'unstable-route' },
    };
    await killed(updateEvent(id, renamed, old), 'appmesh:CreateRoute', 1);
    expect(ownedBy(world.emulator.snapshot(), 'mesh/ecs-mesh/service/unstable').length).toBeGreaterThan(0);
    // The framework answers FAILED; CloudFormation rolls back: an Update to the old properties, on the old id.
    await provider(updateEvent(id, old, renamed));
    expect(ownedBy(world.emulator.snapshot(), 'mesh/ecs-mesh/service/unstable')).toEqual([]);
    expect(
      revisions(world.emulator, 'stable-app').filter(
        (r) => r.owner === 'mesh/ecs-mesh/service/unstable' && r.status === 'ACTIVE',
      ),
    ).toEqual([]);
    expectMeshMatches(world.emulator, old);
    await provider(deleteEvent(id, old));
    expectNothingLeft(world.emulator);
  });
});

describe('GIVEN `mesh-service cleanup`', () => {
  const accountId = '111122223333';

  test("WHEN a killed Create's stack was deleted THEN a dry run lists it with its revision, --apply removes it all, and live services are kept", async () => {
    const live = await service('alive');
    await world.provider()(createEvent(live, { logicalId: 'Alive' }));
    const doomedStack = world.emulator.cloudformation.stackId('rolled-back');
    const dead = await service('dead', {}, doomedStack);
    await killedCreate(dead, 'appmesh:CreateVirtualService', 1, { stackId: doomedStack, logicalId: 'Dead' });
    // The framework answers FAILED, the stack rolls back, and its owner deletes it.
    world.emulator.cloudformation.deleteStack(doomedStack);

    const dry = await cleanup(clients, { meshName: 'ecs-mesh', apply: false, accountId });
    const byId = new Map(dry.owners.map((o) => [o.physicalId, o]));
    expect(byId.get('mesh/ecs-mesh/service/dead')).toEqual(
      expect.objectContaining({ orphaned: true, reason: 'stack rolled-back no longer exists' }),
    );
    const deadRevisions = revisions(world.emulator, 'dead-app').filter(
      (r) => r.owner && r.status === 'ACTIVE',
    );
    expect([...byId.get('mesh/ecs-mesh/service/dead')!.revisions].sort()).toEqual(
      deadRevisions.map((r) => r.arn).sort(),
    );
    expect(byId.get('mesh/ecs-mesh/service/alive')).toEqual(expect.objectContaining({ orphaned: false }));
    expect(ownedBy(world.emulator.snapshot(), 'mesh/ecs-mesh/service/dead').length).toBeGreaterThan(0);
    expect(formatCleanup(dry, false).at(-1)).toBe(
      'dry run: nothing was changed; run again with --apply to remove what is orphaned',
    );

    const applied = await cleanup(clients, { meshName: 'ecs-mesh', apply: true, accountId });
    expect(applied.problems).toEqual([]);
    expect(ownedBy(world.emulator.snapshot(), 'mesh/ecs-mesh/service/dead')).toEqual([]);
    expect(revisions(world.emulator, 'dead-app').filter((r) => r.owner && r.status === 'ACTIVE')).toEqual([]);
    expectMeshMatches(world.emulator, live, 'Alive');
  });

  test('WHEN the cleanup Delete of a replaced id failed THEN the live stack no longer holds that id, and --apply removes it', async () => {
    const old = await service('before');
    const provider = world.provider();
    const { PhysicalResourceId: oldId } = await provider(createEvent(old));
    const renamed: Props = {
      ...old,
      ServiceName: 'after',
      Gateway: { VirtualGatewayName: 'ecsworkshop-vgw', RouteName: 'after-route' },
    };
    const { PhysicalResourceId: newId } = await provider(updateEvent(oldId, renamed, old));
    // CloudFormation's cleanup Delete of the old id fails; CloudFormation carries on regardless.
    world.emulator.faults.failNth('DeleteGatewayRoute', 1, { type: 'ForbiddenException', status: 403 });
    await expect(provider(deleteEvent(oldId, old))).rejects.toThrow(/ForbiddenException/);
    const report = await cleanup(clients, { meshName: 'ecs-mesh', apply: true, accountId });
    expect(report.owners.find((o) => o.physicalId === oldId)).toEqual(
      expect.objectContaining({
        orphaned: true,
        reason: `Service in stack workshop is ${newId} now; ${oldId} is an earlier attempt's`,
      }),
    );
    expect(ownedBy(world.emulator.snapshot(), oldId)).toEqual([]);
    expect(
      revisions(world.emulator, 'before-app').filter((r) => r.owner === oldId && r.status === 'ACTIVE'),
    ).toEqual([]);
    expectMeshMatches(world.emulator, renamed);
  });

  test('WHEN a stack is in progress, or of another account THEN its resources are kept and the reason given', async () => {
    const busy = await service('busy');
    await world.provider()(createEvent(busy, { logicalId: 'Busy' }));
    world.emulator.cloudformation.setStackStatus(STACK_ID, 'UPDATE_IN_PROGRESS');
    const report = await cleanup(clients, { meshName: 'ecs-mesh', apply: true, accountId });
    expect(report.owners[0]).toEqual(
      expect.objectContaining({
        orphaned: false,
        reason: 'left alone: stack workshop is UPDATE_IN_PROGRESS; run again when it is idle',
      }),
    );
    const other = await cleanup(clients, { meshName: 'ecs-mesh', apply: true, accountId: '444455556666' });
    expect(other.owners[0]!.reason).toBe(
      'left alone: stack of account 111122223333, which cannot be read from here',
    );
    expectMeshMatches(world.emulator, busy, 'Busy');
  });

  test('WHEN the stack of a replacement is in a *_FAILED state THEN --apply leaves both ids (CloudFormation may still roll back to the old one) and says why', async () => {
    const old = await service('retreat');
    const provider = world.provider();
    const { PhysicalResourceId: oldId } = await provider(createEvent(old));
    const renamed: Props = {
      ...old,
      ServiceName: 'advance',
      Gateway: { VirtualGatewayName: 'ecsworkshop-vgw', RouteName: 'advance-route' },
    };
    const { PhysicalResourceId: newId } = await provider(updateEvent(oldId, renamed, old));
    const oldRevisions = revisions(world.emulator, 'retreat-app').filter(
      (r) => r.owner === oldId && r.status === 'ACTIVE',
    );
    expect(oldRevisions).not.toEqual([]);
    for (const status of [
      'UPDATE_ROLLBACK_FAILED',
      'UPDATE_FAILED',
      'ROLLBACK_FAILED',
      'DELETE_FAILED',
      'IMPORT_ROLLBACK_FAILED',
      'CREATE_FAILED',
    ]) {
      world.emulator.cloudformation.setStackStatus(STACK_ID, status);
      const report = await cleanup(clients, { meshName: 'ecs-mesh', apply: true, accountId });
      expect(report.problems).toEqual([]);
      const reason = `left alone: stack workshop is ${status}; it may still roll back to this id: run again once the stack is stable`;
      expect(report.owners.find((o) => o.physicalId === oldId)).toEqual(
        expect.objectContaining({ orphaned: false, reason, revisions: [] }),
      );
      expect(report.owners.find((o) => o.physicalId === newId)).toEqual(
        expect.objectContaining({ orphaned: false, reason }),
      );
      expect(formatCleanup(report, true)[0]).toBe(`kept: ${newId} (${reason})`);
      expectMeshMatches(world.emulator, old);
      expectMeshMatches(world.emulator, renamed);
      expect(
        revisions(world.emulator, 'retreat-app').filter((r) => r.owner === oldId && r.status === 'ACTIVE'),
      ).toEqual(oldRevisions);
    }
  });

  test('WHEN it runs as a command THEN it takes --mesh, --stack and --apply and exits 0', async () => {
    const gone = world.emulator.cloudformation.stackId('gone');
    const props = await service('cli', {}, gone);
    await killedCreate(props, 'appmesh:CreateRoute', 1, { stackId: gone, logicalId: 'Cli' });
    world.emulator.cloudformation.deleteStack(gone);
    const lines: string[] = [];
    expect(await main(['cleanup', '--mesh', 'ecs-mesh', '--stack', 'gone'], (l) => lines.push(l))).toBe(0);
    expect(lines[0]).toBe('orphaned: mesh/ecs-mesh/service/cli (stack gone no longer exists)');
    expect(
      await main(['cleanup', '--mesh', 'ecs-mesh', '--stack', 'gone', '--apply'], (l) => lines.push(l)),
    ).toBe(0);
    expect(ownedBy(world.emulator.snapshot(), 'mesh/ecs-mesh/service/cli')).toEqual([]);
    const errors: string[] = [];
    expect(
      await main(
        ['cleanup'],
        () => {},
        (l) => errors.push(l),
      ),
    ).toBe(2);
    expect(errors[0]).toMatch(
      /^mesh-service cleanup: without --mesh, --account <account> \(your account\) is required/,
    );
  });
});

describe('GIVEN `mesh-service cleanup` and the backends besides App Mesh', () => {
  const accountId = '111122223333';
  let listenerArn = '';

  interface Case {
    readonly backend: string;
    /** The platform the backend's services need. */
    readonly platform: () => Promise<unknown>;
    readonly props: (name: string, td: string) => Props;
    /** The call the Create is killed at (it takes effect): most of what the Create makes exists. */
    readonly killAt: string;
    readonly physicalId: (name: string) => string;
    /** What the dead owner's resources are, by ARN. */
    readonly owns: readonly RegExp[];
  }
  const CASES: Case[] = [
    {
      backend: 'ServiceConnect with a Gateway',
      platform: async () => {
        listenerArn = (await seedIngressListener()).MeshIngressListenerArn!;
      },
      props: (name, td) => ({
        Backend: 'ServiceConnect',
        MeshName: 'ecs-mesh',
        ServiceName: name,
        Namespace: `${name}.local`,
        ServiceConnect: { CreateNamespace: 'true' },
        Port: '3000',
        TaskDefinition: td,
        Gateway: { ListenerArn: listenerArn, Prefix: `/${name}` },
      }),
      killAt: 'elbv2:CreateRule',
      physicalId: (name) => `service-connect/${name}.local/service/${name}`,
      owns: [/:elasticloadbalancing:.*:listener-rule\//, /:elasticloadbalancing:.*:targetgroup\//],
    },
    {
      backend: 'VpcLattice',
      platform: () => lattice.send(new CreateServiceNetworkCommand({ name: 'platform' })),
      props: (name, td) => ({
        Backend: 'VpcLattice',
        MeshName: 'ecs-mesh',
        ServiceName: name,
        Namespace: 'service.local',
        Port: '3000',
        VpcLattice: { ServiceNetwork: 'platform', VpcId: 'vpc-0abc1234def567890' },
        TaskDefinition: td,
        Routes: [{ Name: 'default' }],
      }),
      killAt: 'vpclattice:CreateListener',
      physicalId: (name) => `vpc-lattice/service/${name}`,
      owns: [
        /:vpc-lattice:.*:service\/svc-[^/]+$/,
        /:vpc-lattice:.*:service\/svc-[^/]+\/listener\/[^/]+$/,
        /:vpc-lattice:.*:targetgroup\//,
        /:vpc-lattice:.*:servicenetworkserviceassociation\//,
      ],
    },
  ];

  /** A live service of the workshop stack, and a Create of `dead` killed in the stack `doomed`. */
  async function liveAndKilled(c: Case): Promise<{ alive: string[]; doomed: string }> {
    await c.platform();
    const grant = (name: string, stackId: string) =>
      world.registerApp(`${name}-app`, { tags: [{ key: 'mesh-service:allowed-stacks', value: stackId }] });
    await world.provider()(
      createEvent(c.props('alive', await grant('alive', STACK_ID)), { logicalId: 'Alive' }),
    );
    const alive = ownedResources(world.emulator);
    expect(alive.length).toBeGreaterThan(0);
    const doomed = world.emulator.cloudformation.stackId('doomed');
    await killedCreate(c.props('dead', await grant('dead', doomed)), c.killAt, 1, {
      stackId: doomed,
      logicalId: 'Dead',
    });
    return { alive, doomed };
  }

  describe.each(CASES)('WHEN a $backend Create was killed', (c) => {
    test('and its stack deleted THEN a dry run lists the owner with its resources and revisions, --apply removes them all and the live service stays', async () => {
      const { alive, doomed } = await liveAndKilled(c);
      world.emulator.cloudformation.deleteStack(doomed);
      const left = ownedResources(world.emulator);
      expect(left.length).toBeGreaterThan(alive.length);

      const dry = await cleanup(clients, { apply: false, accountId });
      const dead = dry.owners.find((o) => o.physicalId === c.physicalId('dead'))!;
      expect(dead).toEqual(
        expect.objectContaining({ orphaned: true, reason: 'stack doomed no longer exists' }),
      );
      for (const kind of c.owns) expect(dead.resources).toContainEqual(expect.stringMatching(kind));
      const deadRevisions = revisions(world.emulator, 'dead-app').filter(
        (r) => r.owner && r.status === 'ACTIVE',
      );
      expect(deadRevisions).not.toEqual([]);
      expect([...dead.revisions].sort()).toEqual(deadRevisions.map((r) => r.arn).sort());
      expect(dry.owners.find((o) => o.physicalId === c.physicalId('alive'))).toEqual(
        expect.objectContaining({ orphaned: false, reason: 'in use: Alive in stack workshop' }),
      );
      expect(ownedResources(world.emulator)).toEqual(left);

      // As a command: the dry run of the stack, by name.
      const lines: string[] = [];
      expect(await main(['cleanup', '--account', accountId, '--stack', 'doomed'], (l) => lines.push(l))).toBe(
        0,
      );
      expect(lines[0]).toBe(`orphaned: ${c.physicalId('dead')} (stack doomed no longer exists)`);
      expect(lines).toContain(`  task definition ${deadRevisions[0]!.arn}`);

      const applied = await cleanup(clients, { apply: true, accountId });
      expect(applied.problems).toEqual([]);
      expect(ownedResources(world.emulator)).toEqual(alive);
    });

    test('and its stack rolled back THEN --apply of the stack removes what the dead id owns', async () => {
      const { alive, doomed } = await liveAndKilled(c);
      world.emulator.cloudformation.putStackResource(doomed, {
        logicalResourceId: 'Dead',
        resourceType: 'Custom::MeshService',
        resourceStatus: 'DELETE_COMPLETE',
      });
      world.emulator.cloudformation.setStackStatus(doomed, 'ROLLBACK_COMPLETE');
      const report = await cleanup(clients, { stack: doomed, apply: true, accountId });
      expect(report.owners).toEqual([
        expect.objectContaining({
          physicalId: c.physicalId('dead'),
          orphaned: true,
          reason: 'stack doomed has no resource Dead any more',
        }),
      ]);
      expect(report.problems).toEqual([]);
      expect(ownedResources(world.emulator)).toEqual(alive);
    });

    test.each(['ROLLBACK_IN_PROGRESS', 'ROLLBACK_FAILED', 'UPDATE_ROLLBACK_FAILED'])(
      'and its stack is %s THEN --apply keeps everything and says why',
      async (status) => {
        const { doomed } = await liveAndKilled(c);
        world.emulator.cloudformation.setStackStatus(doomed, status);
        const before = ownedResources(world.emulator);
        const report = await cleanup(clients, { apply: true, accountId });
        expect(report.problems).toEqual([]);
        expect(report.owners.find((o) => o.physicalId === c.physicalId('dead'))).toEqual(
          expect.objectContaining({
            orphaned: false,
            reason: expect.stringMatching(new RegExp(`^left alone: stack doomed is ${status}; `)),
            revisions: [],
          }),
        );
        expect(ownedResources(world.emulator)).toEqual(before);
      },
    );
  });
});
