import * as path from 'node:path';
import { Aws, CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Provider } from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';

/** The export every template imports: `!ImportValue MeshServiceProvider-ServiceToken`. Stable forever. */
export const SERVICE_TOKEN_EXPORT = 'MeshServiceProvider-ServiceToken';
export const PROVIDER_RUNTIME = lambda.Runtime.NODEJS_24_X;

export interface MeshServiceProviderStackProps extends StackProps {
  /** Folder with the bundled handler (`npm run build` writes it). Default: dist/lambda at the repository root. */
  readonly codePath?: string;
  /** Prefix of the fixed function names; the ServiceToken is the ARN of `<prefix>-ServiceToken`. */
  readonly namePrefix?: string;
  /** Lets CloudFormation stacks of every account of this AWS Organization use the ServiceToken. */
  readonly invokerOrganizationId?: string;
  /** Lets CloudFormation stacks of these accounts use the ServiceToken (e.g. Service Catalog portfolio shares). */
  readonly invokerAccountIds?: readonly string[];
  /** Accounts that share meshes with this one (MeshOwner); their mesh ARNs are added to the App Mesh permissions. */
  readonly sharedMeshOwnerAccountIds?: readonly string[];
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Deploys the Custom::MeshService provider: the handler Lambda (the bundle in dist/lambda) behind the CDK Provider
 * framework, and exports the framework's ARN as the ServiceToken.
 */
export class MeshServiceProviderStack extends Stack {
  readonly serviceToken: string;
  readonly handler: lambda.Function;

  constructor(scope: Construct, id: string, props: MeshServiceProviderStackProps = {}) {
    super(scope, id, {
      description: 'Custom::MeshService provider: App Mesh services on ECS from plain CloudFormation',
      ...props,
    });
    const prefix = props.namePrefix ?? 'MeshServiceProvider';
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const codePath = props.codePath ?? path.join(__dirname, '..', 'dist', 'lambda');

    const handlerLogs = new logs.LogGroup(this, 'HandlerLogs', { retention });
    const frameworkLogs = new logs.LogGroup(this, 'FrameworkLogs', { retention });

    const role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Custom::MeshService handler: App Mesh resources and ECS task definitions it manages',
    });
    handlerLogs.grantWrite(role);
    this.grantServicePermissions(role, props.sharedMeshOwnerAccountIds ?? []);

    this.handler = new lambda.Function(this, 'Handler', {
      functionName: `${prefix}-Handler`,
      description: 'Custom::MeshService onEvent handler',
      runtime: PROVIDER_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      code: lambda.Code.fromAsset(codePath),
      handler: 'index.handler',
      // The Provider framework waits at most 15 minutes for onEvent; the handler keeps 90 s of this for cleanup.
      timeout: Duration.minutes(10),
      memorySize: 512,
      role,
      logGroup: handlerLogs,
      environment: { NODE_OPTIONS: '--enable-source-maps' },
    });

    const frameworkRole = new iam.Role(this, 'FrameworkRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Custom::MeshService Provider framework: invokes the handler and answers CloudFormation',
    });
    frameworkLogs.grantWrite(frameworkRole);

    const provider = new Provider(this, 'Provider', {
      onEventHandler: this.handler,
      providerFunctionName: `${prefix}-ServiceToken`,
      frameworkOnEventRole: frameworkRole,
      logGroup: frameworkLogs,
    });
    this.serviceToken = provider.serviceToken;

    if (props.invokerOrganizationId) {
      new lambda.CfnPermission(this, 'InvokeFromOrganization', {
        action: 'lambda:InvokeFunction',
        functionName: provider.serviceToken,
        principal: '*',
        principalOrgId: props.invokerOrganizationId,
      });
    }
    (props.invokerAccountIds ?? []).forEach((account, i) => {
      new lambda.CfnPermission(this, `InvokeFromAccount${i}`, {
        action: 'lambda:InvokeFunction',
        functionName: provider.serviceToken,
        principal: account,
      });
    });

    new CfnOutput(this, 'ServiceToken', {
      value: provider.serviceToken,
      exportName: SERVICE_TOKEN_EXPORT,
      description: 'ServiceToken of Custom::MeshService (the Provider framework Lambda ARN)',
    });
    new CfnOutput(this, 'HandlerLogGroup', { value: handlerLogs.logGroupName });

    this.acknowledgeFindings(role, frameworkRole, props.sharedMeshOwnerAccountIds ?? []);
  }

  private grantServicePermissions(role: iam.Role, sharedMeshOwners: readonly string[]): void {
    const meshArn = (account: string) => `arn:${Aws.PARTITION}:appmesh:${Aws.REGION}:${account}:mesh/*`;
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AppMeshServiceResources',
        actions: [
          'appmesh:DescribeMesh',
          'appmesh:DescribeVirtualGateway',
          'appmesh:DescribeVirtualNode',
          'appmesh:CreateVirtualNode',
          'appmesh:UpdateVirtualNode',
          'appmesh:DeleteVirtualNode',
          'appmesh:DescribeVirtualRouter',
          'appmesh:CreateVirtualRouter',
          'appmesh:UpdateVirtualRouter',
          'appmesh:DeleteVirtualRouter',
          'appmesh:ListVirtualNodes',
          'appmesh:ListVirtualServices',
          'appmesh:ListVirtualRouters',
          'appmesh:ListVirtualGateways',
          'appmesh:ListGatewayRoutes',
          'appmesh:ListRoutes',
          'appmesh:DescribeRoute',
          'appmesh:CreateRoute',
          'appmesh:UpdateRoute',
          'appmesh:DeleteRoute',
          'appmesh:DescribeVirtualService',
          'appmesh:CreateVirtualService',
          'appmesh:UpdateVirtualService',
          'appmesh:DeleteVirtualService',
          'appmesh:DescribeGatewayRoute',
          'appmesh:CreateGatewayRoute',
          'appmesh:UpdateGatewayRoute',
          'appmesh:DeleteGatewayRoute',
          'appmesh:ListTagsForResource',
          'appmesh:TagResource',
          'appmesh:UntagResource',
        ],
        resources: [meshArn(Aws.ACCOUNT_ID), ...sharedMeshOwners.map(meshArn)],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'EcsTaskDefinitionsReadAndRegister',
        // These ECS actions support no resource-level permissions: the resource must be "*".
        actions: [
          'ecs:DescribeTaskDefinition',
          'ecs:ListTaskDefinitions',
          'ecs:RegisterTaskDefinition',
          'ecs:DeregisterTaskDefinition',
        ],
        resources: ['*'],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'EcsTaskDefinitionTags',
        actions: ['ecs:TagResource', 'ecs:UntagResource'],
        resources: [`arn:${Aws.PARTITION}:ecs:${Aws.REGION}:${Aws.ACCOUNT_ID}:task-definition/*`],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PassTaskRolesToEcsOnly',
        actions: ['iam:PassRole'],
        resources: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/*`],
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    );
  }

  private acknowledgeFindings(
    role: iam.Role,
    frameworkRole: iam.Role,
    sharedMeshOwners: readonly string[],
  ): void {
    Validations.of(role).acknowledge(
      ...sharedMeshOwners.map((account) => ({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:appmesh:<AWS::Region>:${account}:mesh/*]`,
        reason: `Meshes that account ${account} shares with this one (context sharedMeshOwnerAccountIds), for MeshOwner; the same App Mesh actions only.`,
      })),
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:appmesh:<AWS::Region>:<AWS::AccountId>:mesh/*]',
        reason:
          'The handler manages App Mesh resources in whatever mesh a template names (MeshName); the statement is limited to the App Mesh actions it calls, in meshes of this account and Region.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'ecs:RegisterTaskDefinition, DeregisterTaskDefinition, DescribeTaskDefinition and ListTaskDefinitions support no resource-level permissions; the statement lists only those four actions.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task-definition/*]',
        reason:
          'Patched task definitions are new revisions of families named by templates; tagging is limited to task definitions of this account and Region.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*]',
        reason:
          'Registering a task definition passes its task and execution roles, which templates name; iam:PassRole is limited to ecs-tasks.amazonaws.com by the iam:PassedToService condition.',
      },
    );
    Validations.of(frameworkRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.handler.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      reason:
        'Granted by the Provider framework: lambda:InvokeFunction on the handler and its versions/aliases (the ":*" suffix), nothing else.',
    });
  }
}
