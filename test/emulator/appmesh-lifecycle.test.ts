/**
 * App Mesh conformance through the real SDK: the acceptance scenario, metadata (ARNs, versions, timestamps),
 * defaults, Conflict, clientToken idempotency, every NotFound and ResourceInUse rule, spec rules and quotas.
 */
import {
  AppMeshClient,
  CreateGatewayRouteCommand,
  CreateMeshCommand,
  CreateRouteCommand,
  CreateVirtualGatewayCommand,
  CreateVirtualNodeCommand,
  CreateVirtualRouterCommand,
  CreateVirtualServiceCommand,
  DeleteGatewayRouteCommand,
  DeleteMeshCommand,
  DeleteRouteCommand,
  DeleteVirtualGatewayCommand,
  DeleteVirtualNodeCommand,
  DeleteVirtualRouterCommand,
  DeleteVirtualServiceCommand,
  DescribeMeshCommand,
  DescribeRouteCommand,
  DescribeVirtualNodeCommand,
  ListVirtualNodesCommand,
  UpdateMeshCommand,
  UpdateRouteCommand,
  UpdateVirtualNodeCommand,
  UpdateVirtualRouterCommand,
  UpdateVirtualServiceCommand,
} from '@aws-sdk/client-app-mesh';
import {
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import {
  GATEWAY_SPEC,
  gatewayRouteTo,
  httpRouteTo,
  MESH,
  nodeSpec,
  patchedTaskDefinition,
  providedByNode,
  providedByRouter,
  routerSpec,
} from './fixtures';
import { failureOf, useEmulator } from './helpers';

const ctx = useEmulator();
const ACCOUNT = '111122223333';
const MESH_ARN = `arn:aws:appmesh:us-east-1:${ACCOUNT}:mesh/${MESH}`;

async function createMesh(meshName = MESH) {
  return ctx.appmesh.send(new CreateMeshCommand({ meshName }));
}

async function createNode(virtualNodeName: string, spec = nodeSpec()) {
  return ctx.appmesh.send(new CreateVirtualNodeCommand({ meshName: MESH, virtualNodeName, spec }));
}

/** The workshop's frontend wiring: node, router with a route to it, a service provided by the router, a gateway route. */
async function createFrontend() {
  await createMesh();
  await createNode('frontend');
  await ctx.appmesh.send(
    new CreateVirtualRouterCommand({ meshName: MESH, virtualRouterName: 'FrontEnd', spec: routerSpec() }),
  );
  await ctx.appmesh.send(
    new CreateRouteCommand({
      meshName: MESH,
      virtualRouterName: 'FrontEnd',
      routeName: 'frontend-a',
      spec: httpRouteTo('frontend'),
    }),
  );
  await ctx.appmesh.send(
    new CreateVirtualServiceCommand({
      meshName: MESH,
      virtualServiceName: 'ecsdemo-frontend.service.local',
      spec: providedByRouter('FrontEnd'),
    }),
  );
  await ctx.appmesh.send(
    new CreateVirtualGatewayCommand({
      meshName: MESH,
      virtualGatewayName: 'ecsworkshop-vgw',
      spec: GATEWAY_SPEC,
    }),
  );
  await ctx.appmesh.send(
    new CreateGatewayRouteCommand({
      meshName: MESH,
      virtualGatewayName: 'ecsworkshop-vgw',
      gatewayRouteName: 'frontend-router',
      spec: gatewayRouteTo('ecsdemo-frontend.service.local'),
    }),
  );
}

describe('acceptance scenario', () => {
  test('GIVEN a mesh, a virtual node and a virtual service provided by it WHEN the node is deleted THEN ResourceInUseException; AND a task definition registers, describes with TAGS and deregisters', async () => {
    // GIVEN
    await createMesh();
    const node = await createNode('crystal');
    await ctx.appmesh.send(
      new CreateVirtualServiceCommand({
        meshName: MESH,
        virtualServiceName: 'ecsdemo-crystal.service.local',
        spec: providedByNode('crystal'),
      }),
    );
    expect(node.virtualNode?.status?.status).toBe('ACTIVE');

    // WHEN
    const error = await failureOf(
      ctx.appmesh.send(new DeleteVirtualNodeCommand({ meshName: MESH, virtualNodeName: 'crystal' })),
    );

    // THEN
    expect(error.name).toBe('ResourceInUseException');
    expect(error.$metadata?.httpStatusCode).toBe(409);
    expect(error.message).toContain("virtual service 'ecsdemo-crystal.service.local'");

    // AND the ECS half of the scenario
    const registered = await ctx.ecs.send(
      new RegisterTaskDefinitionCommand({
        ...patchedTaskDefinition('ecsdemo-crystal'),
        tags: [{ key: 'team', value: 'mesh' }],
      }),
    );
    expect(registered.taskDefinition?.taskDefinitionArn).toBe(
      `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/ecsdemo-crystal:1`,
    );
    const described = await ctx.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: 'ecsdemo-crystal', include: ['TAGS'] }),
    );
    expect(described.tags).toEqual([{ key: 'team', value: 'mesh' }]);
    expect(described.taskDefinition?.status).toBe('ACTIVE');
    const deregistered = await ctx.ecs.send(
      new DeregisterTaskDefinitionCommand({ taskDefinition: 'ecsdemo-crystal:1' }),
    );
    expect(deregistered.taskDefinition?.status).toBe('INACTIVE');
  });
});

describe('metadata', () => {
  test('GIVEN each kind of resource WHEN created THEN the ARN has the real format with the mesh owner account', async () => {
    await createFrontend();
    const describeRoute = await ctx.appmesh.send(
      new DescribeRouteCommand({ meshName: MESH, virtualRouterName: 'FrontEnd', routeName: 'frontend-a' }),
    );
    const snapshot = ctx.emulator.snapshot().appmesh;
    expect(snapshot.meshes.map((r) => r.metadata.arn)).toEqual([MESH_ARN]);
    expect(snapshot.virtualNodes.map((r) => r.metadata.arn)).toEqual([`${MESH_ARN}/virtualNode/frontend`]);
    expect(snapshot.virtualServices.map((r) => r.metadata.arn)).toEqual([
      `${MESH_ARN}/virtualService/ecsdemo-frontend.service.local`,
    ]);
    expect(snapshot.virtualRouters.map((r) => r.metadata.arn)).toEqual([
      `${MESH_ARN}/virtualRouter/FrontEnd`,
    ]);
    expect(describeRoute.route?.metadata?.arn).toBe(`${MESH_ARN}/virtualRouter/FrontEnd/route/frontend-a`);
    expect(snapshot.virtualGateways.map((r) => r.metadata.arn)).toEqual([
      `${MESH_ARN}/virtualGateway/ecsworkshop-vgw`,
    ]);
    expect(snapshot.gatewayRoutes.map((r) => r.metadata.arn)).toEqual([
      `${MESH_ARN}/virtualGateway/ecsworkshop-vgw/gatewayRoute/frontend-router`,
    ]);
    expect(describeRoute.route?.virtualRouterName).toBe('FrontEnd');
    expect(describeRoute.route?.routeName).toBe('frontend-a');
  });

  test('GIVEN a virtual node WHEN it is updated twice THEN version goes 1→2→3, uid and createdAt stay, lastUpdatedAt does not go back', async () => {
    const created = await (async () => {
      await createMesh();
      return createNode('crystal');
    })();
    const meta = created.virtualNode?.metadata;
    expect(meta?.version).toBe(1);
    expect(meta?.createdAt).toBeInstanceOf(Date);
    expect(meta?.lastUpdatedAt?.getTime()).toBe(meta?.createdAt?.getTime());
    expect(meta?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(meta?.meshOwner).toBe(ACCOUNT);
    expect(meta?.resourceOwner).toBe(ACCOUNT);

    await ctx.appmesh.send(
      new UpdateVirtualNodeCommand({ meshName: MESH, virtualNodeName: 'crystal', spec: nodeSpec(3001) }),
    );
    const updated = await ctx.appmesh.send(
      new UpdateVirtualNodeCommand({ meshName: MESH, virtualNodeName: 'crystal', spec: nodeSpec(3002) }),
    );
    const after = updated.virtualNode?.metadata;
    expect(after?.version).toBe(3);
    expect(after?.uid).toBe(meta?.uid);
    expect(after?.createdAt?.getTime()).toBe(meta?.createdAt?.getTime());
    expect(after?.lastUpdatedAt?.getTime()).toBeGreaterThanOrEqual(meta?.createdAt?.getTime() ?? Number.NaN);
    const described = await ctx.appmesh.send(
      new DescribeVirtualNodeCommand({ meshName: MESH, virtualNodeName: 'crystal' }),
    );
    expect(described.virtualNode?.spec?.listeners?.[0]?.portMapping?.port).toBe(3002);
    expect(described.virtualNode?.metadata?.version).toBe(3);
  });

  test('GIVEN a virtual node WHEN it is deleted THEN the answer has status DELETED and Describe then answers NotFound', async () => {
    await createMesh();
    await createNode('crystal');
    const deleted = await ctx.appmesh.send(
      new DeleteVirtualNodeCommand({ meshName: MESH, virtualNodeName: 'crystal' }),
    );
    expect(deleted.virtualNode?.status?.status).toBe('DELETED');
    const error = await failureOf(
      ctx.appmesh.send(new DescribeVirtualNodeCommand({ meshName: MESH, virtualNodeName: 'crystal' })),
    );
    expect(error.name).toBe('NotFoundException');
  });
});

describe('defaults filled in by the service', () => {
  test('GIVEN a mesh created without a spec THEN Describe shows egressFilter DROP_ALL', async () => {
    await createMesh();
    const described = await ctx.appmesh.send(new DescribeMeshCommand({ meshName: MESH }));
    expect(described.mesh?.spec).toEqual({ egressFilter: { type: 'DROP_ALL' } });
  });

  test('GIVEN a mesh with ALLOW_ALL WHEN updated with an empty spec THEN the default DROP_ALL applies again', async () => {
    await ctx.appmesh.send(
      new CreateMeshCommand({ meshName: MESH, spec: { egressFilter: { type: 'ALLOW_ALL' } } }),
    );
    expect(
      (await ctx.appmesh.send(new DescribeMeshCommand({ meshName: MESH }))).mesh?.spec?.egressFilter?.type,
    ).toBe('ALLOW_ALL');
    const updated = await ctx.appmesh.send(new UpdateMeshCommand({ meshName: MESH, spec: {} }));
    expect(updated.mesh?.spec?.egressFilter?.type).toBe('DROP_ALL');
    expect(updated.mesh?.metadata?.version).toBe(2);
  });

  test('GIVEN a virtual node spec THEN Describe returns it as sent (no invented defaults)', async () => {
    await createMesh();
    await createNode('crystal', nodeSpec());
    const described = await ctx.appmesh.send(
      new DescribeVirtualNodeCommand({ meshName: MESH, virtualNodeName: 'crystal' }),
    );
    expect(described.virtualNode?.spec).toEqual({
      listeners: [{ portMapping: { port: 3000, protocol: 'http' } }],
      serviceDiscovery: { dns: { hostname: 'ecsdemo-crystal.service.local' } },
    });
  });
});

describe('ConflictException', () => {
  test('GIVEN a mesh WHEN a mesh with the same name is created THEN ConflictException (409)', async () => {
    await createMesh();
    const error = await failureOf(createMesh());
    expect(error.name).toBe('ConflictException');
    expect(error.$metadata?.httpStatusCode).toBe(409);
  });

  test('GIVEN a virtual node WHEN one with the same name is created THEN ConflictException naming it', async () => {
    await createMesh();
    await createNode('crystal');
    const error = await failureOf(createNode('crystal'));
    expect(error.name).toBe('ConflictException');
    expect(error.message).toContain("VirtualNode 'crystal' already exists");
  });
});

describe('clientToken', () => {
  test('GIVEN a create with a clientToken WHEN retried with the same token and input THEN the same result and one resource', async () => {
    await createMesh();
    const input = { meshName: MESH, virtualNodeName: 'crystal', spec: nodeSpec(), clientToken: 'token-1' };
    const first = await ctx.appmesh.send(new CreateVirtualNodeCommand(input));
    const retry = await ctx.appmesh.send(new CreateVirtualNodeCommand(input));
    expect(retry.virtualNode?.metadata?.uid).toBe(first.virtualNode?.metadata?.uid);
    expect(retry.virtualNode?.metadata?.version).toBe(1);
    const listed = await ctx.appmesh.send(new ListVirtualNodesCommand({ meshName: MESH }));
    expect(listed.virtualNodes).toHaveLength(1);
  });

  test('GIVEN a used clientToken WHEN reused with a different input THEN ConflictException', async () => {
    await createMesh();
    await ctx.appmesh.send(
      new CreateVirtualNodeCommand({
        meshName: MESH,
        virtualNodeName: 'a',
        spec: nodeSpec(),
        clientToken: 't',
      }),
    );
    const error = await failureOf(
      ctx.appmesh.send(
        new CreateVirtualNodeCommand({
          meshName: MESH,
          virtualNodeName: 'b',
          spec: nodeSpec(),
          clientToken: 't',
        }),
      ),
    );
    expect(error.name).toBe('ConflictException');
    expect(error.message).toContain('clientToken');
  });

  test('GIVEN an update with a clientToken WHEN retried THEN the version is bumped once', async () => {
    await createMesh();
    await createNode('crystal');
    const input = {
      meshName: MESH,
      virtualNodeName: 'crystal',
      spec: nodeSpec(4000),
      clientToken: 'update-1',
    };
    await ctx.appmesh.send(new UpdateVirtualNodeCommand(input));
    const retry = await ctx.appmesh.send(new UpdateVirtualNodeCommand(input));
    expect(retry.virtualNode?.metadata?.version).toBe(2);
  });

  test('GIVEN a clientToken longer than 36 characters THEN BadRequestException', async () => {
    const error = await failureOf(
      ctx.appmesh.send(new CreateMeshCommand({ meshName: MESH, clientToken: 'x'.repeat(37) })),
    );
    expect(error.name).toBe('BadRequestException');
    expect(error.message).toContain('clientToken');
  });
});

describe('NotFoundException', () => {
  const cases: [string, () => Promise<unknown>, string][] = [
    [
      'describe a missing mesh',
      () => ctx.appmesh.send(new DescribeMeshCommand({ meshName: 'nope' })),
      "Mesh 'nope'",
    ],
    [
      'create a node in a missing mesh',
      () =>
        ctx.appmesh.send(
          new CreateVirtualNodeCommand({ meshName: 'nope', virtualNodeName: 'n', spec: nodeSpec() }),
        ),
      "Mesh 'nope'",
    ],
    [
      'describe a missing node',
      () => ctx.appmesh.send(new DescribeVirtualNodeCommand({ meshName: MESH, virtualNodeName: 'nope' })),
      "VirtualNode 'nope'",
    ],
    [
      'update a missing node',
      () =>
        ctx.appmesh.send(
          new UpdateVirtualNodeCommand({ meshName: MESH, virtualNodeName: 'nope', spec: nodeSpec() }),
        ),
      "VirtualNode 'nope'",
    ],
    [
      'delete a missing service',
      () => ctx.appmesh.send(new DeleteVirtualServiceCommand({ meshName: MESH, virtualServiceName: 'nope' })),
      "VirtualService 'nope'",
    ],
    [
      'create a route under a missing router',
      () =>
        ctx.appmesh.send(
          new CreateRouteCommand({
            meshName: MESH,
            virtualRouterName: 'nope',
            routeName: 'r',
            spec: httpRouteTo('crystal'),
          }),
        ),
      "VirtualRouter 'nope'",
    ],
    [
      'create a gateway route under a missing gateway',
      () =>
        ctx.appmesh.send(
          new CreateGatewayRouteCommand({
            meshName: MESH,
            virtualGatewayName: 'nope',
            gatewayRouteName: 'g',
            spec: gatewayRouteTo('svc'),
          }),
        ),
      "VirtualGateway 'nope'",
    ],
    [
      'create a service whose provider node is missing',
      () =>
        ctx.appmesh.send(
          new CreateVirtualServiceCommand({
            meshName: MESH,
            virtualServiceName: 's',
            spec: providedByNode('nope'),
          }),
        ),
      'spec.provider.virtualNode.virtualNodeName',
    ],
    [
      'create a service whose provider router is missing',
      () =>
        ctx.appmesh.send(
          new CreateVirtualServiceCommand({
            meshName: MESH,
            virtualServiceName: 's',
            spec: providedByRouter('nope'),
          }),
        ),
      'spec.provider.virtualRouter.virtualRouterName',
    ],
    [
      'update a service to a missing provider',
      () =>
        ctx.appmesh.send(
          new UpdateVirtualServiceCommand({
            meshName: MESH,
            virtualServiceName: 'crystal.local',
            spec: providedByNode('nope'),
          }),
        ),
      "VirtualNode 'nope'",
    ],
    [
      'create a route whose weighted target is missing',
      () =>
        ctx.appmesh.send(
          new CreateRouteCommand({
            meshName: MESH,
            virtualRouterName: 'router',
            routeName: 'r',
            spec: httpRouteTo('nope'),
          }),
        ),
      'spec.httpRoute.action.weightedTargets[0].virtualNode',
    ],
    [
      'update a route to a missing target',
      () =>
        ctx.appmesh.send(
          new UpdateRouteCommand({
            meshName: MESH,
            virtualRouterName: 'router',
            routeName: 'to-crystal',
            spec: httpRouteTo('nope'),
          }),
        ),
      "VirtualNode 'nope'",
    ],
    [
      'create a gateway route whose target service is missing',
      () =>
        ctx.appmesh.send(
          new CreateGatewayRouteCommand({
            meshName: MESH,
            virtualGatewayName: 'gw',
            gatewayRouteName: 'g',
            spec: gatewayRouteTo('nope'),
          }),
        ),
      'spec.httpRoute.action.target.virtualService.virtualServiceName',
    ],
  ];

  test.each(cases)(
    'GIVEN a mesh with node crystal, router, route and gateway WHEN I %s THEN NotFoundException (404)',
    async (_, call, mentions) => {
      await createMesh();
      await createNode('crystal');
      await ctx.appmesh.send(
        new CreateVirtualServiceCommand({
          meshName: MESH,
          virtualServiceName: 'crystal.local',
          spec: providedByNode('crystal'),
        }),
      );
      await ctx.appmesh.send(
        new CreateVirtualRouterCommand({ meshName: MESH, virtualRouterName: 'router', spec: routerSpec() }),
      );
      await ctx.appmesh.send(
        new CreateRouteCommand({
          meshName: MESH,
          virtualRouterName: 'router',
          routeName: 'to-crystal',
          spec: httpRouteTo('crystal'),
        }),
      );
      await ctx.appmesh.send(
        new CreateVirtualGatewayCommand({ meshName: MESH, virtualGatewayName: 'gw', spec: GATEWAY_SPEC }),
      );

      const error = await failureOf(call());

      expect(error.name).toBe('NotFoundException');
      expect(error.$metadata?.httpStatusCode).toBe(404);
      expect(error.message).toContain(mentions);
    },
  );
});

describe('ResourceInUseException', () => {
  const cases: [string, () => Promise<unknown>, string][] = [
    [
      'a virtual node that provides a virtual service',
      () => ctx.appmesh.send(new DeleteVirtualNodeCommand({ meshName: MESH, virtualNodeName: 'backend' })),
      "virtual service 'backend.local'",
    ],
    [
      'a virtual node that is a route target',
      () => ctx.appmesh.send(new DeleteVirtualNodeCommand({ meshName: MESH, virtualNodeName: 'frontend' })),
      "route 'frontend-a'",
    ],
    [
      'a virtual router that has routes and provides a service',
      () =>
        ctx.appmesh.send(new DeleteVirtualRouterCommand({ meshName: MESH, virtualRouterName: 'FrontEnd' })),
      "route 'frontend-a'",
    ],
    [
      'a virtual service that a gateway route targets',
      () =>
        ctx.appmesh.send(
          new DeleteVirtualServiceCommand({
            meshName: MESH,
            virtualServiceName: 'ecsdemo-frontend.service.local',
          }),
        ),
      "gateway route 'frontend-router'",
    ],
    [
      'a virtual gateway with gateway routes',
      () =>
        ctx.appmesh.send(
          new DeleteVirtualGatewayCommand({ meshName: MESH, virtualGatewayName: 'ecsworkshop-vgw' }),
        ),
      "gateway route 'frontend-router'",
    ],
    [
      'a mesh with children',
      () => ctx.appmesh.send(new DeleteMeshCommand({ meshName: MESH })),
      "virtual node 'frontend'",
    ],
  ];

  test.each(cases)(
    'GIVEN the workshop frontend wiring WHEN I delete %s THEN ResourceInUseException (409)',
    async (_, call, mentions) => {
      await createFrontend();
      await createNode('backend');
      await ctx.appmesh.send(
        new CreateVirtualServiceCommand({
          meshName: MESH,
          virtualServiceName: 'backend.local',
          spec: providedByNode('backend'),
        }),
      );

      const error = await failureOf(call());

      expect(error.name).toBe('ResourceInUseException');
      expect(error.$metadata?.httpStatusCode).toBe(409);
      expect(error.message).toContain(mentions);
    },
  );

  test('GIVEN a router that only provides a service WHEN deleted THEN ResourceInUseException names the service', async () => {
    await createMesh();
    await ctx.appmesh.send(
      new CreateVirtualRouterCommand({ meshName: MESH, virtualRouterName: 'r', spec: routerSpec() }),
    );
    await ctx.appmesh.send(
      new CreateVirtualServiceCommand({
        meshName: MESH,
        virtualServiceName: 's',
        spec: providedByRouter('r'),
      }),
    );
    const error = await failureOf(
      ctx.appmesh.send(new DeleteVirtualRouterCommand({ meshName: MESH, virtualRouterName: 'r' })),
    );
    expect(error.name).toBe('ResourceInUseException');
    expect(error.message).toContain("virtual service 's' (spec.provider.virtualRouter.virtualRouterName)");
  });

  test('GIVEN the workshop wiring WHEN deleted children before parents THEN every delete succeeds and nothing is left', async () => {
    await createFrontend();
    await ctx.appmesh.send(
      new DeleteGatewayRouteCommand({
        meshName: MESH,
        virtualGatewayName: 'ecsworkshop-vgw',
        gatewayRouteName: 'frontend-router',
      }),
    );
    await ctx.appmesh.send(
      new DeleteVirtualGatewayCommand({ meshName: MESH, virtualGatewayName: 'ecsworkshop-vgw' }),
    );
    await ctx.appmesh.send(
      new DeleteVirtualServiceCommand({
        meshName: MESH,
        virtualServiceName: 'ecsdemo-frontend.service.local',
      }),
    );
    await ctx.appmesh.send(
      new DeleteRouteCommand({ meshName: MESH, virtualRouterName: 'FrontEnd', routeName: 'frontend-a' }),
    );
    await ctx.appmesh.send(new DeleteVirtualRouterCommand({ meshName: MESH, virtualRouterName: 'FrontEnd' }));
    await ctx.appmesh.send(new DeleteVirtualNodeCommand({ meshName: MESH, virtualNodeName: 'frontend' }));
    const mesh = await ctx.appmesh.send(new DeleteMeshCommand({ meshName: MESH }));
    expect(mesh.mesh?.status?.status).toBe('DELETED');
    const { appmesh } = ctx.emulator.snapshot();
    expect(Object.values(appmesh).flat()).toEqual([]);
  });
});

describe('spec rules (BadRequestException)', () => {
  beforeEach(async () => {
    await createMesh();
    await createNode('crystal');
    await ctx.appmesh.send(
      new CreateVirtualRouterCommand({
        meshName: MESH,
        virtualRouterName: 'router',
        spec: routerSpec('http'),
      }),
    );
  });

  test('GIVEN an http router WHEN a tcpRoute is created THEN BadRequestException explains the protocol mismatch', async () => {
    const error = await failureOf(
      ctx.appmesh.send(
        new CreateRouteCommand({
          meshName: MESH,
          virtualRouterName: 'router',
          routeName: 'tcp',
          spec: { tcpRoute: { action: { weightedTargets: [{ virtualNode: 'crystal', weight: 1 }] } } },
        }),
      ),
    );
    expect(error.name).toBe('BadRequestException');
    expect(error.message).toContain('tcpRoute');
    expect(error.message).toContain('http:3000');
  });

  test('GIVEN an http router with an httpRoute WHEN the router listener is changed to tcp THEN BadRequestException', async () => {
    await ctx.appmesh.send(
      new CreateRouteCommand({
        meshName: MESH,
        virtualRouterName: 'router',
        routeName: 'r',
        spec: httpRouteTo('crystal'),
      }),
    );
    const error = await failureOf(
      ctx.appmesh.send(
        new UpdateVirtualRouterCommand({
          meshName: MESH,
          virtualRouterName: 'router',
          spec: routerSpec('tcp'),
        }),
      ),
    );
    expect(error.name).toBe('BadRequestException');
    expect(error.message).toContain("Route 'r'");
  });

  test.each([
    ['a prefix without a leading slash', httpRouteTo('crystal', 'api'), "a prefix must start with '/'"],
    ['the reserved /aws-appmesh prefix', httpRouteTo('crystal', '/aws-appmesh/stats'), 'reserved'],
    [
      'two route types',
      { ...httpRouteTo('crystal'), http2Route: httpRouteTo('crystal').httpRoute },
      'exactly one of',
    ],
  ])('GIVEN a route with %s THEN BadRequestException', async (_, spec, mentions) => {
    const error = await failureOf(
      ctx.appmesh.send(
        new CreateRouteCommand({ meshName: MESH, virtualRouterName: 'router', routeName: 'r', spec }),
      ),
    );
    expect(error.name).toBe('BadRequestException');
    expect(error.message).toContain(mentions);
  });

  test('GIVEN a gateway route with the reserved /aws-appmesh prefix THEN BadRequestException', async () => {
    await ctx.appmesh.send(
      new CreateVirtualServiceCommand({
        meshName: MESH,
        virtualServiceName: 's',
        spec: providedByNode('crystal'),
      }),
    );
    await ctx.appmesh.send(
      new CreateVirtualGatewayCommand({ meshName: MESH, virtualGatewayName: 'gw', spec: GATEWAY_SPEC }),
    );
    const error = await failureOf(
      ctx.appmesh.send(
        new CreateGatewayRouteCommand({
          meshName: MESH,
          virtualGatewayName: 'gw',
          gatewayRouteName: 'g',
          spec: gatewayRouteTo('s', '/aws-appmesh'),
        }),
      ),
    );
    expect(error.name).toBe('BadRequestException');
    expect(error.message).toContain('spec.httpRoute.match.prefix');
  });
});

describe('quotas (LimitExceededException)', () => {
  // The SDK retries LimitExceededException like throttling: one attempt keeps the test short.
  const once = () => new AppMeshClient({ maxAttempts: 1 });

  test('GIVEN a node with 51 backends THEN LimitExceededException (limit 50 per node)', async () => {
    await createMesh();
    const client = once();
    const backends = Array.from({ length: 51 }, (_, i) => `svc-${i}.local`);
    const error = await failureOf(
      client.send(
        new CreateVirtualNodeCommand({
          meshName: MESH,
          virtualNodeName: 'n',
          spec: nodeSpec(3000, 'n.local', backends),
        }),
      ),
    );
    client.destroy();
    expect(error.name).toBe('LimitExceededException');
    expect(error.message).toContain('50 backends');
  });

  test('GIVEN 200 virtual nodes, services and routers and 50 routes WHEN one more of each is created THEN LimitExceededException', async () => {
    await createMesh();
    const client = once();
    const range = (n: number) => Array.from({ length: n }, (_, i) => i);
    await Promise.all(range(200).map((i) => createNode(`node-${i}`)));
    await Promise.all(
      range(200).map((i) =>
        ctx.appmesh.send(
          new CreateVirtualServiceCommand({ meshName: MESH, virtualServiceName: `svc-${i}`, spec: {} }),
        ),
      ),
    );
    await Promise.all(
      range(200).map((i) =>
        ctx.appmesh.send(
          new CreateVirtualRouterCommand({
            meshName: MESH,
            virtualRouterName: `router-${i}`,
            spec: routerSpec(),
          }),
        ),
      ),
    );
    await Promise.all(
      range(50).map((i) =>
        ctx.appmesh.send(
          new CreateRouteCommand({
            meshName: MESH,
            virtualRouterName: 'router-0',
            routeName: `route-${i}`,
            spec: httpRouteTo('node-0'),
          }),
        ),
      ),
    );

    const errors = await Promise.all([
      failureOf(
        client.send(
          new CreateVirtualNodeCommand({ meshName: MESH, virtualNodeName: 'one-more', spec: nodeSpec() }),
        ),
      ),
      failureOf(
        client.send(
          new CreateVirtualServiceCommand({ meshName: MESH, virtualServiceName: 'one-more', spec: {} }),
        ),
      ),
      failureOf(
        client.send(
          new CreateVirtualRouterCommand({
            meshName: MESH,
            virtualRouterName: 'one-more',
            spec: routerSpec(),
          }),
        ),
      ),
      failureOf(
        client.send(
          new CreateRouteCommand({
            meshName: MESH,
            virtualRouterName: 'router-0',
            routeName: 'one-more',
            spec: httpRouteTo('node-0'),
          }),
        ),
      ),
    ]);
    client.destroy();

    expect(errors.map((e) => e.name)).toEqual(Array(4).fill('LimitExceededException'));
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringContaining('200 virtual nodes per mesh'),
      expect.stringContaining('200 virtual services per mesh'),
      expect.stringContaining('200 virtual routers per mesh'),
      expect.stringContaining('50 routes per virtual router'),
    ]);
  });
});
