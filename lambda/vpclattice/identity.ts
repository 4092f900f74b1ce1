/** The VPC Lattice backend's identity: its physical id, pure (lambda/router.ts reads it without the model). */

/** The physical id of a Lattice service: `vpc-lattice/service/<ServiceName>`. */
export const vpcLatticeIdOf = (serviceName: string): string => `vpc-lattice/service/${serviceName}`;

/** The Lattice service name of a VPC Lattice physical id, or undefined for any other id. */
export function parseVpcLatticeId(id: string): { serviceName: string } | undefined {
  const m = /^vpc-lattice\/service\/([a-z0-9-]{3,40})$/.exec(id);
  return m ? { serviceName: m[1]! } : undefined;
}
