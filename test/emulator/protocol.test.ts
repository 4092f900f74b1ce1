/**
 * Wire protocol conformance: routing, required SigV4, generic errors, error formats, timestamps as epoch-second
 * numbers, and the HTTP control surface.
 */
import { CreateMeshCommand, DescribeMeshCommand } from '@aws-sdk/client-app-mesh';
import { RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { simpleTaskDefinition } from './fixtures';
import { failureOf, rawEcs, rawRequest, useEmulator } from './helpers';

const ctx = useEmulator();

describe('App Mesh REST-JSON', () => {
  test('GIVEN a mesh WHEN described raw THEN the body is the bare MeshData with epoch-second numbers, HTTP 200', async () => {
    await ctx.appmesh.send(new CreateMeshCommand({ meshName: 'm' }));
    const response = await rawRequest(ctx.emulator, { method: 'GET', path: '/v20190125/meshes/m' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.json.meshName).toBe('m');
    const metadata = response.json.metadata as Record<string, unknown>;
    expect(typeof metadata.createdAt).toBe('number');
    expect(metadata.createdAt).toBeCloseTo(Date.now() / 1000, -1);
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('GIVEN a percent-encoded name in the path THEN it is decoded (virtual service names contain dots and more)', async () => {
    await ctx.appmesh.send(new CreateMeshCommand({ meshName: 'm' }));
    const response = await rawRequest(ctx.emulator, {
      method: 'PUT',
      path: '/v20190125/meshes/m/virtualServices',
      body: { virtualServiceName: 'a b.local', spec: {} },
    });
    expect(response.status).toBe(200);
    const described = await rawRequest(ctx.emulator, {
      method: 'GET',
      path: '/v20190125/meshes/m/virtualServices/a%20b.local',
    });
    expect(described.json.virtualServiceName).toBe('a b.local');
  });

  test('GIVEN no Authorization header THEN 403 MissingAuthenticationTokenException', async () => {
    const response = await rawRequest(ctx.emulator, {
      method: 'GET',
      path: '/v20190125/meshes',
      sign: false,
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
  });

  test('GIVEN an Authorization header that is not SigV4 THEN 400 IncompleteSignatureException', async () => {
    const response = await rawRequest(ctx.emulator, {
      method: 'GET',
      path: '/v20190125/meshes',
      sign: false,
      headers: { authorization: 'Bearer abc' },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('IncompleteSignatureException');
  });

  test.each([
    ['GET', '/v20190125/nothing-here'],
    ['POST', '/v20190125/meshes'],
    ['GET', '/somewhere'],
  ])('GIVEN %s %s (no such operation) THEN 404 UnknownOperationException', async (method, path) => {
    const response = await rawRequest(ctx.emulator, { method, path });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(ctx.emulator.requests.at(-1)?.operation).toBe(`${method} ${path}`);
  });

  test('GIVEN an App Mesh error THEN the wire carries x-amzn-ErrorType and {"message"} and the SDK surfaces name and message', async () => {
    const raw = await rawRequest(ctx.emulator, { method: 'GET', path: '/v20190125/meshes/missing' });
    expect(raw.status).toBe(404);
    expect(raw.headers.get('x-amzn-errortype')).toBe('NotFoundException');
    expect(Object.keys(raw.json)).toEqual(['message']);
    const error = await failureOf(ctx.appmesh.send(new DescribeMeshCommand({ meshName: 'missing' })));
    expect(error.name).toBe('NotFoundException');
    expect(error.message).toBe(raw.json.message);
  });
});

describe('ECS JSON 1.1', () => {
  test('GIVEN a registration raw THEN JSON 1.1 content type and epoch-second numbers', async () => {
    const response = await rawEcs(ctx.emulator, 'RegisterTaskDefinition', simpleTaskDefinition());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    const td = response.json.taskDefinition as Record<string, unknown>;
    expect(typeof td.registeredAt).toBe('number');
  });

  test('GIVEN an ECS error THEN the body is {"__type", "message"} and the SDK surfaces name and message', async () => {
    const raw = await rawEcs(ctx.emulator, 'DescribeTaskDefinition', { taskDefinition: 'nope' });
    expect(raw.status).toBe(400);
    expect(raw.json).toEqual({ __type: 'ClientException', message: 'Unable to describe task definition.' });
  });

  test('GIVEN an unknown operation THEN UnknownOperationException', async () => {
    const raw = await rawEcs(ctx.emulator, 'RunTask', {});
    expect(raw.status).toBe(400);
    expect(raw.json.__type).toBe('UnknownOperationException');
  });

  test('GIVEN a target of another service THEN UnknownOperationException', async () => {
    const raw = await rawRequest(ctx.emulator, {
      method: 'POST',
      path: '/',
      body: {},
      headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables' },
    });
    expect(raw.json.__type).toBe('UnknownOperationException');
  });

  test('GIVEN no Authorization header THEN MissingAuthenticationTokenException', async () => {
    const raw = await rawEcs(ctx.emulator, 'ListTaskDefinitions', {}, false);
    expect(raw.status).toBe(400);
    expect(raw.json.__type).toBe('MissingAuthenticationTokenException');
  });

  test('GIVEN malformed JSON THEN SerializationException', async () => {
    const raw = await rawEcs(ctx.emulator, 'ListTaskDefinitions', '{nope');
    expect(raw.json.__type).toBe('SerializationException');
  });

  test('GIVEN an empty body THEN it is an empty input (ListTaskDefinitions works)', async () => {
    const raw = await rawEcs(ctx.emulator, 'ListTaskDefinitions', '');
    expect(raw.status).toBe(200);
    expect(raw.json).toEqual({ taskDefinitionArns: [] });
  });

  test('GIVEN a ClientException THEN the SDK error has name, message and HTTP 400', async () => {
    const error = await failureOf(
      ctx.ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'web',
          containerDefinitions: [{ name: 'app', image: 'nginx' }],
        }),
      ),
    );
    expect(error.name).toBe('ClientException');
    expect(error.message).toContain("container 'app'");
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });
});

describe('control surface', () => {
  test('GIVEN state WHEN GET /_emulator/snapshot, GET /_emulator/requests and POST /_emulator/reset THEN they expose and wipe it', async () => {
    await ctx.appmesh.send(new CreateMeshCommand({ meshName: 'm' }));
    const snapshot = await rawRequest(ctx.emulator, {
      method: 'GET',
      path: '/_emulator/snapshot',
      sign: false,
    });
    expect((snapshot.json.appmesh as { meshes: unknown[] }).meshes).toHaveLength(1);
    const requests = await rawRequest(ctx.emulator, {
      method: 'GET',
      path: '/_emulator/requests',
      sign: false,
    });
    expect((requests.json.requests as { operation: string }[]).map((r) => r.operation)).toEqual([
      'CreateMesh',
    ]);
    await rawRequest(ctx.emulator, { method: 'POST', path: '/_emulator/reset', sign: false });
    expect(ctx.emulator.snapshot().appmesh.meshes).toEqual([]);
  });

  test('GIVEN POST /_emulator/faults with a failNth THEN the next call fails', async () => {
    const response = await rawRequest(ctx.emulator, {
      method: 'POST',
      path: '/_emulator/faults',
      sign: false,
      body: {
        failNth: [{ operation: 'CreateMesh', n: 1, error: { type: 'ForbiddenException', status: 403 } }],
      },
    });
    expect(response.status).toBe(200);
    const error = await failureOf(ctx.appmesh.send(new CreateMeshCommand({ meshName: 'm' })));
    expect(error.name).toBe('ForbiddenException');
  });

  test('GIVEN an unknown control endpoint THEN 404', async () => {
    const response = await rawRequest(ctx.emulator, { method: 'GET', path: '/_emulator/nope', sign: false });
    expect(response.status).toBe(404);
  });
});
