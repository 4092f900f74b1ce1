/**
 * Lambda entry of the reclaimer (lambda/reclaimer.ts): EventBridge delivers CloudFormation's stack status changes
 * (rollback and delete completions) and a scheduled sweep. Like the handler, nothing at module scope can throw: the
 * clients are created on the first invocation. An invocation that could not remove everything fails after doing what
 * it could, so that Lambda's retries (and then the dead-letter queue) keep the event.
 */
import type { Context } from 'aws-lambda';
import { type ClientOverrides, createAwsClients } from './aws/clients';
import type { RetryBudget, RetryTuning } from './aws/retry';
import { registry } from './backends';
import { backendRuntimes } from './index';
import { createLogger, type Logger } from './log';
import { type ProviderPolicy, policyFromEnvironment } from './policy';
import { createReclaimer, type ReclaimedOwner, type StackStatusEvent } from './reclaimer';
import { createStackApi } from './stack-verifier';

export type { StackStatusEvent };

export interface ReclaimOptions {
  readonly log?: Logger;
  readonly tuning?: RetryTuning;
  /** The trust policy (shared mesh owners); by default read from the environment the provider stack sets. */
  readonly policy?: ProviderPolicy;
  /** Tests and benchmarks only: per-environment credentials and a shorter request timeout. */
  readonly clients?: ClientOverrides;
}

export interface ReclaimSummary {
  readonly reclaimed: readonly Pick<ReclaimedOwner, 'physicalId' | 'stackId' | 'logicalId' | 'removed'>[];
  readonly leftAlone: readonly Pick<ReclaimedOwner, 'physicalId' | 'stackId' | 'logicalId' | 'reason'>[];
}

/** Time kept back from the end of the invocation for logging and failing cleanly. */
const ANSWER_RESERVE_MS = 5_000;

function accountOf(context: Context): { accountId: string; partition: string } {
  const [, partition, , , accountId] = (context.invokedFunctionArn ?? '').split(':');
  return { accountId: accountId ?? '', partition: partition || 'aws' };
}

/** A reclaimer entry with its own clients and retry budget, as one Lambda execution environment has. */
export function createReclaimHandler(options: ReclaimOptions = {}) {
  let env:
    | {
        budget: RetryBudget;
        clients: ReturnType<typeof createAwsClients>;
        runtime: ReturnType<typeof backendRuntimes>;
      }
    | undefined;
  const baseLog = options.log ?? createLogger({ service: 'mesh-service-reclaimer' });
  return async (event: StackStatusEvent, context: Context): Promise<ReclaimSummary> => {
    if (!env) {
      const budget: RetryBudget = { deadline: Date.now() + 60_000 };
      const clients = createAwsClients(budget, options.tuning, options.clients);
      env = { budget, clients, runtime: backendRuntimes(clients) };
    }
    const remaining =
      typeof context.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : 300_000;
    env.budget.deadline = Date.now() + remaining - ANSWER_RESERVE_MS;
    const region = process.env.AWS_REGION ?? '';
    const { accountId, partition } = accountOf(context);
    const log = baseLog.child({
      function_request_id: context.awsRequestId,
      detailType: event['detail-type'],
      stackId: event.detail?.['stack-id'],
      status: event.detail?.['status-details']?.status,
    });
    if (!region || !/^\d{12}$/.test(accountId)) {
      throw new Error(
        'the reclaimer cannot tell its Region (AWS_REGION) or account (the invoked function ARN): nothing was read',
      );
    }
    const reclaimer = createReclaimer(
      {
        ecs: env.clients.ecs,
        tagging: env.clients.tagging,
        stacks: createStackApi(env.clients.cloudFormation),
      },
      {
        registry,
        runtime: env.runtime,
        policy: options.policy ?? policyFromEnvironment(process.env),
        region,
        partition,
        accountId,
        invocationId: context.awsRequestId,
        log,
      },
    );
    const { owners, problems } = await reclaimer.onEvent(event);
    if (problems.length) {
      throw new Error(
        `could not reclaim everything (${problems.length}): ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? '; …' : ''}`,
      );
    }
    return {
      reclaimed: owners
        .filter((o) => o.orphaned)
        .map(({ physicalId, stackId, logicalId, removed }) => ({ physicalId, stackId, logicalId, removed })),
      leftAlone: owners
        .filter((o) => !o.orphaned)
        .map(({ physicalId, stackId, logicalId, reason }) => ({ physicalId, stackId, logicalId, reason })),
    };
  };
}

let entry: ReturnType<typeof createReclaimHandler> | undefined;

export async function handler(event: StackStatusEvent, context: Context): Promise<ReclaimSummary> {
  entry ??= createReclaimHandler();
  return entry(event, context);
}
