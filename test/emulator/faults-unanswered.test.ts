/**
 * Calls that get no answer: hangNth (the client gives up), resetNth (the connection is reset) and killAt (a caller,
 * known by its access key id, dies: its call and every later one hang and never take effect). Real SDK clients
 * with a 300 ms request timeout observe them as users would: TimeoutError, a socket error, or — with `applied` —
 * an operation that took effect although its answer was lost.
 */
import {
  AppMeshClient,
  CreateMeshCommand,
  CreateVirtualNodeCommand,
  DescribeMeshCommand,
  DescribeVirtualNodeCommand,
  ListMeshesCommand,
} from '@aws-sdk/client-app-mesh';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ECSClient, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { type Emulator, startEmulator } from '../../emulator';
import { MESH, nodeSpec } from './fixtures';
import { failureOf, rawRequest, useEmulator } from './helpers';

const ctx = useEmulator();

const TIMEOUT = { requestTimeout: 300, throwOnRequestTimeout: true } as const;

type SdkError = Error & { code?: string; $metadata?: { httpStatusCode?: number } };

const clients: { destroy(): void }[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

/** A client that gives up after 300 ms, for one caller (`caller` makes its own access key id of the account). */
function appmeshClient(
  options: { caller?: string; maxAttempts?: number; timeout?: boolean } = {},
): AppMeshClient {
  const env = ctx.emulator.env(undefined, options.caller ?? '');
  const client = new AppMeshClient({
    endpoint: env.AWS_ENDPOINT_URL_APP_MESH,
    region: env.AWS_REGION,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
    },
    maxAttempts: options.maxAttempts ?? 1,
    ...(options.timeout === false ? {} : { requestHandler: TIMEOUT }),
  });
  clients.push(client);
  return client;
}

function ecsClient(caller = ''): ECSClient {
  const env = ctx.emulator.env(undefined, caller);
  const client = new ECSClient({
    endpoint: env.AWS_ENDPOINT_URL_ECS,
    region: env.AWS_REGION,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
    },
    maxAttempts: 1,
    requestHandler: TIMEOUT,
  });
  clients.push(client);
  return client;
}

function cfnClient(): CloudFormationClient {
  const client = new CloudFormationClient({ maxAttempts: 1, requestHandler: TIMEOUT });
  clients.push(client);
  return client;
}

const createMesh = (client: AppMeshClient, meshName: string) =>
  client.send(new CreateMeshCommand({ meshName }));
const meshNames = () => ctx.emulator.snapshot().appmesh.meshes.map((m) => m.meshName);
const log = () => ctx.emulator.requests.map((r) => [r.operation, r.status, r.error]);

/** A socket-level failure as the SDK reports it (not an HTTP answer). */
function expectSocketError(error: SdkError): void {
  expect(error.$metadata?.httpStatusCode).toBeUndefined();
  expect(`${error.code ?? ''} ${error.message}`).toMatch(/ECONNRESET|socket hang up|EPIPE/);
}

describe('hangNth', () => {
  test('GIVEN hangNth(CreateMesh, 2) WHEN a client with a 300 ms request timeout calls THEN the 2nd call ends in TimeoutError, has no effect and is logged as Hung with status 0', async () => {
    ctx.emulator.faults.hangNth('CreateMesh', 2);
    const client = appmeshClient();
    await createMesh(client, 'first');
    const error = (await failureOf(createMesh(client, 'second'))) as SdkError;
    expect(error.name).toBe('TimeoutError');
    await createMesh(client, 'third');
    expect(meshNames()).toEqual(['first', 'third']);
    expect(log()).toEqual([
      ['CreateMesh', 200, undefined],
      ['CreateMesh', 0, 'Hung'],
      ['CreateMesh', 200, undefined],
    ]);
  });

  test('GIVEN hangNth(CreateVirtualNode, 1, { applied: true }) WHEN the answer is lost THEN the node exists, and the same request (same clientToken) retried succeeds idempotently', async () => {
    await ctx.appmesh.send(new CreateMeshCommand({ meshName: MESH }));
    ctx.emulator.faults.hangNth('CreateVirtualNode', 1, { applied: true });
    const client = appmeshClient();
    const input = { meshName: MESH, virtualNodeName: 'web', spec: nodeSpec(), clientToken: 'token-web-1' };
    expect((await failureOf(client.send(new CreateVirtualNodeCommand(input)))).name).toBe('TimeoutError');
    const described = await client.send(
      new DescribeVirtualNodeCommand({ meshName: MESH, virtualNodeName: 'web' }),
    );
    expect(described.virtualNode?.metadata?.version).toBe(1);
    // App Mesh replays the first answer for a retried clientToken with the same input.
    const retried = await client.send(new CreateVirtualNodeCommand(input));
    expect(retried.virtualNode?.metadata?.uid).toBe(described.virtualNode?.metadata?.uid);
    expect(retried.virtualNode?.metadata?.version).toBe(1);
    expect(ctx.emulator.snapshot().appmesh.virtualNodes).toHaveLength(1);
    // Without the same token the retry is a new request, refused since the first one took effect.
    const fresh = await failureOf(
      client.send(new CreateVirtualNodeCommand({ ...input, clientToken: 'token-web-2' })),
    );
    expect(fresh.name).toBe('ConflictException');
  });

  test('GIVEN an applied hang WHEN the SDK retries by itself (TimeoutError is transient) THEN the retry carries the same clientToken and succeeds', async () => {
    await ctx.appmesh.send(new CreateMeshCommand({ meshName: MESH }));
    ctx.emulator.faults.hangNth('CreateVirtualNode', 1, { applied: true });
    ctx.emulator.clearRequests();
    const client = appmeshClient({ maxAttempts: 2 });
    const created = await client.send(
      new CreateVirtualNodeCommand({ meshName: MESH, virtualNodeName: 'web', spec: nodeSpec() }),
    );
    expect(created.virtualNode?.metadata?.version).toBe(1);
    expect(log()).toEqual([
      ['CreateVirtualNode', 0, 'Hung'],
      ['CreateVirtualNode', 200, undefined],
    ]);
    const [first, second] = ctx.emulator.requests.map(
      (r) => (r.input as { clientToken?: string }).clientToken,
    );
    expect(first).toEqual(expect.any(String));
    expect(second).toBe(first);
    // The answer is the replay of the first, applied, attempt: the node was created before the retry arrived.
    const retryArrived = ctx.emulator.requests[1]?.startedAt ?? 0;
    expect(created.virtualNode?.metadata?.createdAt?.getTime()).toBeLessThan(retryArrived);
  });

  test('GIVEN hangNth("*", 3) THEN the third call hangs whatever its service and operation', async () => {
    ctx.emulator.faults.hangNth('*', 3);
    await createMesh(appmeshClient(), 'm');
    await ecsClient().send(new ListTaskDefinitionsCommand({}));
    expect((await failureOf(cfnClient().send(new DescribeStacksCommand({})))).name).toBe('TimeoutError');
    await appmeshClient().send(new ListMeshesCommand({}));
    expect(ctx.emulator.requests.map((r) => [r.service, r.operation, r.error])).toEqual([
      ['appmesh', 'CreateMesh', undefined],
      ['ecs', 'ListTaskDefinitions', undefined],
      ['cloudformation', 'DescribeStacks', 'Hung'],
      ['appmesh', 'ListMeshes', undefined],
    ]);
  });

  test('GIVEN hangNth(DescribeMesh, 2, { count: 2 }) THEN the 2nd and 3rd calls hang and the 4th is answered', async () => {
    await createMesh(ctx.appmesh, 'm');
    ctx.emulator.clearRequests();
    ctx.emulator.faults.hangNth('appmesh:DescribeMesh', 2, { count: 2 });
    const client = appmeshClient();
    const describe = () => client.send(new DescribeMeshCommand({ meshName: 'm' }));
    await describe();
    expect((await failureOf(describe())).name).toBe('TimeoutError');
    expect((await failureOf(describe())).name).toBe('TimeoutError');
    await describe();
    expect(log().map(([, status]) => status)).toEqual([200, 0, 0, 200]);
  });

  test('GIVEN a throttle bucket WHEN calls are throttled THEN they do not count towards hangNth (a call counts once admitted, as for failNth)', async () => {
    ctx.emulator.faults.throttle('one', { burst: 1, refillPerSecond: 0, operations: ['ListMeshes'] });
    ctx.emulator.faults.hangNth('ListMeshes', 2);
    const client = appmeshClient();
    await client.send(new ListMeshesCommand({}));
    expect((await failureOf(client.send(new ListMeshesCommand({})))).name).toBe('TooManyRequestsException');
    ctx.emulator.faults.throttle('one', { burst: 1, refillPerSecond: 0, operations: ['ListMeshes'] });
    expect((await failureOf(client.send(new ListMeshesCommand({})))).name).toBe('TimeoutError');
    expect(log()).toEqual([
      ['ListMeshes', 200, undefined],
      ['ListMeshes', 429, 'TooManyRequestsException'],
      ['ListMeshes', 0, 'Hung'],
    ]);
  });

  test('GIVEN a hung call and a client with no timeout WHEN faults.clear() THEN its connection is destroyed and the client sees a socket error', async () => {
    ctx.emulator.faults.hangNth('ListMeshes', 1);
    const client = appmeshClient({ timeout: false });
    const pending = failureOf(client.send(new ListMeshesCommand({})));
    await waitFor(() => ctx.emulator.requests.some((r) => r.error === 'Hung'));
    ctx.emulator.faults.clear();
    expectSocketError((await pending) as SdkError);
    await client.send(new ListMeshesCommand({}));
  });

  test('GIVEN a hung call WHEN emulator.reset() THEN its connection is destroyed too', async () => {
    ctx.emulator.faults.hangNth('ListMeshes', 1);
    const pending = failureOf(appmeshClient({ timeout: false }).send(new ListMeshesCommand({})));
    await waitFor(() => ctx.emulator.requests.some((r) => r.error === 'Hung'));
    ctx.emulator.reset();
    expectSocketError((await pending) as SdkError);
  });

  test('GIVEN a hung call whose client never gives up WHEN the emulator closes THEN close() resolves at once and the client sees a socket error', async () => {
    const own: Emulator = await startEmulator();
    const env = own.env();
    const client = new AppMeshClient({
      endpoint: env.AWS_ENDPOINT_URL_APP_MESH,
      region: env.AWS_REGION,
      credentials: {
        accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
      },
      maxAttempts: 1,
    });
    clients.push(client);
    own.faults.hangNth('ListMeshes', 1);
    const pending = failureOf(client.send(new ListMeshesCommand({})));
    await waitFor(() => own.requests.some((r) => r.error === 'Hung'));
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expectSocketError((await pending) as SdkError);
  });
});

describe('resetNth', () => {
  test('GIVEN resetNth(CreateMesh, 1) THEN the SDK sees a socket error, nothing is created and the log says Reset', async () => {
    ctx.emulator.faults.resetNth('CreateMesh', 1);
    const error = (await failureOf(createMesh(appmeshClient(), 'lost'))) as SdkError;
    expectSocketError(error);
    expect(meshNames()).toEqual([]);
    expect(log()).toEqual([['CreateMesh', 0, 'Reset']]);
  });

  test('GIVEN resetNth(CreateMesh, 1, { applied: true }) THEN the mesh exists although the caller saw a reset', async () => {
    ctx.emulator.faults.resetNth('appmesh:CreateMesh', 1, { applied: true });
    expectSocketError((await failureOf(createMesh(appmeshClient(), 'kept'))) as SdkError);
    expect(meshNames()).toEqual(['kept']);
  });

  test('GIVEN a reset WHEN the SDK retries (a reset is transient) THEN the retry is answered', async () => {
    ctx.emulator.faults.resetNth('ListMeshes', 1);
    const listed = await appmeshClient({ maxAttempts: 2 }).send(new ListMeshesCommand({}));
    expect(listed.meshes).toEqual([]);
    expect(log()).toEqual([
      ['ListMeshes', 0, 'Reset'],
      ['ListMeshes', 200, undefined],
    ]);
  });
});

describe('killAt', () => {
  const ENV1 = 'EMULATORENV1111122223333';
  const ENV2 = 'EMULATORENV2111122223333';

  test('GIVEN two callers of one account WHEN killAt(CreateMesh, 1) hits the first THEN its call and all its later calls hang unapplied, and the other caller is unaffected', async () => {
    ctx.emulator.faults.killAt('CreateMesh', 1);
    const env1 = appmeshClient({ caller: 'ENV1' });
    const env2 = appmeshClient({ caller: 'ENV2' });
    expect((await failureOf(createMesh(env1, 'by-env1'))).name).toBe('TimeoutError');
    expect(ctx.emulator.faults.killed()).toEqual([ENV1]);
    expect((await failureOf(env1.send(new ListMeshesCommand({})))).name).toBe('TimeoutError');
    expect((await failureOf(createMesh(env1, 'again'))).name).toBe('TimeoutError');
    await createMesh(env2, 'by-env2');
    expect(meshNames()).toEqual(['by-env2']);
    expect(ctx.emulator.requests.map((r) => [r.accessKeyId, r.operation, r.status, r.error])).toEqual([
      [ENV1, 'CreateMesh', 0, 'Killed'],
      [ENV1, 'ListMeshes', 0, 'Killed'],
      [ENV1, 'CreateMesh', 0, 'Killed'],
      [ENV2, 'CreateMesh', 200, undefined],
    ]);
  });

  test('GIVEN killAt(…, { applied: true }) THEN the killing call takes effect but no later call of that caller does', async () => {
    ctx.emulator.faults.killAt('CreateMesh', 2, { applied: true });
    const env1 = appmeshClient({ caller: 'ENV1' });
    await createMesh(env1, 'one');
    expect((await failureOf(createMesh(env1, 'two'))).name).toBe('TimeoutError');
    expect((await failureOf(createMesh(env1, 'three'))).name).toBe('TimeoutError');
    expect(meshNames()).toEqual(['one', 'two']);
  });

  test('GIVEN a killed caller with a call still in flight (delayed by latency) THEN that call does not take effect either', async () => {
    ctx.emulator.faults.latency('CreateMesh', 400);
    ctx.emulator.faults.killAt('ListMeshes', 1);
    const slow = appmeshClient({ caller: 'ENV1', timeout: false });
    const fast = appmeshClient({ caller: 'ENV1' });
    const inFlight = failureOf(slow.send(new CreateMeshCommand({ meshName: 'in-flight' })));
    await waitFor(() => ctx.emulator.requests.length === 1);
    expect((await failureOf(fast.send(new ListMeshesCommand({})))).name).toBe('TimeoutError');
    await waitFor(() => ctx.emulator.requests[0]?.error === 'Killed');
    expect(meshNames()).toEqual([]);
    ctx.emulator.faults.clear();
    expectSocketError((await inFlight) as SdkError);
    expect(meshNames()).toEqual([]);
  });

  test('GIVEN killAt("*", 2) THEN the caller of the second call, whatever it is, dies', async () => {
    ctx.emulator.faults.killAt('*', 2);
    await createMesh(appmeshClient({ caller: 'ENV1' }), 'm');
    expect((await failureOf(ecsClient('ENV2').send(new ListTaskDefinitionsCommand({})))).name).toBe(
      'TimeoutError',
    );
    expect(ctx.emulator.faults.killed()).toEqual([ENV2]);
    await ecsClient('ENV1').send(new ListTaskDefinitionsCommand({}));
  });

  test('GIVEN a killed caller WHEN faults.clear() THEN it is revived; reset() revives too', async () => {
    ctx.emulator.faults.killAt('ListMeshes', 1);
    const env1 = appmeshClient({ caller: 'ENV1' });
    expect((await failureOf(env1.send(new ListMeshesCommand({})))).name).toBe('TimeoutError');
    ctx.emulator.faults.clear();
    expect(ctx.emulator.faults.killed()).toEqual([]);
    await env1.send(new ListMeshesCommand({}));
    ctx.emulator.faults.killAt('ListMeshes', 1);
    await failureOf(env1.send(new ListMeshesCommand({})));
    expect(ctx.emulator.faults.killed()).toEqual([ENV1]);
    ctx.emulator.reset();
    expect(ctx.emulator.faults.killed()).toEqual([]);
    await env1.send(new ListMeshesCommand({}));
  });
});

describe('planned faults scoped to one caller', () => {
  const ENV1 = 'EMULATORENV1111122223333';

  test("GIVEN failNth, hangNth and killAt scoped to one caller WHEN two callers make the same calls THEN only that caller's calls count and are hit", async () => {
    ctx.emulator.faults.failNth('CreateMesh', 2, undefined, { caller: ENV1 });
    ctx.emulator.faults.hangNth('ListMeshes', 1, { caller: ENV1 });
    const env1 = appmeshClient({ caller: 'ENV1' });
    const env2 = appmeshClient({ caller: 'ENV2' });
    // The other caller's calls neither count nor meet the faults.
    await createMesh(env2, 'two-a');
    await createMesh(env2, 'two-b');
    await env2.send(new ListMeshesCommand({}));
    await createMesh(env1, 'one-a');
    expect((await failureOf(createMesh(env1, 'one-b'))).name).toBe('InternalServerErrorException');
    expect((await failureOf(env1.send(new ListMeshesCommand({})))).name).toBe('TimeoutError');
    expect(meshNames().sort()).toEqual(['one-a', 'two-a', 'two-b']);
    ctx.emulator.faults.killAt('*', 1, { caller: ENV1 });
    await createMesh(env2, 'two-c');
    expect(ctx.emulator.faults.killed()).toEqual([]);
    expect((await failureOf(createMesh(env1, 'one-c'))).name).toBe('TimeoutError');
    expect(ctx.emulator.faults.killed()).toEqual([ENV1]);
  });
});

describe('argument checks', () => {
  test.each([
    ['hangNth n = 0', () => ctx.emulator.faults.hangNth('ListMeshes', 0)],
    ['hangNth count = 0', () => ctx.emulator.faults.hangNth('ListMeshes', 1, { count: 0 })],
    ['resetNth n = 1.5', () => ctx.emulator.faults.resetNth('ListMeshes', 1.5)],
    ['killAt empty operation', () => ctx.emulator.faults.killAt('', 1)],
  ])('GIVEN %s THEN a RangeError', (_, plan) => {
    expect(plan).toThrow(RangeError);
  });
});

describe('control surface', () => {
  test('GIVEN POST /_emulator/faults with hangNth, resetNth and killAt THEN they apply, and GET /_emulator/faults lists the killed callers', async () => {
    const response = await rawRequest(ctx.emulator, {
      method: 'POST',
      path: '/_emulator/faults',
      sign: false,
      body: {
        hangNth: [{ operation: 'ListMeshes', n: 1 }],
        resetNth: [{ operation: 'CreateMesh', n: 1, applied: true }],
        killAt: [{ operation: 'DescribeMesh', n: 1 }],
      },
    });
    expect(response.json).toEqual({ killed: [] });
    const client = appmeshClient({ caller: 'ENV7' });
    expect((await failureOf(client.send(new ListMeshesCommand({})))).name).toBe('TimeoutError');
    expectSocketError((await failureOf(createMesh(client, 'm'))) as SdkError);
    expect(meshNames()).toEqual(['m']);
    expect((await failureOf(client.send(new DescribeMeshCommand({ meshName: 'm' })))).name).toBe(
      'TimeoutError',
    );
    const killed = await rawRequest(ctx.emulator, { method: 'GET', path: '/_emulator/faults', sign: false });
    expect(killed.json).toEqual({ killed: ['EMULATORENV7111122223333'] });
  });

  test('GIVEN a malformed hangNth over HTTP THEN 400 with the reason', async () => {
    const response = await rawRequest(ctx.emulator, {
      method: 'POST',
      path: '/_emulator/faults',
      sign: false,
      body: { hangNth: [{ operation: 'ListMeshes', n: 0 }] },
    });
    expect(response.status).toBe(400);
    expect(response.json.message).toContain('n must be an integer >= 1');
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
