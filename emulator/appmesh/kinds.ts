/** The seven App Mesh resource kinds and the naming conventions the API uses for each. */

export type Kind =
  | 'mesh'
  | 'virtualNode'
  | 'virtualService'
  | 'virtualRouter'
  | 'route'
  | 'virtualGateway'
  | 'gatewayRoute';

export type Verb = 'Create' | 'Describe' | 'Update' | 'Delete' | 'List';

export interface KindInfo {
  readonly kind: Kind;
  /** `VirtualNode`: operation names are `<Verb><label>` (List: `List<label>s`, `ListMeshes`). */
  readonly label: string;
  /** Member holding the resource's name in inputs and in the resource data (`virtualNodeName`). */
  readonly nameMember: string;
  /** Member of List outputs (`virtualNodes`). */
  readonly listMember: string;
  /** Parent kind for routes and gateway routes; the parent's name member is also in the data. */
  readonly parent?: 'virtualRouter' | 'virtualGateway';
}

export const KINDS: Readonly<Record<Kind, KindInfo>> = {
  mesh: { kind: 'mesh', label: 'Mesh', nameMember: 'meshName', listMember: 'meshes' },
  virtualNode: {
    kind: 'virtualNode',
    label: 'VirtualNode',
    nameMember: 'virtualNodeName',
    listMember: 'virtualNodes',
  },
  virtualService: {
    kind: 'virtualService',
    label: 'VirtualService',
    nameMember: 'virtualServiceName',
    listMember: 'virtualServices',
  },
  virtualRouter: {
    kind: 'virtualRouter',
    label: 'VirtualRouter',
    nameMember: 'virtualRouterName',
    listMember: 'virtualRouters',
  },
  route: {
    kind: 'route',
    label: 'Route',
    nameMember: 'routeName',
    listMember: 'routes',
    parent: 'virtualRouter',
  },
  virtualGateway: {
    kind: 'virtualGateway',
    label: 'VirtualGateway',
    nameMember: 'virtualGatewayName',
    listMember: 'virtualGateways',
  },
  gatewayRoute: {
    kind: 'gatewayRoute',
    label: 'GatewayRoute',
    nameMember: 'gatewayRouteName',
    listMember: 'gatewayRoutes',
    parent: 'virtualGateway',
  },
};

export const ALL_KINDS = Object.keys(KINDS) as Kind[];

const OPERATIONS = new Map<string, { verb: Verb; kind: Kind }>();
for (const info of Object.values(KINDS)) {
  for (const verb of ['Create', 'Describe', 'Update', 'Delete'] as const) {
    OPERATIONS.set(`${verb}${info.label}`, { verb, kind: info.kind });
  }
  OPERATIONS.set(info.kind === 'mesh' ? 'ListMeshes' : `List${info.label}s`, {
    verb: 'List',
    kind: info.kind,
  });
}

/** `CreateVirtualNode` → { verb: 'Create', kind: 'virtualNode' }; undefined for the tagging operations. */
export function parseResourceOperation(operation: string): { verb: Verb; kind: Kind } | undefined {
  return OPERATIONS.get(operation);
}
