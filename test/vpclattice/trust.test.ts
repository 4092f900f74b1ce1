/**
 * The trust model on the VPC Lattice backend (docs/security.md): a request CloudFormation did not send is refused by
 * the stack verifier before any change; inside a window CloudFormation opened, the second RequestId is refused (the
 * window is claimed on the Lattice service), and what a forger slipped in first is removed at the stack's next step.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateServiceNetworkCommand,
  ListListenersCommand,
  ListRulesCommand,
  ListServicesCommand,
  VPCLatticeClient,
} from '@aws-sdk/client-vpc-lattice';
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
beforeEach(async () => {
  world.emulator.reset();
  await lattice.send(new CreateServiceNetworkCommand({ name: 'platform' }));
});

let n = 0;
function victim() {
  n += 1;
  return {
    stack: {
      stackId: `arn:aws:cloudformation:us-east-1:111122223333:stack/victim-${n}/7a7a7a7a-0000-4000-8000-${String(n).padStart(12, '0')}`,
      logicalId: 'Checkout',
    },
    props: {
      Backend: 'VpcLattice',
      MeshName: 'ecs-mesh',
      ServiceName: `checkout-${n}`,
      Namespace: 'service.local',
      Port: '3000',
      VpcLattice: { ServiceNetwork: 'platform', VpcId: 'vpc-0abc1234def567890' },
    } satisfies Props,
  };
}

/** The forger's addition: a rule sending /admin elsewhere. */
const hijack = (props: Props): Props => ({
  ...props,
  Routes: [{ Name: 'hijack', Priority: '0', Match: { Prefix: '/admin' } }, { Name: 'main' }],
});

const latticeWrites = () =>
  world.emulator.requests
    .filter((r) => r.service === 'vpclattice' && /^(Create|Update|Delete|Put|Tag|Untag)/.test(r.operation))
    .map((r) => r.operation);

async function ruleNames(): Promise<string[]> {
  const [service] = (await lattice.send(new ListServicesCommand({}))).items ?? [];
  const [listener] =
    (await lattice.send(new ListListenersCommand({ serviceIdentifier: service!.id! }))).items ?? [];
  const rules = await lattice.send(
    new ListRulesCommand({ serviceIdentifier: service!.id!, listenerIdentifier: listener!.id! }),
  );
  return (rules.items ?? []).filter((r) => !r.isDefault).map((r) => r.name!);
}

async function inWindow(event: CloudFormationCustomResourceEvent, run: () => Promise<void>): Promise<void> {
  const window = beginRequest(world.emulator.cloudformation, event);
  try {
    await run();
  } finally {
    window.end({});
  }
}
const unverified = () => world.provider({ cloudFormation: false });

describe('GIVEN a Lattice service of a victim stack', () => {
  test('WHEN a forger sends an Update CloudFormation did not open THEN the stack verifier refuses it, before any change', async () => {
    const { stack, props } = victim();
    const { PhysicalResourceId: id } = await world.provider()(createEvent(props, stack));
    world.emulator.clearRequests();
    await expect(unverified()(updateEvent(id, hijack(props), props, stack))).rejects.toThrow(
      /^Update of Checkout refused: .*is CREATE_COMPLETE, not UPDATE_IN_PROGRESS/,
    );
    expect(latticeWrites()).toEqual([]);
    expect(await ruleNames()).toEqual([]);
  });

  test('WHEN the forger sends a second Update in CloudFormation’s window THEN it is refused and changes nothing', async () => {
    const { stack, props } = victim();
    const { PhysicalResourceId: id } = await world.provider()(createEvent(props, stack));
    const update = updateEvent(id, props, props, { ...stack, requestId: randomUUID() });
    await inWindow(update, async () => {
      await unverified()(update);
      world.emulator.clearRequests();
      await expect(unverified()(updateEvent(id, hijack(props), props, stack))).rejects.toThrow(
        /^Update of Checkout refused: another request \(RequestId [0-9a-f-]+\) already acted in this update of the resource/,
      );
    });
    expect(latticeWrites()).toEqual([]);
    expect(await ruleNames()).toEqual([]);
  });

  test('WHEN the forger’s Update comes first THEN CloudFormation’s is refused, and the rollback removes the forger’s rule', async () => {
    const { stack, props } = victim();
    const { PhysicalResourceId: id } = await world.provider()(createEvent(props, stack));
    const changed = { ...props, Tags: [{ Key: 'release', Value: '2' }] };
    const update = updateEvent(id, changed, props, { ...stack, requestId: randomUUID() });
    await inWindow(update, async () => {
      await unverified()(updateEvent(id, hijack(changed), props, stack));
      await expect(unverified()(update)).rejects.toThrow(/^Update of Checkout refused: another request/);
    });
    expect(await ruleNames()).toEqual(['hijack']);
    // CloudFormation rolls the stack back: an Update to the old properties, in a window of its own.
    await world.provider()(updateEvent(id, props, changed, stack));
    expect(await ruleNames()).toEqual([]);
    await world.provider()(deleteEvent(id, props, stack));
    expect((await lattice.send(new ListServicesCommand({}))).items).toEqual([]);
  });
});
