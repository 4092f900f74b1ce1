/** App Mesh List pagination (limit 1, opaque nextToken) for every List operation, and tagging. */
import {
  type AppMeshClient,
  CreateGatewayRouteCommand,
  CreateMeshCommand,
  CreateRouteCommand,
  CreateVirtualGatewayCommand,
  CreateVirtualNodeCommand,
  CreateVirtualRouterCommand,
  CreateVirtualServiceCommand,
  ListGatewayRoutesCommand,
  ListMeshesCommand,
  ListRoutesCommand,
  ListTagsForResourceCommand,
  ListVirtualGatewaysCommand,
  ListVirtualNodesCommand,
  ListVirtualRoutersCommand,
  ListVirtualServicesCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateVirtualNodeCommand,
} from '@aws-sdk/client-app-mesh';
import {
  GATEWAY_SPEC,
  gatewayRouteTo,
  httpRouteTo,
  MESH,
  nodeSpec,
  providedByNode,
  routerSpec,
} from './fixtures';
import { failureOf, useEmulator } from './helpers';

const ctx = useEmulator();

/** Pages through a List operation with limit 1, checking every page, and returns the names in order. */
async function pageNames<T extends object>(
  list: (nextToken: string | undefined) => Promise<{ nextToken?: string; items: T[] }>,
  nameMember: keyof T & string,
): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < 10; page++) {
    const result = await list(token);
    expect(result.items.length).toBeLessThanOrEqual(1);
    names.push(...result.items.map((item) => String(item[nameMember])));
    token = result.nextToken;
    if (token === undefined) return names;
  }
  throw new Error('pagination did not end');
}

async function seedTwoOfEverything(client: AppMeshClient) {
  for (const m of [MESH, 'other-mesh']) await client.send(new CreateMeshCommand({ meshName: m }));
  for (const n of ['a', 'b'])
    await client.send(new CreateVirtualNodeCommand({ meshName: MESH, virtualNodeName: n, spec: nodeSpec() }));
  for (const s of ['s1', 's2']) {
    await client.send(
      new CreateVirtualServiceCommand({ meshName: MESH, virtualServiceName: s, spec: providedByNode('a') }),
    );
  }
  for (const r of ['r1', 'r2']) {
    await client.send(
      new CreateVirtualRouterCommand({ meshName: MESH, virtualRouterName: r, spec: routerSpec() }),
    );
  }
  for (const x of ['x1', 'x2']) {
    await client.send(
      new CreateRouteCommand({
        meshName: MESH,
        virtualRouterName: 'r1',
        routeName: x,
        spec: httpRouteTo('a', `/${x}`),
      }),
    );
  }
  for (const g of ['g1', 'g2']) {
    await client.send(
      new CreateVirtualGatewayCommand({ meshName: MESH, virtualGatewayName: g, spec: GATEWAY_SPEC }),
    );
  }
  for (const gr of ['gr1', 'gr2']) {
    await client.send(
      new CreateGatewayRouteCommand({
        meshName: MESH,
        virtualGatewayName: 'g1',
        gatewayRouteName: gr,
        spec: gatewayRouteTo('s1', `/${gr}`),
      }),
    );
  }
}

describe('pagination with limit 1', () => {
  test('GIVEN two of every resource kind WHEN every List operation is paged with limit 1 THEN each page has one item and all items come back', async () => {
    await seedTwoOfEverything(ctx.appmesh);
    const c = ctx.appmesh;
    const base = { meshName: MESH, limit: 1 };

    expect(
      await pageNames(async (nextToken) => {
        const r = await c.send(new ListMeshesCommand({ limit: 1, nextToken }));
        return { nextToken: r.nextToken, items: r.meshes ?? [] };
      }, 'meshName'),
    ).toEqual([MESH, 'other-mesh']);
    expect(
      await pageNames(async (nextToken) => {
        const r = await c.send(new ListVirtualNodesCommand({ ...base, nextToken }));
        return { nextToken: r.nextToken, items: r.virtualNodes ?? [] };
      }, 'virtualNodeName'),
    ).toEqual(['a', 'b']);
    expect(
      await pageNames(async (nextToken) => {
        const r = await c.send(new ListVirtualServicesCommand({ ...base, nextToken }));
        return { nextToken: r.nextToken, items: r.virtualServices ?? [] };
      }, 'virtualServiceName'),
    ).toEqual(['s1', 's2']);
    expect(
      await pageNames(async (nextToken) => {
        const r = await c.send(new ListVirtualRoutersCommand({ ...base, nextToken }));
        return { nextToken: r.nextToken, items: r.virtualRouters ?? [] };
      }, 'virtualRouterName'),
    ).toEqual(['r1', 'r2']);
    expect(
      await pageNames(async (nextToken) => {
        const r = await c.send(new ListRoutesCommand({ ...base, virtualRouterName: 'r1', nextToken }));
        return { nextToken: r.nextToken, items: r.routes ?? [] };
      }, 'routeName'),
    ).toEqual(['x1', 'x2']);
    expect(
      await pageNames(async (nextToken) => {
        const r = await c.send(new ListVirtualGatewaysCommand({ ...base, nextToken }));
        return { nextToken: r.nextToken, items: r.virtualGateways ?? [] };
      }, 'virtualGatewayName'),
    ).toEqual(['g1', 'g2']);
    expect(
      await pageNames(async (nextToken) => {
        const r = await c.send(
          new ListGatewayRoutesCommand({ ...base, virtualGatewayName: 'g1', nextToken }),
        );
        return { nextToken: r.nextToken, items: r.gatewayRoutes ?? [] };
      }, 'gatewayRouteName'),
    ).toEqual(['gr1', 'gr2']);
    const nodeArn = (await c.send(new ListVirtualNodesCommand({ meshName: MESH }))).virtualNodes?.[0]?.arn;
    await c.send(
      new TagResourceCommand({
        resourceArn: nodeArn,
        tags: [
          { key: 'k1', value: 'v1' },
          { key: 'k2', value: 'v2' },
        ],
      }),
    );
    expect(
      await pageNames(async (nextToken) => {
        const r = await c.send(new ListTagsForResourceCommand({ resourceArn: nodeArn, limit: 1, nextToken }));
        return { nextToken: r.nextToken, items: r.tags ?? [] };
      }, 'key'),
    ).toEqual(['k1', 'k2']);
  });

  test('GIVEN a List result THEN refs carry the model members (arn, version, owners, timestamps as Dates)', async () => {
    await seedTwoOfEverything(ctx.appmesh);
    const routes = await ctx.appmesh.send(new ListRoutesCommand({ meshName: MESH, virtualRouterName: 'r1' }));
    expect(routes.routes?.[0]).toEqual({
      arn: 'arn:aws:appmesh:us-east-1:111122223333:mesh/ecs-mesh/virtualRouter/r1/route/x1',
      meshName: MESH,
      virtualRouterName: 'r1',
      routeName: 'x1',
      meshOwner: '111122223333',
      resourceOwner: '111122223333',
      version: 1,
      createdAt: expect.any(Date),
      lastUpdatedAt: expect.any(Date),
    });
  });

  test('GIVEN a nextToken that the service did not issue THEN BadRequestException', async () => {
    const error = await failureOf(ctx.appmesh.send(new ListMeshesCommand({ nextToken: 'not-a-token' })));
    expect(error.name).toBe('BadRequestException');
    expect(error.message).toContain('nextToken');
  });

  test('GIVEN a List of a missing parent THEN NotFoundException', async () => {
    await ctx.appmesh.send(new CreateMeshCommand({ meshName: MESH }));
    const error = await failureOf(
      ctx.appmesh.send(new ListRoutesCommand({ meshName: MESH, virtualRouterName: 'nope' })),
    );
    expect(error.name).toBe('NotFoundException');
  });
});

describe('tags', () => {
  async function createTaggedNode() {
    await ctx.appmesh.send(new CreateMeshCommand({ meshName: MESH }));
    const created = await ctx.appmesh.send(
      new CreateVirtualNodeCommand({
        meshName: MESH,
        virtualNodeName: 'crystal',
        spec: nodeSpec(),
        tags: [{ key: 'owner', value: 'team-a' }],
      }),
    );
    return created.virtualNode?.metadata?.arn ?? '';
  }

  const tagsOf = async (resourceArn: string) =>
    (await ctx.appmesh.send(new ListTagsForResourceCommand({ resourceArn }))).tags;

  test('GIVEN tags at create WHEN listed THEN they are there', async () => {
    const arn = await createTaggedNode();
    expect(await tagsOf(arn)).toEqual([{ key: 'owner', value: 'team-a' }]);
  });

  test('GIVEN a tagged node WHEN TagResource adds and overwrites and UntagResource removes THEN the tags follow', async () => {
    const arn = await createTaggedNode();
    await ctx.appmesh.send(
      new TagResourceCommand({
        resourceArn: arn,
        tags: [
          { key: 'owner', value: 'team-b' },
          { key: 'env', value: 'dev' },
        ],
      }),
    );
    expect(await tagsOf(arn)).toEqual([
      { key: 'env', value: 'dev' },
      { key: 'owner', value: 'team-b' },
    ]);
    await ctx.appmesh.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['owner', 'not-there'] }));
    expect(await tagsOf(arn)).toEqual([{ key: 'env', value: 'dev' }]);
  });

  test('GIVEN a tagged node WHEN updated THEN tags and version are independent (tags change only via TagResource)', async () => {
    const arn = await createTaggedNode();
    await ctx.appmesh.send(
      new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'extra', value: '1' }] }),
    );
    const updated = await ctx.appmesh.send(
      new UpdateVirtualNodeCommand({ meshName: MESH, virtualNodeName: 'crystal', spec: nodeSpec(81) }),
    );
    expect(updated.virtualNode?.metadata?.version).toBe(2);
    expect((await tagsOf(arn))?.map((t) => t.key)).toEqual(['extra', 'owner']);
  });

  test('GIVEN 50 tags WHEN one more is added THEN TooManyTagsException and the tags are unchanged', async () => {
    const arn = await createTaggedNode();
    const many = Array.from({ length: 49 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    await ctx.appmesh.send(new TagResourceCommand({ resourceArn: arn, tags: many }));
    const error = await failureOf(
      ctx.appmesh.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'one-more', value: 'v' }] })),
    );
    expect(error.name).toBe('TooManyTagsException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(await tagsOf(arn)).toHaveLength(50);
  });

  test('GIVEN an ARN of no resource WHEN tagged or listed THEN NotFoundException', async () => {
    const arn = 'arn:aws:appmesh:us-east-1:111122223333:mesh/nope/virtualNode/nope';
    expect(
      (await failureOf(ctx.appmesh.send(new TagResourceCommand({ resourceArn: arn, tags: [] })))).name,
    ).toBe('NotFoundException');
    expect((await failureOf(tagsOf(arn))).name).toBe('NotFoundException');
  });

  test('GIVEN a tag value of 257 characters THEN BadRequestException naming tags[0].value', async () => {
    const arn = await createTaggedNode();
    const error = await failureOf(
      ctx.appmesh.send(
        new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'k', value: 'v'.repeat(257) }] }),
      ),
    );
    expect(error.name).toBe('BadRequestException');
    expect(error.message).toContain("'tags[0].value'");
  });

  test('GIVEN tagged resources THEN the snapshot shows their tags', async () => {
    await createTaggedNode();
    expect(ctx.emulator.snapshot().appmesh.virtualNodes[0]?.tags).toEqual([
      { key: 'owner', value: 'team-a' },
    ]);
  });
});
