/**
 * The workshop platform (ECS workshop, App Mesh chapter): mesh `ecs-mesh` and virtual gateway `ecsworkshop-vgw`
 * with an HTTP listener on 3000, created THROUGH THE NORMAL API with the real SDK client, as the platform stack
 * would. With `meshOwner` set to another account, the mesh and gateway are created as that account and the mesh is
 * shared with the caller's account (the emulator's stand-in for AWS RAM), so shared-mesh calls can be tested.
 */
import {
  AppMeshClient,
  ConflictException,
  CreateMeshCommand,
  CreateVirtualGatewayCommand,
  DescribeMeshCommand,
  DescribeVirtualGatewayCommand,
} from '@aws-sdk/client-app-mesh';
import { accountOfAccessKey, credentialsFor } from './accounts';
import type { Emulator } from './types';

export interface SeedOptions {
  readonly meshName?: string;
  readonly gatewayName?: string;
  readonly port?: number;
  /** Create the mesh as this account and share it with the caller's. Default: the caller's own account. */
  readonly meshOwner?: string;
}

export interface SeededPlatform {
  readonly meshArn: string;
  readonly gatewayArn: string;
}

/** Creates the resource, or describes it when it already exists (seeding twice is harmless). */
async function createOrDescribe<T>(create: () => Promise<T>, describe: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (error) {
    if (error instanceof ConflictException) return describe();
    throw error;
  }
}

export async function seedPlatform(
  emulatorOrEnv: Emulator | Readonly<Record<string, string>>,
  opts: SeedOptions = {},
): Promise<SeededPlatform> {
  const env: Readonly<Record<string, string | undefined>> =
    typeof emulatorOrEnv.env === 'function'
      ? (emulatorOrEnv as Emulator).env()
      : (emulatorOrEnv as Record<string, string>);
  const endpoint = env.AWS_ENDPOINT_URL_APP_MESH;
  const region = env.AWS_REGION;
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!endpoint || !region || !accessKeyId || !secretAccessKey) {
    throw new Error(
      'seedPlatform needs AWS_ENDPOINT_URL_APP_MESH, AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
  }
  const meshName = opts.meshName ?? 'ecs-mesh';
  const virtualGatewayName = opts.gatewayName ?? 'ecsworkshop-vgw';
  const port = opts.port ?? 3000;
  const caller = accountOfAccessKey(accessKeyId);
  const foreignOwner = opts.meshOwner !== undefined && opts.meshOwner !== caller ? opts.meshOwner : undefined;

  const client = new AppMeshClient({
    region,
    endpoint,
    credentials: foreignOwner ? credentialsFor(foreignOwner) : { accessKeyId, secretAccessKey },
  });
  try {
    const mesh = await createOrDescribe(
      () => client.send(new CreateMeshCommand({ meshName })),
      () => client.send(new DescribeMeshCommand({ meshName })),
    );
    if (foreignOwner) {
      const shared = await fetch(new URL('/_emulator/share-mesh', endpoint), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ meshName, meshOwner: foreignOwner, accountId: caller }),
      });
      if (!shared.ok)
        throw new Error(
          `seedPlatform: sharing mesh ${meshName} failed: HTTP ${shared.status} ${await shared.text()}`,
        );
    }
    const gateway = await createOrDescribe(
      () =>
        client.send(
          new CreateVirtualGatewayCommand({
            meshName,
            meshOwner: foreignOwner,
            virtualGatewayName,
            spec: { listeners: [{ portMapping: { port, protocol: 'http' } }] },
          }),
        ),
      () =>
        client.send(
          new DescribeVirtualGatewayCommand({ meshName, meshOwner: foreignOwner, virtualGatewayName }),
        ),
    );
    const meshArn = mesh.mesh?.metadata?.arn;
    const gatewayArn = gateway.virtualGateway?.metadata?.arn;
    if (!meshArn || !gatewayArn) throw new Error('seedPlatform: App Mesh returned no ARN');
    return { meshArn, gatewayArn };
  } finally {
    client.destroy();
  }
}
