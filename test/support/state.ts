/** Assertions about what the emulator holds, read from its snapshot (the ground truth, not the provider's view). */
import type { Emulator, EmulatorSnapshot } from '../../emulator';
import { desiredMesh, keyId, type ResourceKey } from '../../lambda/appmesh/desired';
import { normalize } from '../../lambda/appmesh/equality';
import { parseFor } from '../../lambda/backends';
import { TAG } from '../../lambda/ownership';
import { STACK_ID, type World } from './harness';

/** These properties are App Mesh's: the model is the App Mesh backend's. */
const parseProperties = (raw: unknown, accountId?: string) => parseFor('AppMesh', raw, accountId);

type Snap = EmulatorSnapshot['appmesh']['virtualNodes'][number];

const MUTATING = /^(Create|Update|Delete|Tag|Untag|Register|Deregister)/;

export function mutatingCalls(emulator: Emulator): string[] {
  return emulator.requests
    .filter((r) => MUTATING.test(r.operation))
    .map((r) => `${r.service}:${r.operation}`);
}

function keyOf(kind: ResourceKey['kind'], r: Snap): ResourceKey {
  const x = r as Record<string, unknown>;
  switch (kind) {
    case 'route':
      return { kind, name: x.routeName as string, parent: x.virtualRouterName as string };
    case 'gatewayRoute':
      return { kind, name: x.gatewayRouteName as string, parent: x.virtualGatewayName as string };
    default:
      return { kind, name: x[`${kind}Name`] as string };
  }
}

/** Every App Mesh resource of the snapshot (meshes and gateways aside), keyed like the provider keys them. */
export function meshResources(
  snapshot: EmulatorSnapshot,
): Map<string, { key: ResourceKey; spec: unknown; tags: Record<string, string>; version: number }> {
  const a = snapshot.appmesh;
  const all: [ResourceKey['kind'], readonly Snap[]][] = [
    ['virtualNode', a.virtualNodes],
    ['virtualRouter', a.virtualRouters],
    ['route', a.routes],
    ['virtualService', a.virtualServices],
    ['gatewayRoute', a.gatewayRoutes],
  ];
  const out = new Map<
    string,
    { key: ResourceKey; spec: unknown; tags: Record<string, string>; version: number }
  >();
  for (const [kind, list] of all) {
    for (const r of list) {
      const key = keyOf(kind, r);
      // Resources of different meshes (or mesh owners) may share names.
      out.set(`${r.metadata.meshOwner}/${r.meshName}|${keyId(key)}`, {
        key,
        spec: r.spec,
        tags: Object.fromEntries(r.tags.map((t) => [t.key, t.value])),
        version: r.metadata.version,
      });
    }
  }
  return out;
}

/** The resources the emulator holds that carry this physical id's ownership tag. */
export function ownedBy(snapshot: EmulatorSnapshot, physicalId: string) {
  return [...meshResources(snapshot).values()].filter((r) => r.tags[TAG.owner] === physicalId);
}

/**
 * Asserts the emulator holds exactly the App Mesh resources these properties describe, with their specs (after
 * the same normalisation the provider uses) and their tags.
 */
export function expectMeshMatches(
  emulator: Emulator,
  props: Record<string, unknown>,
  logicalId = 'Service',
  stackId = STACK_ID,
): void {
  const model = parseProperties(props);
  const owner = { physicalId: model.physicalId, stackId, logicalResourceId: logicalId };
  const desired = desiredMesh(model, { owner });
  const actual = ownedBy(emulator.snapshot(['appmesh']), model.physicalId);
  expect(actual.map((r) => keyId(r.key)).sort()).toEqual(desired.map((d) => keyId(d.key)).sort());
  for (const d of desired) {
    const a = actual.find((r) => keyId(r.key) === keyId(d.key))!;
    expect({ key: keyId(d.key), spec: normalize(a.spec) }).toEqual({
      key: keyId(d.key),
      spec: normalize(d.spec),
    });
    for (const t of d.tags) expect(a.tags[t.key]).toBe(t.value);
  }
}

/** Task definitions by status, for one family or all. */
export function revisions(emulator: Emulator, family?: string) {
  return emulator
    .snapshot(['ecs'], family === undefined ? {} : { families: [family] })
    .ecs.taskDefinitions.filter((t) => family === undefined || t.family === family)
    .map((t) => ({
      arn: t.taskDefinitionArn,
      status: t.status,
      owner: t.tags.find((x) => x.key === TAG.owner)?.value,
      task: t,
    }));
}

/** Nothing the provider created is left: no owned App Mesh resource, no owned ACTIVE revision. */
export function expectNothingLeft(emulator: Emulator): void {
  const snapshot = emulator.snapshot(['appmesh', 'ecs']);
  const owned = [...meshResources(snapshot).values()].filter((r) => r.tags[TAG.owner] !== undefined);
  expect(owned.map((r) => keyId(r.key))).toEqual([]);
  const active = snapshot.ecs.taskDefinitions.filter(
    (t) => t.status === 'ACTIVE' && t.tags.some((x) => x.key === TAG.owner),
  );
  expect(active.map((t) => t.taskDefinitionArn)).toEqual([]);
}

/** What owners still hold: App Mesh resources under these physical ids and ACTIVE owned revisions of these families. */
export function orphansOf(world: World, footprint: { physicalIds: string[]; families: string[] }): string[] {
  const snapshot = world.emulator.snapshot(['appmesh', 'ecs', 'vpclattice', 'elbv2'], {
    families: footprint.families,
  });
  const owners = new Set(footprint.physicalIds);
  const lattice = snapshot.vpclattice;
  const latticeOwned = lattice
    ? [
        ...lattice.services,
        ...lattice.targetGroups,
        ...lattice.listeners,
        ...lattice.rules,
        ...lattice.serviceNetworkServiceAssociations,
        ...lattice.accessLogSubscriptions,
      ].filter((r) => owners.has(r.tags.find((t) => t.key === TAG.owner)?.value ?? ''))
    : [];
  const elb = snapshot.elbv2;
  const elbOwned = elb
    ? [
        ...elb.rules.map((r) => String(r.RuleArn)),
        ...elb.targetGroups.map((t) => String(t.TargetGroupArn)),
      ].filter((arn) => owners.has(elb.tags[arn]?.find((t) => t.key === TAG.owner)?.value ?? ''))
    : [];
  return [
    ...latticeOwned.map((r) => `vpc-lattice ${r.arn}`),
    ...elbOwned.map((arn) => `elbv2 ${arn}`),
    ...footprint.physicalIds.flatMap((id) =>
      ownedBy(snapshot, id).map((r) => `${id}: ${r.key.kind} ${r.key.name}`),
    ),
    ...snapshot.ecs.taskDefinitions
      .filter((t) => footprint.families.includes(t.family) && t.status === 'ACTIVE')
      .filter((t) => owners.has(t.tags.find((x) => x.key === TAG.owner)?.value ?? ''))
      .map((t) => `revision ${t.taskDefinitionArn}`),
  ];
}

export function orphansFree(world: World, footprint: { physicalIds: string[]; families: string[] }): void {
  expect(orphansOf(world, footprint)).toEqual([]);
}

/**
 * Everything the emulator holds with an ownership tag, of every backend: App Mesh resources, ACTIVE revisions, Cloud
 * Map namespaces, VPC Lattice resources and ELB listener rules and target groups.
 */
export function ownedResources(emulator: Emulator): string[] {
  const s = emulator.snapshot(['appmesh', 'ecs', 'servicediscovery', 'vpclattice', 'elbv2']);
  const elbTags = s.elbv2?.tags ?? {};
  const tagged = (tags: readonly { key: string; value: string }[]) => tags.some((t) => t.key === TAG.owner);
  const a = s.appmesh;
  const l = s.vpclattice;
  return [
    ...[...a.virtualNodes, ...a.virtualRouters, ...a.routes, ...a.virtualServices, ...a.gatewayRoutes]
      .filter((r) => tagged(r.tags))
      .map((r) => `appmesh ${r.metadata.arn}`),
    ...s.ecs.taskDefinitions
      .filter((t) => t.status === 'ACTIVE' && tagged(t.tags))
      .map((t) => `revision ${t.taskDefinitionArn}`),
    ...(s.servicediscovery?.namespaces ?? [])
      .filter((n) => n.Tags.some((t) => t.Key === TAG.owner))
      .map((n) => `namespace ${n.Name}`),
    ...(l
      ? [
          ...l.services,
          ...l.targetGroups,
          ...l.listeners,
          ...l.rules,
          ...l.serviceNetworkServiceAssociations,
          ...l.accessLogSubscriptions,
        ]
          .filter((r) => tagged(r.tags))
          .map((r) => `vpc-lattice ${r.arn}`)
      : []),
    ...Object.entries(elbTags)
      .filter(([, tags]) => tagged(tags))
      .map(([arn]) => `elasticloadbalancing ${arn}`),
  ];
}
