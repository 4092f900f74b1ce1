/**
 * The end-state fingerprint the fault matrix runs CloudFormation's next steps by (test/support/fingerprint.ts): two
 * runs of the same request from the same state share it, whatever their RequestIds, uids and clocks; any difference
 * the next steps could meet — a spec, a tag, an extra revision, a revision's status, the order of a list, the answer
 * — gives another. With `clientTokens` (the killed cells), the client-token records count too.
 */
import { DeregisterTaskDefinitionCommand, ECSClient, TagResourceCommand } from '@aws-sdk/client-ecs';
import { stateFingerprint } from '../support/fingerprint';
import { createEvent, type Props, startWorld, type World } from '../support/harness';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

const props = (td: string): Props => ({
  MeshName: 'ecs-mesh',
  ServiceName: 'print',
  Namespace: 'service.local',
  Port: '3000',
  TaskDefinition: td,
});

/** From one saved state, each variant's request (or change), then the fingerprint of where it ended. */
async function endings(
  variants: Record<string, (td: string) => Promise<unknown>>,
  options: { clientTokens?: boolean } = {},
): Promise<Record<string, string>> {
  const td = await world.registerApp('print-app');
  const start = world.emulator.saveState();
  const out: Record<string, string> = {};
  for (const [name, run] of Object.entries(variants)) {
    world.emulator.restoreState(start);
    // Apart in time: the clocks' readings differ between the runs.
    await new Promise((r) => setTimeout(r, 5));
    out[name] = stateFingerprint(world.emulator, await run(td), options);
  }
  return out;
}

const create = (td: string, extra: Props = {}) =>
  world.provider()(createEvent({ ...props(td), ...extra }, { logicalId: 'Print' }));

test('GIVEN the same Create twice from one state (other RequestIds, uids, client tokens, clocks, Lambda environments) THEN the fingerprints are equal', async () => {
  const e = await endings({ first: (td) => create(td), second: (td) => create(td) });
  expect(e.first).toBe(e.second);
  // Not vacuous: the state holds the service's resources.
  expect(e.first).toContain('virtualNode/print');
});

test('GIVEN a different spec, an extra tag, an extra revision, a deregistered revision, another answer or the same families registered in another order THEN each fingerprint differs from the plain Create', async () => {
  const ecs = new ECSClient({});
  const e = await endings({
    plain: (td) => create(td),
    spec: (td) => create(td, { Backends: ['other.service.local'] }),
    tag: async (td) => {
      const result = await create(td);
      await ecs.send(
        new TagResourceCommand({
          resourceArn: result.Data!.TaskDefinitionArn as string,
          tags: [{ key: 'extra', value: 'x' }],
        }),
      );
      return result;
    },
    revision: async (td) => {
      const result = await create(td);
      await world.registerApp('print-app');
      return result;
    },
    deregistered: async (td) => {
      const result = await create(td);
      await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: td }));
      return result;
    },
    answer: async (td) => ({ ...(await create(td)), PhysicalResourceId: 'another' }),
    // The same two families, registered in the other order: the List operations would answer in another order.
    xy: async (td) => {
      await world.registerApp('print-x');
      await world.registerApp('print-y');
      return create(td);
    },
    yx: async (td) => {
      await world.registerApp('print-y');
      await world.registerApp('print-x');
      return create(td);
    },
  });
  const { plain, ...others } = e;
  for (const [name, print] of Object.entries(others))
    expect({ name, same: print === plain }).toEqual({ name, same: false });
  expect(e.xy).not.toBe(e.yx);
});

test('GIVEN two states that differ only in App Mesh client-token records THEN the fingerprint tells them apart only with clientTokens (the killed cells)', async () => {
  const td = await world.registerApp('print-app');
  const result = await create(td);
  const saved = world.emulator.saveState();
  const records = saved.fields.appmesh?.idempotency as Map<string, unknown>;
  // Not vacuous: the Create's App Mesh calls carried client tokens.
  expect(records.size).toBeGreaterThan(0);
  const withRecords = {
    plain: stateFingerprint(world.emulator, result),
    tokens: stateFingerprint(world.emulator, result, { clientTokens: true }),
  };
  records.clear();
  world.emulator.restoreState(saved);
  expect(stateFingerprint(world.emulator, result)).toBe(withRecords.plain);
  expect(stateFingerprint(world.emulator, result, { clientTokens: true })).not.toBe(withRecords.tokens);
  // The same Create twice from the same start, other RequestIds and so other tokens: equal once they are renamed.
  const again = await endings({ first: (t) => create(t), second: (t) => create(t) }, { clientTokens: true });
  expect(again.first).toBe(again.second);
});
