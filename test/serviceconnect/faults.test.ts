/**
 * Fault injection on the Service Connect backend, like test/lifecycle/faults.test.ts: every mutating call of a
 * Create, an in-place Update, a replacement and a Delete fails in turn (with an error no retry fixes); then what
 * CloudFormation does next runs — nothing after a failed Create, the rollback Update after a failed Update, the
 * cleanup Delete, the retried Delete. No owned namespace or revision may remain, and no configuration may be lost.
 */
import type { HandlerResult } from '../../lambda/handler';
import {
  createEvent,
  deleteEvent,
  type Props,
  startWorld,
  updateEvent,
  type World,
} from '../support/harness';
import { mutating, namespaces, ownedLeft, revision } from './support';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

const FAILURES = {
  servicediscovery: { type: 'InvalidInput', status: 400, message: 'injected fault' },
  ecs: { type: 'AccessDeniedException', status: 400, message: 'injected fault' },
} as const;

let apps: { a: string; b: string };
async function freshWorld(): Promise<void> {
  world.emulator.reset();
  apps = { a: await world.registerApp('sc-fault-a'), b: await world.registerApp('sc-fault-b') };
  world.emulator.clearRequests();
}

const stateA = (): Props => ({
  Backend: 'ServiceConnect',
  MeshName: 'ecs-mesh',
  ServiceName: 'faulty',
  Namespace: 'faults.local',
  ServiceConnect: { CreateNamespace: 'true' },
  Port: '3000',
  TaskDefinition: apps.a,
  Tags: [{ Key: 'stage', Value: 'a' }],
});

const stateB = (): Props => ({
  ...stateA(),
  Backends: ['other.faults.local'],
  TaskDefinition: apps.b,
  Routes: [{ Name: 'main', Timeout: { IdleMillis: '30000', PerRequestMillis: '5000' } }],
  Tags: [{ Key: 'stage', Value: 'b' }],
});

type Position = { service: 'servicediscovery' | 'ecs'; operation: string; nth: number };

function positions(calls: string[]): Position[] {
  const seen = new Map<string, number>();
  return calls.map((call) => {
    const [service, operation] = call.split(':') as [Position['service'], string];
    const nth = (seen.get(call) ?? 0) + 1;
    seen.set(call, nth);
    return { service, operation, nth };
  });
}

async function cleanRun(run: () => Promise<unknown>): Promise<Position[]> {
  await freshWorld();
  await run();
  return positions(mutating(world.emulator));
}

function inject(p: Position): void {
  world.emulator.faults.failNth(`${p.service}:${p.operation}`, p.nth, FAILURES[p.service]);
}

const sourcesActive = () =>
  world.emulator
    .snapshot(['ecs'])
    .ecs.taskDefinitions.filter((t) => !t.tags.some((x) => x.key === 'mesh-service:owner'))
    .map((t) => t.status);

test('GIVEN a Create WHEN each of its mutating calls fails in turn THEN the Create fails and leaves nothing behind', async () => {
  const all = await cleanRun(() => world.provider()(createEvent(stateB())));
  expect(all.map((p) => `${p.service}:${p.operation}`).sort()).toEqual([
    'ecs:RegisterTaskDefinition',
    'servicediscovery:CreateHttpNamespace',
  ]);
  for (const p of all) {
    await freshWorld();
    inject(p);
    await expect(world.provider()(createEvent(stateB()))).rejects.toThrow(/injected fault/);
    expect({ position: p, left: ownedLeft(world.emulator) }).toEqual({ position: p, left: [] });
    expect(sourcesActive()).toEqual(['ACTIVE', 'ACTIVE']);
  }
});

test('GIVEN an in-place Update WHEN each of its mutating calls fails in turn THEN the rollback Update restores the previous configuration exactly', async () => {
  const all = await cleanRun(async () => {
    const provider = world.provider();
    const created = await provider(createEvent(stateA()));
    world.emulator.clearRequests();
    await provider(updateEvent(created.PhysicalResourceId, stateB(), stateA()));
  });
  expect(all.length).toBeGreaterThanOrEqual(1);
  for (const p of all) {
    await freshWorld();
    const provider = world.provider();
    const before: HandlerResult = await provider(createEvent(stateA()));
    const id = before.PhysicalResourceId;
    inject(p);
    await expect(provider(updateEvent(id, stateB(), stateA()))).rejects.toThrow(/injected fault/);
    const rolledBack = await provider(updateEvent(id, stateA(), stateB()));
    expect({ position: p, data: rolledBack.Data }).toEqual({ position: p, data: before.Data });
    expect(revision(world.emulator, before.Data!.TaskDefinitionArn!).status).toBe('ACTIVE');
    await provider(deleteEvent(id, stateA()));
    expect({ position: p, left: ownedLeft(world.emulator) }).toEqual({ position: p, left: [] });
  }
});

test('GIVEN a replacement WHEN each of its mutating calls fails in turn THEN the new service is removed and the old one is untouched', async () => {
  const renamed = (): Props => ({ ...stateB(), ServiceName: 'faulty-2', Namespace: 'faults-2.local' });
  const all = await cleanRun(async () => {
    const provider = world.provider();
    const created = await provider(createEvent(stateA()));
    world.emulator.clearRequests();
    await provider(updateEvent(created.PhysicalResourceId, renamed(), stateA()));
  });
  expect(all.map((p) => p.operation)).toContain('CreateHttpNamespace');
  for (const p of all) {
    await freshWorld();
    const provider = world.provider();
    const before = await provider(createEvent(stateA()));
    inject(p);
    await expect(provider(updateEvent(before.PhysicalResourceId, renamed(), stateA()))).rejects.toThrow(
      /injected fault/,
    );
    expect(ownedLeft(world.emulator, ['service-connect/faults-2.local/service/faulty-2'])).toEqual([]);
    expect(ownedLeft(world.emulator, [before.PhysicalResourceId]).sort()).toEqual(
      ['namespace faults.local', `revision ${before.Data!.TaskDefinitionArn}`].sort(),
    );
    await provider(deleteEvent(before.PhysicalResourceId, stateA()));
    expect(ownedLeft(world.emulator)).toEqual([]);
  }
});

test('GIVEN a Delete WHEN one of its calls fails THEN it fails clearly and a retried Delete finishes the job', async () => {
  const all = await cleanRun(async () => {
    const provider = world.provider();
    const created = await provider(createEvent(stateB()));
    world.emulator.clearRequests();
    await provider(deleteEvent(created.PhysicalResourceId, stateB()));
  });
  expect(all.map((p) => p.operation).sort()).toEqual(['DeleteNamespace', 'DeregisterTaskDefinition']);
  for (const p of all) {
    await freshWorld();
    const provider = world.provider();
    const created = await provider(createEvent(stateB()));
    inject(p);
    await expect(provider(deleteEvent(created.PhysicalResourceId, stateB()))).rejects.toThrow(
      /injected fault/,
    );
    await provider(deleteEvent(created.PhysicalResourceId, stateB()));
    expect(ownedLeft(world.emulator)).toEqual([]);
  }
});

describe('GIVEN a Cloud Map call whose answer is lost', () => {
  test('WHEN CreateHttpNamespace took effect but its answer never came THEN the retry converges on the same namespace', async () => {
    await freshWorld();
    const provider = world.provider({ requestTimeoutMs: 300 });
    world.emulator.faults.hangNth('servicediscovery:CreateHttpNamespace', 1, { applied: true });
    const created = await provider(createEvent(stateA()));
    expect(namespaces(world.emulator).map((n) => n.Arn)).toEqual([created.Data!.NamespaceArn]);
    await provider(deleteEvent(created.PhysicalResourceId, stateA()));
    expect(ownedLeft(world.emulator)).toEqual([]);
  });

  test('WHEN every attempt of CreateHttpNamespace hangs THEN the Create fails within its budget and what it did is undone', async () => {
    await freshWorld();
    const provider = world.provider({ requestTimeoutMs: 300, remainingMs: 8_000 });
    world.emulator.faults.hangNth('servicediscovery:CreateHttpNamespace', 1, { count: 20, applied: true });
    await expect(provider(createEvent(stateA()))).rejects.toThrow(
      /CreateHttpNamespace "faults.local" failed: TimeoutError/,
    );
    world.emulator.faults.clear();
    expect(ownedLeft(world.emulator)).toEqual([]);
  });
});
