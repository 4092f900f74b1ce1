/**
 * Ingress on Service Connect: what an App Mesh gateway route did, an Application Load Balancer listener rule does. The
 * resource owns a rule on the listener the platform names (`Gateway.ListenerArn`), whose conditions are the gateway
 * route's matches and whose transforms are its rewrites, forwarding to a target group it owns (ip targets: the ECS
 * service's tasks, wired through `LoadBalancers` with the attribute TargetGroupArn). The contract rules (what an ALB
 * rule cannot express, refused by name), the model, the ALB shapes and the attributes, side by side. Pure.
 *
 * ALB's limits (User Guide, "Quotas for your Application Load Balancers", Rules): "Condition values per rule 5",
 * "Condition wildcards per rule 5"; listener-rules.html: "zero or one of each of the following conditions:
 * host-header, http-request-method, path-pattern, and source-ip … one or more of each of … http-header and
 * query-string"; rule-transforms.html: "You can add one host header rewrite transform and one URL rewrite transform
 * per rule"; path values "Maximum 128 characters … Allowed characters are a-z, A-Z, 0-9; the following special
 * characters: _-.$/~"'@:+; & …; and wildcard characters (* and ?)". Priorities: 1-50000, unique per listener.
 */
import type { AttributeDoc } from '../contract/attributes';
import type { GatewayProps } from '../contract/properties';
import { known, type Protocol, type Report } from '../contract/values';
import type { HealthCheckModel } from '../model';
import { digest } from '../util';

/** The MeshPlatform export of the ALB listener that replaces the virtual gateway (context serviceConnectIngress). */
export const INGRESS_LISTENER_EXPORT = 'MeshIngressListenerArn';

/** ALB: "Condition values per rule", "Condition wildcards per rule". */
export const ALB_RULE_LIMITS = { conditionValues: 5, wildcards: 5, pathValueLength: 128 } as const;
/** Where derived priorities start: below it, priorities are left to the platform's own rules and RulePriority. */
export const DERIVED_PRIORITY_FROM = 10001;
export const MAX_PRIORITY = 50000;

/** ALB path-pattern characters (wildcards aside). */
const PATH_CHARS = /^[A-Za-z0-9_\-.$/~"'@:+&]*$/;

export const INGRESS_REFUSAL = {
  virtualGateway:
    'names an App Mesh virtual gateway; with Backend ServiceConnect the gateway route is a listener rule of an Application Load Balancer: give Gateway.ListenerArn (the platform exports it) and remove VirtualGatewayName',
  listener:
    'required with Backend ServiceConnect: the Application Load Balancer listener that takes the gateway route (the MeshPlatform stack exports it with serviceConnectIngress)',
  port: 'names a listener of the App Mesh virtual gateway; the ALB listener is Gateway.ListenerArn: remove Port',
  priority:
    'App Mesh gateway route priorities (0-1000) do not apply to ALB listener rules: give Gateway.RulePriority (1-50000; Priority + 1 keeps the order), or leave it out to derive one',
  pathRegex:
    'regular-expression path matches are not carried over to ALB listener rules: match with Prefix or Path (ALB path patterns take the wildcards * and ?), or keep the regex in the application',
  metadata:
    'gRPC metadata matches are not carried over to ALB listener rules: match the gRPC service with ServiceName (a path pattern), or remove Metadata',
  headerRegex:
    'regular-expression header matches are not carried over to ALB listener rules: match with Exact, Prefix or Suffix (ALB wildcards), or remove the match',
  headerRange:
    'range header matches have no equivalent in ALB listener rules (they compare strings with wildcards): remove Range, or check the value in the application',
  invert:
    'ALB listener rule conditions cannot be inverted: remove Invert (give the matching values instead), or check in the application',
  wildcard:
    'contains * or ?, which ALB conditions take as wildcards: the match would change meaning; remove them',
  conditions: `an ALB listener rule takes at most ${ALB_RULE_LIMITS.conditionValues} condition values (Quotas for your Application Load Balancers: "Condition values per rule 5"); this gateway route needs more: remove matches`,
  wildcards: `an ALB listener rule takes at most ${ALB_RULE_LIMITS.wildcards} wildcards in its conditions ("Condition wildcards per rule 5"); prefix, suffix and presence matches use one each: remove some`,
  healthCheckProtocol:
    'an ALB target group checks health over HTTP or HTTPS (gRPC over HTTP/2): a tcp health check has no equivalent with Gateway; use an http health check with a Path',
  healthCheckSeconds: 'ALB health check settings are whole seconds; give a multiple of 1000',
} as const;

// ---------------------------------------------------------------------------------------------------------------
// ALB shapes (as CreateRule and ModifyRule take them)

export type AlbCondition =
  | { readonly Field: 'path-pattern'; readonly PathPatternConfig: { readonly Values: readonly string[] } }
  | { readonly Field: 'host-header'; readonly HostHeaderConfig: { readonly Values: readonly string[] } }
  | {
      readonly Field: 'http-request-method';
      readonly HttpRequestMethodConfig: { readonly Values: readonly string[] };
    }
  | {
      readonly Field: 'http-header';
      readonly HttpHeaderConfig: { readonly HttpHeaderName: string; readonly Values: readonly string[] };
    }
  | {
      readonly Field: 'query-string';
      readonly QueryStringConfig: {
        readonly Values: readonly { readonly Key: string; readonly Value: string }[];
      };
    };

export interface AlbTransform {
  readonly Type: 'url-rewrite' | 'host-header-rewrite';
  readonly UrlRewriteConfig?: { readonly Rewrites: readonly { Regex: string; Replace: string }[] };
  readonly HostHeaderRewriteConfig?: { readonly Rewrites: readonly { Regex: string; Replace: string }[] };
}

export interface AlbHealthCheck {
  readonly path: string;
  readonly port: string;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
  /** HttpCode (HTTP1/HTTP2) or GrpcCode (GRPC). */
  readonly matcher: { readonly HttpCode?: string; readonly GrpcCode?: string };
}

export interface IngressTargetGroup {
  /** Deterministic: the physical id and what cannot change in place (a change is a new target group). */
  readonly name: string;
  readonly port: number;
  readonly protocolVersion: 'HTTP1' | 'HTTP2' | 'GRPC';
  /** Given by the property; otherwise the listener's load balancer's, read before any change. */
  readonly vpcId?: string;
  readonly healthCheck: AlbHealthCheck;
}

export interface IngressModel {
  readonly listenerArn: string;
  /** RulePriority; otherwise kept or derived when the listener is read. */
  readonly priority?: number;
  readonly conditions: readonly AlbCondition[];
  readonly transforms: readonly AlbTransform[];
  readonly targetGroup: IngressTargetGroup;
  readonly warnings: readonly { readonly path: string; readonly message: string }[];
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const hasWildcard = (s: string) => /[*?]/.test(s);

interface RuleShape {
  readonly conditions: AlbCondition[];
  readonly transforms: AlbTransform[];
  readonly wildcards: number;
}

/**
 * The ALB conditions and transforms of a gateway route (what the contract let through; unresolved values are left
 * out, so that the offline linter counts what it can). `alias` is the name a hostname rewrite writes.
 */
export function albRuleOf(g: GatewayProps, alias: string | undefined): RuleShape {
  const conditions: AlbCondition[] = [];
  const transforms: AlbTransform[] = [];
  let wildcards = 0;
  const prefix = known(g.Prefix)
    ? g.Prefix
    : g.Path === undefined && g.PathRegex === undefined && g.ServiceName === undefined
      ? '/'
      : undefined;
  if (known(g.Path)) conditions.push({ Field: 'path-pattern', PathPatternConfig: { Values: [g.Path] } });
  else if (known(g.ServiceName)) {
    // A gRPC call is a POST to /<package.Service>/<Method>.
    conditions.push({ Field: 'path-pattern', PathPatternConfig: { Values: [`/${g.ServiceName}/*`] } });
    wildcards++;
  } else if (prefix !== undefined) {
    conditions.push({ Field: 'path-pattern', PathPatternConfig: { Values: [`${prefix}*`] } });
    wildcards++;
  }
  if (known(g.Hostname))
    conditions.push({ Field: 'host-header', HostHeaderConfig: { Values: [g.Hostname] } });
  else if (known(g.HostnameSuffix)) {
    conditions.push({ Field: 'host-header', HostHeaderConfig: { Values: [`*${g.HostnameSuffix}`] } });
    wildcards++;
  }
  if (known(g.Method))
    conditions.push({ Field: 'http-request-method', HttpRequestMethodConfig: { Values: [g.Method] } });
  for (const h of known(g.Headers) ? g.Headers : []) {
    if (!known(h) || !known(h.Name)) continue;
    const value = known(h.Exact)
      ? h.Exact
      : known(h.Prefix)
        ? `${h.Prefix}*`
        : known(h.Suffix)
          ? `*${h.Suffix}`
          : h.Regex === undefined && h.Range === undefined
            ? '*'
            : undefined;
    if (value === undefined) continue;
    if (h.Exact === undefined) wildcards++;
    conditions.push({ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: h.Name, Values: [value] } });
  }
  for (const q of known(g.QueryParameters) ? g.QueryParameters : []) {
    if (!known(q) || !known(q.Name)) continue;
    const value = known(q.Exact) ? q.Exact : '*';
    if (q.Exact === undefined) wildcards++;
    conditions.push({
      Field: 'query-string',
      QueryStringConfig: { Values: [{ Key: q.Name, Value: value }] },
    });
  }
  // Rewrites: App Mesh rewrites the matched prefix to "/" unless told otherwise (DefaultPrefix DISABLED).
  const rewrite = known(g.Rewrite) ? g.Rewrite : undefined;
  const url = (Regex: string, Replace: string) =>
    transforms.push({ Type: 'url-rewrite', UrlRewriteConfig: { Rewrites: [{ Regex, Replace }] } });
  if (rewrite && known(rewrite.Path) && known(g.Path))
    url(`^${escapeRegex(g.Path)}(\\?.*)?$`, `${rewrite.Path}$1`);
  else if (prefix !== undefined && prefix !== '/' && g.Path === undefined) {
    const to = known(rewrite?.Prefix)
      ? rewrite.Prefix
      : rewrite?.DefaultPrefix === 'DISABLED'
        ? undefined
        : '/';
    if (to !== undefined) url(`^${escapeRegex(prefix)}(.*)$`, `${to}$1`);
  }
  if (rewrite?.Hostname === 'ENABLED' && alias !== undefined)
    transforms.push({
      Type: 'host-header-rewrite',
      HostHeaderRewriteConfig: { Rewrites: [{ Regex: '^.*$', Replace: alias }] },
    });
  return { conditions, transforms, wildcards };
}

/** The part of the properties the ingress rules read. */
interface IngressView {
  readonly Protocol?: Protocol;
  readonly Gateway?: GatewayProps;
  readonly HealthCheck?: {
    readonly Protocol?: Protocol;
    readonly IntervalMillis?: number;
    readonly TimeoutMillis?: number;
  };
}

/** What an ALB listener rule cannot express, refused by name (the contract; before any AWS call). */
export function ingressRules(p: IngressView, report: Report): void {
  if (!known(p.Gateway)) return;
  const g = p.Gateway;
  if (g.VirtualGatewayName !== undefined)
    report('Gateway.VirtualGatewayName', INGRESS_REFUSAL.virtualGateway);
  if (g.ListenerArn === undefined) report('Gateway.ListenerArn', INGRESS_REFUSAL.listener);
  if (g.Port !== undefined) report('Gateway.Port', INGRESS_REFUSAL.port);
  if (g.Priority !== undefined) report('Gateway.Priority', INGRESS_REFUSAL.priority);
  if (g.PathRegex !== undefined) report('Gateway.PathRegex', INGRESS_REFUSAL.pathRegex);
  if (g.Metadata !== undefined) report('Gateway.Metadata', INGRESS_REFUSAL.metadata);
  for (const key of ['Prefix', 'Path'] as const) {
    const v = g[key];
    if (!known(v)) continue;
    if (hasWildcard(v)) report(`Gateway.${key}`, INGRESS_REFUSAL.wildcard);
    else if (!PATH_CHARS.test(v))
      report(
        `Gateway.${key}`,
        `ALB path patterns allow a-z, A-Z, 0-9 and _ - . $ / ~ " ' @ : + & only; "${v}" has others`,
      );
    const max = ALB_RULE_LIMITS.pathValueLength - (key === 'Prefix' ? 1 : 0);
    if (v.length > max)
      report(
        `Gateway.${key}`,
        `ALB path patterns are at most 128 characters (with the prefix's *): at most ${max}`,
      );
  }
  (known(g.Headers) ? g.Headers : []).forEach((h, i) => {
    if (!known(h)) return;
    const at = `Gateway.Headers[${i}]`;
    if (h.Regex !== undefined) report(`${at}.Regex`, INGRESS_REFUSAL.headerRegex);
    if (h.Range !== undefined) report(`${at}.Range`, INGRESS_REFUSAL.headerRange);
    if (h.Invert === true) report(`${at}.Invert`, INGRESS_REFUSAL.invert);
    for (const k of ['Exact', 'Prefix', 'Suffix'] as const) {
      const v = h[k];
      if (known(v) && hasWildcard(v)) report(`${at}.${k}`, INGRESS_REFUSAL.wildcard);
    }
  });
  (known(g.QueryParameters) ? g.QueryParameters : []).forEach((q, i) => {
    if (known(q) && known(q.Exact) && hasWildcard(q.Exact))
      report(`Gateway.QueryParameters[${i}].Exact`, INGRESS_REFUSAL.wildcard);
  });
  const shape = albRuleOf(g, undefined);
  if (shape.conditions.length > ALB_RULE_LIMITS.conditionValues)
    report('Gateway', INGRESS_REFUSAL.conditions);
  else if (shape.wildcards > ALB_RULE_LIMITS.wildcards) report('Gateway', INGRESS_REFUSAL.wildcards);
  const hc = known(p.HealthCheck) ? p.HealthCheck : undefined;
  if (hc) {
    const protocol = known(hc.Protocol) ? hc.Protocol : p.Protocol;
    if (protocol === 'tcp') report('HealthCheck.Protocol', INGRESS_REFUSAL.healthCheckProtocol);
    for (const key of ['IntervalMillis', 'TimeoutMillis'] as const) {
      const ms = hc[key];
      if (known(ms) && ms % 1000 !== 0) report(`HealthCheck.${key}`, INGRESS_REFUSAL.healthCheckSeconds);
    }
  }
}

/** Accepted but not carried over. */
function ingressWarnings(g: GatewayProps): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  if (g.RouteName !== undefined)
    out.push({
      path: 'Gateway.RouteName',
      message: 'ignored: an ALB listener rule has no name (it is tagged)',
    });
  if ((g.Headers ?? []).length > 0)
    out.push({
      path: 'Gateway.Headers',
      message: 'ALB compares header values without regard to case (App Mesh: exactly)',
    });
  return out;
}

/**
 * ALB defaults (CreateTargetGroup): HealthCheckPath "/" (HTTP), "/AWS.ALB/healthcheck" (gRPC); interval 30 s, timeout
 * 5 s, healthy 5, unhealthy 2; Matcher 200 (HTTP), 12 (gRPC).
 */
function albHealthCheck(h: HealthCheckModel | undefined, protocolVersion: string): AlbHealthCheck {
  const grpc = protocolVersion === 'GRPC';
  if (!h)
    return {
      path: grpc ? '/AWS.ALB/healthcheck' : '/',
      port: 'traffic-port',
      intervalSeconds: 30,
      timeoutSeconds: 5,
      healthyThreshold: 5,
      unhealthyThreshold: 2,
      matcher: grpc ? { GrpcCode: '12' } : { HttpCode: '200' },
    };
  return {
    // App Mesh's gRPC health check is the standard gRPC health service, which answers OK (0).
    path: h.path ?? (grpc ? '/grpc.health.v1.Health/Check' : '/'),
    port: 'traffic-port',
    intervalSeconds: h.intervalMillis / 1000,
    timeoutSeconds: h.timeoutMillis / 1000,
    healthyThreshold: h.healthyThreshold,
    unhealthyThreshold: h.unhealthyThreshold,
    matcher: grpc ? { GrpcCode: '0' } : { HttpCode: '200' },
  };
}

const PROTOCOL_VERSION = { http: 'HTTP1', http2: 'HTTP2', grpc: 'GRPC', tcp: 'HTTP1' } as const;

/** The ingress of a model, from properties that passed the contract. */
export function ingressModel(
  p: { readonly Gateway?: GatewayProps; readonly Port: number; readonly Protocol: Protocol },
  physicalId: string,
  healthCheck: HealthCheckModel | undefined,
  alias: string | undefined,
): IngressModel | undefined {
  const g = p.Gateway;
  if (!g || g.ListenerArn === undefined) return undefined;
  const protocolVersion = PROTOCOL_VERSION[p.Protocol];
  const shape = albRuleOf(g, alias);
  // What a target group cannot change in place: a change is a new target group beside the old one.
  const name = `ms-${digest({ physicalId, listener: g.ListenerArn, vpc: g.VpcId ?? '', port: p.Port, protocolVersion }, 29)}`;
  return {
    listenerArn: g.ListenerArn,
    ...(g.RulePriority !== undefined ? { priority: g.RulePriority } : {}),
    conditions: shape.conditions,
    transforms: shape.transforms,
    targetGroup: {
      name,
      port: p.Port,
      protocolVersion,
      ...(g.VpcId !== undefined ? { vpcId: g.VpcId } : {}),
      healthCheck: albHealthCheck(healthCheck, protocolVersion),
    },
    warnings: ingressWarnings(g),
  };
}

/**
 * The priority of a new rule: RulePriority, or one derived from the physical id (so that a re-delivery picks the same
 * one), the next free one from there.
 */
export function derivePriority(physicalId: string, taken: ReadonlySet<number>): number | undefined {
  const span = MAX_PRIORITY - DERIVED_PRIORITY_FROM + 1;
  const start = Number.parseInt(digest(physicalId, 8), 16) % span;
  for (let i = 0; i < span; i++) {
    const candidate = DERIVED_PRIORITY_FROM + ((start + i) % span);
    if (!taken.has(candidate)) return candidate;
  }
  return undefined;
}

export const INGRESS_ATTRIBUTES: readonly AttributeDoc[] = [
  {
    name: 'TargetGroupArn',
    description:
      'Service Connect with Gateway: the target group (ip targets) the listener rule forwards to, for the AWS::ECS::Service `LoadBalancers[].TargetGroupArn`.',
    presentWhen: 'Backend is ServiceConnect and Gateway is given',
  },
  {
    name: 'ListenerRuleArn',
    description: 'Service Connect with Gateway: the ALB listener rule the resource owns.',
    presentWhen: 'Backend is ServiceConnect and Gateway is given',
  },
  {
    name: 'ListenerRulePriority',
    description: "Service Connect with Gateway: the listener rule's priority.",
    presentWhen: 'Backend is ServiceConnect and Gateway is given',
  },
];

/** The tag types of what a Gateway owns (the Resource Groups Tagging API's resource type filters). */
export const INGRESS_OWNED_TYPES = ['elasticloadbalancing:listener-rule', 'elasticloadbalancing:targetgroup'];

export function ingressAttributes(
  gateway:
    | { readonly targetGroupArn: string; readonly ruleArn: string; readonly priority: number }
    | undefined,
): Record<string, string> {
  if (!gateway) return {};
  return {
    TargetGroupArn: gateway.targetGroupArn,
    ListenerRuleArn: gateway.ruleArn,
    ListenerRulePriority: String(gateway.priority),
  };
}
