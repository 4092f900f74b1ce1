/** Properties of VPC Lattice services for the tests, and their parsing through the whole contract. */
import { MeshServiceProperties, parseFor } from '../../lambda/backends';
import { parseWith } from '../../lambda/contract/dsl';
import type { VpcLatticeServiceModel } from '../../lambda/vpclattice/model';

export const NETWORK_ARN = 'arn:aws:vpc-lattice:us-east-1:111122223333:servicenetwork/sn-0123456789abcdef0';

export const base = {
  Backend: 'VpcLattice',
  MeshName: 'ecs-mesh',
  ServiceName: 'ecsdemo-frontend',
  Namespace: 'service.local',
  Port: '3000',
  VpcLattice: { ServiceNetwork: 'platform', VpcId: 'vpc-0abc1234def567890' },
};

/** The workshop's canary: two versions at 90/10. */
export const canary = {
  ...base,
  Versions: [
    { Name: 'v1', Weight: '90', TaskDefinition: 'frontend-v1:3' },
    { Name: 'v2', Weight: '10', TaskDefinition: 'frontend-v2:1' },
  ],
};

export const parseLattice = (raw: unknown): VpcLatticeServiceModel => parseFor('VpcLattice', raw);

/** The contract's issues for these properties, as `path: message`. */
export function issuesOf(raw: unknown): string[] {
  const parsed = parseWith(MeshServiceProperties, raw);
  return parsed.ok ? [] : parsed.issues.map((i) => `${i.path}: ${i.message}`);
}
