/** The emulator's own API: options, env(), snapshot/reset, seedPlatform and the CLI. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  AppMeshClient,
  CreateVirtualNodeCommand,
  DeleteMeshCommand,
  DeleteVirtualGatewayCommand,
  DeleteVirtualNodeCommand,
  DescribeVirtualGatewayCommand,
  ListMeshesCommand,
} from '@aws-sdk/client-app-mesh';
import { ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { seedPlatform, startEmulator } from '../../emulator';
import { MESH, nodeSpec, simpleTaskDefinition } from './fixtures';
import { failureOf, useEmulator } from './helpers';

const ctx = useEmulator();

describe('env()', () => {
  test('GIVEN the emulator THEN env() has the endpoint, dummy credential and region variables', () => {
    expect(ctx.emulator.env()).toEqual({
      AWS_ENDPOINT_URL_APP_MESH: ctx.emulator.url,
      AWS_ENDPOINT_URL_ECS: ctx.emulator.url,
      AWS_ENDPOINT_URL_CLOUDFORMATION: ctx.emulator.url,
      AWS_ENDPOINT_URL_SERVICEDISCOVERY: ctx.emulator.url,
      AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API: ctx.emulator.url,
      AWS_ENDPOINT_URL_VPC_LATTICE: ctx.emulator.url,
      AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: ctx.emulator.url,
      AWS_ACCESS_KEY_ID: 'EMULATOR111122223333',
      AWS_SECRET_ACCESS_KEY: expect.any(String),
      AWS_REGION: 'us-east-1',
    });
    expect(ctx.emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe('options', () => {
  test('GIVEN region and accountId options THEN ARNs use them', async () => {
    const other = await startEmulator({ region: 'eu-west-1', accountId: '123456789012' });
    const env = other.env();
    const credentials = {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
    };
    const ecs = new ECSClient({ region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL_ECS, credentials });
    try {
      const { meshArn } = await seedPlatform(other);
      expect(meshArn).toBe('arn:aws:appmesh:eu-west-1:123456789012:mesh/ecs-mesh');
      const td = await ecs.send(new RegisterTaskDefinitionCommand(simpleTaskDefinition()));
      expect(td.taskDefinition?.taskDefinitionArn).toBe(
        'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:1',
      );
    } finally {
      ecs.destroy();
      await other.close();
    }
  });

  test('GIVEN an accountId that is not 12 digits THEN startEmulator refuses it', async () => {
    await expect(startEmulator({ accountId: '42' })).rejects.toThrow('12 digits');
  });
});

describe('seedPlatform', () => {
  test('GIVEN an empty emulator WHEN seeded THEN mesh ecs-mesh and gateway ecsworkshop-vgw (HTTP 3000) exist, made through the API', async () => {
    const platform = await seedPlatform(ctx.emulator);
    expect(platform).toEqual({
      meshArn: 'arn:aws:appmesh:us-east-1:111122223333:mesh/ecs-mesh',
      gatewayArn: 'arn:aws:appmesh:us-east-1:111122223333:mesh/ecs-mesh/virtualGateway/ecsworkshop-vgw',
    });
    expect(ctx.emulator.requests.map((r) => r.operation)).toEqual(['CreateMesh', 'CreateVirtualGateway']);
    const gateway = await ctx.appmesh.send(
      new DescribeVirtualGatewayCommand({ meshName: MESH, virtualGatewayName: 'ecsworkshop-vgw' }),
    );
    expect(gateway.virtualGateway?.spec?.listeners).toEqual([
      { portMapping: { port: 3000, protocol: 'http' } },
    ]);
  });

  test('GIVEN a seeded emulator WHEN seeded again (by env) THEN the same ARNs come back and nothing is duplicated', async () => {
    const first = await seedPlatform(ctx.emulator, { meshName: 'custom', gatewayName: 'gw', port: 8080 });
    const second = await seedPlatform(ctx.emulator.env(), {
      meshName: 'custom',
      gatewayName: 'gw',
      port: 8080,
    });
    expect(second).toEqual(first);
    expect(ctx.emulator.snapshot().appmesh.virtualGateways).toHaveLength(1);
  });
});

describe('snapshot and reset', () => {
  test('GIVEN resources in both services THEN the snapshot is plain JSON with App Mesh resources (with tags) and task definitions (with status and tags)', async () => {
    await seedPlatform(ctx.emulator);
    await ctx.appmesh.send(
      new CreateVirtualNodeCommand({
        meshName: MESH,
        virtualNodeName: 'crystal',
        spec: nodeSpec(),
        tags: [{ key: 'a', value: 'b' }],
      }),
    );
    await ctx.ecs.send(
      new RegisterTaskDefinitionCommand({ ...simpleTaskDefinition(), tags: [{ key: 'c', value: 'd' }] }),
    );
    const snapshot = ctx.emulator.snapshot();
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
    expect(snapshot.appmesh.virtualNodes[0]).toMatchObject({
      meshName: MESH,
      virtualNodeName: 'crystal',
      status: { status: 'ACTIVE' },
      tags: [{ key: 'a', value: 'b' }],
    });
    expect(snapshot.ecs.taskDefinitions[0]).toMatchObject({
      family: 'web',
      revision: 1,
      status: 'ACTIVE',
      tags: [{ key: 'c', value: 'd' }],
    });
    expect(typeof snapshot.appmesh.meshes[0]?.metadata.createdAt).toBe('number');
  });

  test('GIVEN everything deleted THEN the snapshot shows nothing left behind', async () => {
    await seedPlatform(ctx.emulator);
    await ctx.appmesh.send(
      new DeleteVirtualGatewayCommand({ meshName: MESH, virtualGatewayName: 'ecsworkshop-vgw' }),
    );
    await ctx.appmesh.send(new DeleteMeshCommand({ meshName: MESH }));
    const { appmesh, ecs } = ctx.emulator.snapshot();
    expect([...Object.values(appmesh).flat(), ...ecs.taskDefinitions]).toEqual([]);
  });

  test('GIVEN state, faults and a log WHEN reset THEN all are wiped', async () => {
    await seedPlatform(ctx.emulator);
    ctx.emulator.faults.failNth('ListMeshes', 1);
    ctx.emulator.reset();
    expect(ctx.emulator.requests).toEqual([]);
    expect((await ctx.appmesh.send(new ListMeshesCommand({}))).meshes).toEqual([]);
    const client = new AppMeshClient({ maxAttempts: 1 });
    expect(
      (await failureOf(client.send(new DeleteVirtualNodeCommand({ meshName: MESH, virtualNodeName: 'x' }))))
        .name,
    ).toBe('NotFoundException');
    client.destroy();
  });
});

describe('CLI', () => {
  test('GIVEN npm run emulator WHEN started with --port 0 --seed THEN it prints the env lines and serves the SDK', async () => {
    const tsx = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
    const child = spawn(
      tsx,
      [join(__dirname, '..', '..', 'emulator', 'cli.ts'), '--port', '0', '--seed', '--throttle', 'ecs'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      const lines = await new Promise<string[]>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(
          () => reject(new Error(`CLI printed no env lines; stdout so far: ${out}`)),
          30_000,
        );
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (/^AWS_DEFAULT_REGION=.*$/m.test(out)) {
            clearTimeout(timer);
            resolve(out.trim().split('\n'));
          }
        });
        child.once('exit', (code) => reject(new Error(`CLI exited with ${code}`)));
      });
      const env = Object.fromEntries(lines.map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]));
      expect(Object.keys(env)).toEqual([
        'AWS_ENDPOINT_URL_APP_MESH',
        'AWS_ENDPOINT_URL_ECS',
        'AWS_ENDPOINT_URL_CLOUDFORMATION',
        'AWS_ENDPOINT_URL_SERVICEDISCOVERY',
        'AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API',
        'AWS_ENDPOINT_URL_VPC_LATTICE',
        'AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2',
        'AWS_ACCESS_KEY_ID',
        'AWS_SECRET_ACCESS_KEY',
        'AWS_REGION',
        'AWS_DEFAULT_REGION',
      ]);
      const client = new AppMeshClient({
        region: env.AWS_REGION,
        endpoint: env.AWS_ENDPOINT_URL_APP_MESH,
        credentials: {
          accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
        },
      });
      const meshes = await client.send(new ListMeshesCommand({}));
      client.destroy();
      expect(meshes.meshes?.map((m) => m.meshName)).toEqual(['ecs-mesh']);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
