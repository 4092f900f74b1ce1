/**
 * The `Fn::GetAtt` attributes of an App Mesh service. The task-definition attributes are every backend's: the others
 * return them too.
 */
import type { AttributeDoc } from '../contract/attributes';

export const APP_MESH_ATTRIBUTES: readonly AttributeDoc[] = [
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
