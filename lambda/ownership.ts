/**
 * Ownership is explicit: every resource the provider creates carries tags naming the physical id, stack and
 * logical id that own it. Update and Delete touch only resources whose three tags match; a resource under a needed
 * name that is owned by anyone else (or by no one) is never adopted, changed or deleted.
 *
 * The same tag namespace holds the provider's bookkeeping: on virtual nodes, the task-definition family each
 * version patches and the families retired by the last update (whose revisions are kept for a rollback), so that a
 * later update or the Delete can still find and deregister them.
 */
import { createHash } from 'node:crypto';
import { TAG_PREFIX } from './contract/properties';

export const TAG = {
  owner: `${TAG_PREFIX}owner`,
  stackId: `${TAG_PREFIX}stack-id`,
  logicalId: `${TAG_PREFIX}logical-id`,
  /** On a virtual node: the task-definition family its version patches. */
  taskFamily: `${TAG_PREFIX}task-family`,
  /** On virtual nodes, before revision records: families no longer declared (packed, numbered). Read only. */
  retiredFamilies: `${TAG_PREFIX}retired-task-families-`,
  /**
   * On every virtual node of a service: the task-definition revisions it keeps (`family:revision`, packed, numbered):
   * the current ones, the previous outputs kept for a rollback and retired ones, so that an update or the Delete
   * reads exactly those instead of every revision of the families.
   */
  revisions: `${TAG_PREFIX}revisions-`,
  /** On patched task definitions. */
  source: `${TAG_PREFIX}source-task-definition`,
  inputKey: `${TAG_PREFIX}input-key`,
  patchHash: `${TAG_PREFIX}patch-hash`,
  /**
   * Set by an invocation that found a resource another delivery of its request had just created and converged on it:
   * that delivery's cleanup, should it fail, leaves the resource alone. The next update removes the marker.
   */
  adoptedBy: `${TAG_PREFIX}adopted-by`,
  /**
   * On the virtual service (an edge service's first virtual node): the CloudFormation operation window the last request acted in, and that
   * request's RequestId (`<window digest> <RequestId>`). CloudFormation sends one request per resource and operation,
   * so a second RequestId in the same window is refused (docs/security.md). History: overwritten by the next
   * request, never removed by a plan.
   */
  window: `${TAG_PREFIX}window`,
  /** On patched task definitions: the CloudFormation request and the invocation that registered the revision. */
  requestId: `${TAG_PREFIX}request-id`,
  invocationId: `${TAG_PREFIX}invocation-id`,
} as const;

/** App Mesh and ECS allow 50 tags per resource and 256 characters per value. */
export const MAX_TAGS = 50;
const MAX_VALUE = 256;
/**
 * Tags the retired-families or revisions record may use (each holds several entries). On a virtual node: 3 ownership
 * tags, the task family, these 10 and the 36 the Tags property may add make ECS's and App Mesh's 50.
 */
export const RETIRED_FAMILY_TAG_SLOTS = 10;

export interface Owner {
  readonly physicalId: string;
  readonly stackId: string;
  readonly logicalResourceId: string;
  /**
   * The physical ids CloudFormation may still hold for this logical resource besides `physicalId` (an Update's
   * current id during a replacement): with it, anything of the same stack and logical id under another physical id is
   * a leftover of an earlier attempt, which this request adopts or removes. Undefined (a Delete, which cannot know
   * the live id after a replacement): such resources are left alone.
   */
  readonly livePhysicalIds?: readonly string[];
}

export interface KeyValue {
  readonly key: string;
  readonly value: string;
}

/**
 * A tag value for any text: the text itself when it fits ECS's and App Mesh's 256 characters, else its digest
 * (`sha256:<hex>`), which is unique and uses only characters both services allow in tag values (a cut with an
 * ellipsis would not be: ECS refuses `…`).
 */
export function tagValue(text: string): string {
  return text.length <= MAX_VALUE ? text : `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** Physical ids longer than a tag value are represented by their digest. */
export const ownerTagValue = tagValue;

export function ownershipTags(owner: Owner): KeyValue[] {
  return [
    { key: TAG.owner, value: tagValue(owner.physicalId) },
    { key: TAG.stackId, value: tagValue(owner.stackId) },
    { key: TAG.logicalId, value: tagValue(owner.logicalResourceId) },
  ];
}

export type Ownership =
  | { readonly kind: 'ours' }
  /** Of this stack and logical id, under a physical id CloudFormation no longer holds: an earlier attempt's. */
  | { readonly kind: 'leftover'; readonly description: string }
  | { readonly kind: 'foreign'; readonly description: string };

export function ownershipOf(tags: readonly KeyValue[], owner: Owner): Ownership {
  const get = (k: string) => tags.find((t) => t.key === k)?.value;
  const [physicalId, stackId, logicalId] = [get(TAG.owner), get(TAG.stackId), get(TAG.logicalId)];
  const ours = ownershipTags(owner);
  if (physicalId === ours[0]!.value && stackId === ours[1]!.value && logicalId === ours[2]!.value) {
    return { kind: 'ours' };
  }
  if (
    owner.livePhysicalIds !== undefined &&
    physicalId !== undefined &&
    stackId === ours[1]!.value &&
    logicalId === ours[2]!.value &&
    !owner.livePhysicalIds.some((id) => tagValue(id) === physicalId)
  ) {
    return {
      kind: 'leftover',
      description: `left by an earlier attempt of this resource (as ${physicalId})`,
    };
  }
  if (physicalId === undefined)
    return { kind: 'foreign', description: 'not created by Custom::MeshService (no ownership tags)' };
  return {
    kind: 'foreign',
    description: `owned by ${physicalId} (stack ${stackNameOf(stackId) ?? 'unknown'}, resource ${logicalId ?? 'unknown'})`,
  };
}

/** `arn:aws:cloudformation:us-east-1:123456789012:stack/my-stack/uuid` → `my-stack`. */
export function stackNameOf(stackId: string | undefined): string | undefined {
  if (!stackId) return undefined;
  return /:stack\/([^/]+)\//.exec(stackId)?.[1] ?? stackId;
}

/**
 * The retired-families record as tags: families (which contain no spaces) packed into as few values as fit.
 * Returns the tags and the families that did not fit (`dropped`), which the caller reports.
 */
/** Entries without spaces packed into as few numbered tags (`<prefix>1`, …) as fit; `dropped` did not fit. */
function packedTags(prefix: string, entries: readonly string[]): { tags: KeyValue[]; dropped: string[] } {
  const values: string[] = [];
  const dropped: string[] = [];
  for (const entry of [...new Set(entries)].sort()) {
    const last = values.length - 1;
    if (entry.length > MAX_VALUE) dropped.push(entry);
    else if (last >= 0 && values[last]!.length + 1 + entry.length <= MAX_VALUE) values[last] += ` ${entry}`;
    else if (values.length < RETIRED_FAMILY_TAG_SLOTS) values.push(entry);
    else dropped.push(entry);
  }
  return { tags: values.map((value, i) => ({ key: `${prefix}${i + 1}`, value })), dropped };
}

const packedIn = (tags: readonly KeyValue[], prefix: string): string[] =>
  tags.filter((t) => t.key.startsWith(prefix)).flatMap((t) => t.value.split(' ').filter(Boolean));

export function retiredFamilyTags(families: readonly string[]): { tags: KeyValue[]; dropped: string[] } {
  return packedTags(TAG.retiredFamilies, families);
}

export function retiredFamiliesIn(tags: readonly KeyValue[]): string[] {
  return packedIn(tags, TAG.retiredFamilies);
}

/** A kept revision as the record holds it. */
export interface RecordedRevision {
  readonly family: string;
  readonly revision: number;
}

/** The revision record as tags; entries that do not fit are returned as `dropped` (the caller reports them). */
export function revisionRecordTags(revisions: readonly RecordedRevision[]): {
  tags: KeyValue[];
  dropped: string[];
} {
  return packedTags(
    TAG.revisions,
    revisions.map((r) => `${r.family}:${r.revision}`),
  );
}

export function recordedRevisionsIn(tags: readonly KeyValue[]): RecordedRevision[] {
  return packedIn(tags, TAG.revisions).flatMap((entry) => {
    const m = /^([A-Za-z0-9_-]{1,255}):(\d{1,10})$/.exec(entry);
    return m ? [{ family: m[1]!, revision: Number(m[2]) }] : [];
  });
}

export function taskFamiliesIn(tags: readonly KeyValue[]): string[] {
  return tags.filter((t) => t.key === TAG.taskFamily).map((t) => t.value);
}

/**
 * What to tag and untag to go from `actual` to `desired`. Keys are removed only when this provider manages them:
 * its own namespace, or a key the previous properties set (`removable`); a tag someone added by hand stays.
 */
export function tagChanges(
  actual: readonly KeyValue[],
  desired: readonly KeyValue[],
  removable: Iterable<string>,
): { tag: KeyValue[]; untag: string[] } {
  const current = new Map(actual.map((t) => [t.key, t.value]));
  const wanted = new Set(desired.map((t) => t.key));
  const mayRemove = new Set(removable);
  return {
    tag: desired.filter((t) => current.get(t.key) !== t.value),
    untag: [...current.keys()].filter(
      (k) => !wanted.has(k) && k !== TAG.window && (k.startsWith(TAG_PREFIX) || mayRemove.has(k)),
    ),
  };
}

/** The claim a request records on what its resource owns: the window it acts in, and its RequestId. */
export function windowClaim(window: string, requestId: string): KeyValue {
  return { key: TAG.window, value: `${windowDigest(window)} ${tagValue(requestId)}` };
}

const windowDigest = (window: string) => createHash('sha256').update(window).digest('hex').slice(0, 16);

/** The RequestId of another request that claimed this window on a resource with these tags, if one did. */
export function otherClaimant(
  tags: readonly KeyValue[],
  window: string,
  requestId: string,
): string | undefined {
  const claim = tags.find((t) => t.key === TAG.window)?.value;
  if (!claim) return undefined;
  const [digest, claimant] = claim.split(' ');
  return digest === windowDigest(window) && claimant !== tagValue(requestId) ? claimant : undefined;
}

/** Whether tags name this stack's logical resource as owner, whatever the physical id. */
export function ofSameResource(tags: readonly KeyValue[], owner: Owner): boolean {
  const get = (k: string) => tags.find((t) => t.key === k)?.value;
  return (
    get(TAG.stackId) === tagValue(owner.stackId) && get(TAG.logicalId) === tagValue(owner.logicalResourceId)
  );
}
