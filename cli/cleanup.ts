/**
 * `mesh-service cleanup --mesh M [--stack S] [--apply]`: finds what Custom::MeshService resources left behind and no
 * stack owns any more, and (with --apply) removes it. CloudFormation's own answer decides, owner by owner (the
 * ownership tags name the physical id, stack and logical id):
 *
 * - the owner's stack no longer exists (deleted, or a failed creation rolled back and deleted), or
 * - the stack exists but its logical resource does not, or holds another physical id (a Create killed mid-way and
 *   retried under other names, a replaced id whose cleanup Delete failed).
 *
 * An owner whose stack is in the middle of an operation or in a failed one (`*_FAILED`: continued or retried, it may
 * still roll back to the id), or lives in another account (CloudFormation cannot be read there), is never touched; it
 * is listed with the reason. App Mesh resources go children first, then the owners'
 * ACTIVE task-definition revisions (and those of any --family given). Owners and their revisions are found by their
 * ownership tags (the Resource Groups Tagging API, `tag:GetResources`): with --stack given as a stack id the cost is
 * what that stack owns, whatever the size of the mesh.
 */
import type { AppMeshClient } from '@aws-sdk/client-app-mesh';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { createMeshApi, type MeshApi } from '../lambda/appmesh/api';
import { DELETE_LEVELS, describeKey, type ResourceKey } from '../lambda/appmesh/desired';
import { keyOfArn } from '../lambda/appmesh/owned';
import { createTaggingApi, type TaggingApi } from '../lambda/aws/tagging';
import { createTaskDefinitionApi, type DescribedRevision, type TaskDefinitionApi } from '../lambda/ecs/api';
import { readFamily } from '../lambda/ecs/revisions';
import { type KeyValue, type Owner, ownershipOf, TAG, tagValue } from '../lambda/ownership';
import { parseStackId } from '../lambda/policy';
import { judgeOwner } from '../lambda/reclaimer';
import type { StackApi } from '../lambda/stack-verifier';
import { mapLimit } from '../lambda/util';

export interface CleanupOptions {
  readonly meshName: string;
  readonly meshOwner?: string;
  /** Only owners of this stack (its name or id). */
  readonly stack?: string;
  /** Task-definition families to search besides those the owners' virtual nodes record. */
  readonly families?: readonly string[];
  /** Remove what is found; otherwise only list it. */
  readonly apply: boolean;
  /** The account the caller acts in (the only one whose stacks CloudFormation lets it read). */
  readonly accountId: string;
}

export interface CleanupClients {
  readonly appMesh: AppMeshClient;
  readonly ecs: ECSClient;
  readonly tagging: ResourceGroupsTaggingAPIClient;
  readonly stacks: StackApi;
}

export interface OwnerReport {
  readonly physicalId: string;
  readonly stackId: string;
  readonly logicalId: string;
  /** Why it is orphaned, or why it was left alone. */
  readonly reason: string;
  readonly orphaned: boolean;
  readonly resources: readonly string[];
  readonly revisions: readonly string[];
}

export interface CleanupReport {
  readonly owners: readonly OwnerReport[];
  /** What could not be removed (with --apply). */
  readonly problems: readonly string[];
}

interface Found {
  readonly key: ResourceKey;
  readonly arn: string;
  readonly tags: readonly KeyValue[];
}

const get = (tags: readonly KeyValue[], key: string) => tags.find((t) => t.key === key)?.value;

const stackMatches = (filter: string | undefined, stackId: string) =>
  filter === undefined || filter === stackId || parseStackId(stackId)?.name === filter;

/** The tag filters of the owners asked for: every owner, or those of one stack when it is named by its id. */
function ownerFilters(stack: string | undefined): { key: string; values?: string[] }[] {
  const byId = stack !== undefined && parseStackId(stack) !== undefined;
  return byId ? [{ key: TAG.stackId, values: [tagValue(stack!)] }] : [{ key: TAG.owner }];
}

/**
 * The owner's ACTIVE revisions: those tagged as its own (the Tagging API lists INACTIVE ones too, so each is read),
 * and those of any family asked for.
 */
async function ownedRevisions(
  ecs: TaskDefinitionApi,
  tagging: TaggingApi,
  owner: Owner,
  families: readonly string[],
): Promise<string[]> {
  const tagged = await tagging.tagged(
    [
      { key: TAG.owner, values: [tagValue(owner.physicalId)] },
      { key: TAG.stackId, values: [tagValue(owner.stackId)] },
      { key: TAG.logicalId, values: [tagValue(owner.logicalResourceId)] },
    ],
    ['ecs:task-definition'],
  );
  const read = (await mapLimit(tagged, 5, (r) => ecs.describe(r.arn))).filter(
    (r): r is DescribedRevision =>
      r !== undefined && r.status === 'ACTIVE' && ownershipOf(r.tags, owner).kind === 'ours',
  );
  const listed = (await Promise.all(families.map((family) => readFamily(ecs, family, owner)))).flatMap(
    (s) => s.owned,
  );
  return [...new Set([...read, ...listed].map((r) => r.arn))];
}

export async function cleanup(clients: CleanupClients, options: CleanupOptions): Promise<CleanupReport> {
  const tagging = createTaggingApi(clients.tagging);
  const api: MeshApi = createMeshApi(clients.appMesh, {
    meshName: options.meshName,
    ...(options.meshOwner ? { meshOwner: options.meshOwner } : {}),
  });
  const ecs = createTaskDefinitionApi(clients.ecs);

  // Everything of the mesh that carries ownership tags (of the stack asked for), found by tag: the cost is what the
  // owners own, not the size of the mesh.
  const [described, tagged] = await Promise.all([
    api.describeMesh(),
    tagging.tagged(ownerFilters(options.stack), ['appmesh']),
  ]);
  if (!described) throw new Error(`mesh "${options.meshName}" not found`);
  const mesh = keyOfArn(`${described.arn}/virtualNode/x`)?.mesh;
  const found: Found[] = tagged.flatMap((r) => {
    const at = keyOfArn(r.arn);
    return at && at.mesh.meshName === mesh?.meshName && at.mesh.account === mesh.account
      ? [{ key: at.key, arn: r.arn, tags: r.tags }]
      : [];
  });
  const owners = new Map<
    string,
    { physicalId: string; stackId: string; logicalId: string; items: Found[] }
  >();
  for (const f of found) {
    const physicalId = get(f.tags, TAG.owner)!;
    const stackId = get(f.tags, TAG.stackId) ?? '';
    const logicalId = get(f.tags, TAG.logicalId) ?? '';
    if (!stackMatches(options.stack, stackId)) continue;
    const id = `${physicalId}|${stackId}|${logicalId}`;
    const entry = owners.get(id) ?? { physicalId, stackId, logicalId, items: [] };
    entry.items.push(f);
    owners.set(id, entry);
  }

  const reports: OwnerReport[] = [];
  const problems: string[] = [];
  for (const owner of owners.values()) {
    const verdict = await judgeOwner(clients.stacks, owner, options.accountId);
    const who = { physicalId: owner.physicalId, stackId: owner.stackId, logicalResourceId: owner.logicalId };
    const revisions = verdict.orphaned ? await ownedRevisions(ecs, tagging, who, options.families ?? []) : [];
    reports.push({
      physicalId: owner.physicalId,
      stackId: owner.stackId,
      logicalId: owner.logicalId,
      reason: verdict.reason,
      orphaned: verdict.orphaned,
      resources: owner.items.map((f) => describeKey(f.key)),
      revisions,
    });
    if (!options.apply || !verdict.orphaned) continue;

    // Children first, a level at a time; then the revisions.
    for (const kinds of DELETE_LEVELS) {
      const level = owner.items.filter((f) => kinds.includes(f.key.kind));
      const results = await Promise.allSettled(level.map((f) => api.delete(f.key)));
      results.forEach((r, i) => {
        if (r.status === 'rejected')
          problems.push(`${describeKey(level[i]!.key)}: ${(r.reason as Error).message}`);
      });
    }
    const results = await Promise.allSettled(revisions.map((arn) => ecs.deregister(arn)));
    results.forEach((r, i) => {
      if (r.status === 'rejected') problems.push(`${revisions[i]}: ${(r.reason as Error).message}`);
    });
  }
  reports.sort((a, b) => a.physicalId.localeCompare(b.physicalId) || a.stackId.localeCompare(b.stackId));
  return { owners: reports, problems };
}

/** The report as a person reads it. */
export function formatCleanup(report: CleanupReport, applied: boolean): string[] {
  const lines: string[] = [];
  const orphaned = report.owners.filter((o) => o.orphaned);
  for (const o of report.owners) {
    lines.push(`${o.orphaned ? (applied ? 'removed' : 'orphaned') : 'kept'}: ${o.physicalId} (${o.reason})`);
    for (const r of o.resources) lines.push(`  ${r}`);
    for (const r of o.revisions) lines.push(`  task definition ${r}`);
  }
  for (const p of report.problems) lines.push(`not removed: ${p}`);
  if (!applied && orphaned.length)
    lines.push('dry run: nothing was changed; run again with --apply to remove what is orphaned');
  if (report.owners.length === 0) lines.push('nothing owned by Custom::MeshService in this mesh');
  return lines;
}
