/**
 * Shared meshes: a mesh is identified by (owner, name); `meshOwner` defaults to the caller; a mesh owned by another
 * account can be used once it is shared with the caller (seedPlatform({ meshOwner }) / emulator.shareMesh).
 */
import {
  AppMeshClient,
  CreateMeshCommand,
  CreateVirtualNodeCommand,
  DeleteMeshCommand,
  DeleteVirtualGatewayCommand,
  DeleteVirtualNodeCommand,
  DescribeMeshCommand,
  DescribeVirtualNodeCommand,
  ListMeshesCommand,
  ListTagsForResourceCommand,
  ListVirtualNodesCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateVirtualNodeCommand,
} from '@aws-sdk/client-app-mesh';
import { seedPlatform } from '../../emulator';
import { MESH, nodeSpec } from './fixtures';
import { failureOf, OTHER_ACCOUNT, useEmulator } from './helpers';

const ctx = useEmulator();
const OWN_ACCOUNT = '111122223333';

/** A client acting as the mesh owner's account. */
function ownerClient(): AppMeshClient {
  const env = ctx.emulator.env(OTHER_ACCOUNT);
  return new AppMeshClient({
    endpoint: env.AWS_ENDPOINT_URL_APP_MESH,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
    },
  });
}

describe('a mesh shared by another account', () => {
  let owner: AppMeshClient;
  beforeEach(async () => {
    owner = ownerClient();
    await seedPlatform(ctx.emulator, { meshOwner: OTHER_ACCOUNT });
  });
  afterEach(() => owner.destroy());

  test('GIVEN the seeded shared mesh THEN its ARN and meshOwner are the owner account, and it is listed for both accounts', async () => {
    const described = await ctx.appmesh.send(
      new DescribeMeshCommand({ meshName: MESH, meshOwner: OTHER_ACCOUNT }),
    );
    expect(described.mesh?.metadata?.arn).toBe(`arn:aws:appmesh:us-east-1:${OTHER_ACCOUNT}:mesh/${MESH}`);
    expect(described.mesh?.metadata?.meshOwner).toBe(OTHER_ACCOUNT);
    const mine = await ctx.appmesh.send(new ListMeshesCommand({}));
    expect(mine.meshes?.map((m) => [m.meshName, m.meshOwner])).toEqual([[MESH, OTHER_ACCOUNT]]);
  });

  test('GIVEN the shared mesh WHEN described without meshOwner THEN NotFoundException (meshOwner defaults to the caller)', async () => {
    const error = await failureOf(ctx.appmesh.send(new DescribeMeshCommand({ meshName: MESH })));
    expect(error.name).toBe('NotFoundException');
  });

  test('GIVEN the shared mesh WHEN the consumer creates a node THEN the ARN carries the mesh owner and resourceOwner is the consumer', async () => {
    const created = await ctx.appmesh.send(
      new CreateVirtualNodeCommand({
        meshName: MESH,
        meshOwner: OTHER_ACCOUNT,
        virtualNodeName: 'crystal',
        spec: nodeSpec(),
      }),
    );
    expect(created.virtualNode?.metadata).toMatchObject({
      arn: `arn:aws:appmesh:us-east-1:${OTHER_ACCOUNT}:mesh/${MESH}/virtualNode/crystal`,
      meshOwner: OTHER_ACCOUNT,
      resourceOwner: OWN_ACCOUNT,
    });
    const seenByOwner = await owner.send(new ListVirtualNodesCommand({ meshName: MESH }));
    expect(seenByOwner.virtualNodes?.map((n) => n.resourceOwner)).toEqual([OWN_ACCOUNT]);
  });

  test('GIVEN a consumer node in the shared mesh WHEN the owner deletes it, or the mesh THEN ForbiddenException / ResourceInUseException', async () => {
    await ctx.appmesh.send(
      new CreateVirtualNodeCommand({
        meshName: MESH,
        meshOwner: OTHER_ACCOUNT,
        virtualNodeName: 'crystal',
        spec: nodeSpec(),
      }),
    );
    const forbidden = await failureOf(
      owner.send(new DeleteVirtualNodeCommand({ meshName: MESH, virtualNodeName: 'crystal' })),
    );
    expect(forbidden.name).toBe('ForbiddenException');
    expect(forbidden.$metadata?.httpStatusCode).toBe(403);
    const inUse = await failureOf(owner.send(new DeleteMeshCommand({ meshName: MESH })));
    expect(inUse.name).toBe('ResourceInUseException');
  });

  test("GIVEN the owner's gateway WHEN the consumer deletes or tags it THEN ForbiddenException", async () => {
    const deleteError = await failureOf(
      ctx.appmesh.send(
        new DeleteVirtualGatewayCommand({
          meshName: MESH,
          meshOwner: OTHER_ACCOUNT,
          virtualGatewayName: 'ecsworkshop-vgw',
        }),
      ),
    );
    expect(deleteError.name).toBe('ForbiddenException');
    const gatewayArn = `arn:aws:appmesh:us-east-1:${OTHER_ACCOUNT}:mesh/${MESH}/virtualGateway/ecsworkshop-vgw`;
    const tagError = await failureOf(
      ctx.appmesh.send(new TagResourceCommand({ resourceArn: gatewayArn, tags: [{ key: 'a', value: 'b' }] })),
    );
    expect(tagError.name).toBe('ForbiddenException');
  });

  test('GIVEN the consumer node WHEN the consumer deletes it THEN it is deleted', async () => {
    await ctx.appmesh.send(
      new CreateVirtualNodeCommand({
        meshName: MESH,
        meshOwner: OTHER_ACCOUNT,
        virtualNodeName: 'crystal',
        spec: nodeSpec(),
      }),
    );
    const deleted = await ctx.appmesh.send(
      new DeleteVirtualNodeCommand({ meshName: MESH, meshOwner: OTHER_ACCOUNT, virtualNodeName: 'crystal' }),
    );
    expect(deleted.virtualNode?.status?.status).toBe('DELETED');
  });
});

describe('a mesh of another account that is not shared', () => {
  test('GIVEN a mesh another account did not share WHEN the caller uses it THEN NotFoundException', async () => {
    const owner = ownerClient();
    await owner.send(new CreateMeshCommand({ meshName: 'private' }));
    owner.destroy();
    const describe = await failureOf(
      ctx.appmesh.send(new DescribeMeshCommand({ meshName: 'private', meshOwner: OTHER_ACCOUNT })),
    );
    expect(describe.name).toBe('NotFoundException');
    const create = await failureOf(
      ctx.appmesh.send(
        new DescribeVirtualNodeCommand({
          meshName: 'private',
          meshOwner: OTHER_ACCOUNT,
          virtualNodeName: 'x',
        }),
      ),
    );
    expect(create.name).toBe('NotFoundException');
    expect((await ctx.appmesh.send(new ListMeshesCommand({}))).meshes).toEqual([]);
  });

  test("GIVEN a mesh another account did not share WHEN the caller creates, updates, deletes, lists or tags in it THEN NotFoundException, and the owner's node is unchanged", async () => {
    const owner = ownerClient();
    await owner.send(new CreateMeshCommand({ meshName: 'private' }));
    const theirs = await owner.send(
      new CreateVirtualNodeCommand({ meshName: 'private', virtualNodeName: 'crystal', spec: nodeSpec() }),
    );
    const arn = theirs.virtualNode!.metadata!.arn!;
    const node = { meshName: 'private', meshOwner: OTHER_ACCOUNT, virtualNodeName: 'crystal' };
    const calls: (() => Promise<unknown>)[] = [
      () =>
        ctx.appmesh.send(new CreateVirtualNodeCommand({ ...node, virtualNodeName: 'x', spec: nodeSpec() })),
      () => ctx.appmesh.send(new UpdateVirtualNodeCommand({ ...node, spec: nodeSpec() })),
      () => ctx.appmesh.send(new DeleteVirtualNodeCommand(node)),
      () => ctx.appmesh.send(new ListVirtualNodesCommand({ meshName: 'private', meshOwner: OTHER_ACCOUNT })),
      () => ctx.appmesh.send(new ListTagsForResourceCommand({ resourceArn: arn })),
      () => ctx.appmesh.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'a', value: 'b' }] })),
      () => ctx.appmesh.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['a'] })),
    ];
    for (const call of calls) expect((await failureOf(call())).name).toBe('NotFoundException');
    const after = await owner.send(
      new DescribeVirtualNodeCommand({ meshName: 'private', virtualNodeName: 'crystal' }),
    );
    expect(after.virtualNode?.metadata?.version).toBe(1);
    expect(ctx.emulator.snapshot().appmesh.virtualNodes.map((n) => [n.virtualNodeName, n.tags])).toEqual([
      ['crystal', []],
    ]);
    owner.destroy();
  });

  test('GIVEN two accounts WHEN each creates a mesh of the same name THEN both exist, told apart by owner', async () => {
    const owner = ownerClient();
    await owner.send(new CreateMeshCommand({ meshName: MESH }));
    owner.destroy();
    await ctx.appmesh.send(new CreateMeshCommand({ meshName: MESH }));
    expect(
      ctx.emulator
        .snapshot()
        .appmesh.meshes.map((m) => m.metadata.meshOwner)
        .sort(),
    ).toEqual([OWN_ACCOUNT, OTHER_ACCOUNT]);
  });

  test('GIVEN a mesh shared and then unshared (RAM disassociation) WHEN the former consumer calls it, even for its own node THEN NotFoundException; the node stays, and only the owner sees it', async () => {
    const owner = ownerClient();
    await owner.send(new CreateMeshCommand({ meshName: 'revoked' }));
    ctx.emulator.shareMesh('revoked', OTHER_ACCOUNT);
    const mine = { meshName: 'revoked', meshOwner: OTHER_ACCOUNT, virtualNodeName: 'crystal' };
    const created = await ctx.appmesh.send(new CreateVirtualNodeCommand({ ...mine, spec: nodeSpec() }));
    // What the owner does in RAM (DisassociateResourceShare), through the control surface.
    const unshared = await fetch(new URL('/_emulator/unshare-mesh', ctx.emulator.url), {
      method: 'POST',
      body: JSON.stringify({ meshName: 'revoked', meshOwner: OTHER_ACCOUNT }),
    });
    expect(unshared.status).toBe(200);
    const calls: (() => Promise<unknown>)[] = [
      () => ctx.appmesh.send(new DescribeMeshCommand({ meshName: 'revoked', meshOwner: OTHER_ACCOUNT })),
      () => ctx.appmesh.send(new DescribeVirtualNodeCommand(mine)),
      () => ctx.appmesh.send(new ListVirtualNodesCommand({ meshName: 'revoked', meshOwner: OTHER_ACCOUNT })),
      () => ctx.appmesh.send(new DeleteVirtualNodeCommand(mine)),
      () =>
        ctx.appmesh.send(
          new TagResourceCommand({
            resourceArn: created.virtualNode!.metadata!.arn!,
            tags: [{ key: 'a', value: 'b' }],
          }),
        ),
    ];
    for (const call of calls) expect((await failureOf(call())).name).toBe('NotFoundException');
    expect((await ctx.appmesh.send(new ListMeshesCommand({}))).meshes).toEqual([]);
    const seenByOwner = await owner.send(new ListVirtualNodesCommand({ meshName: 'revoked' }));
    expect(seenByOwner.virtualNodes?.map((n) => [n.virtualNodeName, n.resourceOwner])).toEqual([
      ['crystal', OWN_ACCOUNT],
    ]);
    expect(ctx.emulator.snapshot().appmesh.shares).toEqual([]);
    owner.destroy();
  });

  test('GIVEN emulator.shareMesh THEN the mesh becomes usable by the other account', async () => {
    const owner = ownerClient();
    await owner.send(new CreateMeshCommand({ meshName: 'later' }));
    owner.destroy();
    ctx.emulator.shareMesh('later', OTHER_ACCOUNT);
    const described = await ctx.appmesh.send(
      new DescribeMeshCommand({ meshName: 'later', meshOwner: OTHER_ACCOUNT }),
    );
    expect(described.mesh?.meshName).toBe('later');
    expect(ctx.emulator.snapshot().appmesh.shares).toEqual([
      { meshArn: `arn:aws:appmesh:us-east-1:${OTHER_ACCOUNT}:mesh/later`, accountIds: [OWN_ACCOUNT] },
    ]);
  });
});
