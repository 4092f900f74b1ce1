/**
 * Model-driven validation of App Mesh requests: every invalid request is answered with BadRequestException (400)
 * whose message names the member path and the rule, before any semantics run.
 */
import {
  CreateMeshCommand,
  type CreateMeshCommandInput,
  CreateRouteCommand,
  CreateVirtualNodeCommand,
  type CreateVirtualNodeCommandInput,
  CreateVirtualRouterCommand,
  CreateVirtualServiceCommand,
  DescribeMeshCommand,
  ListMeshesCommand,
  type RouteSpec,
  type VirtualNodeSpec,
} from '@aws-sdk/client-app-mesh';
import { httpRouteTo, MESH, nodeSpec, routerSpec } from './fixtures';
import { failureOf, rawRequest, useEmulator } from './helpers';

const ctx = useEmulator();

beforeEach(async () => {
  await ctx.appmesh.send(new CreateMeshCommand({ meshName: MESH }));
  await ctx.appmesh.send(
    new CreateVirtualNodeCommand({ meshName: MESH, virtualNodeName: 'crystal', spec: nodeSpec() }),
  );
  await ctx.appmesh.send(
    new CreateVirtualRouterCommand({ meshName: MESH, virtualRouterName: 'router', spec: routerSpec() }),
  );
});

async function expectBadRequest(call: Promise<unknown>, ...mentions: string[]) {
  const error = await failureOf(call);
  expect(error.name).toBe('BadRequestException');
  expect(error.$metadata?.httpStatusCode).toBe(400);
  for (const text of mentions) expect(error.message).toContain(text);
  return error;
}

function createNode(input: Partial<CreateVirtualNodeCommandInput>) {
  return ctx.appmesh.send(
    new CreateVirtualNodeCommand({
      meshName: MESH,
      virtualNodeName: 'n',
      spec: nodeSpec(),
      ...input,
    } as CreateVirtualNodeCommandInput),
  );
}

function createRoute(spec: RouteSpec) {
  return ctx.appmesh.send(
    new CreateRouteCommand({ meshName: MESH, virtualRouterName: 'router', routeName: 'r', spec }),
  );
}

describe('invalid requests through the SDK', () => {
  test('GIVEN listener protocol HTTP (upper case) THEN BadRequestException naming spec.listeners[0].portMapping.protocol and the enum', async () => {
    const spec = {
      listeners: [{ portMapping: { port: 3000, protocol: 'HTTP' } }],
    } as unknown as VirtualNodeSpec;
    const error = await expectBadRequest(
      createNode({ spec }),
      "'spec.listeners[0].portMapping.protocol'",
      'enum value set: [http, tcp, http2, grpc]',
    );
    expect(error.message).toMatch(/^1 validation error detected: Value 'HTTP' at/);
  });

  test('GIVEN a 256-character virtual node name THEN BadRequestException naming virtualNodeName and the 255 limit', async () => {
    await expectBadRequest(
      createNode({ virtualNodeName: 'n'.repeat(256) }),
      "'virtualNodeName'",
      'length less than or equal to 255',
    );
  });

  test('GIVEN a 256-character mesh name THEN BadRequestException naming meshName', async () => {
    await expectBadRequest(
      ctx.appmesh.send(new CreateMeshCommand({ meshName: 'm'.repeat(256) })),
      "'meshName'",
      '255',
    );
  });

  test('GIVEN a weighted target of weight 101 THEN BadRequestException naming the weight and the maximum 100', async () => {
    await expectBadRequest(
      createRoute(httpRouteTo('crystal', '/', 101)),
      "'spec.httpRoute.action.weightedTargets[0].weight'",
      'value less than or equal to 100',
    );
  });

  test('GIVEN 11 weighted targets THEN BadRequestException (the model allows 1-10)', async () => {
    const weightedTargets = Array.from({ length: 11 }, () => ({ virtualNode: 'crystal', weight: 1 }));
    await expectBadRequest(
      createRoute({ httpRoute: { match: { prefix: '/' }, action: { weightedTargets } } }),
      "'spec.httpRoute.action.weightedTargets'",
      'length less than or equal to 10',
    );
  });

  test('GIVEN a name containing / (e.g. an ARN) THEN BadRequestException', async () => {
    await expectBadRequest(
      ctx.appmesh.send(new CreateMeshCommand({ meshName: 'arn:aws:appmesh:us-east-1:111122223333:mesh/x' })),
      "'meshName'",
      "may not contain '/'",
    );
  });

  test('GIVEN a missing required member (spec) THEN BadRequestException naming it', async () => {
    await expectBadRequest(
      createNode({ spec: undefined }),
      "Value null at 'spec' failed to satisfy constraint: Member must not be null",
    );
  });

  test('GIVEN a missing required nested member (portMapping.port) THEN BadRequestException naming its path', async () => {
    const spec = { listeners: [{ portMapping: { protocol: 'http' } }] } as unknown as VirtualNodeSpec;
    await expectBadRequest(createNode({ spec }), "'spec.listeners[0].portMapping.port'");
  });

  test('GIVEN a union with two members set (provider node and router) THEN BadRequestException', async () => {
    await expectBadRequest(
      ctx.appmesh.send(
        new CreateVirtualServiceCommand({
          meshName: MESH,
          virtualServiceName: 's',
          spec: {
            provider: {
              virtualNode: { virtualNodeName: 'crystal' },
              virtualRouter: { virtualRouterName: 'router' },
            },
          } as never,
        }),
      ),
      "'spec.provider'",
      'exactly one of [virtualNode, virtualRouter]',
    );
  });

  test.each([
    [
      'port 0',
      { listeners: [{ portMapping: { port: 0, protocol: 'http' } }] },
      'spec.listeners[0].portMapping.port',
    ],
    [
      'health check interval 4999 ms',
      {
        listeners: [
          {
            portMapping: { port: 3000, protocol: 'http' },
            healthCheck: {
              healthyThreshold: 2,
              unhealthyThreshold: 2,
              intervalMillis: 4999,
              timeoutMillis: 2000,
              protocol: 'http',
            },
          },
        ],
      },
      'spec.listeners[0].healthCheck.intervalMillis',
    ],
    [
      'a port given as a string',
      { listeners: [{ portMapping: { port: '3000', protocol: 'http' } }] },
      'Member must be an integer',
    ],
  ])('GIVEN a node spec with %s THEN BadRequestException naming the member', async (_, spec, mentions) => {
    await expectBadRequest(createNode({ spec: spec as unknown as VirtualNodeSpec }), mentions);
  });

  test('GIVEN route priority 1001 THEN BadRequestException', async () => {
    await expectBadRequest(createRoute({ ...httpRouteTo('crystal'), priority: 1001 }), "'spec.priority'");
  });

  test('GIVEN 51 tags THEN BadRequestException (TagList max 50)', async () => {
    const tags = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    await expectBadRequest(createNode({ tags }), "'tags'", 'length less than or equal to 50');
  });

  test('GIVEN a 129-character tag key THEN BadRequestException naming tags[0].key', async () => {
    await expectBadRequest(createNode({ tags: [{ key: 'k'.repeat(129), value: 'v' }] }), "'tags[0].key'");
  });

  test('GIVEN a meshOwner that is not 12 characters THEN BadRequestException naming meshOwner', async () => {
    await expectBadRequest(
      ctx.appmesh.send(new DescribeMeshCommand({ meshName: MESH, meshOwner: '12345' })),
      "'meshOwner'",
    );
  });

  test('GIVEN List limit 0 or 101 THEN BadRequestException naming limit', async () => {
    await expectBadRequest(
      ctx.appmesh.send(new ListMeshesCommand({ limit: 0 })),
      "'limit'",
      'greater than or equal to 1',
    );
    await expectBadRequest(
      ctx.appmesh.send(new ListMeshesCommand({ limit: 101 })),
      "'limit'",
      'less than or equal to 100',
    );
  });

  test('GIVEN several violations THEN one BadRequestException lists them all', async () => {
    const spec = {
      listeners: [{ portMapping: { port: 70000, protocol: 'HTTP' } }],
    } as unknown as VirtualNodeSpec;
    await expectBadRequest(
      createNode({ spec, virtualNodeName: '' }),
      '3 validation errors detected',
      "'virtualNodeName'",
      'port',
      'protocol',
    );
  });

  test('GIVEN an invalid request THEN nothing is created (validation runs before semantics)', async () => {
    await failureOf(
      createNode({
        virtualNodeName: 'ok',
        spec: { listeners: [{ portMapping: { port: 0, protocol: 'http' } }] },
      }),
    );
    expect(ctx.emulator.snapshot().appmesh.virtualNodes.map((n) => n.virtualNodeName)).toEqual(['crystal']);
  });
});

describe('what only a raw request can send', () => {
  const nodePath = `/v20190125/meshes/${MESH}/virtualNodes`;
  const validBody = {
    virtualNodeName: 'raw',
    spec: {
      listeners: [{ portMapping: { port: 80, protocol: 'http' } }],
      serviceDiscovery: { dns: { hostname: 'raw.local' } },
    },
  };

  test('GIVEN a valid raw request THEN it succeeds (the baseline for the cases below)', async () => {
    const response = await rawRequest(ctx.emulator, { method: 'PUT', path: nodePath, body: validBody });
    expect(response.status).toBe(200);
    expect(response.json.virtualNodeName).toBe('raw');
  });

  test('GIVEN an unknown nested member THEN 400 BadRequestException naming spec.listenerz', async () => {
    const response = await rawRequest(ctx.emulator, {
      method: 'PUT',
      path: nodePath,
      body: { ...validBody, spec: { ...validBody.spec, listenerz: [] } },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('BadRequestException');
    expect(response.json.message).toContain("Unknown member 'listenerz' at 'spec.listenerz'");
  });

  test('GIVEN an unknown top-level body member THEN BadRequestException naming it', async () => {
    const response = await rawRequest(ctx.emulator, {
      method: 'PUT',
      path: nodePath,
      body: { ...validBody, bogus: 1 },
    });
    expect(response.status).toBe(400);
    expect(response.json.message).toContain("Unknown member 'bogus'");
  });

  test('GIVEN tags in an update THEN BadRequestException: updates carry no tags', async () => {
    const response = await rawRequest(ctx.emulator, {
      method: 'PUT',
      path: `${nodePath}/crystal`,
      body: { spec: validBody.spec, tags: [{ key: 'a', value: 'b' }] },
    });
    expect(response.status).toBe(400);
    expect(response.json.message).toContain("Unknown member 'tags'");
  });

  test('GIVEN a URI member repeated in the body THEN BadRequestException (it is not a body member)', async () => {
    const response = await rawRequest(ctx.emulator, {
      method: 'PUT',
      path: nodePath,
      body: { ...validBody, meshName: MESH },
    });
    expect(response.status).toBe(400);
    expect(response.json.message).toContain("Unknown member 'meshName'");
  });

  test('GIVEN an unknown query parameter THEN BadRequestException naming it', async () => {
    const response = await rawRequest(ctx.emulator, { method: 'GET', path: '/v20190125/meshes?color=blue' });
    expect(response.status).toBe(400);
    expect(response.json.message).toContain("Unknown query parameter 'color'");
  });

  test('GIVEN a non-numeric limit THEN BadRequestException naming limit', async () => {
    const response = await rawRequest(ctx.emulator, { method: 'GET', path: '/v20190125/meshes?limit=ten' });
    expect(response.status).toBe(400);
    expect(response.json.message).toContain("at 'limit'");
  });

  test('GIVEN malformed JSON THEN BadRequestException', async () => {
    const response = await rawRequest(ctx.emulator, {
      method: 'PUT',
      path: nodePath,
      body: '{"virtualNodeName":',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('BadRequestException');
  });

  test('GIVEN CreateMesh without meshName THEN BadRequestException naming it', async () => {
    const response = await rawRequest(ctx.emulator, {
      method: 'PUT',
      path: '/v20190125/meshes',
      body: {} as CreateMeshCommandInput,
    });
    expect(response.status).toBe(400);
    expect(response.json.message).toContain("Value null at 'meshName'");
  });
});
