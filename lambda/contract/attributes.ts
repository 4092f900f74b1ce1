/**
 * The return values of Custom::MeshService: what `Ref` gives and the `Fn::GetAtt` attributes, with when each is
 * present. The reference docs are generated from this list, and tests check every attribute the handler returns
 * against it.
 */
export const REF_DESCRIPTION =
  'The physical id, `mesh/<MeshName>[@<MeshOwner>]/service/<ServiceName>`: the identity of the service. It changes (a replacement) only when MeshName, MeshOwner or ServiceName change.';

export interface AttributeDoc {
  /** The attribute name; `<Name>` stands for a version name. */
  readonly name: string;
  readonly description: string;
  readonly presentWhen: string;
}

export const ATTRIBUTES: readonly AttributeDoc[] = [
  {
    name: 'VirtualNodeName',
    description: "Name of the service's virtual node (`VirtualNodeName`, default `<ServiceName>`).",
    presentWhen: 'the service has one version, or a version keeps the service node (KeepServiceNode)',
  },
  {
    name: 'VirtualNodeArn',
    description: "ARN of the service's virtual node.",
    presentWhen: 'the service has one version, or a version keeps the service node (KeepServiceNode)',
  },
  {
    name: 'TaskDefinitionArn',
    description: 'ARN of the patched task definition revision (use it in the AWS::ECS::Service).',
    presentWhen:
      'the service has one version, or a version keeps the service node, and that version has a TaskDefinition',
  },
  {
    name: 'VirtualServiceName',
    description: 'Name of the virtual service (what other services put in Backends).',
    presentWhen: 'not Edge',
  },
  { name: 'VirtualServiceArn', description: 'ARN of the virtual service.', presentWhen: 'not Edge' },
  {
    name: 'VirtualRouterName',
    description: 'Name of the virtual router.',
    presentWhen: 'Routes are given or there are several versions',
  },
  {
    name: 'VirtualRouterArn',
    description: 'ARN of the virtual router.',
    presentWhen: 'Routes are given or there are several versions',
  },
  { name: 'GatewayRouteName', description: 'Name of the gateway route.', presentWhen: 'Gateway is given' },
  { name: 'GatewayRouteArn', description: 'ARN of the gateway route.', presentWhen: 'Gateway is given' },
  {
    name: 'EnvoyImage',
    description: 'The Envoy image put in patched task definitions.',
    presentWhen: 'a TaskDefinition is patched',
  },
  {
    name: 'Versions.<Name>.VirtualNodeName',
    description: "Name of the version's virtual node.",
    presentWhen: 'Versions is given',
  },
  {
    name: 'Versions.<Name>.VirtualNodeArn',
    description: "ARN of the version's virtual node.",
    presentWhen: 'Versions is given',
  },
  {
    name: 'Versions.<Name>.TaskDefinitionArn',
    description: "ARN of the version's patched task definition revision.",
    presentWhen: 'the version has a TaskDefinition',
  },
  // Backend: ServiceConnect (docs/migration.md). The App Mesh attributes above are then returned as empty strings, so
  // that the GetAtts of a template switched to Service Connect still resolve.
  {
    name: 'NamespaceArn',
    description:
      'Service Connect: ARN of the Cloud Map namespace (`ServiceConnectConfiguration.Namespace` of the AWS::ECS::Service).',
    presentWhen: 'Backend is ServiceConnect',
  },
  {
    name: 'PortName',
    description:
      'Service Connect: name of the port mapping in the prepared task definition (`Services[].PortName`).',
    presentWhen: 'Backend is ServiceConnect',
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
      "Service Connect: the route's idle timeout in seconds (`Services[].Timeout.IdleTimeoutSeconds`).",
    presentWhen: 'Backend is ServiceConnect and the route has Timeout.IdleMillis',
  },
  {
    name: 'PerRequestTimeoutSeconds',
    description:
      "Service Connect: the route's per-request timeout in seconds (`Services[].Timeout.PerRequestTimeoutSeconds`).",
    presentWhen: 'Backend is ServiceConnect and the route has Timeout.PerRequestMillis',
  },
];

/** The attributes that only App Mesh fills; the Service Connect backend returns each as an empty string. */
export const APP_MESH_ONLY_ATTRIBUTES: readonly string[] = [
  'VirtualNodeName',
  'VirtualNodeArn',
  'VirtualServiceName',
  'VirtualServiceArn',
  'VirtualRouterName',
  'VirtualRouterArn',
  'GatewayRouteName',
  'GatewayRouteArn',
  'EnvoyImage',
];

const patterns = ATTRIBUTES.map(
  (a) => new RegExp(`^${a.name.replace(/\./g, '\\.').replace('<Name>', '[A-Za-z0-9_-]+')}$`),
);

export const isDocumentedAttribute = (key: string): boolean => patterns.some((p) => p.test(key));
