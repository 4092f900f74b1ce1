/**
 * The AWS SDK clients, configured only through the SDK's standard sources (AWS_REGION, credentials, and the
 * service-specific AWS_ENDPOINT_URL_APP_MESH / AWS_ENDPOINT_URL_ECS / AWS_ENDPOINT_URL_CLOUDFORMATION /
 * AWS_ENDPOINT_URL_SERVICEDISCOVERY / AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API / AWS_ENDPOINT_URL_VPC_LATTICE /
 * AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2 the emulator uses): no endpoint plumbing here. Here are the clients
 * every backend calls; each backend creates its own service's client (`create`), so that the bundle's file of one
 * backend (lambda/router.ts) carries no other backend's client.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { HttpHandler } from '@smithy/core/protocols';
import type { RateLimiter } from '@smithy/core/retry';
import { BudgetedRetryStrategy, type RetryBudget, type RetryTuning } from './retry';

export interface AwsClients {
  readonly ecs: ECSClient;
  /** Read-only: verifies that requests come from their stack's operation (stack-verifier.ts). */
  readonly cloudFormation: CloudFormationClient;
  /** Read-only: what a logical resource owns, by its ownership tags (aws/tagging.ts). */
  readonly tagging: ResourceGroupsTaggingAPIClient;
  /**
   * Another SDK client with the same configuration (retry budget, timeouts, overrides): what a backend creates its
   * own service's client with (App Mesh, Cloud Map, Elastic Load Balancing v2, VPC Lattice).
   */
  readonly create: <C>(client: new (config: StandardClientConfig) => C) => C;
}

/** The HTTP options createAwsClients gives every SDK client (the SDK makes its Node.js handler of them). */
export interface RequestHandlerOptions {
  connectionTimeout: number;
  requestTimeout: number;
  throwOnRequestTimeout: boolean;
}

/** What createAwsClients gives every SDK client. */
export interface StandardClientConfig {
  readonly retryStrategy: BudgetedRetryStrategy;
  readonly requestHandler: RequestHandlerOptions | HttpHandler;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** How long one attempt of a call may take before it is abandoned (and retried while the budget allows). */
export const REQUEST_TIMEOUT_MS = 15_000;

/** For tests and benchmarks that stand in for separate Lambda environments: not used in the Lambda. */
export interface ClientOverrides {
  readonly requestTimeoutMs?: number;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /**
   * Replaces the SDK's adaptive client-side rate limiter (one per client), e.g. by one that never waits, for tests
   * of what happens rather than of how fast.
   */
  readonly rateLimiter?: () => RateLimiter;
  /**
   * Makes each client's HTTP handler of the options it would get: e.g. one that gives up on a call at once when the
   * in-process emulator says no answer is coming, instead of waiting out the request timeout (test/support).
   */
  readonly requestHandler?: (options: RequestHandlerOptions) => HttpHandler;
}

export function createAwsClients(
  budget: RetryBudget,
  tuning?: RetryTuning,
  overrides: ClientOverrides = {},
): AwsClients {
  // A hung connection must not eat the whole invocation: the cleanup after a failure needs time too. Without
  // throwOnRequestTimeout the SDK's requestTimeout only logs a warning and the call waits for the Lambda's end.
  const requestHandler: RequestHandlerOptions = {
    connectionTimeout: 5_000,
    requestTimeout: overrides.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
    throwOnRequestTimeout: true,
  };
  // One per client, as the SDK makes one of the options for each.
  const config = (): StandardClientConfig => ({
    retryStrategy: overrides.rateLimiter
      ? new BudgetedRetryStrategy(budget, tuning, Math.random, overrides.rateLimiter())
      : new BudgetedRetryStrategy(budget, tuning),
    requestHandler: overrides.requestHandler ? overrides.requestHandler(requestHandler) : requestHandler,
    ...(overrides.credentials ? { credentials: overrides.credentials } : {}),
  });
  return {
    ecs: new ECSClient(config()),
    cloudFormation: new CloudFormationClient(config()),
    tagging: new ResourceGroupsTaggingAPIClient(config()),
    create: (client) => new client(config()),
  };
}
