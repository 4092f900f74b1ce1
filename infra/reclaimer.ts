/**
 * The reclaimer (lambda/reclaim.ts) in the provider: a function of the handler's bundle, invoked by EventBridge when
 * a stack of the account completes a rollback or a deletion, and by a scheduled rule as a backstop. It removes what
 * the dead ids of Custom::MeshService resources own (a killed Create, whose rollback Delete the Provider framework
 * acknowledges without calling the handler), with the judgement of `mesh-service cleanup` (docs/operations.md).
 *
 * Its role may read stacks and tags and remove only: no create, update, tag or pass-role action.
 */

import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Aws, Duration, Validations } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import { TAG_PREFIX } from '../lambda/contract/values';
import { POLICY_ENV } from '../lambda/policy';
import { RECLAIMING_STATUSES, STACK_STATUS_CHANGE } from '../lambda/stack-events';

/** The App Mesh calls of a removal (lambda/appmesh/backend.ts `remove`): reads and deletes, in meshes of the account. */
export const RECLAIMER_APP_MESH_ACTIONS = [
  'appmesh:DescribeMesh',
  'appmesh:DescribeVirtualNode',
  'appmesh:DescribeVirtualRouter',
  'appmesh:DescribeRoute',
  'appmesh:DescribeVirtualService',
  'appmesh:DescribeGatewayRoute',
  'appmesh:ListTagsForResource',
  'appmesh:DeleteVirtualNode',
  'appmesh:DeleteVirtualRouter',
  'appmesh:DeleteRoute',
  'appmesh:DeleteVirtualService',
  'appmesh:DeleteGatewayRoute',
] as const;

/** Calls that support no resource-level permission: the revisions, the Cloud Map namespace, the Lattice lists. */
export const RECLAIMER_UNSCOPED_ACTIONS = [
  'ecs:DescribeTaskDefinition',
  'ecs:ListTaskDefinitions',
  'ecs:DeregisterTaskDefinition',
  'servicediscovery:ListNamespaces',
  'servicediscovery:ListServices',
  'servicediscovery:GetNamespace',
  'servicediscovery:GetOperation',
  'servicediscovery:DeleteNamespace',
  'servicediscovery:ListTagsForResource',
  'vpc-lattice:ListServices',
  'vpc-lattice:ListTargetGroups',
  'tag:GetResources',
] as const;

/** The Lattice calls of a removal (lambda/vpclattice/backend.ts `remove`), on resources of the account. */
export const RECLAIMER_LATTICE_ACTIONS = [
  'vpc-lattice:GetService',
  'vpc-lattice:DeleteService',
  'vpc-lattice:GetTargetGroup',
  'vpc-lattice:DeleteTargetGroup',
  'vpc-lattice:ListListeners',
  'vpc-lattice:DeleteListener',
  'vpc-lattice:ListRules',
  'vpc-lattice:DeleteRule',
  'vpc-lattice:ListServiceNetworkServiceAssociations',
  'vpc-lattice:DeleteServiceNetworkServiceAssociation',
  'vpc-lattice:ListAccessLogSubscriptions',
  'vpc-lattice:DeleteAccessLogSubscription',
  'vpc-lattice:GetAuthPolicy',
  'vpc-lattice:DeleteAuthPolicy',
  'vpc-lattice:ListTagsForResource',
] as const;

/** Elastic Load Balancing reads of a removal (Service Connect's Gateway): no resource-level permission. */
export const RECLAIMER_ELB_READ_ACTIONS = [
  'elasticloadbalancing:DescribeListeners',
  'elasticloadbalancing:DescribeLoadBalancers',
  'elasticloadbalancing:DescribeRules',
  'elasticloadbalancing:DescribeTargetGroups',
  'elasticloadbalancing:DescribeTags',
] as const;

/** Its deletes: target groups and listener rules carrying an ownership tag, nothing else. */
export const RECLAIMER_ELB_DELETE_ACTIONS = [
  'elasticloadbalancing:DeleteRule',
  'elasticloadbalancing:DeleteTargetGroup',
] as const;

/** The judgement: CloudFormation's own answer, on stacks of the account. */
export const RECLAIMER_CLOUDFORMATION_ACTIONS = [
  'cloudformation:DescribeStacks',
  'cloudformation:DescribeStackResource',
] as const;

export interface MeshServiceReclaimerProps {
  /** The folder of the handler's bundle (dist/lambda), which holds reclaim.js. */
  readonly codePath: string;
  /** Prefix of the fixed function name `<prefix>-Reclaimer`; none: generated. */
  readonly namePrefix?: string;
  readonly logRetention: logs.RetentionDays;
  readonly logsKey?: kms.IKey;
  /** Accounts that share meshes with this one (the handler's sharedMeshOwnerAccountIds). */
  readonly sharedMeshOwnerAccountIds: string[];
  /**
   * How often every owner of the account is judged, for what an event missed.
   * @default one day
   */
  readonly sweepInterval?: Duration;
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
}

export class MeshServiceReclaimer extends Construct {
  readonly function: lambda.Function;
  readonly logGroup: logs.ILogGroup;
  /** Events that could not be delivered, or whose reclaim kept failing after Lambda's retries. */
  readonly deadLetterQueue: sqs.Queue;
  /** The rule on CloudFormation's rollback and delete completions. */
  readonly stackEvents: events.Rule;
  /** The scheduled sweep. */
  readonly sweep: events.Rule;

  constructor(scope: Construct, id: string, props: MeshServiceReclaimerProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      ...(props.logsKey ? { encryptionKey: props.logsKey } : {}),
    });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // A dead-letter queue (Control Tower CT.SQS.PR.1): it keeps the events, it has none of its own.
      redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.ALLOW_ALL },
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description:
        'Custom::MeshService reclaimer: reads stacks and ownership tags, removes what dead resource ids own',
    });
    this.logGroup.grantWrite(role);
    this.grant(role, props.sharedMeshOwnerAccountIds);
    if (props.vpc) {
      role.addManagedPolicy(
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'),
      );
    }

    this.function = new lambda.Function(this, 'Function', {
      ...(props.namePrefix === undefined ? {} : { functionName: `${props.namePrefix}-Reclaimer` }),
      description: 'Custom::MeshService reclaimer: removes what rolled-back or deleted stacks left',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      code: lambda.Code.fromAsset(props.codePath),
      handler: 'reclaim.handler',
      timeout: Duration.minutes(10),
      memorySize: 512,
      role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      // A reclaim that failed is retried by Lambda (twice), then kept here with its event.
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: 2,
      ...(props.vpc
        ? {
            vpc: props.vpc,
            ...(props.vpcSubnets ? { vpcSubnets: props.vpcSubnets } : {}),
            ...(props.securityGroups ? { securityGroups: props.securityGroups } : {}),
          }
        : {}),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        // The App Mesh removal refuses a mesh owner the policy does not name (lambda/policy.ts).
        [POLICY_ENV.sharedMeshOwners]: props.sharedMeshOwnerAccountIds.join(','),
      },
    });

    // EventBridge retries a delivery that failed, for up to two hours, then leaves the event in the queue.
    const target = new targets.LambdaFunction(this.function, {
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: 8,
      maxEventAge: Duration.hours(2),
    });
    this.stackEvents = new events.Rule(this, 'StackCompletions', {
      description:
        'CloudFormation rollbacks and deletions completed: the reclaimer removes what dead ids own',
      eventPattern: {
        source: ['aws.cloudformation'],
        detailType: [STACK_STATUS_CHANGE],
        detail: { 'status-details': { status: [...RECLAIMING_STATUSES] } },
      },
      targets: [target],
    });
    this.sweep = new events.Rule(this, 'Sweep', {
      description: 'The reclaimer judges every owner of the account: a backstop for a missed event',
      schedule: events.Schedule.rate(props.sweepInterval ?? Duration.days(1)),
      targets: [target],
    });
    this.acknowledge(role, props.sharedMeshOwnerAccountIds, !!props.vpc);
  }

  private grant(role: iam.Role, sharedMeshOwners: string[]): void {
    const meshArn = (account: string) => `arn:${Aws.PARTITION}:appmesh:${Aws.REGION}:${account}:mesh/*`;
    const lattice = (resource: string) =>
      `arn:${Aws.PARTITION}:vpc-lattice:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'JudgeWithCloudFormation',
        actions: [...RECLAIMER_CLOUDFORMATION_ACTIONS],
        resources: [`arn:${Aws.PARTITION}:cloudformation:${Aws.REGION}:${Aws.ACCOUNT_ID}:stack/*/*`],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'RemoveAppMeshResources',
        actions: [...RECLAIMER_APP_MESH_ACTIONS],
        resources: [meshArn(Aws.ACCOUNT_ID), ...sharedMeshOwners.map(meshArn)],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'RemoveLatticeResources',
        actions: [...RECLAIMER_LATTICE_ACTIONS],
        resources: [
          lattice('service/*'),
          lattice('targetgroup/*'),
          lattice('servicenetworkserviceassociation/*'),
          lattice('accesslogsubscription/*'),
        ],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadElbOfServiceConnectGateways',
        // Elastic Load Balancing's Describe actions support no resource-level permission.
        actions: [...RECLAIMER_ELB_READ_ACTIONS],
        resources: ['*'],
      }),
    );
    const elb = (resource: string) =>
      `arn:${Aws.PARTITION}:elasticloadbalancing:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'RemoveOwnedTargetGroupsAndRules',
        // Only what carries an ownership tag; the reclaimer checks the tag names the dead id before deleting.
        actions: [...RECLAIMER_ELB_DELETE_ACTIONS],
        resources: [elb('targetgroup/*'), elb('listener-rule/app/*')],
        conditions: { Null: { [`aws:ResourceTag/${TAG_PREFIX}owner`]: 'false' } },
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'FindOwnersAndRemoveRevisionsAndNamespaces',
        // None of these supports resource-level permissions.
        actions: [...RECLAIMER_UNSCOPED_ACTIONS],
        resources: ['*'],
      }),
    );
  }

  private acknowledge(role: iam.Role, sharedMeshOwners: readonly string[], inVpc: boolean): void {
    if (inVpc) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
        reason: 'The AWS managed policy a function in a VPC needs for its network interfaces.',
      });
    }
    Validations.of(role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudformation:<AWS::Region>:<AWS::AccountId>:stack/*/*]',
        reason:
          'DescribeStacks and DescribeStackResource of the stack an ownership tag names, to judge whether CloudFormation still holds the id; read-only, stacks of this account and Region.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:appmesh:<AWS::Region>:<AWS::AccountId>:mesh/*]',
        reason:
          'The reclaimer removes what dead ids own in whatever mesh their tags name; only App Mesh reads and deletes, in meshes of this account and Region, and only of resources carrying the dead id’s ownership tags.',
      },
      ...sharedMeshOwners.map((account) => ({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:appmesh:<AWS::Region>:${account}:mesh/*]`,
        reason: `Meshes that account ${account} shares with this one (sharedMeshOwnerAccountIds): the same reads and deletes.`,
      })),
      ...['service', 'targetgroup', 'servicenetworkserviceassociation', 'accesslogsubscription'].map(
        (kind) => ({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:vpc-lattice:<AWS::Region>:<AWS::AccountId>:${kind}/*]`,
          reason:
            'Backend VpcLattice: the Lattice resources a dead id owns have generated ids; reads and deletes only, in this account and Region, of what carries its ownership tags.',
        }),
      ),
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'tag:GetResources, ECS DescribeTaskDefinition/ListTaskDefinitions/DeregisterTaskDefinition, the Cloud Map namespace calls, the Lattice lists and the Elastic Load Balancing Describe calls support no resource-level permissions; the statements list only the calls a removal makes, none that creates or changes anything else.',
      },
      ...['targetgroup/*', 'listener-rule/app/*'].map((resource) => ({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:elasticloadbalancing:<AWS::Region>:<AWS::AccountId>:${resource}]`,
        reason:
          'Backend ServiceConnect with a Gateway: the target group and listener rule a dead id owns have generated ids; DeleteRule and DeleteTargetGroup only, in this account and Region, of what carries an ownership tag.',
      })),
    );
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is the dead-letter queue of the reclaimer (its EventBridge targets and its asynchronous invocations).',
    });
  }
}
