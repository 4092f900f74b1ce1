/**
 * The MeshServiceProvider stack: the MeshServiceProvider construct (infra/provider.ts) and the export every template
 * imports. Its props are the construct's, so the context keys of infra/app-builder.ts and a CDK app set the same
 * policy with the same defaults.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib/core';
import type { Construct } from 'constructs';
import { MeshServiceProvider, type MeshServiceProviderProps, PROVIDER_RUNTIME } from './provider';

export { PROVIDER_RUNTIME };

/** The export every template imports: `!ImportValue MeshServiceProvider-ServiceToken`. Stable forever. */
export const SERVICE_TOKEN_EXPORT = 'MeshServiceProvider-ServiceToken';

export interface MeshServiceProviderStackProps extends StackProps, MeshServiceProviderProps {}

/**
 * Deploys the Custom::MeshService provider and exports its ServiceToken as `MeshServiceProvider-ServiceToken`.
 */
export class MeshServiceProviderStack extends Stack {
  readonly provider: MeshServiceProvider;
  readonly serviceToken: string;
  readonly handler: MeshServiceProvider['handler'];

  constructor(scope: Construct, id: string, props: MeshServiceProviderStackProps = {}) {
    super(scope, id, {
      description: 'Custom::MeshService provider: App Mesh services on ECS from plain CloudFormation',
      ...props,
    });
    // 'Default' is left out of logical ids: the resources keep the logical ids they had when the stack created them
    // itself, so upgrading the provider replaces nothing.
    // The stable function names the export and the Service Catalog product name (`MeshServiceProvider-ServiceToken`).
    this.provider = new MeshServiceProvider(this, 'Default', {
      ...props,
      namePrefix: props.namePrefix ?? 'MeshServiceProvider',
    });
    this.serviceToken = this.provider.serviceToken;
    this.handler = this.provider.handler;

    new CfnOutput(this, 'ServiceToken', {
      value: this.serviceToken,
      exportName: SERVICE_TOKEN_EXPORT,
      description: 'ServiceToken of Custom::MeshService (the Provider framework Lambda ARN)',
    });
    new CfnOutput(this, 'HandlerLogGroup', { value: this.provider.handlerLogGroup.logGroupName });
  }
}
