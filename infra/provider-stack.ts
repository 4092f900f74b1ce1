import * as path from 'node:path';
import { Aws, CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Provider } from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import { DEFAULT_POLICY, POLICY_ENV } from '../lambda/policy';

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
  /**
   * Task-definition families any permitted stack may patch without a `mesh-service:allowed-stacks` grant on the
   * revision (`*` matches any characters), e.g. families registered by CI pipelines.
   * @default none: only revisions tagged for the invoking stack
   */
  readonly allowedTaskFamilies?: readonly string[];
  /**
   * Roles (IAM path and name after `role/`, `*` matches any characters) that patched revisions may pass to ECS:
   * the handler's `iam:PassRole` grant and the check it makes before any change.
   * @default ['mesh-service/*']
   */
  readonly passRoles?: readonly string[];
  /**
   * Images (`*` matches any characters) allowed for Envoy.Image and Envoy.Tracing.DaemonImage beyond the official
   * App Mesh Envoy and X-Ray daemon images, e.g. a mirror in the platform's ECR.
   * @default none
   */
  readonly allowedImages?: readonly string[];
  /**
   * Check every request of a stack of this account with CloudFormation (DescribeStackResource) before acting.
   * @default true
   */
  readonly verifyStackRequests?: boolean;
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
    const passRoles = props.passRoles ?? DEFAULT_POLICY.passRoles;
    if (passRoles.length === 0) throw new Error('passRoles must name at least one role pattern');
    for (const pattern of passRoles) {
      if (!/^[\w+=,.@/*-]+$/.test(pattern) || pattern.startsWith('/') || pattern === '*') {
        throw new Error(
          `passRoles: "${pattern}" is not a role pattern after "role/" (e.g. mesh-service/*); "*" alone would let templates pass every role`,
        );
      }
    }
    this.grantServicePermissions(role, props.sharedMeshOwnerAccountIds ?? [], passRoles);

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
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        // The trust policy (lambda/policy.ts, docs/security.md).
        [POLICY_ENV.invokerAccounts]: props.invokerOrganizationId
          ? '*'
          : (props.invokerAccountIds ?? []).join(','),
        [POLICY_ENV.taskFamilies]: (props.allowedTaskFamilies ?? []).join(','),
        [POLICY_ENV.passRoles]: passRoles.join(','),
        [POLICY_ENV.images]: (props.allowedImages ?? []).join(','),
        [POLICY_ENV.verifyStacks]: String(props.verifyStackRequests ?? true),
      },
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

    this.acknowledgeFindings(role, frameworkRole, props.sharedMeshOwnerAccountIds ?? [], passRoles);
  }

  private grantServicePermissions(
    role: iam.Role,
    sharedMeshOwners: readonly string[],
    passRoles: readonly string[],
  ): void {
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
        // Only the roles patched revisions may carry (context passRoles), and only to ECS tasks: never role/*.
        resources: passRoles.map((pattern) => `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${pattern}`),
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'CloudMapNamespacesForServiceConnect',
        // Backend ServiceConnect: find the namespace, create it when asked (tagged), delete the one it created. Cloud
        // Map supports no resource-level permission for ListNamespaces, GetOperation or CreateHttpNamespace.
        actions: [
          'servicediscovery:ListNamespaces',
          'servicediscovery:GetNamespace',
          'servicediscovery:GetOperation',
          'servicediscovery:CreateHttpNamespace',
          'servicediscovery:DeleteNamespace',
          'servicediscovery:ListTagsForResource',
          'servicediscovery:TagResource',
        ],
        resources: ['*'],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'VerifyRequestsWithCloudFormation',
        // Proves that a request names a stack operation in progress (lambda/stack-verifier.ts).
        actions: ['cloudformation:DescribeStackResource', 'cloudformation:DescribeStacks'],
        resources: [`arn:${Aws.PARTITION}:cloudformation:${Aws.REGION}:${Aws.ACCOUNT_ID}:stack/*/*`],
      }),
    );
  }

  private acknowledgeFindings(
    role: iam.Role,
    frameworkRole: iam.Role,
    sharedMeshOwners: readonly string[],
    passRoles: readonly string[],
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
          'ecs:RegisterTaskDefinition, DeregisterTaskDefinition, DescribeTaskDefinition and ListTaskDefinitions support no resource-level permissions; the statement lists only those four actions. The Cloud Map statement (Backend ServiceConnect) lists only the namespace calls the handler makes: ListNamespaces, GetOperation and CreateHttpNamespace take no resource, and the namespaces a template names are not known in advance.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task-definition/*]',
        reason:
          'Patched task definitions are new revisions of families named by templates; tagging is limited to task definitions of this account and Region.',
      },
      ...passRoles
        .filter((pattern) => pattern.includes('*'))
        .map((pattern) => ({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/${pattern}]`,
          reason: `Registering a patched task definition passes the task and execution roles of the template's own revision; iam:PassRole covers only roles matching ${pattern} (context passRoles), only to ecs-tasks.amazonaws.com.`,
        })),
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudformation:<AWS::Region>:<AWS::AccountId>:stack/*/*]',
        reason:
          'DescribeStackResource and DescribeStacks on the stack a request names, to prove the request comes from that stack; read-only, stacks of this account and Region.',
      },
    );
    Validations.of(frameworkRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.handler.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      reason:
        'Granted by the Provider framework: lambda:InvokeFunction on the handler and its versions/aliases (the ":*" suffix), nothing else.',
    });
  }
}
