/**
 * The AWS SDK clients, configured only through the SDK's standard sources (AWS_REGION, credentials, and the
 * service-specific AWS_ENDPOINT_URL_APP_MESH / AWS_ENDPOINT_URL_ECS / AWS_ENDPOINT_URL_CLOUDFORMATION /
 * AWS_ENDPOINT_URL_SERVICEDISCOVERY / AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API / AWS_ENDPOINT_URL_VPC_LATTICE the emulator
 * uses): no endpoint
 * plumbing here.
 */
import { AppMeshClient } from '@aws-sdk/client-app-mesh';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import type { RateLimiter } from '@smithy/core/retry';
import { BudgetedRetryStrategy, type RetryBudget, type RetryTuning } from './retry';

export interface AwsClients {
  readonly appMesh: AppMeshClient;
  readonly ecs: ECSClient;
  /** Read-only: verifies that requests come from their stack's operation (stack-verifier.ts). */
  readonly cloudFormation: CloudFormationClient;
  /** Cloud Map namespaces, for the Service Connect backend (AWS_ENDPOINT_URL_SERVICEDISCOVERY in the emulator). */
  readonly serviceDiscovery: ServiceDiscoveryClient;
  /** Read-only: what a logical resource owns, by its ownership tags (aws/tagging.ts). */
  readonly tagging: ResourceGroupsTaggingAPIClient;
  /**
   * Another SDK client with the same configuration (retry budget, timeouts, overrides): what a backend loaded on
   * first use creates its own client with (VPC Lattice, AWS_ENDPOINT_URL_VPC_LATTICE in the emulator), so that the
   * handler's bundle does not carry its SDK client.
   */
  readonly create: <C>(client: new (config: StandardClientConfig) => C) => C;
}

/** What createAwsClients gives every SDK client. */
export interface StandardClientConfig {
  readonly retryStrategy: BudgetedRetryStrategy;
  readonly requestHandler: {
    connectionTimeout: number;
    requestTimeout: number;
    throwOnRequestTimeout: boolean;
  };
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
}

export function createAwsClients(
  budget: RetryBudget,
  tuning?: RetryTuning,
  overrides: ClientOverrides = {},
): AwsClients {
  // A hung connection must not eat the whole invocation: the cleanup after a failure needs time too. Without
  // throwOnRequestTimeout the SDK's requestTimeout only logs a warning and the call waits for the Lambda's end.
  const requestHandler = {
    connectionTimeout: 5_000,
    requestTimeout: overrides.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
    throwOnRequestTimeout: true,
  };
  const common = { requestHandler, ...(overrides.credentials ? { credentials: overrides.credentials } : {}) };
  const strategy = () =>
    overrides.rateLimiter
      ? new BudgetedRetryStrategy(budget, tuning, Math.random, overrides.rateLimiter())
      : new BudgetedRetryStrategy(budget, tuning);
  return {
    appMesh: new AppMeshClient({ retryStrategy: strategy(), ...common }),
    ecs: new ECSClient({ retryStrategy: strategy(), ...common }),
    cloudFormation: new CloudFormationClient({ retryStrategy: strategy(), ...common }),
    serviceDiscovery: new ServiceDiscoveryClient({ retryStrategy: strategy(), ...common }),
    tagging: new ResourceGroupsTaggingAPIClient({ retryStrategy: strategy(), ...common }),
    create: (client) => new client({ retryStrategy: strategy(), ...common }),
  };
}
