/**
 * Elastic Load Balancing v2 rules the model cannot express, each a small pure function that throws the error ELB
 * answers with; each says where it comes from (docs/emulator.md quotes them). Messages are ours unless marked as
 * ELB's own wording.
 */
import { elbv2Errors } from '../errors';
import { isPlainObject, type JsonObject } from '../util';

/**
 * CreateTargetGroup and CreateLoadBalancer, Name: "This name must be unique per region per account, can have a
 * maximum of 32 characters, must contain only alphanumeric characters or hyphens, and must not begin or end with a
 * hyphen" (CreateLoadBalancer adds: "and must not begin with "internal-"").
 */
export function checkResourceName(kind: 'target group' | 'load balancer', name: string): void {
  const problem =
    name.length === 0 || name.length > 32
      ? 'can have a maximum of 32 characters'
      : !/^[A-Za-z0-9-]+$/.test(name)
        ? 'must contain only alphanumeric characters or hyphens'
        : name.startsWith('-') || name.endsWith('-')
          ? 'must not begin or end with a hyphen'
          : kind === 'load balancer' && name.startsWith('internal-')
            ? 'must not begin with "internal-"'
            : undefined;
  if (problem) throw elbv2Errors.validation(`The ${kind} name '${name}' ${problem}`);
}

/** Application Load Balancer quotas (User Guide, "Quotas for your Application Load Balancers"). */
export const QUOTA = {
  /** "Rules per Application Load Balancer (excluding default rules): 100". */
  rulesPerLoadBalancer: 100,
  /** "Target groups per action: 5". */
  targetGroupsPerAction: 5,
  /** "Tags per resource" (AddTags: "Each resource can have a maximum of 50 tags"). */
  tagsPerResource: 50,
  /** DescribeTags, ResourceArns: "You can specify up to 20 resources in a single call." */
  describeTagsArns: 20,
  /** "Condition values per rule: 5"; "Condition values per condition: 3" (see checkConditions). */
  valuesPerRule: 5,
  valuesPerCondition: 3,
} as const;

/** TargetGroupTuple, Weight: "The weight. The range is 0 to 999." */
export const MAX_WEIGHT = 999;

const SINGLE = new Set(['host-header', 'http-request-method', 'path-pattern', 'source-ip']);
const FIELDS = new Set([...SINGLE, 'http-header', 'query-string']);
const CONFIG_OF: Readonly<Record<string, string>> = {
  'host-header': 'HostHeaderConfig',
  'path-pattern': 'PathPatternConfig',
  'http-header': 'HttpHeaderConfig',
  'query-string': 'QueryStringConfig',
  'http-request-method': 'HttpRequestMethodConfig',
  'source-ip': 'SourceIpConfig',
};

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : []);

/**
 * The values of one condition, whichever way it gives them (`Values` of the condition, or of its `<Field>Config`;
 * the regular-expression values too), after checking it gives them one way only.
 */
function valuesOf(
  condition: JsonObject,
  at: string,
): { values: string[]; regex: string[]; pairs: JsonObject[] } {
  const field = condition.Field as string;
  const config = condition[CONFIG_OF[field] ?? ''];
  const top = strings(condition.Values);
  for (const [name, key] of Object.entries(CONFIG_OF)) {
    if (name !== field && condition[key] !== undefined)
      throw elbv2Errors.validation(`${at}: ${key} cannot be given for a ${field} condition`);
  }
  if (
    field === 'query-string' ||
    field === 'http-header' ||
    field === 'http-request-method' ||
    field === 'source-ip'
  ) {
    // CreateRule: "Values ... If Field is host-header or path-pattern, you can specify a single path pattern" —
    // the other fields take their values only in their Config (RuleCondition.Values).
    if (top.length)
      throw elbv2Errors.validation(`${at}: a ${field} condition takes its values in ${CONFIG_OF[field]}`);
  }
  if (top.length && isPlainObject(config))
    throw elbv2Errors.validation(`${at}: give Values or ${CONFIG_OF[field]}, not both`);
  const c = isPlainObject(config) ? config : {};
  const pairs = Array.isArray(c.Values) && field === 'query-string' ? (c.Values as JsonObject[]) : [];
  return {
    values: field === 'query-string' ? [] : [...top, ...strings(c.Values)],
    regex: [...strings(condition.RegexValues), ...strings(c.RegexValues)],
    pairs,
  };
}

/**
 * The value rules of the condition types (User Guide, "Condition types for listener rules" and "Add a listener
 * rule"): host header values: "Maximum 128 characters. Not case sensitive. Allowed characters are a-z, A-Z, 0-9; the
 * following special characters: -_.; and wildcards (* and ?)"; path values: "Maximum 128 characters. Case sensitive.
 * Allowed characters are a-z, A-Z, 0-9; the following special characters: _-.$/~"'@:+; & (using &amp;); and
 * wildcard characters (* and ?)"; HTTP header names at most 40 characters and values at most 128; query-string keys
 * and values at most 128; HTTP methods at most 40 characters, A-Z and -_ only, case sensitive; source IPs as CIDR.
 */
function checkValue(field: string, value: string, at: string): void {
  const fail = (rule: string) => throw_(`${at}: '${value}' is not a valid ${field} value (${rule})`);
  if (value.length === 0) fail('it is empty');
  switch (field) {
    case 'host-header':
      if (value.length > 128) fail('maximum 128 characters');
      if (!/^[A-Za-z0-9\-_.*?]+$/.test(value))
        fail('allowed: a-z, A-Z, 0-9, - _ . and the wildcards * and ?');
      break;
    case 'path-pattern':
      if (value.length > 128) fail('maximum 128 characters');
      if (!/^[A-Za-z0-9_\-.$/~"'@:+&*?]+$/.test(value))
        fail('allowed: a-z, A-Z, 0-9, _ - . $ / ~ " \' @ : + &, and the wildcards * and ?');
      break;
    case 'http-header':
    case 'query-string':
      if (value.length > 128) fail('maximum 128 characters');
      break;
    case 'http-request-method':
      if (value.length > 40) fail('maximum 40 characters');
      if (!/^[A-Z_-]+$/.test(value)) fail('allowed: A-Z, - and _');
      break;
    case 'source-ip':
      if (!/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/.test(value) && !/^[0-9a-fA-F:]+\/\d{1,3}$/.test(value))
        fail('a CIDR block');
      break;
  }
}

function throw_(message: string): never {
  throw elbv2Errors.validation(message);
}

/**
 * A rule's conditions (listener-rules.html, "Rule basics"): "Each rule, except the default rule, can optionally
 * include zero or one of each of the following conditions: host-header, http-request-method, path-pattern, and
 * source-ip. Each rule can also optionally include one or more of each of the following conditions: http-header and
 * query-string"; "You can specify up to three comparison strings per condition and up to five per rule"; and "Each
 * rule must specify an action and a condition" (add-rule.html). ValidationError, our wording.
 */
export function checkConditions(conditions: readonly JsonObject[]): void {
  if (conditions.length === 0) throw_('A rule must have at least one condition');
  const seen = new Set<string>();
  let total = 0;
  conditions.forEach((condition, i) => {
    const at = `conditions.member.${i + 1}`;
    const field = condition.Field;
    if (typeof field !== 'string' || !FIELDS.has(field))
      throw_(`${at}: Field must be one of ${[...FIELDS].join(', ')}`);
    if (SINGLE.has(field)) {
      if (seen.has(field)) throw_(`A rule can have at most one '${field}' condition`);
      seen.add(field);
    }
    const { values, regex, pairs } = valuesOf(condition, at);
    for (const v of values) checkValue(field, v, at);
    for (const p of pairs) {
      if (typeof p.Value !== 'string') throw_(`${at}: each query-string pair needs a Value`);
      checkValue(field, p.Value, at);
      if (p.Key !== undefined) checkValue(field, String(p.Key), at);
    }
    if (field === 'http-header') {
      const config = condition.HttpHeaderConfig as JsonObject | undefined;
      const name = config?.HttpHeaderName;
      if (typeof name !== 'string' || name.length === 0 || name.length > 40)
        throw_(`${at}: HttpHeaderConfig.HttpHeaderName must be 1 to 40 characters`);
    }
    const count = values.length + regex.length + pairs.length;
    if (count === 0) throw_(`${at}: a ${field} condition needs at least one value`);
    if (count > QUOTA.valuesPerCondition)
      throw_(`A condition can have at most ${QUOTA.valuesPerCondition} values (${at} has ${count})`);
    total += count;
  });
  if (total > QUOTA.valuesPerRule)
    throw_(`A rule can have at most ${QUOTA.valuesPerRule} condition values in total (it has ${total})`);
}

/**
 * A rule's transforms (listener-rules.html, "Rule basics"): "Each rule, except the default rule, can optionally
 * include one host header rewrite transform and one URL rewrite transform"; each transform has "a regular expression
 * to match and a replacement string" — one rewrite (RewriteConfig) each. ValidationError, our wording.
 */
export function checkTransforms(transforms: readonly JsonObject[]): void {
  const seen = new Set<string>();
  transforms.forEach((t, i) => {
    const at = `transforms.member.${i + 1}`;
    const type = t.Type as string;
    if (seen.has(type)) throw_(`A rule can have at most one ${type} transform`);
    seen.add(type);
    const key = type === 'url-rewrite' ? 'UrlRewriteConfig' : 'HostHeaderRewriteConfig';
    const other = type === 'url-rewrite' ? 'HostHeaderRewriteConfig' : 'UrlRewriteConfig';
    if (t[other] !== undefined) throw_(`${at}: ${other} cannot be given for a ${type} transform`);
    const rewrites = (t[key] as JsonObject | undefined)?.Rewrites;
    if (!Array.isArray(rewrites) || rewrites.length !== 1)
      throw_(`${at}: a ${type} transform takes exactly one rewrite in ${key}.Rewrites`);
  });
}

/** What a forward action names: its target groups with their weights (TargetGroupArn alone is weight 1). */
export function forwardTargets(action: JsonObject, at: string): { arn: string; weight: number }[] {
  const single = typeof action.TargetGroupArn === 'string' ? action.TargetGroupArn : undefined;
  const tuples = (action.ForwardConfig as JsonObject | undefined)?.TargetGroups;
  const listed = Array.isArray(tuples)
    ? (tuples as JsonObject[]).map((t) => ({
        arn: String(t.TargetGroupArn ?? ''),
        weight: typeof t.Weight === 'number' ? t.Weight : 1,
      }))
    : [];
  // CreateRule, Action.TargetGroupArn: "Specify only when Type is forward and you want to route to a single target
  // group. To route to one or more target groups, use ForwardConfig instead." With both, they must agree.
  if (single !== undefined && listed.length > 0 && (listed.length !== 1 || listed[0]!.arn !== single))
    throw_(`${at}: TargetGroupArn and ForwardConfig name different target groups`);
  const targets = listed.length ? listed : single !== undefined ? [{ arn: single, weight: 1 }] : [];
  if (targets.length === 0)
    throw_(`${at}: a forward action needs TargetGroupArn or ForwardConfig.TargetGroups`);
  if (targets.length > QUOTA.targetGroupsPerAction)
    throw elbv2Errors.of(
      'TooManyTargetGroupsException',
      `A forward action can have at most ${QUOTA.targetGroupsPerAction} target groups`,
    );
  if (new Set(targets.map((t) => t.arn)).size !== targets.length)
    throw_(`${at}: a target group is listed more than once in ForwardConfig`);
  for (const t of targets) {
    if (!t.arn) throw_(`${at}: every ForwardConfig.TargetGroups entry needs a TargetGroupArn`);
    if (!Number.isInteger(t.weight) || t.weight < 0 || t.weight > MAX_WEIGHT)
      throw_(`${at}: the weight of ${t.arn} must be 0 to ${MAX_WEIGHT}`);
  }
  return targets;
}

/**
 * A rule's actions: "Each rule must include exactly one of the following actions: forward, redirect, or
 * fixed-response, and it must be the last action to be performed" (listener-rules.html). The emulator serves those
 * three; the authenticate and JWT actions are refused as not emulated (InvalidLoadBalancerAction, ours).
 */
export function checkActions(actions: readonly JsonObject[]): void {
  if (actions.length === 0) throw_('A rule must have at least one action');
  const final = actions.filter((a) => ['forward', 'redirect', 'fixed-response'].includes(String(a.Type)));
  if (final.length !== 1 || actions.at(-1) !== final[0])
    throw elbv2Errors.of(
      'InvalidLoadBalancerActionException',
      'A rule must include exactly one forward, redirect or fixed-response action, as its last action',
    );
  for (const a of actions) {
    if (!['forward', 'redirect', 'fixed-response'].includes(String(a.Type)))
      throw elbv2Errors.of(
        'InvalidLoadBalancerActionException',
        `The ${String(a.Type)} action is not emulated`,
      );
    if (a.Type === 'redirect' && a.RedirectConfig === undefined)
      throw_('A redirect action needs RedirectConfig');
    if (a.Type === 'fixed-response' && a.FixedResponseConfig === undefined)
      throw_('A fixed-response action needs FixedResponseConfig');
  }
}

/** Tag keys beginning with `aws:` are reserved for AWS use (AddTags; ValidationError, our wording). */
export function checkTagKeys(tags: readonly JsonObject[]): void {
  const keys = tags.map((t) => String(t.Key));
  for (const k of keys)
    if (k.toLowerCase().startsWith('aws:')) throw_(`Tag keys starting with 'aws:' are reserved: ${k}`);
  if (new Set(keys).size !== keys.length)
    throw elbv2Errors.of('DuplicateTagKeysException', 'A tag key was specified more than once');
}
