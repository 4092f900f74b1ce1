/**
 * The declarative reconcile, shared by Create, Update and Delete (Delete is reconcile with nothing desired):
 * observe what exists under the names involved, plan (pure) what to create, update, retag and delete, then execute
 * level by level — creates and updates in dependency order, deletions in reverse — with the calls of a level in
 * parallel, so wall time follows the dependency depth rather than the number of resources.
 */
import { createHash } from 'node:crypto';
import { errorName, isDefinitiveRefusal } from '../aws/call';
import { OwnershipError } from '../errors';
import type { Logger } from '../log';
import { type KeyValue, type Owner, type Ownership, ownershipOf, TAG, tagChanges } from '../ownership';
import { settleAll } from '../util';
import type { ExistingResource, MeshApi } from './api';
import {
  CREATE_LEVELS,
  DELETE_LEVELS,
  type DesiredResource,
  describeKey,
  type Kind,
  keyId,
  type ResourceKey,
  type Spec,
} from './desired';
import { type Difference, specDiff } from './equality';

export interface Observed {
  readonly key: ResourceKey;
  readonly existing?: ExistingResource;
  readonly tags: readonly KeyValue[];
  readonly ownership?: Ownership;
}

/**
 * Describes every key with its tags and ownership, in one round trip: ARNs are computable (`arnOf`), so Describe,
 * ListTagsForResource and, for routers, ListRoutes go out together. Routes found under a router of ours that no key
 * names (left by an earlier, interrupted update) are read in a second round trip, only when there are any.
 */
export async function observe(
  api: MeshApi,
  keys: readonly ResourceKey[],
  owner: Owner,
  arnOf: (key: ResourceKey) => string,
): Promise<Map<string, Observed>> {
  const out = new Map<string, Observed>();
  const routesOf = new Map<string, string[]>();
  const visit = async (key: ResourceKey): Promise<void> => {
    const id = keyId(key);
    if (out.has(id)) return;
    out.set(id, { key, tags: [] });
    const [existing, tags] = await Promise.all([
      api.describe(key),
      api.listTags(arnOf(key)),
      key.kind === 'virtualRouter'
        ? api.listRoutes(key.name).then((routes) => routesOf.set(key.name, routes))
        : undefined,
    ]);
    // Missing, or deleted between the two calls: missing.
    if (!existing || tags === undefined) return;
    out.set(id, { key, existing, tags, ownership: ownershipOf(tags, owner) });
  };
  await Promise.all(dedupe(keys).map(visit));
  const unnamed = [...routesOf].flatMap(([router, routes]) =>
    out.get(keyId({ kind: 'virtualRouter', name: router }))?.ownership?.kind === 'foreign'
      ? []
      : routes
          .map((name) => ({ kind: 'route' as const, name, parent: router }))
          .filter((k) => !out.has(keyId(k))),
  );
  await Promise.all(unnamed.map(visit));
  return out;
}

function dedupe(keys: readonly ResourceKey[]): ResourceKey[] {
  const seen = new Map<string, ResourceKey>();
  for (const k of keys) seen.set(keyId(k), k);
  return [...seen.values()];
}

export type Action =
  | {
      readonly op: 'create';
      readonly key: ResourceKey;
      readonly spec: Spec;
      readonly tags: readonly KeyValue[];
    }
  | {
      readonly op: 'update';
      readonly key: ResourceKey;
      readonly arn: string;
      readonly spec?: Spec;
      readonly diff: readonly Difference[];
      readonly tag: readonly KeyValue[];
      readonly untag: readonly string[];
    }
  | {
      readonly op: 'delete';
      readonly key: ResourceKey;
      readonly arn: string;
      /** `before`: must go before the creates and updates (a route whose type changes, say). */
      readonly phase: 'before' | 'after';
    };

export interface Plan {
  readonly actions: readonly Action[];
  /** ARNs of every desired resource that already exists (for attributes of unchanged resources). */
  readonly existingArns: ReadonlyMap<string, string>;
}

const ROUTE_TYPES = ['httpRoute', 'http2Route', 'grpcRoute', 'tcpRoute'] as const;
const routeType = (spec: Spec | undefined) =>
  ROUTE_TYPES.find((t) => (spec as Record<string, unknown> | undefined)?.[t]);
const listenerProtocol = (spec: Spec | undefined) =>
  (spec as { listeners?: { portMapping?: { protocol?: string } }[] } | undefined)?.listeners?.[0]?.portMapping
    ?.protocol;

/**
 * Pure: what to do to get from the observed state to the desired one. Throws OwnershipError, before any change,
 * when a desired name is held by a resource this physical id does not own.
 *
 * App Mesh cannot change a route's type in place, and refuses a router listener whose protocol its routes do not
 * match; so when the protocol changes, the routes concerned are deleted first and created again after.
 */
export function plan(
  desired: readonly DesiredResource[],
  observed: ReadonlyMap<string, Observed>,
  removableTagKeys: readonly string[],
): Plan {
  const actions: Action[] = [];
  const existingArns = new Map<string, string>();
  const conflicts: string[] = [];
  const recreate = new Set<string>();
  // Leftovers of an earlier attempt of this resource are treated as its own: adopted under a desired name, else removed.
  const ours = [...observed.values()].filter(
    (o) => o.existing && (o.ownership?.kind === 'ours' || o.ownership?.kind === 'leftover'),
  );

  for (const d of desired) {
    const o = observed.get(keyId(d.key));
    if (o?.existing && o.ownership?.kind === 'foreign') {
      conflicts.push(`${describeKey(d.key)} already exists and is ${o.ownership.description}`);
    }
    if (!o?.existing || o.ownership?.kind === 'foreign') continue;
    if (d.key.kind === 'virtualRouter' && listenerProtocol(o.existing.spec) !== listenerProtocol(d.spec)) {
      for (const r of ours)
        if (r.key.kind === 'route' && r.key.parent === d.key.name) recreate.add(keyId(r.key));
    }
    if (
      (d.key.kind === 'route' || d.key.kind === 'gatewayRoute') &&
      routeType(o.existing.spec) !== routeType(d.spec)
    ) {
      recreate.add(keyId(d.key));
    }
  }
  if (conflicts.length) {
    throw new OwnershipError(
      `${conflicts.join('; ')}. It was left untouched; rename this service or remove the other.`,
    );
  }

  const desiredIds = new Set(desired.map((d) => keyId(d.key)));
  for (const d of desired) {
    const id = keyId(d.key);
    const o = observed.get(id);
    if (!o?.existing || recreate.has(id)) {
      actions.push({ op: 'create', key: d.key, spec: d.spec, tags: d.tags });
      continue;
    }
    existingArns.set(id, o.existing.arn);
    const diff = specDiff(d.spec, o.existing.spec);
    const { tag, untag } = tagChanges(o.tags, d.tags, removableTagKeys);
    if (diff.length || tag.length || untag.length) {
      actions.push({
        op: 'update',
        key: d.key,
        arn: o.existing.arn,
        ...(diff.length ? { spec: d.spec } : {}),
        diff,
        tag,
        untag,
      });
    }
  }
  for (const o of ours) {
    const id = keyId(o.key);
    if (recreate.has(id)) actions.push({ op: 'delete', key: o.key, arn: o.existing!.arn, phase: 'before' });
    else if (!desiredIds.has(id))
      actions.push({ op: 'delete', key: o.key, arn: o.existing!.arn, phase: 'after' });
  }
  return { actions, existingArns };
}

/**
 * What a fresh apply's own calls created, so that a failure removes exactly that: never a resource it found and
 * adopted, and never a name another stack took first (a create refused with ConflictException created nothing).
 */
export class Journal {
  /** Creates this invocation's call completed. */
  readonly created: ResourceKey[] = [];
  /** Creates with no definite answer (no response, a 5xx): they may have taken effect. */
  readonly uncertain: ResourceKey[] = [];
}

export interface ExecuteOptions {
  readonly api: MeshApi;
  readonly log: Logger;
  /**
   * Identifies this invocation; client tokens derive from it. Not from CloudFormation's RequestId: App Mesh answers
   * a reused token with its first result even after that resource was deleted, so a delivery that follows another
   * one's failure and cleanup would be told that resources exist that do not. Two deliveries running at once instead
   * meet as a ConflictException, which `create` resolves by reading the resource back (see `adopt`).
   */
  readonly invocationId: string;
  /** The owner: a resource found under a name being created is taken over only when it is the owner's. */
  readonly owner: Owner;
  readonly journal?: Journal;
  /** Called when the creates and updates of each level are done (the virtual nodes exist after the first). */
  readonly onForwardLevel?: (kinds: readonly Kind[]) => void;
}

const byLevel = (actions: readonly Action[], levels: readonly (readonly Kind[])[]) =>
  levels.map((kinds) => actions.filter((a) => kinds.includes(a.key.kind)));

/** Runs a plan: early deletions, creates/updates by level, then deletions by reverse level. Returns ARNs touched. */
export async function execute(p: Plan, options: ExecuteOptions): Promise<Map<string, string>> {
  const { api, log } = options;
  const arns = new Map(p.existingArns);
  // The SDK's retries of one call share its token; another invocation gets new ones.
  const token = (op: string, key: ResourceKey, spec: unknown) =>
    createHash('sha256')
      .update(`${options.invocationId}|${op}|${keyId(key)}|${JSON.stringify(spec)}`)
      .digest('hex')
      .slice(0, 32);

  /**
   * The name was taken while this request ran. Another delivery of the same request (the same owner) created it:
   * converge on it — bring it to the desired spec and tags — without counting it as ours to undo. Anyone else's
   * is left untouched and the request fails naming the owner.
   */
  const adopt = async (a: Extract<Action, { op: 'create' }>, conflict: unknown): Promise<void> => {
    const existing = await api.describe(a.key);
    const tags = existing && (await api.listTags(existing.arn));
    const ownership = tags && ownershipOf(tags, options.owner);
    if (!existing || !tags || ownership?.kind === 'foreign') {
      throw new OwnershipError(
        `${describeKey(a.key)} was created by ${
          ownership?.kind === 'foreign' ? ownership.description.replace(/^owned by /, '') : 'someone else'
        } while this request ran; it was left untouched. Rename this service or remove the other.`,
        { cause: conflict },
      );
    }
    log.info('created meanwhile by another delivery of this request; converging on it', {
      resource: describeKey(a.key),
    });
    // First the marker, so that the other delivery's cleanup (if it fails) finds it before deleting.
    const change = tagChanges(tags, [...a.tags, { key: TAG.adoptedBy, value: options.invocationId }], []);
    if (change.tag.length) await api.tag(existing.arn, change.tag);
    const diff = specDiff(a.spec, existing.spec);
    if (diff.length) await api.update(a.key, a.spec, token('update', a.key, a.spec));
    arns.set(keyId(a.key), existing.arn);
  };

  const run = async (a: Action): Promise<void> => {
    if (a.op === 'create') {
      log.info('creating', { resource: describeKey(a.key) });
      let created: ExistingResource;
      try {
        created = await api.create(a.key, a.spec, a.tags, token('create', a.key, a.spec));
      } catch (error) {
        if (errorName((error as { cause?: unknown }).cause) === 'ConflictException') return adopt(a, error);
        // No answer may still mean created (the response was lost): the undo reads it back before deleting.
        if (!isDefinitiveRefusal(error)) options.journal?.uncertain.push(a.key);
        throw error;
      }
      options.journal?.created.push(a.key);
      arns.set(keyId(a.key), created.arn);
    } else if (a.op === 'update') {
      if (a.spec) {
        log.info('updating', { resource: describeKey(a.key), diff: a.diff });
        const updated = await api.update(a.key, a.spec, token('update', a.key, a.spec));
        arns.set(keyId(a.key), updated.arn);
      }
      if (a.tag.length) {
        log.info('tagging', { resource: describeKey(a.key), keys: a.tag.map((t) => t.key) });
        await api.tag(a.arn, a.tag);
      }
      if (a.untag.length) {
        log.info('untagging', { resource: describeKey(a.key), keys: a.untag });
        await api.untag(a.arn, a.untag);
      }
    } else {
      log.info('deleting', { resource: describeKey(a.key) });
      await api.delete(a.key);
      arns.delete(keyId(a.key));
    }
  };

  const deletions = (phase: 'before' | 'after') =>
    p.actions.filter((a) => a.op === 'delete' && a.phase === phase);
  for (const level of byLevel(deletions('before'), DELETE_LEVELS)) await settleAll(level.map(run));
  const forward = p.actions.filter((a) => a.op !== 'delete');
  const levels = byLevel(forward, CREATE_LEVELS);
  for (const [i, level] of levels.entries()) {
    await settleAll(level.map(run));
    options.onForwardLevel?.(CREATE_LEVELS[i]!);
  }
  for (const level of byLevel(deletions('after'), DELETE_LEVELS)) await settleAll(level.map(run));
  return arns;
}

/**
 * Removes what a failed fresh apply created, children first. Each resource is read back first and deleted only when
 * it exists and its ownership tags are this owner's: never by name alone. Best effort: every deletion is attempted.
 */
export async function undoCreates(
  journal: Journal,
  options: {
    readonly api: MeshApi;
    readonly log: Logger;
    readonly owner: Owner;
    readonly invocationId: string;
  },
): Promise<string[]> {
  const problems: string[] = [];
  const candidates = dedupe([...journal.created, ...journal.uncertain]);
  for (const kinds of DELETE_LEVELS) {
    const keys = candidates.filter((k) => kinds.includes(k.kind));
    const results = await Promise.allSettled(
      keys.map(async (k) => {
        const existing = await options.api.describe(k);
        const tags = existing && (await options.api.listTags(existing.arn));
        if (!tags) return; // never created, or already gone
        const ownership = ownershipOf(tags, options.owner);
        if (ownership.kind !== 'ours') {
          options.log.warn('left alone after failed create: not ours', {
            resource: describeKey(k),
            owner: ownership.description,
          });
          return;
        }
        const adopter = tags.find((t) => t.key === TAG.adoptedBy)?.value;
        if (adopter !== undefined && adopter !== options.invocationId) {
          options.log.warn(
            'left alone after failed create: another delivery of this request converged on it',
            {
              resource: describeKey(k),
            },
          );
          return;
        }
        options.log.info('removing after failed create', { resource: describeKey(k) });
        await options.api.delete(k);
      }),
    );
    results.forEach((r, i) => {
      if (r.status === 'rejected') problems.push(`${describeKey(keys[i]!)}: ${(r.reason as Error).message}`);
    });
  }
  return problems;
}
