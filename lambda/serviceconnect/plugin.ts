/** The ECS Service Connect backend as a plug-in (lambda/backend.ts): `Backend: ServiceConnect`. */
import type { BackendPlugin } from '../backend';
import { SERVICE_CONNECT_ATTRIBUTES } from './attributes';
import { type ServiceConnectServiceProps, serviceConnectContract } from './contract';
import { INGRESS_OWNED_TYPES } from './ingress';
import { buildServiceConnectModel, parseServiceConnectId, type ServiceConnectServiceModel } from './model';

export const serviceConnect = {
  name: 'ServiceConnect',
  contract: serviceConnectContract,
  attributes: SERVICE_CONNECT_ATTRIBUTES,
  // The registry parses with the whole contract, so the properties carry this backend's own.
  buildModel: (p) => buildServiceConnectModel(p as ServiceConnectServiceProps),
  // The Cloud Map namespace it creates when asked (ServiceConnect.CreateNamespace).
  // The namespace it may create, and a Gateway's ALB listener rule and target group (ingress-runtime.ts).
  ownedTypes: ['servicediscovery:namespace', ...INGRESS_OWNED_TYPES],
  owns: (physicalId) => parseServiceConnectId(physicalId) !== undefined,
} as const satisfies BackendPlugin<ServiceConnectServiceModel>;
