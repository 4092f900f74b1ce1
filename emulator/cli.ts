/**
 * `npm run emulator -- [--port 4566] [--host 127.0.0.1] [--region us-east-1] [--account-id 111122223333]
 *                      [--seed] [--throttle ecs,appmesh]`
 * Runs the emulator in the foreground and prints the environment (KEY=value lines on stdout, ready for `export`) that
 * points the AWS SDKs and the AWS CLI at it. Diagnostics go to stderr. Stop with Ctrl-C.
 */
import { parseArgs } from 'node:util';
import { seedPlatform, startEmulator } from './index';
import type { ThrottlePreset } from './types';

const USAGE =
  'usage: npm run emulator -- [--port 4566] [--host 127.0.0.1] [--region us-east-1] [--account-id 111122223333] ' +
  '[--seed] [--throttle ecs,appmesh]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4566' },
      host: { type: 'string', default: '127.0.0.1' },
      region: { type: 'string' },
      'account-id': { type: 'string' },
      seed: { type: 'boolean', default: false },
      throttle: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.error(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0-65535, got ${values.port}`);
  const presets = (values.throttle ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const preset of presets) {
    if (preset !== 'ecs' && preset !== 'appmesh')
      throw new Error(`--throttle accepts ecs and appmesh, got '${preset}'`);
  }

  const emulator = await startEmulator({
    port,
    host: values.host,
    region: values.region,
    accountId: values['account-id'],
  });
  for (const preset of presets) emulator.faults.throttlePreset(preset as ThrottlePreset);
  if (values.seed) {
    const platform = await seedPlatform(emulator);
    console.error(`[emulator] seeded MeshArn=${platform.meshArn}`);
    console.error(`[emulator] seeded MeshVGWArn=${platform.gatewayArn}`);
  }
  for (const [key, value] of Object.entries(emulator.env())) console.log(`${key}=${value}`);
  // AWS CLI v1 reads only AWS_DEFAULT_REGION.
  console.log(`AWS_DEFAULT_REGION=${emulator.region}`);
  console.error(
    `[emulator] App Mesh, ECS and CloudFormation (read) listening on ${emulator.url} (control: ${emulator.url}/_emulator/snapshot)`,
  );

  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`[emulator] ${error instanceof Error ? error.message : String(error)}`);
  console.error(USAGE);
  process.exit(2);
});
