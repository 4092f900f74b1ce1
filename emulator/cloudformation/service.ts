/**
 * CloudFormation, read side: stacks keyed by stack id, each with its resources by logical id, answered by
 * DescribeStacks, DescribeStackResource, DescribeStackResources, ListStackResources and ListStacks over validated
 * inputs. Tests set the state through the control methods (there is no CreateStack).
 *
 * Semantics and where they come from:
 * - A StackName that is a stack id (an ARN) names that stack whatever its status; a bare name names the account's
 *   live stack of that name only ("Running stacks: you can specify either the stack's name or its unique stack ID.
 *   Deleted stacks: you must specify the unique stack ID." — the StackName documentation of the API reference).
 * - Without StackName, DescribeStacks lists the account's stacks that are not DELETE_COMPLETE; ListStacks lists
 *   deleted ones too ("Deleted stacks don't show up in the DescribeStacks operation if the deletion has been
 *   completed successfully" — DeleteStack documentation), filtered by StackStatusFilter.
 * - A caller sees only its own account's stacks: another account's stack answers exactly as an unknown one.
 * - Error messages, each as real CloudFormation words it (ValidationError, HTTP 400):
 *   DescribeStacks, ListStackResources, DescribeStackResources: "Stack with id <StackName> does not exist"
 *     (a captured CloudFormation response in boto/boto3#2807; ListStackResources in cloudquery/cq-provider-aws#824;
 *     for DescribeStackResources the same wording is assumed);
 *   DescribeStackResource, unknown stack: "Stack '<StackName>' does not exist" (boto/boto3#2352);
 *   DescribeStackResource, unknown logical id: "Resource <LogicalResourceId> does not exist for stack <StackName>"
 *     (aws-samples/amazon-rekognition-video-analyzer#23, jpsim/AWSPics#14).
 * - DescribeStackResources takes StackName or PhysicalResourceId, not both (a ValidationError, as its
 *   documentation says), returns at most 100 resources and filters by LogicalResourceId.
 * Ours (not confirmed against AWS): the wording of the DescribeStackResources errors other than the unknown stack,
 * of an invalid NextToken, the page size of 100 for DescribeStacks, ListStacks and ListStackResources, and the
 * orders (stacks newest first, resources by logical id). Deleted stacks never expire (AWS keeps them 90 days).
 */
import { randomUUID } from 'node:crypto';
import { partitionOf } from '../accounts';
import { cloudFormationErrors } from '../errors';
import { enumValues, type ServiceModel } from '../model/model';
import type { PutStackInput, StackResourceInput, StackResourceSnapshot, StackSnapshot } from '../types';
import { compareStrings, type JsonObject, paginate } from '../util';
import { resourceDriftInformation, stackDriftInformation, stackOptionDefaults } from './defaults';

const PAGE_SIZE = 100;
const DESCRIBE_STACK_RESOURCES_MAX = 100;
const STACK_ID = /^arn:(aws|aws-cn|aws-us-gov):cloudformation:([a-z0-9-]+):(\d{12}):stack\/([^/]+)\/([^/]+)$/;
const STACK_NAME = /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/;

interface ResourceRecord {
  readonly logicalResourceId: string;
  physicalResourceId?: string;
  resourceType: string;
  resourceStatus: string;
  resourceStatusReason?: string;
  lastUpdated: number;
}

interface StackRecord {
  /** Creation order: stacks made in one millisecond still have an order. */
  readonly seq: number;
  readonly stackId: string;
  readonly stackName: string;
  readonly account: string;
  stackStatus: string;
  stackStatusReason?: string;
  readonly creationTime: number;
  lastUpdatedTime?: number;
  deletionTime?: number;
  /** Insertion order is creation order. */
  readonly resources: Map<string, ResourceRecord>;
}

export interface CallContext {
  readonly account: string;
}

/** `arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<uuid>`: a stack id as CloudFormation makes one. */
export function buildStackId(
  stackName: string,
  accountId: string,
  region: string,
  uuid: string = randomUUID(),
): string {
  return `arn:${partitionOf(region)}:cloudformation:${region}:${accountId}:stack/${stackName}/${uuid}`;
}

/** Seconds with millisecond precision, as the other services' timestamps. */
const nowSeconds = () => Date.now() / 1000;

export class CloudFormationService {
  private stacks = new Map<string, StackRecord>();
  private created = 0;
  private readonly stackStatuses: readonly string[];
  private readonly resourceStatuses: readonly string[];

  constructor(
    private readonly region: string,
    model: ServiceModel,
    private readonly clock: () => number = nowSeconds,
  ) {
    this.stackStatuses = enumValues(model, 'StackStatus');
    this.resourceStatuses = enumValues(model, 'ResourceStatus');
  }

  reset(): void {
    this.stacks = new Map();
    this.created = 0;
  }

  // ---- the API -------------------------------------------------------------------------------------------------

  handle(operation: string, input: JsonObject, ctx: CallContext): JsonObject {
    switch (operation) {
      case 'DescribeStacks':
        return this.describeStacks(input, ctx);
      case 'DescribeStackResource':
        return this.describeStackResource(input, ctx);
      case 'DescribeStackResources':
        return this.describeStackResources(input, ctx);
      case 'ListStackResources':
        return this.listStackResources(input, ctx);
      case 'ListStacks':
        return this.listStacks(input, ctx);
      default:
        throw new Error(`CloudFormation operation ${operation} is not emulated`);
    }
  }

  /** The stack a StackName names for this caller: by id whatever its status, by name only when live. */
  private find(stackName: string, ctx: CallContext): StackRecord | undefined {
    if (stackName.startsWith('arn:')) {
      const stack = this.stacks.get(stackName);
      return stack?.account === ctx.account ? stack : undefined;
    }
    return [...this.stacks.values()].find(
      (s) => s.account === ctx.account && s.stackName === stackName && s.stackStatus !== 'DELETE_COMPLETE',
    );
  }

  private findOrFail(stackName: string, ctx: CallContext): StackRecord {
    const stack = this.find(stackName, ctx);
    if (!stack) throw cloudFormationErrors.validation(`Stack with id ${stackName} does not exist`);
    return stack;
  }

  private describeStacks(input: JsonObject, ctx: CallContext): JsonObject {
    if (typeof input.StackName === 'string') {
      return { Stacks: [describeStack(this.findOrFail(input.StackName, ctx))] };
    }
    const live = this.newestFirst(ctx).filter((s) => s.stackStatus !== 'DELETE_COMPLETE');
    const page = this.page(live, input.NextToken);
    return withNextToken({ Stacks: page.items.map(describeStack) }, page.nextToken);
  }

  private listStacks(input: JsonObject, ctx: CallContext): JsonObject {
    const filter = Array.isArray(input.StackStatusFilter) ? (input.StackStatusFilter as string[]) : [];
    const stacks = this.newestFirst(ctx).filter((s) => filter.length === 0 || filter.includes(s.stackStatus));
    const page = this.page(stacks, input.NextToken);
    return withNextToken({ StackSummaries: page.items.map(summarizeStack) }, page.nextToken);
  }

  private describeStackResource(input: JsonObject, ctx: CallContext): JsonObject {
    const stackName = String(input.StackName);
    const logicalId = String(input.LogicalResourceId);
    const stack = this.find(stackName, ctx);
    if (!stack) throw cloudFormationErrors.validation(`Stack '${stackName}' does not exist`);
    const resource = stack.resources.get(logicalId);
    if (!resource) {
      throw cloudFormationErrors.validation(`Resource ${logicalId} does not exist for stack ${stackName}`);
    }
    const { Timestamp, ...rest } = describeResource(stack, resource);
    return { StackResourceDetail: { ...rest, LastUpdatedTimestamp: Timestamp } };
  }

  private describeStackResources(input: JsonObject, ctx: CallContext): JsonObject {
    const byName = typeof input.StackName === 'string';
    const byPhysicalId = typeof input.PhysicalResourceId === 'string';
    if (byName === byPhysicalId) {
      throw cloudFormationErrors.validation(
        'You must specify either StackName or PhysicalResourceId, but not both.',
      );
    }
    let stack: StackRecord | undefined;
    if (byName) {
      stack = this.findOrFail(String(input.StackName), ctx);
    } else {
      const physicalId = String(input.PhysicalResourceId);
      const holders = this.newestFirst(ctx).filter((s) =>
        [...s.resources.values()].some((r) => r.physicalResourceId === physicalId),
      );
      stack = holders.find((s) => s.stackStatus !== 'DELETE_COMPLETE') ?? holders[0];
      if (!stack) throw cloudFormationErrors.validation(`Stack for ${physicalId} does not exist`);
    }
    const found = stack;
    const resources = [...found.resources.values()]
      .filter((r) => input.LogicalResourceId === undefined || r.logicalResourceId === input.LogicalResourceId)
      .slice(0, DESCRIBE_STACK_RESOURCES_MAX)
      .map((r) => describeResource(found, r));
    return { StackResources: resources };
  }

  private listStackResources(input: JsonObject, ctx: CallContext): JsonObject {
    const stack = this.findOrFail(String(input.StackName), ctx);
    const sorted = [...stack.resources.values()].sort((a, b) =>
      compareStrings(a.logicalResourceId, b.logicalResourceId),
    );
    const page = paginate(sorted, (r) => r.logicalResourceId, PAGE_SIZE, nextTokenOf(input));
    if (!page) throw invalidNextToken();
    return withNextToken({ StackResourceSummaries: page.items.map(summarizeResource) }, page.nextToken);
  }

  private newestFirst(ctx: CallContext): StackRecord[] {
    return [...this.stacks.values()]
      .filter((s) => s.account === ctx.account)
      .sort((a, b) => compareStrings(orderKey(b), orderKey(a)));
  }

  private page(stacks: readonly StackRecord[], nextToken: unknown) {
    const page = paginate(
      stacks,
      orderKey,
      PAGE_SIZE,
      typeof nextToken === 'string' ? nextToken : undefined,
      true,
    );
    if (!page) throw invalidNextToken();
    return page;
  }

  // ---- the control ---------------------------------------------------------------------------------------------

  putStack(input: PutStackInput): StackSnapshot {
    const { account, stackName } = this.parseStackId(input.stackId);
    this.checkStatus(input.stackStatus, this.stackStatuses, 'stackStatus');
    const resources = input.resources?.map((r) => this.resourceRecord(r));
    const existing = this.stacks.get(input.stackId);
    if (input.stackStatus !== 'DELETE_COMPLETE') this.checkNameFree(account, stackName, input.stackId);
    const now = this.clock();
    const stack: StackRecord = existing ?? {
      seq: ++this.created,
      stackId: input.stackId,
      stackName,
      account,
      stackStatus: input.stackStatus,
      creationTime: now,
      resources: new Map(),
    };
    if (existing) existing.lastUpdatedTime = now;
    this.applyStatus(stack, input.stackStatus, input.stackStatusReason, now);
    if (resources) {
      stack.resources.clear();
      for (const r of resources) stack.resources.set(r.logicalResourceId, r);
    }
    this.stacks.set(stack.stackId, stack);
    return snapshotOf(stack);
  }

  setStackStatus(stackId: string, stackStatus: string, stackStatusReason?: string): StackSnapshot {
    const stack = this.get(stackId);
    this.checkStatus(stackStatus, this.stackStatuses, 'stackStatus');
    if (stackStatus !== 'DELETE_COMPLETE') this.checkNameFree(stack.account, stack.stackName, stackId);
    const now = this.clock();
    if (stackStatus.startsWith('UPDATE_')) stack.lastUpdatedTime = now;
    this.applyStatus(stack, stackStatus, stackStatusReason, now);
    return snapshotOf(stack);
  }

  putStackResource(stackId: string, resource: StackResourceInput): StackSnapshot {
    const stack = this.get(stackId);
    const record = this.resourceRecord(resource);
    stack.resources.set(record.logicalResourceId, record);
    return snapshotOf(stack);
  }

  deleteStack(stackId: string): StackSnapshot {
    const stack = this.get(stackId);
    const now = this.clock();
    for (const r of stack.resources.values()) {
      if (r.resourceStatus === 'DELETE_COMPLETE' || r.resourceStatus === 'DELETE_SKIPPED') continue;
      r.resourceStatus = 'DELETE_COMPLETE';
      delete r.resourceStatusReason;
      r.lastUpdated = now;
    }
    this.applyStatus(stack, 'DELETE_COMPLETE', undefined, now);
    return snapshotOf(stack);
  }

  stackId(stackName: string, accountId: string): string {
    return buildStackId(stackName, accountId, this.region);
  }

  /** One stack as the snapshot shows it, or undefined (cheap: no copy of the rest of the state). */
  getStack(stackId: string): StackSnapshot | undefined {
    const stack = this.stacks.get(stackId);
    return stack ? (JSON.parse(JSON.stringify(snapshotOf(stack))) as StackSnapshot) : undefined;
  }

  snapshot(): { stacks: StackSnapshot[] } {
    return { stacks: [...this.stacks.values()].map(snapshotOf) };
  }

  private applyStatus(stack: StackRecord, status: string, reason: string | undefined, now: number): void {
    stack.stackStatus = status;
    if (reason === undefined) delete stack.stackStatusReason;
    else stack.stackStatusReason = reason;
    if (status === 'DELETE_COMPLETE') stack.deletionTime ??= now;
    else delete stack.deletionTime;
  }

  private get(stackId: string): StackRecord {
    const stack = this.stacks.get(stackId);
    if (!stack) throw new Error(`cloudformation: no stack ${stackId} (putStack creates one)`);
    return stack;
  }

  private parseStackId(id: string): { account: string; stackName: string } {
    const match = typeof id === 'string' ? STACK_ID.exec(id) : null;
    const [, partition, region, account, stackName] = match ?? [];
    if (!match || !partition || !region || !account || !stackName) {
      throw new Error(
        `cloudformation: '${id}' is not a stack id (arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<id>)`,
      );
    }
    if (region !== this.region || partition !== partitionOf(this.region)) {
      throw new Error(`cloudformation: stack id ${id} is not in the emulator's region ${this.region}`);
    }
    if (!STACK_NAME.test(stackName)) {
      throw new Error(
        `cloudformation: stack name '${stackName}' is not a CloudFormation stack name (a letter, then letters, digits and hyphens, at most 128)`,
      );
    }
    return { account, stackName };
  }

  private checkNameFree(account: string, stackName: string, stackId: string): void {
    const other = [...this.stacks.values()].find(
      (s) =>
        s.account === account &&
        s.stackName === stackName &&
        s.stackId !== stackId &&
        s.stackStatus !== 'DELETE_COMPLETE',
    );
    if (other) {
      throw new Error(
        `cloudformation: account ${account} already has a live stack named ${stackName}: ${other.stackId}`,
      );
    }
  }

  private checkStatus(status: string, allowed: readonly string[], what: string): void {
    if (!allowed.includes(status)) {
      throw new RangeError(`cloudformation: ${what} '${status}' is not one of ${allowed.join(', ')}`);
    }
  }

  private resourceRecord(r: StackResourceInput): ResourceRecord {
    if (typeof r.logicalResourceId !== 'string' || r.logicalResourceId === '') {
      throw new Error('cloudformation: a resource needs a logicalResourceId');
    }
    if (typeof r.resourceType !== 'string' || r.resourceType.length < 1 || r.resourceType.length > 256) {
      throw new Error(
        `cloudformation: resource ${r.logicalResourceId} needs a resourceType of 1-256 characters`,
      );
    }
    this.checkStatus(r.resourceStatus, this.resourceStatuses, 'resourceStatus');
    return {
      logicalResourceId: r.logicalResourceId,
      ...(r.physicalResourceId !== undefined ? { physicalResourceId: r.physicalResourceId } : {}),
      resourceType: r.resourceType,
      resourceStatus: r.resourceStatus,
      ...(r.resourceStatusReason !== undefined ? { resourceStatusReason: r.resourceStatusReason } : {}),
      lastUpdated: r.since ?? this.clock(),
    };
  }
}

/** Creation order (fixed width): the key stacks are ordered and paged by. */
function orderKey(s: StackRecord): string {
  return String(s.seq).padStart(12, '0');
}

function nextTokenOf(input: JsonObject): string | undefined {
  return typeof input.NextToken === 'string' ? input.NextToken : undefined;
}

function invalidNextToken() {
  return cloudFormationErrors.validation('Invalid NextToken');
}

function withNextToken(output: JsonObject, nextToken: string | undefined): JsonObject {
  return nextToken === undefined ? output : { ...output, NextToken: nextToken };
}

function optional<T>(key: string, value: T | undefined): Record<string, T> {
  return value === undefined ? {} : { [key]: value };
}

/** A stack as DescribeStacks answers it: the members CloudFormation fills for a stack made without options. */
function describeStack(s: StackRecord): JsonObject {
  const options = stackOptionDefaults();
  return {
    StackId: s.stackId,
    StackName: s.stackName,
    CreationTime: s.creationTime,
    ...optional('DeletionTime', s.deletionTime),
    ...optional('LastUpdatedTime', s.lastUpdatedTime),
    RollbackConfiguration: options.RollbackConfiguration,
    StackStatus: s.stackStatus,
    ...optional('StackStatusReason', s.stackStatusReason),
    DisableRollback: options.DisableRollback,
    NotificationARNs: options.NotificationARNs,
    Tags: options.Tags,
    EnableTerminationProtection: options.EnableTerminationProtection,
    DriftInformation: stackDriftInformation(),
  };
}

function summarizeStack(s: StackRecord): JsonObject {
  return {
    StackId: s.stackId,
    StackName: s.stackName,
    CreationTime: s.creationTime,
    ...optional('LastUpdatedTime', s.lastUpdatedTime),
    ...optional('DeletionTime', s.deletionTime),
    StackStatus: s.stackStatus,
    ...optional('StackStatusReason', s.stackStatusReason),
    DriftInformation: stackDriftInformation(),
  };
}

/** A StackResource (DescribeStackResources); DescribeStackResource renames Timestamp to LastUpdatedTimestamp. */
function describeResource(s: StackRecord, r: ResourceRecord): JsonObject {
  return {
    StackName: s.stackName,
    StackId: s.stackId,
    LogicalResourceId: r.logicalResourceId,
    ...optional('PhysicalResourceId', r.physicalResourceId),
    ResourceType: r.resourceType,
    Timestamp: r.lastUpdated,
    ResourceStatus: r.resourceStatus,
    ...optional('ResourceStatusReason', r.resourceStatusReason),
    DriftInformation: resourceDriftInformation(),
  };
}

function summarizeResource(r: ResourceRecord): JsonObject {
  return {
    LogicalResourceId: r.logicalResourceId,
    ...optional('PhysicalResourceId', r.physicalResourceId),
    ResourceType: r.resourceType,
    LastUpdatedTimestamp: r.lastUpdated,
    ResourceStatus: r.resourceStatus,
    ...optional('ResourceStatusReason', r.resourceStatusReason),
    DriftInformation: resourceDriftInformation(),
  };
}

function snapshotOf(s: StackRecord): StackSnapshot {
  const resources: StackResourceSnapshot[] = [...s.resources.values()].map((r) => ({
    LogicalResourceId: r.logicalResourceId,
    ...optional('PhysicalResourceId', r.physicalResourceId),
    ResourceType: r.resourceType,
    ResourceStatus: r.resourceStatus,
    ...optional('ResourceStatusReason', r.resourceStatusReason),
    LastUpdatedTimestamp: r.lastUpdated,
  }));
  return { ...describeStack(s), Resources: resources } as unknown as StackSnapshot;
}
