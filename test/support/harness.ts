/**
 * Drives the real handler (its real SDK clients, configured only by the standard environment variables) against
 * the in-process emulator, with CloudFormation-shaped events. Each `Provider` is one Lambda execution environment:
 * its own clients, retry budget and rate limiter.
 */
import { randomUUID } from 'node:crypto';
import {
  ECSClient,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { credentialsFor, type Emulator, seedPlatform, startEmulator } from '../../emulator';
import { beginRequest, type RequestInProgress } from '../../emulator/cloudformation/requests';
import type { RetryTuning } from '../../lambda/aws/retry';
import { isDocumentedAttribute } from '../../lambda/backends';
import type { HandlerResult } from '../../lambda/handler';
import { createHandler } from '../../lambda/index';
import { createLogger } from '../../lambda/log';
import { ALLOWED_STACKS_TAG, type ProviderPolicy } from '../../lambda/policy';
import { RESPONSE_LIMIT_BYTES, successResponseBytes } from '../../lambda/response';
import { promptTimeouts } from './prompt-timeouts';

export const STACK_NAME = 'workshop';
export const STACK_ID = `arn:aws:cloudformation:us-east-1:111122223333:stack/${STACK_NAME}/0f1e2d3c-aaaa-bbbb-cccc-000000000001`;

export type Props = Record<string, unknown>;

export interface EventOptions {
  readonly logicalId?: string;
  readonly stackId?: string;
  readonly requestId?: string;
  readonly resourceType?: string;
}

export function createEvent(props: Props, o: EventOptions = {}): CloudFormationCustomResourceEvent {
  return {
    RequestType: 'Create',
    ServiceToken: 'arn:aws:lambda:us-east-1:111122223333:function:MeshServiceProvider-ServiceToken',
    ResponseURL:
      'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x?X-Amz-Signature=SECRET',
    StackId: o.stackId ?? STACK_ID,
    RequestId: o.requestId ?? randomUUID(),
    LogicalResourceId: o.logicalId ?? 'Service',
    ResourceType: o.resourceType ?? 'Custom::MeshService',
    ResourceProperties: {
      ServiceToken: 'token',
      ...props,
    } as CloudFormationCustomResourceEvent['ResourceProperties'],
  };
}

export function updateEvent(
  physicalId: string,
  props: Props,
  oldProps: Props,
  o: EventOptions = {},
): CloudFormationCustomResourceEvent {
  return {
    ...createEvent(props, o),
    RequestType: 'Update',
    PhysicalResourceId: physicalId,
    OldResourceProperties: { ServiceToken: 'token', ...oldProps },
  } as CloudFormationCustomResourceEvent;
}

export function deleteEvent(
  physicalId: string,
  props: Props,
  o: EventOptions = {},
): CloudFormationCustomResourceEvent {
  return {
    ...createEvent(props, o),
    RequestType: 'Delete',
    PhysicalResourceId: physicalId,
  } as CloudFormationCustomResourceEvent;
}

export function lambdaContext(accountId: string, region: string, remainingMs = 600_000): Context {
  const deadline = Date.now() + remainingMs;
  return {
    functionName: 'MeshServiceProvider-Handler',
    invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:MeshServiceProvider-Handler`,
    awsRequestId: randomUUID(),
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  } as unknown as Context;
}

const NO_RATE_LIMIT = {
  getSendToken: async () => {},
  updateClientSendingRate: () => {},
};

export interface ProviderOptions {
  readonly logs?: string[];
  readonly policy?: ProviderPolicy;
  /** false: the event is sent as is, without CloudFormation putting its stack in progress (a forged request). */
  readonly cloudFormation?: boolean;
  /** Names this execution environment to the emulator (its own access key id), so a fault can kill it. */
  readonly caller?: string;
  readonly requestTimeoutMs?: number;
  /** The Lambda's remaining time when an invocation starts. */
  readonly remainingMs?: number;
  readonly tuning?: RetryTuning;
  /** Without the SDK's adaptive rate limiter (which slows a client down for seconds after one throttle). */
  readonly unlimited?: boolean;
  /**
   * An attempt the emulator leaves unanswered (a hang, a kill) times out at once rather than after requestTimeoutMs
   * (test/support/prompt-timeouts.ts): the handler sees the same timeout, without the wait.
   */
  readonly promptTimeouts?: boolean;
}

export interface World {
  readonly emulator: Emulator;
  /** A fresh Lambda execution environment (own SDK clients). */
  provider(options?: ProviderOptions): (event: CloudFormationCustomResourceEvent) => Promise<HandlerResult>;
  /** Registers an application task definition (as the template's AWS::ECS::TaskDefinition would). */
  registerApp(family: string, overrides?: Partial<RegisterTaskDefinitionCommandInput>): Promise<string>;
  close(): Promise<void>;
}

/** Starts the emulator, points the SDK at it through the environment and seeds the workshop platform. */
export async function startWorld(): Promise<World> {
  const emulator = await startEmulator();
  Object.assign(process.env, emulator.env());
  await seedPlatform(emulator);
  const ecs = new ECSClient({});
  const prompt = promptTimeouts(emulator);
  /** The invocations still running: close() waits for them (a killed one keeps retrying until it gives up). */
  const running = new Set<Promise<unknown>>();
  const world: World = {
    emulator,
    provider(options = {}) {
      const handler = createHandler({
        log: createLogger({}, (line) => options.logs?.push(line), 'debug'),
        ...(options.policy ? { policy: options.policy } : {}),
        ...(options.tuning ? { tuning: options.tuning } : {}),
        clients: {
          ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
          ...(options.caller ? { credentials: credentialsFor(emulator.accountId, options.caller) } : {}),
          ...(options.unlimited ? { rateLimiter: () => NO_RATE_LIMIT } : {}),
          ...(options.promptTimeouts ? { requestHandler: prompt } : {}),
        },
      });
      const invoke = async (event: CloudFormationCustomResourceEvent): Promise<HandlerResult> => {
        // CloudFormation marks the stack and resource in progress before it sends a request (the provider checks).
        // A stack id CloudFormation could not have (malformed, another Region) gets no such state.
        let inProgress: RequestInProgress | undefined;
        try {
          if (options.cloudFormation !== false) inProgress = beginRequest(emulator.cloudformation, event);
        } catch {
          inProgress = undefined;
        }
        try {
          const result = await handler(
            event,
            lambdaContext(emulator.accountId, emulator.region, options.remainingMs),
          );
          checkResponse(event, result);
          inProgress?.end({ physicalResourceId: result.PhysicalResourceId });
          return result;
        } catch (error) {
          inProgress?.end({ failed: (error as Error).message });
          throw error;
        }
      };
      return (event) => {
        const run = invoke(event);
        const tracked = run.then(
          () => undefined,
          () => undefined,
        );
        running.add(tracked);
        void tracked.finally(() => running.delete(tracked));
        return run;
      };
    },
    async registerApp(family, overrides = {}) {
      const out = await ecs.send(
        new RegisterTaskDefinitionCommand(appTaskDefinition(family, emulator.accountId, overrides)),
      );
      return out.taskDefinition!.taskDefinitionArn!;
    },
    async close() {
      // Answered from now on (hung calls' connections destroyed, killed callers revived, no throttling), the
      // invocations still running finish instead of retrying against a closed emulator after the suite: their
      // sockets and backoff timers would keep Jest's worker from exiting.
      while (running.size > 0) {
        emulator.faults.clear();
        await Promise.all(running);
      }
      ecs.destroy();
      await emulator.close();
    },
  };
  await warmUp(world);
  return world;
}

/**
 * The first calls of a process load and compile most of the SDK and the handler: on a loaded machine they can take
 * longer than the short request timeouts some tests give their faulted invocations. A Create and Delete of a mesh
 * service (App Mesh and CloudFormation calls) and a task-definition registration (ECS) go first, then the emulator
 * starts over as startWorld made it (seeded, empty log).
 */
async function warmUp(world: World): Promise<void> {
  const props: Props = {
    MeshName: 'ecs-mesh',
    ServiceName: 'warm-up',
    Namespace: 'service.local',
    Port: '3000',
  };
  const created = await world.provider()(createEvent(props, { logicalId: 'WarmUp' }));
  await world.provider()(deleteEvent(created.PhysicalResourceId, props, { logicalId: 'WarmUp' }));
  await world.registerApp('warm-up');
  world.emulator.reset();
  await seedPlatform(world.emulator);
}

/** The workshop's application task definition: Fargate, awsvpc, 256/512, one container on 3000 with awslogs. */
export function appTaskDefinition(
  family: string,
  accountId: string,
  overrides: Partial<RegisterTaskDefinitionCommandInput> = {},
): RegisterTaskDefinitionCommandInput {
  return {
    family,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    taskRoleArn: `arn:aws:iam::${accountId}:role/mesh-service/${family}-task`,
    executionRoleArn: `arn:aws:iam::${accountId}:role/mesh-service/${family}-execution`,
    containerDefinitions: [
      {
        name: family,
        image: `public.ecr.aws/aws-containers/${family}:latest`,
        essential: true,
        portMappings: [{ containerPort: 3000, protocol: 'tcp' }],
        logConfiguration: {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': `/ecs/${family}`,
            'awslogs-region': 'us-east-1',
            'awslogs-stream-prefix': family,
          },
        },
      },
    ],
    // The grant that lets the workshop stack's Custom::MeshService patch this task definition (policy.ts): its id.
    tags: [
      { key: 'app', value: family },
      { key: ALLOWED_STACKS_TAG, value: STACK_ID },
    ],
    ...overrides,
  };
}

/** Invariants of every successful answer: documented string attributes, within CloudFormation's 4096 bytes. */
function checkResponse(event: CloudFormationCustomResourceEvent, result: HandlerResult): void {
  // With Service Connect and VPC Lattice, the App Mesh attributes (and those an Edge service has no value for) are
  // empty strings.
  const backend = (event.ResourceProperties as { Backend?: unknown }).Backend;
  const emptyAllowed = backend === 'ServiceConnect' || backend === 'VpcLattice';
  for (const [key, value] of Object.entries(result.Data ?? {})) {
    if (!isDocumentedAttribute(key)) throw new Error(`undocumented attribute ${key}`);
    if (typeof value !== 'string' || (value === '' && !emptyAllowed))
      throw new Error(`attribute ${key} is not a non-empty string`);
  }
  const bytes = successResponseBytes(event, result.PhysicalResourceId, result.Data ?? {});
  if (bytes > RESPONSE_LIMIT_BYTES) throw new Error(`response of ${bytes} bytes`);
}
