/**
 * App Mesh default service quotas enforced with LimitExceededException (App Mesh user guide, "App Mesh service
 * quotas"). "Weighted targets per route: 10" is not here because the model already says it
 * (WeightedTargets max 10): such a request fails model validation with BadRequestException first, as the real
 * service's request validation would.
 */
export const APP_MESH_QUOTAS = {
  virtualNodesPerMesh: 200,
  virtualServicesPerMesh: 200,
  virtualRoutersPerMesh: 200,
  routesPerVirtualRouter: 50,
  backendsPerVirtualNode: 50,
  /** Tags per resource: TagList has max 50 in the model; TagResource adds to existing tags, so it is checked again. */
  tagsPerResource: 50,
} as const;
