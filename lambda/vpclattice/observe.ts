/**
 * The read phase of the VPC Lattice backend: what this resource owns in Lattice, found by name (the service by its
 * name, the target groups by theirs in the VPC) and by its ownership tags (aws/tagging.ts: rules and listeners are
 * found through it in the same round trip), then read by id with their tags (strongly consistent) in one more round
 * trip. Ownership is checked here, before any change: a service or target group of a needed name that this resource
 * does not own is refused by name; an earlier attempt's (a leftover) is adopted when its name is wanted.
 */
import type { TaggedResource } from '../aws/tagging';
import { OwnershipError } from '../errors';
import { type KeyValue, type Owner, ownershipOf } from '../ownership';
import type { LatticeApi, Ref } from './api';
import type {
  ObservedAction,
  ObservedLattice,
  ObservedListener,
  ObservedRule,
  ObservedService,
  ObservedTargetGroup,
} from './plan';

/** The resource types a Lattice service owns (GetResources' ResourceTypeFilters). */
export const OWNABLE_TYPES = ['vpc-lattice'];

/** What the first round trip found. */
export interface FirstReads {
  readonly service?: Ref;
  /** The target groups of the VPC, by name. */
  readonly targetGroups: readonly Ref[];
  /** Everything the logical resource owns, by tag. */
  readonly owned: readonly TaggedResource[];
}

export interface Observation {
  readonly observed: ObservedLattice;
  /** The tags of everything read, for the window check. */
  readonly tagSets: readonly (readonly KeyValue[])[];
  /** Adopted from an earlier attempt: their ownership tags are rewritten. */
  readonly adopt: readonly string[];
  /** Target groups of this logical resource under another physical id no request still holds: removed after. */
  readonly leftoverTargetGroups: readonly ObservedTargetGroup[];
}

const SERVICE_ARN = /:service\/(svc-[0-9a-z]+)$/;
const LISTENER_ARN = /:service\/(svc-[0-9a-z]+)\/listener\/(listener-[0-9a-z]+)$/;
const RULE_ARN = /:service\/(svc-[0-9a-z]+)\/listener\/(listener-[0-9a-z]+)\/rule\/(rule-[0-9a-z]+)$/;
const TARGET_GROUP_ARN = /:targetgroup\/(tg-[0-9a-z]+)$/;

/** The ids in a Lattice ARN. */
export function idsOfArn(
  arn: string,
):
  | { kind: 'service'; serviceId: string }
  | { kind: 'listener'; serviceId: string; listenerId: string }
  | { kind: 'rule'; serviceId: string; listenerId: string; ruleId: string }
  | { kind: 'targetGroup'; targetGroupId: string }
  | undefined {
  let m = RULE_ARN.exec(arn);
  if (m) return { kind: 'rule', serviceId: m[1]!, listenerId: m[2]!, ruleId: m[3]! };
  m = LISTENER_ARN.exec(arn);
  if (m) return { kind: 'listener', serviceId: m[1]!, listenerId: m[2]! };
  m = SERVICE_ARN.exec(arn);
  if (m) return { kind: 'service', serviceId: m[1]! };
  m = TARGET_GROUP_ARN.exec(arn);
  if (m) return { kind: 'targetGroup', targetGroupId: m[1]! };
  return undefined;
}

const ownedOrLeftover = (tags: readonly KeyValue[], owner: Owner) =>
  ownershipOf(tags, owner).kind !== 'foreign';

/**
 * The second round trip: the service, its listener, rules, associations, auth policy and access logs, and the target
 * groups, each read by id with its tags. `wanted` are the target groups the model names (their properties, for the
 * message of a refusal).
 */
export async function observeLattice(
  api: LatticeApi,
  first: FirstReads,
  wanted: ReadonlyMap<string, string>,
  owner: Owner,
): Promise<Observation> {
  const adopt: string[] = [];
  const tagSets: (readonly KeyValue[])[] = first.owned.map((r) => r.tags);

  // Target groups: those of a wanted name, and those the tags say this resource owns.
  const candidates = new Map<string, Ref>();
  for (const tg of first.targetGroups) if (wanted.has(tg.name)) candidates.set(tg.arn, tg);
  for (const r of first.owned) {
    const ids = idsOfArn(r.arn);
    if (ids?.kind === 'targetGroup' && !candidates.has(r.arn))
      candidates.set(r.arn, { arn: r.arn, id: ids.targetGroupId, name: '' });
  }
  const service = first.service;
  const listenerIds = new Set<string>();
  for (const r of first.owned) {
    const ids = idsOfArn(r.arn);
    if (service && ids?.kind === 'listener' && ids.serviceId === service.id) listenerIds.add(ids.listenerId);
  }

  const [serviceRead, groups, listeners, associations, authPolicy, accessLogs] = await Promise.all([
    service ? Promise.all([api.getService(service.id), api.tagsOf(service.arn)]) : Promise.resolve(undefined),
    Promise.all(
      [...candidates.values()].map(async (c) => {
        const [tg, tags] = await Promise.all([api.getTargetGroup(c.id || c.arn), api.tagsOf(c.arn)]);
        return tg && tags ? { ...tg, tags } : undefined;
      }),
    ),
    service ? readListeners(api, service, listenerIds, first.owned) : Promise.resolve([]),
    service ? api.listAssociations(service.id) : Promise.resolve([]),
    service ? api.getAuthPolicy(service.arn) : Promise.resolve(undefined),
    service ? api.listAccessLogs(service.arn) : Promise.resolve([]),
  ]);

  let observedService: ObservedService | undefined;
  if (service && serviceRead?.[0] && serviceRead[1]) {
    const tags = serviceRead[1];
    tagSets.push(tags);
    const ownership = ownershipOf(tags, owner);
    if (ownership.kind === 'foreign')
      throw new OwnershipError(
        `ServiceName: the VPC Lattice service "${service.name}" exists and is ${ownership.description}; the provider never adopts or changes it: give another ServiceName, or delete that service`,
      );
    if (ownership.kind === 'leftover') adopt.push(service.arn);
    observedService = { ...serviceRead[0], tags };
  }

  const targetGroups = new Map<string, ObservedTargetGroup>();
  const leftoverTargetGroups: ObservedTargetGroup[] = [];
  for (const tg of groups) {
    if (!tg) continue;
    tagSets.push(tg.tags);
    const ownership = ownershipOf(tg.tags, owner);
    if (wanted.has(tg.name)) {
      if (ownership.kind === 'foreign')
        throw new OwnershipError(
          `${wanted.get(tg.name)}: the VPC Lattice target group "${tg.name}" exists and is ${ownership.description}; the provider never adopts or changes it: rename the version (or the service), or delete that target group`,
        );
      if (ownership.kind === 'leftover') adopt.push(tg.arn);
      targetGroups.set(tg.name, tg);
    } else if (ownership.kind === 'ours') targetGroups.set(tg.name, tg);
    else if (ownership.kind === 'leftover') leftoverTargetGroups.push(tg);
  }

  // Lattice answers a forward's target groups by id (or as they were given): the plan compares ARNs.
  const arnOfGroup = new Map<string, string>();
  for (const tg of groups) if (tg) arnOfGroup.set(tg.id, tg.arn).set(tg.arn, tg.arn);
  const normal = (a: ObservedAction): ObservedAction =>
    a.kind === 'forward'
      ? {
          kind: 'forward',
          targets: a.targets.map((t) => ({
            ...t,
            targetGroupArn: arnOfGroup.get(t.targetGroupArn) ?? t.targetGroupArn,
          })),
        }
      : a;

  // The service's children are this resource's when they carry its ownership (a rule added by hand is left alone).
  let listener: ObservedListener | undefined;
  const rules = new Map<string, ObservedRule>();
  if (observedService) {
    for (const l of listeners) {
      tagSets.push(l.listener.tags);
      if (!ownedOrLeftover(l.listener.tags, owner)) continue;
      listener = { ...l.listener, defaultAction: normal(l.listener.defaultAction) };
      for (const r of l.rules) {
        tagSets.push(r.tags);
        if (ownedOrLeftover(r.tags, owner)) rules.set(r.name, { ...r, action: normal(r.action) });
      }
    }
  }
  return {
    observed: {
      ...(observedService ? { service: observedService } : {}),
      targetGroups,
      ...(listener ? { listener } : {}),
      rules,
      associations: observedService ? associations : [],
      ...(observedService && authPolicy !== undefined ? { authPolicy } : {}),
      accessLogs: observedService ? accessLogs : [],
    },
    tagSets,
    adopt,
    leftoverTargetGroups,
  };
}

/**
 * The listeners of a service with their rules. The listeners and rules the tags named are read at once; a listener
 * or rule the tags did not name yet (GetResources is eventually consistent) is found by the lists, which are not,
 * and read after them.
 */
async function readListeners(
  api: LatticeApi,
  service: Ref,
  tagged: ReadonlySet<string>,
  owned: readonly TaggedResource[],
): Promise<{ listener: ObservedListener; rules: ObservedRule[] }[]> {
  const serviceId = service.id;
  const taggedRules = new Map<string, string[]>();
  for (const r of owned) {
    const ids = idsOfArn(r.arn);
    if (ids?.kind === 'rule' && ids.serviceId === serviceId)
      taggedRules.set(ids.listenerId, [...(taggedRules.get(ids.listenerId) ?? []), ids.ruleId]);
  }
  type Read = { listener: ObservedListener; rules: ObservedRule[] };
  const readListener = async (listenerId: string): Promise<Read | undefined> => {
    const ruleIds = taggedRules.get(listenerId) ?? [];
    const [l, tags, listed, early] = await Promise.all([
      api.getListener(serviceId, listenerId),
      api.tagsOf(`${service.arn}/listener/${listenerId}`),
      api.listRules(serviceId, listenerId),
      Promise.all(ruleIds.map((id) => readRule(api, service, listenerId, id))),
    ]);
    if (!l || !tags) return undefined;
    const known = new Set(ruleIds);
    const late = await Promise.all(
      listed
        .filter((r) => !r.isDefault && !known.has(r.id))
        .map((r) => readRule(api, service, listenerId, r.id)),
    );
    const present = new Set(listed.map((r) => r.id));
    const rules = [...early, ...late].filter((r): r is ObservedRule => r !== undefined && present.has(r.id));
    return { listener: { ...l, tags }, rules };
  };
  const [listed, early] = await Promise.all([
    api.listListeners(serviceId),
    Promise.all([...tagged].map(readListener)),
  ]);
  const late = await Promise.all(listed.filter((l) => !tagged.has(l.id)).map((l) => readListener(l.id)));
  const present = new Set(listed.map((l) => l.id));
  return [...early, ...late].filter((l): l is Read => l !== undefined && present.has(l.listener.id));
}

async function readRule(
  api: LatticeApi,
  service: Ref,
  listenerId: string,
  ruleId: string,
): Promise<ObservedRule | undefined> {
  const [r, tags] = await Promise.all([
    api.getRule(service.id, listenerId, ruleId),
    api.tagsOf(`${service.arn}/listener/${listenerId}/rule/${ruleId}`),
  ]);
  return r && tags ? { ...r, tags } : undefined;
}
