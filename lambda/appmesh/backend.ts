/**
 * The App Mesh backend: realises a service model as App Mesh resources plus Envoy-patched task definitions.
 *
 * One apply = a read phase (mesh, gateway, every resource involved with its tags, the task-definition families and
 * the patches — all read-only and concurrent, so every refusal happens before any change), then a write phase
 * (App Mesh by dependency level, concurrently with the ECS registrations, which need only the predictable virtual
 * node ARNs), then the deregistration of revisions that are neither current nor previous.
 */
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import type { AwsClients } from '../aws/clients';
import type { ApplyRequest, Attributes, RemoveRequest, RequestContext, ServiceBackend } from '../backend';
import { createTaskDefinitionApi, type DescribedRevision } from '../ecs/api';
import {
  deregisterOwned,
  ensureRevision,
  type FamilyState,
  hasReusable,
  readFamily,
  registration,
  resolveSource,
  revisionsForInputKey,
  revisionsOfInvocation,
  revisionsOfRequest,
} from '../ecs/revisions';
import { MeshServiceError, TaskDefinitionError } from '../errors';
import type { ServiceModel, VersionModel } from '../model';
import { ownershipTags, retiredFamiliesIn, retiredFamilyTags, taskFamiliesIn } from '../ownership';
import { ALLOWED_STACKS_TAG, imageAllowed, PolicyError, patchGrant, rolesOutsidePolicy } from '../policy';
import { digest } from '../util';
import { type CallRecord, createMeshApi, type MeshApi } from './api';
import { describeKey, desiredMesh, keyId, managedKeys, type ResourceKey } from './desired';
import { envoyImage, isOfficialEnvoyImage, isOfficialXrayImage } from './envoy/image';
import { buildEnvoyPatch } from './envoy/patch';
import { execute, Journal, type Observed, observe, plan, settleAll, sweep, undoCreates } from './reconcile';

/** Bumped whenever buildEnvoyPatch changes what it produces for the same inputs. */
const PATCH_FORMAT = 1;
/** How many of a family's newest ACTIVE revisions an apply reads (Delete reads them all). */
const FAMILY_WINDOW = 50;

const unique = <T>(xs: Iterable<T>): T[] => [...new Set(xs)];
const minus = <T>(xs: readonly T[], ys: readonly T[]): T[] => xs.filter((x) => !ys.includes(x));

const families = (m: ServiceModel | undefined): string[] =>
  unique((m?.versions ?? []).flatMap((v) => (v.taskDefinition ? [v.taskDefinition.family] : [])));

function meshArn(model: { meshName: string; meshOwner?: string }, ctx: RequestContext): string {
  return `arn:${ctx.partition}:appmesh:${ctx.region}:${model.meshOwner ?? ctx.accountId}:mesh/${model.meshName}`;
}

function resourceArn(model: ServiceModel, ctx: RequestContext, key: ResourceKey): string {
  const mesh = meshArn(model, ctx);
  if (key.kind === 'route') return `${mesh}/virtualRouter/${key.parent}/route/${key.name}`;
  if (key.kind === 'gatewayRoute') return `${mesh}/virtualGateway/${key.parent}/gatewayRoute/${key.name}`;
  return `${mesh}/${key.kind}/${key.name}`;
}

const nodeArn = (model: ServiceModel, ctx: RequestContext, nodeName: string) =>
  resourceArn(model, ctx, { kind: 'virtualNode', name: nodeName });

/** A digest of everything in the properties that shapes a version's patched task definition. */
function inputKeyOf(model: ServiceModel, version: VersionModel, ctx: RequestContext): string {
  return digest({
    format: PATCH_FORMAT,
    taskDefinition: version.taskDefinition?.text,
    node: nodeArn(model, ctx, version.nodeName),
    meshOwner: model.meshOwner,
    port: model.port,
    envoy: model.envoy,
    region: ctx.region,
  });
}

/** Owned virtual nodes record the families they patch and those retired and not yet deregistered. */
function familiesRecordedOn(observed: ReadonlyMap<string, Observed>): {
  retired: string[];
  patched: string[];
} {
  const nodes = [...observed.values()].filter(
    (o) => o.key.kind === 'virtualNode' && (o.ownership?.kind === 'ours' || o.ownership?.kind === 'leftover'),
  );
  return {
    retired: unique(nodes.flatMap((o) => retiredFamiliesIn(o.tags))),
    patched: unique(nodes.flatMap((o) => taskFamiliesIn(o.tags))),
  };
}

interface PreparedPatch {
  readonly version: VersionModel;
  readonly state: FamilyState;
  /** The complete registration, bookkeeping tags included. */
  readonly input: RegisterTaskDefinitionCommandInput;
  readonly source: DescribedRevision;
}

export interface AppMeshBackendOptions {
  readonly onCall?: (record: CallRecord) => void;
}

export function createAppMeshBackend(
  clients: AwsClients,
  options: AppMeshBackendOptions = {},
): ServiceBackend {
  const meshApiFor = (m: { meshName: string; meshOwner?: string }) =>
    createMeshApi(
      clients.appMesh,
      { meshName: m.meshName, ...(m.meshOwner ? { meshOwner: m.meshOwner } : {}) },
      options.onCall,
    );
  const ecsApi = createTaskDefinitionApi(clients.ecs, options.onCall);

  async function readFamilies(names: readonly string[], ctx: RequestContext, newest?: number) {
    const states = await Promise.all(names.map((f) => readFamily(ecsApi, f, ctx.owner, newest)));
    return new Map(states.map((s) => [s.family, s]));
  }

  /** Task definitions are read and patched in the provider's own account and Region. */
  function checkTaskDefinitionRefs(model: ServiceModel, ctx: RequestContext): void {
    for (const v of model.versions) {
      const text = v.taskDefinition?.text ?? '';
      const arn = /^arn:[^:]+:ecs:([^:]+):(\d{12}):/.exec(text);
      if (arn && (arn[1] !== ctx.region || arn[2] !== ctx.accountId)) {
        throw new TaskDefinitionError(
          `TaskDefinition "${text}" is in ${arn[2]}/${arn[1]}, but the provider patches task definitions of its own account and Region (${ctx.accountId}/${ctx.region}); register the task definition there`,
        );
      }
    }
  }

  /**
   * Images come only from where the platform trusts them: a template may not make the provider run an image of its
   * choosing next to another team's application with that team's roles.
   */
  function checkImages(model: ServiceModel, ctx: RequestContext): void {
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

  /** The revision must be one this stack may patch, and pass only roles the provider may pass. */
  function checkSource(source: DescribedRevision, property: string, ctx: RequestContext): void {
    const id = `${property} (${source.family}:${source.revision})`;
    if (!patchGrant(source, ctx.stack, ctx.accountId, ctx.policy)) {
      throw new PolicyError(
        `${id}: stack ${ctx.stack.name} may not patch this task definition: the revision has no ${ALLOWED_STACKS_TAG} tag naming the stack and its family matches none of the provider's allowed families${
          ctx.policy.taskFamilies.length ? ` (${ctx.policy.taskFamilies.join(', ')})` : ''
        }; tag the task definition with ${ALLOWED_STACKS_TAG} = ${ctx.stack.name} where it is registered, or ask the platform team to allow the family`,
      );
    }
    const td = source.taskDefinition;
    const outside = rolesOutsidePolicy([td.taskRoleArn, td.executionRoleArn], ctx, ctx.policy);
    if (outside.length) {
      throw new PolicyError(
        `${id}: ${outside.join(' and ')} ${outside.length > 1 ? 'are' : 'is'} outside the roles the provider may pass to ECS (role/${ctx.policy.passRoles.join(', role/')}); create the role under one of those paths (e.g. Path: /mesh-service/ on the AWS::IAM::Role) or ask the platform team to add it to the provider's context passRoles`,
      );
    }
  }

  async function preparePatches(
    model: ServiceModel,
    states: ReadonlyMap<string, FamilyState>,
    ctx: RequestContext,
  ): Promise<PreparedPatch[]> {
    const userTags = model.tags.map((t) => ({ key: t.key, value: t.value }));
    const userKeys = new Set(userTags.map((t) => t.key));
    const mayPatch = (r: DescribedRevision) =>
      patchGrant(r, ctx.stack, ctx.accountId, ctx.policy) !== undefined;
    return Promise.all(
      model.versions
        .map((version, index) => ({ version, index }))
        .filter(({ version }) => version.taskDefinition)
        .map(async ({ version, index }) => {
          const ref = version.taskDefinition!;
          const property =
            version.name === undefined ? 'TaskDefinition' : `Versions[${index}].TaskDefinition`;
          const state = states.get(ref.family)!;
          const source = await resolveSource(ecsApi, ref, state, mayPatch);
          checkSource(source, property, ctx);
          const input = buildEnvoyPatch({
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
          });
          // The Tags property applies to patched revisions too; it wins over a source tag of the same key.
          input.tags = [...(input.tags ?? []).filter((t) => !userKeys.has(t.key ?? '')), ...userTags];
          const full = registration(
            input,
            source,
            inputKeyOf(model, version, ctx),
            ctx,
            `${property} (${source.family}:${source.revision})`,
          );
          return { version, state, input: full, source };
        }),
    );
  }

  async function checkMesh(api: MeshApi, model: ServiceModel): Promise<void> {
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
    // A gateway route's type is its service's protocol; App Mesh refuses one the gateway has no listener for.
    if (model.gateway && gateway && !gateway.protocols.includes(model.protocol)) {
      throw new MeshServiceError(
        `Gateway.VirtualGatewayName: virtual gateway "${model.gateway.virtualGatewayName}" listens for ${
          gateway.protocols.join(', ') || 'nothing'
        }, so it cannot take the ${model.protocol} gateway route of a Protocol ${model.protocol} service; use a gateway with ${model.protocol === 'grpc' ? 'a' : 'an'} ${model.protocol} listener`,
      );
    }
  }

  /** A replacement builds the new service beside the old one, so the two may not need the same App Mesh name. */
  function checkReplacement(desired: ServiceModel, replaced: ServiceModel | undefined): void {
    if (!replaced || replaced.meshName !== desired.meshName || replaced.meshOwner !== desired.meshOwner)
      return;
    const old = new Set(managedKeys(replaced).map(keyId));
    const shared = managedKeys(desired).filter((k) => old.has(keyId(k)));
    if (!shared.length) return;
    const hint: Record<string, string> = {
      virtualService: 'give VirtualServiceName (or, with DNS discovery, DnsHostname) a new value too',
      gatewayRoute: 'give Gateway.RouteName a new value too',
      virtualNode: "give the version's VirtualNodeName a new value too",
    };
    throw new MeshServiceError(
      `changing ServiceName, MeshName or MeshOwner replaces the service (CloudFormation builds the new one, then deletes the old one), but ${shared
        .map((k) => `${describeKey(k)} (${hint[k.kind] ?? 'rename it'})`)
        .join(', ')} would be needed by both`,
    );
  }

  function attributes(
    model: ServiceModel,
    ctx: RequestContext,
    arns: ReadonlyMap<string, string>,
    taskDefinitionArns: ReadonlyMap<string, string>,
  ): Attributes {
    const arnOf = (key: ResourceKey) => arns.get(keyId(key)) ?? resourceArn(model, ctx, key);
    const data: Attributes = {};
    const single = model.versions.length === 1 ? model.versions[0] : undefined;
    if (single) {
      data.VirtualNodeName = single.nodeName;
      data.VirtualNodeArn = arnOf({ kind: 'virtualNode', name: single.nodeName });
      const td = taskDefinitionArns.get(single.nodeName);
      if (td) data.TaskDefinitionArn = td;
    }
    for (const v of model.versions) {
      if (v.name === undefined) continue;
      data[`Versions.${v.name}.VirtualNodeName`] = v.nodeName;
      data[`Versions.${v.name}.VirtualNodeArn`] = arnOf({ kind: 'virtualNode', name: v.nodeName });
      const td = taskDefinitionArns.get(v.nodeName);
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

  /** Registers the patched revisions: families concurrently, the revisions of one family one at a time (ECS
   *  refuses concurrent registrations in a family). */
  async function registerAll(
    patches: readonly PreparedPatch[],
    previousTagKeys: readonly string[],
    siblingDone: boolean,
    ctx: RequestContext,
  ) {
    const current = new Map<string, string>();
    const byFamily = new Map<string, PreparedPatch[]>();
    for (const p of patches) byFamily.set(p.state.family, [...(byFamily.get(p.state.family) ?? []), p]);
    await settleAll(
      [...byFamily.values()].map(async (group) => {
        for (const p of group) {
          const request = {
            state: p.state,
            source: p.source,
            input: p.input,
            removableTagKeys: previousTagKeys,
            siblingDone,
          };
          current.set(p.version.nodeName, (await ensureRevision(ecsApi, request, ctx, ctx.log)).arn);
        }
      }),
    );
    return current;
  }

  /** Deregisters every owned revision of the given families; returns, per family where that failed, why. */
  async function deregisterFamilies(
    names: readonly string[],
    ctx: RequestContext,
  ): Promise<Map<string, string>> {
    const failed = new Map<string, string>();
    await Promise.all(
      names.map(async (family) => {
        try {
          const state = await readFamily(ecsApi, family, ctx.owner);
          await deregisterOwned(ecsApi, state, new Set(), ctx.log);
        } catch (error) {
          ctx.log.warn('could not deregister the revisions of a family', { family, error });
          failed.set(family, (error as Error).message);
        }
      }),
    );
    return failed;
  }

  /** After a successful apply: deregister owned revisions that are neither current nor a previous output. */
  async function cleanRevisions(
    previous: ServiceModel | undefined,
    current: ReadonlyMap<string, string>,
    states: ReadonlyMap<string, FamilyState>,
    ctx: RequestContext,
  ): Promise<void> {
    const keep = new Set(current.values());
    // What another delivery of this request registered may be what it returns to CloudFormation.
    for (const s of states.values()) for (const r of revisionsOfRequest(s, ctx.requestId)) keep.add(r.arn);
    if (!previous) {
      // Without the previous properties nothing proves which revision CloudFormation may roll back to.
      for (const s of states.values()) for (const r of s.owned) keep.add(r.arn);
    }
    for (const v of previous?.versions ?? []) {
      const state = v.taskDefinition && states.get(v.taskDefinition.family);
      if (state) for (const r of revisionsForInputKey(state, inputKeyOf(previous!, v, ctx))) keep.add(r.arn);
    }
    await settleAll([...states.values()].map((state) => deregisterOwned(ecsApi, state, keep, ctx.log)));
  }

  /** After a failed fresh apply: remove what it created, including revisions registered but never acknowledged. */
  async function undoFreshApply(
    api: MeshApi,
    journal: Journal,
    patches: readonly PreparedPatch[],
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
      // Only this invocation's registrations, found by their tag (so one whose answer was lost too); never a
      // revision another delivery of the request registered and may return.
      Promise.all(
        unique(patches.map((p) => p.state.family)).map(async (family) => {
          try {
            const now = await readFamily(ecsApi, family, ctx.owner, FAMILY_WINDOW);
            const mine = new Set(revisionsOfInvocation(now, ctx.invocationId).map((r) => r.arn));
            await deregisterOwned(
              ecsApi,
              now,
              new Set(now.owned.map((r) => r.arn).filter((a) => !mine.has(a))),
              ctx.log,
            );
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

  return {
    predictAttributes(model, ctx) {
      const longest = new Map(
        model.versions.flatMap((v) =>
          v.taskDefinition
            ? [
                [
                  v.nodeName,
                  `arn:${ctx.partition}:ecs:${ctx.region}:${ctx.accountId}:task-definition/${v.taskDefinition.family}:9999999999`,
                ] as const,
              ]
            : [],
        ),
      );
      return attributes(model, ctx, new Map(), longest);
    },

    async apply(request: ApplyRequest, ctx: RequestContext): Promise<Attributes> {
      const { desired, previous } = request;
      const log = ctx.log;
      checkReplacement(desired, request.replaces);
      checkTaskDefinitionRefs(desired, ctx);
      checkImages(desired, ctx);
      const api = meshApiFor(desired);
      const newFamilies = families(desired);
      const retiredNow = minus(families(previous), newFamilies);
      const attempt = request.earlierAttempt;
      // An earlier attempt's families are read for its leftover revisions only (deregistered, never recorded).
      const attemptFamilies = minus(minus(families(attempt), newFamilies), retiredNow);
      const keys = [
        ...managedKeys(desired),
        ...(previous ? managedKeys(previous) : []),
        ...(attempt ? managedKeys(attempt) : []),
      ];
      const previousTagKeys = previous ? previous.tags.map((t) => t.key) : [];

      // Read phase: nothing changes until every check has passed.
      const [, , observed, states] = await Promise.all([
        ctx.authorize(),
        checkMesh(api, desired),
        observe(api, keys, ctx.owner),
        readFamilies([...newFamilies, ...retiredNow, ...attemptFamilies], ctx, FAMILY_WINDOW),
      ]);
      const patches = await preparePatches(desired, states, ctx);
      if ([...observed.values()].some((o) => o.ownership?.kind === 'leftover')) {
        // An earlier attempt of this resource left something: find the rest of it, under any name, to remove it.
        for (const [id, o] of await sweep(api, ctx.owner)) if (!observed.has(id)) observed.set(id, o);
      }
      const recorded = familiesRecordedOn(observed);
      // Families retired by an earlier update (or left by a failed cleanup): neither current nor previous any more.
      const stale = minus(minus(recorded.retired, newFamilies), retiredNow);
      const planFor = (retired: readonly string[]) => {
        const ledger = retiredFamilyTags(retired);
        if (ledger.dropped.length)
          log.warn('too many retired families to record; they will not be cleaned', ledger);
        return plan(
          desiredMesh(desired, { owner: ctx.owner, ledger: ledger.tags }),
          observed,
          previousTagKeys,
        );
      };
      const checked = planFor([...retiredNow, ...stale]); // ownership conflicts surface here, before any change

      // Write phase.
      const failedStale = stale.length ? [...(await deregisterFamilies(stale, ctx)).keys()] : [];
      // Only when a stale family was cleaned does the record on the nodes (and so the plan) change.
      const meshPlan =
        failedStale.length === stale.length ? checked : planFor([...retiredNow, ...failedStale]);
      log.info('plan', {
        actions: meshPlan.actions.map(
          (a) => `${a.op} ${a.key.kind} ${a.key.parent ? `${a.key.parent}/` : ''}${a.key.name}`,
        ),
        taskDefinitions: patches.map((p) => p.version.taskDefinition?.text),
      });
      // Nothing left to do in App Mesh and a revision for every version: whatever delivery of this request wrote them
      // has finished everything that could fail (its cleanup of old revisions cannot fail it), so its revisions may
      // be returned again — a re-delivered request then changes nothing.
      const settled = meshPlan.actions.length === 0 && patches.every((p) => hasReusable(p.state, p.input));
      const journal = new Journal();
      let arns = new Map<string, string>();
      let current = new Map<string, string>();
      try {
        await settleAll([
          execute(meshPlan, { api, log, invocationId: ctx.invocationId, owner: ctx.owner, journal }).then(
            (a) => {
              arns = a;
            },
          ),
          registerAll(patches, previousTagKeys, settled, ctx).then((c) => {
            current = c;
          }),
        ]);
      } catch (error) {
        if (request.fresh) await undoFreshApply(api, journal, patches, error, ctx);
        throw error;
      }

      try {
        await cleanRevisions(previous, current, states, ctx);
      } catch (error) {
        // The service works. What could not be deregistered stays owned: retired families stay on the record and
        // the families in use are read again by the next update, which deregisters it then.
        log.warn('could not deregister old task definition revisions', { error });
      }
      return attributes(desired, ctx, arns, current);
    },

    async remove(request: RemoveRequest, ctx: RequestContext): Promise<void> {
      const api = meshApiFor(request);
      const model = request.model;
      const [, observed] = await Promise.all([
        ctx.authorize(),
        model ? observe(api, managedKeys(model), ctx.owner) : sweep(api, ctx.owner),
      ]);
      const recorded = familiesRecordedOn(observed);
      const all = unique([...families(model), ...recorded.patched, ...recorded.retired]);
      await settleAll([
        execute(plan([], observed, []), {
          api,
          log: ctx.log,
          invocationId: ctx.invocationId,
          owner: ctx.owner,
        }),
        (async () => {
          const [first] = await deregisterFamilies(all, ctx);
          if (first)
            throw new MeshServiceError(
              `could not deregister the task definitions of family "${first[0]}": ${first[1]}`,
            );
        })(),
      ]);
    },
  };
}
