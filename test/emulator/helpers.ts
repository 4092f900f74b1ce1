/** Shared setup for the emulator conformance tests: one in-process emulator per test file, real SDK clients. */
import { AppMeshClient, ListMeshesCommand } from '@aws-sdk/client-app-mesh';
import { ECSClient, ListTaskDefinitionFamiliesCommand } from '@aws-sdk/client-ecs';
import { type Emulator, type EmulatorOptions, startEmulator } from '../../emulator';

export interface EmulatorContext {
  emulator: Emulator;
  /** Configured only through process.env (AWS_ENDPOINT_URL_*, credentials, region), like the production handler. */
  appmesh: AppMeshClient;
  ecs: ECSClient;
}

/**
 * Starts the emulator before the file's tests, points process.env at it, builds SDK clients from the standard
 * configuration only, and resets all emulator state before each test.
 */
export function useEmulator(options?: EmulatorOptions): EmulatorContext {
  const ctx = {} as EmulatorContext;
  beforeAll(async () => {
    ctx.emulator = await startEmulator(options);
    Object.assign(process.env, ctx.emulator.env());
    ctx.appmesh = new AppMeshClient({});
    ctx.ecs = new ECSClient({});
    // The first calls of a process load most of the SDK: not inside a test that gives its calls a short timeout.
    await ctx.appmesh.send(new ListMeshesCommand({}));
    await ctx.ecs.send(new ListTaskDefinitionFamiliesCommand({}));
  });
  beforeEach(() => ctx.emulator.reset());
  afterAll(async () => {
    ctx.appmesh?.destroy();
    ctx.ecs?.destroy();
    await ctx.emulator?.close();
  });
  return ctx;
}

/** Runs an SDK call expected to fail and returns the error (fails the test if the call succeeds). */
export async function failureOf(
  call: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await call;
  } catch (error) {
    return error as Error & { $metadata?: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** A signature-shaped Authorization header: the emulator requires one but does not verify it. */
export function fakeSigV4(accessKeyId = 'EMULATOR111122223333'): string {
  return (
    `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20260101/us-east-1/appmesh/aws4_request, ` +
    'SignedHeaders=host;x-amz-date, Signature=0123456789abcdef'
  );
}

export interface RawResponse {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}

/** A raw HTTP request, for what the SDK would never send (unknown members, no signature, …). */
export async function rawRequest(
  emulator: Emulator,
  init: { method: string; path: string; body?: unknown; headers?: Record<string, string>; sign?: boolean },
): Promise<RawResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...init.headers };
  if (init.sign !== false) headers.authorization = fakeSigV4();
  const response = await fetch(`${emulator.url}${init.path}`, {
    method: init.method,
    headers,
    body:
      init.body === undefined
        ? undefined
        : typeof init.body === 'string'
          ? init.body
          : JSON.stringify(init.body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** An ECS JSON 1.1 request made by hand. */
export function rawEcs(
  emulator: Emulator,
  operation: string,
  body: unknown,
  sign = true,
): Promise<RawResponse> {
  return rawRequest(emulator, {
    method: 'POST',
    path: '/',
    body,
    sign,
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AmazonEC2ContainerServiceV20141113.${operation}`,
    },
  });
}

export const OTHER_ACCOUNT = '444455556666';
