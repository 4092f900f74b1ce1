/**
 * A Service Catalog portfolio with one CloudFormation product: examples/service.yaml, a meshed ECS service on the
 * MeshPlatform stack. Teams launch it without any permission of their own: a launch role does the work, and may do
 * exactly what the product template needs. docs/service-catalog.md is the guide for platform teams.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as servicecatalog from 'aws-cdk-lib/aws-servicecatalog';
import { Aws, CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib/core';
import type { Construct } from 'constructs';
import { PLATFORM_DEFAULTS } from './platform-stack';

/** The launch constraint names the role by name, so that every account the portfolio is shared with uses its own. */
export const LAUNCH_ROLE_NAME = 'MeshServiceCatalogLaunchRole';
/** The product creates its IAM roles under this path, and the launch role may create roles only there. */
export const SERVICE_ROLE_PATH = '/mesh-service/';
/** Permissions boundary the launch role must attach to every role it creates. */
export const ROLE_BOUNDARY_NAME = 'MeshServiceRoleBoundary';
/** The product names its log group `/mesh-service/<ServiceName>`; the launch role manages no other log group. */
export const SERVICE_LOG_GROUP_PREFIX = '/mesh-service/';
/** Service Catalog names the stacks it provisions `SC-<account>-pp-<id>`. */
export const PROVISIONED_STACK_PREFIX = 'SC-';
/** The provider stack's fixed function name (`<namePrefix>-ServiceToken` with the default prefix). */
export const PROVIDER_FUNCTION_NAME = 'MeshServiceProvider-ServiceToken';
/** A new name gives Service Catalog a new provisioning artifact; bump it whenever examples/service.yaml changes. */
export const PRODUCT_VERSION = 'v2';
export const SERVICE_TEMPLATE_PATH = path.join(__dirname, '..', 'examples', 'service.yaml');

export interface MeshServiceCatalogStackProps extends StackProps {
  /**
   * IAM principals that may launch the product: role, user or group ARNs, or IAM_PATTERN ARNs such as
   * `arn:aws:iam:::role/Team*` (no account; a wildcard in the name). Default: none (associate them later).
   */
  readonly principalArns?: readonly string[];
  /** Accounts the portfolio is shared with (they import it and need the launch role: `launchRoleOnly`). */
  readonly shareAccountIds?: readonly string[];
  /**
   * ServiceTokens (function ARNs) the launch role may invoke besides this account's
   * `MeshServiceProvider-ServiceToken`, for teams that pass their own ServiceToken.
   */
  readonly serviceTokenArns?: readonly string[];
  /** ECS clusters the product may create services in. Default: the platform's `container-demo`. */
  readonly clusterNames?: readonly string[];
  /** Name of the product version built from examples/service.yaml. Default `v2`. */
  readonly productVersion?: string;
  /**
   * Creates only the launch role and its boundary: for the accounts the portfolio is shared with, where the launch
   * constraint finds the role by name. Default false.
   */
  readonly launchRoleOnly?: boolean;
  /** The product template. Default examples/service.yaml. */
  readonly templatePath?: string;
}

const ACCOUNT_ID = /^\d{12}$/;
/** An IAM principal ARN (`IAM`), or one without account (`IAM_PATTERN`, whose name may hold wildcards). */
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::(?:\d{12}:(?:role|user|group)\/[^*?]+|:(?:role|user|group)\/.+)$/;

export class MeshServiceCatalogStack extends Stack {
  readonly launchRole: iam.Role;
  readonly roleBoundary: iam.ManagedPolicy;
  readonly portfolio?: servicecatalog.Portfolio;
  readonly product?: servicecatalog.CloudFormationProduct;

  constructor(scope: Construct, id: string, props: MeshServiceCatalogStackProps = {}) {
    super(scope, id, {
      description: props.launchRoleOnly
        ? 'Launch role of the shared Meshed ECS service product (Service Catalog)'
        : 'Service Catalog portfolio and product: a meshed ECS service (Custom::MeshService)',
      ...props,
    });
    for (const account of props.shareAccountIds ?? []) {
      if (!ACCOUNT_ID.test(account))
        throw new Error(`catalog share account "${account}" is not a 12-digit id`);
    }
    for (const arn of props.principalArns ?? []) {
      if (!PRINCIPAL_ARN.test(arn)) {
        throw new Error(
          `catalog principal "${arn}" is not an IAM role, user or group ARN, nor a pattern without account such as arn:aws:iam:::role/Team*`,
        );
      }
    }

    this.roleBoundary = this.createRoleBoundary();
    this.launchRole = this.createLaunchRole(props);

    new CfnOutput(this, 'LaunchRoleName', { value: this.launchRole.roleName });
    new CfnOutput(this, 'RoleBoundaryArn', { value: this.roleBoundary.managedPolicyArn });
    if (props.launchRoleOnly) return;

    this.product = new servicecatalog.CloudFormationProduct(this, 'Product', {
      productName: 'Meshed ECS service',
      owner: 'Platform team',
      description:
        'One ECS Fargate service in the App Mesh of the MeshPlatform stack: task definition patched with the Envoy sidecar (Custom::MeshService), Cloud Map registration, optional gateway route.',
      productVersions: [
        {
          productVersionName: props.productVersion ?? PRODUCT_VERSION,
          description: 'examples/service.yaml',
          cloudFormationTemplate: servicecatalog.CloudFormationTemplate.fromAsset(
            props.templatePath ?? SERVICE_TEMPLATE_PATH,
          ),
          validateTemplate: true,
        },
      ],
    });
    this.portfolio = new servicecatalog.Portfolio(this, 'Portfolio', {
      displayName: 'Meshed ECS services',
      providerName: 'Platform team',
      description:
        'Services on the App Mesh platform (MeshPlatform). Launching needs no AWS permissions beyond Service Catalog: the launch role does the work.',
    });
    this.portfolio.addProduct(this.product);
    this.portfolio.setLocalLaunchRole(this.product, this.launchRole, {
      description: `${LAUNCH_ROLE_NAME} of the launching account creates the product's resources`,
    });
    for (const arn of new Set(props.principalArns ?? [])) {
      const pattern = arn.split(':')[4] === '';
      // Named after the ARN, not its position: reordering the context list replaces nothing.
      const id = createHash('sha256').update(arn).digest('hex').slice(0, 12);
      new servicecatalog.CfnPortfolioPrincipalAssociation(this, `Principal${id}`, {
        portfolioId: this.portfolio!.portfolioId,
        principalArn: arn,
        principalType: pattern ? 'IAM_PATTERN' : 'IAM',
      });
    }
    for (const account of props.shareAccountIds ?? []) this.portfolio.shareWithAccount(account);

    new CfnOutput(this, 'PortfolioId', { value: this.portfolio.portfolioId });
    new CfnOutput(this, 'ProductId', { value: this.product.productId });
  }

  private arn(service: string, resource: string, account: string = Aws.ACCOUNT_ID): string {
    const region = service === 'iam' ? '' : Aws.REGION;
    return `arn:${Aws.PARTITION}:${service}:${region}:${account}:${resource}`;
  }

  /** What a role the product creates can ever be allowed: the union of what its task and execution roles need. */
  private createRoleBoundary(): iam.ManagedPolicy {
    const boundary = new iam.ManagedPolicy(this, 'RoleBoundary', {
      managedPolicyName: ROLE_BOUNDARY_NAME,
      path: SERVICE_ROLE_PATH,
      description: 'Permissions boundary of the roles that Meshed ECS service products create',
      statements: [
        new iam.PolicyStatement({
          sid: 'EnvoyConfiguration',
          actions: ['appmesh:StreamAggregatedResources'],
          resources: [this.arn('appmesh', 'mesh/*')],
        }),
        new iam.PolicyStatement({
          sid: 'ContainerLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.arn('logs', `log-group:${SERVICE_LOG_GROUP_PREFIX}*`)],
        }),
        new iam.PolicyStatement({
          sid: 'EcrLogin',
          actions: ['ecr:GetAuthorizationToken'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'PullImages',
          actions: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
          resources: [this.arn('ecr', 'repository/*'), this.arn('ecr', 'repository/aws-appmesh-envoy', '*')],
        }),
      ],
    });
    Validations.of(boundary).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:appmesh:<AWS::Region>:<AWS::AccountId>:mesh/*]',
        reason:
          'A boundary, not a grant: product task roles get StreamAggregatedResources on their own virtual node only; the boundary caps them at meshes of this account and Region.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:${SERVICE_LOG_GROUP_PREFIX}*]`,
        reason:
          'A boundary, not a grant: product execution roles write to their own log group; the boundary caps them at the log groups products create.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'ecr:GetAuthorizationToken supports no resource-level permissions.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecr:<AWS::Region>:<AWS::AccountId>:repository/*]',
        reason:
          'A boundary, not a grant: application images may come from any ECR repository of this account; pulling is read-only.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecr:<AWS::Region>:*:repository/aws-appmesh-envoy]',
        reason:
          'The App Mesh Envoy image the provider patches in lives in an AWS-owned account that differs by Region; only that repository, read-only.',
      },
    );
    return boundary;
  }

  private createLaunchRole(props: MeshServiceCatalogStackProps): iam.Role {
    const role = new iam.Role(this, 'LaunchRole', {
      roleName: LAUNCH_ROLE_NAME,
      assumedBy: new iam.ServicePrincipal('servicecatalog.amazonaws.com'),
      description:
        'Service Catalog launch role of the Meshed ECS service product: creates exactly what examples/service.yaml declares',
    });
    const serviceRoles = this.arn('iam', `role${SERVICE_ROLE_PATH}*`);
    const clusters = props.clusterNames?.length ? props.clusterNames : [PLATFORM_DEFAULTS.clusterName];
    const statements = [
      new iam.PolicyStatement({
        sid: 'ProvisionedStacks',
        actions: [
          'cloudformation:CreateStack',
          'cloudformation:UpdateStack',
          'cloudformation:DeleteStack',
          'cloudformation:DescribeStacks',
          'cloudformation:DescribeStackEvents',
          'cloudformation:SetStackPolicy',
          'cloudformation:TagResource',
          'cloudformation:UntagResource',
        ],
        resources: [this.arn('cloudformation', `stack/${PROVISIONED_STACK_PREFIX}*`)],
      }),
      new iam.PolicyStatement({
        sid: 'TemplateChecks',
        // Neither action supports resource-level permissions.
        actions: ['cloudformation:GetTemplateSummary', 'cloudformation:ValidateTemplate'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'ReadProductTemplate',
        // Service Catalog keeps product templates in its own bucket and tags the objects it hands to launch roles.
        actions: ['s3:GetObject'],
        resources: ['*'],
        conditions: { StringEquals: { 's3:ExistingObjectTag/servicecatalog:provisioning': 'true' } },
      }),
      new iam.PolicyStatement({
        sid: 'InvokeServiceToken',
        actions: ['lambda:InvokeFunction'],
        resources: [
          this.arn('lambda', `function:${PROVIDER_FUNCTION_NAME}`),
          ...(props.serviceTokenArns ?? []),
        ],
      }),
      new iam.PolicyStatement({
        sid: 'TaskDefinitions',
        // RegisterTaskDefinition, DeregisterTaskDefinition and DescribeTaskDefinition support no resource-level
        // permissions. Roles can only be passed by PassServiceRolesToEcsTasks below.
        actions: ['ecs:RegisterTaskDefinition', 'ecs:DeregisterTaskDefinition', 'ecs:DescribeTaskDefinition'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'EcsServices',
        actions: ['ecs:CreateService', 'ecs:UpdateService', 'ecs:DeleteService', 'ecs:DescribeServices'],
        resources: clusters.map((c) => this.arn('ecs', `service/${c}/*`)),
      }),
      new iam.PolicyStatement({
        sid: 'EcsTags',
        actions: ['ecs:TagResource', 'ecs:UntagResource', 'ecs:ListTagsForResource'],
        resources: [
          this.arn('ecs', 'task-definition/*'),
          ...clusters.map((c) => this.arn('ecs', `service/${c}/*`)),
        ],
      }),
      new iam.PolicyStatement({
        sid: 'ServiceLogGroups',
        actions: [
          'logs:CreateLogGroup',
          'logs:DeleteLogGroup',
          'logs:PutRetentionPolicy',
          'logs:DeleteRetentionPolicy',
          'logs:TagResource',
          'logs:UntagResource',
          'logs:ListTagsForResource',
          'logs:TagLogGroup',
          'logs:UntagLogGroup',
          'logs:ListTagsLogGroup',
          // CloudFormation's log group handler reads the data protection policy back after create and update.
          'logs:GetDataProtectionPolicy',
          // The product encrypts its log group with the platform's key (KmsKeyId, Control Tower CT.CLOUDWATCH.PR.3).
          'logs:AssociateKmsKey',
          'logs:DisassociateKmsKey',
        ],
        resources: [this.arn('logs', `log-group:${SERVICE_LOG_GROUP_PREFIX}*`)],
      }),
      new iam.PolicyStatement({
        sid: 'FindLogGroups',
        // CloudFormation checks whether the log group exists; DescribeLogGroups is authorized on all log groups.
        actions: ['logs:DescribeLogGroups'],
        resources: [this.arn('logs', 'log-group:*')],
      }),
      new iam.PolicyStatement({
        sid: 'ServiceRolesOnlyWithinTheBoundary',
        // Whatever a role's inline policy says, the boundary caps it: the launch role cannot create a role that is
        // more powerful than the boundary, nor remove the boundary (DeleteRolePermissionsBoundary is not granted).
        actions: [
          'iam:CreateRole',
          'iam:PutRolePolicy',
          'iam:DeleteRolePolicy',
          'iam:PutRolePermissionsBoundary',
        ],
        resources: [serviceRoles],
        conditions: { StringEquals: { 'iam:PermissionsBoundary': this.roleBoundary.managedPolicyArn } },
      }),
      new iam.PolicyStatement({
        sid: 'ServiceRoles',
        actions: [
          'iam:GetRole',
          'iam:GetRolePolicy',
          'iam:ListRolePolicies',
          'iam:ListAttachedRolePolicies',
          // CloudFormation checks that no instance profile holds a role before it deletes it.
          'iam:ListInstanceProfilesForRole',
          'iam:DeleteRole',
          'iam:TagRole',
          'iam:UntagRole',
          'iam:UpdateRole',
          'iam:UpdateRoleDescription',
          'iam:UpdateAssumeRolePolicy',
        ],
        resources: [serviceRoles],
      }),
      new iam.PolicyStatement({
        sid: 'PassServiceRolesToEcsTasks',
        actions: ['iam:PassRole'],
        resources: [serviceRoles],
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
      new iam.PolicyStatement({
        sid: 'CloudMapServices',
        actions: [
          'servicediscovery:CreateService',
          'servicediscovery:GetService',
          'servicediscovery:UpdateService',
          'servicediscovery:DeleteService',
          'servicediscovery:TagResource',
          'servicediscovery:UntagResource',
          'servicediscovery:ListTagsForResource',
        ],
        // CreateService is authorized on the namespace; the others on the service.
        resources: [this.arn('servicediscovery', 'namespace/*'), this.arn('servicediscovery', 'service/*')],
      }),
    ];
    for (const s of statements) role.addToPolicy(s);
    this.acknowledgeLaunchRole(role, clusters, props.serviceTokenArns ?? []);
    return role;
  }

  private acknowledgeLaunchRole(
    role: iam.Role,
    clusters: readonly string[],
    tokens: readonly string[],
  ): void {
    const partition = '<AWS::Partition>';
    const region = '<AWS::Region>';
    const account = '<AWS::AccountId>';
    Validations.of(role).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::arn:${partition}:cloudformation:${region}:${account}:stack/${PROVISIONED_STACK_PREFIX}*]`,
        reason:
          'Service Catalog provisions products as stacks named SC-<account>-pp-<id>, unknown in advance; only those stacks.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Only actions without resource-level permissions (cloudformation:GetTemplateSummary/ValidateTemplate, ecs:Register/Deregister/DescribeTaskDefinition) and s3:GetObject limited by the servicecatalog:provisioning object tag that Service Catalog sets on product templates.',
      },
      ...clusters.map((c) => ({
        id: `AwsSolutions-IAM5[Resource::arn:${partition}:ecs:${region}:${account}:service/${c}/*]`,
        reason: `ECS services of launched products, in the platform cluster ${c} only; their names are generated by CloudFormation.`,
      })),
      {
        id: `AwsSolutions-IAM5[Resource::arn:${partition}:ecs:${region}:${account}:task-definition/*]`,
        reason: 'Tags of task definitions whose families are the launched service names, unknown in advance.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:${partition}:logs:${region}:${account}:log-group:${SERVICE_LOG_GROUP_PREFIX}*]`,
        reason: `Products name their log group ${SERVICE_LOG_GROUP_PREFIX}<ServiceName>; no other log group.`,
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:${partition}:logs:${region}:${account}:log-group:*]`,
        reason: 'logs:DescribeLogGroups only (read-only): it is authorized on all log groups of the account.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:${partition}:iam::${account}:role${SERVICE_ROLE_PATH}*]`,
        reason: `Roles of launched products, under the path ${SERVICE_ROLE_PATH} only; creating them or changing their policies requires the ${ROLE_BOUNDARY_NAME} boundary, and they can be passed to ECS tasks only.`,
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:${partition}:servicediscovery:${region}:${account}:namespace/*]`,
        reason:
          'Cloud Map CreateService is authorized on the namespace, which products import from the platform; only Cloud Map service actions.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:${partition}:servicediscovery:${region}:${account}:service/*]`,
        reason: 'Cloud Map services of launched products; their ids are generated by Cloud Map.',
      },
      ...tokens
        .filter((t) => t.includes('*'))
        .map((t) => ({
          id: `AwsSolutions-IAM5[Resource::${t}]`,
          reason:
            'A ServiceToken pattern given in context catalogServiceTokenArns; lambda:InvokeFunction only.',
        })),
    );
  }
}
