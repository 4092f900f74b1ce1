/**
 * The `Fn::GetAtt` attributes of a VPC Lattice service (docs/migration.md). The App Mesh attributes
 * (appmesh/attributes.ts) are then returned as empty strings, so that the GetAtts of a template switched to VPC
 * Lattice still resolve. The target groups' ARNs are what each version's AWS::ECS::Service names in
 * `VpcLatticeConfigurations [{PortName, RoleArn, TargetGroupArn}]`.
 */
// The App Mesh attributes are returned empty, so that a template switched over still resolves its GetAtts.
import { APP_MESH_ONLY_ATTRIBUTES } from '../appmesh/attributes';
import type { Attributes, RequestContext } from '../backend';
import type { AttributeDoc } from '../contract/attributes';
import { longestRevisionArns } from '../ecs/revisions';
import type { CoreVersion } from '../model';
import type { VpcLatticeServiceModel } from './model';

export const VPC_LATTICE_ATTRIBUTES: readonly AttributeDoc[] = [
  {
    name: 'ServiceArn',
    description: 'VPC Lattice: ARN of the Lattice service.',
    presentWhen: 'Backend is VpcLattice',
  },
  {
    name: 'ServiceNetworkArn',
    description: 'VPC Lattice: ARN of the service network the service is associated with.',
    presentWhen: 'Backend is VpcLattice',
  },
  {
    name: 'CustomDomainName',
    description: 'VPC Lattice: the name clients call, `VirtualServiceName` or its default.',
    presentWhen: 'Backend is VpcLattice',
  },
  {
    name: 'TargetGroupArn',
    description:
      "VPC Lattice: ARN of the single version's target group (`VpcLatticeConfigurations[].TargetGroupArn` of the AWS::ECS::Service).",
    presentWhen: 'Backend is VpcLattice and the service has one version',
  },
  {
    name: 'Versions.<Name>.TargetGroupArn',
    description:
      "VPC Lattice: ARN of the version's target group (`VpcLatticeConfigurations[].TargetGroupArn` of the version's AWS::ECS::Service).",
    presentWhen: 'Backend is VpcLattice and Versions is given',
  },
];

/** The attributes of an applied service. */
export function vpcLatticeAttributes(
  model: VpcLatticeServiceModel,
  serviceArn: string,
  networkArn: string,
  targetGroupArns: ReadonlyMap<string, string>,
  portName: string,
  taskDefinitionArns: ReadonlyMap<CoreVersion, string>,
): Attributes {
  const data: Attributes = {};
  for (const name of APP_MESH_ONLY_ATTRIBUTES) data[name] = '';
  for (const v of model.versions) {
    const tg = targetGroupArns.get(v.targetGroupName) ?? '';
    const td = taskDefinitionArns.get(v);
    if (v.name === undefined) continue;
    data[`Versions.${v.name}.VirtualNodeName`] = '';
    data[`Versions.${v.name}.VirtualNodeArn`] = '';
    data[`Versions.${v.name}.TargetGroupArn`] = tg;
    if (td) data[`Versions.${v.name}.TaskDefinitionArn`] = td;
  }
  const single = model.versions.length === 1 ? model.versions[0] : undefined;
  if (single) {
    data.TargetGroupArn = targetGroupArns.get(single.targetGroupName) ?? '';
    const td = taskDefinitionArns.get(single);
    if (td) data.TaskDefinitionArn = td;
  }
  data.ServiceArn = serviceArn;
  data.ServiceNetworkArn = networkArn;
  data.CustomDomainName = model.vpcLattice.customDomainName;
  data.PortName = portName;
  return data;
}

/**
 * The attributes a successful apply would return, with values at their longest, for the handler's size check before
 * any call. Here, not in backend.ts, so that the handler computes them without loading the backend.
 */
export function predictVpcLatticeAttributes(model: VpcLatticeServiceModel, ctx: RequestContext): Attributes {
  const arn = (what: string) => `arn:${ctx.partition}:vpc-lattice:${ctx.region}:${ctx.accountId}:${what}`;
  const longest = new Map(
    model.versions.map((v) => [v.targetGroupName, arn(`targetgroup/tg-${'x'.repeat(17)}`)]),
  );
  return vpcLatticeAttributes(
    model,
    arn(`service/svc-${'x'.repeat(17)}`),
    arn(`servicenetwork/sn-${'x'.repeat(17)}`),
    longest,
    'x'.repeat(64),
    longestRevisionArns(model.versions, ctx),
  );
}
