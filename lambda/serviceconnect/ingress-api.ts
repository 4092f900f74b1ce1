/**
 * The narrow Elastic Load Balancing v2 interface of the Service Connect ingress (ingress.ts): the calls it makes on a
 * listener, its rules and the target group, "not found" as a value (`undefined`), SDK errors as one-line messages.
 */
import {
  AddTagsCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  type ElasticLoadBalancingV2Client,
  ModifyRuleCommand,
  ModifyTargetGroupCommand,
  type RuleCondition,
  type RuleTransform,
  SetRulePrioritiesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { type CallRecord, caller, errorName, failCall } from '../aws/call';
import type { KeyValue } from '../ownership';
import type { AlbCondition, AlbHealthCheck, AlbTransform, IngressTargetGroup } from './ingress';

export interface ObservedListener {
  readonly arn: string;
  readonly loadBalancerArn: string;
}

export interface ObservedRule {
  readonly arn: string;
  readonly priority: number | 'default';
  readonly conditions: readonly unknown[];
  readonly transforms: readonly unknown[];
  /** The target groups its forward action names. */
  readonly targetGroupArns: readonly string[];
}

export interface ObservedTargetGroup {
  readonly arn: string;
  readonly name: string;
  readonly healthCheck: AlbHealthCheck;
  readonly loadBalancerArns: readonly string[];
}

/** CreateTargetGroup answered DuplicateTargetGroupName: the name is taken, with other settings. */
export class TargetGroupNameTakenError extends Error {}
/** CreateRule or SetRulePriorities answered PriorityInUse. */
export class PriorityInUseError extends Error {}

export interface IngressApi {
  describeListener(arn: string): Promise<ObservedListener | undefined>;
  /** The VPC of a load balancer. */
  vpcOfLoadBalancer(arn: string): Promise<string | undefined>;
  /** Every rule of a listener, the default one included. */
  rules(listenerArn: string): Promise<ObservedRule[]>;
  findTargetGroup(name: string): Promise<ObservedTargetGroup | undefined>;
  /** Tags of these resources (20 a call); a resource gone meanwhile is left out. */
  tagsOf(arns: readonly string[]): Promise<Map<string, KeyValue[]>>;
  createTargetGroup(tg: IngressTargetGroup, vpcId: string, tags: readonly KeyValue[]): Promise<string>;
  modifyHealthCheck(arn: string, h: AlbHealthCheck): Promise<void>;
  /** False when the target group is still in use (ResourceInUse). */
  deleteTargetGroup(arn: string): Promise<boolean>;
  createRule(
    listenerArn: string,
    priority: number,
    rule: RuleSpec,
    tags: readonly KeyValue[],
  ): Promise<ObservedRule>;
  modifyRule(arn: string, rule: RuleSpec): Promise<void>;
  setPriority(arn: string, priority: number): Promise<void>;
  /** A rule already gone is not an error. */
  deleteRule(arn: string): Promise<void>;
  addTags(arn: string, tags: readonly KeyValue[]): Promise<void>;
}

export interface RuleSpec {
  readonly conditions: readonly AlbCondition[];
  readonly transforms: readonly AlbTransform[];
  readonly targetGroupArn: string;
}

const NOT_FOUND = new Set([
  'ListenerNotFoundException',
  'ListenerNotFound',
  'LoadBalancerNotFoundException',
  'LoadBalancerNotFound',
  'TargetGroupNotFoundException',
  'TargetGroupNotFound',
  'RuleNotFoundException',
  'RuleNotFound',
]);
const isNotFound = (e: unknown) => NOT_FOUND.has(errorName(e));
const toTags = (tags: readonly KeyValue[]) => tags.map((t) => ({ Key: t.key, Value: t.value }));

interface RawRule {
  RuleArn?: string;
  Priority?: string;
  Conditions?: unknown[];
  Transforms?: unknown[];
  Actions?: {
    Type?: string;
    TargetGroupArn?: string;
    ForwardConfig?: { TargetGroups?: { TargetGroupArn?: string }[] };
  }[];
}

function observedRule(r: RawRule): ObservedRule {
  const forward = (r.Actions ?? []).find((a) => a.Type === 'forward');
  const arns = forward?.ForwardConfig?.TargetGroups?.map((t) => t.TargetGroupArn ?? '') ?? [];
  return {
    arn: r.RuleArn ?? '',
    priority: r.Priority === 'default' || r.Priority === undefined ? 'default' : Number(r.Priority),
    conditions: r.Conditions ?? [],
    transforms: r.Transforms ?? [],
    targetGroupArns: arns.length ? arns : forward?.TargetGroupArn ? [forward.TargetGroupArn] : [],
  };
}

const ruleInput = (rule: RuleSpec) => ({
  Conditions: rule.conditions as unknown as RuleCondition[],
  Actions: [{ Type: 'forward' as const, TargetGroupArn: rule.targetGroupArn }],
});

export function createIngressApi(
  client: ElasticLoadBalancingV2Client,
  onCall: (record: CallRecord) => void = () => {},
): IngressApi {
  const call = caller(client, onCall);
  return {
    async describeListener(arn) {
      try {
        const out = await call<{ Listeners?: { ListenerArn?: string; LoadBalancerArn?: string }[] }>(
          'DescribeListeners',
          arn,
          new DescribeListenersCommand({ ListenerArns: [arn] }),
        );
        const l = out.Listeners?.[0];
        return l ? { arn: l.ListenerArn ?? arn, loadBalancerArn: l.LoadBalancerArn ?? '' } : undefined;
      } catch (e) {
        if (isNotFound(e)) return undefined;
        return failCall('DescribeListeners', `of listener ${arn}`, e);
      }
    },

    async vpcOfLoadBalancer(arn) {
      try {
        const out = await call<{ LoadBalancers?: { VpcId?: string }[] }>(
          'DescribeLoadBalancers',
          arn,
          new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] }),
        );
        return out.LoadBalancers?.[0]?.VpcId;
      } catch (e) {
        if (isNotFound(e)) return undefined;
        return failCall('DescribeLoadBalancers', `of load balancer ${arn}`, e);
      }
    },

    async rules(listenerArn) {
      const found: ObservedRule[] = [];
      let marker: string | undefined;
      try {
        do {
          const page = await call<{ Rules?: RawRule[]; NextMarker?: string }>(
            'DescribeRules',
            listenerArn,
            new DescribeRulesCommand({ ListenerArn: listenerArn, ...(marker ? { Marker: marker } : {}) }),
          );
          found.push(...(page.Rules ?? []).map(observedRule));
          marker = page.NextMarker || undefined;
        } while (marker);
      } catch (e) {
        return failCall('DescribeRules', `of listener ${listenerArn}`, e);
      }
      return found;
    },

    async findTargetGroup(name) {
      try {
        const out = await call<{
          TargetGroups?: {
            TargetGroupArn?: string;
            TargetGroupName?: string;
            HealthCheckPath?: string;
            HealthCheckPort?: string;
            HealthCheckIntervalSeconds?: number;
            HealthCheckTimeoutSeconds?: number;
            HealthyThresholdCount?: number;
            UnhealthyThresholdCount?: number;
            Matcher?: { HttpCode?: string; GrpcCode?: string };
            LoadBalancerArns?: string[];
          }[];
        }>('DescribeTargetGroups', name, new DescribeTargetGroupsCommand({ Names: [name] }));
        const t = out.TargetGroups?.[0];
        if (!t) return undefined;
        return {
          arn: t.TargetGroupArn ?? '',
          name: t.TargetGroupName ?? name,
          healthCheck: {
            path: t.HealthCheckPath ?? '',
            port: t.HealthCheckPort ?? '',
            intervalSeconds: t.HealthCheckIntervalSeconds ?? 0,
            timeoutSeconds: t.HealthCheckTimeoutSeconds ?? 0,
            healthyThreshold: t.HealthyThresholdCount ?? 0,
            unhealthyThreshold: t.UnhealthyThresholdCount ?? 0,
            matcher: {
              ...(t.Matcher?.HttpCode !== undefined ? { HttpCode: t.Matcher.HttpCode } : {}),
              ...(t.Matcher?.GrpcCode !== undefined ? { GrpcCode: t.Matcher.GrpcCode } : {}),
            },
          },
          loadBalancerArns: t.LoadBalancerArns ?? [],
        };
      } catch (e) {
        if (isNotFound(e)) return undefined;
        return failCall('DescribeTargetGroups', `of target group ${name}`, e);
      }
    },

    async tagsOf(arns) {
      const out = new Map<string, KeyValue[]>();
      const describe = async (batch: readonly string[]) => {
        const page = await call<{
          TagDescriptions?: { ResourceArn?: string; Tags?: { Key?: string; Value?: string }[] }[];
        }>('DescribeTags', batch.join(','), new DescribeTagsCommand({ ResourceArns: [...batch] }));
        for (const d of page.TagDescriptions ?? [])
          if (d.ResourceArn)
            out.set(
              d.ResourceArn,
              (d.Tags ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' })),
            );
      };
      for (let i = 0; i < arns.length; i += 20) {
        const batch = arns.slice(i, i + 20);
        try {
          await describe(batch);
        } catch (e) {
          if (!isNotFound(e)) return failCall('DescribeTags', `of ${batch.join(', ')}`, e);
          // One of them is gone meanwhile: ask one by one, leaving out what is gone.
          for (const arn of batch) {
            try {
              await describe([arn]);
            } catch (x) {
              if (!isNotFound(x)) return failCall('DescribeTags', `of ${arn}`, x);
            }
          }
        }
      }
      return out;
    },

    async createTargetGroup(tg, vpcId, tags) {
      const h = tg.healthCheck;
      try {
        const out = await call<{ TargetGroups?: { TargetGroupArn?: string }[] }>(
          'CreateTargetGroup',
          tg.name,
          new CreateTargetGroupCommand({
            Name: tg.name,
            TargetType: 'ip',
            Protocol: 'HTTP',
            ProtocolVersion: tg.protocolVersion,
            Port: tg.port,
            VpcId: vpcId,
            HealthCheckEnabled: true,
            HealthCheckProtocol: 'HTTP',
            HealthCheckPath: h.path,
            HealthCheckPort: h.port,
            HealthCheckIntervalSeconds: h.intervalSeconds,
            HealthCheckTimeoutSeconds: h.timeoutSeconds,
            HealthyThresholdCount: h.healthyThreshold,
            UnhealthyThresholdCount: h.unhealthyThreshold,
            Matcher: { ...h.matcher },
            Tags: toTags(tags),
          }),
        );
        return out.TargetGroups?.[0]?.TargetGroupArn ?? '';
      } catch (e) {
        if (errorName(e).startsWith('DuplicateTargetGroupName'))
          throw new TargetGroupNameTakenError(`target group ${tg.name} exists with other settings`);
        return failCall('CreateTargetGroup', `of target group ${tg.name}`, e);
      }
    },

    async modifyHealthCheck(arn, h) {
      try {
        await call(
          'ModifyTargetGroup',
          arn,
          new ModifyTargetGroupCommand({
            TargetGroupArn: arn,
            HealthCheckPath: h.path,
            HealthCheckPort: h.port,
            HealthCheckIntervalSeconds: h.intervalSeconds,
            HealthCheckTimeoutSeconds: h.timeoutSeconds,
            HealthyThresholdCount: h.healthyThreshold,
            UnhealthyThresholdCount: h.unhealthyThreshold,
            Matcher: { ...h.matcher },
          }),
        );
      } catch (e) {
        return failCall('ModifyTargetGroup', `of target group ${arn}`, e);
      }
    },

    async deleteTargetGroup(arn) {
      try {
        await call('DeleteTargetGroup', arn, new DeleteTargetGroupCommand({ TargetGroupArn: arn }));
        return true;
      } catch (e) {
        if (isNotFound(e)) return true;
        if (errorName(e).startsWith('ResourceInUse')) return false;
        return failCall('DeleteTargetGroup', `of target group ${arn}`, e);
      }
    },

    async createRule(listenerArn, priority, rule, tags) {
      try {
        const out = await call<{ Rules?: RawRule[] }>(
          'CreateRule',
          listenerArn,
          new CreateRuleCommand({
            ListenerArn: listenerArn,
            Priority: priority,
            ...ruleInput(rule),
            ...(rule.transforms.length ? { Transforms: rule.transforms as unknown as RuleTransform[] } : {}),
            Tags: toTags(tags),
          }),
        );
        return observedRule(out.Rules?.[0] ?? {});
      } catch (e) {
        if (errorName(e).startsWith('PriorityInUse'))
          throw new PriorityInUseError(`priority ${priority} of listener ${listenerArn} is in use`);
        return failCall('CreateRule', `on listener ${listenerArn}`, e);
      }
    },

    async modifyRule(arn, rule) {
      try {
        await call(
          'ModifyRule',
          arn,
          new ModifyRuleCommand({
            RuleArn: arn,
            ...ruleInput(rule),
            ...(rule.transforms.length
              ? { Transforms: rule.transforms as unknown as RuleTransform[] }
              : { ResetTransforms: true }),
          }),
        );
      } catch (e) {
        return failCall('ModifyRule', `of rule ${arn}`, e);
      }
    },

    async setPriority(arn, priority) {
      try {
        await call(
          'SetRulePriorities',
          arn,
          new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: arn, Priority: priority }] }),
        );
      } catch (e) {
        if (errorName(e).startsWith('PriorityInUse'))
          throw new PriorityInUseError(`priority ${priority} is in use`);
        return failCall('SetRulePriorities', `of rule ${arn}`, e);
      }
    },

    async deleteRule(arn) {
      try {
        await call('DeleteRule', arn, new DeleteRuleCommand({ RuleArn: arn }));
      } catch (e) {
        if (isNotFound(e)) return;
        return failCall('DeleteRule', `of rule ${arn}`, e);
      }
    },

    async addTags(arn, tags) {
      try {
        await call('AddTags', arn, new AddTagsCommand({ ResourceArns: [arn], Tags: toTags(tags) }));
      } catch (e) {
        return failCall('AddTags', `to ${arn}`, e);
      }
    },
  };
}
