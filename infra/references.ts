/**
 * The contract properties the CDK construct also takes as construct references (jsii has no union types, so the
 * reference is a prop of its own beside the string): the generator of the props (cli/generate/typescript.ts) adds
 * them to the generated interfaces, and the conversion (infra/props.ts) resolves them to the string the contract
 * takes. Data only: no aws-cdk-lib import, so the generator can read it.
 */

export interface Reference {
  /** The contract struct (`StructType.name`). */
  readonly struct: string;
  /** The contract property the reference gives (PascalCase). */
  readonly field: string;
  /** The prop of the reference. */
  readonly prop: string;
  /** Its TypeScript type in the generated props (`ecs.`, `appmesh.` and `MeshService` are imported). */
  readonly tsType: string;
  readonly description: string;
}

export const REFERENCES: readonly Reference[] = [
  {
    struct: 'MeshServiceProperties',
    field: 'MeshName',
    prop: 'mesh',
    tsType: 'appmesh.IMesh',
    description: 'The mesh, as an App Mesh construct (its name becomes MeshName). Give mesh or meshName.',
  },
  {
    struct: 'MeshServiceProperties',
    field: 'TaskDefinition',
    prop: 'ecsTaskDefinition',
    tsType: 'ecs.ITaskDefinition',
    description:
      "The task definition to patch, as an ECS construct (its ARN becomes TaskDefinition). A task definition of the MeshService's own stack gets the patching grant (MeshService.allowPatching), and its task and execution roles are checked at synth against the roles the provider may pass (passRoles, default `mesh-service/*`: an IAM path of `/mesh-service/`). Give ecsTaskDefinition or taskDefinition.",
  },
  {
    struct: 'Version',
    field: 'TaskDefinition',
    prop: 'ecsTaskDefinition',
    tsType: 'ecs.ITaskDefinition',
    description:
      "The version's task definition, as an ECS construct: granted and checked as the MeshService's ecsTaskDefinition. Give ecsTaskDefinition or taskDefinition.",
  },
  {
    struct: 'MeshServiceProperties',
    field: 'Backends',
    prop: 'backendServices',
    tsType: 'MeshService[]',
    description:
      'Services this service calls, as MeshService constructs (their virtual service names, added to backends). The resource then waits for theirs.',
  },
  {
    struct: 'BackendPolicy',
    field: 'VirtualServiceName',
    prop: 'virtualService',
    tsType: 'MeshService',
    description:
      'The backend, as the MeshService of backendServices it is (its virtual service name). Give virtualService or virtualServiceName.',
  },
  {
    struct: 'Gateway',
    field: 'VirtualGatewayName',
    prop: 'virtualGateway',
    tsType: 'appmesh.IVirtualGateway',
    description:
      'The virtual gateway, as an App Mesh construct (its name becomes VirtualGatewayName). Give virtualGateway or virtualGatewayName.',
  },
];

export const referencesOf = (struct: string, field: string): Reference | undefined =>
  REFERENCES.find((r) => r.struct === struct && r.field === field);
