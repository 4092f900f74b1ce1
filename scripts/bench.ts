/**
 * `npm run bench` — measurements, printed as figures (never asserted: machines are shared and noisy).
 *
 *  1. the Lambda bundle: what each request path loads (index.js and its backend's file) and the reclaimer, size and
 *     the cost of loading it in a fresh Node.js process (the cold start it adds), against a floor of just the App
 *     Mesh and ECS clients and an SDK floor of every client and command the App Mesh path contains (what the
 *     provider's own code adds);
 *  2. Create wall time against the number of resources, with latency injected on every call: it should follow the
 *     dependency depth (3 App Mesh levels), not the number of calls;
 *  3. throttled throughput: 60 concurrent patches against the ECS preset (bound: (60 - 20 burst) / 1 per s = 40 s)
 *     and 50 concurrent creates against the App Mesh preset (100 mutating calls at 8 per s, burst 8: about 11.5 s);
 *  4. the waves of Create, no-op Update, canary Update and Delete against their dependency-depth bounds
 *     (scripts/bench-waves.ts);
 *  5. scale: the same requests and sweeps in an empty mesh and in one of 1,000 services and 500 families, and the
 *     cost of `mesh-service cleanup` of one stack (scripts/bench-scale.ts);
 *  6. the Service Connect backend's waves: Create, in-place Update, Delete (scripts/bench-scale.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { type Emulator, seedPlatform, startEmulator } from '../emulator';
import { beginRequest } from '../emulator/cloudformation/requests';
import { createHandler } from '../lambda/index';
import { createLogger } from '../lambda/log';
import {
  printScaleFigures,
  printServiceConnectFigures,
  scaleFigures,
  serviceConnectFigures,
} from './bench-scale';
import { printWaveFigures, waveFigures } from './bench-waves';
// @ts-expect-error: a plain ES module of build settings, shared with scripts/bundle-lambda.mjs
import { LAMBDA_BUILD_OPTIONS, LAMBDA_ENTRY_POINTS } from './lambda-build-options.mjs';

const root = path.join(__dirname, '..');
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const quiet = createLogger({}, () => {});
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Each group's median time to load in a fresh Node.js process (require, compile and top-level code of its files, in
 * order: a request path requires index.js, then the router its backend's file). The groups take turns, run by run,
 * so that a slower minute of the shared machine weighs on all of them alike.
 */
function loadTimesMs(groups: readonly (readonly string[])[], runs = 21): number[] {
  const once = (files: readonly string[]) =>
    Number(
      execFileSync(
        process.execPath,
        [
          '-e',
          `const t=process.hrtime.bigint();for(const f of ${JSON.stringify(files)})require(f);console.log(Number(process.hrtime.bigint()-t)/1e6)`,
        ],
        { encoding: 'utf8' },
      ).trim(),
    );
  const samples = groups.map((): number[] => []);
  for (let i = 0; i < runs; i++) {
    for (const [g, files] of groups.entries()) samples[g]!.push(once(files));
  }
  return samples.map(median);
}

/**
 * The SDK's part of the handler: every client and command the built handler contains (from esbuild's metafile), and
 * nothing of the provider's own code.
 */
function sdkFloorSource(metafile: Metafile): string {
  const byClient = new Map<string, Set<string>>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const m =
        /[\\/](@aws-sdk[\\/]client-[a-z0-9-]+)[\\/]dist-es[\\/](?:commands[\\/])?(\w+(?:Client|Command))\.js$/.exec(
          input,
        );
      if (!m || bytesInOutput === 0) continue;
      const pkg = m[1]!.replaceAll('\\', '/');
      byClient.set(pkg, (byClient.get(pkg) ?? new Set()).add(m[2]!));
    }
  }
  let n = 0;
  return [...byClient]
    .map(
      ([pkg, names]) => `export { ${[...names].map((x) => `${x} as s${n++}`).join(', ')} } from '${pkg}';\n`,
    )
    .join('');
}

async function bundleFigures(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-bundle-'));
  const bundle = async (entry: string, name: string) => {
    const outfile = path.join(dir, `${name}.js`);
    const { metafile } = await build({
      ...LAMBDA_BUILD_OPTIONS,
      entryPoints: [entry],
      outfile,
      nodePaths: [path.join(root, 'node_modules')],
      logLevel: 'silent',
      metafile: true,
    } as BuildOptions);
    return { outfile, metafile: metafile! };
  };
  // The files as scripts/bundle-lambda.mjs ships them.
  const shipped = path.join(dir, 'shipped');
  const { metafile } = await build({
    ...LAMBDA_BUILD_OPTIONS,
    entryPoints: Object.fromEntries(
      Object.entries(LAMBDA_ENTRY_POINTS as Record<string, string>).map(([name, entry]) => [
        name,
        path.join(root, entry),
      ]),
    ),
    outdir: shipped,
    nodePaths: [path.join(root, 'node_modules')],
    logLevel: 'silent',
    metafile: true,
  } as BuildOptions);
  const file = (name: string) => path.join(shipped, name);
  const index = file('index.js');
  // The floor: nothing but the two SDK clients the provider cannot do without, built the same way.
  const floorEntry = path.join(dir, 'floor.ts');
  writeFileSync(
    floorEntry,
    "export { AppMeshClient } from '@aws-sdk/client-app-mesh';\nexport { ECSClient } from '@aws-sdk/client-ecs';\n",
  );
  // The SDK floor: what of the SDK the App Mesh path cannot do without (its clients and the commands it calls).
  const sdkFloorEntry = path.join(dir, 'sdk-floor.ts');
  const appMeshOutput = Object.entries(metafile!.outputs).find(([out]) => out.endsWith('app-mesh.js'))!;
  const sdkFloor = sdkFloorSource({ inputs: {}, outputs: { [appMeshOutput[0]]: appMeshOutput[1] } });
  writeFileSync(sdkFloorEntry, sdkFloor);
  const commands = (sdkFloor.match(/Command as/g) ?? []).length;
  const clients = (sdkFloor.match(/Client as/g) ?? []).length;
  const variants: [string, string[]][] = [
    ['App Mesh: index.js + app-mesh.js', [index, file('app-mesh.js')]],
    ['Service Connect: + service-connect.js', [index, file('service-connect.js')]],
    ['VPC Lattice: + vpc-lattice.js', [index, file('vpc-lattice.js')]],
    ['the reclaimer: reclaim.js', [file('reclaim.js')]],
    ['floor: App Mesh + ECS clients', [(await bundle(floorEntry, 'floor')).outfile]],
    [
      `SDK floor: ${clients} clients, ${commands} commands`,
      [(await bundle(sdkFloorEntry, 'sdk-floor')).outfile],
    ],
  ];
  console.log(
    '\n1. Lambda bundle (esbuild, minified, node24, as scripts/bundle-lambda.mjs builds it): what each request path loads',
  );
  const loads = loadTimesMs(variants.map(([, files]) => files));
  variants.forEach(([label, files], i) => {
    const kib = files.reduce((total, f) => total + statSync(f).size, 0) / 1024;
    console.log(
      `   ${label.padEnd(38)} ${kib.toFixed(1).padStart(6)} KiB   load ${loads[i]!.toFixed(1)} ms (median of 21 fresh processes)`,
    );
  });
  const [appMesh, , , , floor, sdk] = loads as number[];
  console.log(`   load time, App Mesh path / floor:      ${(appMesh! / floor!).toFixed(2)} × (target 1.1)`);
  console.log(
    `   load time, SDK floor / floor:          ${(sdk! / floor!).toFixed(2)} × (the SDK the path calls)`,
  );
  console.log(
    `   load time, App Mesh path / SDK floor:  ${(appMesh! / sdk!).toFixed(2)} × (the provider's own code)`,
  );
}

function context(accountId: string): Context {
  return {
    invokedFunctionArn: `arn:aws:lambda:us-east-1:${accountId}:function:MeshServiceProvider-Handler`,
    getRemainingTimeInMillis: () => 600_000,
  } as unknown as Context;
}

const STACK_ID =
  'arn:aws:cloudformation:us-east-1:111122223333:stack/bench/0b0b0b0b-0000-4000-8000-000000000001';

/** Invokes a handler as CloudFormation would: the stack and resource in progress meanwhile (the provider checks). */
async function invoke(
  emulator: Emulator,
  handler: ReturnType<typeof createHandler>,
  e: CloudFormationCustomResourceEvent,
): Promise<void> {
  const inProgress = beginRequest(emulator.cloudformation, e);
  try {
    const result = await handler(e, context(emulator.accountId));
    inProgress.end({ physicalResourceId: result.PhysicalResourceId });
  } catch (error) {
    inProgress.end({ failed: (error as Error).message });
    throw error;
  }
}

const event = (props: Record<string, unknown>, logicalId = 'Svc'): CloudFormationCustomResourceEvent =>
  ({
    RequestType: 'Create',
    ServiceToken: 'x',
    ResponseURL: 'https://example.invalid',
    StackId: STACK_ID,
    RequestId: `${Math.random()}`,
    LogicalResourceId: logicalId,
    ResourceType: 'Custom::MeshService',
    ResourceProperties: { ServiceToken: 'x', ...props },
  }) as CloudFormationCustomResourceEvent;

async function depthFigures(): Promise<void> {
  const emulator = await startEmulator();
  Object.assign(process.env, emulator.env());
  await seedPlatform(emulator);
  const latency = 100;
  console.log(
    `\n2. Create wall time with ${latency} ms injected on every App Mesh and ECS call (3 App Mesh levels)`,
  );
  for (const versions of [1, 2, 5, 10]) {
    emulator.faults.clear();
    const props = {
      MeshName: 'ecs-mesh',
      ServiceName: `depth-${versions}`,
      Namespace: 'service.local',
      Port: 3000,
      Gateway: { VirtualGatewayName: 'ecsworkshop-vgw' },
      Routes: [{ Name: 'main' }, { Name: 'api', Match: { Prefix: '/api/' } }],
      Versions: Array.from({ length: versions }, (_, i) => ({
        Name: `v${i}`,
        DiscoveryAttributes: { version: `v${i}` },
        Weight: 10,
      })),
    };
    emulator.faults.latency('*', latency);
    emulator.clearRequests();
    const handler = createHandler({ log: quiet });
    const started = performance.now();
    await invoke(emulator, handler, event(props));
    const ms = performance.now() - started;
    const mutating = emulator.requests.filter((r) =>
      /^(Create|Update|Delete|Tag|Untag|Register)/.test(r.operation),
    ).length;
    const all = emulator.requests.length;
    console.log(
      `   ${String(versions).padStart(2)} versions: ${String(all).padStart(3)} calls (${mutating} mutating)  ${ms.toFixed(0).padStart(5)} ms  = ${(ms / latency).toFixed(1)} × latency (sequential would be ${all} ×)`,
    );
  }
  await emulator.close();
}

async function throttleFigures(): Promise<void> {
  const emulator = await startEmulator();
  Object.assign(process.env, emulator.env());
  await seedPlatform(emulator);
  const ecs = new ECSClient({});
  const arns: string[] = [];
  for (let i = 0; i < 60; i++) {
    const out = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `bench-${i}`,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        taskRoleArn: 'arn:aws:iam::111122223333:role/mesh-service/task',
        executionRoleArn: 'arn:aws:iam::111122223333:role/mesh-service/execution',
        tags: [{ key: 'mesh-service:allowed-stacks', value: STACK_ID }],
        containerDefinitions: [
          { name: 'app', image: 'nginx', essential: true, portMappings: [{ containerPort: 3000 }] },
        ],
      }),
    );
    arns.push(out.taskDefinition!.taskDefinitionArn!);
  }
  console.log('\n3. Throttled throughput (every resource its own Lambda execution environment)');
  emulator.faults.throttlePreset('ecs');
  emulator.clearRequests();
  let started = performance.now();
  await Promise.all(
    arns.map((td, i) =>
      invoke(
        emulator,
        createHandler({ log: quiet }),
        event(
          {
            MeshName: 'ecs-mesh',
            ServiceName: `bench-${i}`,
            Namespace: 'service.local',
            Port: 3000,
            TaskDefinition: td,
          },
          `B${i}`,
        ),
      ),
    ),
  );
  let s = (performance.now() - started) / 1000;
  const throttled = emulator.requests.filter((r) => r.error === 'ThrottlingException').length;
  console.log(
    `   60 patches, ECS preset:        ${s.toFixed(1)} s (bucket bound 40.0 s, +${((s / 40 - 1) * 100).toFixed(0)}%), ${throttled} throttled calls retried`,
  );

  emulator.reset();
  await seedPlatform(emulator);
  emulator.faults.throttlePreset('appmesh');
  started = performance.now();
  await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      invoke(
        emulator,
        createHandler({ log: quiet }),
        event(
          { MeshName: 'ecs-mesh', ServiceName: `am-${i}`, Namespace: 'service.local', Port: 3000 },
          `A${i}`,
        ),
      ),
    ),
  );
  s = (performance.now() - started) / 1000;
  const throttledMesh = emulator.requests.filter((r) => r.error === 'TooManyRequestsException').length;
  console.log(
    `   50 creates, App Mesh preset:   ${s.toFixed(1)} s (bucket bound 11.5 s, +${((s / 11.5 - 1) * 100).toFixed(0)}%), ${throttledMesh} throttled calls retried`,
  );
  ecs.destroy();
  await emulator.close();
}

async function main(): Promise<void> {
  // `npm run bench -- throttle` (or bundle, depth, waves, scale, serviceconnect) runs one section.
  const only = process.argv[2];
  console.log(`Benchmarks — Node ${process.version}, ${new Date().toISOString()}`);
  if (!only || only === 'bundle') await bundleFigures();
  if (!only || only === 'depth') await depthFigures();
  if (!only || only === 'throttle') await throttleFigures();
  if (!only || only === 'waves') printWaveFigures(await waveFigures());
  if (!only || only === 'scale') printScaleFigures(await scaleFigures());
  if (!only || only === 'serviceconnect') printServiceConnectFigures(await serviceConnectFigures());
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
