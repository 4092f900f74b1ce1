/**
 * The ECS Service Connect backend: realises a service model with ECS Service Connect. Service Connect settings live
 * on the ECS service, which the template owns; so this backend checks (or, when asked, creates) the Cloud Map
 * namespace, registers the task-definition revision prepared for Service Connect (task-definition.ts) with the same
 * rollback-safe lifecycle as the App Mesh backend (ecs/revisions.ts), and returns the values the template wires into
 * the AWS::ECS::Service `ServiceConnectConfiguration`. It never creates the Cloud Map service: ECS does, from the
 * discovery name.
 *
 * One apply = a read phase (the request's CloudFormation check, the namespace, the task-definition families and the
 * prepared revisions — read-only and concurrent, so every refusal happens before any change), then a write phase
 * (the namespace if it must be created, and the registrations), then the deregistration of revisions that are
 * neither current nor previous.
 */

import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
// The App Mesh attributes are returned empty, so that a template switched over still resolves its GetAtts.
import { APP_MESH_ONLY_ATTRIBUTES } from '../appmesh/attributes';
import type { CallRecord } from '../aws/call';
import type { AwsClients } from '../aws/clients';
import { createTaggingApi, type TaggedResource } from '../aws/tagging';
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
  deregisterOwned,
  type FamilyState,
  familyScopes,
  hasReusable,
  longestRevisionArns,
  ownedRevisionArns,
  readFamilies,
  readFamily,
  resolveSource,
  revisionsOfInvocation,
  withdrawRevisions,
} from '../ecs/revisions';
import {
  checkTaskDefinitionRefs,
  deregisterFamilies,
  deregisterUnkept,
  keepSet,
  type Prepared,
  prepareVersions,
  registerAll,
  registrationOf,
  retiredRecordedIn,
} from '../ecs/track';
import { MeshServiceError } from '../errors';
import { type CoreVersion, familiesOf as families } from '../model';
import {
  type KeyValue,
  type Owner,
  ofSameResource,
  ownershipOf,
  ownershipTags,
  retiredFamilyTags,
  TAG,
  tagValue,
} from '../ownership';
import { patchGrant } from '../policy';
import { digest, minus, settleAll, unique } from '../util';
import {
  type CloudMapApi,
  createCloudMapApi,
  NamespaceExistsError,
  type NamespaceInfo,
  type OperationPolling,
} from './api';
import { ingressAttributes } from './ingress';
import { createIngressRuntime, type IngressObservation, type IngressResult } from './ingress-runtime';
import { parseServiceConnectId, type ServiceConnectServiceModel } from './model';
import { proxyAttributes } from './proxy';
import { rolloutAttributes } from './rollout';
import { defaultPortName, prepareServiceConnectRevision } from './task-definition';

type Model = ServiceConnectServiceModel;

/** Bumped whenever prepareServiceConnectRevision changes what it produces for the same inputs. */
const PREPARE_FORMAT = 1;

/** A digest of everything in the properties that shapes a version's prepared revision. */
function inputKeyOf(model: Model, version: CoreVersion, ctx: RequestContext): string {
  return digest({
    format: PREPARE_FORMAT,
    backend: 'ServiceConnect',
    taskDefinition: version.taskDefinition?.text,
    port: model.port,
    protocol: model.protocol,
    region: ctx.region,
  });
}

const tagOf = (tags: readonly KeyValue[], key: string) => tags.find((t) => t.key === key)?.value;

/**
 * Who owns a namespace, when it is another Custom::MeshService: another stack, or another logical id of this one.
 * Undefined when it is this resource's (under this physical id, an earlier one or a leftover) or carries no ownership
 * tags (a template's AWS::ServiceDiscovery namespace, the platform's).
 */
function anotherResourceOwning(tags: readonly KeyValue[], owner: Owner): string | undefined {
  const ownership = ownershipOf(tags, owner);
  if (ownership.kind !== 'foreign' || tagOf(tags, TAG.owner) === undefined) return undefined;
  return ofSameResource(tags, owner) ? undefined : ownership.description;
}

/**
 * Its owner deletes a namespace it created once no Cloud Map service is in it, whoever else still relies on it; so a
 * resource that asks to create a namespace another resource owns is refused: it may only join it, declared existing.
 */
function namespaceOwnedElsewhere(namespace: string, owner: string): MeshServiceError {
  return new MeshServiceError(
    `ServiceConnect.CreateNamespace: the Cloud Map namespace "${namespace}" exists and is ${owner}, which deletes it when no service is in it any more; this resource may join it but not create it: declare it as existing (remove ServiceConnect.CreateNamespace, or set it to false), so that it is used without being owned, or give a namespace of this resource's own`,
  );
}

interface PreparedRevision {
  readonly prepared: Prepared<CoreVersion>;
  readonly state: FamilyState;
  readonly portName: string;
}

export interface ServiceConnectBackendOptions {
  readonly onCall?: (record: CallRecord) => void;
  /** How Cloud Map's asynchronous namespace operations are polled. */
  readonly polling?: OperationPolling;
}

export function createServiceConnectBackend(
  clients: AwsClients,
  options: ServiceConnectBackendOptions = {},
): ServiceBackend<Model> {
  const ecsApi = createTaskDefinitionApi(clients.ecs, options.onCall);
  const tagging = createTaggingApi(clients.tagging, options.onCall);
  const ownedRevisions = (ctx: RequestContext, owned?: readonly TaggedResource[]) =>
    ownedRevisionArns(tagging, ctx.owner, owned);
  const cloudMap: CloudMapApi = createCloudMapApi(
    clients.create(ServiceDiscoveryClient),
    options.onCall,
    options.polling,
  );
  // The gateway route's ALB listener rule and target group (ingress-runtime.ts).
  const ingress = createIngressRuntime(
    clients.create(ElasticLoadBalancingV2Client),
    clients.tagging,
    options.onCall,
  );

  /** ECS: "appProtocol is immutable in a Service Connect service. Updating this field requires a service deletion." */
  function checkProtocolChange(previous: Model | undefined, desired: Model): void {
    if (!previous || previous.protocol === desired.protocol) return;
    throw new MeshServiceError(
      `Protocol: changing ${previous.protocol} to ${desired.protocol} changes the port's appProtocol, which ECS cannot change on a live Service Connect service (it needs the ECS service deleted and created again); deploy the new protocol blue/green: a new Custom::MeshService with another ServiceName and a new ECS service, then shift the clients (docs/migration.md)`,
    );
  }

  async function prepareRevisions(
    model: Model,
    states: ReadonlyMap<string, FamilyState>,
    ctx: RequestContext,
  ): Promise<PreparedRevision[]> {
    const mayPatch = (r: DescribedRevision) =>
      patchGrant(r, ctx.stack, ctx.accountId, ctx.policy) !== undefined;
    const versions = model.versions.filter((v) => v.taskDefinition);
    const found = await Promise.all(
      versions.map((v) =>
        resolveSource(ecsApi, v.taskDefinition!, states.get(v.taskDefinition!.family)!, mayPatch),
      ),
    );
    const sources = new Map(versions.map((v, i) => [v, found[i]!] as const));
    const portNames = new Map<CoreVersion, string>();
    const prepared = prepareVersions(
      model,
      (v) => sources.get(v)!,
      (v, source) => {
        const out = prepareServiceConnectRevision({
          source: source.taskDefinition,
          sourceTags: source.tags.map((t) => ({ ...t })),
          port: model.port,
          protocol: model.protocol,
          ownerTags: ownershipTags(ctx.owner),
        });
        portNames.set(v, out.portName);
        return out.input;
      },
      'register revisions of',
      ctx,
    );
    return prepared.map((p) => ({
      prepared: p,
      state: states.get(p.source.family)!,
      portName: portNames.get(p.version)!,
    }));
  }

  /** After a successful apply: deregister owned revisions that are neither current nor a previous output. */
  async function cleanRevisions(
    previous: Model | undefined,
    current: ReadonlyMap<CoreVersion, string>,
    states: ReadonlyMap<string, FamilyState>,
    ctx: RequestContext,
  ): Promise<void> {
    // Without previous Service Connect properties nothing proves which revision CloudFormation may roll back to.
    const rollback = previous && {
      versions: previous.versions,
      inputKeyOf: (v: CoreVersion) => inputKeyOf(previous, v, ctx),
    };
    await deregisterUnkept(ecsApi, states, keepSet(states, current, ctx, rollback), ctx);
  }

  /** The namespace tags: ownership, the invocation that created it (so that only it undoes it), the Tags property. */
  const namespaceTags = (model: Model, ctx: RequestContext): KeyValue[] => [
    ...ownershipTags(ctx.owner),
    { key: TAG.invocationId, value: tagValue(ctx.invocationId) },
    ...model.tags.map((t) => ({ key: t.key, value: t.value })),
  ];

  /** The namespace the service joins: found, adopted from an earlier attempt, or created when asked. */
  async function ensureNamespace(
    model: Model,
    found: NamespaceInfo | undefined,
    ctx: RequestContext,
  ): Promise<NamespaceInfo> {
    const sc = model.serviceConnect;
    if (found) {
      if (ownershipOf(found.tags, ctx.owner).kind === 'leftover') {
        // An earlier attempt of this resource created it: this request takes it over.
        await cloudMap.tag(found.arn, ownershipTags(ctx.owner));
        ctx.log.info('adopted the namespace an earlier attempt created', { namespace: found.name });
      }
      return found;
    }
    // Per invocation, like App Mesh client tokens: a token of the request would let a twin delivery be told the
    // namespace was created when this delivery's cleanup has removed it.
    const creatorRequestId = `mesh-service-${digest(ctx.invocationId, 40)}`;
    try {
      const created = await cloudMap.createHttpNamespace(
        sc.namespace,
        namespaceTags(model, ctx),
        creatorRequestId,
      );
      ctx.log.info('created namespace', { namespace: created.name, arn: created.arn });
      return created;
    } catch (error) {
      if (!(error instanceof NamespaceExistsError)) throw error;
      // Someone created it meanwhile: another delivery of this request (it is ours: marked, so that delivery's
      // cleanup leaves it), another Custom::MeshService (refused, as if it had existed), or anyone else (then it is
      // just used, as a namespace that existed would be).
      const now = await cloudMap.findNamespace(sc.namespace);
      if (!now) throw error;
      const other = anotherResourceOwning(now.tags, ctx.owner);
      if (other) throw namespaceOwnedElsewhere(sc.namespace, other);
      if (ownershipOf(now.tags, ctx.owner).kind === 'ours') {
        await cloudMap.tag(now.arn, [{ key: TAG.adoptedBy, value: tagValue(ctx.invocationId) }]);
      }
      return now;
    }
  }

  /**
   * Deletes a namespace this resource owns when no service is in it any more. ECS creates a Cloud Map service in it
   * for every Service Connect service (of this stack or any other that joined it), so a namespace still in use is
   * left (logged), never forced. The services are counted as Cloud Map counts them: GetNamespace's ServiceCount,
   * then ListServices in the namespace, and DeleteNamespace itself refuses (ResourceInUse) while any is there.
   */
  async function removeOwnedNamespace(ns: NamespaceInfo, ctx: RequestContext, why: string): Promise<void> {
    const left = (services: number | string | readonly string[]) =>
      ctx.log.warn('namespace left in place: services still use it', { namespace: ns.name, why, services });
    if (ns.serviceCount > 0) return left(ns.serviceCount);
    const services = await cloudMap.listServices(ns.id);
    if (services.length > 0) return left(services);
    if (!(await cloudMap.deleteNamespace(ns.id))) return left('DeleteNamespace: ResourceInUse');
    ctx.log.info('deleted namespace', { namespace: ns.name, why });
  }

  /** After a failed fresh apply: remove what this invocation created — its namespace, its registrations. */
  async function undoFreshApply(
    model: Model,
    revisions: readonly PreparedRevision[],
    error: unknown,
    ctx: RequestContext,
  ): Promise<void> {
    ctx.beginCleanup();
    ctx.log.warn('apply failed; removing what this request created', { error });
    const problems: string[] = [];
    const namespace = model.serviceConnect.namespace;
    await Promise.all([
      ingress.undo(model.serviceConnect.ingress, ctx).catch((e: unknown) => {
        problems.push(`gateway listener rule and target group: ${(e as Error).message}`);
      }),
      (async () => {
        try {
          // Read back, so that a create whose answer was lost is found too; only when this very invocation created
          // it, it still carries this resource's ownership and no twin delivery has converged on it.
          const ns = await cloudMap.findNamespace(namespace);
          if (
            ns &&
            ownershipOf(ns.tags, ctx.owner).kind === 'ours' &&
            tagOf(ns.tags, TAG.invocationId) === tagValue(ctx.invocationId) &&
            tagOf(ns.tags, TAG.adoptedBy) === undefined
          ) {
            await removeOwnedNamespace(ns, ctx, 'undo of a failed create');
          }
        } catch (e) {
          problems.push(`namespace ${namespace}: ${(e as Error).message}`);
        }
      })(),
      ...unique(revisions.map((p) => p.state.family)).map(async (family) => {
        try {
          const now = await readFamily(ecsApi, family, ctx.owner, familyScopes([model])(family));
          await withdrawRevisions(ecsApi, revisionsOfInvocation(now, ctx.invocationId), ctx, ctx.log);
        } catch (e) {
          problems.push(`family ${family}: ${(e as Error).message}`);
        }
      }),
    ]);
    if (problems.length) ctx.log.error('cleanup after the failed create left resources behind', { problems });
  }

  function attributes(
    model: Model,
    namespaceArn: string,
    portName: string,
    taskDefinitionArns: ReadonlyMap<CoreVersion, string>,
    gateway?: IngressResult,
  ): Attributes {
    const sc = model.serviceConnect;
    const data: Attributes = {};
    // The App Mesh attributes resolve to nothing, so that the GetAtts of a template switched over still resolve.
    for (const name of APP_MESH_ONLY_ATTRIBUTES) data[name] = '';
    for (const v of model.versions) {
      if (v.name === undefined) continue;
      data[`Versions.${v.name}.VirtualNodeName`] = '';
      data[`Versions.${v.name}.VirtualNodeArn`] = '';
      const td = taskDefinitionArns.get(v);
      if (td) data[`Versions.${v.name}.TaskDefinitionArn`] = td;
    }
    // With two versions (a rollout), the one the ECS service runs.
    const runs = sc.rollout?.runs;
    const single =
      model.versions.length === 1 ? model.versions[0] : runs !== undefined ? model.versions[runs] : undefined;
    const td = single && taskDefinitionArns.get(single);
    if (td) data.TaskDefinitionArn = td;
    data.NamespaceArn = namespaceArn;
    data.PortName = portName;
    data.DiscoveryName = sc.clientAlias ? sc.discoveryName : '';
    data.ClientAliasDnsName = sc.clientAlias?.dnsName ?? '';
    data.ClientAliasPort = sc.clientAlias ? String(sc.clientAlias.port) : '';
    data.AppProtocol = sc.appProtocol ?? '';
    if (sc.timeout?.idleSeconds !== undefined) data.IdleTimeoutSeconds = String(sc.timeout.idleSeconds);
    if (sc.timeout?.perRequestSeconds !== undefined)
      data.PerRequestTimeoutSeconds = String(sc.timeout.perRequestSeconds);
    Object.assign(data, rolloutAttributes(sc.rollout), proxyAttributes(sc.proxy), ingressAttributes(gateway));
    return data;
  }

  return {
    predictAttributes(model, ctx) {
      const longest = longestRevisionArns(model.versions, ctx);
      const namespaceArn = `arn:${ctx.partition}:servicediscovery:${ctx.region}:${ctx.accountId}:namespace/ns-${'x'.repeat(16)}`;
      const ingressArns = model.serviceConnect.ingress && {
        targetGroupArn: `arn:${ctx.partition}:elasticloadbalancing:${ctx.region}:${ctx.accountId}:targetgroup/${'x'.repeat(32)}/${'x'.repeat(16)}`,
        ruleArn: `${model.serviceConnect.ingress.listenerArn.replace(':listener/', ':listener-rule/')}/${'x'.repeat(16)}`,
        priority: 50000,
      };
      return attributes(model, namespaceArn, 'x'.repeat(64), longest, ingressArns);
    },

    async apply(request: ApplyRequest<Model>, ctx: RequestContext): Promise<Attributes> {
      const { desired, previous } = request;
      const sc = desired.serviceConnect;
      const log = ctx.log;
      for (const warning of sc.warnings) log.warn('not carried over to Service Connect', { ...warning });
      checkProtocolChange(previous, desired);
      checkTaskDefinitionRefs(desired.versions, ctx, 'prepares');
      const attempt = request.earlierAttempt;
      const newFamilies = families(desired);
      const retiredNow = minus(families(previous), newFamilies);
      // An earlier attempt's families are read for its leftover revisions only (deregistered, never recorded).
      const attemptFamilies = minus(minus(families(attempt), newFamilies), retiredNow);
      const attemptNamespace =
        attempt && attempt.serviceConnect.namespace !== sc.namespace
          ? attempt.serviceConnect.namespace
          : undefined;
      const previousTagKeys = previous ? previous.tags.map((t) => t.key) : [];

      // Read phase: nothing changes until every check has passed.
      const familyNames = [...newFamilies, ...retiredNow, ...attemptFamilies];
      const userTags = desired.tags.map((t) => ({ key: t.key, value: t.value }));
      const [, found, states, attemptNs, gatewayFound] = await readAuthorized(ctx, [
        cloudMap.findNamespace(sc.namespace),
        readFamilies(
          ecsApi,
          familyNames,
          ctx.owner,
          familyScopes([desired, previous, attempt], familyNames.length ? ownedRevisions(ctx) : undefined),
        ),
        attemptNamespace ? cloudMap.findNamespace(attemptNamespace) : undefined,
        sc.ingress ? ingress.observe(sc.ingress, userTags, ctx) : undefined,
      ]);
      if (!found && !sc.createNamespace) {
        throw new MeshServiceError(
          `Cloud Map namespace "${sc.namespace}" not found in ${ctx.accountId}/${ctx.region}; create it first (an AWS::ServiceDiscovery::HttpNamespace or PrivateDnsNamespace, or ServiceConnectDefaults of the ECS cluster), or set ServiceConnect.CreateNamespace: true`,
        );
      }
      const otherOwner = found && anotherResourceOwning(found.tags, ctx.owner);
      if (otherOwner) {
        if (sc.createNamespace) throw namespaceOwnedElsewhere(sc.namespace, otherOwner);
        // Declared existing: it is shared, used as it is and never changed (nor deleted) by this resource.
        log.info('namespace created by another resource; used as it is', {
          namespace: found.name,
          owner: otherOwner,
        });
      }
      const prepared = await prepareRevisions(desired, states, ctx);
      // Without a TaskDefinition to prepare, the name the template's own port mapping must carry.
      const portName = prepared[0]?.portName ?? defaultPortName(desired.protocol, desired.port);
      const newStates = newFamilies.map((f) => states.get(f)!).filter(Boolean);
      // Families retired by an earlier update (or left by a failed cleanup): neither current nor previous any more.
      const stale = minus(minus(retiredRecordedIn(newStates), newFamilies), retiredNow);
      const inputsFor = (retired: readonly string[]) => {
        const ledger = retiredFamilyTags(retired);
        if (ledger.dropped.length)
          log.warn('too many retired families to record; they will not be cleaned', ledger);
        return prepared.map((p) => ({
          prepared: p,
          input: registrationOf(p.prepared, inputKeyOf(desired, p.prepared.version, ctx), ctx, ledger.tags),
        }));
      };
      const checked = inputsFor([...retiredNow, ...stale]); // ECS's limits are checked here, before any change

      // Write phase.
      const failedStale = stale.length ? [...(await deregisterFamilies(ecsApi, stale, ctx)).keys()] : [];
      const revisions =
        failedStale.length === stale.length ? checked : inputsFor([...retiredNow, ...failedStale]);
      log.info('plan', {
        namespace: found ? `use ${found.arn}` : `create ${sc.namespace}`,
        taskDefinitions: prepared.map((p) => p.prepared.version.taskDefinition?.text),
      });
      // The namespace exists and a revision is there for every version: whatever delivery of this request wrote them
      // has finished everything that could fail, so its revisions may be returned again.
      const settled = found !== undefined && revisions.every((r) => hasReusable(r.prepared.state, r.input));
      let namespace: NamespaceInfo | undefined;
      let current = new Map<CoreVersion, string>();
      let gateway: IngressResult | undefined;
      const observedGateway: IngressObservation | undefined = gatewayFound;
      try {
        await settleAll([
          sc.ingress && observedGateway
            ? ingress.apply(sc.ingress, observedGateway, userTags, ctx).then((g) => {
                gateway = g;
              })
            : Promise.resolve(),
          ensureNamespace(desired, found, ctx).then((ns) => {
            namespace = ns;
          }),
          registerAll(
            ecsApi,
            revisions.map((r) => ({
              version: r.prepared.prepared.version,
              state: r.prepared.state,
              source: r.prepared.prepared.source,
              input: r.input,
            })),
            previousTagKeys,
            settled,
            ctx,
          ).then((c) => {
            current = c;
          }),
        ]);
      } catch (error) {
        if (request.fresh) await undoFreshApply(desired, prepared, error, ctx);
        throw error;
      }

      if (attemptNs && ownershipOf(attemptNs.tags, ctx.owner).kind === 'leftover') {
        try {
          await removeOwnedNamespace(attemptNs, ctx, 'left by an earlier attempt');
        } catch (error) {
          log.warn('could not remove the namespace an earlier attempt left', { error });
        }
      }
      try {
        await cleanRevisions(previous, current, states, ctx);
      } catch (error) {
        // The service works. What could not be deregistered stays owned and is found again by the next update.
        log.warn('could not deregister old task definition revisions', { error });
      }
      try {
        // The previous target group stays for a rollback (the ECS service may still use it); the rest goes.
        if (gateway && observedGateway) {
          const keep = previous?.serviceConnect.ingress
            ? [previous.serviceConnect.ingress.targetGroup.name]
            : [];
          await ingress.cleanup(observedGateway, gateway, keep, ctx);
        } else if (previous?.serviceConnect.ingress || attempt?.serviceConnect.ingress)
          await ingress.remove(previous?.serviceConnect.ingress ?? attempt?.serviceConnect.ingress, ctx);
      } catch (error) {
        // Owned and tagged: the next update or the Delete finds it again.
        log.warn('could not remove the listener rules or target groups left behind', { error });
      }
      return attributes(desired, namespace!.arn, portName, current, gateway);
    },

    async remove(request: RemoveRequest<Model>, ctx: RequestContext): Promise<void> {
      const identity = parseServiceConnectId(request.physicalId);
      if (!identity) throw new Error(`not a Service Connect physical id: ${request.physicalId}`);
      // The Delete's properties name the families (whatever identity they have: only this id's revisions are
      // touched, by their ownership tags).
      const declared = families(request.model);
      const owned = declared.length ? ownedRevisions(ctx, request.owned) : undefined;
      const [, ns, states] = await readAuthorized(ctx, [
        cloudMap.findNamespace(identity.namespace),
        readFamilies(ecsApi, declared, ctx.owner, familyScopes([request.model], owned, true)),
      ]);
      const retired = minus(retiredRecordedIn(states.values()), declared);
      await settleAll([
        // Whatever the properties say: a rule or target group left by an update is found by its tags.
        ingress.remove(request.model?.serviceConnect.ingress, ctx, request.owned),
        ...[...states.values()].map((state) => deregisterOwned(ecsApi, state, new Set(), ctx.log)),
        (async () => {
          const [first] = await deregisterFamilies(ecsApi, retired, ctx);
          if (first)
            throw new MeshServiceError(
              `could not deregister the task definitions of family "${first[0]}": ${first[1]}`,
            );
        })(),
        ns && ownershipOf(ns.tags, ctx.owner).kind === 'ours'
          ? removeOwnedNamespace(ns, ctx, 'delete')
          : Promise.resolve(),
      ]);
    },
  };
}
