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
import type { ApplyRequest, Attributes, RequestContext, ServiceBackend } from '../backend';
import { createTaskDefinitionApi, type DescribedRevision } from '../ecs/api';
import {
  deregisterOwned,
  ensureRevision,
  type FamilyState,
  readFamily,
  resolveSource,
  revisionForInputKey,
} from '../ecs/revisions';
import { MeshServiceError } from '../errors';
import type { ServiceModel, VersionModel } from '../model';
import { MAX_RETIRED_FAMILIES, ownershipTags, retiredFamiliesIn, retiredFamilyTags } from '../ownership';
import { digest } from '../util';
import { type CallRecord, createMeshApi, type MeshApi } from './api';
import { desiredMesh, keyId, managedKeys, type ResourceKey } from './desired';
import { envoyImage } from './envoy/image';
import { buildEnvoyPatch } from './envoy/patch';
import { execute, Journal, type Observed, observe, plan, settleAll, undoCreates } from './reconcile';

/** Bumped whenever buildEnvoyPatch changes what it produces for the same inputs. */
const PATCH_FORMAT = 1;

const families = (m: ServiceModel | undefined): string[] => [
  ...new Set((m?.versions ?? []).flatMap((v) => (v.taskDefinition ? [v.taskDefinition.family] : []))),
];

function nodeArn(model: ServiceModel, ctx: RequestContext, nodeName: string): string {
  const account = model.meshOwner ?? ctx.accountId;
  return `arn:${ctx.partition}:appmesh:${ctx.region}:${account}:mesh/${model.meshName}/virtualNode/${nodeName}`;
}

function resourceArn(model: ServiceModel, ctx: RequestContext, key: ResourceKey): string {
  const account = model.meshOwner ?? ctx.accountId;
  const mesh = `arn:${ctx.partition}:appmesh:${ctx.region}:${account}:mesh/${model.meshName}`;
  switch (key.kind) {
    case 'route':
      return `${mesh}/virtualRouter/${key.parent}/route/${key.name}`;
    case 'gatewayRoute':
      return `${mesh}/virtualGateway/${key.parent}/gatewayRoute/${key.name}`;
    default:
      return `${mesh}/${key.kind}/${key.name}`;
  }
}

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

interface PreparedPatch {
  readonly version: VersionModel;
  readonly state: FamilyState;
  readonly input: RegisterTaskDefinitionCommandInput;
  readonly source: DescribedRevision;
  readonly inputKey: string;
}

export interface AppMeshBackendOptions {
  readonly onCall?: (record: CallRecord) => void;
}

export function createAppMeshBackend(
  clients: AwsClients,
  options: AppMeshBackendOptions = {},
): ServiceBackend {
  const meshApiFor = (m: ServiceModel) =>
    createMeshApi(
      clients.appMesh,
      { meshName: m.meshName, ...(m.meshOwner ? { meshOwner: m.meshOwner } : {}) },
      options.onCall,
    );
  const ecsApi = createTaskDefinitionApi(clients.ecs, options.onCall);

  async function preparePatches(
    model: ServiceModel,
    states: ReadonlyMap<string, FamilyState>,
    ctx: RequestContext,
  ): Promise<PreparedPatch[]> {
    const userTags = model.tags.map((t) => ({ key: t.key, value: t.value }));
    return Promise.all(
      model.versions
        .filter((v) => v.taskDefinition)
        .map(async (version) => {
          const ref = version.taskDefinition!;
          const state = states.get(ref.family)!;
          const source = await resolveSource(ecsApi, ref, state);
          const input = buildEnvoyPatch({
            source: source.taskDefinition,
            sourceTags: source.tags.map((t) => ({ ...t })),
            meshName: model.meshName,
            ...(model.meshOwner && model.meshOwner !== ctx.accountId ? { meshOwner: model.meshOwner } : {}),
            virtualNodeName: version.nodeName,
            virtualNodeArn: nodeArn(model, ctx, version.nodeName),
            region: ctx.region,
            listenerPorts: [model.port],
            envoy: { ...model.envoy, egressIgnoredPorts: [...model.envoy.egressIgnoredPorts] },
            ownerTags: ownershipTags(ctx.owner),
          });
          // The Tags property applies to patched revisions too; it wins over a source tag of the same key.
          const userKeys = new Set(userTags.map((t) => t.key));
          input.tags = [...(input.tags ?? []).filter((t) => !userKeys.has(t.key ?? '')), ...userTags];
          return { version, state, input, source, inputKey: inputKeyOf(model, version, ctx) };
        }),
    );
  }

  async function readFamilies(
    names: readonly string[],
    ctx: RequestContext,
  ): Promise<Map<string, FamilyState>> {
    const states = await Promise.all(names.map((f) => readFamily(ecsApi, f, ctx.owner)));
    return new Map(states.map((s) => [s.family, s]));
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
      data.GatewayRouteName = model.gateway.routeName;
      data.GatewayRouteArn = arnOf({
        kind: 'gatewayRoute',
        name: model.gateway.routeName,
        parent: model.gateway.virtualGatewayName,
      });
    }
    if (model.versions.some((v) => v.taskDefinition)) {
      data.EnvoyImage = envoyImage(ctx.region, model.envoy);
    }
    return data;
  }

  const ledgerOf = (observed: ReadonlyMap<string, Observed>): string[] => [
    ...new Set(
      [...observed.values()]
        .filter((o) => o.key.kind === 'virtualNode' && o.ownership?.kind === 'ours')
        .flatMap((o) => retiredFamiliesIn(o.tags)),
    ),
  ];

  /** After a successful apply: deregister owned revisions that are neither current nor previous. */
  async function cleanRevisions(
    previous: ServiceModel | undefined,
    current: ReadonlyMap<string, string>,
    states: ReadonlyMap<string, FamilyState>,
    ledger: readonly string[],
    ctx: RequestContext,
  ): Promise<void> {
    const keep = new Set(current.values());
    if (previous) {
      // The previous output of each version is found by the input key of the previous properties.
      for (const v of previous.versions) {
        if (!v.taskDefinition) continue;
        const state = states.get(v.taskDefinition.family);
        const prior = state && revisionForInputKey(state, inputKeyOf(previous, v, ctx));
        if (prior) keep.add(prior.arn);
      }
    } else {
      // Without the previous properties nothing proves which revision CloudFormation may roll back to.
      for (const s of states.values()) for (const r of s.owned) keep.add(r.arn);
    }
    const stale = ledger.filter((f) => !states.has(f));
    const staleStates = await readFamilies(stale, ctx);
    for (const state of [...states.values(), ...staleStates.values()]) {
      await deregisterOwned(ecsApi, state, keep, ctx.log);
    }
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
      const api = meshApiFor(desired);
      const newFamilies = families(desired);
      const retired = families(previous).filter((f) => !newFamilies.includes(f));
      if (retired.length > MAX_RETIRED_FAMILIES) {
        throw new MeshServiceError(
          `this update retires ${retired.length} task definition families (${retired.join(', ')}); at most ${MAX_RETIRED_FAMILIES} can be kept for rollback at once — retire fewer versions per update`,
        );
      }
      const desiredResources = desiredMesh(desired, {
        owner: ctx.owner,
        retiredFamilies: retired,
        ledgerTags: retiredFamilyTags,
      });
      const keys = [...desiredResources.map((r) => r.key), ...(previous ? managedKeys(previous) : [])];
      // Previous resources are described in the previous mesh only when the mesh is the same (in-place update).
      const previousTagKeys = previous ? previous.tags.map((t) => t.key) : [];

      // Read phase: nothing changes until every check has passed.
      const [, observed, states] = await Promise.all([
        checkMesh(api, desired),
        observe(api, keys, ctx.owner),
        readFamilies([...newFamilies, ...retired], ctx),
      ]);
      const meshPlan = plan(desiredResources, observed, previousTagKeys);
      const patches = await preparePatches(desired, states, ctx);
      log.info('plan', {
        actions: meshPlan.actions.map(
          (a) => `${a.op} ${a.key.kind} ${a.key.parent ? `${a.key.parent}/` : ''}${a.key.name}`,
        ),
        taskDefinitions: patches.map((p) => p.version.taskDefinition?.text),
      });

      // Write phase.
      const journal = new Journal();
      const registered: string[] = [];
      const current = new Map<string, string>();
      let arns = new Map<string, string>();
      try {
        await settleAll([
          execute(meshPlan, { api, log, requestId: ctx.requestId, journal }).then((a) => {
            arns = a;
          }),
          ...patches.map(async (p) => {
            const result = await ensureRevision(
              ecsApi,
              {
                state: p.state,
                source: p.source,
                input: p.input,
                inputKey: p.inputKey,
                removableTagKeys: previousTagKeys,
              },
              log,
            );
            if (result.registered) registered.push(result.arn);
            current.set(p.version.nodeName, result.arn);
          }),
        ]);
      } catch (error) {
        if (request.fresh) await undoFreshApply(api, journal, registered, error, ctx);
        throw error;
      }

      try {
        await cleanRevisions(previous, current, states, ledgerOf(observed), ctx);
      } catch (error) {
        // The service works; an old revision left ACTIVE is deregistered by the next update or the Delete.
        log.warn('could not deregister old task definition revisions', { error });
      }
      return attributes(desired, ctx, arns, current);
    },

    async remove(model: ServiceModel, ctx: RequestContext): Promise<void> {
      const api = meshApiFor(model);
      const observed = await observe(api, managedKeys(model), ctx.owner);
      const removal = plan([], observed, []);
      const ledger = ledgerOf(observed);
      await settleAll([
        execute(removal, { api, log: ctx.log, requestId: ctx.requestId }),
        (async () => {
          const states = await readFamilies([...new Set([...families(model), ...ledger])], ctx);
          for (const state of states.values()) await deregisterOwned(ecsApi, state, new Set(), ctx.log);
        })(),
      ]);
    },
  };

  async function undoFreshApply(
    api: MeshApi,
    journal: Journal,
    registered: readonly string[],
    error: unknown,
    ctx: RequestContext,
  ): Promise<void> {
    ctx.beginCleanup();
    ctx.log.warn('apply failed; removing what this request created', {
      error,
      created: journal.created.map((k) => keyId(k)),
      registered,
    });
    const problems = await undoCreates(journal, { api, log: ctx.log, requestId: ctx.requestId });
    for (const arn of registered) {
      try {
        await ecsApi.deregister(arn);
      } catch (e) {
        problems.push(`${arn}: ${(e as Error).message}`);
      }
    }
    if (problems.length) ctx.log.error('cleanup after failed create left resources behind', { problems });
  }
}
