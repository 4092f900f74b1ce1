/**
 * `mesh-service cleanup [--mesh M] [--stack S] [--apply]`: finds what Custom::MeshService resources left behind and no
 * stack owns any more, and (with --apply) removes it. It is the reclaimer's sweep (lambda/reclaimer.ts) run by hand:
 * the same judgement, CloudFormation's own answer, owner by owner (the ownership tags name the physical id, stack and
 * logical id):
 *
 * - the owner's stack no longer exists (deleted, or a failed creation rolled back and deleted), or
 * - the stack exists but its logical resource does not, or holds another physical id (a Create killed mid-way and
 *   retried under other names, a replaced id whose cleanup Delete failed).
 *
 * An owner whose stack is in the middle of an operation or in a failed one (`*_FAILED`: continued or retried, it may
 * still roll back to the id), or lives in another account (CloudFormation cannot be read there), is never touched; it
 * is listed with the reason. And the same removal: the owners' ACTIVE task-definition revisions (and those of any
 * --family given) are deregistered, then the backend that issued the physical id removes what it owns with its own
 * Delete (App Mesh children first; a Service Connect Gateway's listener rule and target group, and the namespace it
 * created; the Lattice service with its listener, rules and association, then its target groups). Owners and their
 * revisions are found by their ownership tags (the Resource Groups Tagging API, `tag:GetResources`, of the types each
 * backend declares): with --stack given as a stack id the cost is what that stack owns, whatever the account holds.
 * With --mesh, only the App Mesh owners of that mesh.
 */

import { describeKey } from '../lambda/appmesh/desired';
import { parsePhysicalId } from '../lambda/appmesh/identity';
import { keyOfArn } from '../lambda/appmesh/owned';
import { type AwsClients, type ClientOverrides, createAwsClients } from '../lambda/aws/clients';
import { registry } from '../lambda/backends';
import { backendRuntimes } from '../lambda/index';
import { createLogger } from '../lambda/log';
import { TAG, tagValue } from '../lambda/ownership';
import { DEFAULT_POLICY, parseStackId } from '../lambda/policy';
import { createReclaimer, type FoundOwner } from '../lambda/reclaimer';
import { createStackApi, type StackApi } from '../lambda/stack-verifier';

export interface CleanupOptions {
  /** Only App Mesh owners of this mesh; every backend's owners without it. */
  readonly meshName?: string;
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
  /** The SDK clients (lambda/aws/clients.ts): each backend's own removal creates its service's client with them. */
  readonly aws: AwsClients;
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

/** How long a cleanup may keep retrying throttled or failed calls. */
const CLEANUP_BUDGET_MS = 15 * 60_000;

/**
 * The clients of one cleanup, with the standard AWS SDK configuration and the provider's retry strategy; `destroy`
 * closes every client made, those the backends made too.
 */
export function createCleanupClients(overrides: ClientOverrides = {}): CleanupClients & { destroy(): void } {
  const made: { destroy(): void }[] = [];
  const base = createAwsClients({ deadline: Date.now() + CLEANUP_BUDGET_MS }, undefined, overrides);
  const aws: AwsClients = {
    ...base,
    create: (client) => {
      const c = base.create(client);
      made.push(c as { destroy(): void });
      return c;
    },
  };
  return {
    aws,
    stacks: createStackApi(base.cloudFormation),
    destroy: () => {
      for (const c of [base.ecs, base.cloudFormation, base.tagging, ...made]) c.destroy();
    },
  };
}

const stackMatches = (filter: string | undefined, stackId: string) =>
  filter === undefined || filter === stackId || parseStackId(stackId)?.name === filter;

/** The tag filters of the owners asked for: every owner, or those of one stack when it is named by its id. */
function ownerFilters(stack: string | undefined): { key: string; values?: string[] }[] {
  const byId = stack !== undefined && parseStackId(stack) !== undefined;
  return byId ? [{ key: TAG.stackId, values: [tagValue(stack!)] }] : [{ key: TAG.owner }];
}

/** App Mesh resources by their kind and name, as before; what other backends own by its ARN. */
function describeOwned(arn: string): string {
  const key = keyOfArn(arn)?.key;
  return key ? describeKey(key) : arn;
}

export async function cleanup(clients: CleanupClients, options: CleanupOptions): Promise<CleanupReport> {
  const region = await clients.aws.ecs.config.region();
  const meshAccount = options.meshOwner ?? options.accountId;
  // --mesh: the App Mesh owners of that mesh (their physical id names it).
  const inMesh = (owner: FoundOwner) => {
    const id = parsePhysicalId(owner.physicalId);
    return (
      id !== undefined &&
      id.meshName === options.meshName &&
      (id.meshOwner ?? options.accountId) === meshAccount
    );
  };
  const reclaimer = createReclaimer(
    { ecs: clients.aws.ecs, tagging: clients.aws.tagging, stacks: clients.stacks },
    {
      registry,
      runtime: backendRuntimes(clients.aws),
      // The removal's only policy question: the shared mesh named here may be used.
      policy: { ...DEFAULT_POLICY, sharedMeshOwners: options.meshOwner ? [options.meshOwner] : [] },
      region,
      partition: /^cn-/.test(region) ? 'aws-cn' : /^us-gov-/.test(region) ? 'aws-us-gov' : 'aws',
      accountId: options.accountId,
      invocationId: `cleanup-${Date.now()}`,
      log: createLogger({ service: 'mesh-service-cleanup' }, () => {}, 'error'),
    },
  );
  const { owners, problems } = await reclaimer.sweep({
    filters: ownerFilters(options.stack),
    ...(options.meshName !== undefined ? { types: registry.named('AppMesh')!.ownedTypes } : {}),
    select: (owner) =>
      stackMatches(options.stack, owner.stackId) && (options.meshName === undefined || inMesh(owner)),
    families: options.families ?? [],
    apply: options.apply,
  });
  const reports: OwnerReport[] = owners.map((o) => ({
    physicalId: o.physicalId,
    stackId: o.stackId,
    logicalId: o.logicalId,
    reason: o.reason,
    orphaned: o.orphaned,
    resources: o.resources.map(describeOwned),
    revisions: o.revisions,
  }));
  reports.sort((a, b) => a.physicalId.localeCompare(b.physicalId) || a.stackId.localeCompare(b.stackId));
  return { owners: reports, problems };
}

/** The report as a person reads it. */
export function formatCleanup(report: CleanupReport, applied: boolean, scope = 'in this mesh'): string[] {
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
  if (report.owners.length === 0) lines.push(`nothing owned by Custom::MeshService ${scope}`);
  return lines;
}
