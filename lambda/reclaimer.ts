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
 * Service Connect namespace it created, the Lattice service and target groups), after its ACTIVE revisions.
 * `mesh-service cleanup` (cli/cleanup.ts) runs the same sweep, with its own filters and a dry run.
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { createTaggingApi, type TagFilter, type TaggedResource } from './aws/tagging';
import type { BackendPlugin, BackendRegistry, RequestContext, ServiceBackend } from './backend';
import { createTaskDefinitionApi } from './ecs/api';
import { readFamily } from './ecs/revisions';
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
  /** What its ownership tags found besides revisions (ARNs). */
  readonly resources: readonly string[];
  /** Its ACTIVE revisions (read for an orphaned owner only). */
  readonly revisions: readonly string[];
  /** What was removed (with `apply`). */
  readonly removed: readonly string[];
}

/** An owner as its resources' ownership tags name it, with what it owns of the types searched. */
export interface FoundOwner extends OwnerId {
  readonly items: readonly TaggedResource[];
}

/** Which owners a sweep judges, and whether it removes what the orphaned ones own. */
export interface SweepRequest {
  /** The ownership tags searched for (`tag:GetResources`). */
  readonly filters: readonly TagFilter[];
  /** The resource types searched besides revisions; every backend's `ownedTypes` by default. */
  readonly types?: readonly string[];
  /** Which of the owners found are judged (cleanup's --mesh, and --stack by name); all by default. */
  readonly select?: (owner: FoundOwner) => boolean;
  /** Families whose revisions an orphaned owner may own besides those tagged as its own (cleanup's --family). */
  readonly families?: readonly string[];
  /** Remove what orphaned owners own; otherwise only judge them and list it (cleanup's dry run). */
  readonly apply: boolean;
}

export interface Reclaimer {
  /**
   * Finds the owners by tag, judges each, and (with `apply`) has the orphaned ones' resources removed by their backend
   * and their revisions deregistered: what the reclaimer's events and `mesh-service cleanup` both run.
   */
  sweep(request: SweepRequest): Promise<{ owners: ReclaimedOwner[]; problems: string[] }>;
  /** Handles one event; returns the owners judged (those orphaned removed), and what could not be removed. */
  onEvent(event: StackStatusEvent): Promise<{ owners: ReclaimedOwner[]; problems: string[] }>;
}

const get = (tags: readonly KeyValue[], key: string) => tags.find((t) => t.key === key)?.value;

const REVISIONS = 'ecs:task-definition';
const isRevision = (arn: string) => arn.includes(':task-definition/');

/** The owners that the ownership tags of these resources name, each with its resources, in the order found. */
export function ownersOf(found: readonly TaggedResource[]): FoundOwner[] {
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
  return [...owners.values()];
}

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

  /**
   * An orphaned owner's ACTIVE revisions: those tagged as its own (the Tagging API lists INACTIVE ones too, so each is
   * read) and its own of the families asked for.
   */
  async function activeRevisions(
    who: Owner,
    items: readonly TaggedResource[],
    families: readonly string[],
    problems: string[],
  ): Promise<string[]> {
    const tagged = await mapLimit(
      items.filter((r) => isRevision(r.arn)),
      4,
      async ({ arn }) => {
        try {
          const r = await ecs.describe(arn);
          return r?.status === 'ACTIVE' && ownershipOf(r.tags, who).kind === 'ours' ? [arn] : [];
        } catch (e) {
          problems.push(`${arn}: ${(e as Error).message}`);
          return [];
        }
      },
    );
    const listed = await Promise.all(
      families.map(async (family) => {
        try {
          return (await readFamily(ecs, family, who)).owned.map((r) => r.arn);
        } catch (e) {
          problems.push(`family ${family}: ${(e as Error).message}`);
          return [];
        }
      }),
    );
    return [...new Set([...tagged.flat(), ...listed.flat()])];
  }

  /**
   * Removes an orphaned owner: its ACTIVE revisions deregistered first (so that its backend's removal, which reads the
   * revisions it recorded, finds nothing left to deregister), then its resources, by the backend that issued its id.
   */
  async function remove(
    who: Owner,
    items: readonly TaggedResource[],
    revisions: readonly string[],
    problems: string[],
  ): Promise<string[]> {
    const removed: string[] = [];
    await mapLimit([...revisions], 4, async (arn) => {
      try {
        await ecs.deregister(arn);
        removed.push(arn);
      } catch (e) {
        problems.push(`${arn}: ${(e as Error).message}`);
      }
    });
    const plugin = deps.registry.owning(who.physicalId);
    const others = items.filter((r) => !isRevision(r.arn));
    if (plugin) {
      try {
        await deps.runtime(plugin).remove({ physicalId: who.physicalId, owned: items }, contextFor(who));
        removed.push(...others.map((r) => r.arn));
      } catch (e) {
        problems.push(`${who.physicalId}: ${(e as Error).message}`);
      }
    } else if (others.length) {
      problems.push(`${who.physicalId}: no backend issued this physical id; ${others.length} resources left`);
    }
    return removed;
  }

  async function sweep(request: SweepRequest): Promise<{ owners: ReclaimedOwner[]; problems: string[] }> {
    const found = await tagging.tagged(request.filters, [
      ...(request.types ?? deps.registry.ownedTypes),
      REVISIONS,
    ]);
    const problems: string[] = [];
    const judged: ReclaimedOwner[] = [];
    for (const { items, ...owner } of ownersOf(found).filter(request.select ?? (() => true))) {
      const who: Owner = {
        physicalId: owner.physicalId,
        stackId: owner.stackId,
        logicalResourceId: owner.logicalId,
      };
      const verdict = await judgeOwner(clients.stacks, owner, deps.accountId);
      const revisions = verdict.orphaned
        ? await activeRevisions(who, items, request.families ?? [], problems)
        : [];
      const removed = verdict.orphaned && request.apply ? await remove(who, items, revisions, problems) : [];
      const resources = items.filter((r) => !isRevision(r.arn)).map((r) => r.arn);
      judged.push({ ...owner, ...verdict, resources, revisions, removed });
    }
    return { owners: judged, problems };
  }

  return {
    sweep,
    async onEvent(event) {
      const stackId = event.detail['stack-id'];
      const status = event.detail['status-details']?.status;
      const scheduled = event['detail-type'] === SCHEDULED_EVENT;
      if (!scheduled && (stackId === undefined || !RECLAIMING_STATUSES.some((s) => s === status))) {
        return { owners: [], problems: [] };
      }
      const filters: TagFilter[] =
        !scheduled && stackId ? [{ key: TAG.stackId, values: [tagValue(stackId)] }] : [{ key: TAG.owner }];
      const result = await sweep({ filters, apply: true });
      for (const { physicalId, stackId, logicalId, reason, orphaned, removed } of result.owners) {
        log.info(orphaned ? 'reclaimed' : 'left alone', { physicalId, stackId, logicalId, reason, removed });
      }
      if (result.problems.length) log.error('could not reclaim everything', { problems: result.problems });
      return result;
    },
  };
}
