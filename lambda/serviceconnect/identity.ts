/** The Service Connect backend's identity: its physical id, pure (lambda/router.ts reads it without the model). */

/**
 * The physical id of a Service Connect service: `service-connect/<namespace>/service/<ServiceName>`. Its identity is
 * the namespace and the discovery name (the mesh plays no part); it cannot be mistaken for an App Mesh id, so a
 * change of Backend is a change of identity (which the handler refuses).
 */
export function serviceConnectIdOf(identity: { namespace: string; serviceName: string }): string {
  return `service-connect/${identity.namespace}/service/${identity.serviceName}`;
}

/** The parts of a Service Connect physical id, or undefined for any other id. */
export function parseServiceConnectId(id: string): { namespace: string; serviceName: string } | undefined {
  const m = /^service-connect\/([^/]+)\/service\/([^/]+)$/.exec(id);
  return m ? { namespace: m[1]!, serviceName: m[2]! } : undefined;
}
