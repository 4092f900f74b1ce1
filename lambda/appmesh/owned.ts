/**
 * Everything a stack's logical resource owns in App Mesh, whatever its properties name: found by the ownership tags
 * (aws/tagging.ts, one call), so an Update or a Delete reconciles against all of it — a route, a backend or a whole
 * service slipped in by a request that was not CloudFormation's is deleted at the resource's next step, in this mesh
 * or another one. And the window rule: CloudFormation sends one request per resource and operation, so a request
 * whose window another RequestId has already claimed on what the resource owns is refused before any change.
 */

import type { TaggedResource } from '../aws/tagging';
import type { RequestContext, RequestWindow } from '../backend';
import { type Owner, ofSameResource, otherClaimant, ownershipOf } from '../ownership';
import { PolicyError } from '../policy';
import { keyId, type ResourceKey } from './desired';
import type { Observed } from './reconcile';

/** The App Mesh resource types a service can own (GetResources' ResourceTypeFilters). */
export const OWNABLE_TYPES = ['appmesh'];

export interface MeshRef {
  readonly meshName: string;
  /** The account of the mesh (its owner). */
  readonly account: string;
}

/** An App Mesh ARN's mesh and key; undefined for a mesh, a virtual gateway, or anything else. */
export function keyOfArn(arn: string): { mesh: MeshRef; key: ResourceKey } | undefined {
  const m = /^arn:[^:]+:appmesh:[^:]*:(\d{12}):mesh\/([^/]+)\/(.+)$/.exec(arn);
  if (!m) return undefined;
  const mesh = { account: m[1]!, meshName: m[2]! };
  const parts = m[3]!.split('/');
  const [kind, name, child, childName] = parts;
  if (parts.length === 2 && (kind === 'virtualNode' || kind === 'virtualService' || kind === 'virtualRouter'))
    return { mesh, key: { kind, name: name! } };
  if (parts.length === 4 && kind === 'virtualRouter' && child === 'route')
    return { mesh, key: { kind: 'route', name: childName!, parent: name! } };
  if (parts.length === 4 && kind === 'virtualGateway' && child === 'gatewayRoute')
    return { mesh, key: { kind: 'gatewayRoute', name: childName!, parent: name! } };
  return undefined;
}

/** The tagged resources split by mesh: those of `mesh`, and those of other meshes (by mesh). */
export function byMesh(
  owned: readonly TaggedResource[],
  mesh: MeshRef,
): {
  here: Map<string, Observed>;
  elsewhere: Map<string, { mesh: MeshRef; observed: Map<string, Observed> }>;
} {
  const here = new Map<string, Observed>();
  const elsewhere = new Map<string, { mesh: MeshRef; observed: Map<string, Observed> }>();
  for (const r of owned) {
    const at = keyOfArn(r.arn);
    if (!at) continue;
    const entry: Observed = { key: at.key, existing: { arn: r.arn, spec: {} }, tags: r.tags };
    if (at.mesh.meshName === mesh.meshName && at.mesh.account === mesh.account) {
      here.set(keyId(at.key), entry);
      continue;
    }
    const id = `${at.mesh.account}/${at.mesh.meshName}`;
    const group = elsewhere.get(id) ?? { mesh: at.mesh, observed: new Map<string, Observed>() };
    group.observed.set(keyId(at.key), entry);
    elsewhere.set(id, group);
  }
  return { here, elsewhere };
}

/**
 * Adds what the tags found to what the request observed by name: what this owner holds, and leftovers of its earlier
 * attempts (which the plan removes unless desired). The observation by name wins: it is strongly consistent.
 */
export function mergeOwned(
  observed: Map<string, Observed>,
  found: ReadonlyMap<string, Observed>,
  owner: Owner,
): void {
  for (const [id, o] of found) {
    if (observed.has(id)) continue;
    const ownership = ownershipOf(o.tags, owner);
    if (ownership.kind !== 'foreign') observed.set(id, { ...o, ownership });
  }
}

/** Only what is a leftover for this owner (never what a live physical id holds). */
export function leftoversOf(found: ReadonlyMap<string, Observed>, owner: Owner): Map<string, Observed> {
  const out = new Map<string, Observed>();
  for (const [id, o] of found) {
    const ownership = ownershipOf(o.tags, owner);
    if (ownership.kind === 'leftover') out.set(id, { ...o, ownership });
  }
  return out;
}

/**
 * Refuses the request when another RequestId has claimed this window on anything the logical resource owns (any
 * physical id: a forged replacement claims it on what it built).
 */
export function checkWindow(
  window: RequestWindow | undefined,
  tagSets: Iterable<Observed['tags']>,
  ctx: RequestContext,
): void {
  if (!window) return;
  for (const tags of tagSets) {
    if (!ofSameResource(tags, ctx.owner)) continue;
    const other = otherClaimant(tags, window.id, ctx.requestId);
    if (other === undefined) continue;
    const logical = ctx.owner.logicalResourceId;
    throw new PolicyError(
      `${ctx.requestType} of ${logical} refused: another request (RequestId ${other}) already acted in this ${ctx.requestType.toLowerCase()} of the resource, and CloudFormation sends one request per resource and operation, so this one does not come from CloudFormation (docs/security.md)`,
    );
  }
}
