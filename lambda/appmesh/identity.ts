/** The App Mesh backend's identity: its physical id, pure (lambda/router.ts reads it without the model). */

/**
 * The physical id is the service's identity: `mesh/<mesh>[@<owner>]/service/<ServiceName>`. Deterministic (never
 * the RequestId), so a re-delivered Create returns the same id. Every App Mesh name the service creates by default
 * derives from ServiceName, so a replacement (a change of mesh, mesh owner or ServiceName) never needs a name that
 * the resource being replaced still holds; everything else, the virtual service name included, updates in place.
 */
export function physicalIdOf(identity: {
  meshName: string;
  meshOwner?: string;
  serviceName: string;
}): string {
  const mesh = identity.meshOwner ? `${identity.meshName}@${identity.meshOwner}` : identity.meshName;
  return `mesh/${mesh}/service/${identity.serviceName}`;
}

/** The parts of a physical id this provider issued, or undefined for any other id (e.g. the framework's marker). */
export function parsePhysicalId(
  id: string,
): { meshName: string; meshOwner?: string; serviceName: string } | undefined {
  const m = /^mesh\/([^/@]+)(?:@(\d{12}))?\/service\/([^/]+)$/.exec(id);
  if (!m) return undefined;
  return { meshName: m[1]!, ...(m[2] ? { meshOwner: m[2] } : {}), serviceName: m[3]! };
}
