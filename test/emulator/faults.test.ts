/**
 * Fault injection: throttling answered as each service does (and retried by the SDK), planned failures,
 * latency, and the request log. No timed assertions: behaviour only (latency is checked as a lower bound).
 */
import {
  AppMeshClient,
  TagResourceCommand as AppMeshTagResourceCommand,
  CreateMeshCommand,
  DeleteMeshCommand,
  DescribeMeshCommand,
  ListMeshesCommand,
  UntagResourceCommand,
  UpdateMeshCommand,
} from '@aws-sdk/client-app-mesh';
import {
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
} from '@aws-sdk/client-ecs';
import { simpleTaskDefinition } from './fixtures';
import { failureOf, useEmulator } from './helpers';

/**
 * The clock of the emulator's token buckets: its FaultInjector takes `Date.now` as its clock when the emulator
 * starts (in useEmulator's beforeAll), so this wrapper is what the buckets read. It follows real time, unless a test
 * calls `stopClock()` (until the test ends) to prove a bucket's burst exactly, however long the calls take.
 */
const realNow = Date.now;
let stoppedAt: number | undefined;
Date.now = () => stoppedAt ?? realNow();
const stopClock = () => {
  stoppedAt = realNow();
};
afterEach(() => {
  stoppedAt = undefined;
});
afterAll(() => {
  Date.now = realNow;
});

const ctx = useEmulator();

/** Clients that do not retry, to observe the service's answer itself. */
let appmeshOnce: AppMeshClient;
let ecsOnce: ECSClient;
beforeAll(() => {
  appmeshOnce = new AppMeshClient({ maxAttempts: 1 });
  ecsOnce = new ECSClient({ maxAttempts: 1 });
});
afterAll(() => {
  appmeshOnce.destroy();
  ecsOnce.destroy();
});

const createMesh = (client: AppMeshClient, meshName: string) =>
  client.send(new CreateMeshCommand({ meshName }));
const registerTd = (client: ECSClient, family = 'web') =>
  client.send(new RegisterTaskDefinitionCommand(simpleTaskDefinition(family)));

describe('throttling', () => {
  test('GIVEN an App Mesh bucket of 2 with no refill WHEN a third call arrives THEN TooManyRequestsException with HTTP 429, and nothing is created', async () => {
    ctx.emulator.faults.throttle('creates', { burst: 2, refillPerSecond: 0, operations: ['CreateMesh'] });
    await createMesh(appmeshOnce, 'a');
    await createMesh(appmeshOnce, 'b');
    const error = await failureOf(createMesh(appmeshOnce, 'c'));
    expect(error.name).toBe('TooManyRequestsException');
    expect(error.$metadata?.httpStatusCode).toBe(429);
    expect(ctx.emulator.snapshot().appmesh.meshes.map((m) => m.meshName)).toEqual(['a', 'b']);
    // Other operations are not in the bucket.
    await appmeshOnce.send(new ListMeshesCommand({}));
  });

  test('GIVEN an ECS bucket WHEN exhausted THEN ThrottlingException with HTTP 400', async () => {
    ctx.emulator.faults.throttle('register', {
      burst: 1,
      refillPerSecond: 0,
      operations: ['RegisterTaskDefinition'],
    });
    await registerTd(ecsOnce);
    const error = await failureOf(registerTd(ecsOnce));
    expect(error.name).toBe('ThrottlingException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  test('GIVEN an operation in two buckets WHEN one refuses it THEN the other keeps its token (a throttled request consumes none)', async () => {
    ctx.emulator.faults.throttle('narrow', { burst: 1, refillPerSecond: 0, operations: ['CreateMesh'] });
    ctx.emulator.faults.throttle('wide', {
      burst: 3,
      refillPerSecond: 0,
      operations: ['CreateMesh', 'DescribeMesh'],
    });
    await createMesh(appmeshOnce, 'a'); // narrow 0, wide 2
    expect((await failureOf(createMesh(appmeshOnce, 'b'))).name).toBe('TooManyRequestsException'); // refused: wide stays 2
    await appmeshOnce.send(new DescribeMeshCommand({ meshName: 'a' })); // wide 1
    await appmeshOnce.send(new DescribeMeshCommand({ meshName: 'a' })); // wide 0
    expect((await failureOf(appmeshOnce.send(new DescribeMeshCommand({ meshName: 'a' })))).name).toBe(
      'TooManyRequestsException',
    );
  });

  // A token every 250 ms: the three calls sent at once arrive well within it, even on a starved machine (at 20 a
  // second they could arrive 50 ms apart, each finding a refilled token); the SDK's throttling backoff waits for it.
  test('GIVEN a refilling App Mesh bucket WHEN the SDK retries with enough attempts THEN every call eventually succeeds', async () => {
    ctx.emulator.faults.throttle('creates', {
      burst: 1,
      refillPerSecond: 4,
      operations: ['appmesh:CreateMesh'],
    });
    const patient = new AppMeshClient({ maxAttempts: 10 });
    await Promise.all(['a', 'b', 'c'].map((name) => createMesh(patient, name)));
    patient.destroy();
    expect(ctx.emulator.snapshot().appmesh.meshes).toHaveLength(3);
    expect(
      ctx.emulator.requests.filter((r) => r.error === 'TooManyRequestsException').length,
    ).toBeGreaterThan(0);
  });

  test('GIVEN a refilling ECS bucket WHEN the SDK retries with enough attempts THEN every call eventually succeeds', async () => {
    ctx.emulator.faults.throttle('register', {
      burst: 1,
      refillPerSecond: 4,
      operations: ['ecs:RegisterTaskDefinition'],
    });
    const patient = new ECSClient({ maxAttempts: 10 });
    await Promise.all([registerTd(patient), registerTd(patient), registerTd(patient)]);
    patient.destroy();
    expect(ctx.emulator.snapshot().ecs.taskDefinitions.map((t) => t.revision)).toEqual([1, 2, 3]);
    expect(ctx.emulator.requests.filter((r) => r.error === 'ThrottlingException').length).toBeGreaterThan(0);
  });

  // The two preset tests stop the buckets' clock: at 1 (ECS) and 8 (App Mesh) per second a token comes back every
  // 1000 ms and 125 ms, and on a busy machine the calls that use up the burst can take longer than that, so the call
  // after the burst would find a refilled token. With the clock stopped, nothing refills.
  test('GIVEN the ecs preset THEN Register and Deregister share a burst of 20 and Describe has its own bucket', async () => {
    stopClock();
    ctx.emulator.faults.throttlePreset('ecs');
    for (let i = 0; i < 20; i++) await registerTd(ecsOnce);
    const error = await failureOf(registerTd(ecsOnce));
    expect(error.name).toBe('ThrottlingException');
    await ecsOnce.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web' }));
  });

  test('GIVEN the appmesh preset THEN Create/Update/Delete/Tag/Untag share a burst of 8 and reads are not throttled', async () => {
    stopClock();
    ctx.emulator.faults.throttlePreset('appmesh');
    const arn = (await createMesh(appmeshOnce, 'm1')).mesh?.metadata?.arn;
    await createMesh(appmeshOnce, 'm2');
    await appmeshOnce.send(new UpdateMeshCommand({ meshName: 'm1', spec: {} }));
    await appmeshOnce.send(
      new AppMeshTagResourceCommand({ resourceArn: arn, tags: [{ key: 'a', value: 'b' }] }),
    );
    await appmeshOnce.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['a'] }));
    await appmeshOnce.send(new DeleteMeshCommand({ meshName: 'm2' }));
    await createMesh(appmeshOnce, 'm3');
    await createMesh(appmeshOnce, 'm4');
    const error = await failureOf(appmeshOnce.send(new UpdateMeshCommand({ meshName: 'm1', spec: {} })));
    expect(error.name).toBe('TooManyRequestsException');
    for (let i = 0; i < 10; i++) await appmeshOnce.send(new ListMeshesCommand({}));
    await appmeshOnce.send(new DescribeMeshCommand({ meshName: 'm1' }));
  });

  test('GIVEN the appmesh preset (qualified appmesh:TagResource) THEN the ECS TagResource is not throttled by it', async () => {
    ctx.emulator.faults.throttlePreset('appmesh');
    const resourceArn = (await registerTd(ecsOnce)).taskDefinition?.taskDefinitionArn ?? '';
    for (let i = 0; i < 10; i++) {
      await ecsOnce.send(new TagResourceCommand({ resourceArn, tags: [{ key: `k${i}`, value: 'v' }] }));
    }
    expect(ctx.emulator.requests.filter((r) => r.error !== undefined)).toEqual([]);
  });
});

describe('failNth', () => {
  test('GIVEN failNth(CreateMesh, 2) THEN the second call fails with InternalServerErrorException (500) and has no effect; the third succeeds', async () => {
    ctx.emulator.faults.failNth('CreateMesh', 2);
    await createMesh(appmeshOnce, 'first');
    const error = await failureOf(createMesh(appmeshOnce, 'second'));
    expect(error.name).toBe('InternalServerErrorException');
    expect(error.$metadata?.httpStatusCode).toBe(500);
    await createMesh(appmeshOnce, 'third');
    expect(ctx.emulator.snapshot().appmesh.meshes.map((m) => m.meshName)).toEqual(['first', 'third']);
  });

  test('GIVEN failNth with a custom error THEN that error is answered', async () => {
    ctx.emulator.faults.failNth('DescribeMesh', 1, {
      type: 'ServiceUnavailableException',
      status: 503,
      message: 'try later',
    });
    const error = await failureOf(appmeshOnce.send(new DescribeMeshCommand({ meshName: 'x' })));
    expect(error.name).toBe('ServiceUnavailableException');
    expect(error.message).toBe('try later');
  });

  test('GIVEN failNth on an ECS operation THEN the default is ServerException (500)', async () => {
    ctx.emulator.faults.failNth('ecs:RegisterTaskDefinition', 1);
    const error = await failureOf(registerTd(ecsOnce));
    expect(error.name).toBe('ServerException');
    expect(error.$metadata?.httpStatusCode).toBe(500);
    expect(ctx.emulator.snapshot().ecs.taskDefinitions).toEqual([]);
  });

  test('GIVEN failNth(1) WHEN called through a retrying SDK client THEN the retry succeeds and the log shows both attempts', async () => {
    ctx.emulator.faults.failNth('CreateMesh', 1);
    await createMesh(ctx.appmesh, 'retried');
    expect(ctx.emulator.requests.map((r) => [r.operation, r.status])).toEqual([
      ['CreateMesh', 500],
      ['CreateMesh', 200],
    ]);
  });

  test('GIVEN faults.clear() THEN planned failures, throttles and latencies are gone', async () => {
    ctx.emulator.faults.failNth('CreateMesh', 1);
    ctx.emulator.faults.throttle('none', { burst: 1, refillPerSecond: 0, operations: ['CreateMesh'] });
    ctx.emulator.faults.clear();
    await createMesh(appmeshOnce, 'a');
    await createMesh(appmeshOnce, 'b');
  });
});

describe('latency', () => {
  test.each(['DescribeMesh', 'appmesh:DescribeMesh', 'appmesh', '*'])(
    'GIVEN latency(%s, 120) THEN DescribeMesh takes at least that long (lower bound only)',
    async (match) => {
      await createMesh(appmeshOnce, 'm');
      ctx.emulator.faults.latency(match, 120);
      ctx.emulator.clearRequests();
      await appmeshOnce.send(new DescribeMeshCommand({ meshName: 'm' }));
      expect(ctx.emulator.requests[0]?.durationMs).toBeGreaterThanOrEqual(119);
    },
  );

  test('GIVEN latency on a throttle group name THEN operations of that group are delayed', async () => {
    ctx.emulator.faults.throttle('reads', { burst: 100, refillPerSecond: 100, operations: ['ListMeshes'] });
    ctx.emulator.faults.latency('reads', 100);
    await appmeshOnce.send(new ListMeshesCommand({}));
    expect(ctx.emulator.requests.at(-1)?.durationMs).toBeGreaterThanOrEqual(99);
  });
});

describe('request log', () => {
  test('GIVEN a few calls THEN the log has every request in arrival order with service, operation, input, status and error', async () => {
    await createMesh(appmeshOnce, 'm');
    await failureOf(createMesh(appmeshOnce, 'm'));
    await registerTd(ecsOnce);
    const log = ctx.emulator.requests;
    expect(log.map((r) => [r.service, r.operation, r.status, r.error])).toEqual([
      ['appmesh', 'CreateMesh', 200, undefined],
      ['appmesh', 'CreateMesh', 409, 'ConflictException'],
      ['ecs', 'RegisterTaskDefinition', 200, undefined],
    ]);
    expect(log[0]?.input).toMatchObject({ meshName: 'm', clientToken: expect.any(String) });
    expect(log[2]?.input).toMatchObject({ family: 'web' });
    expect(log.every((r) => r.startedAt > 0 && r.durationMs >= 0)).toBe(true);
    expect(log[0]?.startedAt).toBeLessThanOrEqual(log[1]?.startedAt ?? 0);
  });

  test('GIVEN clearRequests() THEN the log is empty and keeps logging', async () => {
    await createMesh(appmeshOnce, 'm');
    ctx.emulator.clearRequests();
    expect(ctx.emulator.requests).toEqual([]);
    await appmeshOnce.send(new ListMeshesCommand({}));
    expect(ctx.emulator.requests.map((r) => r.operation)).toEqual(['ListMeshes']);
  });
});
