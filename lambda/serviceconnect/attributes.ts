/**
 * The `Fn::GetAtt` attributes of a Service Connect service (docs/migration.md). The App Mesh attributes
 * (appmesh/attributes.ts) are then returned as empty strings, so that the GetAtts of a template switched to Service
 * Connect still resolve.
 */
import type { AttributeDoc } from '../contract/attributes';
import { INGRESS_ATTRIBUTES } from './ingress';
import { PROXY_ATTRIBUTES } from './proxy';
import { ROLLOUT_ATTRIBUTES } from './rollout';

export const SERVICE_CONNECT_ATTRIBUTES: readonly AttributeDoc[] = [
  {
    name: 'NamespaceArn',
    description:
      'Service Connect: ARN of the Cloud Map namespace (`ServiceConnectConfiguration.Namespace` of the AWS::ECS::Service).',
    presentWhen: 'Backend is ServiceConnect',
  },
  {
    name: 'PortName',
    description:
      'Service Connect and VPC Lattice: name of the port mapping in the prepared task definition (`Services[].PortName`; `VpcLatticeConfigurations[].PortName`).',
    presentWhen: 'Backend is ServiceConnect or VpcLattice',
  },
  {
    name: 'DiscoveryName',
    description:
      'Service Connect: the Cloud Map service ECS creates, `ServiceName` (`Services[].DiscoveryName`); empty for an Edge service.',
    presentWhen: 'Backend is ServiceConnect',
  },
  {
    name: 'ClientAliasDnsName',
    description:
      'Service Connect: the name clients call, `VirtualServiceName` or its default (`Services[].ClientAliases[].DnsName`); empty for an Edge service.',
    presentWhen: 'Backend is ServiceConnect',
  },
  {
    name: 'ClientAliasPort',
    description:
      'Service Connect: the port clients call, `Port` (`Services[].ClientAliases[].Port`); empty for an Edge service.',
    presentWhen: 'Backend is ServiceConnect',
  },
  {
    name: 'AppProtocol',
    description:
      'Service Connect: the appProtocol set on the port mapping (http, http2, grpc); empty for tcp.',
    presentWhen: 'Backend is ServiceConnect',
  },
  {
    name: 'IdleTimeoutSeconds',
    description:
      "Service Connect: the route's idle timeout in seconds, or else ListenerTimeout's (`Services[].Timeout.IdleTimeoutSeconds`).",
    presentWhen: 'Backend is ServiceConnect and the route or ListenerTimeout has IdleMillis',
  },
  {
    name: 'PerRequestTimeoutSeconds',
    description:
      "Service Connect: the route's per-request timeout in seconds, or else ListenerTimeout's (`Services[].Timeout.PerRequestTimeoutSeconds`).",
    presentWhen: 'Backend is ServiceConnect and the route or ListenerTimeout has PerRequestMillis',
  },
  ...ROLLOUT_ATTRIBUTES,
  ...PROXY_ATTRIBUTES,
  ...INGRESS_ATTRIBUTES,
];
