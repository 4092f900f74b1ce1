/**
 * Waves: how many round trips deep each request is, measured with the same latency injected on every call. A wave is
 * one step of the longest chain of calls that had to wait for each other (a call waits for those that ended before it
 * started), so it does not depend on how loaded the machine is; the wall time is divided by the bound (its waves ×
 * the latency) to show the overhead on top.
 */
import { ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { CreateServiceNetworkCommand, VPCLatticeClient } from '@aws-sdk/client-vpc-lattice';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { type Emulator, type RequestLogEntry, seedPlatform, startEmulator } from '../emulator';
import { beginRequest } from '../emulator/cloudformation/requests';
import { createHandler } from '../lambda/index';
import { createLogger } from '../lambda/log';

const LATENCY_MS = 150;
const STACK_ID =
  'arn:aws:cloudformation:us-east-1:111122223333:stack/waves/0c0c0c0c-0000-4000-8000-000000000001';
const quiet = createLogger({}, () => {});

/** The longest chain of calls where each started after the previous one ended. */
export function wavesOf(entries: readonly RequestLogEntry[], slackMs = LATENCY_MS / 3): number {
  const calls = [...entries]
    .map((e) => ({ start: e.startedAt, end: e.startedAt + e.durationMs }))
    .sort((a, b) => a.start - b.start);
  const depth: number[] = [];
  calls.forEach((c, i) => {
    let d = 1;
    for (let j = 0; j < i; j++)
      if (calls[j]!.end <= c.start + slackMs && depth[j]! + 1 > d) d = depth[j]! + 1;
    depth.push(d);
  });
  return Math.max(0, ...depth);
}

function context(accountId: string): Context {
  return {
    invokedFunctionArn: `arn:aws:lambda:us-east-1:${accountId}:function:MeshServiceProvider-Handler`,
    awsRequestId: `${Math.random()}`,
    getRemainingTimeInMillis: () => 600_000,
  } as unknown as Context;
}

type Props = Record<string, unknown>;

function event(
  type: 'Create' | 'Update' | 'Delete',
  props: Props,
  old?: Props,
  physicalId = `mesh/ecs-mesh/service/${String(props.ServiceName)}`,
): CloudFormationCustomResourceEvent {
  return {
    RequestType: type,
    ServiceToken: 'x',
    ResponseURL: 'https://example.invalid',
    StackId: STACK_ID,
    RequestId: `${Math.random()}`,
    LogicalResourceId: 'Frontend',
    ResourceType: 'Custom::MeshService',
    ResourceProperties: { ServiceToken: 'x', ...props },
    ...(type === 'Create' ? {} : { PhysicalResourceId: physicalId }),
    ...(old ? { OldResourceProperties: { ServiceToken: 'x', ...old } } : {}),
  } as CloudFormationCustomResourceEvent;
}

/** One request, in a fresh Lambda environment, as CloudFormation makes it; returns waves and wall time. */
async function measure(
  emulator: Emulator,
  e: CloudFormationCustomResourceEvent,
): Promise<{ waves: number; ms: number }> {
  const handler = createHandler({ log: quiet });
  emulator.clearRequests();
  const inProgress = beginRequest(emulator.cloudformation, e);
  const started = performance.now();
  const result = await handler(e, context(emulator.accountId));
  const ms = performance.now() - started;
  inProgress.end({ physicalResourceId: result.PhysicalResourceId });
  return { waves: wavesOf(emulator.requests), ms };
}

async function registerFamily(ecs: ECSClient, family: string, revisions: number): Promise<string> {
  let arn = '';
  for (let i = 0; i < revisions; i++) {
    const out = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        taskRoleArn: 'arn:aws:iam::111122223333:role/mesh-service/task',
        executionRoleArn: 'arn:aws:iam::111122223333:role/mesh-service/execution',
        containerDefinitions: [
          {
            name: 'app',
            image: `public.ecr.aws/aws-containers/${family}:${i}`,
            essential: true,
            portMappings: [{ containerPort: 3000 }],
          },
        ],
        tags: [{ key: 'mesh-service:allowed-stacks', value: STACK_ID }],
      }),
    );
    arn = out.taskDefinition!.taskDefinitionArn!;
  }
  return arn;
}

export interface WaveFigure {
  readonly family: string;
  readonly request: string;
  readonly waves: number;
  readonly bound: number;
  readonly ms: number;
}

/** Create, no-op Update, canary Update and Delete of a routed two-version service, with a fresh or a long family. */
export async function waveFigures(): Promise<WaveFigure[]> {
  const emulator = await startEmulator();
  Object.assign(process.env, emulator.env());
  await seedPlatform(emulator);
  const ecs = new ECSClient({});
  const vpcLattice = new VPCLatticeClient({});
  await vpcLattice.send(new CreateServiceNetworkCommand({ name: 'platform' }));
  vpcLattice.destroy();
  const figures: WaveFigure[] = [];
  for (const [label, revisions] of [
    ['fresh family', 1],
    ['100-revision family', 100],
  ] as const) {
    const name = revisions === 1 ? 'fresh' : 'long';
    const [blue, green] = [
      await registerFamily(ecs, `${name}-blue`, revisions),
      await registerFamily(ecs, `${name}-green`, revisions),
    ];
    const base: Props = {
      MeshName: 'ecs-mesh',
      ServiceName: `${name}-frontend`,
      Namespace: 'service.local',
      Port: 3000,
      Backends: ['ecsdemo-crystal.service.local', 'ecsdemo-nodejs.service.local'],
      Routes: [{ Name: 'main' }],
      Gateway: { VirtualGatewayName: 'ecsworkshop-vgw' },
    };
    const at = (w1: number, w2: number): Props => ({
      ...base,
      Versions: [
        { Name: 'blue', TaskDefinition: blue, Weight: w1 },
        { Name: 'green', TaskDefinition: green, Weight: w2 },
      ],
    });
    emulator.faults.latency('*', LATENCY_MS);
    const steps: [string, CloudFormationCustomResourceEvent, number][] = [
      ['Create', event('Create', at(90, 10)), 4],
      ['no-op Update', event('Update', at(90, 10), at(90, 10)), 2],
      ['canary Update', event('Update', at(50, 50), at(90, 10)), 2],
      ['Delete', event('Delete', at(50, 50)), 4],
    ];
    for (const [request, e, bound] of steps) {
      const { waves, ms } = await measure(emulator, e);
      figures.push({ family: label, request, waves, bound, ms });
    }
    emulator.faults.latency('*', 0);

    // The same canary on VPC Lattice (families of its own: App Mesh's revisions would be read too), in the
    // platform's service network.
    const [latticeBlue, latticeGreen] = [
      await registerFamily(ecs, `${name}-lattice-blue`, revisions),
      await registerFamily(ecs, `${name}-lattice-green`, revisions),
    ];
    const lattice: Props = {
      Backend: 'VpcLattice',
      MeshName: 'ecs-mesh',
      ServiceName: `${name}-lattice`,
      Namespace: 'service.local',
      Port: 3000,
      VpcLattice: { ServiceNetwork: 'platform', VpcId: 'vpc-0abc1234def567890' },
    };
    const latticeAt = (w1: number, w2: number): Props => ({
      ...lattice,
      Versions: [
        { Name: 'blue', TaskDefinition: latticeBlue, Weight: w1 },
        { Name: 'green', TaskDefinition: latticeGreen, Weight: w2 },
      ],
    });
    const latticeId = `vpc-lattice/service/${name}-lattice`;
    emulator.faults.latency('*', LATENCY_MS);
    const latticeSteps: [string, CloudFormationCustomResourceEvent, number][] = [
      ['Create', event('Create', latticeAt(90, 10)), 4],
      ['no-op Update', event('Update', latticeAt(90, 10), latticeAt(90, 10), latticeId), 2],
      ['canary Update', event('Update', latticeAt(50, 50), latticeAt(90, 10), latticeId), 2],
      ['Delete', event('Delete', latticeAt(50, 50), undefined, latticeId), 4],
    ];
    for (const [request, e, bound] of latticeSteps) {
      const { waves, ms } = await measure(emulator, e);
      figures.push({ family: `${label}, VPC Lattice`, request, waves, bound, ms });
    }
    emulator.faults.latency('*', 0);
  }
  ecs.destroy();
  await emulator.close();
  return figures;
}

export function printWaveFigures(figures: readonly WaveFigure[]): void {
  console.log(
    `\n4. Waves: ${LATENCY_MS} ms injected on every call, each request in a fresh Lambda environment`,
  );
  for (const f of figures) {
    const ratio = f.ms / (f.bound * LATENCY_MS);
    console.log(
      `   ${f.family.padEnd(33)} ${f.request.padEnd(14)} ${String(f.waves).padStart(2)} waves (bound ${f.bound})  ${f.ms.toFixed(0).padStart(5)} ms = ${ratio.toFixed(2)} × ${f.bound}·L`,
    );
  }
}
