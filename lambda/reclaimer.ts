/**
 * The reclaimer: removes what Custom::MeshService resources left behind once CloudFormation no longer holds them. A
 * killed Create cannot clean up, and the Provider framework acknowledges the rollback's Delete of a failed Create
 * without calling the handler; so the provider stack subscribes to CloudFormation's stack status change events
 * (EventBridge) and, when a stack completes a rollback or a deletion, removes what the dead ids of that stack own. A
 * scheduled event sweeps every owner of the account as a backstop (an event missed, a stack deleted meanwhile).
 *
 * The judgement is `mesh-service cleanup`'s, in CloudFormation's own words, owner by owner: orphaned when the stack
 * no longer exists, or exists without the logical resource or with another physical id for it; never touched while
 * the stack is in progress or in a failed state (`*_FAILED`: continued or retried, it may still roll back to the id),
 * nor a stack of another account. Owners are found by their ownership tags (the Resource Groups Tagging API), so the
 * cost is what they own. App Mesh resources go children first, then the owners' ACTIVE revisions.
 */
import type { AppMeshClient } from '@aws-sdk/client-app-mesh';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { createMeshApi } from './appmesh/api';
import { DELETE_LEVELS, describeKey, type ResourceKey } from './appmesh/desired';
import { keyOfArn } from './appmesh/owned';
import { createTaggingApi, type TagFilter, type TaggedResource } from './aws/tagging';
import { createTaskDefinitionApi } from './ecs/api';
import type { Logger } from './log';
import { type KeyValue, ownershipOf, TAG, tagValue } from './ownership';
import { parseStackId } from './policy';
import type { StackApi } from './stack-verifier';
import { mapLimit } from './util';

export interface OwnerId {
  readonly physicalId: string;
  readonly stackId: string;
  readonly logicalId: string;
}

export interface Verdict {
  readonly orphaned: boolean;
  /** Why it is orphaned, or why it is left alone. */
  readonly reason: string;
}

/** Whether CloudFormation still owns what this owner's tags name, in its own words. */
export async function judgeOwner(stacks: StackApi, owner: OwnerId, accountId: string): Promise<Verdict> {
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

/** The EventBridge events the reclaimer is subscribed to: a stack status change, or the scheduled sweep. */
export interface StackStatusEvent {
  readonly source: string;
  readonly 'detail-type': string;
  readonly detail: {
    readonly 'stack-id'?: string;
    readonly 'status-details'?: { readonly status?: string };
  };
}

/** The stack statuses that end what may have left resources: a rollback or a deletion completed. */
export const RECLAIMING_STATUSES = [
  'ROLLBACK_COMPLETE',
  'DELETE_COMPLETE',
  'UPDATE_ROLLBACK_COMPLETE',
  'IMPORT_ROLLBACK_COMPLETE',
] as const;

export interface ReclaimerClients {
  readonly appMesh: AppMeshClient;
  readonly ecs: ECSClient;
  readonly tagging: ResourceGroupsTaggingAPIClient;
  readonly stacks: StackApi;
}

export interface ReclaimedOwner extends OwnerId, Verdict {
  readonly removed: readonly string[];
}

export interface Reclaimer {
  /** Handles one event; returns the owners judged (those orphaned removed), and what could not be removed. */
  onEvent(event: StackStatusEvent): Promise<{ owners: ReclaimedOwner[]; problems: string[] }>;
}

const get = (tags: readonly KeyValue[], key: string) => tags.find((t) => t.key === key)?.value;

export function createReclaimer(
  clients: ReclaimerClients,
  log: Logger,
  accountIdOf?: () => string,
): Reclaimer {
  const tagging = createTaggingApi(clients.tagging);
  const ecs = createTaskDefinitionApi(clients.ecs);

  /** Removes an orphaned owner's App Mesh resources (children first, mesh by mesh) and ACTIVE revisions. */
  async function remove(
    owner: OwnerId,
    items: readonly TaggedResource[],
    problems: string[],
  ): Promise<string[]> {
    const removed: string[] = [];
    const meshes = new Map<string, { meshName: string; account: string; keys: ResourceKey[] }>();
    const revisions: string[] = [];
    for (const r of items) {
      const at = keyOfArn(r.arn);
      if (at) {
        const id = `${at.mesh.account}/${at.mesh.meshName}`;
        const group = meshes.get(id) ?? { ...at.mesh, keys: [] };
        group.keys.push(at.key);
        meshes.set(id, group);
      } else if (/:ecs:[^:]*:\d{12}:task-definition\//.test(r.arn)) revisions.push(r.arn);
    }
    for (const mesh of meshes.values()) {
      const api = createMeshApi(clients.appMesh, { meshName: mesh.meshName, meshOwner: mesh.account });
      for (const kinds of DELETE_LEVELS) {
        const level = mesh.keys.filter((k) => kinds.includes(k.kind));
        const results = await Promise.allSettled(level.map((k) => api.delete(k)));
        results.forEach((r, i) => {
          const what = `${describeKey(level[i]!)} in mesh ${mesh.meshName}`;
          if (r.status === 'rejected') problems.push(`${what}: ${(r.reason as Error).message}`);
          else removed.push(what);
        });
      }
    }
    // The Tagging API lists INACTIVE revisions too: each is read, and only an ACTIVE one of this owner deregistered.
    const who = { physicalId: owner.physicalId, stackId: owner.stackId, logicalResourceId: owner.logicalId };
    await mapLimit(revisions, 4, async (arn) => {
      try {
        const r = await ecs.describe(arn);
        if (r?.status !== 'ACTIVE' || ownershipOf(r.tags, who).kind !== 'ours') return;
        await ecs.deregister(arn);
        removed.push(`task definition ${arn}`);
      } catch (e) {
        problems.push(`${arn}: ${(e as Error).message}`);
      }
    });
    return removed;
  }

  return {
    async onEvent(event) {
      const stackId = event.detail['stack-id'];
      const status = event.detail['status-details']?.status;
      const scheduled = event['detail-type'] === 'Scheduled Event';
      if (!scheduled && (stackId === undefined || !RECLAIMING_STATUSES.some((s) => s === status))) {
        return { owners: [], problems: [] };
      }
      const filters: TagFilter[] =
        !scheduled && stackId ? [{ key: TAG.stackId, values: [tagValue(stackId)] }] : [{ key: TAG.owner }];
      const found = await tagging.tagged(filters, ['appmesh', 'ecs:task-definition']);
      const owners = new Map<string, OwnerId & { items: TaggedResource[] }>();
      for (const r of found) {
        const physicalId = get(r.tags, TAG.owner);
        if (physicalId === undefined) continue;
        const owner = {
          physicalId,
          stackId: get(r.tags, TAG.stackId) ?? '',
          logicalId: get(r.tags, TAG.logicalId) ?? '',
        };
        const id = `${owner.physicalId}|${owner.stackId}|${owner.logicalId}`;
        const entry = owners.get(id) ?? { ...owner, items: [] };
        entry.items.push(r);
        owners.set(id, entry);
      }
      const problems: string[] = [];
      const judged: ReclaimedOwner[] = [];
      for (const { items, ...owner } of owners.values()) {
        // The account is the stack's own when it is known: the reclaimer runs in the provider's account.
        const accountId = accountIdOf?.() ?? parseStackId(owner.stackId)?.account ?? '';
        const verdict = await judgeOwner(clients.stacks, owner, accountId);
        const removed = verdict.orphaned ? await remove(owner, items, problems) : [];
        judged.push({ ...owner, ...verdict, removed });
        log.info(verdict.orphaned ? 'reclaimed' : 'left alone', {
          ...owner,
          reason: verdict.reason,
          removed,
        });
      }
      if (problems.length) log.error('could not reclaim everything', { problems });
      return { owners: judged, problems };
    },
  };
}
