/**
 * The Service Connect ingress at run time: the ALB listener rule and the target group a resource with a Gateway owns
 * (ingress.ts), read, changed and removed like everything else the provider owns. `observe` is the read phase (the
 * listener, its rules and their tags, the target group by its name and tags, everything this logical resource owns
 * by tag) and refuses — before any change — a missing listener, a priority another rule holds and a target group name
 * someone else holds; `apply` is the write phase (the target group first, then the rule that forwards to it), changing
 * only what differs; `cleanup` removes what an update left behind (rules on a former listener, target groups neither
 * current nor previous, kept for a rollback), `undo` what a failed Create made (read back, by its invocation's tag),
 * `remove` everything on Delete (rules before target groups: ELB refuses to delete a target group a rule uses).
 */
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { CallRecord } from '../aws/call';
import { createTaggingApi, type TaggedResource } from '../aws/tagging';
import type { RequestContext } from '../backend';
import { MeshServiceError } from '../errors';
import { type KeyValue, type Ownership, ownershipOf, ownershipTags, TAG, tagValue } from '../ownership';
import { stableStringify } from '../util';
import { type AlbHealthCheck, derivePriority, INGRESS_OWNED_TYPES, type IngressModel } from './ingress';
import {
  createIngressApi,
  type IngressApi,
  type ObservedRule,
  type ObservedTargetGroup,
  PriorityInUseError,
  TargetGroupNameTakenError,
} from './ingress-api';

const OWNABLE = INGRESS_OWNED_TYPES;

interface Owned {
  readonly arn: string;
  readonly tags: readonly KeyValue[];
  readonly ownership: Ownership;
}

export interface IngressObservation {
  readonly vpcId: string;
  /** Our rule on the listener (or a leftover of an earlier attempt, adopted), if there is one. */
  readonly rule?: ObservedRule & { readonly leftover: boolean };
  readonly priority: number;
  readonly targetGroup?: ObservedTargetGroup & { readonly leftover: boolean };
  /** Rules and target groups of this logical resource that are ours or leftovers, for the cleanup. */
  readonly removable: { readonly rules: readonly string[]; readonly targetGroups: readonly Owned[] };
}

export interface IngressResult {
  readonly targetGroupArn: string;
  readonly ruleArn: string;
  readonly priority: number;
}

const isRule = (arn: string) => arn.includes(':listener-rule/');
const mayTake = (o: Ownership) => o.kind === 'ours' || o.kind === 'leftover';

/** A condition or transform as a comparable string, whichever way ELB describes it. */
function canonicalCondition(c: unknown): string {
  const x = c as Record<string, unknown>;
  const field = String(x.Field);
  const config = Object.entries(x).find(([k]) => k.endsWith('Config'))?.[1] as
    | { Values?: unknown[]; HttpHeaderName?: string }
    | undefined;
  const values = (config?.Values ?? (x.Values as unknown[] | undefined) ?? []).map((v) => stableStringify(v));
  return stableStringify({ field, header: config?.HttpHeaderName?.toLowerCase(), values: values.sort() });
}

function canonicalTransform(t: unknown): string {
  const x = t as Record<string, { Rewrites?: unknown[] } | string>;
  const config = (x.UrlRewriteConfig ?? x.HostHeaderRewriteConfig) as { Rewrites?: unknown[] } | undefined;
  return stableStringify({ type: x.Type, rewrites: config?.Rewrites ?? [] });
}

const sameSet = (a: readonly unknown[], b: readonly unknown[], key: (x: unknown) => string) =>
  stableStringify(a.map(key).sort()) === stableStringify(b.map(key).sort());

function healthCheckDiffers(actual: AlbHealthCheck, desired: AlbHealthCheck): boolean {
  return stableStringify(actual) !== stableStringify(desired);
}

export interface IngressRuntime {
  observe(model: IngressModel, tags: readonly KeyValue[], ctx: RequestContext): Promise<IngressObservation>;
  apply(
    model: IngressModel,
    observed: IngressObservation,
    tags: readonly KeyValue[],
    ctx: RequestContext,
  ): Promise<IngressResult>;
  cleanup(
    observed: IngressObservation,
    result: IngressResult,
    keepNames: readonly string[],
    ctx: RequestContext,
  ): Promise<void>;
  undo(model: IngressModel | undefined, ctx: RequestContext): Promise<void>;
  /** `found`: what the owner's tags found already (RemoveRequest.owned), else searched here. */
  remove(
    model: IngressModel | undefined,
    ctx: RequestContext,
    found?: readonly TaggedResource[],
  ): Promise<void>;
}

export function createIngressRuntime(
  elb: ElasticLoadBalancingV2Client,
  taggingClient: ResourceGroupsTaggingAPIClient,
  onCall?: (record: CallRecord) => void,
): IngressRuntime {
  const api: IngressApi = createIngressApi(elb, onCall);
  const tagging = createTaggingApi(taggingClient, onCall);

  const ownedOf = (found: readonly TaggedResource[], ctx: RequestContext): Owned[] =>
    found.map((r) => ({ arn: r.arn, tags: r.tags, ownership: ownershipOf(r.tags, ctx.owner) }));

  /** The rules of a listener with their tags (undefined when the listener is gone). */
  async function taggedRules(listenerArn: string) {
    const rules = await api.rules(listenerArn);
    const custom = rules.filter((r) => r.priority !== 'default');
    const tags = await api.tagsOf(custom.map((r) => r.arn));
    return custom.map((r) => ({ ...r, tags: tags.get(r.arn) ?? [] }));
  }

  const createdBy = (tags: readonly KeyValue[], ctx: RequestContext) =>
    ownershipOf(tags, ctx.owner).kind === 'ours' &&
    tags.find((t) => t.key === TAG.invocationId)?.value === tagValue(ctx.invocationId) &&
    !tags.some((t) => t.key === TAG.adoptedBy);

  return {
    async observe(model, _tags, ctx) {
      const [listener, owned, tg] = await Promise.all([
        api.describeListener(model.listenerArn),
        tagging.ownedBy(ctx.owner, OWNABLE),
        api.findTargetGroup(model.targetGroup.name),
      ]);
      if (!listener)
        throw new MeshServiceError(
          `Gateway.ListenerArn: listener ${model.listenerArn} not found in ${ctx.accountId}/${ctx.region}; give the ALB listener the platform exports (MeshPlatform with serviceConnectIngress)`,
        );
      const [rules, tgTags, lbVpc] = await Promise.all([
        taggedRules(listener.arn),
        tg ? api.tagsOf([tg.arn]) : new Map<string, KeyValue[]>(),
        model.targetGroup.vpcId === undefined ? api.vpcOfLoadBalancer(listener.loadBalancerArn) : undefined,
      ]);
      const vpcId = model.targetGroup.vpcId ?? lbVpc;
      if (!vpcId)
        throw new MeshServiceError(
          `Gateway.VpcId: the VPC of the load balancer of ${model.listenerArn} could not be read; give Gateway.VpcId`,
        );
      let targetGroup: IngressObservation['targetGroup'];
      if (tg) {
        const ownership = ownershipOf(tgTags.get(tg.arn) ?? [], ctx.owner);
        if (!mayTake(ownership))
          throw new MeshServiceError(
            `Gateway: the target group name ${tg.name} is taken by a target group ${ownership.kind === 'foreign' ? ownership.description : ''}; it is not this resource's and is left alone`,
          );
        targetGroup = { ...tg, leftover: ownership.kind === 'leftover' };
      }
      const mine = rules
        .map((r) => ({ ...r, ownership: ownershipOf(r.tags, ctx.owner) }))
        .filter((r) => mayTake(r.ownership))
        .sort((a, b) => (a.priority as number) - (b.priority as number));
      const current = mine[0];
      const holder = (n: number) => rules.find((r) => r.priority === n && r.arn !== current?.arn);
      let priority: number;
      if (model.priority !== undefined) {
        const other = holder(model.priority);
        if (other) {
          const o = ownershipOf(other.tags, ctx.owner);
          throw new MeshServiceError(
            `Gateway.RulePriority: priority ${model.priority} of listener ${model.listenerArn} is held by rule ${other.arn} (${o.kind === 'ours' ? 'another rule of this resource' : o.description}); give another RulePriority, or leave it out to derive a free one`,
          );
        }
        priority = model.priority;
      } else if (current) priority = current.priority as number;
      else {
        const taken = new Set(rules.map((r) => r.priority as number));
        const derived = derivePriority(ctx.owner.physicalId, taken);
        if (derived === undefined)
          throw new MeshServiceError(
            `Gateway.RulePriority: listener ${model.listenerArn} has no free priority left; give one`,
          );
        priority = derived;
      }
      const ownedAll = ownedOf(owned, ctx).filter((o) => mayTake(o.ownership));
      const removableRules = new Set([
        ...ownedAll.filter((o) => isRule(o.arn)).map((o) => o.arn),
        ...mine.slice(1).map((r) => r.arn),
      ]);
      if (current) removableRules.delete(current.arn);
      return {
        vpcId,
        ...(current ? { rule: { ...current, leftover: current.ownership.kind === 'leftover' } } : {}),
        priority,
        ...(targetGroup ? { targetGroup } : {}),
        removable: {
          rules: [...removableRules],
          targetGroups: ownedAll.filter((o) => !isRule(o.arn)),
        },
      };
    },

    async apply(model, observed, tags, ctx) {
      const log = ctx.log;
      const createTags = [
        ...ownershipTags(ctx.owner),
        { key: TAG.invocationId, value: tagValue(ctx.invocationId) },
        ...tags,
      ];
      // The target group first: the rule forwards to it.
      let targetGroupArn: string;
      const found = observed.targetGroup;
      if (found) {
        targetGroupArn = found.arn;
        if (found.leftover) await api.addTags(found.arn, ownershipTags(ctx.owner));
        if (healthCheckDiffers(found.healthCheck, model.targetGroup.healthCheck)) {
          await api.modifyHealthCheck(found.arn, model.targetGroup.healthCheck);
          log.info('modified target group health check', { targetGroup: found.name });
        }
      } else {
        try {
          targetGroupArn = await api.createTargetGroup(model.targetGroup, observed.vpcId, createTags);
          log.info('created target group', { targetGroup: model.targetGroup.name, arn: targetGroupArn });
        } catch (error) {
          if (!(error instanceof TargetGroupNameTakenError)) throw error;
          // Another delivery of this request created it meanwhile: converge on it if it is ours.
          const now = await api.findTargetGroup(model.targetGroup.name);
          const nowTags = now ? ((await api.tagsOf([now.arn])).get(now.arn) ?? []) : [];
          if (!now || !mayTake(ownershipOf(nowTags, ctx.owner))) throw error;
          await api.addTags(now.arn, [{ key: TAG.adoptedBy, value: tagValue(ctx.invocationId) }]);
          targetGroupArn = now.arn;
        }
      }
      const spec = {
        conditions: model.conditions,
        transforms: model.transforms,
        targetGroupArn,
      };
      const rule = observed.rule;
      if (rule) {
        if (rule.leftover) await api.addTags(rule.arn, ownershipTags(ctx.owner));
        const differs =
          !sameSet(rule.conditions, model.conditions, canonicalCondition) ||
          !sameSet(rule.transforms, model.transforms, canonicalTransform) ||
          stableStringify(rule.targetGroupArns) !== stableStringify([targetGroupArn]);
        if (differs) {
          await api.modifyRule(rule.arn, spec);
          log.info('modified listener rule', { rule: rule.arn });
        }
        if (rule.priority !== observed.priority) {
          try {
            await api.setPriority(rule.arn, observed.priority);
          } catch (error) {
            if (!(error instanceof PriorityInUseError)) throw error;
            throw new MeshServiceError(
              `Gateway.RulePriority: priority ${observed.priority} was taken on listener ${model.listenerArn} meanwhile; give another`,
            );
          }
        }
        return { targetGroupArn, ruleArn: rule.arn, priority: observed.priority };
      }
      try {
        const created = await api.createRule(model.listenerArn, observed.priority, spec, createTags);
        log.info('created listener rule', { rule: created.arn, priority: observed.priority });
        return { targetGroupArn, ruleArn: created.arn, priority: observed.priority };
      } catch (error) {
        if (!(error instanceof PriorityInUseError)) throw error;
        throw new MeshServiceError(
          `Gateway.RulePriority: priority ${observed.priority} was taken on listener ${model.listenerArn} meanwhile (another rule was created at once); retry, or give another RulePriority`,
        );
      }
    },

    async cleanup(observed, result, keepNames, ctx) {
      const rules = observed.removable.rules.filter((arn) => arn !== result.ruleArn);
      await Promise.all(rules.map((arn) => api.deleteRule(arn)));
      const name = (arn: string) => arn.split(':').at(-1)?.split('/')[1] ?? '';
      const stale = observed.removable.targetGroups.filter(
        (t) => t.arn !== result.targetGroupArn && !keepNames.includes(name(t.arn)),
      );
      for (const t of stale) {
        if (await api.deleteTargetGroup(t.arn)) ctx.log.info('deleted target group', { targetGroup: t.arn });
        else ctx.log.warn('target group still in use; left for the next update', { targetGroup: t.arn });
      }
      if (rules.length) ctx.log.info('deleted listener rules left behind', { rules });
    },

    async undo(model, ctx) {
      if (!model) return;
      // Read back, so that a create whose answer was lost is found too; only what this very invocation created.
      const listener = await api.describeListener(model.listenerArn);
      const rules = listener ? await taggedRules(listener.arn) : [];
      await Promise.all(rules.filter((r) => createdBy(r.tags, ctx)).map((r) => api.deleteRule(r.arn)));
      const tg = await api.findTargetGroup(model.targetGroup.name);
      if (tg) {
        const tags = (await api.tagsOf([tg.arn])).get(tg.arn) ?? [];
        if (createdBy(tags, ctx) && !(await api.deleteTargetGroup(tg.arn)))
          ctx.log.warn('target group created by the failed request is in use; left', { targetGroup: tg.arn });
      }
    },

    async remove(model, ctx, found) {
      const elb = found?.filter((r) => r.arn.includes(':elasticloadbalancing:'));
      const owned = ownedOf(elb ?? (await tagging.ownedBy(ctx.owner, OWNABLE)), ctx).filter(
        (o) => o.ownership.kind === 'ours',
      );
      const rules = new Set(owned.filter((o) => isRule(o.arn)).map((o) => o.arn));
      const groups = new Set(owned.filter((o) => !isRule(o.arn)).map((o) => o.arn));
      // The properties name the listener and the target group: read them too (the tagging index may lag).
      if (model) {
        const listener = await api.describeListener(model.listenerArn);
        if (listener)
          for (const r of await taggedRules(listener.arn))
            if (ownershipOf(r.tags, ctx.owner).kind === 'ours') rules.add(r.arn);
        const tg = await api.findTargetGroup(model.targetGroup.name);
        if (tg && ownershipOf((await api.tagsOf([tg.arn])).get(tg.arn) ?? [], ctx.owner).kind === 'ours')
          groups.add(tg.arn);
      }
      await Promise.all([...rules].map((arn) => api.deleteRule(arn)));
      for (const arn of groups) {
        if (!(await api.deleteTargetGroup(arn)))
          throw new MeshServiceError(
            `could not delete target group ${arn}: it is still in use (ResourceInUse); remove what forwards to it, then delete again`,
          );
      }
    },
  };
}
