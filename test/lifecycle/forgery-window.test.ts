/**
 * Forged requests inside another stack's in-progress window: CloudFormation has put the victim's resource in
 * progress and sends exactly one request for it, so the stack verifier (the resource is in progress) does not tell
 * that request from a second one a forger sends meanwhile. The provider accepts at most one RequestId per window of
 * a logical resource (it records the first on what the resource owns), and every Create, Update and Delete
 * reconciles against everything the stack's logical resource owns, so whatever a forger slipped in is removed at the
 * victim's next step.
 *
 * CloudFormation's side is played by hand here: `beginRequest` puts the victim's resource in progress (the window),
 * the victim's own request is then sent as CloudFormation would, and the forger's with `cloudFormation: false`.
 */
import { randomUUID } from 'node:crypto';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { beginRequest } from '../../emulator/cloudformation/requests';
import {
  createEvent,
  deleteEvent,
  type Props,
  startWorld,
  updateEvent,
  type World,
} from '../support/harness';
import { expectMeshMatches, meshResources, mutatingCalls, ownedBy } from '../support/state';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

let n = 0;
/** A fresh victim stack per test: the tests do not share windows or names. */
function victim() {
  n += 1;
  const name = `victim-${n}`;
  return {
    stack: {
      stackId: `arn:aws:cloudformation:us-east-1:111122223333:stack/${name}/7a7a7a7a-0000-4000-8000-${String(n).padStart(12, '0')}`,
      logicalId: 'Checkout',
    },
    props: {
      MeshName: 'ecs-mesh',
      ServiceName: `checkout-${n}`,
      Namespace: 'service.local',
      Port: '3000',
      Routes: [{ Name: 'main' }],
      Gateway: {
        VirtualGatewayName: 'ecsworkshop-vgw',
        RouteName: `checkout-${n}`,
        Prefix: `/checkout-${n}/`,
      },
    } satisfies Props,
  };
}

/** The forger's additions: a catch-all gateway route at the highest priority, and an extra backend. */
const hijack = (props: Props, n2: string): Props => ({
  ...props,
  Backends: ['payments.service.local'],
  Gateway: {
    VirtualGatewayName: 'ecsworkshop-vgw',
    RouteName: `catch-all-${n2}`,
    Prefix: '/',
    Priority: '0',
  },
});

/** CloudFormation sends its request in a window it opened; `send` runs it and records the answer. */
async function inWindow(event: CloudFormationCustomResourceEvent, run: () => Promise<void>): Promise<void> {
  const window = beginRequest(world.emulator.cloudformation, event);
  try {
    await run();
  } finally {
    window.end({});
  }
}

const real = () => world.provider({ cloudFormation: false });
const forger = () => world.provider({ cloudFormation: false });

const gatewayRoutes = () =>
  [...meshResources(world.emulator.snapshot(['appmesh'])).values()]
    .filter((r) => r.key.kind === 'gatewayRoute')
    .map((r) => r.key.name);

describe('GIVEN the victim stack is updating its service (its Update window is open)', () => {
  test('WHEN the forger sends a second Update after CloudFormation’s THEN it is refused and changes nothing', async () => {
    const { stack, props } = victim();
    const { PhysicalResourceId: id } = await world.provider()(createEvent(props, stack));
    const update = updateEvent(id, props, props, { ...stack, requestId: randomUUID() });
    await inWindow(update, async () => {
      await real()(update);
      world.emulator.clearRequests();
      await expect(forger()(updateEvent(id, hijack(props, 'a'), props, stack))).rejects.toThrow(
        /^Update of Checkout refused: another request \(RequestId [0-9a-f-]+\) already acted in this update of the resource/,
      );
    });
    expect(mutatingCalls(world.emulator)).toEqual([]);
    expectMeshMatches(world.emulator, props, stack.logicalId, stack.stackId);
  });

  test('WHEN the forger’s Update comes first THEN CloudFormation’s is refused, and the rollback removes what the forger added', async () => {
    const { stack, props } = victim();
    const { PhysicalResourceId: id } = await world.provider()(createEvent(props, stack));
    const changed = { ...props, Port: '3001' };
    const update = updateEvent(id, changed, props, { ...stack, requestId: randomUUID() });
    await inWindow(update, async () => {
      await forger()(updateEvent(id, hijack(changed, 'b'), props, stack));
      await expect(real()(update)).rejects.toThrow(/^Update of Checkout refused: another request/);
    });
    expect(gatewayRoutes()).toContain('catch-all-b');
    // CloudFormation rolls the stack back: an Update to the old properties, in a window of its own.
    await world.provider()(updateEvent(id, props, changed, stack));
    expect(gatewayRoutes()).not.toContain('catch-all-b');
    expectMeshMatches(world.emulator, props, stack.logicalId, stack.stackId);
    // And the stack's Delete removes everything, with nothing left in use.
    await world.provider()(deleteEvent(id, props, stack));
    expect(ownedBy(world.emulator.snapshot(['appmesh']), id)).toEqual([]);
  });

  test('WHEN the forger’s route survives to the stack’s Delete THEN the Delete removes it too, though its properties do not name it', async () => {
    const { stack, props } = victim();
    const { PhysicalResourceId: id } = await world.provider()(createEvent(props, stack));
    const update = updateEvent(id, props, props, { ...stack, requestId: randomUUID() });
    await inWindow(update, async () => {
      await forger()(updateEvent(id, hijack(props, 'd'), props, stack));
    });
    expect(gatewayRoutes()).toContain('catch-all-d');
    // The catch-all route uses the victim's virtual service: a Delete that observed only its properties' names
    // would fail with ResourceInUseException.
    await world.provider()(deleteEvent(id, props, stack));
    expect(gatewayRoutes()).not.toContain('catch-all-d');
    expect(ownedBy(world.emulator.snapshot(['appmesh']), id)).toEqual([]);
  });

  test('WHEN a forged replacement’s squat survives to the stack’s Delete THEN the Delete of the resource removes it too', async () => {
    const { stack, props } = victim();
    const { PhysicalResourceId: id } = await world.provider()(createEvent(props, stack));
    const squat = { ...props, ServiceName: `ledger-${n}`, Gateway: undefined, Routes: undefined };
    const update = updateEvent(id, props, props, { ...stack, requestId: randomUUID() });
    await inWindow(update, async () => {
      await forger()(updateEvent(id, squat, props, stack));
    });
    const squatted = `mesh/ecs-mesh/service/ledger-${n}`;
    expect(ownedBy(world.emulator.snapshot(['appmesh']), squatted)).not.toEqual([]);
    // The stack is deleted instead of updated again: the resource ends, and with it all it owns under any id.
    await world.provider()(deleteEvent(id, props, stack));
    expect(ownedBy(world.emulator.snapshot(['appmesh']), squatted)).toEqual([]);
    expect(ownedBy(world.emulator.snapshot(['appmesh']), id)).toEqual([]);
  });

  test('WHEN a forged replacement squats another team’s names first THEN the victim’s next step removes them and frees the names', async () => {
    const { stack, props } = victim();
    const { PhysicalResourceId: id } = await world.provider()(createEvent(props, stack));
    const squat = { ...props, ServiceName: `payments-${n}`, Gateway: undefined, Routes: undefined };
    const update = updateEvent(id, props, props, { ...stack, requestId: randomUUID() });
    await inWindow(update, async () => {
      const made = await forger()(updateEvent(id, squat, props, stack));
      expect(made.PhysicalResourceId).toBe(`mesh/ecs-mesh/service/payments-${n}`);
      await expect(real()(update)).rejects.toThrow(/^Update of Checkout refused: another request/);
    });
    await world.provider()(updateEvent(id, props, props, stack));
    expect(ownedBy(world.emulator.snapshot(['appmesh']), `mesh/ecs-mesh/service/payments-${n}`)).toEqual([]);
    // The real owner of the name can now have it.
    const owner = {
      stackId: `arn:aws:cloudformation:us-east-1:111122223333:stack/payments-${n}/7a7a7a7a-0000-4000-8000-00000000ffff`,
      logicalId: 'Payments',
    };
    const payments = {
      MeshName: 'ecs-mesh',
      ServiceName: `payments-${n}`,
      Namespace: 'service.local',
      Port: '3000',
    };
    await expect(world.provider()(createEvent(payments, owner))).resolves.toMatchObject({
      PhysicalResourceId: `mesh/ecs-mesh/service/payments-${n}`,
    });
  });

  test('WHEN a re-delivery of CloudFormation’s own request comes in the window THEN it converges (same RequestId)', async () => {
    const { stack, props } = victim();
    const { PhysicalResourceId: id } = await world.provider()(createEvent(props, stack));
    const changed = { ...props, Port: '3002' };
    const update = updateEvent(id, changed, props, { ...stack, requestId: randomUUID() });
    await inWindow(update, async () => {
      const first = await real()(update);
      world.emulator.clearRequests();
      await expect(real()(update)).resolves.toEqual(first);
      expect(mutatingCalls(world.emulator)).toEqual([]);
    });
    expectMeshMatches(world.emulator, changed, stack.logicalId, stack.stackId);
  });
});

describe('GIVEN the victim stack is creating its service (its Create window is open)', () => {
  test('WHEN the forger sends a second Create after CloudFormation’s THEN it is refused and changes nothing', async () => {
    const { stack, props } = victim();
    const create = createEvent(props, { ...stack, requestId: randomUUID() });
    await inWindow(create, async () => {
      await real()(create);
      world.emulator.clearRequests();
      await expect(forger()(createEvent(hijack(props, 'c'), stack))).rejects.toThrow(
        /^Create of Checkout refused: another request \(RequestId [0-9a-f-]+\) already acted in this create of the resource/,
      );
    });
    expect(mutatingCalls(world.emulator)).toEqual([]);
    expect(gatewayRoutes()).not.toContain('catch-all-c');
    expectMeshMatches(world.emulator, props, stack.logicalId, stack.stackId);
  });

  test('WHEN the forger’s Create comes first THEN CloudFormation’s is refused instead of adopting what the forger made', async () => {
    const { stack, props } = victim();
    const create = createEvent(props, { ...stack, requestId: randomUUID() });
    await inWindow(create, async () => {
      await forger()(createEvent(hijack(props, 'd'), stack));
      world.emulator.clearRequests();
      await expect(real()(create)).rejects.toThrow(/^Create of Checkout refused: another request/);
    });
    // The real request changed nothing: it answered FAILED, and CloudFormation rolls the stack back.
    expect(mutatingCalls(world.emulator)).toEqual([]);
  });
});

describe('GIVEN a replacement being rolled back (UPDATE_ROLLBACK_IN_PROGRESS)', () => {
  test('WHEN a Delete of the old physical id, the one CloudFormation rolls back to, is sent THEN it is refused', async () => {
    const { stack, props } = victim();
    const { PhysicalResourceId: oldId } = await world.provider()(createEvent(props, stack));
    const renamed = { ...props, ServiceName: `${props.ServiceName}-v2`, Gateway: undefined };
    const { PhysicalResourceId: newId } = await world.provider()(updateEvent(oldId, renamed, props, stack));
    // The stack fails later and rolls back: the resource still shows the new id, CloudFormation will return to the old.
    world.emulator.cloudformation.putStack({
      stackId: stack.stackId,
      stackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS',
    });
    world.emulator.clearRequests();
    await expect(forger()(deleteEvent(oldId, props, stack))).rejects.toThrow(
      new RegExp(
        `^Delete of Checkout refused: .*has the physical id ${newId}, not ${oldId}, and the stack is UPDATE_ROLLBACK_IN_PROGRESS, not cleaning up`,
      ),
    );
    expect(mutatingCalls(world.emulator)).toEqual([]);
    expectMeshMatches(world.emulator, props, stack.logicalId, stack.stackId);
    world.emulator.cloudformation.putStack({
      stackId: stack.stackId,
      stackStatus: 'UPDATE_ROLLBACK_COMPLETE',
    });
  });
});

describe('GIVEN a forged request the stack verifier refuses', () => {
  test('WHEN the mesh it names does not exist and CloudFormation answers slowly THEN it learns only that it was refused', async () => {
    const { stack } = victim();
    world.emulator.faults.latency('cloudformation:DescribeStackResource', 300);
    try {
      await expect(
        forger()(
          createEvent(
            { MeshName: 'secret-mesh', ServiceName: 'probe', Namespace: 'service.local', Port: '3000' },
            stack,
          ),
        ),
      ).rejects.toThrow(/^Create of Checkout refused: stack victim-\d+ .* has no resource Checkout/);
    } finally {
      world.emulator.faults.clear();
    }
  });
});
