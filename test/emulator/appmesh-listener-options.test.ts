/**
 * The listener options, client policies and match fields Custom::MeshService writes, through the real SDK: App Mesh
 * keeps and returns them as given (so the provider's comparison sees its own spec), and refuses what its documentation
 * says it refuses. Each Noncompliance case names its documented source (emulator/appmesh/rules.ts).
 */
import {
  CreateGatewayRouteCommand,
  CreateMeshCommand,
  CreateRouteCommand,
  CreateVirtualGatewayCommand,
  CreateVirtualNodeCommand,
  CreateVirtualRouterCommand,
  CreateVirtualServiceCommand,
  DescribeGatewayRouteCommand,
  DescribeRouteCommand,
  DescribeVirtualNodeCommand,
  type GatewayRouteSpec,
  UpdateVirtualServiceCommand,
  type VirtualNodeSpec,
} from '@aws-sdk/client-app-mesh';
import { GATEWAY_SPEC, MESH, nodeSpec, providedByNode, providedByRouter, routerSpec } from './fixtures';
import { failureOf, useEmulator } from './helpers';

const ctx = useEmulator();

beforeEach(async () => {
  await ctx.appmesh.send(new CreateMeshCommand({ meshName: MESH }));
  await ctx.appmesh.send(
    new CreateVirtualGatewayCommand({ meshName: MESH, virtualGatewayName: 'vgw', spec: GATEWAY_SPEC }),
  );
  await ctx.appmesh.send(
    new CreateVirtualNodeCommand({ meshName: MESH, virtualNodeName: 'crystal', spec: nodeSpec(3000) }),
  );
  await ctx.appmesh.send(
    new CreateVirtualServiceCommand({
      meshName: MESH,
      virtualServiceName: 'crystal.local',
      spec: providedByNode('crystal'),
    }),
  );
});

const gatewayRoute = (port?: number): GatewayRouteSpec => ({
  httpRoute: {
    match: { prefix: '/' },
    action: {
      target: { virtualService: { virtualServiceName: 'crystal.local' }, ...(port ? { port } : {}) },
    },
  },
});
const createGatewayRoute = (spec: GatewayRouteSpec, gatewayRouteName = 'gr') =>
  ctx.appmesh.send(
    new CreateGatewayRouteCommand({ meshName: MESH, virtualGatewayName: 'vgw', gatewayRouteName, spec }),
  );

describe('GIVEN a gateway route target port (user guide, "Gateway routes": "Virtual service provider port is required when the provider (router or node) of the selected virtual service has multiple listeners")', () => {
  test('Compliance: WHEN the port is a listener port of the provider node THEN it is accepted and returned', async () => {
    await createGatewayRoute(gatewayRoute(3000));
    const out = await ctx.appmesh.send(
      new DescribeGatewayRouteCommand({ meshName: MESH, virtualGatewayName: 'vgw', gatewayRouteName: 'gr' }),
    );
    expect(out.gatewayRoute?.spec?.httpRoute?.action?.target?.port).toBe(3000);
  });

  test('Compliance: WHEN the provider has one listener and no port is given THEN it is accepted', async () => {
    await expect(createGatewayRoute(gatewayRoute())).resolves.toBeDefined();
  });

  test('Noncompliance: WHEN the port is not a listener port of the provider node THEN BadRequest and nothing is created', async () => {
    const error = await failureOf(createGatewayRoute(gatewayRoute(8080)));
    expect(error.name).toBe('BadRequestException');
    expect(error.message).toMatch(
      /Value '8080' at 'spec.httpRoute.action.target.port' does not correspond to a listener of virtual node 'crystal'/,
    );
    await expect(
      ctx.appmesh.send(
        new DescribeGatewayRouteCommand({
          meshName: MESH,
          virtualGatewayName: 'vgw',
          gatewayRouteName: 'gr',
        }),
      ),
    ).rejects.toThrow(/not found/);
  });

  test('Noncompliance: WHEN the provider router has several listeners and no port is given THEN BadRequest', async () => {
    await ctx.appmesh.send(
      new CreateVirtualRouterCommand({
        meshName: MESH,
        virtualRouterName: 'multi',
        spec: {
          listeners: [
            { portMapping: { port: 3000, protocol: 'http' } },
            { portMapping: { port: 3001, protocol: 'http' } },
          ],
        },
      }),
    );
    await ctx.appmesh.send(
      new UpdateVirtualServiceCommand({
        meshName: MESH,
        virtualServiceName: 'crystal.local',
        spec: providedByRouter('multi'),
      }),
    );
    const error = await failureOf(createGatewayRoute(gatewayRoute()));
    expect(error.message).toMatch(
      /must specify spec.httpRoute.action.target.port: the target's provider, virtual router 'multi', has multiple listeners \(3000, 3001\)/,
    );
    await expect(createGatewayRoute(gatewayRoute(3001))).resolves.toBeDefined();
  });
});

describe('GIVEN the virtual node fields Custom::MeshService writes', () => {
  test('Compliance: WHEN a node has listener TLS (mutual), timeouts, outlier detection, a connection pool, client policies, a log format and discovery options THEN App Mesh returns the spec as given', async () => {
    const spec: VirtualNodeSpec = {
      listeners: [
        {
          portMapping: { port: 3000, protocol: 'http' },
          tls: {
            mode: 'STRICT',
            certificate: {
              acm: { certificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/abc-123' },
            },
            validation: {
              trust: { file: { certificateChain: '/certs/ca.pem' } },
              subjectAlternativeNames: { match: { exact: ['frontend.service.local'] } },
            },
          },
          timeout: { http: { perRequest: { unit: 'ms', value: 30000 }, idle: { unit: 'ms', value: 60000 } } },
          outlierDetection: {
            maxServerErrors: 5,
            interval: { unit: 'ms', value: 10000 },
            baseEjectionDuration: { unit: 'ms', value: 30000 },
            maxEjectionPercent: 50,
          },
          connectionPool: { http: { maxConnections: 100, maxPendingRequests: 10 } },
        },
      ],
      serviceDiscovery: {
        dns: { hostname: 'tls.local', responseType: 'ENDPOINTS', ipPreference: 'IPv4_ONLY' },
      },
      backends: [
        {
          virtualService: {
            virtualServiceName: 'crystal.local',
            clientPolicy: {
              tls: {
                enforce: true,
                ports: [3000],
                certificate: { sds: { secretName: 'spiffe://mesh/frontend' } },
                validation: { trust: { sds: { secretName: 'spiffe://mesh' } } },
              },
            },
          },
        },
      ],
      backendDefaults: {
        clientPolicy: {
          tls: {
            validation: {
              trust: {
                acm: {
                  certificateAuthorityArns: [
                    'arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/ca-1',
                  ],
                },
              },
            },
          },
        },
      },
      logging: {
        accessLog: {
          file: {
            path: '/dev/stdout',
            format: { json: [{ key: 'status', value: '%RESPONSE_CODE%' }] },
          },
        },
      },
    };
    await ctx.appmesh.send(new CreateVirtualNodeCommand({ meshName: MESH, virtualNodeName: 'tls', spec }));
    const out = await ctx.appmesh.send(
      new DescribeVirtualNodeCommand({ meshName: MESH, virtualNodeName: 'tls' }),
    );
    expect(out.virtualNode?.spec).toEqual(spec);
  });

  test('Noncompliance: WHEN the connection pool is of another protocol than the listener THEN BadRequest (user guide, "Virtual nodes": "The connectionPool and portMapping protocols must be the same")', async () => {
    const spec = nodeSpec(3000);
    spec.listeners![0]!.connectionPool = { http2: { maxRequests: 10 } };
    const error = await failureOf(
      ctx.appmesh.send(new CreateVirtualNodeCommand({ meshName: MESH, virtualNodeName: 'pool', spec })),
    );
    expect(error.name).toBe('BadRequestException');
  });

  test('Noncompliance: WHEN a certificate names two sources THEN the model refuses it (ListenerTlsCertificate is a union)', async () => {
    const spec = nodeSpec(3000);
    spec.listeners![0]!.tls = {
      mode: 'STRICT',
      certificate: {
        acm: { certificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/abc' },
        sds: { secretName: 'x' },
      } as never,
    };
    const error = await failureOf(
      ctx.appmesh.send(new CreateVirtualNodeCommand({ meshName: MESH, virtualNodeName: 'two', spec })),
    );
    expect(error.name).toBe('BadRequestException');
  });
});

describe('GIVEN the route match fields Custom::MeshService writes', () => {
  test('Compliance: WHEN a route matches a path regex, query parameters, a header range, the scheme and the port, with a target port THEN App Mesh returns it as given', async () => {
    await ctx.appmesh.send(
      new CreateVirtualRouterCommand({
        meshName: MESH,
        virtualRouterName: 'r',
        spec: routerSpec('http', 3000),
      }),
    );
    const spec = {
      httpRoute: {
        match: {
          path: { regex: '^/api/v[0-9]+/.*$' },
          queryParameters: [{ name: 'beta', match: { exact: 'yes' } }, { name: 'debug' }],
          headers: [{ name: 'x-version', match: { range: { start: 2, end: 5 } } }],
          scheme: 'https' as const,
          port: 3000,
        },
        action: { weightedTargets: [{ virtualNode: 'crystal', weight: 100, port: 3000 }] },
      },
    };
    await ctx.appmesh.send(
      new CreateRouteCommand({ meshName: MESH, virtualRouterName: 'r', routeName: 'x', spec }),
    );
    const out = await ctx.appmesh.send(
      new DescribeRouteCommand({ meshName: MESH, virtualRouterName: 'r', routeName: 'x' }),
    );
    expect(out.route?.spec).toEqual(spec);
  });
});
