/**
 * Elastic Load Balancing v2, the Application Load Balancer side a Service Connect gateway needs: load balancers,
 * listeners, listener rules, target groups (instance and ip targets), targets and tags. State is per calling account
 * (an ARN of another account answers as an unknown one), in memory; every method returns the operation's output
 * members or throws a ServiceError.
 *
 * Semantics and where they come from (API reference of each operation unless said otherwise; the rules on values are
 * in rules.ts):
 * - CreateLoadBalancer, CreateTargetGroup and CreateListener are idempotent: "If you attempt to create multiple
 *   target groups with the same settings, each call succeeds" (likewise load balancers, and listeners on the same
 *   port); the same name (port) with other settings is DuplicateTargetGroupName / DuplicateLoadBalancerName /
 *   DuplicateListener.
 * - A listener has a default rule (Priority "default", IsDefault, no conditions) holding its DefaultActions; it
 *   cannot be deleted nor given a priority (OperationNotPermitted) and its conditions cannot be changed.
 * - Rule priorities are unique per listener: CreateRule and SetRulePriorities answer PriorityInUse ("The specified
 *   priority is in use").
 * - A target group an action references cannot be deleted: "You can delete a target group if it is not referenced
 *   by any actions" (ResourceInUse). DeleteTargetGroup of an unknown target group succeeds (its model lists no
 *   TargetGroupNotFound). DeleteLoadBalancer "deletes ... its attached listeners" (and their rules), and succeeds
 *   when "the load balancer does not exist or has already been deleted"; DeleteListener deletes its rules.
 * - A target group of an Application Load Balancer serves one load balancer: forwarding to one another load balancer
 *   uses answers TargetGroupAssociationLimit; its protocol must be HTTP or HTTPS (IncompatibleProtocols).
 * - Targets: an ip target group takes IP addresses (InvalidTarget otherwise); a target's port defaults to the target
 *   group's. DescribeTargetHealth: the emulator runs no health check: a registered target is `healthy` once a load
 *   balancer uses its target group, `unused` (Target.NotInUse) before; an unregistered one `unused`
 *   (Target.NotRegistered) — ours.
 * - Forward actions are described as ELB describes them: a single TargetGroupArn also appears as a ForwardConfig of
 *   weight 1, and a ForwardConfig of one target group also as TargetGroupArn.
 * Ours: load balancers are `active` at once (AWS: `provisioning` first), in one made-up VPC; list orders are
 * creation order; error wordings unless quoted.
 */
import { randomBytes } from 'node:crypto';
import { elbv2Errors } from '../errors';
import type { TagSnapshot } from '../types';
import { type JsonObject, nowEpochSeconds, paginate } from '../util';
import {
  CANONICAL_HOSTED_ZONE_ID,
  DEFAULT_IP_ADDRESS_TYPE,
  DEFAULT_LOAD_BALANCER_TYPE,
  DEFAULT_PAGE_SIZE,
  DEFAULT_RULE_PRIORITY,
  DEFAULT_SCHEME,
  EMULATED_VPC,
  httpTargetGroupDefaults,
} from './defaults';
import {
  checkActions,
  checkConditions,
  checkResourceName,
  checkTagKeys,
  checkTransforms,
  forwardTargets,
  QUOTA,
} from './rules';

export interface CallContext {
  readonly account: string;
}

interface Record_ {
  readonly seq: number;
  readonly arn: string;
  readonly account: string;
}

interface LoadBalancer extends Record_ {
  readonly name: string;
  readonly settings: JsonObject;
  readonly createdTime: number;
}

interface Listener extends Record_ {
  readonly loadBalancerArn: string;
  settings: JsonObject;
}

interface Rule extends Record_ {
  readonly listenerArn: string;
  priority: number | 'default';
  conditions: JsonObject[];
  actions: JsonObject[];
  transforms: JsonObject[];
}

interface Target {
  readonly Id: string;
  readonly Port: number;
  readonly AvailabilityZone?: string;
}

interface TargetGroup extends Record_ {
  readonly name: string;
  /** The CreateTargetGroup settings with ELB's defaults filled in (ModifyTargetGroup changes the health check). */
  settings: JsonObject;
  readonly creation: string;
  readonly targets: Map<string, Target>;
}

export interface Elbv2Snapshot {
  readonly loadBalancers: readonly JsonObject[];
  readonly listeners: readonly JsonObject[];
  readonly rules: readonly (JsonObject & { ListenerArn: string })[];
  readonly targetGroups: readonly (JsonObject & { Targets: readonly Target[] })[];
  /** Every tagged resource's tags, by ARN. */
  readonly tags: Readonly<Record<string, readonly TagSnapshot[]>>;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const list = (v: unknown): JsonObject[] => (Array.isArray(v) ? (v as JsonObject[]) : []);
const ordered = <T extends Record_>(items: Iterable<T>): T[] => [...items].sort((a, b) => a.seq - b.seq);
const keyOf = (r: Record_) => String(r.seq).padStart(12, '0');

/** Settings compared for the idempotent creates: everything but the tags. */
const settingsKey = (input: JsonObject) => {
  const { Tags: _tags, ...rest } = input;
  return JSON.stringify(rest, Object.keys(rest).sort());
};

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const IPV6 = /^[0-9a-fA-F:]+$/;

export class Elbv2Service {
  private seq = 0;
  private loadBalancers = new Map<string, LoadBalancer>();
  private listeners = new Map<string, Listener>();
  private rules = new Map<string, Rule>();
  private targetGroups = new Map<string, TargetGroup>();
  private tags = new Map<string, TagSnapshot[]>();

  constructor(
    private readonly region: string,
    private readonly partition: string,
  ) {}

  reset(): void {
    this.seq = 0;
    this.loadBalancers = new Map();
    this.listeners = new Map();
    this.rules = new Map();
    this.targetGroups = new Map();
    this.tags = new Map();
  }

  handle(operation: string, input: JsonObject, ctx: CallContext): JsonObject {
    switch (operation) {
      case 'CreateLoadBalancer':
        return this.createLoadBalancer(input, ctx);
      case 'DescribeLoadBalancers':
        return this.describeLoadBalancers(input, ctx);
      case 'DeleteLoadBalancer':
        return this.deleteLoadBalancer(input, ctx);
      case 'CreateListener':
        return this.createListener(input, ctx);
      case 'DescribeListeners':
        return this.describeListeners(input, ctx);
      case 'DeleteListener':
        return this.deleteListener(input, ctx);
      case 'CreateRule':
        return this.createRule(input, ctx);
      case 'ModifyRule':
        return this.modifyRule(input, ctx);
      case 'DeleteRule':
        return this.deleteRule(input, ctx);
      case 'DescribeRules':
        return this.describeRules(input, ctx);
      case 'SetRulePriorities':
        return this.setRulePriorities(input, ctx);
      case 'CreateTargetGroup':
        return this.createTargetGroup(input, ctx);
      case 'ModifyTargetGroup':
        return this.modifyTargetGroup(input, ctx);
      case 'DescribeTargetGroups':
        return this.describeTargetGroups(input, ctx);
      case 'DeleteTargetGroup':
        return this.deleteTargetGroup(input, ctx);
      case 'RegisterTargets':
        return this.registerTargets(input, ctx);
      case 'DeregisterTargets':
        return this.deregisterTargets(input, ctx);
      case 'DescribeTargetHealth':
        return this.describeTargetHealth(input, ctx);
      case 'AddTags':
        return this.addTags(input, ctx);
      case 'RemoveTags':
        return this.removeTags(input, ctx);
      case 'DescribeTags':
        return this.describeTags(input, ctx);
      default:
        throw new Error(`Elastic Load Balancing operation ${operation} is not emulated`);
    }
  }

  // ---- lookups -------------------------------------------------------------------------------------------------

  private arn(account: string, resource: string): string {
    return `arn:${this.partition}:elasticloadbalancing:${this.region}:${account}:${resource}`;
  }

  private mine<T extends Record_>(map: Map<string, T>, arn: unknown, ctx: CallContext): T | undefined {
    const found = typeof arn === 'string' ? map.get(arn) : undefined;
    return found?.account === ctx.account ? found : undefined;
  }

  private loadBalancer(arn: unknown, ctx: CallContext): LoadBalancer {
    const lb = this.mine(this.loadBalancers, arn, ctx);
    if (!lb)
      throw elbv2Errors.of('LoadBalancerNotFoundException', `Load balancer '${String(arn)}' not found`);
    return lb;
  }

  private listener(arn: unknown, ctx: CallContext): Listener {
    const l = this.mine(this.listeners, arn, ctx);
    if (!l) throw elbv2Errors.of('ListenerNotFoundException', `Listener '${String(arn)}' not found`);
    return l;
  }

  private rule(arn: unknown, ctx: CallContext): Rule {
    const r = this.mine(this.rules, arn, ctx);
    if (!r) throw elbv2Errors.of('RuleNotFoundException', `One or more rules not found`);
    return r;
  }

  private targetGroup(arn: unknown, ctx: CallContext): TargetGroup {
    const tg = this.mine(this.targetGroups, arn, ctx);
    if (!tg) throw elbv2Errors.of('TargetGroupNotFoundException', `Target groups '${String(arn)}' not found`);
    return tg;
  }

  private nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  /** Every action of the account's listeners and rules, with the load balancer it belongs to. */
  private *actionsInUse(): Iterable<{ loadBalancerArn: string; actions: readonly JsonObject[] }> {
    for (const rule of this.rules.values()) {
      const listener = this.listeners.get(rule.listenerArn);
      if (listener) yield { loadBalancerArn: listener.loadBalancerArn, actions: rule.actions };
    }
  }

  private loadBalancersUsing(tg: TargetGroup): string[] {
    const out = new Set<string>();
    for (const { loadBalancerArn, actions } of this.actionsInUse()) {
      for (const a of actions)
        if (a.Type === 'forward' && forwardTargets(a, '').some((t) => t.arn === tg.arn))
          out.add(loadBalancerArn);
    }
    return [...out];
  }

  /** The actions checked against ELB's rules and the target groups they name; answered normalised, as ELB does. */
  private actions(
    input: unknown,
    loadBalancerArn: string,
    ctx: CallContext,
    ignoreRule?: string,
  ): JsonObject[] {
    const actions = list(input);
    checkActions(actions);
    return actions.map((a, i) => {
      if (a.Type !== 'forward') return a;
      const targets = forwardTargets(a, `actions.member.${i + 1}`);
      for (const t of targets) {
        const tg = this.targetGroup(t.arn, ctx);
        const protocol = tg.settings.Protocol;
        if (tg.settings.TargetType !== 'lambda' && protocol !== 'HTTP' && protocol !== 'HTTPS')
          throw elbv2Errors.of(
            'IncompatibleProtocolsException',
            `The target group '${tg.arn}' has protocol ${String(protocol)}, which an Application Load Balancer cannot forward to`,
          );
        const others = this.loadBalancersUsingExcept(tg, ignoreRule).filter((lb) => lb !== loadBalancerArn);
        if (others.length)
          throw elbv2Errors.of(
            'TargetGroupAssociationLimitException',
            `The target group '${tg.arn}' is already associated with load balancer '${others[0]}'; a target group of an Application Load Balancer serves one load balancer`,
          );
      }
      const stickiness = (a.ForwardConfig as JsonObject | undefined)?.TargetGroupStickinessConfig ?? {
        Enabled: false,
      };
      return {
        ...a,
        ...(targets.length === 1 ? { TargetGroupArn: targets[0]!.arn } : {}),
        ForwardConfig: {
          TargetGroups: targets.map((t) => ({ TargetGroupArn: t.arn, Weight: t.weight })),
          TargetGroupStickinessConfig: stickiness,
        },
      };
    });
  }

  private loadBalancersUsingExcept(tg: TargetGroup, ruleArn: string | undefined): string[] {
    if (ruleArn === undefined) return this.loadBalancersUsing(tg);
    const rule = this.rules.get(ruleArn);
    if (!rule) return this.loadBalancersUsing(tg);
    const saved = rule.actions;
    rule.actions = [];
    try {
      return this.loadBalancersUsing(tg);
    } finally {
      rule.actions = saved;
    }
  }

  // ---- tags ----------------------------------------------------------------------------------------------------

  /** The resource an ARN names, for the tag operations, or its kind's NotFound. */
  private taggable(arn: string, ctx: CallContext): string {
    if (this.mine(this.loadBalancers, arn, ctx)) return arn;
    if (this.mine(this.targetGroups, arn, ctx)) return arn;
    if (this.mine(this.listeners, arn, ctx)) return arn;
    if (this.mine(this.rules, arn, ctx)) return arn;
    const resource = arn.split(':').slice(5).join(':');
    if (resource.startsWith('targetgroup/'))
      throw elbv2Errors.of('TargetGroupNotFoundException', `Target groups '${arn}' not found`);
    if (resource.startsWith('listener-rule/'))
      throw elbv2Errors.of('RuleNotFoundException', 'One or more rules not found');
    if (resource.startsWith('listener/'))
      throw elbv2Errors.of('ListenerNotFoundException', `Listener '${arn}' not found`);
    throw elbv2Errors.of('LoadBalancerNotFoundException', `Load balancer '${arn}' not found`);
  }

  private putTags(arn: string, tags: readonly JsonObject[]): void {
    checkTagKeys(tags);
    const merged = new Map((this.tags.get(arn) ?? []).map((t) => [t.key, t.value]));
    for (const t of tags) merged.set(String(t.Key), String(t.Value ?? ''));
    if (merged.size > QUOTA.tagsPerResource)
      throw elbv2Errors.of(
        'TooManyTagsException',
        `A resource can have at most ${QUOTA.tagsPerResource} tags (this one would have ${merged.size})`,
      );
    this.tags.set(
      arn,
      [...merged].map(([key, value]) => ({ key, value })),
    );
  }

  private tagList(arn: string): JsonObject[] {
    return (this.tags.get(arn) ?? []).map((t) => ({ Key: t.key, Value: t.value }));
  }

  private addTags(input: JsonObject, ctx: CallContext): JsonObject {
    const arns = (input.ResourceArns as string[]).map((a) => this.taggable(a, ctx));
    const tags = list(input.Tags);
    // Checked for every resource first: a refused request tags none.
    for (const arn of arns) {
      const merged = new Set([
        ...(this.tags.get(arn) ?? []).map((t) => t.key),
        ...tags.map((t) => String(t.Key)),
      ]);
      if (merged.size > QUOTA.tagsPerResource)
        throw elbv2Errors.of(
          'TooManyTagsException',
          `A resource can have at most ${QUOTA.tagsPerResource} tags`,
        );
    }
    for (const arn of arns) this.putTags(arn, tags);
    return {};
  }

  private removeTags(input: JsonObject, ctx: CallContext): JsonObject {
    const arns = (input.ResourceArns as string[]).map((a) => this.taggable(a, ctx));
    const keys = new Set(input.TagKeys as string[]);
    for (const arn of arns) {
      const left = (this.tags.get(arn) ?? []).filter((t) => !keys.has(t.key));
      if (left.length) this.tags.set(arn, left);
      else this.tags.delete(arn);
    }
    return {};
  }

  private describeTags(input: JsonObject, ctx: CallContext): JsonObject {
    const arns = input.ResourceArns as string[];
    if (arns.length > QUOTA.describeTagsArns)
      throw elbv2Errors.validation(
        `At most ${QUOTA.describeTagsArns} resource ARNs can be described at once`,
      );
    return {
      // The model's Tags has at least one member: an untagged resource is described without it.
      TagDescriptions: arns.map((a) => {
        const tags = this.tagList(a);
        return { ResourceArn: this.taggable(a, ctx), ...(tags.length ? { Tags: tags } : {}) };
      }),
    };
  }

  private createTags(input: JsonObject): JsonObject[] {
    const tags = list(input.Tags);
    checkTagKeys(tags);
    if (tags.length > QUOTA.tagsPerResource)
      throw elbv2Errors.of(
        'TooManyTagsException',
        `A resource can have at most ${QUOTA.tagsPerResource} tags`,
      );
    return tags;
  }

  // ---- load balancers ------------------------------------------------------------------------------------------

  private describeLoadBalancer(lb: LoadBalancer): JsonObject {
    const s = lb.settings;
    return {
      LoadBalancerArn: lb.arn,
      DNSName: `${lb.name}-${lb.seq}.${this.region}.elb.amazonaws.com`,
      CanonicalHostedZoneId: CANONICAL_HOSTED_ZONE_ID,
      CreatedTime: lb.createdTime,
      LoadBalancerName: lb.name,
      Scheme: s.Scheme ?? DEFAULT_SCHEME,
      VpcId: EMULATED_VPC,
      State: { Code: 'active' },
      Type: s.Type ?? DEFAULT_LOAD_BALANCER_TYPE,
      AvailabilityZones: (Array.isArray(s.Subnets) ? (s.Subnets as string[]) : []).map((subnet, i) => ({
        ZoneName: `${this.region}${'abcdef'[i % 6]}`,
        SubnetId: subnet,
      })),
      SecurityGroups: Array.isArray(s.SecurityGroups) ? s.SecurityGroups : [],
      IpAddressType: s.IpAddressType ?? DEFAULT_IP_ADDRESS_TYPE,
    };
  }

  private createLoadBalancer(input: JsonObject, ctx: CallContext): JsonObject {
    const name = input.Name as string;
    checkResourceName('load balancer', name);
    const type = (input.Type as string | undefined) ?? DEFAULT_LOAD_BALANCER_TYPE;
    if (type !== 'application')
      throw elbv2Errors.of(
        'InvalidConfigurationRequestException',
        `The emulator serves application load balancers only, not ${type}`,
      );
    const existing = [...this.loadBalancers.values()].find(
      (l) => l.account === ctx.account && l.name === name,
    );
    if (existing) {
      if (settingsKey(existing.settings) === settingsKey(input))
        return { LoadBalancers: [this.describeLoadBalancer(existing)] };
      throw elbv2Errors.of(
        'DuplicateLoadBalancerNameException',
        'A load balancer with the same name exists, with other settings',
      );
    }
    const tags = this.createTags(input);
    const seq = this.nextSeq();
    const arn = this.arn(ctx.account, `loadbalancer/app/${name}/${hex(8)}`);
    const lb: LoadBalancer = {
      seq,
      arn,
      account: ctx.account,
      name,
      settings: input,
      createdTime: nowEpochSeconds(),
    };
    this.loadBalancers.set(arn, lb);
    if (tags.length) this.putTags(arn, tags);
    return { LoadBalancers: [this.describeLoadBalancer(lb)] };
  }

  private describeLoadBalancers(input: JsonObject, ctx: CallContext): JsonObject {
    let found: LoadBalancer[];
    if (Array.isArray(input.LoadBalancerArns)) {
      found = (input.LoadBalancerArns as string[]).map((a) => this.loadBalancer(a, ctx));
    } else if (Array.isArray(input.Names)) {
      found = (input.Names as string[]).map((n) => {
        const lb = [...this.loadBalancers.values()].find((l) => l.account === ctx.account && l.name === n);
        if (!lb) throw elbv2Errors.of('LoadBalancerNotFoundException', `Load balancers '[${n}]' not found`);
        return lb;
      });
    } else found = ordered(this.loadBalancers.values()).filter((l) => l.account === ctx.account);
    const page = this.page(found, input);
    return { LoadBalancers: page.items.map((l) => this.describeLoadBalancer(l)), ...marker(page) };
  }

  private deleteLoadBalancer(input: JsonObject, ctx: CallContext): JsonObject {
    const lb = this.mine(this.loadBalancers, input.LoadBalancerArn, ctx);
    if (!lb) return {};
    for (const l of [...this.listeners.values()]) if (l.loadBalancerArn === lb.arn) this.dropListener(l);
    this.loadBalancers.delete(lb.arn);
    this.tags.delete(lb.arn);
    return {};
  }

  // ---- listeners -----------------------------------------------------------------------------------------------

  private describeListener(l: Listener): JsonObject {
    const defaultRule = [...this.rules.values()].find(
      (r) => r.listenerArn === l.arn && r.priority === 'default',
    );
    return {
      ListenerArn: l.arn,
      LoadBalancerArn: l.loadBalancerArn,
      Port: l.settings.Port,
      Protocol: l.settings.Protocol,
      ...(l.settings.Certificates !== undefined ? { Certificates: l.settings.Certificates } : {}),
      ...(l.settings.SslPolicy !== undefined ? { SslPolicy: l.settings.SslPolicy } : {}),
      DefaultActions: defaultRule?.actions ?? [],
    };
  }

  private createListener(input: JsonObject, ctx: CallContext): JsonObject {
    const lb = this.loadBalancer(input.LoadBalancerArn, ctx);
    const protocol = input.Protocol as string | undefined;
    if (protocol === undefined || input.Port === undefined)
      throw elbv2Errors.validation('A listener of an Application Load Balancer needs a Protocol and a Port');
    if (protocol !== 'HTTP' && protocol !== 'HTTPS')
      throw elbv2Errors.of(
        'UnsupportedProtocolException',
        `Protocol '${protocol}' is not supported by an Application Load Balancer (HTTP or HTTPS)`,
      );
    if (protocol === 'HTTPS' && list(input.Certificates).length === 0)
      throw elbv2Errors.validation('A certificate must be specified for HTTPS listeners');
    const onPort = [...this.listeners.values()].find(
      (l) => l.loadBalancerArn === lb.arn && l.settings.Port === input.Port,
    );
    if (onPort) {
      if (settingsKey(onPort.settings) === settingsKey(input))
        return { Listeners: [this.describeListener(onPort)] };
      throw elbv2Errors.of(
        'DuplicateListenerException',
        `A listener already exists on port ${String(input.Port)}`,
      );
    }
    const actions = this.actions(input.DefaultActions, lb.arn, ctx);
    const tags = this.createTags(input);
    const [, , lbName, lbId] = lb.arn.split(':').at(-1)!.split('/');
    const arn = this.arn(ctx.account, `listener/app/${lbName}/${lbId}/${hex(8)}`);
    const listener: Listener = {
      seq: this.nextSeq(),
      arn,
      account: ctx.account,
      loadBalancerArn: lb.arn,
      settings: input,
    };
    this.listeners.set(arn, listener);
    const ruleArn = this.arn(
      ctx.account,
      `listener-rule/app/${lbName}/${lbId}/${arn.split('/').at(-1)}/${hex(8)}`,
    );
    this.rules.set(ruleArn, {
      seq: this.nextSeq(),
      arn: ruleArn,
      account: ctx.account,
      listenerArn: arn,
      priority: DEFAULT_RULE_PRIORITY,
      conditions: [],
      actions,
      transforms: [],
    });
    if (tags.length) this.putTags(arn, tags);
    return { Listeners: [this.describeListener(listener)] };
  }

  private describeListeners(input: JsonObject, ctx: CallContext): JsonObject {
    let found: Listener[];
    if (Array.isArray(input.ListenerArns))
      found = (input.ListenerArns as string[]).map((a) => this.listener(a, ctx));
    else if (input.LoadBalancerArn !== undefined) {
      const lb = this.loadBalancer(input.LoadBalancerArn, ctx);
      found = ordered(this.listeners.values()).filter((l) => l.loadBalancerArn === lb.arn);
    } else throw elbv2Errors.validation('You must specify either listener ARNs or a load balancer ARN');
    const page = this.page(found, input);
    return { Listeners: page.items.map((l) => this.describeListener(l)), ...marker(page) };
  }

  private dropListener(l: Listener): void {
    for (const r of [...this.rules.values()])
      if (r.listenerArn === l.arn) {
        this.rules.delete(r.arn);
        this.tags.delete(r.arn);
      }
    this.listeners.delete(l.arn);
    this.tags.delete(l.arn);
  }

  private deleteListener(input: JsonObject, ctx: CallContext): JsonObject {
    this.dropListener(this.listener(input.ListenerArn, ctx));
    return {};
  }

  // ---- rules ---------------------------------------------------------------------------------------------------

  private describeRule(r: Rule): JsonObject {
    return {
      RuleArn: r.arn,
      Priority: String(r.priority),
      Conditions: r.conditions,
      Actions: r.actions,
      IsDefault: r.priority === 'default',
      ...(r.transforms.length ? { Transforms: r.transforms } : {}),
    };
  }

  private priorityTaken(
    listenerArn: string,
    priority: number,
    except?: ReadonlySet<string>,
  ): Rule | undefined {
    return [...this.rules.values()].find(
      (r) => r.listenerArn === listenerArn && r.priority === priority && !except?.has(r.arn),
    );
  }

  private createRule(input: JsonObject, ctx: CallContext): JsonObject {
    const listener = this.listener(input.ListenerArn, ctx);
    const priority = input.Priority as number;
    if (this.priorityTaken(listener.arn, priority))
      throw elbv2Errors.of('PriorityInUseException', `Priority '${priority}' is currently in use`);
    const conditions = list(input.Conditions);
    checkConditions(conditions);
    const transforms = list(input.Transforms);
    checkTransforms(transforms);
    const actions = this.actions(input.Actions, listener.loadBalancerArn, ctx);
    const onBalancer = [...this.rules.values()].filter((r) => {
      const l = this.listeners.get(r.listenerArn);
      return r.priority !== 'default' && l?.loadBalancerArn === listener.loadBalancerArn;
    });
    if (onBalancer.length >= QUOTA.rulesPerLoadBalancer)
      throw elbv2Errors.of(
        'TooManyRulesException',
        `A load balancer can have at most ${QUOTA.rulesPerLoadBalancer} rules besides its default rules`,
      );
    const tags = this.createTags(input);
    const listenerPath = listener.arn.split(':').at(-1)!.split('/').slice(1).join('/');
    const arn = this.arn(ctx.account, `listener-rule/${listenerPath}/${hex(8)}`);
    const rule: Rule = {
      seq: this.nextSeq(),
      arn,
      account: ctx.account,
      listenerArn: listener.arn,
      priority,
      conditions,
      actions,
      transforms,
    };
    this.rules.set(arn, rule);
    if (tags.length) this.putTags(arn, tags);
    return { Rules: [this.describeRule(rule)] };
  }

  private modifyRule(input: JsonObject, ctx: CallContext): JsonObject {
    const rule = this.rule(input.RuleArn, ctx);
    const listener = this.listeners.get(rule.listenerArn)!;
    if (rule.priority === 'default' && (input.Conditions !== undefined || input.Transforms !== undefined))
      throw elbv2Errors.of(
        'OperationNotPermittedException',
        'The default rule cannot have conditions or transforms',
      );
    const conditions = input.Conditions !== undefined ? list(input.Conditions) : rule.conditions;
    if (rule.priority !== 'default') checkConditions(conditions);
    const transforms =
      input.ResetTransforms === true
        ? []
        : input.Transforms !== undefined
          ? list(input.Transforms)
          : rule.transforms;
    checkTransforms(transforms);
    const actions =
      input.Actions !== undefined
        ? this.actions(input.Actions, listener.loadBalancerArn, ctx, rule.arn)
        : rule.actions;
    rule.conditions = conditions;
    rule.transforms = transforms;
    rule.actions = actions;
    return { Rules: [this.describeRule(rule)] };
  }

  private deleteRule(input: JsonObject, ctx: CallContext): JsonObject {
    const rule = this.rule(input.RuleArn, ctx);
    if (rule.priority === 'default')
      throw elbv2Errors.of(
        'OperationNotPermittedException',
        'The default rule of a listener cannot be deleted',
      );
    this.rules.delete(rule.arn);
    this.tags.delete(rule.arn);
    return {};
  }

  private byPriority(rules: Rule[]): Rule[] {
    const rank = (r: Rule) => (r.priority === 'default' ? Number.MAX_SAFE_INTEGER : r.priority);
    return rules.sort((a, b) => rank(a) - rank(b));
  }

  private describeRules(input: JsonObject, ctx: CallContext): JsonObject {
    let found: Rule[];
    if (Array.isArray(input.RuleArns)) found = (input.RuleArns as string[]).map((a) => this.rule(a, ctx));
    else if (input.ListenerArn !== undefined) {
      const listener = this.listener(input.ListenerArn, ctx);
      found = this.byPriority([...this.rules.values()].filter((r) => r.listenerArn === listener.arn));
    } else throw elbv2Errors.validation('You must specify either listener ARN or rule ARNs');
    const size = typeof input.PageSize === 'number' ? input.PageSize : DEFAULT_PAGE_SIZE;
    const start = typeof input.Marker === 'string' ? Number.parseInt(input.Marker, 10) : 0;
    if (!Number.isInteger(start) || start < 0) throw elbv2Errors.validation('Invalid Marker');
    const items = found.slice(start, start + size);
    return {
      Rules: items.map((r) => this.describeRule(r)),
      ...(start + size < found.length ? { NextMarker: String(start + size) } : {}),
    };
  }

  private setRulePriorities(input: JsonObject, ctx: CallContext): JsonObject {
    const pairs = list(input.RulePriorities).map((p) => ({
      rule: this.rule(p.RuleArn, ctx),
      priority: p.Priority as number,
    }));
    const moving = new Set(pairs.map((p) => p.rule.arn));
    const wanted = new Set<string>();
    for (const { rule, priority } of pairs) {
      if (rule.priority === 'default')
        throw elbv2Errors.of(
          'OperationNotPermittedException',
          'The priority of a default rule cannot be changed',
        );
      const key = `${rule.listenerArn} ${priority}`;
      if (wanted.has(key) || this.priorityTaken(rule.listenerArn, priority, moving))
        throw elbv2Errors.of('PriorityInUseException', `Priority '${priority}' is currently in use`);
      wanted.add(key);
    }
    for (const { rule, priority } of pairs) rule.priority = priority;
    return { Rules: pairs.map((p) => this.describeRule(p.rule)) };
  }

  // ---- target groups -------------------------------------------------------------------------------------------

  private describeTargetGroup(tg: TargetGroup): JsonObject {
    return {
      TargetGroupArn: tg.arn,
      TargetGroupName: tg.name,
      ...tg.settings,
      LoadBalancerArns: this.loadBalancersUsing(tg),
    };
  }

  private createTargetGroup(input: JsonObject, ctx: CallContext): JsonObject {
    const name = input.Name as string;
    checkResourceName('target group', name);
    const existing = [...this.targetGroups.values()].find(
      (t) => t.account === ctx.account && t.name === name,
    );
    if (existing) {
      if (existing.creation === settingsKey(input))
        return { TargetGroups: [this.describeTargetGroup(existing)] };
      throw elbv2Errors.of(
        'DuplicateTargetGroupNameException',
        'A target group with the same name exists, with other settings',
      );
    }
    const targetType = (input.TargetType as string | undefined) ?? 'instance';
    if (
      targetType !== 'lambda' &&
      (input.Protocol === undefined || input.Port === undefined || input.VpcId === undefined)
    )
      throw elbv2Errors.validation(
        `A target group of target type ${targetType} needs a Protocol, a Port and a VpcId`,
      );
    const protocol = (input.Protocol as string | undefined) ?? 'HTTP';
    const { Name: _name, Tags: _tags, ...given } = input;
    const tags = this.createTags(input);
    const settings: JsonObject = { ...httpTargetGroupDefaults(protocol), ...given, TargetType: targetType };
    const arn = this.arn(ctx.account, `targetgroup/${name}/${hex(8)}`);
    const tg: TargetGroup = {
      seq: this.nextSeq(),
      arn,
      account: ctx.account,
      name,
      settings,
      creation: settingsKey(input),
      targets: new Map(),
    };
    this.targetGroups.set(arn, tg);
    if (tags.length) this.putTags(arn, tags);
    return { TargetGroups: [this.describeTargetGroup(tg)] };
  }

  private modifyTargetGroup(input: JsonObject, ctx: CallContext): JsonObject {
    const tg = this.targetGroup(input.TargetGroupArn, ctx);
    const { TargetGroupArn: _arn, ...changes } = input;
    tg.settings = { ...tg.settings, ...changes };
    return { TargetGroups: [this.describeTargetGroup(tg)] };
  }

  private describeTargetGroups(input: JsonObject, ctx: CallContext): JsonObject {
    const given = ['LoadBalancerArn', 'TargetGroupArns', 'Names'].filter((k) => input[k] !== undefined);
    if (given.length > 1)
      throw elbv2Errors.validation('Only one of LoadBalancerArn, TargetGroupArns and Names can be given');
    let found: TargetGroup[];
    if (Array.isArray(input.TargetGroupArns))
      found = (input.TargetGroupArns as string[]).map((a) => this.targetGroup(a, ctx));
    else if (Array.isArray(input.Names))
      found = (input.Names as string[]).map((n) => {
        const tg = [...this.targetGroups.values()].find((t) => t.account === ctx.account && t.name === n);
        if (!tg) throw elbv2Errors.of('TargetGroupNotFoundException', `One or more target groups not found`);
        return tg;
      });
    else {
      const all = ordered(this.targetGroups.values()).filter((t) => t.account === ctx.account);
      if (input.LoadBalancerArn !== undefined) {
        const lb = this.loadBalancer(input.LoadBalancerArn, ctx);
        found = all.filter((t) => this.loadBalancersUsing(t).includes(lb.arn));
      } else found = all;
    }
    const page = this.page(found, input);
    return { TargetGroups: page.items.map((t) => this.describeTargetGroup(t)), ...marker(page) };
  }

  private deleteTargetGroup(input: JsonObject, ctx: CallContext): JsonObject {
    const tg = this.mine(this.targetGroups, input.TargetGroupArn, ctx);
    if (!tg) return {};
    const users = this.loadBalancersUsing(tg);
    if (users.length)
      throw elbv2Errors.of(
        'ResourceInUseException',
        `Target group '${tg.arn}' is currently in use by a listener or a rule`,
      );
    this.targetGroups.delete(tg.arn);
    this.tags.delete(tg.arn);
    return {};
  }

  private targetsOf(input: JsonObject, tg: TargetGroup): Target[] {
    return list(input.Targets).map((t) => ({
      Id: String(t.Id),
      Port: typeof t.Port === 'number' ? t.Port : (tg.settings.Port as number),
      ...(typeof t.AvailabilityZone === 'string' ? { AvailabilityZone: t.AvailabilityZone } : {}),
    }));
  }

  private registerTargets(input: JsonObject, ctx: CallContext): JsonObject {
    const tg = this.targetGroup(input.TargetGroupArn, ctx);
    const targets = this.targetsOf(input, tg);
    for (const t of targets) {
      if (tg.settings.TargetType === 'ip' && !IPV4.test(t.Id) && !IPV6.test(t.Id))
        throw elbv2Errors.of('InvalidTargetException', `The target '${t.Id}' is not an IP address`);
      if (tg.settings.TargetType === 'instance' && !/^i-[0-9a-f]{8,17}$/.test(t.Id))
        throw elbv2Errors.of('InvalidTargetException', `The target '${t.Id}' is not an instance id`);
    }
    for (const t of targets) tg.targets.set(`${t.Id}:${t.Port}`, t);
    return {};
  }

  private deregisterTargets(input: JsonObject, ctx: CallContext): JsonObject {
    const tg = this.targetGroup(input.TargetGroupArn, ctx);
    for (const t of this.targetsOf(input, tg)) tg.targets.delete(`${t.Id}:${t.Port}`);
    return {};
  }

  private describeTargetHealth(input: JsonObject, ctx: CallContext): JsonObject {
    const tg = this.targetGroup(input.TargetGroupArn, ctx);
    const inUse = this.loadBalancersUsing(tg).length > 0;
    const asked = input.Targets !== undefined ? this.targetsOf(input, tg) : [...tg.targets.values()];
    return {
      TargetHealthDescriptions: asked.map((t) => {
        const registered = tg.targets.has(`${t.Id}:${t.Port}`);
        const health = !registered
          ? {
              State: 'unused',
              Reason: 'Target.NotRegistered',
              Description: 'Target is not registered to the target group',
            }
          : inUse
            ? { State: 'healthy' }
            : {
                State: 'unused',
                Reason: 'Target.NotInUse',
                Description: 'Target group is not configured to receive traffic from the load balancer',
              };
        return {
          Target: t,
          HealthCheckPort:
            tg.settings.HealthCheckPort === 'traffic-port'
              ? String(t.Port)
              : String(tg.settings.HealthCheckPort),
          TargetHealth: health,
        };
      }),
    };
  }

  // ---- paging and state ----------------------------------------------------------------------------------------

  private page<T extends Record_>(items: T[], input: JsonObject): { items: T[]; nextToken?: string } {
    const size = typeof input.PageSize === 'number' ? input.PageSize : DEFAULT_PAGE_SIZE;
    const page = paginate(items, keyOf, size, input.Marker as string | undefined);
    if (!page) throw elbv2Errors.validation('Invalid Marker');
    return page;
  }

  /** The tagged resources, for the Resource Groups Tagging API. */
  *tagged(): Iterable<{ arn: string; owner: string; tags: readonly TagSnapshot[] }> {
    for (const [arn, tags] of this.tags) if (tags.length) yield { arn, owner: arn.split(':')[4] ?? '', tags };
  }

  snapshot(): Elbv2Snapshot {
    return {
      loadBalancers: ordered(this.loadBalancers.values()).map((l) => this.describeLoadBalancer(l)),
      listeners: ordered(this.listeners.values()).map((l) => this.describeListener(l)),
      rules: ordered(this.rules.values()).map((r) => ({
        ...this.describeRule(r),
        ListenerArn: r.listenerArn,
      })),
      targetGroups: ordered(this.targetGroups.values()).map((t) => ({
        ...this.describeTargetGroup(t),
        Targets: [...t.targets.values()],
      })),
      tags: Object.fromEntries([...this.tags].map(([arn, tags]) => [arn, tags])),
    };
  }
}

function marker(page: { nextToken?: string }): JsonObject {
  return page.nextToken !== undefined ? { NextMarker: page.nextToken } : {};
}
