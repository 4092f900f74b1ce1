/**
 * AWS Cloud Map (service discovery), the namespace side the Service Connect backend calls: CreateHttpNamespace,
 * GetNamespace, ListNamespaces, DeleteNamespace, GetOperation and tagging, and ListServices. State is per calling
 * account, in memory; every method returns the operation's output members or throws a ServiceError.
 *
 * Namespaces are created and deleted through operations, as Cloud Map does (the call answers an OperationId;
 * GetOperation says SUBMITTED/PENDING, then SUCCESS). The emulator finishes them `operationDelayMs` after the call
 * (default 0: at once); until then GetOperation answers PENDING and a namespace being created is not visible.
 *
 * Cloud Map services exist here only as ECS creates them for Service Connect (ServiceConnectServiceResource: "the
 * discoveryName is the name of the new Cloud Map service that Amazon ECS creates for this Amazon ECS service"):
 * emulator/ecs/services.ts calls `createEcsManagedService` for each discovery name of an ECS service and
 * `deleteEcsManagedService` when the ECS service stops using it. A namespace's ServiceCount is the number of services
 * in it ("The number of services that are associated with the namespace"), ListServices lists them, and
 * DeleteNamespace refuses a namespace that has any ("If the namespace still contains one or more services, the
 * request fails": ResourceInUse, with Cloud Map's wording).
 */
import { randomBytes } from 'node:crypto';
import { serviceDiscoveryErrors } from '../errors';
import type { CloudMapServiceSnapshot, TagSnapshot } from '../types';
import { compareStrings, isPlainObject, type JsonObject, nowEpochSeconds, paginate } from '../util';
import { DEFAULT_FILTER_CONDITION, DEFAULT_MAX_RESULTS } from './defaults';
import {
  checkNamespaceFilter,
  checkServiceFilter,
  checkTagCount,
  checkTags,
  NAMESPACE_IN_USE,
} from './rules';

export interface CallContext {
  readonly account: string;
}

export interface NamespaceSnapshot {
  readonly Id: string;
  readonly Arn: string;
  readonly Name: string;
  readonly Type: string;
  readonly ResourceOwner: string;
  readonly CreateDate: number;
  readonly ServiceCount: number;
  readonly Tags: readonly { readonly Key: string; readonly Value: string }[];
}

interface Namespace {
  readonly account: string;
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly type: 'HTTP' | 'DNS_PRIVATE' | 'DNS_PUBLIC';
  readonly description?: string;
  readonly creatorRequestId?: string;
  readonly createDate: number;
  /** Epoch milliseconds from which the namespace is visible (its create operation has succeeded). */
  readonly visibleFrom: number;
  tags: TagSnapshot[];
}

/** A Cloud Map service, as ECS creates one for a Service Connect discovery name. */
interface CloudMapService {
  readonly account: string;
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly namespaceId: string;
  readonly createDate: number;
}

interface Operation {
  readonly account: string;
  readonly id: string;
  readonly type: 'CREATE_NAMESPACE' | 'DELETE_NAMESPACE';
  readonly namespaceId: string;
  readonly createDate: number;
  /** Epoch milliseconds at which it succeeds. */
  readonly doneAt: number;
}

export interface ServiceDiscoveryOptions {
  /** How long a namespace operation stays PENDING; default 0. */
  readonly operationDelayMs?: number;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

function randomId(length: number): string {
  return [...randomBytes(length)].map((b) => ALPHABET[b % 32]).join('');
}

function tagsOf(value: unknown): TagSnapshot[] {
  return Array.isArray(value)
    ? value.filter(isPlainObject).map((t) => ({ key: String(t.Key), value: String(t.Value ?? '') }))
    : [];
}

function merge(existing: readonly TagSnapshot[], incoming: readonly TagSnapshot[]): TagSnapshot[] {
  const merged = new Map(existing.map((t) => [t.key, t.value]));
  for (const t of incoming) merged.set(t.key, t.value);
  return [...merged].map(([key, value]) => ({ key, value }));
}

export class ServiceDiscoveryService {
  private readonly namespaces = new Map<string, Namespace>();
  private readonly operations = new Map<string, Operation>();
  private readonly services = new Map<string, CloudMapService>();
  private readonly operationDelayMs: number;

  constructor(
    private readonly region: string,
    private readonly partition: string,
    options: ServiceDiscoveryOptions = {},
  ) {
    this.operationDelayMs = options.operationDelayMs ?? 0;
  }

  handle(operation: string, input: JsonObject, ctx: CallContext): JsonObject {
    switch (operation) {
      case 'CreateHttpNamespace':
        return this.createHttpNamespace(input, ctx);
      case 'GetNamespace':
        return { Namespace: this.namespaceOf(this.byId(String(input.Id), ctx)) };
      case 'ListNamespaces':
        return this.listNamespaces(input, ctx);
      case 'ListServices':
        return this.listServices(input, ctx);
      case 'DeleteNamespace':
        return this.deleteNamespace(input, ctx);
      case 'GetOperation':
        return this.getOperation(input, ctx);
      case 'TagResource': {
        const ns = this.byArn(String(input.ResourceARN), ctx);
        const incoming = tagsOf(input.Tags);
        checkTags(incoming);
        const merged = merge(ns.tags, incoming);
        checkTagCount(merged);
        ns.tags = merged;
        return {};
      }
      case 'UntagResource': {
        const ns = this.byArn(String(input.ResourceARN), ctx);
        const keys = new Set(Array.isArray(input.TagKeys) ? input.TagKeys.map(String) : []);
        ns.tags = ns.tags.filter((t) => !keys.has(t.key));
        return {};
      }
      case 'ListTagsForResource':
        return {
          Tags: this.byArn(String(input.ResourceARN), ctx).tags.map((t) => ({ Key: t.key, Value: t.value })),
        };
      default:
        throw new Error(`emulator bug: no Cloud Map handler for ${operation}`);
    }
  }

  reset(): void {
    this.namespaces.clear();
    this.operations.clear();
    this.services.clear();
  }

  /** Every tagged visible namespace, for the Resource Groups Tagging API. */
  *tagged(): Iterable<{ arn: string; owner: string; tags: readonly TagSnapshot[] }> {
    for (const ns of this.visible())
      if (ns.tags.length) yield { arn: ns.arn, owner: ns.account, tags: ns.tags };
  }

  snapshot(): { namespaces: NamespaceSnapshot[]; services: CloudMapServiceSnapshot[] } {
    return {
      services: [...this.services.values()]
        .sort((a, b) => compareStrings(a.account, b.account) || compareStrings(a.id, b.id))
        .map((s) => ({
          Id: s.id,
          Arn: s.arn,
          Name: s.name,
          NamespaceId: s.namespaceId,
          CreateDate: s.createDate,
        })),
      namespaces: this.visible()
        .sort((a, b) => compareStrings(a.account, b.account) || compareStrings(a.name, b.name))
        .map((ns) => ({
          Id: ns.id,
          Arn: ns.arn,
          Name: ns.name,
          Type: ns.type,
          ResourceOwner: ns.account,
          CreateDate: ns.createDate,
          ServiceCount: this.serviceCount(ns),
          Tags: ns.tags.map((t) => ({ Key: t.key, Value: t.value })),
        })),
    };
  }

  /**
   * A namespace of the account by name or ARN, as ECS resolves `serviceConnectConfiguration.namespace`; undefined
   * when there is none (visible) in this Region.
   */
  resolve(nameOrArn: string, account: string): { arn: string; name: string } | undefined {
    const ns = this.visible().find(
      (n) => n.account === account && (n.arn === nameOrArn || n.name === nameOrArn),
    );
    return ns ? { arn: ns.arn, name: ns.name } : undefined;
  }

  /**
   * The Cloud Map service ECS creates in a namespace (by ARN, of the account) for a Service Connect discovery name;
   * returns its ARN. ECS has checked that the namespace exists and that the name is free in it.
   */
  createEcsManagedService(namespaceArn: string, name: string, account: string): string {
    const ns = this.visible().find((n) => n.arn === namespaceArn && n.account === account);
    if (!ns)
      throw new Error(
        `emulator bug: ECS created a Cloud Map service in an unknown namespace ${namespaceArn}`,
      );
    const id = `srv-${randomId(16)}`;
    const arn = `arn:${this.partition}:servicediscovery:${this.region}:${account}:service/${id}`;
    this.services.set(id, { account, id, arn, name, namespaceId: ns.id, createDate: nowEpochSeconds() });
    return arn;
  }

  /** ECS no longer uses the Cloud Map service it created (its ECS service was deleted or changed). */
  deleteEcsManagedService(arn: string): void {
    for (const s of this.services.values()) if (s.arn === arn) this.services.delete(s.id);
  }

  /** Puts a namespace of any type directly (a platform's private DNS namespace), already created. */
  putNamespace(name: string, account: string, type: Namespace['type'] = 'HTTP'): { arn: string; id: string } {
    const ns = this.create(name, account, type, undefined, undefined, [], Date.now());
    return { arn: ns.arn, id: ns.id };
  }

  // --- internals -----------------------------------------------------------------------------------------------

  private visible(now = Date.now()): Namespace[] {
    return [...this.namespaces.values()].filter((n) => n.visibleFrom <= now);
  }

  private create(
    name: string,
    account: string,
    type: Namespace['type'],
    description: string | undefined,
    creatorRequestId: string | undefined,
    tags: TagSnapshot[],
    visibleFrom: number,
  ): Namespace {
    const id = `ns-${randomId(16)}`;
    const ns: Namespace = {
      account,
      id,
      arn: `arn:${this.partition}:servicediscovery:${this.region}:${account}:namespace/${id}`,
      name,
      type,
      ...(description !== undefined ? { description } : {}),
      ...(creatorRequestId !== undefined ? { creatorRequestId } : {}),
      createDate: nowEpochSeconds(),
      visibleFrom,
      tags,
    };
    this.namespaces.set(id, ns);
    return ns;
  }

  private startOperation(account: string, type: Operation['type'], namespaceId: string): Operation {
    const op: Operation = {
      account,
      id: `${randomId(32)}-${randomId(8)}`,
      type,
      namespaceId,
      createDate: nowEpochSeconds(),
      doneAt: Date.now() + this.operationDelayMs,
    };
    this.operations.set(op.id, op);
    return op;
  }

  private createHttpNamespace(input: JsonObject, ctx: CallContext): JsonObject {
    const name = String(input.Name);
    const creatorRequestId = typeof input.CreatorRequestId === 'string' ? input.CreatorRequestId : undefined;
    const tags = tagsOf(input.Tags);
    checkTags(tags);
    checkTagCount(tags);
    const existing = [...this.namespaces.values()].find((n) => n.account === ctx.account && n.name === name);
    if (existing) {
      // The same request again (the SDK's retry of a call whose answer was lost): its operation, not a second one.
      const same =
        creatorRequestId !== undefined &&
        existing.creatorRequestId === creatorRequestId &&
        [...this.operations.values()].find(
          (o) => o.namespaceId === existing.id && o.type === 'CREATE_NAMESPACE',
        );
      if (same) return { OperationId: same.id };
      throw serviceDiscoveryErrors.namespaceExists(`Namespace with name ${name} already exists.`);
    }
    const ns = this.create(
      name,
      ctx.account,
      'HTTP',
      typeof input.Description === 'string' ? input.Description : undefined,
      creatorRequestId,
      merge([], tags),
      Date.now() + this.operationDelayMs,
    );
    return { OperationId: this.startOperation(ctx.account, 'CREATE_NAMESPACE', ns.id).id };
  }

  private byId(id: string, ctx: CallContext): Namespace {
    const ns = this.namespaces.get(id);
    if (!ns || ns.account !== ctx.account || ns.visibleFrom > Date.now())
      throw serviceDiscoveryErrors.namespaceNotFound(`Namespace not found: ${id}`);
    return ns;
  }

  private byArn(arn: string, ctx: CallContext): Namespace {
    const ns = this.visible().find((n) => n.arn === arn && n.account === ctx.account);
    if (!ns) throw serviceDiscoveryErrors.resourceNotFound(`Resource not found: ${arn}`);
    return ns;
  }

  private namespaceOf(ns: Namespace): JsonObject {
    return {
      Id: ns.id,
      Arn: ns.arn,
      ResourceOwner: ns.account,
      Name: ns.name,
      Type: ns.type,
      ...(ns.description !== undefined ? { Description: ns.description } : {}),
      ServiceCount: this.serviceCount(ns),
      Properties: { HttpProperties: { HttpName: ns.name } },
      CreateDate: ns.createDate,
      ...(ns.creatorRequestId !== undefined ? { CreatorRequestId: ns.creatorRequestId } : {}),
    };
  }

  private listNamespaces(input: JsonObject, ctx: CallContext): JsonObject {
    const filters = Array.isArray(input.Filters) ? input.Filters.filter(isPlainObject) : [];
    const matchers = filters.map((f) => {
      const condition = typeof f.Condition === 'string' ? f.Condition : DEFAULT_FILTER_CONDITION;
      const values = Array.isArray(f.Values) ? f.Values.map(String) : [];
      checkNamespaceFilter(f.Name, condition, values);
      const value = values[0]!;
      const field = (ns: Namespace): string =>
        f.Name === 'TYPE'
          ? ns.type
          : f.Name === 'RESOURCE_OWNER'
            ? ns.account === ctx.account
              ? 'SELF'
              : 'OTHER_ACCOUNTS'
            : ns.name;
      return (ns: Namespace) => (condition === 'EQ' ? field(ns) === value : field(ns).startsWith(value));
    });
    const max = typeof input.MaxResults === 'number' ? input.MaxResults : DEFAULT_MAX_RESULTS;
    const items = this.visible()
      .filter((ns) => ns.account === ctx.account && matchers.every((m) => m(ns)))
      .sort((a, b) => compareStrings(a.id, b.id));
    const page = paginate(
      items,
      (ns) => ns.id,
      max,
      typeof input.NextToken === 'string' ? input.NextToken : undefined,
    );
    if (!page) throw serviceDiscoveryErrors.invalidInput('Invalid NextToken.');
    return {
      Namespaces: page.items.map((ns) => {
        const { CreatorRequestId: _creator, ...summary } = this.namespaceOf(ns);
        return summary;
      }),
      ...(page.nextToken ? { NextToken: page.nextToken } : {}),
    };
  }

  /** Namespace.ServiceCount: "The number of services that are associated with the namespace." */
  private serviceCount(ns: Namespace): number {
    return [...this.services.values()].filter((s) => s.namespaceId === ns.id).length;
  }

  /**
   * ListServices. ListServicesRequest.NextToken: "Cloud Map gets MaxResults services and then filters them based on
   * the specified criteria", so a page may hold fewer matches than MaxResults, even none, and still have a NextToken.
   */
  private listServices(input: JsonObject, ctx: CallContext): JsonObject {
    const filters = Array.isArray(input.Filters) ? input.Filters.filter(isPlainObject) : [];
    const matchers = filters.map((f) => {
      const condition = typeof f.Condition === 'string' ? f.Condition : DEFAULT_FILTER_CONDITION;
      const values = Array.isArray(f.Values) ? f.Values.map(String) : [];
      checkServiceFilter(f.Name, condition, values);
      const value = values[0]!;
      if (f.Name === 'RESOURCE_OWNER') {
        // Only the caller's own namespaces are emulated (no sharing): every service is SELF.
        return () => value === 'SELF';
      }
      // NAMESPACE_ID: "Specify one namespace ID or ARN."
      return (s: CloudMapService) =>
        s.namespaceId === value || this.namespaces.get(s.namespaceId)?.arn === value;
    });
    const max = typeof input.MaxResults === 'number' ? input.MaxResults : DEFAULT_MAX_RESULTS;
    const all = [...this.services.values()]
      .filter((s) => s.account === ctx.account)
      .sort((a, b) => compareStrings(a.id, b.id));
    const page = paginate(
      all,
      (s) => s.id,
      max,
      typeof input.NextToken === 'string' ? input.NextToken : undefined,
    );
    if (!page) throw serviceDiscoveryErrors.invalidInput('Invalid NextToken.');
    return {
      Services: page.items
        .filter((s) => matchers.every((m) => m(s)))
        .map((s) => ({
          Id: s.id,
          Arn: s.arn,
          ResourceOwner: s.account,
          Name: s.name,
          // Service Connect discovers through the Cloud Map API only (no DNS records): an HTTP service.
          Type: 'HTTP',
          InstanceCount: 0,
          CreateDate: s.createDate,
          CreatedByAccount: s.account,
        })),
      ...(page.nextToken ? { NextToken: page.nextToken } : {}),
    };
  }

  private deleteNamespace(input: JsonObject, ctx: CallContext): JsonObject {
    const ns = this.byId(String(input.Id), ctx);
    if (this.serviceCount(ns) > 0) throw serviceDiscoveryErrors.resourceInUse(NAMESPACE_IN_USE);
    this.namespaces.delete(ns.id);
    return { OperationId: this.startOperation(ctx.account, 'DELETE_NAMESPACE', ns.id).id };
  }

  private getOperation(input: JsonObject, ctx: CallContext): JsonObject {
    const op = this.operations.get(String(input.OperationId));
    if (!op || op.account !== ctx.account)
      throw serviceDiscoveryErrors.operationNotFound(`Operation not found: ${String(input.OperationId)}`);
    const done = Date.now() >= op.doneAt;
    return {
      Operation: {
        Id: op.id,
        OwnerAccount: op.account,
        Type: op.type,
        Status: done ? 'SUCCESS' : 'PENDING',
        CreateDate: op.createDate,
        UpdateDate: done ? op.doneAt / 1000 : op.createDate,
        Targets: { NAMESPACE: op.namespaceId },
      },
    };
  }
}
