/**
 * The VPC Lattice reconcile's pure core: what exists (observed, already narrowed to what this resource owns) against
 * what the model wants, as a plan of creates, updates with their differences, and deletes. Lattice fixes some things
 * at creation (a target group's port, protocol, protocol version and VPC; a listener's port and protocol; a service's
 * custom domain name): a change of those is refused here, naming the property, before any call. Everything else is
 * updated in place with only what differs: a weight change is one UpdateRule (or one UpdateListener for the default
 * route). No I/O.
 */
import type { KeyValue } from '../ownership';
import type {
  ActionModel,
  HttpMatchModel,
  LatticeHealthCheck,
  ProtocolVersion,
  RuleModel,
  TargetGroupModel,
  VpcLatticeModel,
} from './model';

/** An action as Lattice returns it: target groups by ARN. */
export type ObservedAction =
  | {
      readonly kind: 'forward';
      readonly targets: readonly { readonly targetGroupArn: string; readonly weight: number }[];
    }
  | { readonly kind: 'fixed-response'; readonly statusCode: number };

export interface ObservedService {
  readonly arn: string;
  readonly id: string;
  readonly name: string;
  readonly customDomainName?: string;
  readonly authType: string;
  readonly certificateArn?: string;
  readonly tags: readonly KeyValue[];
}

export interface ObservedTargetGroup {
  readonly arn: string;
  readonly id: string;
  readonly name: string;
  readonly port?: number;
  readonly protocolVersion?: ProtocolVersion | string;
  readonly vpcId?: string;
  readonly healthCheck?: LatticeHealthCheck;
  readonly tags: readonly KeyValue[];
}

export interface ObservedListener {
  readonly arn: string;
  readonly id: string;
  readonly name: string;
  readonly port?: number;
  readonly protocol: string;
  readonly defaultAction: ObservedAction;
  readonly tags: readonly KeyValue[];
}

export interface ObservedRule {
  readonly arn: string;
  readonly id: string;
  readonly name: string;
  readonly priority: number;
  readonly match: HttpMatchModel;
  readonly action: ObservedAction;
  readonly tags: readonly KeyValue[];
}

export interface ObservedAssociation {
  readonly arn: string;
  readonly id: string;
  readonly serviceNetworkArn: string;
}

export interface ObservedAccessLog {
  readonly arn: string;
  readonly id: string;
  readonly destinationArn: string;
}

/** What this resource owns in Lattice, as the read phase found it. */
export interface ObservedLattice {
  readonly service?: ObservedService;
  readonly targetGroups: ReadonlyMap<string, ObservedTargetGroup>;
  readonly listener?: ObservedListener;
  readonly rules: ReadonlyMap<string, ObservedRule>;
  /** The service's associations with service networks. */
  readonly associations: readonly ObservedAssociation[];
  /** The service's auth policy; undefined when it has none. */
  readonly authPolicy?: string;
  readonly accessLogs: readonly ObservedAccessLog[];
}

export const emptyObservation = (): ObservedLattice => ({
  targetGroups: new Map(),
  rules: new Map(),
  associations: [],
  accessLogs: [],
});

export interface RuleUpdate {
  readonly arn: string;
  readonly name: string;
  readonly priority?: number;
  readonly match?: HttpMatchModel;
  readonly action?: ActionModel;
}

export interface LatticePlan {
  readonly createService: boolean;
  /** UpdateService: what differs. */
  readonly updateService?: { readonly authType?: 'NONE' | 'AWS_IAM'; readonly certificateArn?: string };
  readonly createTargetGroups: readonly TargetGroupModel[];
  readonly updateHealthChecks: readonly { readonly arn: string; readonly healthCheck: LatticeHealthCheck }[];
  readonly deleteTargetGroups: readonly ObservedTargetGroup[];
  readonly createListener: boolean;
  readonly updateDefaultAction?: ActionModel;
  /** The service network to associate with, when it is not yet. */
  readonly associate?: string;
  readonly disassociate: readonly ObservedAssociation[];
  readonly createRules: readonly RuleModel[];
  readonly updateRules: readonly RuleUpdate[];
  readonly deleteRules: readonly ObservedRule[];
  readonly putAuthPolicy?: string;
  readonly deleteAuthPolicy: boolean;
  readonly createAccessLog?: string;
  readonly updateAccessLog?: { readonly arn: string; readonly destinationArn: string };
  readonly deleteAccessLogs: readonly ObservedAccessLog[];
  /** Every difference, in words, for the log. */
  readonly changes: readonly string[];
}

/** Whether the plan changes nothing. */
export function isNoop(plan: LatticePlan): boolean {
  return plan.changes.length === 0;
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function normalMatch(m: HttpMatchModel): HttpMatchModel {
  return {
    ...(m.method !== undefined ? { method: m.method } : {}),
    ...(m.path ? { path: { kind: m.path.kind, value: m.path.value } } : {}),
    headers: [...m.headers]
      .map((h) => ({ name: h.name.toLowerCase(), kind: h.kind, value: h.value }))
      .sort((a, b) => (a.name + a.kind + a.value).localeCompare(b.name + b.kind + b.value)),
  };
}

/** An action with target groups by ARN, where the name is known; undefined while one of them does not exist yet. */
export function actionByArn(
  action: ActionModel,
  arnOf: (targetGroup: string) => string | undefined,
): ObservedAction | undefined {
  if (action.kind === 'fixed-response') return action;
  const targets = action.targets.map((t) => ({ targetGroupArn: arnOf(t.targetGroup), weight: t.weight }));
  if (targets.some((t) => t.targetGroupArn === undefined)) return undefined;
  return { kind: 'forward', targets: targets as { targetGroupArn: string; weight: number }[] };
}

function sameAction(
  desired: ActionModel,
  observed: ObservedAction,
  arnOf: (n: string) => string | undefined,
) {
  const wanted = actionByArn(desired, arnOf);
  if (!wanted) return false;
  if (wanted.kind !== observed.kind) return false;
  if (wanted.kind === 'fixed-response')
    return observed.kind === 'fixed-response' && observed.statusCode === wanted.statusCode;
  const key = (a: ObservedAction) =>
    a.kind === 'forward'
      ? [...a.targets].sort((x, y) => x.targetGroupArn.localeCompare(y.targetGroupArn))
      : a;
  return sameJson(key(wanted), key(observed));
}

const describeAction = (a: ActionModel) =>
  a.kind === 'fixed-response'
    ? `fixed response ${a.statusCode}`
    : a.targets.map((t) => `${t.targetGroup}=${t.weight}`).join(' ');

/**
 * What Lattice cannot change on what exists: each a message naming the property and what to do, for the backend to
 * refuse before any call.
 */
export function immutableChanges(model: VpcLatticeModel, observed: ObservedLattice): string[] {
  const out: string[] = [];
  const blueGreen =
    'deploy it blue/green: a new Custom::MeshService with another ServiceName (docs/migration.md)';
  const s = observed.service;
  if (s && s.customDomainName !== undefined && s.customDomainName !== model.customDomainName)
    out.push(
      `VirtualServiceName: the Lattice service "${s.name}" has the custom domain name ${s.customDomainName}, which Lattice cannot change; ${blueGreen}`,
    );
  const l = observed.listener;
  if (l && (l.port !== model.listener.port || l.protocol !== model.listener.protocol))
    out.push(
      `Port: the listener is ${l.protocol} on ${l.port}, and Lattice cannot change a listener's port or protocol (${model.listener.protocol} on ${model.listener.port} asked); ${blueGreen}`,
    );
  for (const tg of model.targetGroups) {
    const o = observed.targetGroups.get(tg.name);
    if (!o) continue;
    if (o.vpcId !== undefined && o.vpcId !== tg.vpcId)
      out.push(
        `VpcLattice.VpcId: the target group ${tg.name} is in ${o.vpcId}, and Lattice cannot move a target group to ${tg.vpcId}; ${blueGreen}`,
      );
    if (o.port !== undefined && o.port !== tg.port)
      out.push(
        `Port: the target group ${tg.name} forwards to port ${o.port}, and Lattice cannot change a target group's port to ${tg.port}; ${blueGreen}`,
      );
    if (o.protocolVersion !== undefined && o.protocolVersion !== tg.protocolVersion)
      out.push(
        `Protocol: the target group ${tg.name} speaks ${o.protocolVersion}, and Lattice cannot change a target group's protocol version to ${tg.protocolVersion}; ${blueGreen}`,
      );
  }
  return out;
}

/**
 * The plan from what this resource owns to what the model wants. `serviceNetworkArn` is the desired network,
 * resolved by the read phase.
 */
export function planLattice(
  model: VpcLatticeModel,
  observed: ObservedLattice,
  serviceNetworkArn: string,
): LatticePlan {
  const changes: string[] = [];
  const s = observed.service;
  const createService = !s;
  if (createService) changes.push(`create service ${model.serviceName}`);
  let updateService: LatticePlan['updateService'];
  if (s) {
    const update = {
      ...(s.authType !== model.authType ? { authType: model.authType } : {}),
      ...(model.certificateArn !== undefined && s.certificateArn !== model.certificateArn
        ? { certificateArn: model.certificateArn }
        : {}),
    };
    if (Object.keys(update).length) {
      updateService = update;
      changes.push(`update service ${model.serviceName}: ${JSON.stringify(update)}`);
    }
  }

  const wantedGroups = new Set(model.targetGroups.map((t) => t.name));
  const createTargetGroups = model.targetGroups.filter((t) => !observed.targetGroups.has(t.name));
  const updateHealthChecks = model.targetGroups.flatMap((t) => {
    const o = observed.targetGroups.get(t.name);
    return o && t.healthCheck && !sameJson(o.healthCheck, t.healthCheck)
      ? [{ arn: o.arn, healthCheck: t.healthCheck }]
      : [];
  });
  const deleteTargetGroups = [...observed.targetGroups.values()].filter((o) => !wantedGroups.has(o.name));
  for (const t of createTargetGroups) changes.push(`create target group ${t.name}`);
  for (const u of updateHealthChecks) changes.push(`update the health check of ${u.arn}`);
  for (const o of deleteTargetGroups) changes.push(`delete target group ${o.name}`);
  const arnOf = (name: string) => observed.targetGroups.get(name)?.arn;

  const l = observed.listener;
  const createListener = !l;
  if (createListener) changes.push(`create listener ${model.listener.name}`);
  const updateDefaultAction =
    l && !sameAction(model.listener.defaultAction, l.defaultAction, arnOf)
      ? model.listener.defaultAction
      : undefined;
  if (updateDefaultAction) changes.push(`default action: ${describeAction(updateDefaultAction)}`);

  const associated = observed.associations.some((a) => a.serviceNetworkArn === serviceNetworkArn);
  const associate = associated ? undefined : serviceNetworkArn;
  const disassociate = observed.associations.filter((a) => a.serviceNetworkArn !== serviceNetworkArn);
  if (associate) changes.push(`associate with ${serviceNetworkArn}`);
  for (const a of disassociate) changes.push(`disassociate from ${a.serviceNetworkArn}`);

  const wantedRules = new Set(model.rules.map((r) => r.name));
  const createRules: RuleModel[] = [];
  const updateRules: RuleUpdate[] = [];
  for (const r of model.rules) {
    const o = observed.rules.get(r.name);
    if (!o) {
      createRules.push(r);
      changes.push(`create rule ${r.name}`);
      continue;
    }
    const update: RuleUpdate = {
      arn: o.arn,
      name: r.name,
      ...(o.priority !== r.priority ? { priority: r.priority } : {}),
      ...(!sameJson(normalMatch(o.match), normalMatch(r.match)) ? { match: r.match } : {}),
      ...(!sameAction(r.action, o.action, arnOf) ? { action: r.action } : {}),
    };
    if (update.priority !== undefined || update.match || update.action) {
      updateRules.push(update);
      const what = [
        update.priority !== undefined ? `priority ${o.priority} → ${update.priority}` : '',
        update.match ? 'match' : '',
        update.action ? `action: ${describeAction(update.action)}` : '',
      ].filter(Boolean);
      changes.push(`update rule ${r.name}: ${what.join(', ')}`);
    }
  }
  const deleteRules = [...observed.rules.values()].filter((o) => !wantedRules.has(o.name));
  for (const o of deleteRules) changes.push(`delete rule ${o.name}`);

  const putAuthPolicy =
    model.authPolicy !== undefined && !samePolicy(observed.authPolicy, model.authPolicy)
      ? model.authPolicy
      : undefined;
  const deleteAuthPolicy = model.authPolicy === undefined && observed.authPolicy !== undefined;
  if (putAuthPolicy) changes.push('put the auth policy');
  if (deleteAuthPolicy) changes.push('delete the auth policy');

  const [kept, ...extra] = observed.accessLogs;
  const wantLog = model.accessLogDestinationArn;
  const createAccessLog = wantLog !== undefined && !kept ? wantLog : undefined;
  const updateAccessLog =
    wantLog !== undefined && kept && kept.destinationArn !== wantLog
      ? { arn: kept.arn, destinationArn: wantLog }
      : undefined;
  const deleteAccessLogs = wantLog === undefined ? observed.accessLogs : extra;
  if (createAccessLog) changes.push(`create the access log subscription to ${createAccessLog}`);
  if (updateAccessLog) changes.push(`send the access logs to ${updateAccessLog.destinationArn}`);
  for (const a of deleteAccessLogs) changes.push(`delete the access log subscription ${a.arn}`);

  return {
    createService,
    ...(updateService ? { updateService } : {}),
    createTargetGroups,
    updateHealthChecks,
    deleteTargetGroups,
    createListener,
    ...(updateDefaultAction ? { updateDefaultAction } : {}),
    ...(associate ? { associate } : {}),
    disassociate,
    createRules,
    updateRules,
    deleteRules,
    ...(putAuthPolicy ? { putAuthPolicy } : {}),
    deleteAuthPolicy,
    ...(createAccessLog ? { createAccessLog } : {}),
    ...(updateAccessLog ? { updateAccessLog } : {}),
    deleteAccessLogs,
    changes,
  };
}

function samePolicy(observed: string | undefined, desired: string): boolean {
  if (observed === undefined) return false;
  try {
    return sameJson(JSON.parse(observed), JSON.parse(desired));
  } catch {
    return false;
  }
}

/** The plan of a Delete: everything this resource owns goes. */
export function planRemoval(observed: ObservedLattice): {
  readonly rules: readonly ObservedRule[];
  readonly listener?: ObservedListener;
  readonly associations: readonly ObservedAssociation[];
  readonly accessLogs: readonly ObservedAccessLog[];
  readonly authPolicy: boolean;
  readonly service?: ObservedService;
  readonly targetGroups: readonly ObservedTargetGroup[];
} {
  return {
    rules: [...observed.rules.values()],
    ...(observed.listener ? { listener: observed.listener } : {}),
    associations: observed.associations,
    accessLogs: observed.accessLogs,
    authPolicy: observed.authPolicy !== undefined,
    ...(observed.service ? { service: observed.service } : {}),
    targetGroups: [...observed.targetGroups.values()],
  };
}
