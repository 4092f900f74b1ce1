/** The App Mesh backend as a plug-in (lambda/backend.ts): `Backend: AppMesh`, the default. */
import type { BackendPlugin } from '../backend';
import { APP_MESH_ATTRIBUTES } from './attributes';
import { appMeshContract } from './contract';
import { type AppMeshModel, buildAppMeshModel, parsePhysicalId } from './model';

export const appMesh = {
  name: 'AppMesh',
  // It adds no properties; of the Gateway it takes the virtual gateway, not an ALB listener (contract.ts).
  contract: appMeshContract,
  attributes: APP_MESH_ATTRIBUTES,
  buildModel: (p, accountId) =>
    // A MeshOwner equal to the provider's account is the account's own mesh: it neither changes the identity nor
    // selects the shared-mesh forms.
    buildAppMeshModel(
      accountId !== undefined && p.MeshOwner === accountId ? { ...p, MeshOwner: undefined } : p,
    ),
  // Its virtual nodes, router, routes, virtual service and gateway route, in whatever mesh.
  ownedTypes: ['appmesh'],
  owns: (physicalId) => parsePhysicalId(physicalId) !== undefined,
} as const satisfies BackendPlugin<AppMeshModel>;
