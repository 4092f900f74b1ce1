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
    description: 'Name of the virtual node.',
    presentWhen: 'the service has one version',
  },
  {
    name: 'VirtualNodeArn',
    description: 'ARN of the virtual node.',
    presentWhen: 'the service has one version',
  },
  {
    name: 'TaskDefinitionArn',
    description: 'ARN of the patched task definition revision (use it in the AWS::ECS::Service).',
    presentWhen: 'the service has one version and a TaskDefinition',
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
];

const patterns = ATTRIBUTES.map(
  (a) => new RegExp(`^${a.name.replace(/\./g, '\\.').replace('<Name>', '[A-Za-z0-9_-]+')}$`),
);

export const isDocumentedAttribute = (key: string): boolean => patterns.some((p) => p.test(key));
