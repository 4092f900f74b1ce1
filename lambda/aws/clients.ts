/**
 * The AWS SDK clients, configured only through the SDK's standard sources (AWS_REGION, credentials, and the
 * service-specific AWS_ENDPOINT_URL_APP_MESH / AWS_ENDPOINT_URL_ECS the emulator uses): no endpoint plumbing here.
 */
import { AppMeshClient } from '@aws-sdk/client-app-mesh';
import { ECSClient } from '@aws-sdk/client-ecs';
import { BudgetedRetryStrategy, type RetryBudget, type RetryTuning } from './retry';

export interface AwsClients {
  readonly appMesh: AppMeshClient;
  readonly ecs: ECSClient;
}

export function createAwsClients(budget: RetryBudget, tuning?: RetryTuning): AwsClients {
  // A hung connection must not eat the whole invocation: the cleanup after a failure needs time too.
  const requestHandler = { connectionTimeout: 5_000, requestTimeout: 30_000 };
  return {
    appMesh: new AppMeshClient({ retryStrategy: new BudgetedRetryStrategy(budget, tuning), requestHandler }),
    ecs: new ECSClient({ retryStrategy: new BudgetedRetryStrategy(budget, tuning), requestHandler }),
  };
}
