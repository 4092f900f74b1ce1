/**
 * Fault injection: every mutating call of a Create, an in-place Update and a replacement fails in turn (with a
 * non-retryable error, so the failure is real). Then what CloudFormation would do next is run: nothing after a
 * failed Create (the Provider framework acknowledges the Delete of its marker id without calling the handler), the
 * rollback Update after a failed Update, the cleanup Delete. No orphan may remain and no configuration may be lost.
 */
import { seedPlatform } from '../../emulator';
import type { HandlerResult } from '../../lambda/handler';
import {
  createEvent,
  deleteEvent,
  type Props,
  startWorld,
  updateEvent,
  type World,
} from '../support/harness';
import { expectMeshMatches, expectNothingLeft, mutatingCalls, ownedBy, revisions } from '../support/state';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

const FAILURES = {
  appmesh: { type: 'ForbiddenException', status: 403, message: 'injected fault' },
  ecs: { type: 'AccessDeniedException', status: 400, message: 'injected fault' },
} as const;

let apps: { a: string; b: string };
async function freshWorld(): Promise<void> {
  world.emulator.reset();
  await seedPlatform(world.emulator);
  apps = { a: await world.registerApp('fault-a'), b: await world.registerApp('fault-b') };
  world.emulator.clearRequests();
}

const stateA = (): Props => ({
  MeshName: 'ecs-mesh',
  ServiceName: 'faulty',
  Namespace: 'service.local',
  Port: '3000',
  Versions: [{ Name: 'a', TaskDefinition: apps.a, Weight: '100' }],
  Routes: [{ Name: 'main' }],
  Tags: [{ Key: 'stage', Value: 'a' }],
});

const stateB = (): Props => ({
  MeshName: 'ecs-mesh',
  ServiceName: 'faulty',
  Namespace: 'service.local',
  Port: '3000',
  Backends: ['other.service.local'],
  Versions: [
    { Name: 'a', TaskDefinition: apps.a, Weight: '50' },
    { Name: 'b', TaskDefinition: apps.b, Weight: '50' },
  ],
  Routes: [{ Name: 'main' }, { Name: 'api', Match: { Prefix: '/api/' } }],
  Gateway: { VirtualGatewayName: 'ecsworkshop-vgw' },
  Envoy: { LogLevel: 'debug' },
  Tags: [{ Key: 'stage', Value: 'b' }],
});

/** The mutating calls of a clean run, as (operation, occurrence) fault positions. */
function positions(calls: string[]): { service: 'appmesh' | 'ecs'; operation: string; nth: number }[] {
  const seen = new Map<string, number>();
  return calls.map((call) => {
    const [service, operation] = call.split(':') as ['appmesh' | 'ecs', string];
    const nth = (seen.get(call) ?? 0) + 1;
    seen.set(call, nth);
    return { service, operation, nth };
  });
}

async function cleanRun(run: () => Promise<unknown>): Promise<ReturnType<typeof positions>> {
  await freshWorld();
  await run();
  return positions(mutatingCalls(world.emulator));
}

function inject(p: ReturnType<typeof positions>[number]): void {
  world.emulator.faults.failNth(p.operation, p.nth, FAILURES[p.service]);
}

/**
 * Bookkeeping once the service is in place — the revision record on the virtual nodes, deregistering old revisions —
 * may fail without failing the request (the next apply finds what it missed): at those calls the request may
 * succeed, and must then be exactly right. Every other call's failure fails the request.
 */
const BOOKKEEPING = new Set(['appmesh:TagResource', 'appmesh:UntagResource', 'ecs:DeregisterTaskDefinition']);

async function failsOrBookkeeps(
  p: ReturnType<typeof positions>[number],
  request: Promise<HandlerResult>,
): Promise<HandlerResult | undefined> {
  const outcome = await request.then(
    (result) => ({ result }),
    (error: Error) => ({ error }),
  );
  if ('error' in outcome) {
    expect(outcome.error.message).toMatch(/injected fault/);
    return undefined;
  }
  expect({ position: p, succeeded: BOOKKEEPING.has(`${p.service}:${p.operation}`) }).toEqual({
    position: p,
    succeeded: true,
  });
  return outcome.result;
}

test('GIVEN a Create WHEN each of its mutating calls fails in turn THEN the Create fails and leaves nothing behind', async () => {
  const all = await cleanRun(() => world.provider()(createEvent(stateB())));
  expect(all.length).toBeGreaterThanOrEqual(8);
  for (const p of all) {
    await freshWorld();
    const provider = world.provider();
    inject(p);
    const created = await failsOrBookkeeps(p, provider(createEvent(stateB())));
    if (created) {
      expectMeshMatches(world.emulator, stateB());
      await provider(deleteEvent(created.PhysicalResourceId, stateB()));
    }
    expect({
      position: p,
      left: ownedBy(world.emulator.snapshot(), 'mesh/ecs-mesh/service/faulty').length,
    }).toEqual({
      position: p,
      left: 0,
    });
    expectNothingLeft(world.emulator);
    expect(
      revisions(world.emulator)
        .filter((r) => !r.owner)
        .map((r) => r.status),
    ).toEqual(['ACTIVE', 'ACTIVE']);
  }
});

test('GIVEN an in-place Update WHEN each of its mutating calls fails in turn THEN the rollback Update restores the previous configuration exactly', async () => {
  let created: HandlerResult | undefined;
  const all = await cleanRun(async () => {
    const provider = world.provider();
    created = await provider(createEvent(stateA()));
    world.emulator.clearRequests();
    await provider(updateEvent(created.PhysicalResourceId, stateB(), stateA()));
  });
  expect(all.length).toBeGreaterThanOrEqual(8);
  for (const p of all) {
    await freshWorld();
    const provider = world.provider();
    const before = await provider(createEvent(stateA()));
    const id = before.PhysicalResourceId;
    inject(p);
    const updated = await failsOrBookkeeps(p, provider(updateEvent(id, stateB(), stateA())));
    if (updated) expectMeshMatches(world.emulator, stateB());

    // CloudFormation rolls back (failed, or the stack failed elsewhere): the same Update, properties swapped.
    const rolledBack = await provider(updateEvent(id, stateA(), stateB()));
    expect({ position: p, data: rolledBack.Data }).toEqual({ position: p, data: before.Data });
    expectMeshMatches(world.emulator, stateA());
    expect(
      revisions(world.emulator, 'fault-a').find((r) => r.arn === before.Data!.TaskDefinitionArn)?.status,
    ).toBe('ACTIVE');

    await provider(deleteEvent(id, stateA()));
    expectNothingLeft(world.emulator);
  }
});

test('GIVEN a replacement WHEN each of its mutating calls fails in turn THEN the new service is removed and the old one is untouched', async () => {
  const renamed = (): Props => ({ ...stateB(), ServiceName: 'faulty-2' });
  const all = await cleanRun(async () => {
    const provider = world.provider();
    const created = await provider(createEvent(stateA()));
    world.emulator.clearRequests();
    await provider(updateEvent(created.PhysicalResourceId, renamed(), stateA()));
  });
  for (const p of all) {
    await freshWorld();
    const provider = world.provider();
    const before = await provider(createEvent(stateA()));
    inject(p);
    const replaced = await failsOrBookkeeps(
      p,
      provider(updateEvent(before.PhysicalResourceId, renamed(), stateA())),
    );
    if (replaced) {
      // CloudFormation's cleanup deletes the old id.
      expectMeshMatches(world.emulator, renamed());
      await provider(deleteEvent(before.PhysicalResourceId, stateA()));
      await provider(deleteEvent(replaced.PhysicalResourceId, renamed()));
      expectNothingLeft(world.emulator);
      continue;
    }
    expect(ownedBy(world.emulator.snapshot(), 'mesh/ecs-mesh/service/faulty-2')).toEqual([]);
    expectMeshMatches(world.emulator, stateA());
    await provider(deleteEvent(before.PhysicalResourceId, stateA()));
    expectNothingLeft(world.emulator);
  }
});

test('GIVEN a Delete WHEN one of its calls fails THEN it fails clearly and a retried Delete finishes the job', async () => {
  const all = await cleanRun(async () => {
    const provider = world.provider();
    const created = await provider(createEvent(stateB()));
    world.emulator.clearRequests();
    await provider(deleteEvent(created.PhysicalResourceId, stateB()));
  });
  for (const p of all) {
    await freshWorld();
    const provider = world.provider();
    const created = await provider(createEvent(stateB()));
    inject(p);
    await expect(provider(deleteEvent(created.PhysicalResourceId, stateB()))).rejects.toThrow(
      /injected fault/,
    );
    await provider(deleteEvent(created.PhysicalResourceId, stateB()));
    expectNothingLeft(world.emulator);
  }
});

describe('GIVEN a call the service never answers (item 4: a hung call must not run to the Lambda kill)', () => {
  test('WHEN every attempt of a Create call hangs THEN the Create fails with a timeout within its time budget and leaves nothing behind', async () => {
    await freshWorld();
    const budgetMs = 8_000;
    const provider = world.provider({ requestTimeoutMs: 300, remainingMs: budgetMs });
    // Every attempt: the SDK's retries of a timed-out call hang as well.
    world.emulator.faults.hangNth('appmesh:CreateVirtualService', 1, { count: 20 });
    const started = Date.now();
    await expect(provider(createEvent(stateB()))).rejects.toThrow(
      /CreateVirtualService virtual service "faulty\.service\.local" in mesh "ecs-mesh" failed: TimeoutError/,
    );
    // Answered before the Lambda would be killed, with the cleanup done.
    expect(Date.now() - started).toBeLessThan(budgetMs);
    expectNothingLeft(world.emulator);
    world.emulator.faults.clear();
  });

  test('WHEN one attempt hangs THEN the call is retried and the Create succeeds with nothing created twice', async () => {
    await freshWorld();
    const provider = world.provider({ requestTimeoutMs: 300 });
    world.emulator.faults.hangNth('appmesh:CreateVirtualService', 1, { applied: true });
    const created = await provider(createEvent(stateB()));
    expectMeshMatches(world.emulator, stateB());
    await provider(deleteEvent(created.PhysicalResourceId, stateB()));
    expectNothingLeft(world.emulator);
  });
});
