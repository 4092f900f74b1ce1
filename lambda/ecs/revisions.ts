/**
 * The lifecycle of the task-definition revisions the provider registers (the patch itself is the backend's):
 *
 * - Each revision it registers carries the ownership tags, the source it was patched from, an input key (a digest
 *   of the properties that produced it) and a patch hash (a digest of the registered content without tags).
 * - Apply reuses an owned revision with the same patch hash (a re-delivered request or a no-op update registers
 *   nothing) and otherwise registers a new one.
 * - Rollback safety: the revision an apply returns (current) and the one the previous properties produced
 *   (previous, found by its input key) are never deregistered, because CloudFormation may roll an ECS service back
 *   to it and ECS refuses to point a service at an INACTIVE revision. Older owned revisions are deregistered after a
 *   successful apply; Delete deregisters every owned revision and nothing else.
 */
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import type { TaggedResource, TaggingApi } from '../aws/tagging';
import { TAG_PREFIX } from '../contract/properties';
import type { TaskDefinitionRef } from '../contract/task-definition-ref';
import { TaskDefinitionError } from '../errors';
import type { Logger } from '../log';
import { type KeyValue, MAX_TAGS, type Owner, ownershipOf, TAG, tagChanges, tagValue } from '../ownership';
import { digest, mapLimit } from '../util';
import type { DescribedRevision, TaskDefinitionApi } from './api';

export interface FamilyState {
  readonly family: string;
  /** ACTIVE revisions, newest first, with their tags. */
  readonly active: readonly DescribedRevision[];
  /** The ACTIVE revisions this owner registered. */
  readonly owned: readonly DescribedRevision[];
  /** ACTIVE revisions an earlier attempt of this resource left (ownership.ts): reused (retagged) or deregistered. */
  readonly leftovers: readonly DescribedRevision[];
}

const isProviderRevision = (r: DescribedRevision) => r.tags.some((t) => t.key === TAG.owner);

/**
 * Which of a family's ACTIVE revisions a request reads (each one read is a DescribeTaskDefinition; a family that CI
 * feeds may hold hundreds):
 * - `floor`: those at or above it — the oldest source revision the request patches, or patched, in the family. Every
 *   revision the provider registers is newer than its source (a twin's, a killed attempt's, a lost answer's too), so
 *   these hold every revision those sources produced, whatever the family's size.
 * - `newest`: without a floor (a bare family name, whose source is the newest ACTIVE one), the newest so many.
 * - `owned`: ARNs the Tagging API's index says this resource owns: older ones (the revision kept for a rollback, one
 *   whose deregistration failed). The index is eventually consistent, but what it does not list yet is new, and so
 *   above the floor.
 * With a floor or `newest`, one page of the listing is read (the newest 100), unless `all`; without either, every
 * ACTIVE revision. An owned revision outside what is read is left alone, never wrongly deregistered; the resource's
 * Delete (`all`) finds it.
 */
export interface FamilyScope {
  readonly floor?: number;
  readonly newest?: number;
  readonly owned?: readonly string[] | PromiseLike<readonly string[]>;
  readonly all?: boolean;
}

/** The family's ACTIVE revisions within `scope`, with their tags, described in one round trip. */
export async function readFamily(
  api: TaskDefinitionApi,
  family: string,
  owner: Owner,
  scope: FamilyScope = {},
): Promise<FamilyState> {
  const { floor, newest, owned, all } = scope;
  const bounded = floor !== undefined || newest !== undefined;
  // The index is read beside the listing: `owned` may still be on its way.
  const [listed, ownedArns] = await Promise.all([
    api.listActive(family, bounded && !all ? LISTED_REVISIONS : Number.POSITIVE_INFINITY),
    owned ?? [],
  ]);
  const tagged = new Set(ownedArns);
  const top = new Set(bounded ? listed.slice(0, floor === undefined ? newest : 0) : listed);
  const arns = listed.filter(
    (a) => tagged.has(a) || top.has(a) || (floor !== undefined && revisionNumber(a) >= floor),
  );
  return describeRevisions(api, family, arns, owner);
}

/** How many of a bare family's newest revisions an apply reads (its source is the newest ACTIVE one it may patch). */
export const FAMILY_WINDOW = 50;

/** Several families at once, each within its scope. */
export async function readFamilies(
  api: TaskDefinitionApi,
  names: readonly string[],
  owner: Owner,
  scopeOf: (family: string) => FamilyScope = () => ({}),
): Promise<Map<string, FamilyState>> {
  const states = await Promise.all([...new Set(names)].map((f) => readFamily(api, f, owner, scopeOf(f))));
  return new Map(states.map((s) => [s.family, s]));
}

/** The resource type of task-definition revisions in the Tagging API (`ResourceTypeFilters`). */
export const REVISION_TYPE = 'ecs:task-definition';

/**
 * The ARNs of the revisions the logical resource owns (under any physical id) by the Tagging API's index, or among
 * `owned` when the caller has searched already. Read beside the listings (a failure surfaces where it is awaited).
 */
export function ownedRevisionArns(
  tagging: TaggingApi,
  owner: Owner,
  owned?: readonly TaggedResource[],
): Promise<string[]> {
  const arns = (owned ? Promise.resolve(owned) : tagging.ownedBy(owner, [REVISION_TYPE])).then((found) =>
    found.map((r) => r.arn),
  );
  arns.catch(() => {});
  return arns;
}

/**
 * Per family, the scope of a request: the floor is the oldest revision the given models' versions name in it (the
 * desired, previous and earlier attempt's properties: what a rollback may return to is among them), or the newest
 * `FAMILY_WINDOW` for a family one of them names bare; plus the revisions of `owned` (ARNs of any type and family,
 * from the Tagging API: only the family's are read); `all` for a Delete.
 */
export function familyScopes(
  models: readonly (
    | { readonly versions: readonly { readonly taskDefinition?: TaskDefinitionRef }[] }
    | undefined
  )[],
  owned?: readonly string[] | PromiseLike<readonly string[]>,
  all = false,
): (family: string) => FamilyScope {
  const floors = new Map<string, number | undefined>();
  for (const m of models)
    for (const v of m?.versions ?? []) {
      const ref = v.taskDefinition;
      if (!ref) continue;
      const had = floors.has(ref.family) ? floors.get(ref.family) : Number.POSITIVE_INFINITY;
      floors.set(
        ref.family,
        had === undefined || ref.revision === undefined ? undefined : Math.min(had, ref.revision),
      );
    }
  return (family) => {
    const floor = floors.get(family);
    return {
      ...(floor === undefined ? { newest: FAMILY_WINDOW } : { floor }),
      ...(owned ? { owned } : {}),
      ...(all ? { all } : {}),
    };
  };
}

/** Fields of a described revision that RegisterTaskDefinition refuses or ignores: a patch starts without them. */
export const READ_ONLY_FIELDS = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt',
] as const;

/**
 * The longest ARN each version's patched revision can have (revision 9999999999), by version: what a backend's
 * predicted attributes measure before anything is registered.
 */
export function longestRevisionArns<V extends { readonly taskDefinition?: { readonly family: string } }>(
  versions: readonly V[],
  at: { readonly partition: string; readonly region: string; readonly accountId: string },
): Map<V, string> {
  return new Map(
    versions.flatMap((v) =>
      v.taskDefinition
        ? [
            [
              v,
              `arn:${at.partition}:ecs:${at.region}:${at.accountId}:task-definition/${v.taskDefinition.family}:9999999999`,
            ] as const,
          ]
        : [],
    ),
  );
}

/** How many of a family's newest ACTIVE revisions one ListTaskDefinitions page lists. */
export const LISTED_REVISIONS = 100;

export const revisionNumber = (arn: string): number => Number(arn.slice(arn.lastIndexOf(':') + 1));

/**
 * The revisions of a family worth describing, bounded whatever the family's size: those the service's record names,
 * and the listed ones newer than `floor` — the oldest revision this apply patches or the record names, since every
 * revision the provider registers is newer than its source (a twin's, a killed attempt's, a lost answer's). Without
 * either, every listed one (at most a page).
 */
export function candidateArns(
  listed: readonly string[],
  recorded: readonly string[],
  floor: number | undefined,
): string[] {
  const lowest = Math.min(floor ?? Number.POSITIVE_INFINITY, ...recorded.map(revisionNumber));
  const newer = Number.isFinite(lowest) ? listed.filter((a) => revisionNumber(a) > lowest) : listed;
  return [...new Set([...recorded, ...newer])];
}

/** Describes exactly these revisions of a family (in parallel) into its state: the ACTIVE ones, ours, leftovers. */
export async function describeRevisions(
  api: TaskDefinitionApi,
  family: string,
  arns: readonly string[],
  owner: Owner,
): Promise<FamilyState> {
  const revisions = (await mapLimit(arns, 50, (arn) => api.describe(arn)))
    .filter((r): r is DescribedRevision => r !== undefined && r.status === 'ACTIVE')
    .sort((a, b) => b.revision - a.revision);
  return {
    family,
    active: revisions,
    owned: revisions.filter((r) => ownershipOf(r.tags, owner).kind === 'ours'),
    leftovers: revisions.filter((r) => ownershipOf(r.tags, owner).kind === 'leftover'),
  };
}

/**
 * The revision to patch: the one named, or for a bare family the newest ACTIVE one not registered by the provider
 * that the stack may patch (`mayPatch`) — so that a newer revision someone else registered in the family does not
 * take the place of the stack's own. When none may be patched, the newest is returned and the caller refuses it.
 */
export async function resolveSource(
  api: TaskDefinitionApi,
  ref: TaskDefinitionRef,
  state: FamilyState,
  mayPatch: (revision: DescribedRevision) => boolean = () => true,
): Promise<DescribedRevision> {
  if (ref.revision === undefined) {
    const candidates = state.active.filter((r) => !isProviderRevision(r));
    const source = candidates.find(mayPatch) ?? candidates[0];
    if (!source) {
      throw new TaskDefinitionError(
        `TaskDefinition "${ref.text}": the family has no ACTIVE revision registered outside this provider; register the application's task definition first or name a revision`,
      );
    }
    return source;
  }
  const known = state.active.find((r) => r.revision === ref.revision);
  const source = known ?? (await api.describe(ref.text));
  if (!source)
    throw new TaskDefinitionError(
      `TaskDefinition "${ref.text}" not found; check the ARN, family and revision`,
    );
  return source;
}

export interface EnsureRequest {
  readonly state: FamilyState;
  readonly source: DescribedRevision;
  /** The registration as `registration` built it: patched content, and every tag including the bookkeeping. */
  readonly input: RegisterTaskDefinitionCommandInput;
  /** Tag keys the previous properties set that the new ones dropped (to untag from a reused revision). */
  readonly removableTagKeys: readonly string[];
  /** A twin delivery of the request has finished everything that could fail: its revisions may be reused. */
  readonly siblingDone?: boolean;
}

export interface EnsureResult {
  readonly arn: string;
  readonly registered: boolean;
}

/** ECS's limits on one RegisterTaskDefinition (its API reference and service quotas). */
export const ECS_LIMITS = { containers: 10, requestBytes: 64 * 1024, tags: MAX_TAGS } as const;

export function patchHashOf(input: RegisterTaskDefinitionCommandInput): string {
  const { tags: _tags, ...content } = input;
  return digest(content);
}

const tagOf = (r: DescribedRevision, key: string) => r.tags.find((t) => t.key === key)?.value;

/** Who is registering: the CloudFormation request and this invocation of it. */
export interface Registrant {
  readonly requestId: string;
  readonly invocationId: string;
}

/**
 * The complete registration of a patched revision: the patch, plus the bookkeeping tags (source, input key, patch
 * hash, request and invocation), refused — in the read phase, before any change — when ECS would refuse it:
 * more than 10 containers, more than 50 tags, a request over 64 KiB. `what` names it for the template author.
 */
export function registration(
  patch: RegisterTaskDefinitionCommandInput,
  source: DescribedRevision,
  inputKey: string,
  registrant: Registrant,
  what: string,
): RegisterTaskDefinitionCommandInput {
  const tags: KeyValue[] = [
    ...(patch.tags ?? []).map((t) => ({ key: t.key ?? '', value: t.value ?? '' })),
    { key: TAG.source, value: tagValue(source.arn) },
    { key: TAG.inputKey, value: inputKey },
    { key: TAG.patchHash, value: patchHashOf(patch) },
    { key: TAG.requestId, value: tagValue(registrant.requestId) },
    { key: TAG.invocationId, value: tagValue(registrant.invocationId) },
  ];
  const input = { ...patch, tags: tags.map((t) => ({ ...t })) };
  const containers = input.containerDefinitions?.length ?? 0;
  if (containers > ECS_LIMITS.containers) {
    throw new TaskDefinitionError(
      `${what}: the patched revision would have ${containers} containers (the sidecars included); ECS allows ${ECS_LIMITS.containers} — remove some`,
    );
  }
  if (tags.length > ECS_LIMITS.tags) {
    throw new TaskDefinitionError(
      `${what}: the patched revision would carry ${tags.length} tags (its own, the Tags property and the provider's 8); ECS allows ${ECS_LIMITS.tags} — remove some`,
    );
  }
  const bytes = Buffer.byteLength(JSON.stringify(input), 'utf8');
  if (bytes > ECS_LIMITS.requestBytes) {
    throw new TaskDefinitionError(
      `${what}: the patched revision would be a ${bytes}-byte registration; ECS allows ${ECS_LIMITS.requestBytes} — shorten its container definitions`,
    );
  }
  return input;
}

/** Registered by another invocation of this same request: a twin delivery, which may still be running. */
export function bySibling(r: DescribedRevision, me: Registrant): boolean {
  return (
    tagOf(r, TAG.requestId) === tagValue(me.requestId) &&
    tagOf(r, TAG.invocationId) !== tagValue(me.invocationId)
  );
}

/**
 * An owned revision with the same content can stand in for a new registration — but one a twin delivery of this
 * request registered only when that twin can no longer fail (`siblingDone`, see the backend): a twin that fails
 * deregisters what it registered, and must not take away what this delivery returns.
 */
function reusable(r: DescribedRevision, patchHash: string, me: Registrant, siblingDone: boolean): boolean {
  return tagOf(r, TAG.patchHash) === patchHash && (siblingDone || !bySibling(r, me));
}

/** True when the state holds a revision that `ensureRevision` could reuse for this registration. */
export function hasReusable(state: FamilyState, input: RegisterTaskDefinitionCommandInput): boolean {
  const patchHash = patchHashOf(input);
  return [...state.owned, ...state.leftovers].some((r) => tagOf(r, TAG.patchHash) === patchHash);
}

/** Registers the patched revision unless an owned one with the same content exists; keeps its tags in sync. */
export async function ensureRevision(
  api: TaskDefinitionApi,
  req: EnsureRequest,
  me: Registrant,
  log: Logger,
): Promise<EnsureResult> {
  const patchHash = patchHashOf(req.input);
  const tags: KeyValue[] = (req.input.tags ?? []).map((t) => ({ key: t.key ?? '', value: t.value ?? '' }));
  // A leftover of an earlier attempt with the same content is adopted: retagged to this owner below.
  const reuse = [...req.state.owned, ...req.state.leftovers].find((r) =>
    reusable(r, patchHash, me, req.siblingDone === true),
  );
  if (reuse) {
    // Who registered a revision is history, not configuration: a reused revision keeps its markers.
    const markers = new Set<string>([TAG.requestId, TAG.invocationId]);
    const wanted = [
      ...tags.filter((t) => !markers.has(t.key)),
      ...reuse.tags.filter((t) => markers.has(t.key)),
    ];
    const { tag, untag } = tagChanges(reuse.tags, wanted, req.removableTagKeys);
    if (tag.length) await api.tag(reuse.arn, tag);
    if (untag.length) await api.untag(reuse.arn, untag);
    log.info('patched task definition unchanged', {
      taskDefinitionArn: reuse.arn,
      retagged: tag.length + untag.length,
    });
    return { arn: reuse.arn, registered: false };
  }
  const registered = await api.register(req.input);
  log.info('registered patched task definition', {
    taskDefinitionArn: registered.arn,
    source: req.source.arn,
  });
  return { arn: await convergeTwins(api, req, registered, me, log), registered: true };
}

/**
 * On a revision a failed delivery is withdrawing (the undo of its Create): a twin delivery no longer converges on it.
 * Set, then the revision read back: see `withdrawRevisions` and `convergeTwins`.
 */
export const WITHDRAWN_TAG = `${TAG_PREFIX}withdrawn`;

const twinOf = (r: DescribedRevision, patchHash: string, me: Registrant) =>
  tagOf(r, TAG.patchHash) === patchHash && bySibling(r, me);

/**
 * ECS has no client token for RegisterTaskDefinition, so twin deliveries of one request (the Provider framework
 * re-invoking the handler while the first invocation runs) may each register the same content. They converge after
 * the fact on the lowest revision: every twin that registered lists the family and sees every twin registration
 * older than its own (revision numbers only grow), so all agree on the lowest. One that is not the lowest marks the
 * lowest as adopted, reads it back and, unless its registrant is withdrawing it (its undo), deregisters its own
 * registration and answers the lowest. The withdrawing delivery reads the revision back too and keeps it when a twin
 * adopted it: whichever of the two tags comes first, no twin answers a revision that is deregistered.
 */
async function convergeTwins(
  api: TaskDefinitionApi,
  req: EnsureRequest,
  mine: DescribedRevision,
  me: Registrant,
  log: Logger,
): Promise<string> {
  const patchHash = patchHashOf(req.input);
  const known = new Map(req.state.active.map((r) => [r.arn, r]));
  // Twins registered after the source and before this revision: those read already as twins, and those new since.
  const between = (await api.listActive(req.state.family, LISTED_REVISIONS)).filter((arn) => {
    const n = revisionNumber(arn);
    if (n <= req.source.revision || n >= mine.revision) return false;
    const seen = known.get(arn);
    return seen === undefined || twinOf(seen, patchHash, me);
  });
  if (!between.length) return mine.arn;
  const twins = (await mapLimit(between, 5, (arn) => api.describe(arn)))
    .filter(
      (r): r is DescribedRevision =>
        r !== undefined && r.status === 'ACTIVE' && twinOf(r, patchHash, me) && !tagOf(r, WITHDRAWN_TAG),
    )
    .sort((a, b) => a.revision - b.revision);
  for (const twin of twins) {
    try {
      await api.tag(twin.arn, [{ key: TAG.adoptedBy, value: tagValue(me.invocationId) }]);
    } catch (error) {
      log.warn('could not mark a twin delivery revision as adopted; keeping this one', {
        taskDefinitionArn: twin.arn,
        error,
      });
      return mine.arn;
    }
    const now = await api.describe(twin.arn);
    if (now?.status !== 'ACTIVE' || tagOf(now, WITHDRAWN_TAG)) continue;
    try {
      await api.deregister(mine.arn);
    } catch (error) {
      log.warn('could not deregister the duplicate of a twin delivery revision', {
        taskDefinitionArn: mine.arn,
        error,
      });
    }
    log.info('converged on the revision a twin delivery registered', {
      taskDefinitionArn: twin.arn,
      duplicate: mine.arn,
    });
    return twin.arn;
  }
  return mine.arn;
}

/**
 * The undo of a failed Create, for the revisions this invocation registered: each is marked withdrawn, read back,
 * and deregistered unless a twin delivery has adopted it (it may be what that twin answers; it then stays, owned, and
 * the resource's next step keeps or removes it). Returns the ARNs deregistered.
 */
export async function withdrawRevisions(
  api: TaskDefinitionApi,
  revisions: readonly DescribedRevision[],
  me: Registrant,
  log: Logger,
): Promise<string[]> {
  const done = await mapLimit(revisions, 4, async (r) => {
    try {
      await api.tag(r.arn, [{ key: WITHDRAWN_TAG, value: tagValue(me.invocationId) }]);
    } catch (error) {
      log.warn('could not mark a revision withdrawn; deciding on its tags as they are', {
        taskDefinitionArn: r.arn,
        error,
      });
    }
    const now = await api.describe(r.arn);
    const adopter = now && tagOf(now, TAG.adoptedBy);
    if (adopter !== undefined && adopter !== tagValue(me.invocationId)) {
      await api.untag(r.arn, [WITHDRAWN_TAG]);
      log.info('kept a revision a twin delivery adopted', { taskDefinitionArn: r.arn });
      return undefined;
    }
    await api.deregister(r.arn);
    log.info('deregistered task definition', { taskDefinitionArn: r.arn });
    return r.arn;
  });
  return done.filter((a): a is string => a !== undefined);
}

/**
 * The owned revisions the given input key produced: the previous output for those properties is among them. All are
 * kept, not just the newest: with a bare family name the same properties may have produced several.
 */
export function revisionsForInputKey(state: FamilyState, inputKey: string): DescribedRevision[] {
  return state.owned.filter((r) => r.tags.some((t) => t.key === TAG.inputKey && t.value === inputKey));
}

/** The owned revisions this request registered (by any delivery of it): a twin's result is among them. */
export function revisionsOfRequest(state: FamilyState, requestId: string): DescribedRevision[] {
  return state.owned.filter((r) => tagOf(r, TAG.requestId) === tagValue(requestId));
}

/** The owned revisions this very invocation registered (its answer lost or not). */
export function revisionsOfInvocation(state: FamilyState, invocationId: string): DescribedRevision[] {
  return state.owned.filter((r) => tagOf(r, TAG.invocationId) === tagValue(invocationId));
}

/** Deregisters owned revisions, and leftovers of earlier attempts, not in `keep`. Returns the ARNs deregistered. */
export async function deregisterOwned(
  api: TaskDefinitionApi,
  state: FamilyState,
  keep: ReadonlySet<string>,
  log: Logger,
): Promise<string[]> {
  const doomed = [...state.owned, ...state.leftovers].filter((r) => !keep.has(r.arn)).map((r) => r.arn);
  await mapLimit(doomed, 4, async (arn) => {
    await api.deregister(arn);
    log.info('deregistered task definition', { taskDefinitionArn: arn });
  });
  return doomed;
}
