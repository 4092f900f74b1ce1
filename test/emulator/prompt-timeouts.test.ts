/**
 * The emulator tells an in-process client when it leaves a call unanswered (`faults.onUnanswered`), and the tests'
 * HTTP handler (test/support/prompt-timeouts.ts) then fails the attempt with the SDK's own timeout error at once,
 * closing the connection, instead of sitting out its request timeout.
 */

import type { IncomingHttpHeaders } from 'node:http';
import { AppMeshClient, DescribeMeshCommand } from '@aws-sdk/client-app-mesh';
import { promptTimeouts } from '../support/prompt-timeouts';
import { MESH } from './fixtures';
import { useEmulator } from './helpers';

const ctx = useEmulator();

const clients: { destroy(): void }[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

/** The SDK's Node.js handler with these options, or the prompt one made of the same options. */
function client(requestTimeout: number, prompt: boolean, caller = ''): AppMeshClient {
  const env = ctx.emulator.env(undefined, caller);
  const options = { connectionTimeout: 5_000, requestTimeout, throwOnRequestTimeout: true };
  const c = new AppMeshClient({
    endpoint: env.AWS_ENDPOINT_URL_APP_MESH,
    region: env.AWS_REGION,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
    },
    maxAttempts: 1,
    requestHandler: prompt ? promptTimeouts(ctx.emulator)(options) : options,
  });
  clients.push(c);
  return c;
}

type SdkError = Error & { code?: string };

async function failure(promise: Promise<unknown>): Promise<SdkError> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: SdkError) => e,
  );
}

/** Until the last logged call's connection is closed (its duration is written then). */
async function connectionClosed(): Promise<void> {
  while (ctx.emulator.requests.at(-1)?.durationMs === 0) await new Promise((r) => setTimeout(r, 5));
}

describe('GIVEN a call the emulator never answers (hangNth)', () => {
  test('WHEN a listener is registered THEN it hears of the call with its request headers, and not of answered calls', async () => {
    const heard: IncomingHttpHeaders[] = [];
    const remove = ctx.emulator.faults.onUnanswered((headers) => heard.push(headers));
    ctx.emulator.faults.hangNth('DescribeMesh', 2);
    await failure(client(60_000, false).send(new DescribeMeshCommand({ meshName: MESH })));
    expect(heard).toEqual([]);
    const hung = client(200, false).send(new DescribeMeshCommand({ meshName: MESH }));
    await failure(hung);
    remove();
    expect(heard).toHaveLength(1);
    expect(heard[0]?.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
  });

  test("WHEN the client uses the prompt handler with a 10-minute request timeout THEN the attempt fails at once with the error the SDK's own timeout gives, and the connection is closed", async () => {
    ctx.emulator.faults.hangNth('DescribeMesh', 1);
    const own = await failure(client(200, false).send(new DescribeMeshCommand({ meshName: MESH })));
    await connectionClosed();
    ctx.emulator.faults.hangNth('DescribeMesh', 1);
    // Were the attempt left to its 10-minute timeout, the test would run into Jest's.
    const prompt = await failure(client(600_000, true).send(new DescribeMeshCommand({ meshName: MESH })));
    await connectionClosed();
    expect({ name: prompt.name, code: prompt.code, message: prompt.message }).toEqual({
      name: own.name,
      code: own.code,
      message: own.message.replace('200 ms', '600000 ms'),
    });
    expect(own).toMatchObject({ name: 'TimeoutError', code: 'ETIMEDOUT' });
    expect(ctx.emulator.requests.slice(-2).map((r) => [r.operation, r.error])).toEqual([
      ['DescribeMesh', 'Hung'],
      ['DescribeMesh', 'Hung'],
    ]);
  });

  test('WHEN the prompt handler calls and the call is answered THEN it gets the answer', async () => {
    const e = await failure(
      client(600_000, true).send(new DescribeMeshCommand({ meshName: 'no-such-mesh' })),
    );
    expect(e.name).toBe('NotFoundException');
  });

  test('WHEN the caller was killed THEN each of its later calls fails promptly as a timeout too', async () => {
    ctx.emulator.faults.killAt('DescribeMesh', 1, {
      caller: ctx.emulator.env(undefined, 'ZOMBIE').AWS_ACCESS_KEY_ID ?? '',
    });
    const killer = client(600_000, true, 'ZOMBIE');
    expect((await failure(killer.send(new DescribeMeshCommand({ meshName: MESH })))).name).toBe(
      'TimeoutError',
    );
    expect((await failure(killer.send(new DescribeMeshCommand({ meshName: MESH })))).name).toBe(
      'TimeoutError',
    );
    expect(ctx.emulator.requests.slice(-2).map((r) => r.error)).toEqual(['Killed', 'Killed']);
  });
});
