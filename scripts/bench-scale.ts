/**
 * Scale and Service Connect figures, printed (never asserted):
 *
 *  5. the same requests in an empty mesh and in one seeded with 1,000 other services and 500 task-definition
 *     families: Create, canary Update, Delete, and the sweeps (a Create adopting an earlier attempt's leftovers, a
 *     Delete whose properties do not parse) — calls and waves should not change with the mesh; and `mesh-service
 *     cleanup` of one deleted stack: its calls beside what that stack owned;
 *  6. the Service Connect backend's waves: Create, in-place Update, Delete, against their dependency-depth bounds.
 *
 * Waves as in scripts/bench-waves.ts: latency injected on every call, a wave one step of the longest chain of calls
 * that waited for each other.
 */
import {
  AppMeshClient,
  CreateMeshCommand,
  CreateVirtualNodeCommand,
  CreateVirtualServiceCommand,
} from '@aws-sdk/client-app-mesh';
import { ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { cleanup, createCleanupClients } from '../cli/cleanup';
import { credentialsFor, type Emulator, seedPlatform, startEmulator } from '../emulator';
import { beginRequest } from '../emulator/cloudformation/requests';
import { createHandler } from '../lambda/index';
import { createLogger } from '../lambda/log';
import { ownershipTags } from '../lambda/ownership';
import { mapLimit } from '../lambda/util';
import { wavesOf } from './bench-waves';

const LATENCY_MS = 60;
const quiet = createLogger({}, () => {});
type Props = Record<string, unknown>;

function context(accountId: string, remainingMs = 600_000): Context {
  return {
    invokedFunctionArn: `arn:aws:lambda:us-east-1:${accountId}:function:MeshServiceProvider-Handler`,
    awsRequestId: `${Math.random()}`,
    getRemainingTimeInMillis: () => remainingMs,
  } as unknown as Context;
}

interface Step {
  readonly type: 'Create' | 'Update' | 'Delete';
  readonly props: Props;
  readonly old?: Props;
  readonly physicalId?: string;
  readonly stackId: string;
  readonly logicalId?: string;
}

function event(s: Step): CloudFormationCustomResourceEvent {
  return {
    RequestType: s.type,
    ServiceToken: 'x',
    ResponseURL: 'https://example.invalid',
    StackId: s.stackId,
    RequestId: `${Math.random()}`,
    LogicalResourceId: s.logicalId ?? 'Frontend',
    ResourceType: 'Custom::MeshService',
    ResourceProperties: { ServiceToken: 'x', ...s.props },
    ...(s.physicalId ? { PhysicalResourceId: s.physicalId } : {}),
    ...(s.old ? { OldResourceProperties: { ServiceToken: 'x', ...s.old } } : {}),
  } as CloudFormationCustomResourceEvent;
}

interface Measured {
  readonly calls: number;
  readonly waves: number;
  readonly physicalId: string;
}

let zombies = 0;

/**
 * A request killed (as a Lambda timeout kills it) when it makes its first call of `operation`: its own execution
 * environment (a caller of its own, so that the emulator keeps only it dead), with a short budget to wind down.
 */
async function killed(emulator: Emulator, s: Step, operation: string): Promise<void> {
  emulator.faults.killAt(operation, 1, { applied: true });
  const handler = createHandler({
    log: quiet,
    clients: { credentials: credentialsFor(emulator.accountId, `ZOMBIE${zombies++}`), requestTimeoutMs: 600 },
  });
  const e = event(s);
  const inProgress = beginRequest(emulator.cloudformation, e);
  try {
    await handler(e, context(emulator.accountId, 1_500));
  } catch (error) {
    inProgress.end({ failed: (error as Error).message });
    return;
  }
  throw new Error(`the Create was not killed at ${operation}`);
}

/** One request in a fresh Lambda environment, as CloudFormation makes it: its calls and waves. */
async function measure(emulator: Emulator, s: Step): Promise<Measured> {
  const handler = createHandler({ log: quiet });
  emulator.clearRequests();
  const e = event(s);
  const inProgress = beginRequest(emulator.cloudformation, e);
  try {
    const result = await handler(e, context(emulator.accountId));
    inProgress.end({ physicalResourceId: result.PhysicalResourceId });
    return {
      calls: emulator.requests.length,
      waves: wavesOf(emulator.requests, LATENCY_MS / 3),
      physicalId: result.PhysicalResourceId,
    };
  } catch (error) {
    inProgress.end({ failed: (error as Error).message });
    throw error;
  }
}

const taskDefinition = (family: string, stackId: string, image = 'nginx') => ({
  family,
  networkMode: 'awsvpc' as const,
  requiresCompatibilities: ['FARGATE' as const],
  cpu: '256',
  memory: '512',
  taskRoleArn: 'arn:aws:iam::111122223333:role/mesh-service/task',
  executionRoleArn: 'arn:aws:iam::111122223333:role/mesh-service/execution',
  containerDefinitions: [
    {
      name: 'app',
      image,
      essential: true,
      portMappings: [{ containerPort: 3000, protocol: 'tcp' as const }],
    },
  ],
  tags: [{ key: 'mesh-service:allowed-stacks', value: stackId }],
});

/**
 * Other teams' services (a virtual node and a virtual service each, owned by their own stacks) and families. App
 * Mesh allows 200 virtual nodes per mesh by default (the emulator enforces its default quotas): the service's own
 * mesh gets `inMesh` of them, the rest fill other meshes of the account, which the Tagging API sees as well.
 */
async function crowd(emulator: Emulator, services: number, inMesh: number, families: number): Promise<void> {
  const appMesh = new AppMeshClient({});
  const ecs = new ECSClient({});
  const perOtherMesh = 180;
  const meshOf = (i: number) =>
    i < inMesh ? 'ecs-mesh' : `team-mesh-${Math.floor((i - inMesh) / perOtherMesh)}`;
  const meshes = [...new Set(Array.from({ length: services }, (_, i) => meshOf(i)))].filter(
    (m) => m !== 'ecs-mesh',
  );
  for (const meshName of meshes) await appMesh.send(new CreateMeshCommand({ meshName }));
  await mapLimit(
    Array.from({ length: services }, (_, i) => i),
    16,
    async (i) => {
      const meshName = meshOf(i);
      const tags = ownershipTags({
        physicalId: `mesh/${meshName}/service/team-${i}`,
        stackId: emulator.cloudformation.stackId(`team-${i}`),
        logicalResourceId: 'Service',
      });
      await appMesh.send(
        new CreateVirtualNodeCommand({
          meshName,
          virtualNodeName: `team-${i}`,
          spec: {
            listeners: [{ portMapping: { port: 3000, protocol: 'http' } }],
            serviceDiscovery: { dns: { hostname: `team-${i}.local` } },
          },
          tags,
        }),
      );
      await appMesh.send(
        new CreateVirtualServiceCommand({
          meshName,
          virtualServiceName: `team-${i}.service.local`,
          spec: { provider: { virtualNode: { virtualNodeName: `team-${i}` } } },
          tags,
        }),
      );
    },
  );
  await mapLimit(
    Array.from({ length: families }, (_, i) => i),
    16,
    (i) => ecs.send(new RegisterTaskDefinitionCommand(taskDefinition(`team-${i}-app`, 'none'))),
  );
  appMesh.destroy();
  ecs.destroy();
}

export interface ScaleRow {
  readonly request: string;
  readonly empty: { calls: number; waves: number };
  readonly crowded: { calls: number; waves: number };
}

export interface CleanupFigure {
  readonly ownedResources: number;
  readonly ownedRevisions: number;
  readonly calls: number;
  readonly byOperation: Record<string, number>;
}

/** The requests of one mesh state; `tag` keeps the stacks of the empty and the crowded run apart. */
async function scaleRequests(emulator: Emulator, tag: string): Promise<Map<string, Measured>> {
  const out = new Map<string, Measured>();
  const stackId = emulator.cloudformation.stackId(`scale-${tag}`);
  const ecs = new ECSClient({});
  const register = async (family: string) =>
    (await ecs.send(new RegisterTaskDefinitionCommand(taskDefinition(family, stackId)))).taskDefinition!
      .taskDefinitionArn!;
  const [blue, green] = [await register(`${tag}-blue`), await register(`${tag}-green`)];
  ecs.destroy();
  const at = (name: string, w1: number, w2: number): Props => ({
    MeshName: 'ecs-mesh',
    ServiceName: name,
    Namespace: 'service.local',
    Port: 3000,
    Backends: ['team-1.service.local'],
    Routes: [{ Name: 'main' }],
    Gateway: { VirtualGatewayName: 'ecsworkshop-vgw', RouteName: `${name}-route` },
    Versions: [
      { Name: 'blue', TaskDefinition: blue, Weight: w1 },
      { Name: 'green', TaskDefinition: green, Weight: w2 },
    ],
  });
  emulator.faults.latency('*', LATENCY_MS);
  const name = `${tag}-frontend`;
  const created = await measure(emulator, { type: 'Create', props: at(name, 90, 10), stackId });
  out.set('Create', created);
  const id = created.physicalId;
  out.set(
    'canary Update',
    await measure(emulator, {
      type: 'Update',
      props: at(name, 50, 50),
      old: at(name, 90, 10),
      physicalId: id,
      stackId,
    }),
  );
  out.set(
    'Delete',
    await measure(emulator, { type: 'Delete', props: at(name, 50, 50), physicalId: id, stackId }),
  );

  // Sweep 1: a Create killed by its time budget at its routes leaves nodes, router and revisions; the next attempt
  // under another ServiceName shares the virtual service's name, adopts it and removes the rest.
  const first = { ...at(`${tag}-first`, 90, 10), VirtualServiceName: `${tag}-store.service.local` };
  await killed(
    emulator,
    { type: 'Create', props: first, stackId, logicalId: 'Store' },
    'appmesh:CreateRoute',
  );
  const second = {
    ...first,
    ServiceName: `${tag}-second`,
    Gateway: { VirtualGatewayName: 'ecsworkshop-vgw', RouteName: `${tag}-second-route` },
  };
  const adopted = await measure(emulator, { type: 'Create', props: second, stackId, logicalId: 'Store' });
  out.set('Create adopting leftovers', adopted);
  // Sweep 2: the Delete of that service with properties that do not parse.
  out.set(
    'Delete, properties unparsable',
    await measure(emulator, {
      type: 'Delete',
      props: { MeshName: 'ecs-mesh', Port: 'not a port' },
      physicalId: adopted.physicalId,
      stackId,
      logicalId: 'Store',
    }),
  );
  emulator.faults.latency('*', 0);
  return out;
}

/** A stack whose Create was killed, then deleted: what `mesh-service cleanup --stack <its id> --apply` costs. */
async function cleanupFigure(emulator: Emulator): Promise<CleanupFigure> {
  const stackId = emulator.cloudformation.stackId('rolled-back');
  const ecs = new ECSClient({});
  const td = (await ecs.send(new RegisterTaskDefinitionCommand(taskDefinition('dead-app', stackId))))
    .taskDefinition!.taskDefinitionArn!;
  ecs.destroy();
  const props: Props = {
    MeshName: 'ecs-mesh',
    ServiceName: 'dead',
    Namespace: 'service.local',
    Port: 3000,
    TaskDefinition: td,
    Routes: [{ Name: 'main' }],
    Gateway: { VirtualGatewayName: 'ecsworkshop-vgw', RouteName: 'dead-route' },
  };
  await killed(
    emulator,
    { type: 'Create', props, stackId, logicalId: 'Dead' },
    'appmesh:CreateVirtualService',
  );
  emulator.cloudformation.deleteStack(stackId);
  const clients = createCleanupClients();
  emulator.clearRequests();
  const report = await cleanup(clients, {
    meshName: 'ecs-mesh',
    stack: stackId,
    apply: true,
    accountId: emulator.accountId,
  });
  const byOperation: Record<string, number> = {};
  for (const r of emulator.requests) byOperation[r.operation] = (byOperation[r.operation] ?? 0) + 1;
  clients.destroy();
  const owner = report.owners.find((o) => o.physicalId === 'mesh/ecs-mesh/service/dead');
  return {
    ownedResources: owner?.resources.length ?? 0,
    ownedRevisions: owner?.revisions.length ?? 0,
    calls: emulator.requests.length,
    byOperation,
  };
}

export async function scaleFigures(services = 1000, inMesh = 190, families = 500) {
  const emulator = await startEmulator();
  Object.assign(process.env, emulator.env());
  await seedPlatform(emulator);
  const empty = await scaleRequests(emulator, 'empty');
  const emptyCleanup = await cleanupFigure(emulator);
  emulator.reset();
  await seedPlatform(emulator);
  const seeding = performance.now();
  await crowd(emulator, services, inMesh, families);
  const seededIn = performance.now() - seeding;
  const crowded = await scaleRequests(emulator, 'crowded');
  const crowdedCleanup = await cleanupFigure(emulator);
  await emulator.close();
  const rows: ScaleRow[] = [...empty].map(([request, e]) => ({
    request,
    empty: { calls: e.calls, waves: e.waves },
    crowded: { calls: crowded.get(request)!.calls, waves: crowded.get(request)!.waves },
  }));
  return { services, inMesh, families, seededIn, rows, emptyCleanup, crowdedCleanup };
}

export function printScaleFigures(f: Awaited<ReturnType<typeof scaleFigures>>): void {
  console.log(
    `\n5. Scale: an empty mesh against one seeded with ${f.services} other services (node + virtual service each; ${f.inMesh} in the service's mesh, App Mesh's default quota being 200 nodes a mesh, the rest in other meshes) and ${f.families} task-definition families (seeded in ${(f.seededIn / 1000).toFixed(1)} s); ${LATENCY_MS} ms on every call`,
  );
  console.log(`   ${'request'.padEnd(30)} ${'empty mesh'.padStart(20)} ${'crowded mesh'.padStart(20)}`);
  for (const r of f.rows) {
    const cell = (x: { calls: number; waves: number }) => `${x.calls} calls, ${x.waves} waves`.padStart(20);
    console.log(`   ${r.request.padEnd(30)} ${cell(r.empty)} ${cell(r.crowded)}`);
  }
  for (const [label, c] of [
    ['empty mesh', f.emptyCleanup],
    ['crowded mesh', f.crowdedCleanup],
  ] as const) {
    const ops = Object.entries(c.byOperation)
      .map(([op, n]) => `${op} ${n}`)
      .join(', ');
    console.log(
      `   cleanup --stack <id> --apply, ${label}: ${c.calls} calls for ${c.ownedResources} App Mesh resources and ${c.ownedRevisions} revisions owned (${ops})`,
    );
  }
}

/** The Service Connect backend: Create (namespace existing), in-place Update, Delete. */
export async function serviceConnectFigures() {
  const emulator = await startEmulator();
  Object.assign(process.env, emulator.env());
  await seedPlatform(emulator);
  emulator.servicediscovery.putNamespace('service.local');
  const stackId = emulator.cloudformation.stackId('sc-waves');
  const ecs = new ECSClient({});
  const register = async (image: string) =>
    (await ecs.send(new RegisterTaskDefinitionCommand(taskDefinition('crystal', stackId, image))))
      .taskDefinition!.taskDefinitionArn!;
  const [v1, v2] = [await register('nginx:1'), await register('nginx:2')];
  ecs.destroy();
  const props = (td: string): Props => ({
    Backend: 'ServiceConnect',
    MeshName: 'ecs-mesh',
    ServiceName: 'crystal',
    Namespace: 'service.local',
    Port: 3000,
    TaskDefinition: td,
  });
  emulator.faults.latency('*', LATENCY_MS);
  // Bounds, the dependency depth: the read phase is three deep (the namespace: ListNamespaces, GetNamespace, then
  // its tags; beside it the verification and the family), and every check passes before any write. Then Create and
  // Update register and list the family once more (twin deliveries converge, ecs/revisions.ts): 5. Delete
  // deregisters after the reads: 4.
  const rows: { request: string; calls: number; waves: number; bound: number; ms: number }[] = [];
  const timed = async (request: string, bound: number, s: Step) => {
    const started = performance.now();
    const m = await measure(emulator, s);
    rows.push({ request, calls: m.calls, waves: m.waves, bound, ms: performance.now() - started });
    return m;
  };
  const created = await timed('Create', 5, { type: 'Create', props: props(v1), stackId });
  await timed('in-place Update', 5, {
    type: 'Update',
    props: props(v2),
    old: props(v1),
    physicalId: created.physicalId,
    stackId,
  });
  await timed('Delete', 4, { type: 'Delete', props: props(v2), physicalId: created.physicalId, stackId });
  await emulator.close();
  return rows;
}

export function printServiceConnectFigures(rows: Awaited<ReturnType<typeof serviceConnectFigures>>): void {
  console.log(
    `\n6. Service Connect waves: ${LATENCY_MS} ms injected on every call, a fresh Lambda environment each`,
  );
  for (const r of rows) {
    console.log(
      `   ${r.request.padEnd(16)} ${String(r.calls).padStart(3)} calls ${String(r.waves).padStart(2)} waves (bound ${r.bound})  ${r.ms.toFixed(0).padStart(5)} ms = ${(r.ms / (r.bound * LATENCY_MS)).toFixed(2)} × ${r.bound}·L`,
    );
  }
}
