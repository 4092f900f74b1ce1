/** `npm run demo` is the main job offline: it must keep working (it runs the built bundle, so `npm test` builds first). */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

test('GIVEN the built bundle WHEN the demo plays the workshop THEN it creates, canaries and deletes, and leaves the emulator empty', () => {
  const root = path.join(__dirname, '..', '..');
  const r = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/demo.ts'],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  for (const line of [
    /▶ Create Crystal \(ecsdemo-crystal\)/,
    /task definition +ecsdemo-frontend:1 → ecsdemo-frontend:2 \(patched\)/,
    /\+ container envoy: .*aws-appmesh-envoy:v\d/,
    /route weights +ecsdemo-frontend 90 \/ ecsdemo-frontend-v2 10/,
    /route weights +ecsdemo-frontend 50 \/ ecsdemo-frontend-v2 50/,
    /Emulator after delete: 0 App Mesh resources, 0 ACTIVE task definitions/,
  ]) {
    expect(r.stdout).toMatch(line);
  }
}, 150_000);

test('GIVEN the built bundle WHEN the demo plays the workshop on Service Connect THEN the frontend canary is an ECS rollout its ECS service takes, and the emulator is left empty', () => {
  const root = path.join(__dirname, '..', '..');
  const r = spawnSync(
    process.execPath,
    [
      path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      'scripts/demo.ts',
      '--backend',
      'service-connect',
    ],
    { cwd: root, encoding: 'utf8', timeout: 120_000 },
  );
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  for (const line of [
    /▶ Update Frontend: canary 90\/10/,
    /rollout +CANARY 10% to v2, bake 10 min/,
    /ECS service runs +ecsdemo-frontend-v2:\d+ \(v2, prepared/,
    /▶ ECS service FrontendService updated: a CANARY deployment shifts 10%/,
    /rollout +CANARY 20% to v2/,
    /Emulator after delete: 0 ACTIVE task definitions/,
  ]) {
    expect(r.stdout).toMatch(line);
  }
}, 150_000);
