/**
 * A brand-new CDK app in TypeScript that installs the packed tarball (npm pack) as a user would, type-checks against
 * the declarations it ships and synthesizes a stack with the exported MeshServiceProvider construct, MeshServices
 * written with the CDK idioms (enums, Durations, HealthCheck.http, an ecs.ITaskDefinition, a MeshService backend,
 * Tags.of) and an L2 FargateService running the patched revision; a task definition given as a string without the
 * patching grant shows as a synth-time warning.
 *
 * Two apps, each in its own folder with its own install:
 * - with the repository's aws-cdk-lib and constructs (linked into the app's node_modules: nothing is downloaded);
 * - with the lowest aws-cdk-lib and constructs the package's peerDependencies allow (PEER_FLOOR), from the npm
 *   registry (`--prefer-offline`: the npm cache serves them after the first run).
 * One tsc program type-checks and compiles both (each app.ts resolves the packages of its own folder): most of a tsc
 * run is its start and the declarations every program reads (TypeScript's lib, @types/node), which two runs paid
 * twice; each test asserts that the program found nothing in its own app.
 * Needs the build (dist/lib, dist/lambda), as `npm test` makes it before Jest.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { HOST_NODE } from '../support/host-node';

const ROOT = path.join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  files: string[];
  peerDependencies: Record<string, string>;
};
/** The lowest versions the peerDependencies allow (their `^x.y.z`). */
const PEER_FLOOR = Object.fromEntries(
  Object.entries(pkg.peerDependencies).map(([name, range]) => [name, range.replace(/^[\^~>=]+/, '')]),
);

const APP = `import { App, Duration, Stack, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { HealthCheck, LogLevel, MeshService, MeshServiceProvider, Protocol } from 'mesh-service-provider';

const app = new App();
const stack = new Stack(app, 'Consumer');
const provider = new MeshServiceProvider(stack, 'MeshProvider', { allowedTaskFamilies: ['ci-*'] });
const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 1 });
const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
// The roles patched revisions pass to ECS live under the provider's passRoles (default mesh-service/*).
const taskRole = new iam.Role(stack, 'TaskRole', {
  assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
  path: '/mesh-service/',
});
const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { family: 'orders', taskRole });
taskDefinition.addContainer('app', {
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-containers/ecsdemo-nodejs:latest'),
  portMappings: [{ containerPort: 3000 }],
});
const crystal = new MeshService(stack, 'Crystal', {
  provider,
  meshName: 'ecs-mesh',
  serviceName: 'crystal',
  namespace: 'service.local',
  port: 3000,
});
const mesh = new MeshService(stack, 'Orders', {
  provider,
  meshName: 'ecs-mesh',
  serviceName: 'orders',
  namespace: 'service.local',
  port: 3000,
  protocol: Protocol.HTTP,
  healthCheck: HealthCheck.http({ path: '/health', interval: Duration.seconds(10) }),
  ecsTaskDefinition: taskDefinition, // granted by the construct, its roles checked at synth
  backendServices: [crystal],
  envoy: { logLevel: LogLevel.INFO },
});
Tags.of(stack).add('cost-center', '42');
const service = new ecs.FargateService(stack, 'Service', { cluster, taskDefinition });
mesh.runPatchedRevision(service);
// A task definition given as a string without the grant: a synth-time warning naming the fix.
const ungranted = new ecs.FargateTaskDefinition(stack, 'Ungranted', { family: 'reports', taskRole });
ungranted.addContainer('app', { image: ecs.ContainerImage.fromRegistry('nginx') });
new MeshService(stack, 'Reports', {
  serviceToken: provider.serviceToken, // by its token the provider's policy is unknown: a warning, not an error
  meshName: 'ecs-mesh',
  serviceName: 'reports',
  namespace: 'service.local',
  port: 8080,
  edge: true,
  taskDefinition: ungranted.taskDefinitionArn,
});
app.synth();
`;

function sh(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const error = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(' ')} failed in ${cwd}:\n${error.stdout ?? ''}\n${error.stderr ?? error.message}`,
    );
  }
}

let tarball: string;
beforeAll(() => {
  if (
    !existsSync(path.join(ROOT, 'dist', 'lib', 'infra', 'index.js')) ||
    !existsSync(path.join(ROOT, 'dist', 'lambda', 'index.js'))
  ) {
    throw new Error(
      'dist/lib and dist/lambda are missing: run `npm run build` (npm test builds before Jest)',
    );
  }
  const out = mkdtempSync(path.join(tmpdir(), 'pack-'));
  const name = sh('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', out], ROOT)
    .trim()
    .split('\n')
    .at(-1)!;
  tarball = path.join(out, name);
}, 120_000);

test('GIVEN the packed tarball THEN it holds the library, the bundle, the schemas, the docs, README, LICENSE and CHANGELOG, and no tests, emulator or scripts', () => {
  const files = sh('tar', ['-tzf', tarball], ROOT)
    .split('\n')
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ''));
  for (const expected of [
    'package.json',
    'README.md',
    'LICENSE',
    'CHANGELOG.md',
    'dist/lib/infra/index.js',
    'dist/lib/infra/index.d.ts',
    'dist/lib/infra/provider.js',
    'dist/lambda/index.js',
    // What the router (index.js) requires: each backend's file, and the reclaimer's.
    'dist/lambda/app-mesh.js',
    'dist/lambda/service-connect.js',
    'dist/lambda/vpc-lattice.js',
    'dist/lambda/reclaim.js',
    'bin/mesh-service.js',
    'schema/mesh-service.schema.json',
    'schema/mesh-service-template.schema.json',
    'docs/mesh-service.md',
    'cfn-lint-rules/mesh_service.py',
    'node_modules/yaml/package.json',
  ]) {
    expect(files).toContain(expected);
  }
  expect(files.filter((f) => /^(test|emulator|scripts|examples|infra|lambda|cli)\//.test(f))).toEqual([]);
  expect(files.filter((f) => /(^|\/)(app|app-builder|catalog-stack|platform-stack)\.js$/.test(f))).toEqual(
    [],
  );
  expect(files.filter((f) => f.endsWith('.test.ts') || f.endsWith('.suite.ts'))).toEqual([]);
});

/** The user's tsconfig.json, over both apps: no outDir, so each app.js is emitted beside its app.ts and resolves the
 *  packages of its own folder when it runs. */
const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'commonjs',
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    types: ['node'],
  },
};

/** Makes the app's folder: package.json, app.ts. */
function appFolder(dir: string): string {
  mkdirSync(dir);
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, version: '1.0.0' }),
  );
  writeFileSync(path.join(dir, 'app.ts'), APP);
  return dir;
}

const link = (dir: string, name: string) => {
  const target = path.join(dir, 'node_modules', name);
  mkdirSync(path.dirname(target), { recursive: true });
  symlinkSync(path.join(ROOT, 'node_modules', name), target, 'dir');
};

const install = (dir: string, args: string[]) =>
  sh(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-save', ...args],
    dir,
  );

/** Runs the app compiled beside its app.ts on the user's Node (HOST_NODE) and reads what it synthesized. */
function synthesize(dir: string) {
  const outdir = path.join(dir, 'cdk.out');
  execFileSync(HOST_NODE, ['app.js'], {
    cwd: dir,
    // CDK_VALIDATION=false: without the validateAgainstDefaultRules flag (a new app has none) CDK's built-in
    // CloudFormation validation only warns, so it can fail nothing here, and it was 5 of the 6 CPU-seconds of each
    // synth. The repository's stacks are validated with the flag on by the CDK suites' `cdk synth` (cdk.json).
    env: { ...process.env, CDK_OUTDIR: outdir, CDK_VALIDATION: 'false' },
    stdio: 'pipe',
  });
  const template = JSON.parse(readFileSync(path.join(outdir, 'Consumer.template.json'), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] }>;
  };
  // The stack's metadata: in the manifest, or (newer CDK) in the file it names.
  type Metadata = Record<string, { type: string; data: unknown }[]>;
  const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { metadata?: Metadata; additionalMetadataFile?: string }>;
  };
  const artifact = manifest.artifacts.Consumer ?? {};
  const metadata: Metadata = {
    ...artifact.metadata,
    ...(artifact.additionalMetadataFile
      ? (JSON.parse(readFileSync(path.join(outdir, artifact.additionalMetadataFile), 'utf8')) as Metadata)
      : {}),
  };
  // The MeshService warnings (aws-ecs has its own, about the FargateService).
  const warnings = Object.entries(metadata).flatMap(([construct, entries]) =>
    entries
      .filter((e) => e.type === 'aws:cdk:warning' && String(e.data).includes('MeshService'))
      .map((e) => `${construct}: ${String(e.data)}`),
  );
  return { template, outdir, warnings };
}

function expectWired({ template, outdir, warnings }: ReturnType<typeof synthesize>) {
  const resources = Object.entries(template.Resources);
  const [meshId, mesh] = resources.find(
    ([id, r]) => r.Type === 'Custom::MeshService' && id.startsWith('Orders'),
  )!;
  const [crystalId] = resources.find(
    ([id, r]) => r.Type === 'Custom::MeshService' && id.startsWith('Crystal'),
  )!;
  // In a user's stack the functions have generated names (two stages in one account and Region do not collide).
  const functions = resources.filter(([, r]) => r.Type === 'AWS::Lambda::Function');
  expect(functions.map(([, r]) => r.Properties.FunctionName).filter(Boolean)).toEqual([]);
  const framework = functions.find(([id]) => id.includes('framework'))!;
  expect(mesh.Properties.ServiceToken).toEqual({ 'Fn::GetAtt': [framework[0], 'Arn'] });
  // Enums and Durations become the contract's values; the MeshService backend its virtual service name.
  expect(mesh.Properties).toMatchObject({
    Protocol: 'http',
    HealthCheck: { Protocol: 'http', Path: '/health', IntervalMillis: 10000 },
    Envoy: { LogLevel: 'info' },
    Backends: [{ 'Fn::GetAtt': [crystalId, 'VirtualServiceName'] }],
    Tags: [{ Key: 'cost-center', Value: '42' }],
  });
  const [taskId, task] = resources.find(
    ([, r]) => r.Type === 'AWS::ECS::TaskDefinition' && r.Properties.Family === 'orders',
  )!;
  expect(mesh.Properties.TaskDefinition).toEqual({ Ref: taskId });
  // The construct granted the ITaskDefinition it was given (by stack id).
  expect(task.Properties.Tags).toEqual(
    expect.arrayContaining([{ Key: 'mesh-service:allowed-stacks', Value: { Ref: 'AWS::StackId' } }]),
  );
  const [, service] = resources.find(([, r]) => r.Type === 'AWS::ECS::Service')!;
  expect(service.Properties.TaskDefinition).toEqual({ 'Fn::GetAtt': [meshId, 'TaskDefinitionArn'] });
  expect(service.DependsOn).toContain(meshId);
  // The task definition given as a string, without the grant: a synth-time finding naming the fix.
  expect(warnings).toEqual([
    expect.stringMatching(
      /^\/Consumer\/Reports: MeshService Consumer\/Reports: taskDefinition: the task definition Consumer\/Ungranted has no patching grant .*call MeshService\.allowPatching\(taskDefinition\)/,
    ),
  ]);
  const handler = functions.find(([, r]) => r.Properties.Handler === 'index.handler')!;
  expect(handler[1].Properties.Environment).toEqual({
    Variables: expect.objectContaining({
      MESH_SERVICE_PASS_ROLES: 'mesh-service/*',
      MESH_SERVICE_TASK_FAMILIES: 'ci-*',
    }),
  });
  // The handler asset is the bundle inside the installed package.
  const assets = readdirSync(outdir).filter((f) => f.startsWith('asset.'));
  const bundle = readFileSync(path.join(ROOT, 'dist', 'lambda', 'index.js'));
  expect(
    assets.some(
      (a) =>
        existsSync(path.join(outdir, a, 'index.js')) &&
        readFileSync(path.join(outdir, a, 'index.js')).equals(bundle),
    ),
  ).toBe(true);
}

/** The two apps' folders under one root (its tsconfig.json), installed; what went wrong in each install. */
const apps = { repository: '', floor: '' };
const installFailed: Partial<Record<keyof typeof apps, Error>> = {};
/** The diagnostics of the one tsc program, one entry per diagnostic (its continuation lines with it). */
let diagnostics: string[] = [];
beforeAll(() => {
  const root = mkdtempSync(path.join(tmpdir(), 'consumer-'));
  apps.repository = appFolder(path.join(root, 'repository'));
  apps.floor = appFolder(path.join(root, 'floor'));
  try {
    install(apps.repository, ['--omit=peer', tarball]);
    // After the install (npm removes what its package.json does not list).
    for (const name of ['aws-cdk-lib', 'constructs', '@types/node']) link(apps.repository, name);
  } catch (e) {
    installFailed.repository = e as Error;
  }
  try {
    install(apps.floor, [
      tarball,
      `aws-cdk-lib@${PEER_FLOOR['aws-cdk-lib']}`,
      `constructs@${PEER_FLOOR.constructs}`,
    ]);
    link(apps.floor, '@types/node');
  } catch (e) {
    installFailed.floor = e as Error;
  }
  const files = (Object.keys(apps) as (keyof typeof apps)[])
    .filter((name) => !installFailed[name])
    .map((name) => `${name}/app.ts`);
  writeFileSync(path.join(root, 'tsconfig.json'), JSON.stringify({ ...TSCONFIG, files }));
  // `types: ['node']` is looked up from the tsconfig's folder.
  link(root, '@types/node');
  // The repository's TypeScript, on its own Node: what the compiler finds does not depend on the Node it runs on
  // (the apps run on the user's). It emits despite errors, so each app's test reports its own.
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    const error = e as { stdout?: string; stderr?: string; message: string };
    const output = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim();
    diagnostics = output ? output.split(/\n(?=\S)/) : [`tsc failed without output: ${error.message}`];
  }
}, 480_000);

/** The app's install error, then every diagnostic that is not in the other app's folder (a problem in both, or in
 *  the program as a whole, shows in both tests). */
function typeChecked(name: keyof typeof apps): string {
  if (installFailed[name]) throw installFailed[name];
  const other = name === 'repository' ? 'floor' : 'repository';
  expect(diagnostics.filter((d) => !d.startsWith(`${other}/`))).toEqual([]);
  return apps[name];
}

test('GIVEN a new TypeScript CDK app WHEN it installs the tarball (with the repository aws-cdk-lib) THEN it type-checks and synthesizes the provider, MeshServices with enums, Durations, an ITaskDefinition (granted by the construct), a MeshService backend and Tags.of, an L2 service on the patched revision, and a synth-time warning for a missing grant', () => {
  expectWired(synthesize(typeChecked('repository')));
}, 60_000);

test(`GIVEN a new TypeScript CDK app WHEN it installs the tarball with the lowest peer versions (aws-cdk-lib ${PEER_FLOOR['aws-cdk-lib']}, constructs ${PEER_FLOOR.constructs}) THEN it synthesizes too`, () => {
  const dir = typeChecked('floor');
  const installed = JSON.parse(
    readFileSync(path.join(dir, 'node_modules', 'aws-cdk-lib', 'package.json'), 'utf8'),
  );
  expect(installed.version).toBe(PEER_FLOOR['aws-cdk-lib']);
  expectWired(synthesize(dir));
}, 60_000);
