/** The VPC Lattice backend as a plug-in (lambda/backend.ts): `Backend: VpcLattice`. */
import type { BackendPlugin } from '../backend';
import { VPC_LATTICE_ATTRIBUTES } from './attributes';
import { type VpcLatticeServiceProps, vpcLatticeContract } from './contract';
import { buildVpcLatticeModel, parseVpcLatticeId, type VpcLatticeServiceModel } from './model';

export const vpcLattice = {
  name: 'VpcLattice',
  contract: vpcLatticeContract,
  attributes: VPC_LATTICE_ATTRIBUTES,
  // The registry parses with the whole contract, so the properties carry this backend's own.
  buildModel: (p) => buildVpcLatticeModel(p as VpcLatticeServiceProps),
  // Its service (listener, rules, association, access log subscription) and target groups.
  ownedTypes: ['vpc-lattice'],
  owns: (physicalId) => parseVpcLatticeId(physicalId) !== undefined,
} as const satisfies BackendPlugin<VpcLatticeServiceModel>;
