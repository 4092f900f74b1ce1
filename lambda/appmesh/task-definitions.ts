/**
 * How the App Mesh backend reads the task-definition revisions it needs, in as few round trips as the dependencies
 * allow and bounded whatever the size of the families (a family that CI feeds may hold hundreds of revisions):
 *
 * - first round trip, beside the App Mesh reads: each named source revision (DescribeTaskDefinition), and one
 *   ListTaskDefinitions page (the newest 100 ACTIVE revisions) of each family the properties name;
 * - then, beside the first App Mesh writes: the candidates only (`candidateArns`) — the revisions the service's
 *   record on its virtual nodes names, and the listed ones newer than the oldest of those and of the sources.
 *
 * The record (ownership.ts `revisionRecordTags`) is written on the virtual nodes once the revisions are settled: the
 * current ones, the previous outputs kept for a rollback, retired ones not yet deregistered.
 */
import type { DescribedRevision, TaskDefinitionApi } from '../ecs/api';
import { candidateArns, type FamilyState, LISTED_REVISIONS, revisionNumber } from '../ecs/revisions';
import { TaskDefinitionError } from '../errors';
import {
  type KeyValue,
  type Owner,
  ownershipOf,
  type RecordedRevision,
  recordedRevisionsIn,
  retiredFamiliesIn,
  TAG,
  taskFamiliesIn,
} from '../ownership';
import type { AppMeshModel } from './model';
import type { Observed } from './reconcile';

const unique = <T>(xs: Iterable<T>): T[] => [...new Set(xs)];

export type Describe = (taskDefinition: string) => Promise<DescribedRevision | undefined>;

/** DescribeTaskDefinition at most once per revision within one request. */
export function describeOnce(api: TaskDefinitionApi): Describe {
  const seen = new Map<string, Promise<DescribedRevision | undefined>>();
  return (taskDefinition) => {
    let found = seen.get(taskDefinition);
    if (!found) {
      found = api.describe(taskDefinition);
      seen.set(taskDefinition, found);
      // A failure is the caller's to report; later callers get it too, not an unhandled rejection.
      found.catch(() => undefined);
    }
    return found;
  };
}

/** The newest page of each family, newest first. */
export async function listFamilies(
  api: TaskDefinitionApi,
  names: readonly string[],
): Promise<Map<string, string[]>> {
  const pages = await Promise.all(names.map((f) => api.listActive(f, LISTED_REVISIONS)));
  return new Map(names.map((f, i) => [f, pages[i]!.slice(0, LISTED_REVISIONS)]));
}

export interface ServiceRecord {
  /** Revision ARNs the nodes record, per family. */
  readonly arns: ReadonlyMap<string, readonly string[]>;
  /** Families a node patches or retired without a record (nodes of an older provider, or a killed invocation). */
  readonly unrecorded: readonly string[];
  /** The record's tags as the nodes carry them (the plan leaves them; `recordChanges` rewrites them). */
  readonly tags: readonly KeyValue[];
}

const isNodeOfOurs = (o: Observed) =>
  o.key.kind === 'virtualNode' && (o.ownership?.kind === 'ours' || o.ownership?.kind === 'leftover');

/** What the service's virtual nodes record (the union over its nodes). */
export function recordOf(
  observed: ReadonlyMap<string, Observed>,
  arnOf: (r: RecordedRevision) => string,
): ServiceRecord {
  const nodes = [...observed.values()].filter(isNodeOfOurs);
  const recorded = nodes.flatMap((o) => recordedRevisionsIn(o.tags));
  const arns = new Map<string, string[]>();
  for (const r of recorded) arns.set(r.family, unique([...(arns.get(r.family) ?? []), arnOf(r)]));
  const withoutRecord = nodes.filter((o) => recordedRevisionsIn(o.tags).length === 0);
  const unrecorded = unique([
    ...nodes.flatMap((o) => retiredFamiliesIn(o.tags)),
    ...withoutRecord.flatMap((o) => taskFamiliesIn(o.tags)),
  ]);
  const tags = nodes[0] ? nodes[0].tags.filter((t) => t.key.startsWith(TAG.revisions)) : [];
  return { arns, unrecorded, tags };
}

/**
 * The revision each version patches: the one named (described in the first round trip), or for a bare family the
 * newest ACTIVE one the stack may patch among the listed, described newest first a few at a time.
 */
export async function resolveSources(
  model: AppMeshModel,
  named: ReadonlyMap<string, DescribedRevision | undefined>,
  listings: ReadonlyMap<string, readonly string[]>,
  describe: Describe,
  mayPatch: (r: DescribedRevision) => boolean,
): Promise<Map<string, DescribedRevision>> {
  const out = new Map<string, DescribedRevision>();
  await Promise.all(
    model.versions.map(async (v) => {
      const ref = v.taskDefinition;
      if (!ref) return;
      if (ref.revision !== undefined) {
        const source = named.get(ref.text);
        if (!source)
          throw new TaskDefinitionError(
            `TaskDefinition "${ref.text}" not found; check the ARN, family and revision`,
          );
        out.set(v.nodeName, source);
        return;
      }
      // Newest first, a few at a time, until one the stack may patch (a newer revision someone else registered in
      // the family does not take the place of the stack's own).
      const listed = listings.get(ref.family) ?? [];
      const candidates: DescribedRevision[] = [];
      for (let i = 0; i < listed.length; i += 10) {
        const chunk = (await Promise.all(listed.slice(i, i + 10).map(describe))).filter(
          (r): r is DescribedRevision =>
            r !== undefined && r.status === 'ACTIVE' && !r.tags.some((t) => t.key === TAG.owner),
        );
        candidates.push(...chunk);
        if (chunk.some(mayPatch)) break;
      }
      const source = candidates.find(mayPatch) ?? candidates[0];
      if (!source) {
        throw new TaskDefinitionError(
          `TaskDefinition "${ref.text}": the family has no ACTIVE revision registered outside this provider; register the application's task definition first or name a revision`,
        );
      }
      out.set(v.nodeName, source);
    }),
  );
  return out;
}

/** Named revisions (`family:revision` or an ARN), described in the first round trip. */
export async function describeNamed(
  model: AppMeshModel,
  describe: Describe,
): Promise<Map<string, DescribedRevision | undefined>> {
  const named = unique(
    model.versions.flatMap((v) => (v.taskDefinition?.revision !== undefined ? [v.taskDefinition.text] : [])),
  );
  const found = await Promise.all(named.map(describe));
  return new Map(named.map((text, i) => [text, found[i]]));
}

/**
 * The state of each family from its candidates only: those the record names, and the listed ones newer than the
 * oldest source revision (`sources`: what this request patches, or what the properties of a Delete name) or the
 * oldest the record names (every listed one for a family without either).
 */
export async function readStates(
  api: TaskDefinitionApi,
  describe: Describe,
  families: readonly string[],
  listings: ReadonlyMap<string, readonly string[]>,
  record: ServiceRecord,
  sources: Iterable<{ readonly family: string; readonly revision: number }>,
  owner: Owner,
): Promise<Map<string, FamilyState>> {
  const floor = new Map<string, number>();
  for (const s of sources) floor.set(s.family, Math.min(floor.get(s.family) ?? s.revision, s.revision));
  const all = unique([...families, ...record.arns.keys(), ...record.unrecorded]);
  const states = await Promise.all(
    all.map(async (family) => {
      // A family only an old record names is listed now (a round trip more, once).
      const listed =
        listings.get(family) ?? (record.unrecorded.includes(family) ? await listFamily(api, family) : []);
      const unrecorded = record.unrecorded.includes(family) && !record.arns.has(family);
      const arns = candidateArns(
        listed,
        record.arns.get(family) ?? [],
        unrecorded ? undefined : floor.get(family),
      );
      const revisions = (await Promise.all(arns.map(describe)))
        .filter((r): r is DescribedRevision => r !== undefined && r.status === 'ACTIVE')
        .sort((a, b) => b.revision - a.revision);
      return {
        family,
        active: revisions,
        owned: revisions.filter((r) => ownershipOf(r.tags, owner).kind === 'ours'),
        leftovers: revisions.filter((r) => ownershipOf(r.tags, owner).kind === 'leftover'),
      } satisfies FamilyState;
    }),
  );
  return new Map(states.map((s) => [s.family, s]));
}

async function listFamily(api: TaskDefinitionApi, family: string): Promise<string[]> {
  return (await api.listActive(family, LISTED_REVISIONS)).slice(0, LISTED_REVISIONS);
}

/** `family:revision` of a revision ARN. */
export function recordedOf(arn: string): RecordedRevision {
  const family = /task-definition\/([^:]+):\d+$/.exec(arn)?.[1] ?? '';
  return { family, revision: revisionNumber(arn) };
}
