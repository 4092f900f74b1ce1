/**
 * App Mesh semantics over validated inputs: meshes and their six child kinds, ARNs and metadata, clientToken
 * idempotency, references (NotFound at create/update, ResourceInUse at delete), quotas, tags and shared meshes.
 * State is in memory; every method returns the operation's output members or throws a ServiceError.
 */
import { randomUUID } from 'node:crypto';
import { appMeshErrors } from '../errors';
import type { AppMeshResourceSnapshot, EmulatorSnapshot, TagSnapshot } from '../types';
import {
  cloneJson,
  compareStrings,
  isPlainObject,
  type JsonObject,
  nowEpochSeconds,
  paginate,
  stableStringify,
} from '../util';
import { applySpecDefaults } from './defaults';
import { KINDS, type Kind, parseResourceOperation } from './kinds';
import { APP_MESH_QUOTAS } from './quotas';
import {
  checkClientToken,
  checkGatewayRouteFitsGateway,
  checkGatewayRouteTargetPort,
  checkResourceName,
  checkRouteFitsRouter,
  checkVirtualGatewaySpec,
  checkVirtualNodeSpec,
  describeKind,
  referencesOf,
} from './rules';

export interface CallContext {
  /** The calling account (from the request's credentials). */
  readonly account: string;
}

interface TagRef {
  key: string;
  value: string;
}

interface Resource {
  readonly kind: Kind;
  readonly meshOwner: string;
  readonly meshName: string;
  readonly parentName?: string;
  readonly name: string;
  readonly arn: string;
  readonly uid: string;
  readonly createdAt: number;
  readonly resourceOwner: string;
  version: number;
  lastUpdatedAt: number;
  spec: JsonObject;
  tags: TagRef[];
}

/** Default page size of every App Mesh List operation ("returns up to 100 results and a nextToken"). */
const DEFAULT_LIST_LIMIT = 100;

function text(input: JsonObject, member: string): string {
  const value = input[member];
  if (typeof value !== 'string') throw new Error(`emulator bug: ${member} is not a validated string`);
  return value;
}

function optionalText(input: JsonObject, member: string): string | undefined {
  const value = input[member];
  return typeof value === 'string' ? value : undefined;
}

function tagsOf(value: unknown): TagRef[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isPlainObject).map((t) => ({ key: String(t.key), value: String(t.value) }));
}

/** Adds tags, a key given again replacing its value (TagResource semantics; also used for create). */
function mergeTags(existing: readonly TagRef[], incoming: readonly TagRef[]): TagRef[] {
  const merged = new Map(existing.map((t) => [t.key, t.value]));
  for (const tag of incoming) merged.set(tag.key, tag.value);
  return [...merged].map(([key, value]) => ({ key, value }));
}

export class AppMeshService {
  private readonly resources = new Map<string, Resource>();
  private readonly shares = new Map<string, Set<string>>();
  private readonly idempotency = new Map<string, { fingerprint: string; output: JsonObject }>();

  constructor(
    private readonly region: string,
    private readonly partition: string,
  ) {}

  handle(operation: string, input: JsonObject, ctx: CallContext): JsonObject {
    switch (operation) {
      case 'TagResource':
        return this.tagResource(input, ctx);
      case 'UntagResource':
        return this.untagResource(input, ctx);
      case 'ListTagsForResource':
        return this.listTags(input, ctx);
    }
    const parsed = parseResourceOperation(operation);
    if (!parsed) throw new Error(`emulator bug: no App Mesh handler for ${operation}`);
    const { verb, kind } = parsed;
    switch (verb) {
      case 'Create':
        return this.idempotent(operation, input, ctx, () => this.create(kind, input, ctx));
      case 'Update':
        return this.idempotent(operation, input, ctx, () => this.update(kind, input, ctx));
      case 'Describe':
        return { [kind]: this.dataOf(this.resolve(kind, input, ctx), 'ACTIVE') };
      case 'Delete':
        return this.delete(kind, input, ctx);
      case 'List':
        return this.list(kind, input, ctx);
    }
  }

  /** Simulates AWS RAM sharing the mesh (owner, name) with another account. */
  shareMesh(meshName: string, ownerAccountId: string, withAccountId: string): void {
    const arn = this.arnOf(ownerAccountId, meshName, 'mesh', meshName);
    if (!this.resources.has(arn))
      throw new Error(`shareMesh: mesh ${meshName} owned by ${ownerAccountId} does not exist`);
    const accounts = this.shares.get(arn) ?? new Set<string>();
    accounts.add(withAccountId);
    this.shares.set(arn, accounts);
  }

  /**
   * Simulates the owner removing the mesh from its RAM resource share with `withAccountId`: App Mesh "disables further
   * access to the mesh by former consumers" but keeps their resources, which only the owner can then see and delete.
   * A former consumer's calls answer as for a mesh never shared with it (requireMesh, resourceByArn).
   */
  unshareMesh(meshName: string, ownerAccountId: string, withAccountId: string): void {
    const arn = this.arnOf(ownerAccountId, meshName, 'mesh', meshName);
    const accounts = this.shares.get(arn);
    accounts?.delete(withAccountId);
    if (accounts?.size === 0) this.shares.delete(arn);
  }

  reset(): void {
    this.resources.clear();
    this.shares.clear();
    this.idempotency.clear();
  }

  /** Every tagged resource, for the Resource Groups Tagging API (read in place: a snapshot would copy every spec). */
  *tagged(): Iterable<{ arn: string; owner: string; tags: readonly TagSnapshot[] }> {
    for (const r of this.resources.values())
      if (r.tags.length) yield { arn: r.arn, owner: r.resourceOwner, tags: r.tags };
  }

  snapshot(): EmulatorSnapshot['appmesh'] {
    const byKind = (kind: Kind): AppMeshResourceSnapshot[] =>
      [...this.resources.values()]
        .filter((r) => r.kind === kind)
        .sort((a, b) => compareStrings(a.arn, b.arn))
        .map((r) => ({
          ...(this.dataOf(r, 'ACTIVE') as AppMeshResourceSnapshot),
          tags: r.tags.map((t) => ({ ...t })),
        }));
    return {
      meshes: byKind('mesh'),
      virtualNodes: byKind('virtualNode'),
      virtualServices: byKind('virtualService'),
      virtualRouters: byKind('virtualRouter'),
      routes: byKind('route'),
      virtualGateways: byKind('virtualGateway'),
      gatewayRoutes: byKind('gatewayRoute'),
      shares: [...this.shares].map(([meshArn, accounts]) => ({ meshArn, accountIds: [...accounts].sort() })),
    };
  }

  // --- identity and lookup -------------------------------------------------------------------------------------

  /** `arn:aws:appmesh:<region>:<mesh owner>:mesh/<mesh>[/<kind>/<name> | /<parentKind>/<parent>/<kind>/<name>]` */
  private arnOf(meshOwner: string, meshName: string, kind: Kind, name: string, parentName?: string): string {
    const mesh = `arn:${this.partition}:appmesh:${this.region}:${meshOwner}:mesh/${meshName}`;
    if (kind === 'mesh') return mesh;
    const parent = KINDS[kind].parent;
    return parent ? `${mesh}/${parent}/${parentName}/${kind}/${name}` : `${mesh}/${kind}/${name}`;
  }

  private canAccessMesh(meshArn: string, meshOwner: string, account: string): boolean {
    return meshOwner === account || this.shares.get(meshArn)?.has(account) === true;
  }

  /** The mesh the call addresses: `meshOwner` defaults to the caller; a foreign mesh must be shared with the caller. */
  private requireMesh(ctx: CallContext, meshName: string, meshOwner: string | undefined): Resource {
    const owner = meshOwner ?? ctx.account;
    const arn = this.arnOf(owner, meshName, 'mesh', meshName);
    const mesh = this.resources.get(arn);
    if (!mesh || !this.canAccessMesh(arn, owner, ctx.account)) {
      const whose =
        owner === ctx.account ? '' : ` owned by account ${owner} (or it is not shared with ${ctx.account})`;
      throw appMeshErrors.notFound(`Mesh '${meshName}'${whose} not found.`);
    }
    return mesh;
  }

  private requireChild(kind: Kind, mesh: Resource, name: string, parentName?: string): Resource {
    const found = this.resources.get(this.arnOf(mesh.meshOwner, mesh.meshName, kind, name, parentName));
    if (!found) {
      const under =
        parentName === undefined ? '' : ` under ${describeKind(KINDS[kind].parent ?? kind)} '${parentName}'`;
      throw appMeshErrors.notFound(
        `${KINDS[kind].label} '${name}'${under} not found in mesh '${mesh.meshName}'.`,
      );
    }
    return found;
  }

  /** The resource an input addresses (mesh, then parent, then the resource: the first missing one is reported). */
  private resolve(kind: Kind, input: JsonObject, ctx: CallContext): Resource {
    const mesh = this.requireMesh(ctx, text(input, 'meshName'), optionalText(input, 'meshOwner'));
    if (kind === 'mesh') return mesh;
    const info = KINDS[kind];
    const parentName = info.parent ? text(input, KINDS[info.parent].nameMember) : undefined;
    if (info.parent && parentName !== undefined) this.requireChild(info.parent, mesh, parentName);
    return this.requireChild(kind, mesh, text(input, info.nameMember), parentName);
  }

  private childrenOf(mesh: Resource, kind: Kind, parentName?: string): Resource[] {
    return [...this.resources.values()].filter(
      (r) =>
        r.kind === kind &&
        r.meshOwner === mesh.meshOwner &&
        r.meshName === mesh.meshName &&
        (parentName === undefined || r.parentName === parentName),
    );
  }

  // --- operations ----------------------------------------------------------------------------------------------

  /** clientToken: a retried create/update with the same token and input returns the first result. */
  private idempotent(
    operation: string,
    input: JsonObject,
    ctx: CallContext,
    run: () => JsonObject,
  ): JsonObject {
    const token = input.clientToken;
    checkClientToken(token);
    if (typeof token !== 'string') return run();
    const key = `${ctx.account}\u0000${operation}\u0000${token}`;
    const fingerprint = stableStringify({ ...input, clientToken: undefined });
    const previous = this.idempotency.get(key);
    if (previous) {
      if (previous.fingerprint !== fingerprint) {
        throw appMeshErrors.conflict(
          `clientToken '${token}' was already used for a different ${operation} request; use a new token for a new request.`,
        );
      }
      return cloneJson(previous.output);
    }
    const output = run();
    this.idempotency.set(key, { fingerprint, output: cloneJson(output) });
    return output;
  }

  private create(kind: Kind, input: JsonObject, ctx: CallContext): JsonObject {
    const info = KINDS[kind];
    const name = text(input, info.nameMember);
    checkResourceName(name, info.nameMember);
    const mesh =
      kind === 'mesh'
        ? undefined
        : this.requireMesh(ctx, text(input, 'meshName'), optionalText(input, 'meshOwner'));
    const meshOwner = mesh?.meshOwner ?? ctx.account;
    const meshName = mesh?.meshName ?? name;
    const parentName = info.parent ? text(input, KINDS[info.parent].nameMember) : undefined;
    const parent =
      mesh && info.parent && parentName !== undefined
        ? this.requireChild(info.parent, mesh, parentName)
        : undefined;
    const arn = this.arnOf(meshOwner, meshName, kind, name, parentName);
    if (this.resources.has(arn)) {
      const where = kind === 'mesh' ? '' : ` in mesh '${meshName}'`;
      throw appMeshErrors.conflict(`${info.label} '${name}' already exists${where}.`);
    }
    const spec = isPlainObject(input.spec) ? input.spec : {};
    if (mesh) {
      this.checkSpec(kind, name, spec, mesh, parent);
      this.checkCreateQuota(kind, mesh, parentName);
    }
    const now = nowEpochSeconds();
    const resource: Resource = {
      kind,
      meshOwner,
      meshName,
      parentName,
      name,
      arn,
      uid: randomUUID(),
      createdAt: now,
      lastUpdatedAt: now,
      version: 1,
      resourceOwner: ctx.account,
      spec: applySpecDefaults(kind, cloneJson(spec)),
      tags: mergeTags([], tagsOf(input.tags)),
    };
    this.resources.set(arn, resource);
    return { [kind]: this.dataOf(resource, 'ACTIVE') };
  }

  private update(kind: Kind, input: JsonObject, ctx: CallContext): JsonObject {
    const resource = this.resolve(kind, input, ctx);
    this.requireResourceOwner(resource, ctx, 'update');
    const spec = isPlainObject(input.spec) ? input.spec : {};
    if (kind !== 'mesh') {
      const mesh = this.requireMesh(ctx, resource.meshName, resource.meshOwner);
      const info = KINDS[kind];
      const parent =
        info.parent && resource.parentName !== undefined
          ? this.requireChild(info.parent, mesh, resource.parentName)
          : undefined;
      this.checkSpec(kind, resource.name, spec, mesh, parent);
    }
    resource.spec = applySpecDefaults(kind, cloneJson(spec));
    resource.version += 1;
    resource.lastUpdatedAt = Math.max(nowEpochSeconds(), resource.lastUpdatedAt);
    return { [kind]: this.dataOf(resource, 'ACTIVE') };
  }

  private delete(kind: Kind, input: JsonObject, ctx: CallContext): JsonObject {
    const resource = this.resolve(kind, input, ctx);
    this.requireResourceOwner(resource, ctx, 'delete');
    const blockers = this.blockersOf(resource);
    if (blockers.length > 0) {
      const shown = blockers.slice(0, 5).join(', ');
      const more = blockers.length > 5 ? ` and ${blockers.length - 5} more` : '';
      throw appMeshErrors.resourceInUse(
        `${KINDS[kind].label} '${resource.name}' cannot be deleted because it is in use by ${shown}${more}. ` +
          'Delete or update those first.',
      );
    }
    this.resources.delete(resource.arn);
    if (kind === 'mesh') this.shares.delete(resource.arn);
    return { [kind]: this.dataOf(resource, 'DELETED') };
  }

  private list(kind: Kind, input: JsonObject, ctx: CallContext): JsonObject {
    const info = KINDS[kind];
    let items: Resource[];
    if (kind === 'mesh') {
      items = [...this.resources.values()].filter(
        (r) => r.kind === 'mesh' && this.canAccessMesh(r.arn, r.meshOwner, ctx.account),
      );
    } else {
      const mesh = this.requireMesh(ctx, text(input, 'meshName'), optionalText(input, 'meshOwner'));
      const parentName = info.parent ? text(input, KINDS[info.parent].nameMember) : undefined;
      if (info.parent && parentName !== undefined) this.requireChild(info.parent, mesh, parentName);
      items = this.childrenOf(mesh, kind, parentName);
    }
    items.sort((a, b) => compareStrings(a.arn, b.arn));
    const limit = typeof input.limit === 'number' ? input.limit : DEFAULT_LIST_LIMIT;
    const page = paginate(items, (r) => r.arn, limit, optionalText(input, 'nextToken'));
    if (!page)
      throw appMeshErrors.badRequest(
        'The nextToken is not valid: pass the value a previous List call returned.',
      );
    return { [info.listMember]: page.items.map((r) => this.refOf(r)), nextToken: page.nextToken };
  }

  // --- rules ---------------------------------------------------------------------------------------------------

  /** Spec rules the model cannot express (BadRequest), then references (NotFound), then per-spec quotas. */
  private checkSpec(
    kind: Kind,
    name: string,
    spec: JsonObject,
    mesh: Resource,
    parent: Resource | undefined,
  ): void {
    if (kind === 'virtualNode') checkVirtualNodeSpec(spec);
    if (kind === 'virtualGateway') checkVirtualGatewaySpec(spec);
    if (kind === 'route' && parent) checkRouteFitsRouter(name, spec, parent.name, parent.spec);
    if (kind === 'gatewayRoute' && parent) checkGatewayRouteFitsGateway(name, spec, parent.name, parent.spec);
    if (kind === 'virtualRouter') {
      // An update may not take away the listener (protocol, or single port) existing routes rely on.
      for (const route of this.childrenOf(mesh, 'route', name))
        checkRouteFitsRouter(route.name, route.spec, name, spec);
    }
    if (kind === 'virtualGateway') {
      for (const route of this.childrenOf(mesh, 'gatewayRoute', name))
        checkGatewayRouteFitsGateway(route.name, route.spec, name, spec);
    }
    for (const ref of referencesOf(kind, spec)) {
      if (!this.resources.has(this.arnOf(mesh.meshOwner, mesh.meshName, ref.kind, ref.name))) {
        throw appMeshErrors.notFound(
          `${KINDS[ref.kind].label} '${ref.name}' referenced at ${ref.path} does not exist in mesh '${mesh.meshName}'.`,
        );
      }
    }
    if (kind === 'gatewayRoute') this.checkTargetPort(name, spec, mesh);
    if (
      kind === 'virtualNode' &&
      Array.isArray(spec.backends) &&
      spec.backends.length > APP_MESH_QUOTAS.backendsPerVirtualNode
    ) {
      throw appMeshErrors.limitExceeded(
        `Virtual node '${name}' has ${spec.backends.length} backends; the limit is ${APP_MESH_QUOTAS.backendsPerVirtualNode} backends per virtual node.`,
      );
    }
  }

  /** A gateway route's target port against the listeners of its target virtual service's provider. */
  private checkTargetPort(routeName: string, spec: JsonObject, mesh: Resource): void {
    const target = referencesOf('gatewayRoute', spec).find((r) => r.kind === 'virtualService');
    if (!target) return;
    const service = this.resources.get(
      this.arnOf(mesh.meshOwner, mesh.meshName, 'virtualService', target.name),
    );
    const provider = isPlainObject(service?.spec.provider) ? service.spec.provider : undefined;
    for (const kind of ['virtualNode', 'virtualRouter'] as const) {
      const ref = isPlainObject(provider?.[kind]) ? provider[kind] : undefined;
      const name = ref?.[KINDS[kind].nameMember];
      if (typeof name !== 'string') continue;
      const resource = this.resources.get(this.arnOf(mesh.meshOwner, mesh.meshName, kind, name));
      if (!resource) continue;
      checkGatewayRouteTargetPort({
        routeName,
        routeSpec: spec,
        providerLabel: kind === 'virtualNode' ? 'virtual node' : 'virtual router',
        providerName: name,
        providerSpec: resource.spec,
      });
    }
  }

  private checkCreateQuota(kind: Kind, mesh: Resource, parentName: string | undefined): void {
    const limits: Partial<Record<Kind, { limit: number; scope: string }>> = {
      virtualNode: { limit: APP_MESH_QUOTAS.virtualNodesPerMesh, scope: 'virtual nodes per mesh' },
      virtualService: { limit: APP_MESH_QUOTAS.virtualServicesPerMesh, scope: 'virtual services per mesh' },
      virtualRouter: { limit: APP_MESH_QUOTAS.virtualRoutersPerMesh, scope: 'virtual routers per mesh' },
      route: { limit: APP_MESH_QUOTAS.routesPerVirtualRouter, scope: 'routes per virtual router' },
    };
    const quota = limits[kind];
    if (quota && this.childrenOf(mesh, kind, parentName).length >= quota.limit) {
      throw appMeshErrors.limitExceeded(
        `Cannot create ${describeKind(kind)}: the limit of ${quota.limit} ${quota.scope} is reached in mesh '${mesh.meshName}'.`,
      );
    }
  }

  /** In a shared mesh each account may change only the resources it owns. */
  private requireResourceOwner(resource: Resource, ctx: CallContext, action: string): void {
    if (resource.resourceOwner !== ctx.account) {
      throw appMeshErrors.forbidden(
        `Account ${ctx.account} cannot ${action} ${describeKind(resource.kind)} '${resource.name}': it is owned by account ${resource.resourceOwner}.`,
      );
    }
  }

  /** What keeps a resource from being deleted: children, and specs that refer to it. */
  private blockersOf(target: Resource): string[] {
    const blockers: string[] = [];
    for (const other of this.resources.values()) {
      if (other === target || other.meshOwner !== target.meshOwner || other.meshName !== target.meshName)
        continue;
      const label = `${describeKind(other.kind)} '${other.name}'`;
      if (target.kind === 'mesh') {
        blockers.push(label);
      } else if (KINDS[other.kind].parent === target.kind && other.parentName === target.name) {
        blockers.push(label);
      } else {
        for (const ref of referencesOf(other.kind, other.spec)) {
          if (ref.kind === target.kind && ref.name === target.name) blockers.push(`${label} (${ref.path})`);
        }
      }
    }
    return blockers;
  }

  // --- tags ----------------------------------------------------------------------------------------------------

  private resourceByArn(input: JsonObject, ctx: CallContext): Resource {
    const arn = text(input, 'resourceArn');
    const resource = this.resources.get(arn);
    if (
      !resource ||
      !this.canAccessMesh(
        this.arnOf(resource.meshOwner, resource.meshName, 'mesh', resource.meshName),
        resource.meshOwner,
        ctx.account,
      )
    ) {
      throw appMeshErrors.notFound(`Resource '${arn}' not found.`);
    }
    return resource;
  }

  private tagResource(input: JsonObject, ctx: CallContext): JsonObject {
    const resource = this.resourceByArn(input, ctx);
    this.requireResourceOwner(resource, ctx, 'tag');
    const merged = mergeTags(resource.tags, tagsOf(input.tags));
    if (merged.length > APP_MESH_QUOTAS.tagsPerResource) {
      throw appMeshErrors.tooManyTags(
        `Resource '${resource.arn}' would have ${merged.length} tags; the limit is ${APP_MESH_QUOTAS.tagsPerResource}.`,
      );
    }
    resource.tags = merged;
    return {};
  }

  private untagResource(input: JsonObject, ctx: CallContext): JsonObject {
    const resource = this.resourceByArn(input, ctx);
    this.requireResourceOwner(resource, ctx, 'untag');
    const keys = new Set(Array.isArray(input.tagKeys) ? input.tagKeys.map(String) : []);
    resource.tags = resource.tags.filter((t) => !keys.has(t.key));
    return {};
  }

  private listTags(input: JsonObject, ctx: CallContext): JsonObject {
    const resource = this.resourceByArn(input, ctx);
    const sorted = [...resource.tags].sort((a, b) => compareStrings(a.key, b.key));
    const limit = typeof input.limit === 'number' ? input.limit : DEFAULT_LIST_LIMIT;
    const page = paginate(sorted, (t) => t.key, limit, optionalText(input, 'nextToken'));
    if (!page)
      throw appMeshErrors.badRequest(
        'The nextToken is not valid: pass the value a previous List call returned.',
      );
    return {
      tags: page.items.map((t): TagSnapshot => ({ key: t.key, value: t.value })),
      nextToken: page.nextToken,
    };
  }

  // --- output shapes -------------------------------------------------------------------------------------------

  /** MeshData / VirtualNodeData / … as Describe returns them. */
  private dataOf(r: Resource, status: 'ACTIVE' | 'DELETED'): JsonObject {
    const info = KINDS[r.kind];
    const data: JsonObject = {
      meshName: r.meshName,
      metadata: {
        arn: r.arn,
        uid: r.uid,
        version: r.version,
        createdAt: r.createdAt,
        lastUpdatedAt: r.lastUpdatedAt,
        meshOwner: r.meshOwner,
        resourceOwner: r.resourceOwner,
      },
      spec: cloneJson(r.spec),
      status: { status },
    };
    if (r.kind !== 'mesh') data[info.nameMember] = r.name;
    if (info.parent) data[KINDS[info.parent].nameMember] = r.parentName;
    return data;
  }

  /** MeshRef / VirtualNodeRef / … as List returns them. */
  private refOf(r: Resource): JsonObject {
    const info = KINDS[r.kind];
    const ref: JsonObject = {
      arn: r.arn,
      createdAt: r.createdAt,
      lastUpdatedAt: r.lastUpdatedAt,
      meshName: r.meshName,
      meshOwner: r.meshOwner,
      resourceOwner: r.resourceOwner,
      version: r.version,
    };
    if (r.kind !== 'mesh') ref[info.nameMember] = r.name;
    if (info.parent) ref[KINDS[info.parent].nameMember] = r.parentName;
    return ref;
  }
}
