/**
 * ECS task definitions: families and revisions (1, 2, 3… never reused), ACTIVE → INACTIVE → DELETE_IN_PROGRESS →
 * gone (after `deletionDelayMs`),
 * Describe by ARN / family / family:revision, list operations with pagination, and tags. State is per calling
 * account, in memory; every method returns the operation's output members or throws a ServiceError.
 */
import { ecsErrors } from '../errors';
import type { EmulatorSnapshot, TagSnapshot, TaskDefinitionSnapshot } from '../types';
import {
  cloneJson,
  compareStrings,
  isPlainObject,
  type JsonObject,
  nowEpochSeconds,
  paginate,
} from '../util';
import { applyRegisterDefaults } from './defaults';
import { checkRegisterTaskDefinition, checkTags, FAMILY_PATTERN } from './rules';
import { isFargateSize, parseTaskCpu, parseTaskMemory } from './task-size';

export interface CallContext {
  readonly account: string;
}

type Status = 'ACTIVE' | 'INACTIVE' | 'DELETE_IN_PROGRESS';

interface Revision {
  readonly account: string;
  readonly family: string;
  readonly revision: number;
  readonly arn: string;
  /** The registered members (request without tags), with ECS's defaults applied. */
  readonly definition: JsonObject;
  readonly registeredAt: number;
  readonly registeredBy: string;
  readonly compatibilities: readonly string[];
  readonly requiresAttributes: readonly JsonObject[];
  status: Status;
  deregisteredAt?: number;
  deleteRequestedAt?: number;
  tags: TagSnapshot[];
}

export interface EcsServiceOptions {
  /**
   * How long a DELETE_IN_PROGRESS revision stays visible before it disappears. ECS deletes it once no task or service
   * uses it (DeleteTaskDefinitions, API reference); the emulator runs no tasks, so only this delay applies.
   */
  readonly deletionDelayMs?: number;
}

/** Default for `deletionDelayMs`: long enough to observe DELETE_IN_PROGRESS, short enough to see it go. */
export const DEFAULT_TASK_DEFINITION_DELETION_DELAY_MS = 60_000;

/** A family's revisions and its next revision number (kept when every revision is gone: numbers are never reused). */
interface Family {
  next: number;
  revisions: Revision[];
}

/** ECS list operations return at most 100 results per call (and accept maxResults 1–100). */
const MAX_RESULTS = 100;
const MAX_DELETE_BATCH = 10;
const NOT_FOUND = 'The specified task definition does not exist.';

function tagsOf(value: unknown): TagSnapshot[] {
  return Array.isArray(value)
    ? value.filter(isPlainObject).map((t) => ({ key: String(t.key), value: String(t.value ?? '') }))
    : [];
}

function mergeTags(existing: readonly TagSnapshot[], incoming: readonly TagSnapshot[]): TagSnapshot[] {
  const merged = new Map(existing.map((t) => [t.key, t.value]));
  for (const tag of incoming) merged.set(tag.key, tag.value);
  return [...merged].map(([key, value]) => ({ key, value }));
}

function containersOf(td: JsonObject): JsonObject[] {
  return Array.isArray(td.containerDefinitions) ? td.containerDefinitions.filter(isPlainObject) : [];
}

/**
 * Launch types the definition validated against, in ECS's order: EXTERNAL (ECS Anywhere) unless the network mode is
 * awsvpc, which ECS Anywhere does not support (ECS developer guide, "External instances": bridge, host and none only);
 * EC2; FARGATE when its size and network fit; and what it asks for. Real outputs: a bridge definition describes with
 * "compatibilities": ["EXTERNAL", "EC2"] (huannv93/ucadity-labs1 task_be.tpl), an awsvpc Fargate one with
 * ["EC2", "FARGATE"] (suryaval/aws-summit-2019 lab-2/README.md).
 */
function compatibilitiesOf(td: JsonObject): string[] {
  const set = new Set<string>(['EC2']);
  if (td.networkMode !== 'awsvpc') set.add('EXTERNAL');
  for (const c of Array.isArray(td.requiresCompatibilities) ? td.requiresCompatibilities : [])
    set.add(String(c));
  const cpu = typeof td.cpu === 'string' ? parseTaskCpu(td.cpu) : undefined;
  const memory = typeof td.memory === 'string' ? parseTaskMemory(td.memory) : undefined;
  if (
    td.networkMode === 'awsvpc' &&
    cpu !== undefined &&
    memory !== undefined &&
    isFargateSize(cpu, memory)
  ) {
    set.add('FARGATE');
  }
  return ['EXTERNAL', 'EC2', 'FARGATE', 'MANAGED_INSTANCES'].filter((c) => set.has(c));
}

/** Container-instance attributes the definition needs (a representative subset of what ECS computes). */
function requiresAttributesOf(td: JsonObject): JsonObject[] {
  const containers = containersOf(td);
  const logDrivers = containers.map((c) =>
    isPlainObject(c.logConfiguration) ? c.logConfiguration.logDriver : undefined,
  );
  const names: string[] = [];
  if (logDrivers.includes('awslogs')) {
    names.push(
      'com.amazonaws.ecs.capability.logging-driver.awslogs',
      'com.amazonaws.ecs.capability.docker-remote-api.1.19',
    );
    if (typeof td.executionRoleArn === 'string') names.push('ecs.capability.execution-role-awslogs');
  }
  if (typeof td.taskRoleArn === 'string') names.push('com.amazonaws.ecs.capability.task-iam-role');
  if (containers.some((c) => isPlainObject(c.healthCheck)))
    names.push('ecs.capability.container-health-check');
  if (containers.some((c) => Array.isArray(c.dependsOn) && c.dependsOn.length > 0)) {
    names.push('ecs.capability.container-ordering');
  }
  if (td.networkMode === 'awsvpc') names.push('ecs.capability.task-eni');
  if (isPlainObject(td.proxyConfiguration)) names.push('ecs.capability.aws-appmesh');
  return names.map((name) => ({ name }));
}

export class EcsService {
  private readonly families = new Map<string, Family>();
  /** The families with DELETE_IN_PROGRESS revisions, which removeDeleted looks at. */
  private readonly deleting = new Set<Family>();
  private readonly deletionDelayMs: number;

  constructor(
    private readonly region: string,
    private readonly partition: string,
    options: EcsServiceOptions = {},
  ) {
    const delay = options.deletionDelayMs ?? DEFAULT_TASK_DEFINITION_DELETION_DELAY_MS;
    if (!(delay >= 0)) throw new Error(`deletionDelayMs must be a number >= 0, got ${String(delay)}`);
    this.deletionDelayMs = delay;
  }

  handle(operation: string, input: JsonObject, ctx: CallContext): JsonObject {
    this.removeDeleted();
    switch (operation) {
      case 'RegisterTaskDefinition':
        return this.register(input, ctx);
      case 'DescribeTaskDefinition':
        return this.describe(input, ctx);
      case 'DeregisterTaskDefinition':
        return this.deregister(input, ctx);
      case 'DeleteTaskDefinitions':
        return this.deleteTaskDefinitions(input, ctx);
      case 'ListTaskDefinitions':
        return this.listTaskDefinitions(input, ctx);
      case 'ListTaskDefinitionFamilies':
        return this.listFamilies(input, ctx);
      case 'TagResource':
        return this.tagResource(input, ctx);
      case 'UntagResource':
        return this.untagResource(input, ctx);
      case 'ListTagsForResource':
        return { tags: this.taggable(input, ctx, 'list').tags.map((t) => ({ ...t })) };
      default:
        throw new Error(`emulator bug: no ECS handler for ${operation}`);
    }
  }

  reset(): void {
    this.families.clear();
    this.deleting.clear();
  }

  /** Every tagged revision ECS is not deleting, for the Resource Groups Tagging API (read in place, not copied). */
  *tagged(): Iterable<{ arn: string; owner: string; tags: readonly TagSnapshot[] }> {
    this.removeDeleted();
    for (const f of this.families.values())
      for (const r of f.revisions)
        if (r.tags.length && r.status !== 'DELETE_IN_PROGRESS')
          yield { arn: r.arn, owner: r.account, tags: r.tags };
  }

  /** With `families`, only their revisions (a test of one family need not copy every other). */
  snapshot(families?: readonly string[]): EmulatorSnapshot['ecs'] {
    this.removeDeleted();
    const taskDefinitions = this.allRevisions()
      .filter((r) => families === undefined || families.includes(r.family))
      .sort(
        (a, b) =>
          compareStrings(a.account, b.account) ||
          compareStrings(a.family, b.family) ||
          a.revision - b.revision,
      )
      .map((r) => ({
        ...(this.taskDefinitionOf(r) as TaskDefinitionSnapshot),
        tags: r.tags.map((t) => ({ ...t })),
      }));
    return { taskDefinitions };
  }

  // --- lookup --------------------------------------------------------------------------------------------------

  private arnOf(account: string, family: string, revision: number): string {
    return `arn:${this.partition}:ecs:${this.region}:${account}:task-definition/${family}:${revision}`;
  }

  private allRevisions(): Revision[] {
    return [...this.families.values()].flatMap((f) => f.revisions);
  }

  /** DELETE_IN_PROGRESS revisions whose deletion delay has passed are gone, as if ECS had finished deleting them. */
  private removeDeleted(now = Date.now()): void {
    // Only the families with a deletion under way (every call comes here: the emulator holds thousands of families
    // by the end of a test run).
    for (const family of this.deleting) {
      family.revisions = family.revisions.filter(
        (r) =>
          r.status !== 'DELETE_IN_PROGRESS' ||
          r.deleteRequestedAt === undefined ||
          r.deleteRequestedAt * 1000 + this.deletionDelayMs > now,
      );
      if (!family.revisions.some((r) => r.status === 'DELETE_IN_PROGRESS')) this.deleting.delete(family);
    }
  }

  /** `arn:…:task-definition/family[:rev]`, `family:rev` or `family`; undefined when it is none of them. */
  private parseReference(
    reference: string,
    ctx: CallContext,
  ): { family: string; revision?: number } | undefined {
    const arn = /^arn:[^:]+:ecs:([^:]+):(\d{12}):task-definition\/([^:/]+)(?::(\d+))?$/.exec(reference);
    const plain = /^([^:/]+)(?::(\d+))?$/.exec(reference);
    let family: string | undefined;
    let revision: string | undefined;
    if (arn) {
      if (arn[1] !== this.region || arn[2] !== ctx.account) return undefined;
      [family, revision] = [arn[3], arn[4]];
    } else if (plain && !reference.startsWith('arn:')) {
      [family, revision] = [plain[1], plain[2]];
    }
    if (family === undefined || !FAMILY_PATTERN.test(family)) return undefined;
    return revision === undefined ? { family } : { family, revision: Number(revision) };
  }

  /** A revision by reference; a bare family means its latest ACTIVE revision. */
  private find(reference: string, ctx: CallContext): Revision | undefined {
    const parsed = this.parseReference(reference, ctx);
    if (!parsed) return undefined;
    const revisions = this.families.get(`${ctx.account}/${parsed.family}`)?.revisions ?? [];
    if (parsed.revision !== undefined) return revisions.find((r) => r.revision === parsed.revision);
    return revisions.filter((r) => r.status === 'ACTIVE').at(-1);
  }

  // --- operations ----------------------------------------------------------------------------------------------

  private register(input: JsonObject, ctx: CallContext): JsonObject {
    checkRegisterTaskDefinition(input);
    const { tags, ...members } = input;
    const definition = cloneJson(members);
    applyRegisterDefaults(definition);
    const family = String(definition.family);
    const key = `${ctx.account}/${family}`;
    const entry = this.families.get(key) ?? { next: 1, revisions: [] };
    const revision = entry.next;
    const record: Revision = {
      account: ctx.account,
      family,
      revision,
      arn: this.arnOf(ctx.account, family, revision),
      definition,
      registeredAt: nowEpochSeconds(),
      registeredBy: `arn:${this.partition}:iam::${ctx.account}:root`,
      compatibilities: compatibilitiesOf(definition),
      requiresAttributes: requiresAttributesOf(definition),
      status: 'ACTIVE',
      tags: mergeTags([], tagsOf(tags)),
    };
    entry.revisions.push(record);
    entry.next = revision + 1;
    this.families.set(key, entry);
    const output: JsonObject = { taskDefinition: this.taskDefinitionOf(record) };
    if (tags !== undefined) output.tags = record.tags.map((t) => ({ ...t }));
    return output;
  }

  private describe(input: JsonObject, ctx: CallContext): JsonObject {
    const found = this.find(String(input.taskDefinition), ctx);
    if (!found) throw ecsErrors.client('Unable to describe task definition.');
    const output: JsonObject = { taskDefinition: this.taskDefinitionOf(found) };
    if (Array.isArray(input.include) && input.include.includes('TAGS'))
      output.tags = found.tags.map((t) => ({ ...t }));
    return output;
  }

  private deregister(input: JsonObject, ctx: CallContext): JsonObject {
    const reference = String(input.taskDefinition);
    const parsed = this.parseReference(reference, ctx);
    if (parsed && parsed.revision === undefined) {
      throw ecsErrors.client(
        `Revision is required: '${reference}' names a family. Use family:revision or the full task definition ARN.`,
      );
    }
    const found = this.find(reference, ctx);
    if (!found) throw ecsErrors.client(NOT_FOUND);
    if (found.status === 'DELETE_IN_PROGRESS') {
      throw ecsErrors.client(`The task definition ${found.arn} is being deleted (DELETE_IN_PROGRESS).`);
    }
    if (found.status === 'ACTIVE') {
      found.status = 'INACTIVE';
      found.deregisteredAt = nowEpochSeconds();
    }
    return { taskDefinition: this.taskDefinitionOf(found) };
  }

  private deleteTaskDefinitions(input: JsonObject, ctx: CallContext): JsonObject {
    const references = Array.isArray(input.taskDefinitions) ? input.taskDefinitions.map(String) : [];
    if (references.length < 1 || references.length > MAX_DELETE_BATCH) {
      throw ecsErrors.invalidParameter(
        `taskDefinitions must list 1 to ${MAX_DELETE_BATCH} task definitions, got ${references.length}.`,
      );
    }
    const deleted: JsonObject[] = [];
    const failures: JsonObject[] = [];
    for (const reference of references) {
      const parsed = this.parseReference(reference, ctx);
      if (!parsed || parsed.revision === undefined) {
        failures.push({
          arn: reference,
          reason:
            'The specified task definition identifier is invalid. Specify family:revision or a full task definition ARN.',
        });
        continue;
      }
      const found = this.find(reference, ctx);
      if (!found) {
        failures.push({ arn: this.arnOf(ctx.account, parsed.family, parsed.revision), reason: NOT_FOUND });
        continue;
      }
      if (found.status === 'ACTIVE') {
        failures.push({
          arn: found.arn,
          reason:
            'The specified task definition is still in ACTIVE status. Please deregister the target and try again.',
        });
        continue;
      }
      if (found.status === 'INACTIVE') {
        found.status = 'DELETE_IN_PROGRESS';
        found.deleteRequestedAt = nowEpochSeconds();
        this.deleting.add(this.families.get(`${ctx.account}/${parsed.family}`)!);
      }
      deleted.push(this.taskDefinitionOf(found));
    }
    return { taskDefinitions: deleted, failures };
  }

  private maxResults(input: JsonObject): number {
    const max = input.maxResults;
    if (max === undefined) return MAX_RESULTS;
    if (typeof max !== 'number' || max < 1 || max > MAX_RESULTS) {
      throw ecsErrors.invalidParameter(
        `maxResults must be between 1 and ${MAX_RESULTS}, got ${String(max)}.`,
      );
    }
    return max;
  }

  private listTaskDefinitions(input: JsonObject, ctx: CallContext): JsonObject {
    const limit = this.maxResults(input);
    const status = typeof input.status === 'string' ? input.status : 'ACTIVE';
    const descending = input.sort === 'DESC';
    // ListTaskDefinitions' familyPrefix is the full family name (unlike ListTaskDefinitionFamilies' prefix).
    const family = typeof input.familyPrefix === 'string' ? input.familyPrefix : undefined;
    const keyOf = (r: Revision) => `${r.family}\u0000${String(r.revision).padStart(10, '0')}`;
    const candidates =
      family === undefined
        ? this.allRevisions()
        : (this.families.get(`${ctx.account}/${family}`)?.revisions ?? []);
    const items = candidates
      .filter(
        (r) =>
          r.account === ctx.account && r.status === status && (family === undefined || r.family === family),
      )
      .sort((a, b) => compareStrings(keyOf(a), keyOf(b)) * (descending ? -1 : 1));
    const nextToken = typeof input.nextToken === 'string' ? input.nextToken : undefined;
    const page = paginate(items, keyOf, limit, nextToken, descending);
    if (!page) throw ecsErrors.invalidParameter('Invalid nextToken.');
    return { taskDefinitionArns: page.items.map((r) => r.arn), nextToken: page.nextToken };
  }

  private listFamilies(input: JsonObject, ctx: CallContext): JsonObject {
    const limit = this.maxResults(input);
    const prefix = typeof input.familyPrefix === 'string' ? input.familyPrefix : '';
    // Default: both ACTIVE and INACTIVE families. A family is ACTIVE while it has an ACTIVE revision.
    const wanted = typeof input.status === 'string' && input.status !== 'ALL' ? input.status : undefined;
    const families: string[] = [];
    for (const { revisions } of this.families.values()) {
      // A family whose revisions are all gone is no longer listed (DeleteTaskDefinitions, API reference).
      const first = revisions[0];
      if (!first || first.account !== ctx.account || !first.family.startsWith(prefix)) continue;
      const status = revisions.some((r) => r.status === 'ACTIVE') ? 'ACTIVE' : 'INACTIVE';
      if (wanted === undefined || wanted === status) families.push(first.family);
    }
    families.sort(compareStrings);
    const nextToken = typeof input.nextToken === 'string' ? input.nextToken : undefined;
    const page = paginate(families, (f) => f, limit, nextToken);
    if (!page) throw ecsErrors.invalidParameter('Invalid nextToken.');
    return { families: page.items, nextToken: page.nextToken };
  }

  // --- tags ----------------------------------------------------------------------------------------------------

  /** Only task definitions are taggable here; `resourceArn` must be a task definition ARN with a revision. */
  private taggable(input: JsonObject, ctx: CallContext, action: 'tag' | 'list'): Revision {
    const arn = String(input.resourceArn);
    const parsed = arn.startsWith('arn:') ? this.parseReference(arn, ctx) : undefined;
    if (!parsed || parsed.revision === undefined) {
      throw ecsErrors.invalidParameter(
        `The ARN '${arn}' is not a task definition ARN of this account and Region.`,
      );
    }
    const found = this.find(arn, ctx);
    if (!found) {
      throw action === 'tag'
        ? ecsErrors.resourceNotFound('The specified resource could not be found.')
        : ecsErrors.client(NOT_FOUND);
    }
    return found;
  }

  private tagResource(input: JsonObject, ctx: CallContext): JsonObject {
    const found = this.taggable(input, ctx, 'tag');
    const incoming = tagsOf(input.tags);
    checkTags(incoming);
    const merged = mergeTags(found.tags, incoming);
    checkTags(merged);
    found.tags = merged;
    return {};
  }

  private untagResource(input: JsonObject, ctx: CallContext): JsonObject {
    const found = this.taggable(input, ctx, 'tag');
    const keys = new Set(Array.isArray(input.tagKeys) ? input.tagKeys.map(String) : []);
    found.tags = found.tags.filter((t) => !keys.has(t.key));
    return {};
  }

  // --- output shape --------------------------------------------------------------------------------------------

  /** The TaskDefinition structure: the registered members plus what ECS adds. */
  private taskDefinitionOf(r: Revision): JsonObject {
    const td: JsonObject = {
      ...cloneJson(r.definition),
      taskDefinitionArn: r.arn,
      revision: r.revision,
      status: r.status,
      compatibilities: [...r.compatibilities],
      requiresAttributes: cloneJson(r.requiresAttributes),
      registeredAt: r.registeredAt,
      registeredBy: r.registeredBy,
    };
    if (r.deregisteredAt !== undefined) td.deregisteredAt = r.deregisteredAt;
    if (r.deleteRequestedAt !== undefined) td.deleteRequestedAt = r.deleteRequestedAt;
    return td;
  }
}
