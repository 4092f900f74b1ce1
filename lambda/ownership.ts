/**
 * Ownership is explicit: every resource the provider creates carries tags naming the physical id, stack and
 * logical id that own it. Update and Delete touch only resources whose three tags match; a resource under a needed
 * name that is owned by anyone else (or by no one) is never adopted, changed or deleted.
 */
import { ownerTagValue } from './model';

export const TAG = {
  owner: 'mesh-service:owner',
  stackId: 'mesh-service:stack-id',
  logicalId: 'mesh-service:logical-id',
  /** Families of task definitions retired by the last update whose revisions are kept for rollback. */
  retiredFamily: 'mesh-service:retired-task-family-',
  /** On patched task definitions. */
  source: 'mesh-service:source-task-definition',
  inputKey: 'mesh-service:input-key',
  patchHash: 'mesh-service:patch-hash',
} as const;

/** At most this many retired families are remembered (one tag each); the rest of the 50-tag budget is the user's. */
export const MAX_RETIRED_FAMILIES = 7;

export interface Owner {
  readonly physicalId: string;
  readonly stackId: string;
  readonly logicalResourceId: string;
}

export interface KeyValue {
  readonly key: string;
  readonly value: string;
}

export function ownershipTags(owner: Owner): KeyValue[] {
  return [
    { key: TAG.owner, value: ownerTagValue(owner.physicalId) },
    { key: TAG.stackId, value: owner.stackId.slice(0, 256) },
    { key: TAG.logicalId, value: owner.logicalResourceId.slice(0, 256) },
  ];
}

export type Ownership =
  | { readonly kind: 'ours' }
  | { readonly kind: 'foreign'; readonly description: string };

export function ownershipOf(tags: readonly KeyValue[], owner: Owner): Ownership {
  const get = (k: string) => tags.find((t) => t.key === k)?.value;
  const [physicalId, stackId, logicalId] = [get(TAG.owner), get(TAG.stackId), get(TAG.logicalId)];
  if (
    physicalId === ownerTagValue(owner.physicalId) &&
    stackId === owner.stackId.slice(0, 256) &&
    logicalId === owner.logicalResourceId.slice(0, 256)
  ) {
    return { kind: 'ours' };
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

export function retiredFamilyTags(families: readonly string[]): KeyValue[] {
  return [...families].sort().map((family, i) => ({ key: `${TAG.retiredFamily}${i + 1}`, value: family }));
}

export function retiredFamiliesIn(tags: readonly KeyValue[]): string[] {
  return tags.filter((t) => t.key.startsWith(TAG.retiredFamily)).map((t) => t.value);
}
