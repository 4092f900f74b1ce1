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
 * nor a stack of another account. Owners are found by their ownership tags (the Resource Groups Tagging API, of the
 * types each backend's plugin declares), so the cost is what they own. What an orphaned owner owns is removed by the
 * backend that issued its physical id (the registry's `owning`, its runtime's `remove`: App Mesh children first, the
 * Service Connect namespace it created, the Lattice service and target groups), then its ACTIVE revisions.
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { createTaggingApi, type TagFilter, type TaggedResource } from './aws/tagging';
import type { BackendPlugin, BackendRegistry, RequestContext, ServiceBackend } from './backend';
import { createTaskDefinitionApi } from './ecs/api';
import type { Logger } from './log';
import { type KeyValue, type Owner, ownershipOf, TAG, tagValue } from './ownership';
import { type ProviderPolicy, parseStackId } from './policy';
import { RECLAIMING_STATUSES, SCHEDULED_EVENT, type StackStatusEvent } from './stack-events';
import type { StackApi } from './stack-verifier';

export { RECLAIMING_STATUSES, type StackStatusEvent };

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

export interface ReclaimerClients {
  readonly ecs: ECSClient;
  readonly tagging: ResourceGroupsTaggingAPIClient;
  readonly stacks: StackApi;
}

/** What the reclaimer needs of the Lambda it runs in. */
export interface ReclaimerDeps {
  readonly registry: BackendRegistry;
  /** A backend's runtime (lambda/index.ts `backendRuntimes`). */
  readonly runtime: (plugin: BackendPlugin) => ServiceBackend;
  readonly policy: ProviderPolicy;
  readonly region: string;
  readonly partition: string;
  /** The account the reclaimer runs in: only its stacks can be read. */
  readonly accountId: string;
  /** Unique per invocation (the Lambda request id). */
  readonly invocationId: string;
  readonly log: Logger;
}

export interface ReclaimedOwner extends OwnerId, Verdict {
  readonly removed: readonly string[];
}

export interface Reclaimer {
  /** Handles one event; returns the owners judged (those orphaned removed), and what could not be removed. */
  onEvent(event: StackStatusEvent): Promise<{ owners: ReclaimedOwner[]; problems: string[] }>;
}

const get = (tags: readonly KeyValue[], key: string) => tags.find((t) => t.key === key)?.value;

const REVISIONS = 'ecs:task-definition';

export function createReclaimer(clients: ReclaimerClients, deps: ReclaimerDeps): Reclaimer {
  const tagging = createTaggingApi(clients.tagging);
  const ecs = createTaskDefinitionApi(clients.ecs);
  const { log } = deps;

  /** The context of a Delete of the dead id, as its backend's `remove` takes it: nothing but the judgement to verify. */
  function contextFor(owner: Owner): RequestContext {
    const stack = parseStackId(owner.stackId)!;
    return {
      owner,
      stack,
      policy: deps.policy,
      // The judgement (judgeOwner) is CloudFormation's answer already: there is no request of CloudFormation's to prove.
      authorize: async () => undefined,
      requestType: 'Delete',
      requestId: `reclaim-${deps.invocationId}`,
      invocationId: deps.invocationId,
      region: deps.region,
      partition: deps.partition,
      accountId: deps.accountId,
      log: log.child({ physicalId: owner.physicalId, reclaim: true }),
      beginCleanup: () => {},
    };
  }

  /** Removes an orphaned owner's resources (by its backend), then its ACTIVE revisions. */
  async function remove(
    owner: OwnerId,
    items: readonly TaggedResource[],
    problems: string[],
  ): Promise<string[]> {
    const removed: string[] = [];
    const who: Owner = {
      physicalId: owner.physicalId,
      stackId: owner.stackId,
      logicalResourceId: owner.logicalId,
    };
    const plugin = deps.registry.owning(owner.physicalId);
    const others = items.filter((r) => !r.arn.includes(':task-definition/'));
    if (plugin) {
      try {
        await deps.runtime(plugin).remove({ physicalId: owner.physicalId }, contextFor(who));
        removed.push(...others.map((r) => r.arn));
      } catch (e) {
        problems.push(`${owner.physicalId}: ${(e as Error).message}`);
      }
    } else if (others.length) {
      problems.push(
        `${owner.physicalId}: no backend issued this physical id; ${others.length} resources left`,
      );
    }
    // The Tagging API lists INACTIVE revisions too: each is read, and only an ACTIVE one of this owner deregistered.
    const revisions = items.filter((r) => r.arn.includes(':task-definition/')).map((r) => r.arn);
    await mapLimit(revisions, 4, async (arn) => {
      try {
        const r = await ecs.describe(arn);
        if (r?.status !== 'ACTIVE' || ownershipOf(r.tags, who).kind !== 'ours') return;
        await ecs.deregister(arn);
        removed.push(arn);
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
      const scheduled = event['detail-type'] === SCHEDULED_EVENT;
      if (!scheduled && (stackId === undefined || !RECLAIMING_STATUSES.some((s) => s === status))) {
        return { owners: [], problems: [] };
      }
      const filters: TagFilter[] =
        !scheduled && stackId ? [{ key: TAG.stackId, values: [tagValue(stackId)] }] : [{ key: TAG.owner }];
      const found = await tagging.tagged(filters, [...deps.registry.ownedTypes, REVISIONS]);
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
        const verdict = await judgeOwner(clients.stacks, owner, deps.accountId);
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
