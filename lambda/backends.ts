/**
 * The registry of backends: what can realise a `Custom::MeshService`, one line each. Adding a backend is a folder
 * (its contract.ts, model.ts, attributes.ts, backend.ts and the plugin.ts that ties them; docs/architecture.md) and
 * a line in `BACKENDS`. From the list come the whole property contract (the core sections and each backend's own),
 * the `Backend` property, the documented attributes, the parsing of properties into the model of the backend they
 * name, and the lookup of a physical id's backend.
 */
import { appMesh } from './appmesh/plugin';
import type { BackendPlugin, BackendRegistry } from './backend';
import { type AttributeDoc, attributeMatcher } from './contract/attributes';
import { type Infer, oneOf, parseWith, withDefault } from './contract/dsl';
import { meshServiceContract } from './contract/properties';
import { PropertyValidationError } from './errors';
import { serviceConnect } from './serviceconnect/plugin';
import { vpcLattice } from './vpclattice/plugin';

/** The backends, in the order the docs list them. The first is the default. */
export const BACKENDS = [appMesh, serviceConnect, vpcLattice] as const;

type Plugins = typeof BACKENDS;
/** A `Backend` value. */
export type Backend = Plugins[number]['name'];
/** The model of a service, of whichever backend realises it. */
export type ServiceModel = ReturnType<Plugins[number]['buildModel']>;
/** The model a given backend builds. */
export type ModelOf<B extends Backend> = Extract<ServiceModel, { readonly backend: B }>;

const names = BACKENDS.map((b) => b.name) as Backend[];

const backendField = withDefault(oneOf(...names), BACKENDS[0].name, {
  description:
    "What realises the service: `AppMesh` (virtual nodes, router, routes, the Envoy sidecar) `ServiceConnect` (Amazon ECS Service Connect: the Cloud Map namespace is checked, the task definition is prepared for Service Connect, and the return values are wired into the `AWS::ECS::Service` `ServiceConnectConfiguration`), or `VpcLattice` (Amazon VPC Lattice: a Lattice service in the platform's service network, a target group per version with standing weights, listener rules for the routes; the task definition is prepared for Lattice and each version's target group ARN is wired into its `AWS::ECS::Service` `VpcLatticeConfigurations`). App Mesh ended on 2026-09-30: use `ServiceConnect` or `VpcLattice` for new services. See docs/migration.md.",
  update: 'replacement',
  notes:
    "A change on an existing resource is refused: one ECS service cannot be in a mesh and a Service Connect namespace at once. Migrate blue/green (a new resource and a new ECS service, traffic shifted at the edge; docs/migration.md). With `ServiceConnect`, the identity is the namespace and `ServiceName` (`MeshName` and `MeshOwner` are not used), and properties Service Connect cannot honour are refused by name, saying what to use instead. With `VpcLattice`, the identity is `ServiceName` (the Lattice service's name; `MeshName` is not used), and what Lattice cannot express (timeouts, retries, outlier detection, connection pools, mutual TLS, regex and range matches) is refused by name.",
});

/** The property contract of `Custom::MeshService`. */
export const MeshServiceProperties = meshServiceContract(
  backendField,
  BACKENDS.map((b) => b.contract),
);
export type MeshServiceProps = Infer<typeof MeshServiceProperties>;

/** Every `Fn::GetAtt` attribute, backend by backend. */
export const ATTRIBUTES: readonly AttributeDoc[] = BACKENDS.flatMap((b) => b.attributes);
export const isDocumentedAttribute = attributeMatcher(ATTRIBUTES);

/** The plugin of a backend. */
export function backendNamed(name: string): BackendPlugin<ServiceModel> | undefined {
  return BACKENDS.find((b) => b.name === name);
}

/** The backend that issued a physical id, or undefined for an id no backend issued (e.g. the framework's marker). */
export function backendOwning(physicalId: string): BackendPlugin<ServiceModel> | undefined {
  return BACKENDS.find((b) => b.owns(physicalId));
}

/**
 * Parses CloudFormation's properties into the model of the backend they name, or throws PropertyValidationError
 * naming every problem. `accountId` is the account the provider acts in.
 */
export function parseProperties(raw: unknown, accountId?: string): ServiceModel {
  const parsed = parseWith(MeshServiceProperties, raw ?? {});
  if (!parsed.ok) throw new PropertyValidationError(parsed.issues);
  const p = parsed.value;
  return backendNamed(p.Backend)!.buildModel(p, accountId);
}

/** Parses properties that must name a given backend (tests and tools that work with one backend's model). */
export function parseFor<B extends Backend>(backend: B, raw: unknown, accountId?: string): ModelOf<B> {
  const model = parseProperties(raw, accountId);
  if (model.backend !== backend)
    throw new Error(`the properties name Backend ${model.backend}, not ${backend}`);
  return model as ModelOf<B>;
}

/** The registry as the handler sees it. */
export const registry: BackendRegistry = {
  parse: parseProperties,
  named: backendNamed,
  owning: backendOwning,
  defaultBackend: BACKENDS[0].name,
  ownedTypes: [...new Set(BACKENDS.flatMap((b) => b.ownedTypes))],
};
