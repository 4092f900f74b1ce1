/**
 * The task-definition track every backend runs beside its own resources: each version's source revision checked,
 * transformed by the backend (App Mesh: the Envoy patch; Service Connect: the port named and App Mesh artefacts
 * stripped), registered per family, then the revisions that are neither current nor kept for a rollback
 * deregistered. How a backend *reads* its families stays its own (App Mesh finds its revisions through the record on
 * its virtual nodes, Service Connect reads a window of each family and keeps a ledger of retired families), and so
 * does the undo of a failed Create; what it registers and keeps goes through here. The revision lifecycle itself
 * (ownership, reuse, tags) is ecs/revisions.ts.
 */
import type { RegisterTaskDefinitionCommandInput, Tag } from '@aws-sdk/client-ecs';
import type { RequestContext } from '../backend';
import { TaskDefinitionError } from '../errors';
import type { CoreVersion } from '../model';
import { retiredFamiliesIn } from '../ownership';
import { checkSourceRevision } from '../policy';
import { settleAll, unique } from '../util';
import type { DescribedRevision, TaskDefinitionApi } from './api';
import {
  deregisterOwned,
  ensureRevision,
  type FamilyState,
  readFamily,
  registration,
  revisionsForInputKey,
  revisionsOfRequest,
} from './revisions';

/** The property a version's task definition comes from, as a template author writes it. */
export const taskDefinitionProperty = (version: CoreVersion, index: number): string =>
  version.name === undefined ? 'TaskDefinition' : `Versions[${index}].TaskDefinition`;

/**
 * Task definitions are read and registered in the provider's own account and Region. `verb` says what the backend
 * does to them ("patches", "prepares").
 */
export function checkTaskDefinitionRefs(
  versions: readonly CoreVersion[],
  ctx: RequestContext,
  verb: string,
): void {
  for (const v of versions) {
    const text = v.taskDefinition?.text ?? '';
    const arn = /^arn:[^:]+:ecs:([^:]+):(\d{12}):/.exec(text);
    if (arn && (arn[1] !== ctx.region || arn[2] !== ctx.accountId)) {
      throw new TaskDefinitionError(
        `TaskDefinition "${text}" is in ${arn[2]}/${arn[1]}, but the provider ${verb} task definitions of its own account and Region (${ctx.accountId}/${ctx.region}); register the task definition there`,
      );
    }
  }
}

/** One version on the track: its source and its transformed content (before the bookkeeping tags). */
export interface Prepared<V extends CoreVersion> {
  readonly version: V;
  /** `TaskDefinition` or `Versions[i].TaskDefinition`. */
  readonly property: string;
  readonly source: DescribedRevision;
  /** The backend's transform of the source, with the Tags property applied. */
  readonly patch: RegisterTaskDefinitionCommandInput;
}

/**
 * Each version with a TaskDefinition, from its source: the source checked against the trust policy (what `action`
 * the provider takes on it, for the message), transformed by the backend, and given the Tags property — which wins
 * over a source tag of the same key. Pure: the checks throw before any change.
 */
export function prepareVersions<V extends CoreVersion>(
  model: { readonly versions: readonly V[]; readonly tags: readonly { key: string; value: string }[] },
  sourceOf: (version: V) => DescribedRevision,
  transform: (version: V, source: DescribedRevision) => RegisterTaskDefinitionCommandInput,
  action: string,
  ctx: RequestContext,
): Prepared<V>[] {
  const userTags: Tag[] = model.tags.map((t) => ({ key: t.key, value: t.value }));
  const userKeys = new Set(model.tags.map((t) => t.key));
  return model.versions.flatMap((version, index) => {
    if (!version.taskDefinition) return [];
    const property = taskDefinitionProperty(version, index);
    const source = sourceOf(version);
    checkSourceRevision(source, property, action, ctx);
    const input = transform(version, source);
    const patch = {
      ...input,
      tags: [...(input.tags ?? []).filter((t) => !userKeys.has(t.key ?? '')), ...userTags],
    };
    return [{ version, property, source, patch }];
  });
}

/**
 * The complete registration of a prepared version: its content, `extraTags` (a backend's bookkeeping, e.g. a ledger)
 * and the track's own tags; refused when ECS would refuse it (containers, tags, size).
 */
export function registrationOf<V extends CoreVersion>(
  p: Prepared<V>,
  inputKey: string,
  ctx: RequestContext,
  extraTags: readonly Tag[] = [],
): RegisterTaskDefinitionCommandInput {
  const patch = extraTags.length
    ? { ...p.patch, tags: [...(p.patch.tags ?? []), ...extraTags.map((t) => ({ ...t }))] }
    : p.patch;
  return registration(
    patch,
    p.source,
    inputKey,
    ctx,
    `${p.property} (${p.source.family}:${p.source.revision})`,
  );
}

/** A registration to make: the version, its family's state, its source and its complete input. */
export interface Registration<V> {
  readonly version: V;
  readonly state: FamilyState;
  readonly source: DescribedRevision;
  readonly input: RegisterTaskDefinitionCommandInput;
}

/**
 * Registers the revisions (or reuses an owned one with the same content): families concurrently, the revisions of
 * one family one at a time (ECS refuses concurrent registrations in a family). Returns each version's revision ARN.
 */
export async function registerAll<V>(
  api: TaskDefinitionApi,
  registrations: readonly Registration<V>[],
  previousTagKeys: readonly string[],
  siblingDone: boolean,
  ctx: RequestContext,
): Promise<Map<V, string>> {
  const current = new Map<V, string>();
  const byFamily = new Map<string, Registration<V>[]>();
  for (const r of registrations) byFamily.set(r.state.family, [...(byFamily.get(r.state.family) ?? []), r]);
  await settleAll(
    [...byFamily.values()].map(async (group) => {
      for (const r of group) {
        const request = {
          state: r.state,
          source: r.source,
          input: r.input,
          removableTagKeys: previousTagKeys,
          siblingDone,
        };
        current.set(r.version, (await ensureRevision(api, request, ctx, ctx.log)).arn);
      }
    }),
  );
  return current;
}

/**
 * Which revisions the service keeps after an apply: the current ones, what another delivery of this request
 * registered (it may be what that delivery returns), and what CloudFormation may roll back to — the previous
 * properties' outputs (found by their input keys), or without previous properties (a Create) everything already
 * there.
 */
export function keepSet<P extends CoreVersion>(
  states: ReadonlyMap<string, FamilyState>,
  current: ReadonlyMap<unknown, string>,
  ctx: RequestContext,
  previous?: { readonly versions: readonly P[]; readonly inputKeyOf: (version: P) => string },
): Set<string> {
  const keep = new Set(current.values());
  for (const s of states.values()) for (const r of revisionsOfRequest(s, ctx.requestId)) keep.add(r.arn);
  if (!previous) for (const s of states.values()) for (const r of s.owned) keep.add(r.arn);
  for (const v of previous?.versions ?? []) {
    const state = v.taskDefinition && states.get(v.taskDefinition.family);
    if (state) for (const r of revisionsForInputKey(state, previous!.inputKeyOf(v))) keep.add(r.arn);
  }
  return keep;
}

/** Deregisters every owned revision of the families that is not kept. */
export async function deregisterUnkept(
  api: TaskDefinitionApi,
  states: ReadonlyMap<string, FamilyState>,
  keep: ReadonlySet<string>,
  ctx: RequestContext,
): Promise<void> {
  await settleAll([...states.values()].map((state) => deregisterOwned(api, state, keep, ctx.log)));
}

/**
 * Families retired by earlier updates, as recorded on the revisions the resource registered (the ledger of a backend
 * that has no resource of its own to keep a record on: `retiredFamilyTags` on each registration).
 */
export const retiredRecordedIn = (states: Iterable<FamilyState>): string[] =>
  unique([...states].flatMap((s) => [...s.owned, ...s.leftovers].flatMap((r) => retiredFamiliesIn(r.tags))));

/** Deregisters every owned revision of the given families; returns, per family where that failed, why. */
export async function deregisterFamilies(
  api: TaskDefinitionApi,
  names: readonly string[],
  ctx: RequestContext,
): Promise<Map<string, string>> {
  const failed = new Map<string, string>();
  await Promise.all(
    names.map(async (family) => {
      try {
        const state = await readFamily(api, family, ctx.owner);
        await deregisterOwned(api, state, new Set(), ctx.log);
      } catch (error) {
        ctx.log.warn('could not deregister the revisions of a family', { family, error });
        failed.set(family, (error as Error).message);
      }
    }),
  );
  return failed;
}
