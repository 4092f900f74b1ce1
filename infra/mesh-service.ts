/**
 * The typed CDK construct for Custom::MeshService. Its props are generated from the provider's property contract
 * (mesh-service-props.generated.ts), converted back to CloudFormation's names by the same contract, and validated
 * with the provider's own rules at synth time — so the construct and the handler cannot drift apart.
 */
import { CustomResource, Duration, Fn, Stack, Tags, Token, Validations } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct, type IConstruct } from 'constructs';
import { MeshServiceProperties } from '../lambda/backends';
import { toCloudFormation } from '../lambda/contract/case';
import { parseWith, Unresolved } from '../lambda/contract/dsl';
import { RESOURCE_TYPE } from '../lambda/contract/properties';
import { ALLOWED_STACKS_TAG } from '../lambda/policy';
import type { MeshServiceProperties as GeneratedProps } from './mesh-service-props.generated';

/** The export the provider stack publishes. */
export const SERVICE_TOKEN_EXPORT = 'MeshServiceProvider-ServiceToken';

export interface MeshServiceProps extends GeneratedProps {
  /**
   * The provider's ServiceToken.
   * @default Fn.importValue('MeshServiceProvider-ServiceToken') — the provider in this account and Region
   */
  readonly serviceToken?: string;
  /**
   * How long CloudFormation waits for the provider.
   * @default Duration.minutes(15) — the handler answers within 10 minutes
   */
  readonly serviceTimeout?: Duration;
}

/** Replaces CDK tokens (values known only at deploy time) by markers the contract accepts as "unknown". */
function withoutTokens(value: unknown): unknown {
  if (Token.isUnresolved(value)) return new Unresolved(String(value));
  if (Array.isArray(value)) return value.map(withoutTokens);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutTokens(v)]));
  }
  return value;
}

export class MeshService extends Construct {
  /**
   * Lets the MeshService resources of the task definition's own stack patch it: tags it with
   * `mesh-service:allowed-stacks` = the stack's id (`AWS::StackId`; a stack name would also grant a stack created
   * later under the same name, so the provider honours ids only). Without a grant (or a family the provider's policy
   * allows), the provider refuses to patch a task definition (docs/security.md).
   */
  static allowPatching(taskDefinition: IConstruct): void {
    Tags.of(taskDefinition).add(ALLOWED_STACKS_TAG, Stack.of(taskDefinition).stackId);
  }

  readonly resource: CustomResource;
  /** Its `Backend`. */
  readonly backend: string;

  constructor(scope: Construct, id: string, props: MeshServiceProps) {
    super(scope, id);
    const { serviceToken, serviceTimeout, ...declared } = props;
    const properties = toCloudFormation(MeshServiceProperties, declared) as Record<string, unknown>;
    const checked = parseWith(MeshServiceProperties, withoutTokens(properties));
    if (!checked.ok) {
      throw new Error(
        `MeshService ${this.node.path}: ${checked.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      );
    }
    this.backend = String(properties.Backend ?? 'AppMesh');
    this.resource = new CustomResource(this, 'Resource', {
      resourceType: RESOURCE_TYPE,
      serviceToken: serviceToken ?? Fn.importValue(SERVICE_TOKEN_EXPORT),
      serviceTimeout: serviceTimeout ?? Duration.minutes(15),
      properties,
    });
    // CDK's template validation follows Fn::GetAtt TaskDefinitionArn into an ECS service and, seeing a custom
    // resource, finds no FARGATE compatibility: the value is a patched copy of the template's own task definition.
    Validations.of(this.resource).acknowledge({
      id: 'CloudFormation-Validate::E3054',
      reason:
        'TaskDefinitionArn is a patched revision of the task definition given in TaskDefinition, with its compatibilities.',
    });
  }

  /**
   * Makes an ECS service (an L2 `ecs.FargateService` or `ecs.Ec2Service`) run the patched revision this resource
   * returns instead of the task definition it was built with: the L2 service keeps its task definition for
   * everything CDK derives from it (network mode, container ports, load balancer targets), and its
   * `AWS::ECS::Service` gets `TaskDefinition: !GetAtt <this>.TaskDefinitionArn` (or the version's). The service
   * then also waits for this resource. With `Backend: VpcLattice`, the service also registers its tasks in the
   * version's target group: `VpcLatticeConfigurations [{PortName, RoleArn, TargetGroupArn}]` from the attributes.
   * @param service the ECS service
   * @param version the version whose revision it runs, for a service with Versions
   * @param options.vpcLatticeRoleArn with Backend VpcLattice: the ECS infrastructure role that registers the tasks
   */
  runPatchedRevision(
    service: ecs.BaseService,
    version?: string,
    options: { readonly vpcLatticeRoleArn?: string } = {},
  ): void {
    const cfnService = service.node.defaultChild as ecs.CfnService;
    cfnService.taskDefinition =
      version === undefined ? this.taskDefinitionArn : this.versionTaskDefinitionArn(version);
    if (this.backend === 'VpcLattice') {
      if (options.vpcLatticeRoleArn === undefined)
        throw new Error(
          `MeshService ${this.node.path}: runPatchedRevision with Backend VpcLattice needs options.vpcLatticeRoleArn, the ECS infrastructure role that registers the tasks in the target group`,
        );
      cfnService.vpcLatticeConfigurations = [
        {
          portName: this.resource.getAttString('PortName'),
          roleArn: options.vpcLatticeRoleArn,
          targetGroupArn: this.resource.getAttString(
            version === undefined ? 'TargetGroupArn' : `Versions.${version}.TargetGroupArn`,
          ),
        },
      ];
    } else if (options.vpcLatticeRoleArn !== undefined) {
      throw new Error(`MeshService ${this.node.path}: vpcLatticeRoleArn is for Backend VpcLattice only`);
    }
    service.node.addDependency(this.resource);
  }

  /** The physical id: `mesh/<MeshName>[@<MeshOwner>]/service/<ServiceName>`. */
  get ref(): string {
    return this.resource.ref;
  }
  get virtualNodeName(): string {
    return this.resource.getAttString('VirtualNodeName');
  }
  get virtualNodeArn(): string {
    return this.resource.getAttString('VirtualNodeArn');
  }
  /** The patched task definition revision, for the ECS service. */
  get taskDefinitionArn(): string {
    return this.resource.getAttString('TaskDefinitionArn');
  }
  get virtualServiceName(): string {
    return this.resource.getAttString('VirtualServiceName');
  }
  get virtualServiceArn(): string {
    return this.resource.getAttString('VirtualServiceArn');
  }
  get virtualRouterName(): string {
    return this.resource.getAttString('VirtualRouterName');
  }
  get virtualRouterArn(): string {
    return this.resource.getAttString('VirtualRouterArn');
  }
  get gatewayRouteName(): string {
    return this.resource.getAttString('GatewayRouteName');
  }
  get gatewayRouteArn(): string {
    return this.resource.getAttString('GatewayRouteArn');
  }
  get envoyImage(): string {
    return this.resource.getAttString('EnvoyImage');
  }
  /** The patched task definition of one version. */
  versionTaskDefinitionArn(version: string): string {
    return this.resource.getAttString(`Versions.${version}.TaskDefinitionArn`);
  }
  versionVirtualNodeArn(version: string): string {
    return this.resource.getAttString(`Versions.${version}.VirtualNodeArn`);
  }
  versionVirtualNodeName(version: string): string {
    return this.resource.getAttString(`Versions.${version}.VirtualNodeName`);
  }
}
