/**
 * The typed CDK construct for Custom::MeshService. Its props are generated from the provider's property contract
 * (mesh-service-props.generated.ts), converted back to CloudFormation's names by the same contract, and validated
 * with the provider's own rules at synth time — so the construct and the handler cannot drift apart.
 */

import type * as ecs from 'aws-cdk-lib/aws-ecs';
import {
  Annotations,
  CustomResource,
  Duration,
  Fn,
  type ITaggableV2,
  Lazy,
  Stack,
  TagManager,
  Tags,
  TagType,
  Token,
  Validations,
} from 'aws-cdk-lib/core';
import { Construct, type IConstruct } from 'constructs';
import { MeshServiceProperties } from '../lambda/backends';
import { type Fields, parseWith, type StructType, Unresolved } from '../lambda/contract/dsl';
import { RESOURCE_TYPE } from '../lambda/contract/properties';
import type { PropertyIssue } from '../lambda/errors';
import { ALLOWED_STACKS_TAG, DEFAULT_POLICY } from '../lambda/policy';
import type { MeshServiceProperties as GeneratedProps } from './mesh-service-props.generated';
import {
  cfnTaskDefinitionOf,
  type Finding,
  grantFindings,
  type PolicyView,
  roleFindings,
} from './preconditions';
import { fromCdkProps, propWords } from './props';
import type { MeshServiceProvider } from './provider';

/** The export the provider stack publishes. */
export const SERVICE_TOKEN_EXPORT = 'MeshServiceProvider-ServiceToken';

export interface MeshServiceProps extends GeneratedProps {
  /**
   * The provider, when it is in this app: its ServiceToken, and its policy (passRoles, allowedTaskFamilies) for the
   * synth-time checks, whose findings are then errors rather than warnings. Give provider or serviceToken.
   * @default the provider of serviceToken
   */
  readonly provider?: MeshServiceProvider;
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

/** `[0].Key` of the Tags list → `tags[0].key (with those of Tags.of)`. */
const tagPath = (path: string): string =>
  `tags${path.replace(/\.([A-Z])/g, (_, c: string) => `.${c.toLowerCase()}`)} (with those of Tags.of)`;

const words = propWords(MeshServiceProperties as unknown as StructType<Fields>);

/** The issues as the user wrote the props: paths and the property names in the messages. */
const describe = (issues: readonly PropertyIssue[], rename: (path: string) => string): string =>
  issues.map((i) => `${rename(i.path)}: ${words(i.message)}`).join('; ');

/** Options of `MeshService.runPatchedRevision`. */
export interface RunPatchedRevisionOptions {
  /**
   * With `Backend: VpcLattice`: the ECS infrastructure role that registers the service's tasks in the version's
   * target group (`VpcLatticeConfigurations[].RoleArn`). Required for that backend, refused for the others.
   * @default - none
   */
  readonly vpcLatticeRoleArn?: string;
}

/**
 * A service of the mesh (or of a Service Connect namespace): one `Custom::MeshService` resource. Tags of
 * `Tags.of(scope)` reach the resource's Tags, which the provider puts on everything it creates (the props' own tags
 * win for the same key).
 */
export class MeshService extends Construct implements ITaggableV2 {
  /**
   * Lets the MeshService resources of the task definition's own stack patch it: tags it with
   * `mesh-service:allowed-stacks` = the stack's id (`AWS::StackId`; a stack name would also grant a stack created
   * later under the same name, so the provider honours ids only). Without a grant (or a family the provider's policy
   * allows), the provider refuses to patch a task definition (docs/security.md). A task definition given to a
   * MeshService as ecsTaskDefinition is granted by the construct.
   */
  static allowPatching(taskDefinition: IConstruct): void {
    // Task definitions only: a scope given here may hold other taggable constructs, MeshServices among them, whose
    // Tags may not carry the provider's reserved keys.
    Tags.of(taskDefinition).add(ALLOWED_STACKS_TAG, Stack.of(taskDefinition).stackId, {
      includeResourceTypes: ['AWS::ECS::TaskDefinition'],
    });
  }

  readonly resource: CustomResource;
  /** The tags `Tags.of()` gives this service, forwarded as the resource's Tags. */
  readonly cdkTagManager: TagManager;
  /** Its `Backend`. */
  readonly backend: string;
  private readonly edge: boolean;

  constructor(scope: Construct, id: string, props: MeshServiceProps) {
    super(scope, id);
    const { serviceToken, serviceTimeout, provider, ...declared } = props;
    const contract = MeshServiceProperties as unknown as StructType<Fields>;
    const converted = fromCdkProps(contract, declared as Record<string, unknown>);
    if (provider && serviceToken)
      converted.issues.push({ path: 'provider', message: 'give provider or serviceToken, not both' });
    if (converted.issues.length) {
      throw new Error(`MeshService ${this.node.path}: ${describe(converted.issues, (p) => p)}`);
    }
    const properties = converted.properties;
    const checked = parseWith(MeshServiceProperties, withoutTokens(properties));
    if (!checked.ok) {
      throw new Error(`MeshService ${this.node.path}: ${describe(checked.issues, converted.propPath)}`);
    }
    this.edge = properties.Edge === true;
    this.backend = String(properties.Backend ?? 'AppMesh');
    for (const backend of converted.backendServices) {
      if ((backend as unknown as MeshService).edge) {
        throw new Error(
          `MeshService ${this.node.path}: backendServices: ${backend.node.path} is an edge service (Edge: true): nothing calls it, it has no virtual service`,
        );
      }
    }

    // Tags.of() reaches this construct (ITaggableV2); the props' own tags win for the same key.
    this.cdkTagManager = new TagManager(TagType.KEY_VALUE, RESOURCE_TYPE);
    const ownTags = (properties.Tags as { Key: string; Value?: string }[] | undefined) ?? [];
    const tags = (): { Key: string; Value?: string }[] => {
      const own = new Set(ownTags.map((t) => t.Key));
      const inherited =
        (this.cdkTagManager.renderTags() as { Key: string; Value: string }[] | undefined) ?? [];
      return [...ownTags, ...inherited.filter((t) => !own.has(t.Key))];
    };
    const { Tags: _given, ...untagged } = properties;

    const policy: PolicyView = provider
      ? { passRoles: provider.passRoles, taskFamilies: provider.allowedTaskFamilies, known: true }
      : { passRoles: DEFAULT_POLICY.passRoles, taskFamilies: DEFAULT_POLICY.taskFamilies, known: false };
    for (const { taskDefinition } of converted.taskDefinitions) {
      // The grant names the task definition's stack: a MeshService of that stack may patch it.
      if (Stack.of(taskDefinition) === Stack.of(this) && cfnTaskDefinitionOf(this, taskDefinition)) {
        MeshService.allowPatching(taskDefinition);
      }
    }
    this.node.addValidation({
      validate: () => {
        const all = tags();
        const tagCheck = parseWith(contract.fields.Tags!.type, withoutTokens(all));
        const errors = tagCheck.ok
          ? []
          : [`MeshService ${this.node.path}: ${describe(tagCheck.issues, tagPath)}`];
        for (const finding of this.preconditions(converted, properties, policy)) {
          const message = `MeshService ${this.node.path}: ${finding.message}`;
          if (finding.error) errors.push(message);
          else Annotations.of(this).addWarningV2(finding.id, message);
        }
        return errors;
      },
    });

    this.resource = new CustomResource(this, 'Resource', {
      resourceType: RESOURCE_TYPE,
      serviceToken: provider?.serviceToken ?? serviceToken ?? Fn.importValue(SERVICE_TOKEN_EXPORT),
      serviceTimeout: serviceTimeout ?? Duration.minutes(15),
      properties: {
        ...untagged,
        Tags: Lazy.any({ produce: () => (tags().length ? tags() : undefined) }),
      },
    });
    for (const backend of converted.backendServices)
      this.node.addDependency(backend as unknown as IConstruct);
    // CDK's template validation follows Fn::GetAtt TaskDefinitionArn into an ECS service and, seeing a custom
    // resource, finds no FARGATE compatibility: the value is a patched copy of the template's own task definition.
    Validations.of(this.resource).acknowledge({
      id: 'CloudFormation-Validate::E3054',
      reason:
        'TaskDefinitionArn is a patched revision of the task definition given in TaskDefinition, with its compatibilities.',
    });
  }

  /** The grant and role findings of every task definition this service patches that the app declares. */
  private preconditions(
    converted: ReturnType<typeof fromCdkProps>,
    properties: Record<string, unknown>,
    policy: PolicyView,
  ): Finding[] {
    const targets: { value: ecs.ITaskDefinition | string; prop: string }[] = converted.taskDefinitions.map(
      (given) => ({ value: given.taskDefinition, prop: given.prop }),
    );
    const byReference = new Set(converted.taskDefinitions.map((given) => given.cfnPath));
    const strings: [unknown, string][] = [
      [properties.TaskDefinition, 'TaskDefinition'],
      ...((properties.Versions as { TaskDefinition?: unknown }[] | undefined) ?? []).map(
        (v, i): [unknown, string] => [v.TaskDefinition, `Versions[${i}].TaskDefinition`],
      ),
    ];
    for (const [value, cfnPath] of strings) {
      if (typeof value !== 'string' || byReference.has(cfnPath)) continue;
      // The string prop's own name, without the "(or ecsTaskDefinition)" of messages.
      targets.push({ value, prop: converted.propPath(cfnPath).replace(/ \(or .*\)$/, '') });
    }
    const findings: Finding[] = [];
    for (const { value, prop } of targets) {
      const cfn = cfnTaskDefinitionOf(this, value);
      if (!cfn) continue;
      findings.push(...grantFindings(this, cfn, prop, policy), ...roleFindings(cfn, prop, policy));
    }
    return findings;
  }

  /**
   * The name other services call this one by, for their backendServices: the virtual service (App Mesh), the
   * client alias (Service Connect) or the Lattice service's custom domain name (VPC Lattice).
   * @internal
   */
  _backendName(): string {
    if (this.backend === 'ServiceConnect') return this.resource.getAttString('ClientAliasDnsName');
    if (this.backend === 'VpcLattice') return this.resource.getAttString('CustomDomainName');
    return this.resource.getAttString('VirtualServiceName');
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
   * @param options with Backend VpcLattice: the ECS infrastructure role that registers the tasks
   */
  runPatchedRevision(
    service: ecs.BaseService,
    version?: string,
    options: RunPatchedRevisionOptions = {},
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
