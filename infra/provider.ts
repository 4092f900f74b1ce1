/**
 * The Custom::MeshService provider as a construct, for use inside any stack: the handler Lambda (the bundle this
 * package ships in dist/lambda) behind the CDK Provider framework, with the trust policy of docs/security.md and the
 * same secure defaults as the MeshServiceProvider stack (which is a thin wrapper over this construct).
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib/core';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { TAG_PREFIX } from '../lambda/contract/values';
import { DEFAULT_POLICY, POLICY_ENV } from '../lambda/policy';
import { MeshServiceReclaimer } from './reclaimer';

/** The Lambda runtime of the handler. */
export const PROVIDER_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * The handler bundle shipped with this package: dist/lambda, found from the compiled library (dist/lib/infra, in an
 * installed package or the repository) or from the sources (infra/, in the repository).
 */
export function defaultHandlerCodePath(): string {
  const candidates = [
    path.join(__dirname, '..', '..', 'lambda'), // dist/lib/infra -> dist/lambda
    path.join(__dirname, '..', 'dist', 'lambda'), // infra -> dist/lambda
  ];
  const found = candidates.find((c) => existsSync(path.join(c, 'index.js')));
  if (!found) {
    throw new Error(
      `the handler bundle (index.js) is in none of ${candidates.join(', ')}: run \`npm run build\` in the repository, or reinstall mesh-service-provider`,
    );
  }
  return found;
}

/**
 * Lets CloudWatch Logs of this account and Region use a key for log groups, and denies grants on it to anything but
 * AWS services acting for AWS resources (Control Tower CT.KMS.PR.3).
 */
export function allowCloudWatchLogs(key: kms.Key): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchLogsOfThisAccount',
      principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`,
        },
      },
    }),
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'GrantsOnlyForAwsServices',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: {
        BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
      },
    }),
  );
}

export interface MeshServiceProviderProps {
  /**
   * Folder with the bundled handler.
   * @default the bundle this package ships (dist/lambda)
   */
  readonly codePath?: string;
  /**
   * Prefix of fixed function names: `<prefix>-Handler` and `<prefix>-ServiceToken` (the ServiceToken is the ARN of the
   * latter). Fixed names are unique per account and Region: two stages of one app in the same account and Region
   * need different prefixes. The MeshServiceProvider stack sets `MeshServiceProvider`, the names its export and the
   * Service Catalog product rely on.
   * @default none: CloudFormation generates the names
   */
  readonly namePrefix?: string;
  /**
   * Lets CloudFormation stacks of every account of this AWS Organization use the ServiceToken.
   * @default none
   */
  readonly invokerOrganizationId?: string;
  /**
   * Lets CloudFormation stacks of these accounts use the ServiceToken (e.g. Service Catalog portfolio shares).
   * @default none
   */
  readonly invokerAccountIds?: string[];
  /**
   * Accounts that share meshes with this one (MeshOwner): their mesh ARNs are added to the App Mesh permissions, and
   * the handler refuses, before any call, a MeshOwner that is neither one of them nor this account.
   * @default none
   */
  readonly sharedMeshOwnerAccountIds?: string[];
  /**
   * Task-definition families any permitted stack may patch without a `mesh-service:allowed-stacks` grant on the
   * revision (`*` matches any characters), e.g. families registered by CI pipelines.
   * @default none: only revisions tagged for the invoking stack
   */
  readonly allowedTaskFamilies?: string[];
  /**
   * Roles (IAM path and name after `role/`, `*` matches any characters) that patched revisions may pass to ECS:
   * the handler's `iam:PassRole` grant and the check it makes before any change.
   * @default ['mesh-service/*']
   */
  readonly passRoles?: string[];
  /**
   * Images (`*` matches any characters) allowed for Envoy.Image and Envoy.Tracing.DaemonImage beyond the official
   * App Mesh Envoy and X-Ray daemon images, e.g. a mirror in the platform's ECR.
   * @default none
   */
  readonly allowedImages?: string[];
  /**
   * Check every request of a stack of this account with CloudFormation (DescribeStackResource) before acting.
   * @default true
   */
  readonly verifyStackRequests?: boolean;
  /**
   * Retention of the two log groups (Control Tower CT.CLOUDWATCH.PR.2 asks for at least a year).
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * KMS key that encrypts the log groups (Control Tower CT.CLOUDWATCH.PR.3). Its key policy must let CloudWatch Logs
   * of the Region use it.
   * @default a key created for them, with rotation, unless encryptLogs is false
   */
  readonly logsKey?: kms.IKey;
  /**
   * Encrypt the log groups with a customer managed KMS key (about 1 USD a month). `false` leaves them encrypted with
   * CloudWatch Logs' own key: an exception to Control Tower CT.CLOUDWATCH.PR.3.
   * @default true
   */
  readonly encryptLogs?: boolean;
  /**
   * Runs both functions in this VPC (Control Tower CT.LAMBDA.PR.3). They call App Mesh, ECS, CloudFormation, Cloud
   * Map, Lambda and S3 (CloudFormation's response URL): the subnets need a NAT gateway or VPC endpoints for those.
   * @default no VPC: an exception to CT.LAMBDA.PR.3
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Subnets of `vpc` for the functions.
   * @default the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Security groups of the functions in `vpc`.
   * @default one created by each function, all outbound allowed
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/**
 * Deploys the Custom::MeshService provider in a stack: the handler Lambda behind the CDK Provider framework. Give
 * `serviceToken` to MeshService constructs, or export it for templates (the MeshServiceProvider stack exports it as
 * `MeshServiceProvider-ServiceToken`).
 */
export class MeshServiceProvider extends Construct {
  /** The ServiceToken of Custom::MeshService (the Provider framework Lambda's ARN). */
  readonly serviceToken: string;
  /** The handler function. */
  readonly handler: lambda.Function;
  /** The handler's log group. */
  readonly handlerLogGroup: logs.ILogGroup;
  /** The Provider framework's log group. */
  readonly frameworkLogGroup: logs.ILogGroup;
  /** The key that encrypts both log groups, when they are encrypted with a customer managed key. */
  readonly logsKey?: kms.IKey;
  /** The roles patched revisions may pass to ECS (passRoles); MeshService checks task definitions against them. */
  readonly passRoles: string[];
  /** The families any permitted stack may patch without a grant (allowedTaskFamilies). */
  readonly allowedTaskFamilies: string[];
  /**
   * The reclaimer: removes what Custom::MeshService resources of rolled-back or deleted stacks left (a killed
   * Create), on CloudFormation's stack status change events and a daily sweep (docs/operations.md).
   */
  readonly reclaimer: MeshServiceReclaimer;

  constructor(scope: Construct, id: string, props: MeshServiceProviderProps = {}) {
    super(scope, id);
    const prefix = props.namePrefix;
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const codePath = props.codePath ?? defaultHandlerCodePath();

    this.logsKey = props.logsKey ?? (props.encryptLogs === false ? undefined : this.createLogsKey());
    const encryptionKey = this.logsKey ? { encryptionKey: this.logsKey } : {};
    const handlerLogs = new logs.LogGroup(this, 'HandlerLogs', { retention, ...encryptionKey });
    const frameworkLogs = new logs.LogGroup(this, 'FrameworkLogs', { retention, ...encryptionKey });
    this.handlerLogGroup = handlerLogs;
    this.frameworkLogGroup = frameworkLogs;

    const role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Custom::MeshService handler: App Mesh resources and ECS task definitions it manages',
    });
    handlerLogs.grantWrite(role);
    const passRoles = props.passRoles ?? [...DEFAULT_POLICY.passRoles];
    if (passRoles.length === 0) throw new Error('passRoles must name at least one role pattern');
    this.passRoles = passRoles;
    this.allowedTaskFamilies = [...(props.allowedTaskFamilies ?? [])];
    for (const pattern of passRoles) {
      if (!/^[\w+=,.@/*-]+$/.test(pattern) || pattern.startsWith('/') || pattern === '*') {
        throw new Error(
          `passRoles: "${pattern}" is not a role pattern after "role/" (e.g. mesh-service/*); "*" alone would let templates pass every role`,
        );
      }
    }
    this.grantServicePermissions(role, props.sharedMeshOwnerAccountIds ?? [], passRoles);
    const network = props.vpc
      ? {
          vpc: props.vpc,
          ...(props.vpcSubnets ? { vpcSubnets: props.vpcSubnets } : {}),
          ...(props.securityGroups ? { securityGroups: props.securityGroups } : {}),
        }
      : {};
    if (props.vpc) {
      role.addManagedPolicy(
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'),
      );
    }

    this.handler = new lambda.Function(this, 'Handler', {
      ...(prefix === undefined ? {} : { functionName: `${prefix}-Handler` }),
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
      // The handler writes JSON lines with Powertools' field names (lambda/log.ts); Lambda filters them by level.
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      ...network,
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
        [POLICY_ENV.sharedMeshOwners]: (props.sharedMeshOwnerAccountIds ?? []).join(','),
      },
    });

    const frameworkRole = new iam.Role(this, 'FrameworkRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Custom::MeshService Provider framework: invokes the handler and answers CloudFormation',
    });
    frameworkLogs.grantWrite(frameworkRole);
    if (props.vpc) {
      frameworkRole.addManagedPolicy(
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'),
      );
    }

    const provider = new Provider(this, 'Provider', {
      onEventHandler: this.handler,
      ...(prefix === undefined ? {} : { providerFunctionName: `${prefix}-ServiceToken` }),
      frameworkOnEventRole: frameworkRole,
      logGroup: frameworkLogs,
      ...network,
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

    this.reclaimer = new MeshServiceReclaimer(this, 'Reclaimer', {
      codePath,
      ...(prefix === undefined ? {} : { namePrefix: prefix }),
      logRetention: retention,
      ...(this.logsKey ? { logsKey: this.logsKey } : {}),
      sharedMeshOwnerAccountIds: props.sharedMeshOwnerAccountIds ?? [],
      ...network,
    });

    this.acknowledgeFindings(
      role,
      frameworkRole,
      props.sharedMeshOwnerAccountIds ?? [],
      passRoles,
      !!props.vpc,
    );
  }

  /** A customer managed key for the log groups, usable by CloudWatch Logs of this Region for this account's groups. */
  private createLogsKey(): kms.Key {
    const key = new kms.Key(this, 'LogsKey', {
      description: 'Encrypts the log groups of the Custom::MeshService provider',
      enableKeyRotation: true,
    });
    allowCloudWatchLogs(key);
    return key;
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
        // Backend ServiceConnect: find the namespace, create it when asked (tagged), delete the one it created once
        // no Cloud Map service is in it (ListServices). Cloud Map supports no resource-level permission for
        // ListNamespaces, ListServices, GetOperation or CreateHttpNamespace.
        actions: [
          'servicediscovery:ListNamespaces',
          'servicediscovery:ListServices',
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
    const lattice = (resource: string) =>
      `arn:${Aws.PARTITION}:vpc-lattice:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'VpcLatticeLists',
        // Backend VpcLattice: the service and target groups by name, the service network by name. These lists
        // support no resource-level permission.
        actions: [
          'vpc-lattice:ListServices',
          'vpc-lattice:ListServiceNetworks',
          'vpc-lattice:ListTargetGroups',
        ],
        resources: ['*'],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'VpcLatticeServiceResources',
        // Backend VpcLattice: the service, its listener and rules, its target groups, its association with the
        // platform's service network, its auth policy and access log subscription, in this account and Region.
        actions: [
          'vpc-lattice:GetService',
          'vpc-lattice:CreateService',
          'vpc-lattice:UpdateService',
          'vpc-lattice:DeleteService',
          'vpc-lattice:GetTargetGroup',
          'vpc-lattice:CreateTargetGroup',
          'vpc-lattice:UpdateTargetGroup',
          'vpc-lattice:DeleteTargetGroup',
          'vpc-lattice:ListListeners',
          'vpc-lattice:GetListener',
          'vpc-lattice:CreateListener',
          'vpc-lattice:UpdateListener',
          'vpc-lattice:DeleteListener',
          'vpc-lattice:ListRules',
          'vpc-lattice:GetRule',
          'vpc-lattice:CreateRule',
          'vpc-lattice:UpdateRule',
          'vpc-lattice:DeleteRule',
          'vpc-lattice:ListServiceNetworkServiceAssociations',
          'vpc-lattice:CreateServiceNetworkServiceAssociation',
          'vpc-lattice:DeleteServiceNetworkServiceAssociation',
          'vpc-lattice:GetAuthPolicy',
          'vpc-lattice:PutAuthPolicy',
          'vpc-lattice:DeleteAuthPolicy',
          'vpc-lattice:ListAccessLogSubscriptions',
          'vpc-lattice:CreateAccessLogSubscription',
          'vpc-lattice:UpdateAccessLogSubscription',
          'vpc-lattice:DeleteAccessLogSubscription',
          'vpc-lattice:ListTagsForResource',
          'vpc-lattice:TagResource',
          'vpc-lattice:UntagResource',
        ],
        resources: [
          lattice('service/*'),
          lattice('targetgroup/*'),
          lattice('servicenetworkserviceassociation/*'),
          lattice('accesslogsubscription/*'),
        ],
      }),
    );
    const elb = (resource: string) =>
      `arn:${Aws.PARTITION}:elasticloadbalancing:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
    const ownerTag = `${TAG_PREFIX}owner`;
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ElbReadsForServiceConnectIngress',
        // Backend ServiceConnect with a Gateway: the listener, its load balancer's VPC, its rules, the target group
        // by name and their tags. Elastic Load Balancing's Describe actions support no resource-level permission.
        actions: [
          'elasticloadbalancing:DescribeListeners',
          'elasticloadbalancing:DescribeLoadBalancers',
          'elasticloadbalancing:DescribeRules',
          'elasticloadbalancing:DescribeTargetGroups',
          'elasticloadbalancing:DescribeTags',
        ],
        resources: ['*'],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ElbCreateOwnedTargetGroupsAndRules',
        // Only created with the ownership tag (on any listener of the account: the platform names it).
        actions: ['elasticloadbalancing:CreateTargetGroup', 'elasticloadbalancing:CreateRule'],
        resources: [elb('targetgroup/*'), elb('listener/app/*'), elb('listener-rule/app/*')],
        conditions: { Null: { [`aws:RequestTag/${ownerTag}`]: 'false' } },
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ElbTagOnCreate',
        actions: ['elasticloadbalancing:AddTags'],
        resources: [elb('targetgroup/*'), elb('listener-rule/app/*')],
        conditions: {
          StringEquals: { 'elasticloadbalancing:CreateAction': ['CreateTargetGroup', 'CreateRule'] },
        },
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ElbChangeOwnedTargetGroupsAndRules',
        // Only what carries the ownership tag; the provider checks the tags' values before every change.
        actions: [
          'elasticloadbalancing:ModifyTargetGroup',
          'elasticloadbalancing:DeleteTargetGroup',
          'elasticloadbalancing:ModifyRule',
          'elasticloadbalancing:SetRulePriorities',
          'elasticloadbalancing:DeleteRule',
          'elasticloadbalancing:AddTags',
        ],
        resources: [elb('targetgroup/*'), elb('listener-rule/app/*')],
        conditions: { Null: { [`aws:ResourceTag/${ownerTag}`]: 'false' } },
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'VpcLatticeServiceNetworkJoin',
        // Backend VpcLattice: the platform's service network is not the resource's own: it is read and joined (the
        // association needs the permission on the network as well as on the service), never changed or tagged.
        actions: ['vpc-lattice:GetServiceNetwork', 'vpc-lattice:CreateServiceNetworkServiceAssociation'],
        resources: [lattice('servicenetwork/*')],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'FindWhatAResourceOwnsByItsTags',
        // One call finds everything a stack's logical resource owns (lambda/aws/tagging.ts), so an Update or a
        // Delete reconciles against all of it. Read-only; tag:GetResources supports no resource-level permission.
        actions: ['tag:GetResources'],
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
    inVpc: boolean,
  ): void {
    if (inVpc) {
      for (const r of [role, frameworkRole]) {
        Validations.of(r).acknowledge({
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
          reason: 'The AWS managed policy a function in a VPC needs for its network interfaces.',
        });
      }
    }
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
          'ecs:RegisterTaskDefinition, DeregisterTaskDefinition, DescribeTaskDefinition and ListTaskDefinitions support no resource-level permissions; the statement lists only those four actions. The Cloud Map statement (Backend ServiceConnect) lists only the namespace calls the handler makes: ListNamespaces, ListServices, GetOperation and CreateHttpNamespace take no resource, and the namespaces a template names are not known in advance. tag:GetResources (read-only, filtered by the ownership tags) supports no resource-level permission. The VPC Lattice lists (ListServices, ListServiceNetworks, ListTargetGroups, Backend VpcLattice) support none either, nor do the Elastic Load Balancing Describe calls (Backend ServiceConnect with a Gateway: the listener, its rules, the target group and their tags).',
      },
      ...[
        'service',
        'targetgroup',
        'servicenetwork',
        'servicenetworkserviceassociation',
        'accesslogsubscription',
      ].map((kind) => ({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:vpc-lattice:<AWS::Region>:<AWS::AccountId>:${kind}/*]`,
        reason:
          'Backend VpcLattice: the Lattice resources a template names are created with generated ids; the actions are limited to this account and Region, and the handler changes only what carries its ownership tags.',
      })),
      ...['targetgroup/*', 'listener/app/*', 'listener-rule/app/*'].map((resource) => ({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:elasticloadbalancing:<AWS::Region>:<AWS::AccountId>:${resource}]`,
        reason:
          'Backend ServiceConnect with a Gateway: the target group and listener rule a resource owns on the listener the platform names (Gateway.ListenerArn), with generated ids; created only with the ownership tag (aws:RequestTag), changed and deleted only when they carry it (aws:ResourceTag), in this account and Region; no load balancer or listener is changed.',
      })),
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
