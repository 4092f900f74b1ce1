/**
 * The VPC Lattice backend: realises a service model as a Lattice service associated with the platform's service
 * network, a target group per version (each version's ECS service registers its tasks in it through
 * `VpcLatticeConfigurations`), a listener on `Port` and a rule per route, and optionally an auth policy and an access
 * log subscription; beside it, the task-definition track registers each version's revision prepared for Lattice (App
 * Mesh artefacts stripped, the port named: serviceconnect/task-definition.ts under its Lattice profile).
 *
 * One apply = the read phase (the request's CloudFormation check; the service by name, the VPC's target groups, the
 * service network and everything the logical resource owns by tag; then each of those by id with its tags), the
 * ownership and window checks and the pure plan (plan.ts), then the writes, each started as soon as what it needs
 * exists: service and target groups; listener, association, auth policy and access logs; rules. A failed Create
 * removes what it created (read back, only while it still carries this invocation's tags).
 */

import { VPCLatticeClient } from '@aws-sdk/client-vpc-lattice';
import { checkWindow } from '../appmesh/owned';
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
  ownedRevisionArns,
  readFamilies,
  readFamily,
  resolveSource,
  revisionsOfInvocation,
} from '../ecs/revisions';
import {
  checkTaskDefinitionRefs,
  deregisterFamilies,
  deregisterUnkept,
  keepSet,
  prepareVersions,
  registerAll,
  registrationOf,
  retiredRecordedIn,
} from '../ecs/track';
import { MeshServiceError } from '../errors';
import { type CoreVersion, familiesOf as families } from '../model';
import {
  type KeyValue,
  ownershipOf,
  ownershipTags,
  retiredFamilyTags,
  TAG,
  tagValue,
  windowClaim,
} from '../ownership';
import { patchGrant } from '../policy';
import {
  defaultPortName,
  prepareServiceConnectRevision,
  VPC_LATTICE_PROFILE,
} from '../serviceconnect/task-definition';
import { digest, minus, settleAll, unique } from '../util';
import { createLatticeApi, type LatticeApi, type Ref } from './api';
import { predictVpcLatticeAttributes, vpcLatticeAttributes } from './attributes';
import { checkTargetGroupMove, parseVpcLatticeId, type VpcLatticeServiceModel } from './model';
import { type FirstReads, idsOfArn, OWNABLE_TYPES, observeLattice } from './observe';
import { actionByArn, immutableChanges, type ObservedLattice, planLattice } from './plan';

type Model = VpcLatticeServiceModel;

/** Bumped whenever the prepared revision changes for the same inputs. */
const PREPARE_FORMAT = 1;

function inputKeyOf(model: Model, version: CoreVersion, ctx: RequestContext): string {
  return digest({
    format: PREPARE_FORMAT,
    backend: 'VpcLattice',
    taskDefinition: version.taskDefinition?.text,
    port: model.port,
    protocol: model.protocol,
    region: ctx.region,
  });
}

export interface VpcLatticeBackendOptions {
  readonly onCall?: (record: CallRecord) => void;
}

/** What one apply created, in order, for the undo of a failed Create. */
interface Created {
  service?: Ref;
  readonly targetGroups: Ref[];
}

export function createVpcLatticeBackend(
  clients: AwsClients,
  options: VpcLatticeBackendOptions = {},
): ServiceBackend<Model> {
  const lattice: LatticeApi = createLatticeApi(clients.create(VPCLatticeClient), options.onCall);
  const tagging = createTaggingApi(clients.tagging, options.onCall);
  const ownedRevisions = (ctx: RequestContext, owned?: readonly TaggedResource[]) =>
    ownedRevisionArns(tagging, ctx.owner, owned);
  const ecsApi = createTaskDefinitionApi(clients.ecs, options.onCall);

  /** The tags of what this invocation creates: ownership, the invocation (so that only it undoes it), Tags. */
  const createdTags = (model: Model, ctx: RequestContext): KeyValue[] => [
    ...ownershipTags(ctx.owner),
    { key: TAG.invocationId, value: tagValue(ctx.invocationId) },
    ...model.tags.map((t) => ({ key: t.key, value: t.value })),
  ];
  /** A client token per invocation and resource: a retried call is the same call, a twin delivery another. */
  const tokenOf = (ctx: RequestContext, what: string) => digest({ invocation: ctx.invocationId, what }, 40);

  async function firstReads(model: Model): Promise<FirstReads & { networkArn?: string }> {
    const vl = model.vpcLattice;
    const [service, targetGroups, network] = await Promise.all([
      lattice.findService(vl.serviceName),
      lattice.listTargetGroups(vl.vpcId),
      lattice.findServiceNetwork(vl.serviceNetwork),
    ]);
    return {
      ...(service ? { service } : {}),
      targetGroups,
      owned: [],
      ...(network ? { networkArn: network.arn } : {}),
    };
  }

  /**
   * A service and everything it holds, and the target groups its rules name. Its associations go first (Lattice
   * refuses to delete an associated service), and beside them its listeners ("When you delete a listener, all its
   * rules are automatically deleted", VPC Lattice user guide): then no rule names the target groups any more ("You
   * can't delete a target group if it is used in a listener rule", DeleteTargetGroup), and they are deleted beside
   * DeleteService, which deletes "all resources related to the service, such as the resource policy, auth policy,
   * listeners, listener rules, and access log subscriptions" (VPC Lattice API reference, DeleteService). A target
   * group still in use then (a listener made after the read) is deleted again once the service is gone. Without
   * listeners or target groups given (an undo, a leftover), the caller deletes its target groups after.
   */
  async function removeService(
    serviceId: string,
    associations?: readonly { readonly id: string }[],
    listeners: readonly { readonly id: string }[] = [],
    targetGroups: readonly string[] = [],
  ): Promise<void> {
    const found = associations ?? (await lattice.listAssociations(serviceId));
    await settleAll([
      ...found.map((a) => lattice.disassociate(a.id)),
      ...listeners.map((l) => lattice.deleteListener(serviceId, l.id)),
    ]);
    const [serviceDeleted, ...groupsDeleted] = await Promise.allSettled([
      lattice.deleteService(serviceId),
      ...targetGroups.map((arn) => lattice.deleteTargetGroup(arn)),
    ]);
    const again = targetGroups.filter((_, i) => groupsDeleted[i]!.status === 'rejected');
    if (serviceDeleted!.status === 'rejected') throw serviceDeleted.reason;
    await settleAll(again.map((arn) => lattice.deleteTargetGroup(arn)));
  }

  /**
   * What an earlier attempt of this resource left under another physical id no request holds (a replacement whose
   * answer CloudFormation never got): its services and target groups, each removed only while its tags, read now,
   * still say it is a leftover.
   */
  async function removeLeftovers(
    services: readonly string[],
    groups: readonly { readonly arn: string }[],
    ctx: RequestContext,
  ): Promise<void> {
    if (services.length === 0 && groups.length === 0) return;
    const leftover = (tags: readonly KeyValue[] | undefined) =>
      tags !== undefined && ownershipOf(tags, ctx.owner).kind === 'leftover';
    const removed = await Promise.all(
      services.map(async (arn) => {
        if (!leftover(await lattice.tagsOf(arn))) return [];
        const id = idsOfArn(arn);
        if (id?.kind !== 'service') return [];
        await removeService(id.serviceId);
        ctx.log.info('removed the Lattice service an earlier attempt left', { service: arn });
        return [arn];
      }),
    );
    // Their target groups, once no rule names them: those the tags find, of any leftover physical id.
    const owned = await tagging.ownedBy(ctx.owner, OWNABLE_TYPES);
    const candidates = unique([
      ...groups.map((g) => g.arn),
      ...(removed.flat().length
        ? owned.filter((r) => idsOfArn(r.arn)?.kind === 'targetGroup').map((r) => r.arn)
        : []),
    ]);
    await settleAll(
      candidates.map(async (arn) => {
        if (leftover(await lattice.tagsOf(arn))) await lattice.deleteTargetGroup(arn);
      }),
    );
  }

  /** After a failed fresh apply: remove what this invocation created, read back by name. */
  async function undoFreshApply(
    model: Model,
    created: Created,
    error: unknown,
    ctx: RequestContext,
  ): Promise<void> {
    ctx.beginCleanup();
    ctx.log.warn('apply failed; removing what this request created', { error });
    const problems: string[] = [];
    const mine = (tags: readonly KeyValue[] | undefined) =>
      tags !== undefined &&
      ownershipOf(tags, ctx.owner).kind === 'ours' &&
      tags.find((t) => t.key === TAG.invocationId)?.value === tagValue(ctx.invocationId) &&
      !tags.some((t) => t.key === TAG.adoptedBy);
    const vl = model.vpcLattice;
    try {
      // A create whose answer was lost is found by its name.
      const [service, groups] = await Promise.all([
        created.service ?? lattice.findService(vl.serviceName),
        lattice.listTargetGroups(vl.vpcId),
      ]);
      if (service && mine(await lattice.tagsOf(service.arn))) await removeService(service.id);
      const names = new Set(vl.targetGroups.map((t) => t.name));
      const candidates = unique(
        [...created.targetGroups, ...groups.filter((g) => names.has(g.name))].map((g) => g.arn),
      );
      await settleAll(
        candidates.map(async (arn) => {
          try {
            if (mine(await lattice.tagsOf(arn))) await lattice.deleteTargetGroup(arn);
          } catch (e) {
            problems.push(`target group ${arn}: ${(e as Error).message}`);
          }
        }),
      );
    } catch (e) {
      problems.push(`service ${vl.serviceName}: ${(e as Error).message}`);
    }
    await Promise.all(
      unique(families(model)).map(async (family) => {
        try {
          const now = await readFamily(ecsApi, family, ctx.owner, familyScopes([model])(family));
          const own = new Set(revisionsOfInvocation(now, ctx.invocationId).map((r) => r.arn));
          await deregisterOwned(
            ecsApi,
            now,
            new Set(now.owned.map((r) => r.arn).filter((a) => !own.has(a))),
            ctx.log,
          );
        } catch (e) {
          problems.push(`family ${family}: ${(e as Error).message}`);
        }
      }),
    );
    if (problems.length) ctx.log.error('cleanup after the failed create left resources behind', { problems });
  }

  /**
   * The writes of a plan, each started once what it needs exists: the service and the target groups first; the
   * listener, association, auth policy and access logs once the service (and the target groups they name) exist;
   * the rules once the listener does and the rules they replace are gone; the deletions last.
   */
  async function execute(
    model: Model,
    observed: ObservedLattice,
    networkArn: string,
    adopt: readonly string[],
    created: Created,
    ctx: RequestContext,
    window: string | undefined,
  ): Promise<{ service: Ref; arns: Map<string, string> }> {
    const vl = model.vpcLattice;
    const plan = planLattice(vl, observed, networkArn);
    ctx.log.info('plan', { changes: plan.changes });
    const tags = createdTags(model, ctx);
    const claim = window ? [windowClaim(window, ctx.requestId)] : [];
    const arns = new Map([...observed.targetGroups.values()].map((t) => [t.name, t.arn] as const));

    const service: Promise<Ref> = observed.service
      ? Promise.resolve(observed.service)
      : lattice
          .createService({
            name: vl.serviceName,
            customDomainName: vl.customDomainName,
            authType: vl.authType,
            ...(vl.certificateArn ? { certificateArn: vl.certificateArn } : {}),
            tags: [...tags, ...claim],
            clientToken: tokenOf(ctx, 'service'),
          })
          .then((s) => {
            created.service = s;
            return s;
          });
    const groups = Promise.all(
      plan.createTargetGroups.map(async (tg) => {
        const r = await lattice.createTargetGroup(tg, tags, tokenOf(ctx, `tg/${tg.name}`));
        created.targetGroups.push(r);
        arns.set(tg.name, r.arn);
      }),
    );
    const arnOf = (name: string) => arns.get(name);
    const byArn = (a: Parameters<typeof actionByArn>[0]) => actionByArn(a, arnOf)!;
    const listener: Promise<{ id: string }> = observed.listener
      ? Promise.resolve(observed.listener)
      : Promise.all([service, groups]).then(([s]) =>
          lattice.createListener(
            s.id,
            {
              name: vl.listener.name,
              protocol: vl.listener.protocol,
              port: vl.listener.port,
              defaultAction: byArn(vl.listener.defaultAction),
            },
            tags,
            tokenOf(ctx, 'listener'),
          ),
        );
    const deletedRules = Promise.all(
      plan.deleteRules.map(async (r) => {
        const s = await service;
        const l = await listener;
        await lattice.deleteRule(s.id, l.id, r.id);
      }),
    );
    const writes: Promise<unknown>[] = [
      service,
      groups,
      listener,
      deletedRules,
      // Adopted from an earlier attempt: this physical id takes it over. The window is claimed on the service.
      ...adopt.map((arn) => lattice.tag(arn, ownershipTags(ctx.owner))),
      ...(observed.service && claim.length ? [lattice.tag(observed.service.arn, claim)] : []),
      ...(plan.updateService ? [lattice.updateService(observed.service!.id, plan.updateService)] : []),
      ...plan.updateHealthChecks.map((u) => lattice.updateHealthCheck(u.arn, u.healthCheck)),
      ...(plan.updateDefaultAction
        ? [
            groups.then(() =>
              lattice.updateDefaultAction(
                observed.service!.id,
                observed.listener!.id,
                byArn(plan.updateDefaultAction!),
              ),
            ),
          ]
        : []),
      ...(plan.associate
        ? [
            service.then((s) =>
              lattice.associate(s.id, plan.associate!, tags, tokenOf(ctx, `association/${plan.associate}`)),
            ),
          ]
        : []),
      ...(plan.putAuthPolicy ? [service.then((s) => lattice.putAuthPolicy(s.arn, plan.putAuthPolicy!))] : []),
      ...(plan.deleteAuthPolicy ? [lattice.deleteAuthPolicy(observed.service!.arn)] : []),
      ...(plan.createAccessLog
        ? [
            service.then((s) =>
              lattice.createAccessLog(s.arn, plan.createAccessLog!, tags, tokenOf(ctx, 'access-log')),
            ),
          ]
        : []),
      ...(plan.updateAccessLog
        ? [lattice.updateAccessLog(plan.updateAccessLog.arn, plan.updateAccessLog.destinationArn)]
        : []),
      ...plan.createRules.map(async (r) => {
        const [s, l] = await Promise.all([service, listener, groups, deletedRules]);
        await lattice.createRule(
          s.id,
          l.id,
          { name: r.name, priority: r.priority, match: r.match, action: byArn(r.action) },
          tags,
          tokenOf(ctx, `rule/${r.name}`),
        );
      }),
      ...plan.updateRules.map(async (u) => {
        const rule = observed.rules.get(u.name)!;
        if (u.action) await groups;
        if (u.priority !== undefined) await deletedRules;
        await lattice.updateRule(observed.service!.id, observed.listener!.id, rule.id, {
          ...(u.priority !== undefined ? { priority: u.priority } : {}),
          ...(u.match ? { match: u.match } : {}),
          ...(u.action ? { action: byArn(u.action) } : {}),
        });
      }),
    ];
    await settleAll(writes);
    // What nothing refers to any more goes last: the rules that named a target group are updated or deleted.
    await settleAll([
      ...plan.disassociate.map((a) => lattice.disassociate(a.id)),
      ...plan.deleteAccessLogs.map((a) => lattice.deleteAccessLog(a.id)),
      ...plan.deleteTargetGroups.map((t) => lattice.deleteTargetGroup(t.arn)),
    ]);
    return { service: await service, arns };
  }

  return {
    predictAttributes: predictVpcLatticeAttributes,

    async apply(request: ApplyRequest<Model>, ctx: RequestContext): Promise<Attributes> {
      const { desired, previous } = request;
      const vl = desired.vpcLattice;
      const log = ctx.log;
      for (const warning of vl.warnings) log.warn('not carried over to VPC Lattice', { ...warning });
      checkTaskDefinitionRefs(desired.versions, ctx, 'prepares');
      checkTargetGroupMove(previous, desired);
      const newFamilies = families(desired);
      const retiredNow = minus(families(previous), newFamilies);
      const wanted = new Map(
        desired.versions.map((v, i) => [
          v.targetGroupName,
          v.name === undefined
            ? 'ServiceName'
            : v.targetGroupName === `${desired.serviceName}-${v.name}`
              ? `Versions[${i}].Name`
              : `Versions[${i}].TargetGroupName`,
        ]),
      );

      // Read phase: nothing changes until every check has passed. Two chains run side by side: Lattice (the lists
      // and the tagged, then each found resource by id with its tags) and ECS (the families, then the sources).
      const mayPatch = (r: DescribedRevision) =>
        patchGrant(r, ctx.stack, ctx.accountId, ctx.policy) !== undefined;
      const versions = desired.versions.filter((v) => v.taskDefinition);
      // An earlier attempt's service is looked for by its name too (GetResources may not list it yet).
      const attemptName = request.earlierAttempt?.vpcLattice.serviceName;
      const latticeReads = Promise.all([
        firstReads(desired),
        tagging.ownedBy(ctx.owner, OWNABLE_TYPES),
        attemptName && attemptName !== vl.serviceName ? lattice.findService(attemptName) : undefined,
      ]).then(async ([first, owned, attemptService]) => {
        if (!first.networkArn)
          throw new MeshServiceError(
            `VpcLattice.ServiceNetwork: the service network "${vl.serviceNetwork}" was not found in ${ctx.accountId}/${ctx.region}; create it first (the platform's AWS::VpcLattice::ServiceNetwork), or name an existing one by name, id or ARN`,
          );
        const observation = await observeLattice(lattice, { ...first, owned }, wanted, ctx.owner);
        // Services of this logical resource under other names: an earlier attempt's leftovers, removed after.
        const otherServices = unique([
          ...owned.filter((r) => idsOfArn(r.arn)?.kind === 'service').map((r) => r.arn),
          ...(attemptService ? [attemptService.arn] : []),
        ]).filter((arn) => arn !== observation.observed.service?.arn);
        return { networkArn: first.networkArn, otherServices, ...observation };
      });
      const familyNames = [...newFamilies, ...retiredNow];
      const sourceReads = readFamilies(
        ecsApi,
        familyNames,
        ctx.owner,
        familyScopes(
          [desired, previous, request.earlierAttempt],
          familyNames.length ? ownedRevisions(ctx) : undefined,
        ),
      ).then(async (states) => ({
        states,
        found: await Promise.all(
          versions.map((v) =>
            resolveSource(ecsApi, v.taskDefinition!, states.get(v.taskDefinition!.family)!, mayPatch),
          ),
        ),
      }));
      const [
        window,
        { networkArn, observed, tagSets, adopt, otherServices, leftoverTargetGroups },
        { states, found },
      ] = await readAuthorized(ctx, [latticeReads, sourceReads]);
      // One request per window: anything the logical resource owns may carry another request's claim on it.
      checkWindow(window, tagSets, ctx);
      const immutable = immutableChanges(vl, observed);
      if (immutable.length) throw new MeshServiceError(immutable.join('; '));
      const sources = new Map(versions.map((v, i) => [v as CoreVersion, found[i]!] as const));
      const portNames: string[] = [];
      const prepared = prepareVersions(
        desired,
        (v) => sources.get(v)!,
        (_v, source) => {
          const out = prepareServiceConnectRevision({
            source: source.taskDefinition,
            sourceTags: source.tags.map((t) => ({ ...t })),
            port: desired.port,
            protocol: desired.protocol,
            ownerTags: ownershipTags(ctx.owner),
            profile: VPC_LATTICE_PROFILE,
          });
          portNames.push(out.portName);
          return out.input;
        },
        'register revisions of',
        ctx,
      );
      const portName = portNames[0] ?? defaultPortName(desired.protocol, desired.port);
      // The ledger of retired families, on every revision registered (Lattice resources keep no record of them):
      // those this update retires, and those an earlier one recorded and no update has cleaned yet (deregistered
      // after this apply succeeds).
      const newStates = newFamilies.map((f) => states.get(f)!).filter(Boolean);
      const stale = minus(minus(retiredRecordedIn(newStates), newFamilies), retiredNow);
      const ledger = retiredFamilyTags([...retiredNow, ...stale]);
      if (ledger.dropped.length)
        log.warn('too many retired families to record; they will not be cleaned', ledger);
      const revisions = prepared.map((p) => ({
        version: p.version,
        state: states.get(p.source.family)!,
        source: p.source,
        // ECS's limits, before any change.
        input: registrationOf(p, inputKeyOf(desired, p.version, ctx), ctx, ledger.tags),
      }));

      // Write phase.
      const created: Created = { targetGroups: [] };
      const settled = observed.service !== undefined && revisions.every((r) => hasReusable(r.state, r.input));
      let result: { service: Ref; arns: Map<string, string> } | undefined;
      let current = new Map<CoreVersion, string>();
      try {
        await settleAll([
          execute(desired, observed, networkArn, adopt, created, ctx, window?.id).then((r) => {
            result = r;
          }),
          registerAll(ecsApi, revisions, previous ? previous.tags.map((t) => t.key) : [], settled, ctx).then(
            (c) => {
              current = c as Map<CoreVersion, string>;
            },
          ),
        ]);
      } catch (error) {
        if (request.fresh) await undoFreshApply(desired, created, error, ctx);
        throw error;
      }
      try {
        const rollback = previous && {
          versions: previous.versions,
          inputKeyOf: (v: CoreVersion) => inputKeyOf(previous, v, ctx),
        };
        await deregisterUnkept(ecsApi, states, keepSet(states, current, ctx, rollback), ctx);
        await deregisterFamilies(ecsApi, stale, ctx);
      } catch (error) {
        log.warn('could not deregister old task definition revisions', { error });
      }
      try {
        await removeLeftovers(otherServices, leftoverTargetGroups, ctx);
      } catch (error) {
        // The service works. A leftover still carries its tags: the next step of the resource, or cleanup, finds it.
        log.warn('could not remove what an earlier attempt left', { error });
      }
      return vpcLatticeAttributes(desired, result!.service.arn, networkArn, result!.arns, portName, current);
    },

    async remove(request: RemoveRequest<Model>, ctx: RequestContext): Promise<void> {
      const identity = parseVpcLatticeId(request.physicalId);
      if (!identity) throw new Error(`not a VPC Lattice physical id: ${request.physicalId}`);
      const model = request.model;
      const ours = (tags: readonly KeyValue[] | undefined) =>
        tags !== undefined && ownershipOf(tags, ctx.owner).kind === 'ours';
      // Target groups: those the Delete's properties name and those the tags say this physical id owns; each is
      // deleted only when its own tags (read now) say so. The service likewise. ECS's families are read beside.
      const names = new Set((model?.versions ?? []).map((v) => v.targetGroupName));
      const latticeReads = Promise.all([
        lattice.findService(identity.serviceName),
        request.owned ?? tagging.ownedBy(ctx.owner, OWNABLE_TYPES),
        model ? lattice.listTargetGroups(model.vpcLattice.vpcId) : Promise.resolve([]),
      ]).then(async ([service, owned, groups]) => {
        const candidates = unique([
          ...groups.filter((g) => names.has(g.name)).map((g) => g.arn),
          ...owned.filter((r) => idsOfArn(r.arn)?.kind === 'targetGroup').map((r) => r.arn),
        ]);
        const [serviceTags, associations, listeners, groupTags] = await Promise.all([
          service ? lattice.tagsOf(service.arn) : Promise.resolve(undefined),
          service ? lattice.listAssociations(service.id) : Promise.resolve([]),
          service ? lattice.listListeners(service.id) : Promise.resolve([]),
          Promise.all(candidates.map((arn) => lattice.tagsOf(arn))),
        ]);
        return { service, serviceTags, associations, listeners, candidates, groupTags };
      });
      const [, { service, serviceTags, associations, listeners, candidates, groupTags }, states] =
        await readAuthorized(ctx, [
          latticeReads,
          readFamilies(
            ecsApi,
            families(model),
            ctx.owner,
            familyScopes(
              [model],
              families(model).length ? ownedRevisions(ctx, request.owned) : undefined,
              true,
            ),
          ),
        ]);
      if (service && serviceTags && !ours(serviceTags))
        ctx.log.warn('the Lattice service of this name is not this resource; left in place', {
          service: service.arn,
        });
      await settleAll([
        (async () => {
          const groups = candidates.filter((_, i) => ours(groupTags[i]));
          if (!service || !ours(serviceTags)) {
            await settleAll(groups.map((arn) => lattice.deleteTargetGroup(arn)));
            return;
          }
          await removeService(service.id, associations, listeners, groups);
        })(),
        ...[...states.values()].map((state: FamilyState) =>
          deregisterOwned(ecsApi, state, new Set(), ctx.log),
        ),
        // Families retired by earlier updates, as the ledger on the revisions records them.
        (async () => {
          const retired = minus(retiredRecordedIn(states.values()), families(model));
          const [first] = await deregisterFamilies(ecsApi, retired, ctx);
          if (first)
            throw new MeshServiceError(
              `could not deregister the task definitions of family "${first[0]}": ${first[1]}`,
            );
        })(),
      ]);
    },
  };
}
