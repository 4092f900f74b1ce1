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
 * ACTIVE task-definition revisions in the families their virtual nodes record (and any --family given).
 */
import type { AppMeshClient } from '@aws-sdk/client-app-mesh';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { createMeshApi, type MeshApi } from '../lambda/appmesh/api';
import { DELETE_LEVELS, describeKey, type ResourceKey } from '../lambda/appmesh/desired';
import { createTaskDefinitionApi } from '../lambda/ecs/api';
import { readFamily } from '../lambda/ecs/revisions';
import {
  type KeyValue,
  recordedRevisionsIn,
  retiredFamiliesIn,
  TAG,
  taskFamiliesIn,
} from '../lambda/ownership';
import { parseStackId } from '../lambda/policy';
import type { StackApi } from '../lambda/stack-verifier';

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

/** Whether CloudFormation still owns what this owner's tags name, in its own words. */
async function judge(
  stacks: StackApi,
  owner: { physicalId: string; stackId: string; logicalId: string },
  accountId: string,
): Promise<{ orphaned: boolean; reason: string }> {
  const stack = parseStackId(owner.stackId);
  if (!stack) return { orphaned: false, reason: 'left alone: the stack id tag is not a stack id' };
  if (stack.account !== accountId) {
    return {
      orphaned: false,
      reason: `left alone: stack of account ${stack.account}, which cannot be read from here`,
    };
  }
  const status = await stacks.stackStatus(owner.stackId);
  if (status === undefined || status === 'DELETE_COMPLETE') {
    return { orphaned: true, reason: `stack ${stack.name} no longer exists` };
  }
  if (status.endsWith('_IN_PROGRESS')) {
    return {
      orphaned: false,
      reason: `left alone: stack ${stack.name} is ${status}; run again when it is idle`,
    };
  }
  // A failed operation is not over: continued (ContinueUpdateRollback) or retried, CloudFormation may go back to an
  // id its resource no longer shows, so nothing of the stack's ids is an orphan yet.
  if (status.endsWith('_FAILED')) {
    return {
      orphaned: false,
      reason: `left alone: stack ${stack.name} is ${status}; it may still roll back to this id: run again once the stack is stable`,
    };
  }
  const resource = await stacks.resource(owner.stackId, owner.logicalId);
  if (!resource || resource.status === 'DELETE_COMPLETE') {
    return { orphaned: true, reason: `stack ${stack.name} has no resource ${owner.logicalId} any more` };
  }
  if (resource.physicalId !== undefined && resource.physicalId !== owner.physicalId) {
    return {
      orphaned: true,
      reason: `${owner.logicalId} in stack ${stack.name} is ${resource.physicalId} now; ${owner.physicalId} is an earlier attempt's`,
    };
  }
  return { orphaned: false, reason: `in use: ${owner.logicalId} in stack ${stack.name}` };
}

const stackMatches = (filter: string | undefined, stackId: string) =>
  filter === undefined || filter === stackId || parseStackId(stackId)?.name === filter;

export async function cleanup(clients: CleanupClients, options: CleanupOptions): Promise<CleanupReport> {
  const api: MeshApi = createMeshApi(clients.appMesh, {
    meshName: options.meshName,
    ...(options.meshOwner ? { meshOwner: options.meshOwner } : {}),
  });
  const ecs = createTaskDefinitionApi(clients.ecs);

  // Everything in the mesh that carries ownership tags, grouped by owner.
  const listed = await api.listAll();
  const found: Found[] = [];
  await Promise.all(
    listed.map(async ({ key, arn }) => {
      const tags = await api.listTags(arn);
      if (tags && get(tags, TAG.owner) !== undefined) found.push({ key, arn, tags });
    }),
  );
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
    const verdict = await judge(clients.stacks, owner, options.accountId);
    const families = new Set([
      ...(options.families ?? []),
      ...owner.items.flatMap((f) => [
        ...taskFamiliesIn(f.tags),
        ...retiredFamiliesIn(f.tags),
        ...recordedRevisionsIn(f.tags).map((r) => r.family),
      ]),
    ]);
    const who = { physicalId: owner.physicalId, stackId: owner.stackId, logicalResourceId: owner.logicalId };
    const revisions = verdict.orphaned
      ? (await Promise.all([...families].map((family) => readFamily(ecs, family, who)))).flatMap((s) =>
          s.owned.map((r) => r.arn),
        )
      : [];
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
