/**
 * The App Mesh backend: realises a service model as App Mesh resources plus Envoy-patched task definitions.
 *
 * One apply = one round trip of reads (the request's verification, the mesh and gateway, every resource involved with
 * its tags, the named source revisions, a page of each family — so every refusal happens before any change), then the
 * writes: App Mesh by dependency level, and beside them the task-definition track (the candidate revisions described,
 * the patched ones registered, the old ones deregistered and the record on the virtual nodes updated; see
 * task-definitions.ts).
 */
import { AppMeshClient } from '@aws-sdk/client-app-mesh';
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import type { AwsClients } from '../aws/clients';
import { createTaggingApi } from '../aws/tagging';
import {
  type ApplyRequest,
  type Attributes,
  type RemoveRequest,
  type RequestContext,
  readAuthorized,
  type ServiceBackend,
} from '../backend';
import { createTaskDefinitionApi, type DescribedRevision } from '../ecs/api';
import {
  type FamilyState,
  hasReusable,
  LISTED_REVISIONS,
  longestRevisionArns,
  withdrawRevisions,
} from '../ecs/revisions';
import { checkTaskDefinitionRefs, keepSet, prepareVersions, registerAll, registrationOf } from '../ecs/track';
import { MeshServiceError } from '../errors';
import { familiesOf as families } from '../model';
import { type Owner, ownershipTags, revisionRecordTags, TAG, tagChanges, windowClaim } from '../ownership';
import { checkMeshOwner, imageAllowed, PolicyError, patchGrant } from '../policy';
import { digest, settleAll } from '../util';
import { type CallRecord, createMeshApi, type MeshApi } from './api';
import {
  describeKey,
  desiredMesh,
  type GatewayProtocol,
  keyId,
  managedKeys,
  type ResourceKey,
} from './desired';
import { envoyImage, isOfficialEnvoyImage, isOfficialXrayImage } from './envoy/image';
import { buildEnvoyPatch } from './envoy/patch';
import { taskRolePermissions } from './envoy/permissions';
import { gatewayListenerProtocol } from './gateway';
import { type AppMeshModel, checkVersionMove, parsePhysicalId, type VersionModel } from './model';
import { byMesh, checkWindow, leftoversOf, mergeOwned, OWNABLE_TYPES } from './owned';
import { execute, Journal, type Observed, observe, plan, undoCreates } from './reconcile';
import {
  type Describe,
  describeNamed,
  describeOnce,
  listFamilies,
  readStates,
  recordedOf,
  recordOf,
  resolveSources,
  type ServiceRecord,
} from './task-definitions';

/** Bumped whenever buildEnvoyPatch changes what it produces for the same inputs. */
const PATCH_FORMAT = 1;
function meshArn(model: { meshName: string; meshOwner?: string }, ctx: RequestContext): string {
  return `arn:${ctx.partition}:appmesh:${ctx.region}:${model.meshOwner ?? ctx.accountId}:mesh/${model.meshName}`;
}

function resourceArn(model: AppMeshModel, ctx: RequestContext, key: ResourceKey): string {
  const mesh = meshArn(model, ctx);
  if (key.kind === 'route') return `${mesh}/virtualRouter/${key.parent}/route/${key.name}`;
  if (key.kind === 'gatewayRoute') return `${mesh}/virtualGateway/${key.parent}/gatewayRoute/${key.name}`;
  return `${mesh}/${key.kind}/${key.name}`;
}

const nodeArn = (model: AppMeshModel, ctx: RequestContext, nodeName: string) =>
  resourceArn(model, ctx, { kind: 'virtualNode', name: nodeName });

/** A digest of everything in the properties that shapes a version's patched task definition. */
function inputKeyOf(model: AppMeshModel, version: VersionModel, ctx: RequestContext): string {
  const permissions = taskRolePermissions(model, version);
  return digest({
    format: PATCH_FORMAT,
    taskDefinition: version.taskDefinition?.text,
    node: nodeArn(model, ctx, version.nodeName),
    meshOwner: model.meshOwner,
    port: model.port,
    envoy: model.envoy,
    region: ctx.region,
    // Only when there are any, so that the key of a service without ACM TLS stays what it was.
    ...(permissions.length ? { taskRole: permissions.map((p) => p.action) } : {}),
  });
}

const taskDefinitionArn = (ctx: RequestContext, family: string, revision: number) =>
  `arn:${ctx.partition}:ecs:${ctx.region}:${ctx.accountId}:task-definition/${family}:${revision}`;

interface PreparedPatch {
  readonly version: VersionModel;
  /** The complete registration, bookkeeping tags included. */
  readonly input: RegisterTaskDefinitionCommandInput;
  readonly source: DescribedRevision;
}

/** Resolves when the virtual nodes exist (the first level of writes is done), rejects when that level failed. */
function nodesReady(): { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

export interface AppMeshBackendOptions {
  readonly onCall?: (record: CallRecord) => void;
}

export function createAppMeshBackend(
  clients: AwsClients,
  options: AppMeshBackendOptions = {},
): ServiceBackend<AppMeshModel> {
  const appMesh = clients.create(AppMeshClient);
  const meshApiFor = (m: { meshName: string; meshOwner?: string }) =>
    createMeshApi(
      appMesh,
      { meshName: m.meshName, ...(m.meshOwner ? { meshOwner: m.meshOwner } : {}) },
      options.onCall,
    );
  const ecsApi = createTaskDefinitionApi(clients.ecs, options.onCall);
  const tagging = createTaggingApi(clients.tagging, options.onCall);
  const meshOf = (m: { meshName: string; meshOwner?: string }, ctx: RequestContext) => ({
    meshName: m.meshName,
    account: m.meshOwner ?? ctx.accountId,
  });

  /**
   * Images come only from where the platform trusts them: a template may not make the provider run an image of its
   * choosing next to another team's application with that team's roles.
   */
  function checkImages(model: AppMeshModel, ctx: RequestContext): void {
    if (!model.versions.some((v) => v.taskDefinition)) return;
    const { image, tracing } = model.envoy;
    const allowedWords = ctx.policy.images.length
      ? `nor matches the provider's allowed images (${ctx.policy.images.join(', ')})`
      : 'and the provider allows no other images';
    if (image !== undefined && !imageAllowed(image, isOfficialEnvoyImage(image, ctx.region), ctx.policy)) {
      throw new PolicyError(
        `Envoy.Image: "${image}" is not App Mesh's Envoy image (public.ecr.aws/appmesh/aws-appmesh-envoy or App Mesh's ECR repository for ${ctx.region}, with a tag or digest) ${allowedWords}; remove Envoy.Image, or ask the platform team to add the image to the provider's context allowedImages`,
      );
    }
    const daemon = tracing?.provider === 'xray' ? tracing.daemonImage : undefined;
    if (daemon !== undefined && !imageAllowed(daemon, isOfficialXrayImage(daemon), ctx.policy)) {
      throw new PolicyError(
        `Envoy.Tracing.DaemonImage: "${daemon}" is not AWS's X-Ray daemon image (public.ecr.aws/xray/aws-xray-daemon or amazon/aws-xray-daemon, with a tag or digest) ${allowedWords}; remove DaemonImage, or ask the platform team to add the image to the provider's context allowedImages`,
      );
    }
  }

  /** The patched registration of each version, from its source (pure; the checks throw before any change). */
  function preparePatches(
    model: AppMeshModel,
    sources: ReadonlyMap<string, DescribedRevision>,
    ctx: RequestContext,
  ): PreparedPatch[] {
    const prepared = prepareVersions(
      model,
      (version) => sources.get(version.nodeName)!,
      (version, source) =>
        buildEnvoyPatch({
          source: source.taskDefinition,
          sourceTags: source.tags.map((t) => ({ ...t })),
          meshName: model.meshName,
          ...(model.meshOwner ? { meshOwner: model.meshOwner } : {}),
          virtualNodeName: version.nodeName,
          virtualNodeArn: nodeArn(model, ctx, version.nodeName),
          region: ctx.region,
          listenerPorts: [model.port],
          envoy: { ...model.envoy, egressIgnoredPorts: [...model.envoy.egressIgnoredPorts] },
          ownerTags: ownershipTags(ctx.owner),
          taskRolePermissions: taskRolePermissions(model, version),
        }),
      'patch',
      ctx,
    );
    return prepared.map((p) => ({
      version: p.version,
      source: p.source,
      input: registrationOf(p, inputKeyOf(model, p.version, ctx), ctx),
    }));
  }

  /** The mesh and gateway exist; the protocol of the gateway listener the gateway route goes on. */
  async function checkMesh(api: MeshApi, model: AppMeshModel): Promise<GatewayProtocol | undefined> {
    const [mesh, gateway] = await Promise.all([
      api.describeMesh(),
      model.gateway ? api.describeVirtualGateway(model.gateway.virtualGatewayName) : undefined,
    ]);
    const meshWords = `mesh "${model.meshName}"${model.meshOwner ? ` owned by ${model.meshOwner}` : ''}`;
    if (!mesh) {
      throw new MeshServiceError(
        `${meshWords} not found${model.meshOwner ? ' or not shared with this account' : ''}; create it first (MeshName must name an existing mesh)`,
      );
    }
    if (model.gateway && !gateway) {
      throw new MeshServiceError(
        `virtual gateway "${model.gateway.virtualGatewayName}" not found in ${meshWords}`,
      );
    }
    return model.gateway && gateway ? gatewayListenerProtocol(model.gateway, gateway.listeners) : undefined;
  }

  /** A replacement builds the new service beside the old one, so the two may not need the same App Mesh name. */
  function checkReplacement(desired: AppMeshModel, replaced: AppMeshModel | undefined): void {
    if (!replaced || replaced.meshName !== desired.meshName || replaced.meshOwner !== desired.meshOwner)
      return;
    const old = new Set(managedKeys(replaced).map(keyId));
    const shared = managedKeys(desired).filter((k) => old.has(keyId(k)));
    if (!shared.length) return;
    const hint: Record<string, string> = {
      virtualService: 'give VirtualServiceName (or, with DNS discovery, DnsHostname) a new value too',
      gatewayRoute: 'give Gateway.RouteName a new value too',
      virtualNode: "give VirtualNodeName (or the version's VirtualNodeName) a new value too",
    };
    throw new MeshServiceError(
      `changing ServiceName, MeshName or MeshOwner replaces the service (CloudFormation builds the new one, then deletes the old one), but ${shared
        .map((k) => `${describeKey(k)} (${hint[k.kind] ?? 'rename it'})`)
        .join(', ')} would be needed by both`,
    );
  }

  function attributes(
    model: AppMeshModel,
    ctx: RequestContext,
    arns: ReadonlyMap<string, string>,
    taskDefinitionArns: ReadonlyMap<VersionModel, string>,
  ): Attributes {
    const arnOf = (key: ResourceKey) => arns.get(keyId(key)) ?? resourceArn(model, ctx, key);
    const data: Attributes = {};
    const single = model.versions.find((v) => v.primary);
    if (single) {
      data.VirtualNodeName = single.nodeName;
      data.VirtualNodeArn = arnOf({ kind: 'virtualNode', name: single.nodeName });
      const td = taskDefinitionArns.get(single);
      if (td) data.TaskDefinitionArn = td;
    }
    for (const v of model.versions) {
      if (v.name === undefined) continue;
      data[`Versions.${v.name}.VirtualNodeName`] = v.nodeName;
      data[`Versions.${v.name}.VirtualNodeArn`] = arnOf({ kind: 'virtualNode', name: v.nodeName });
      const td = taskDefinitionArns.get(v);
      if (td) data[`Versions.${v.name}.TaskDefinitionArn`] = td;
    }
    if (model.virtualServiceName !== undefined) {
      data.VirtualServiceName = model.virtualServiceName;
      data.VirtualServiceArn = arnOf({ kind: 'virtualService', name: model.virtualServiceName });
    }
    if (model.router) {
      data.VirtualRouterName = model.router.name;
      data.VirtualRouterArn = arnOf({ kind: 'virtualRouter', name: model.router.name });
    }
    if (model.gateway && model.virtualServiceName !== undefined) {
      const key = {
        kind: 'gatewayRoute' as const,
        name: model.gateway.routeName,
        parent: model.gateway.virtualGatewayName,
      };
      data.GatewayRouteName = model.gateway.routeName;
      data.GatewayRouteArn = arnOf(key);
    }
    if (model.versions.some((v) => v.taskDefinition)) data.EnvoyImage = envoyImage(ctx.region, model.envoy);
    return data;
  }

  /**
   * Deregisters what is not kept and, once the virtual nodes exist, writes the record of what is on every node
   * that stays. A revision that could not be deregistered stays on the record, for the next apply.
   */
  async function settleRevisions(
    api: MeshApi,
    nodes: readonly string[],
    observed: ReadonlyMap<string, Observed>,
    record: ServiceRecord,
    states: ReadonlyMap<string, FamilyState>,
    keep: ReadonlySet<string>,
    ready: Promise<void>,
    ctx: RequestContext,
  ): Promise<void> {
    const doomed = [...states.values()]
      .flatMap((s) => [...s.owned, ...s.leftovers])
      .map((r) => r.arn)
      .filter((arn) => !keep.has(arn));
    const writeRecord = async (arns: readonly string[]) => {
      const { tags: wanted, dropped } = revisionRecordTags(arns.map(recordedOf));
      if (dropped.length) ctx.log.warn('revisions too many or too long to record', { dropped });
      await ready;
      await settleAll(
        nodes.map(async (name) => {
          const key: ResourceKey = { kind: 'virtualNode', name };
          const stored = (observed.get(keyId(key))?.tags ?? record.tags).filter((t) =>
            t.key.startsWith(TAG.revisions),
          );
          const { tag, untag } = tagChanges(stored, wanted, []);
          const arn = nodeArnOf(name);
          if (tag.length) await api.tag(arn, tag);
          if (untag.length) await api.untag(arn, untag);
        }),
      );
    };
    const nodeArnOf = (name: string) =>
      `${meshArn({ meshName: api.meshName, ...(api.meshOwner ? { meshOwner: api.meshOwner } : {}) }, ctx)}/virtualNode/${name}`;
    const deregistered = await Promise.allSettled(doomed.map((arn) => ecsApi.deregister(arn)));
    const failed = doomed.filter((_, i) => deregistered[i]!.status === 'rejected');
    if (failed.length) ctx.log.warn('could not deregister old task definition revisions', { failed });
    await writeRecord([...keep, ...failed]);
  }

  /** After a failed fresh apply: remove what it created, including revisions registered but never acknowledged. */
  async function undoFreshApply(
    api: MeshApi,
    journal: Journal,
    patches: readonly PreparedPatch[],
    listings: ReadonlyMap<string, readonly string[]>,
    registered: ReadonlyMap<VersionModel, string>,
    describe: Describe,
    error: unknown,
    ctx: RequestContext,
  ): Promise<void> {
    ctx.beginCleanup();
    ctx.log.warn('apply failed; removing what this request created', {
      error,
      created: journal.created.map(keyId),
    });
    const [problems, familyProblems] = await Promise.all([
      undoCreates(journal, { api, log: ctx.log, owner: ctx.owner, invocationId: ctx.invocationId }),
      // Only this invocation's registrations: those it was told of, and those registered since the first read
      // (listed now, newer than then) that carry its invocation tag — one whose answer was lost. Never a revision
      // another delivery of the request registered and may return.
      Promise.all(
        [...new Set(patches.map((p) => p.source.family))].map(async (family) => {
          try {
            const before = new Set(listings.get(family) ?? []);
            const since = (await ecsApi.listActive(family, LISTED_REVISIONS)).filter((a) => !before.has(a));
            const found = await Promise.all([...new Set([...since, ...registered.values()])].map(describe));
            const mine = found.filter(
              (r): r is DescribedRevision =>
                r !== undefined &&
                r.family === family &&
                r.tags.some((t) => t.key === TAG.invocationId && t.value === ctx.invocationId),
            );
            await withdrawRevisions(ecsApi, mine, ctx, ctx.log);
            return [];
          } catch (e) {
            return [`family ${family}: ${(e as Error).message}`];
          }
        }),
      ),
    ]);
    problems.push(...familyProblems.flat());
    if (problems.length) ctx.log.error('cleanup after the failed create left resources behind', { problems });
  }

  /**
   * Leftovers of this logical resource in other meshes (a replacement that moved meshes, or one CloudFormation never
   * sent): removed after the apply succeeded. What cannot be removed now is found again by the next request.
   */
  async function removeElsewhere(
    elsewhere: ReturnType<typeof byMesh>['elsewhere'],
    ctx: RequestContext,
    owner: Owner = ctx.owner,
  ): Promise<void> {
    for (const { mesh, observed } of elsewhere.values()) {
      const leftovers = leftoversOf(observed, owner);
      if (!leftovers.size) continue;
      const other = meshApiFor({
        meshName: mesh.meshName,
        ...(mesh.account !== ctx.accountId ? { meshOwner: mesh.account } : {}),
      });
      try {
        await execute(plan([], leftovers, []), {
          api: other,
          log: ctx.log,
          invocationId: ctx.invocationId,
          owner,
        });
      } catch (error) {
        ctx.log.warn('could not remove what this resource left in another mesh', {
          mesh: mesh.meshName,
          error,
        });
      }
    }
  }

  return {
    predictAttributes(model, ctx) {
      const longest = longestRevisionArns(model.versions, ctx);
      return attributes(model, ctx, new Map(), longest);
    },

    async apply(request: ApplyRequest<AppMeshModel>, ctx: RequestContext): Promise<Attributes> {
      const { desired, previous } = request;
      const log = ctx.log;
      checkReplacement(desired, request.replaces);
      checkVersionMove(previous, desired);
      checkTaskDefinitionRefs(desired.versions, ctx, 'patches');
      checkImages(desired, ctx);
      checkMeshOwner(desired.meshOwner, ctx, ctx.policy);
      const api = meshApiFor(desired);
      const attempt = request.earlierAttempt;
      // Families of this, the previous and an earlier attempt's properties: a page of each is listed at once.
      const familyNames = [...new Set([...families(desired), ...families(previous), ...families(attempt)])];
      const keys = [
        ...managedKeys(desired),
        ...(previous ? managedKeys(previous) : []),
        ...(attempt ? managedKeys(attempt) : []),
      ];
      const previousTagKeys = previous ? previous.tags.map((t) => t.key) : [];
      const describe = describeOnce(ecsApi);

      // Reads, in one round trip: nothing changes until every check has passed.
      const [window, gatewayProtocol, observed, listings, named, owned] = await readAuthorized(ctx, [
        checkMesh(api, desired),
        observe(api, keys, ctx.owner, (key) => resourceArn(desired, ctx, key)),
        listFamilies(ecsApi, familyNames),
        describeNamed(desired, describe),
        tagging.ownedBy(ctx.owner, OWNABLE_TYPES),
      ]);
      // One request per window: anything the logical resource owns may carry another request's claim on it.
      checkWindow(
        window,
        [...observed.values(), ...owned.map((r) => ({ tags: r.tags }))].map((o) => o.tags),
        ctx,
      );
      // Everything this resource owns, named by its properties or not, is reconciled: what is not desired goes —
      // an earlier attempt's leftovers under any name among it (found by tag, at the cost of what it owns).
      const { here, elsewhere } = byMesh(owned, meshOf(desired, ctx));
      mergeOwned(observed, here, ctx.owner);
      const mayPatch = (r: DescribedRevision) =>
        patchGrant(r, ctx.stack, ctx.accountId, ctx.policy) !== undefined;
      const sources = await resolveSources(desired, named, listings, describe, mayPatch);
      const patches = preparePatches(desired, sources, ctx);
      const record = recordOf(observed, (r) => taskDefinitionArn(ctx, r.family, r.revision));
      // The record on the nodes is the task-definition track's to rewrite: the plan leaves it as it is.
      const meshPlan = plan(
        desiredMesh(desired, {
          owner: ctx.owner,
          ledger: record.tags,
          ...(window ? { claim: windowClaim(window.id, ctx.requestId) } : {}),
          ...(gatewayProtocol ? { gatewayProtocol } : {}),
        }),
        observed,
        previousTagKeys,
      ); // ownership conflicts surface here, before any change
      log.info('plan', {
        actions: meshPlan.actions.map(
          (a) => `${a.op} ${a.key.kind} ${a.key.parent ? `${a.key.parent}/` : ''}${a.key.name}`,
        ),
        taskDefinitions: patches.map((p) => p.version.taskDefinition?.text),
      });

      // Writes: App Mesh by level, and beside it the task-definition track.
      const journal = new Journal();
      const ready = nodesReady();
      let arns = new Map<string, string>();
      const current = new Map<VersionModel, string>();
      const mesh = execute(meshPlan, {
        api,
        log,
        invocationId: ctx.invocationId,
        owner: ctx.owner,
        journal,
        onForwardLevel: (kinds) => {
          if (kinds.includes('virtualNode')) ready.resolve();
        },
      }).then(
        (a) => {
          arns = a;
        },
        (e) => {
          ready.reject(e);
          throw e;
        },
      );
      const revisions = (async () => {
        const states = await readStates(
          ecsApi,
          describe,
          familyNames,
          listings,
          record,
          sources.values(),
          ctx.owner,
        );
        // Nothing left to do in App Mesh and a revision for every version: whatever delivery of this request wrote
        // them has finished everything that could fail, so its revisions may be returned again — a re-delivered
        // request then changes nothing.
        const settled =
          meshPlan.actions.length === 0 &&
          patches.every((p) => hasReusable(states.get(p.source.family)!, p.input));
        const registrations = patches.map((p) => ({ ...p, state: states.get(p.source.family)! }));
        for (const [version, arn] of await registerAll(ecsApi, registrations, previousTagKeys, settled, ctx))
          current.set(version, arn);
        const rollback = previous && {
          versions: previous.versions,
          inputKeyOf: (v: VersionModel) => inputKeyOf(previous, v, ctx),
        };
        const keep = keepSet(states, current, ctx, rollback);
        const nodes = desired.versions.map((v) => v.nodeName);
        try {
          await settleRevisions(api, nodes, observed, record, states, keep, ready.promise, ctx);
        } catch (error) {
          // The service works. An unrecorded revision is found again by the next apply (newer than its source).
          log.warn('could not record or deregister task definition revisions', { error });
        }
      })();
      try {
        await settleAll([mesh, revisions]);
      } catch (error) {
        if (request.fresh)
          await undoFreshApply(api, journal, patches, listings, current, describe, error, ctx);
        throw error;
      }
      await removeElsewhere(elsewhere, ctx);
      return attributes(desired, ctx, arns, current);
    },

    async remove(request: RemoveRequest<AppMeshModel>, ctx: RequestContext): Promise<void> {
      const identity = parsePhysicalId(request.physicalId);
      if (!identity) throw new Error(`not an App Mesh physical id: ${request.physicalId}`);
      checkMeshOwner(identity.meshOwner, ctx, ctx.policy);
      const api = meshApiFor(identity);
      // Properties of another identity (or none that parse) cannot name this service's resources: what this physical
      // id owns is then what the tags found.
      const model = request.model?.physicalId === request.physicalId ? request.model : undefined;
      const familyNames = families(model);
      const describe = describeOnce(ecsApi);
      const [window, observed, listings, owned] = await readAuthorized(ctx, [
        model
          ? observe(api, managedKeys(model), ctx.owner, (key) => resourceArn(model, ctx, key))
          : new Map<string, Observed>(),
        listFamilies(ecsApi, familyNames),
        request.owned ?? tagging.ownedBy(ctx.owner, OWNABLE_TYPES),
      ]);
      // Everything this physical id owns goes, whatever the Delete's properties name; and when the logical resource
      // itself ends, what it owns under any other id (a forged replacement's squat) goes with it.
      const sweeper: Owner = window?.endsResource
        ? { ...ctx.owner, livePhysicalIds: [request.physicalId] }
        : ctx.owner;
      const { here, elsewhere } = byMesh(owned, meshOf(identity, ctx));
      mergeOwned(observed, here, sweeper);
      const record = recordOf(observed, (r) => taskDefinitionArn(ctx, r.family, r.revision));
      await settleAll([
        execute(plan([], observed, []), {
          api,
          log: ctx.log,
          invocationId: ctx.invocationId,
          owner: sweeper,
        }),
        ...(window?.endsResource ? [removeElsewhere(elsewhere, ctx, sweeper)] : []),
        (async () => {
          // Every revision a delivery of this service registered is newer than the source its properties name.
          const named = (model?.versions ?? []).flatMap((v) =>
            v.taskDefinition?.revision !== undefined
              ? [{ family: v.taskDefinition.family, revision: v.taskDefinition.revision }]
              : [],
          );
          const states = await readStates(ecsApi, describe, familyNames, listings, record, named, ctx.owner);
          const owned = [...states.values()].flatMap((s) => s.owned);
          const results = await Promise.allSettled(owned.map((r) => ecsApi.deregister(r.arn)));
          const failed = results.findIndex((r) => r.status === 'rejected');
          if (failed >= 0)
            throw new MeshServiceError(
              `could not deregister task definition ${owned[failed]!.arn}: ${((results[failed] as PromiseRejectedResult).reason as Error).message}`,
            );
        })(),
      ]);
    },
  };
}
