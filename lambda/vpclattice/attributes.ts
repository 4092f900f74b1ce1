/**
 * The `Fn::GetAtt` attributes of a VPC Lattice service (docs/migration.md). The App Mesh attributes
 * (appmesh/attributes.ts) are then returned as empty strings, so that the GetAtts of a template switched to VPC
 * Lattice still resolve. The target groups' ARNs are what each version's AWS::ECS::Service names in
 * `VpcLatticeConfigurations [{PortName, RoleArn, TargetGroupArn}]`.
 */
import type { AttributeDoc } from '../contract/attributes';

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
