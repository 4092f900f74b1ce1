/** The bundle's file of VPC Lattice requests (dist/lambda/vpc-lattice.js, which lambda/router.ts requires). */
import { handlerWith } from '../entry';
import { createVpcLatticeBackend } from '../vpclattice/backend';

export const handler = handlerWith({ VpcLattice: createVpcLatticeBackend });
