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
}

const isProviderRevision = (r: DescribedRevision) => r.tags.some((t) => t.key === TAG.owner);

/**
 * The family's ACTIVE revisions with their tags. `newest` bounds how many are read: a family that CI feeds may hold
 * hundreds; the provider's own revisions are registered after their sources, so an apply reads the newest ones only
 * (an owned revision beyond them is left alone, never wrongly deregistered). Delete reads them all.
 */
export async function readFamily(
  api: TaskDefinitionApi,
  family: string,
  owner: Owner,
  newest = Number.POSITIVE_INFINITY,
): Promise<FamilyState> {
  const arns = (await api.listActive(family)).slice(0, newest);
  const revisions = (await mapLimit(arns, 5, (arn) => api.describe(arn))).filter(
    (r): r is DescribedRevision => r !== undefined && r.status === 'ACTIVE',
  );
  return {
    family,
    active: revisions,
    owned: revisions.filter((r) => ownershipOf(r.tags, owner).kind === 'ours'),
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
  /** The patched registration, tags included (the patch adds the ownership tags and the source's own). */
  readonly input: RegisterTaskDefinitionCommandInput;
  readonly inputKey: string;
  /** Tag keys the previous properties set that the new ones dropped (to untag from a reused revision). */
  readonly removableTagKeys: readonly string[];
}

export interface EnsureResult {
  readonly arn: string;
  readonly registered: boolean;
}

export function patchHashOf(input: RegisterTaskDefinitionCommandInput): string {
  const { tags: _tags, ...content } = input;
  return digest(content);
}

/** Registers the patched revision unless an owned one with the same content exists; keeps its tags in sync. */
export async function ensureRevision(
  api: TaskDefinitionApi,
  req: EnsureRequest,
  log: Logger,
): Promise<EnsureResult> {
  const patchHash = patchHashOf(req.input);
  const tags: KeyValue[] = [
    ...(req.input.tags ?? []).map((t) => ({ key: t.key ?? '', value: t.value ?? '' })),
    { key: TAG.source, value: tagValue(req.source.arn) },
    { key: TAG.inputKey, value: req.inputKey },
    { key: TAG.patchHash, value: patchHash },
  ];
  if (tags.length > MAX_TAGS) {
    throw new TaskDefinitionError(
      `TaskDefinition "${req.source.family}:${req.source.revision}": the patched revision would carry ${tags.length} tags (its own, the Tags property and the provider's 6); ECS allows ${MAX_TAGS} — remove some`,
    );
  }
  const reuse = req.state.owned.find((r) =>
    r.tags.some((t) => t.key === TAG.patchHash && t.value === patchHash),
  );
  if (reuse) {
    const { tag, untag } = tagChanges(reuse.tags, tags, req.removableTagKeys);
    if (tag.length) await api.tag(reuse.arn, tag);
    if (untag.length) await api.untag(reuse.arn, untag);
    log.info('patched task definition unchanged', {
      taskDefinitionArn: reuse.arn,
      retagged: tag.length + untag.length,
    });
    return { arn: reuse.arn, registered: false };
  }
  const registered = await api.register({ ...req.input, tags: tags.map((t) => ({ ...t })) });
  log.info('registered patched task definition', {
    taskDefinitionArn: registered.arn,
    source: req.source.arn,
  });
  return { arn: registered.arn, registered: true };
}

/**
 * The owned revisions the given input key produced: the previous output for those properties is among them. All are
 * kept, not just the newest: with a bare family name the same properties may have produced several.
 */
export function revisionsForInputKey(state: FamilyState, inputKey: string): DescribedRevision[] {
  return state.owned.filter((r) => r.tags.some((t) => t.key === TAG.inputKey && t.value === inputKey));
}

/** Deregisters owned revisions not in `keep`. Returns the ARNs deregistered. */
export async function deregisterOwned(
  api: TaskDefinitionApi,
  state: FamilyState,
  keep: ReadonlySet<string>,
  log: Logger,
): Promise<string[]> {
  const doomed = state.owned.filter((r) => !keep.has(r.arn)).map((r) => r.arn);
  await mapLimit(doomed, 4, async (arn) => {
    await api.deregister(arn);
    log.info('deregistered task definition', { taskDefinitionArn: arn });
  });
  return doomed;
}
