/**
 * App Mesh spec rules the model cannot express, through the real SDK: Compliance cases must be accepted,
 * Noncompliance cases refused with BadRequestException and no effect. Each case names its documented source.
 */
import {
  CreateGatewayRouteCommand,
  CreateMeshCommand,
  CreateRouteCommand,
  CreateVirtualGatewayCommand,
  CreateVirtualNodeCommand,
  CreateVirtualRouterCommand,
  CreateVirtualServiceCommand,
  type GatewayRouteSpec,
  type RouteSpec,
  UpdateRouteCommand,
  UpdateVirtualGatewayCommand,
  UpdateVirtualNodeCommand,
  UpdateVirtualRouterCommand,
  type VirtualGatewaySpec,
  type VirtualNodeSpec,
  type VirtualRouterSpec,
} from '@aws-sdk/client-app-mesh';
import { httpRouteTo, MESH, nodeSpec, providedByNode, routerSpec } from './fixtures';
import { failureOf, useEmulator } from './helpers';

const ctx = useEmulator();
const SERVICE = 'crystal.local';

const healthCheck = {
  protocol: 'http' as const,
  path: '/health',
  healthyThreshold: 2,
  unhealthyThreshold: 2,
  intervalMillis: 5000,
  timeoutMillis: 2000,
};

/** GIVEN a mesh with node `crystal` (http 3000), node `amber`, router `router` (http 3000) and service crystal.local. */
beforeEach(async () => {
  await ctx.appmesh.send(new CreateMeshCommand({ meshName: MESH }));
  for (const name of ['crystal', 'amber']) {
    await ctx.appmesh.send(
      new CreateVirtualNodeCommand({ meshName: MESH, virtualNodeName: name, spec: nodeSpec() }),
    );
  }
  await ctx.appmesh.send(
    new CreateVirtualRouterCommand({ meshName: MESH, virtualRouterName: 'router', spec: routerSpec() }),
  );
  await ctx.appmesh.send(
    new CreateVirtualServiceCommand({
      meshName: MESH,
      virtualServiceName: SERVICE,
      spec: providedByNode('crystal'),
    }),
  );
});

const createNode = (spec: VirtualNodeSpec, virtualNodeName = 'n') =>
  ctx.appmesh.send(new CreateVirtualNodeCommand({ meshName: MESH, virtualNodeName, spec }));
const createRoute = (spec: RouteSpec, virtualRouterName = 'router') =>
  ctx.appmesh.send(new CreateRouteCommand({ meshName: MESH, virtualRouterName, routeName: 'r', spec }));
const createRouter = (virtualRouterName: string, spec: VirtualRouterSpec) =>
  ctx.appmesh.send(new CreateVirtualRouterCommand({ meshName: MESH, virtualRouterName, spec }));
const createGateway = (spec: VirtualGatewaySpec, virtualGatewayName = 'gw') =>
  ctx.appmesh.send(new CreateVirtualGatewayCommand({ meshName: MESH, virtualGatewayName, spec }));
const createGatewayRoute = (spec: GatewayRouteSpec, virtualGatewayName = 'gw') =>
  ctx.appmesh.send(
    new CreateGatewayRouteCommand({ meshName: MESH, virtualGatewayName, gatewayRouteName: 'gr', spec }),
  );

const gatewayOn = (protocol: 'http' | 'http2' | 'grpc', port = 8080): VirtualGatewaySpec => ({
  listeners: [{ portMapping: { port, protocol } }],
});

function twoTargets(a: number, b: number): RouteSpec {
  return {
    httpRoute: {
      match: { prefix: '/' },
      action: {
        weightedTargets: [
          { virtualNode: 'crystal', weight: a },
          { virtualNode: 'amber', weight: b },
        ],
      },
    },
  };
}

async function expectBadRequest(call: Promise<unknown>, message: string | RegExp) {
  const error = await failureOf(call);
  expect(error.name).toBe('BadRequestException');
  expect(error.$metadata?.httpStatusCode).toBe(400);
  if (typeof message === 'string') expect(error.message).toContain(message);
  else expect(error.message).toMatch(message);
}

describe('virtual nodes', () => {
  // API reference, VirtualNodeSpec.serviceDiscovery: "If your virtual node does not expect ingress traffic, you can
  // omit this parameter. If you specify a listener, then you must specify service discovery information."
  test('GIVEN a listener with DNS service discovery, or neither THEN the node is created', async () => {
    await createNode(nodeSpec(3000));
    await createNode({ backends: [{ virtualService: { virtualServiceName: SERVICE } }] }, 'egress-only');
    expect(ctx.emulator.snapshot().appmesh.virtualNodes.map((n) => n.virtualNodeName)).toEqual(
      expect.arrayContaining(['n', 'egress-only']),
    );
  });

  // Same source: a listener without service discovery is refused.
  test('GIVEN a listener without service discovery THEN BadRequestException', async () => {
    await expectBadRequest(
      createNode({ listeners: [{ portMapping: { port: 3000, protocol: 'http' } }] }),
      'must specify service discovery information',
    );
  });

  // Real App Mesh wording for service discovery without a listener: "Service Discovery can't be set without a
  // listener." (hashicorp/terraform-provider-aws#13337).
  test('GIVEN service discovery without a listener THEN BadRequestException "Service Discovery can\'t be set without a listener."', async () => {
    await expectBadRequest(
      createNode({ serviceDiscovery: { dns: { hostname: 'x.local' } } }),
      "Service Discovery can't be set without a listener.",
    );
  });

  test('WHEN an update drops the service discovery of a node with a listener THEN BadRequestException and the node is unchanged', async () => {
    await expectBadRequest(
      ctx.appmesh.send(
        new UpdateVirtualNodeCommand({
          meshName: MESH,
          virtualNodeName: 'crystal',
          spec: { listeners: [{ portMapping: { port: 3000, protocol: 'http' } }] },
        }),
      ),
      'service discovery',
    );
    const crystal = ctx.emulator.snapshot().appmesh.virtualNodes.find((n) => n.virtualNodeName === 'crystal');
    expect(crystal?.metadata.version).toBe(1);
  });

  // API reference, HealthCheckPolicy.port: "This port must match the port defined in the PortMapping for the
  // listener."
  test.each([
    ['the listener port', 'it is created', 3000],
    ['no port', 'it is created', undefined],
    ['another port', 'BadRequestException', 8080],
  ])('GIVEN a health check on %s THEN %s', async (_, outcome, port) => {
    const spec = nodeSpec(3000);
    const listener = spec.listeners?.[0];
    if (listener) listener.healthCheck = { ...healthCheck, port };
    if (outcome === 'it is created') await createNode(spec);
    else await expectBadRequest(createNode(spec), "'spec.listeners[0].healthCheck.port'");
  });

  // aws/aws-app-mesh-roadmap#170: the App Mesh team's report that the API accepted two backends naming the same
  // virtual service (and silently merged them) and "should validate this and return a client error".
  test('GIVEN two backends naming the same virtual service THEN BadRequestException', async () => {
    await expectBadRequest(
      createNode(nodeSpec(3000, 'n.local', [SERVICE, 'other.local', SERVICE])),
      `Duplicate backend at 'spec.backends[2]': virtual service '${SERVICE}'`,
    );
  });

  // API reference, VirtualNodeConnectionPool: "Only one protocol is used at a time and should be the same protocol
  // as the one chosen under port mapping."
  test.each<
    [string, NonNullable<NonNullable<VirtualNodeSpec['listeners']>[number]['connectionPool']>, boolean]
  >([
    ['GIVEN an http pool on an http listener THEN it is created', { http: { maxConnections: 10 } }, true],
    [
      'GIVEN an http2 pool on an http listener THEN BadRequestException',
      { http2: { maxRequests: 10 } },
      false,
    ],
    ['GIVEN a tcp pool on an http listener THEN BadRequestException', { tcp: { maxConnections: 10 } }, false],
  ])('%s', async (_, connectionPool, accepted) => {
    const spec = nodeSpec(3000);
    const listener = spec.listeners?.[0];
    if (listener) listener.connectionPool = connectionPool;
    if (accepted) await createNode(spec);
    else
      await expectBadRequest(
        createNode(spec),
        'the connection pool and port mapping protocols must be the same',
      );
  });
});

describe('routes', () => {
  // API reference, WeightedTarget: "The total weight for all targets combined must be less than or equal to 100."
  // (The user guide's console page says the percentages "must add up to 100"; the API reference is followed.)
  test.each([
    [60, 40],
    [1, 1],
    [100, 0],
  ])('GIVEN weights %i and %i (total at most 100) THEN the route is created', async (a, b) => {
    await createRoute(twoTargets(a, b));
    expect(ctx.emulator.snapshot().appmesh.routes).toHaveLength(1);
  });

  test('GIVEN weights 60 and 41 (total 101) THEN BadRequestException and no route', async () => {
    await expectBadRequest(createRoute(twoTargets(60, 41)), 'add up to 101');
    expect(ctx.emulator.snapshot().appmesh.routes).toEqual([]);
  });

  test('GIVEN a route WHEN updated to weights totalling 150 THEN BadRequestException and the route is unchanged', async () => {
    await createRoute(twoTargets(50, 50));
    await expectBadRequest(
      ctx.appmesh.send(
        new UpdateRouteCommand({
          meshName: MESH,
          virtualRouterName: 'router',
          routeName: 'r',
          spec: twoTargets(100, 50),
        }),
      ),
      'must be less than or equal to 100',
    );
    expect(ctx.emulator.snapshot().appmesh.routes[0]?.metadata.version).toBe(1);
  });

  // API reference, HttpRetryPolicy / GrpcRetryPolicy: "Specify at least one value for at least one of the types of
  // RetryEvents, a value for maxRetries, and a value for perRetryTimeout."
  const retry = { maxRetries: 2, perRetryTimeout: { unit: 'ms' as const, value: 500 } };
  const withRetry = (retryPolicy: object): RouteSpec => {
    const spec = httpRouteTo('crystal');
    if (spec.httpRoute) spec.httpRoute.retryPolicy = retryPolicy as typeof retry;
    return spec;
  };
  test.each<[string, RouteSpec, boolean]>([
    [
      'GIVEN an http retry policy with httpRetryEvents THEN it is created',
      withRetry({ ...retry, httpRetryEvents: ['server-error'] }),
      true,
    ],
    [
      'GIVEN an http retry policy with tcpRetryEvents only THEN it is created',
      withRetry({ ...retry, tcpRetryEvents: ['connection-error'] }),
      true,
    ],
    ['GIVEN an http retry policy with no events THEN BadRequestException', withRetry(retry), false],
  ])('%s', async (_, spec, accepted) => {
    if (accepted) await createRoute(spec);
    else await expectBadRequest(createRoute(spec), 'specifies no retry events');
  });

  describe('gRPC routes', () => {
    beforeEach(async () => {
      await createRouter('grpc-router', routerSpec('grpc', 50051));
    });

    const grpcRoute = (
      match: { serviceName?: string; methodName?: string },
      retryPolicy?: object,
    ): RouteSpec => ({
      grpcRoute: {
        match,
        action: { weightedTargets: [{ virtualNode: 'crystal', weight: 1 }] },
        ...(retryPolicy ? { retryPolicy } : {}),
      } as NonNullable<RouteSpec['grpcRoute']>,
    });

    // API reference, GrpcRouteMatch.methodName: "If you specify a name, you must also specify a serviceName."
    test('GIVEN serviceName and methodName, or serviceName alone THEN accepted', async () => {
      await createRoute(
        grpcRoute({ serviceName: 'color.ColorService', methodName: 'GetColor' }),
        'grpc-router',
      );
      await ctx.appmesh.send(
        new CreateRouteCommand({
          meshName: MESH,
          virtualRouterName: 'grpc-router',
          routeName: 'r2',
          spec: grpcRoute({ serviceName: 'color.ColorService' }),
        }),
      );
    });

    test('GIVEN methodName without serviceName THEN BadRequestException', async () => {
      await expectBadRequest(
        createRoute(grpcRoute({ methodName: 'GetColor' }), 'grpc-router'),
        'must also specify a serviceName',
      );
    });

    // HttpRetryPolicy / GrpcRetryPolicy (above): a gRPC policy with grpcRetryEvents is enough; none at all is refused.
    test('GIVEN a gRPC retry policy with grpcRetryEvents THEN accepted; with no events THEN BadRequestException', async () => {
      await createRoute(
        grpcRoute({ serviceName: 's' }, { ...retry, grpcRetryEvents: ['unavailable'] }),
        'grpc-router',
      );
      await expectBadRequest(
        ctx.appmesh.send(
          new CreateRouteCommand({
            meshName: MESH,
            virtualRouterName: 'grpc-router',
            routeName: 'r3',
            spec: grpcRoute({ serviceName: 's' }, retry),
          }),
        ),
        'grpcRetryEvents, httpRetryEvents, tcpRetryEvents',
      );
    });
  });

  // Real App Mesh wording: "Route must define a port match criteria if the Virtual Router has multiple listeners"
  // (aws/aws-app-mesh-controller-for-k8s#715); App Mesh user guide, "Multiple listeners": "For routes that receive
  // traffic from a resource with multiple listeners, you must specify the MatchPort value".
  describe('a virtual router with two listeners', () => {
    const twoListeners: VirtualRouterSpec = {
      listeners: [
        { portMapping: { port: 3000, protocol: 'http' } },
        { portMapping: { port: 3001, protocol: 'http' } },
      ],
    };

    test('GIVEN a route with match.port THEN accepted; without THEN BadRequestException', async () => {
      await createRouter('multi', twoListeners);
      const withPort = httpRouteTo('crystal');
      if (withPort.httpRoute?.match) withPort.httpRoute.match.port = 3001;
      await createRoute(withPort, 'multi');
      await expectBadRequest(
        ctx.appmesh.send(
          new CreateRouteCommand({
            meshName: MESH,
            virtualRouterName: 'multi',
            routeName: 'no-port',
            spec: httpRouteTo('crystal'),
          }),
        ),
        'Route must define a port match criteria if the Virtual Router has multiple listeners',
      );
    });

    test('GIVEN a route without match.port WHEN its router gets a second listener THEN BadRequestException', async () => {
      await createRoute(httpRouteTo('crystal'));
      await expectBadRequest(
        ctx.appmesh.send(
          new UpdateVirtualRouterCommand({ meshName: MESH, virtualRouterName: 'router', spec: twoListeners }),
        ),
        'must define a port match criteria',
      );
    });
  });
});

describe('virtual gateways and gateway routes', () => {
  const gatewayRoute = (
    kind: 'httpRoute' | 'http2Route' | 'grpcRoute',
    match: object = {},
  ): GatewayRouteSpec =>
    ({
      [kind]: {
        match:
          kind === 'grpcRoute' ? { serviceName: 'color.ColorService', ...match } : { prefix: '/', ...match },
        action: { target: { virtualService: { virtualServiceName: SERVICE } } },
      },
    }) as GatewayRouteSpec;

  // App Mesh user guide, "Routes": "The protocol that you select must match the listener protocol that you selected
  // for your virtual router"; applied to gateway routes and their virtual gateway's listener (gateway route types
  // http/http2/grpc mirror the gateway listener protocols; the "Gateway routes" page does not restate the rule).
  test.each([
    ['http', 'httpRoute'],
    ['http2', 'http2Route'],
    ['grpc', 'grpcRoute'],
  ] as const)('GIVEN a %s gateway and a %s gateway route THEN accepted', async (protocol, kind) => {
    await createGateway(gatewayOn(protocol));
    await createGatewayRoute(gatewayRoute(kind));
    expect(ctx.emulator.snapshot().appmesh.gatewayRoutes).toHaveLength(1);
  });

  test.each([
    ['http', 'http2Route'],
    ['http', 'grpcRoute'],
    ['grpc', 'httpRoute'],
  ] as const)(
    'GIVEN a %s gateway and a %s gateway route THEN BadRequestException and no gateway route',
    async (protocol, kind) => {
      await createGateway(gatewayOn(protocol));
      await expectBadRequest(
        createGatewayRoute(gatewayRoute(kind)),
        "the gateway route type must match the listener's protocol",
      );
      expect(ctx.emulator.snapshot().appmesh.gatewayRoutes).toEqual([]);
    },
  );

  // User guide, "Gateway routes": a gateway route "routes traffic to an existing virtual service"; its type is checked
  // against its gateway's listener only, never against the protocol of its target (AWS's walkthroughs put an
  // httpRoute on an http gateway in front of an http2 or grpc service).
  test.each(['http2', 'grpc'] as const)(
    'GIVEN an http gateway WHEN its httpRoute targets a virtual service whose node listens for %s THEN accepted',
    async (protocol) => {
      await createGateway(gatewayOn('http'));
      await createNode({ ...nodeSpec(), listeners: [{ portMapping: { port: 3000, protocol } }] }, 'other');
      await ctx.appmesh.send(
        new CreateVirtualServiceCommand({
          meshName: MESH,
          virtualServiceName: 'other.local',
          spec: providedByNode('other'),
        }),
      );
      await createGatewayRoute({
        httpRoute: {
          match: { prefix: '/' },
          action: { target: { virtualService: { virtualServiceName: 'other.local' } } },
        },
      });
      expect(ctx.emulator.snapshot().appmesh.gatewayRoutes).toHaveLength(1);
    },
  );

  test('GIVEN an http gateway route WHEN its gateway listener becomes grpc THEN BadRequestException and the gateway is unchanged', async () => {
    await createGateway(gatewayOn('http'));
    await createGatewayRoute(gatewayRoute('httpRoute'));
    await expectBadRequest(
      ctx.appmesh.send(
        new UpdateVirtualGatewayCommand({
          meshName: MESH,
          virtualGatewayName: 'gw',
          spec: gatewayOn('grpc'),
        }),
      ),
      'httpRoute',
    );
    expect(ctx.emulator.snapshot().appmesh.virtualGateways[0]?.metadata.version).toBe(1);
  });

  // User guide, "Multiple listeners": a gateway route to a gateway with several listeners must name its match port.
  test('GIVEN a gateway with two listeners THEN a gateway route needs match.port', async () => {
    await createGateway({
      listeners: [
        { portMapping: { port: 8080, protocol: 'http' } },
        { portMapping: { port: 8081, protocol: 'http' } },
      ],
    });
    await expectBadRequest(
      createGatewayRoute(gatewayRoute('httpRoute')),
      'Gateway route must define a port match criteria if the Virtual Gateway has multiple listeners',
    );
    await createGatewayRoute(gatewayRoute('httpRoute', { port: 8081 }));
  });

  // App Mesh user guide, "Gateway routes": "You can't specify either /aws-appmesh* or /aws-app-mesh* for Prefix
  // match" and "You can't specify /aws.app-mesh* or aws.appmesh for the Service name".
  test.each([
    ['http', 'httpRoute', { prefix: '/aws-app-mesh/x' }, 'reserved by App Mesh'],
    ['http', 'httpRoute', { prefix: '/aws-appmesh' }, 'reserved by App Mesh'],
    ['grpc', 'grpcRoute', { serviceName: 'aws.appmesh.Health' }, 'reserved by App Mesh'],
  ] as const)(
    'GIVEN a %s gateway and a %s matching %j THEN BadRequestException',
    async (protocol, kind, match, message) => {
      await createGateway(gatewayOn(protocol));
      await expectBadRequest(createGatewayRoute(gatewayRoute(kind, match)), message);
    },
  );

  // API reference, HealthCheckPolicy.port (as for virtual nodes) and VirtualGatewayConnectionPool ("should be the
  // same protocol as the one chosen under port mapping"; user guide, "Virtual gateways": "The connectionPool and
  // portMapping protocols must be the same"). Real wording for a grpc health check on an http gateway listener: "GRPC
  // HealthCheck requires listener type of HTTP2 or GRPC." (hashicorp/terraform-provider-aws#21359).
  test.each<[string, VirtualGatewaySpec, string | null]>([
    [
      'GIVEN a virtual gateway with a health check on the listener port THEN it is created',
      {
        listeners: [
          { portMapping: { port: 8080, protocol: 'http' }, healthCheck: { ...healthCheck, port: 8080 } },
        ],
      },
      null,
    ],
    [
      'GIVEN a virtual gateway with a health check on another port THEN BadRequestException',
      {
        listeners: [
          { portMapping: { port: 8080, protocol: 'http' }, healthCheck: { ...healthCheck, port: 9090 } },
        ],
      },
      "'spec.listeners[0].healthCheck.port'",
    ],
    [
      'GIVEN a virtual gateway with a grpc health check on an http listener THEN BadRequestException',
      {
        listeners: [
          {
            portMapping: { port: 8080, protocol: 'http' },
            healthCheck: { ...healthCheck, protocol: 'grpc' },
          },
        ],
      },
      'GRPC HealthCheck requires listener type of HTTP2 or GRPC.',
    ],
    [
      'GIVEN a virtual gateway with a grpc health check on a grpc listener THEN it is created',
      {
        listeners: [
          {
            portMapping: { port: 8080, protocol: 'grpc' },
            healthCheck: { ...healthCheck, protocol: 'grpc' },
          },
        ],
      },
      null,
    ],
    [
      'GIVEN a virtual gateway with a grpc connection pool on an http listener THEN BadRequestException',
      {
        listeners: [
          { portMapping: { port: 8080, protocol: 'http' }, connectionPool: { grpc: { maxRequests: 5 } } },
        ],
      },
      'the connection pool and port mapping protocols must be the same',
    ],
    [
      'GIVEN a virtual gateway with an http connection pool on an http listener THEN it is created',
      {
        listeners: [
          { portMapping: { port: 8080, protocol: 'http' }, connectionPool: { http: { maxConnections: 5 } } },
        ],
      },
      null,
    ],
  ])('%s', async (_, spec, message) => {
    if (message === null) await createGateway(spec);
    else await expectBadRequest(createGateway(spec), message);
  });
});
