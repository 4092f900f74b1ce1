/**
 * For the Service Connect demo: the gateway route of a resource as its ALB listener rule and target group, read from
 * the emulator (its snapshot is the ground truth) and laid out the way a reader of the template wants them —
 * when (the conditions), what happens to the request (the transforms), where it goes (the target group, its port,
 * protocol and health check). The lead wires `ingressLines` / `printIngress` into scripts/demo.ts.
 */
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Emulator } from '../emulator';
import { INGRESS_LISTENER_EXPORT } from '../lambda/serviceconnect/ingress';

type Json = Record<string, unknown>;

/**
 * What MeshPlatform creates with context serviceConnectIngress, through the ELB API of the emulator the environment
 * points at: an ALB and its HTTP listener on 3000 (default: a fixed 404). Returns the export the migrated workshop
 * imports (`MeshIngressListenerArn`), to add to the demo platform's exports.
 */
export async function seedIngressListener(): Promise<Record<string, string>> {
  const elb = new ElasticLoadBalancingV2Client({});
  try {
    const lb = await elb.send(
      new CreateLoadBalancerCommand({ Name: 'mesh-ingress', Subnets: ['subnet-0aaa', 'subnet-0bbb'] }),
    );
    const listener = await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancers![0]!.LoadBalancerArn!,
        Protocol: 'HTTP',
        Port: 3000,
        DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
      }),
    );
    return { [INGRESS_LISTENER_EXPORT]: listener.Listeners![0]!.ListenerArn! };
  } finally {
    elb.destroy();
  }
}

const valuesOf = (config: unknown): unknown[] =>
  Array.isArray((config as Json | undefined)?.Values) ? ((config as Json).Values as unknown[]) : [];

/** One condition in words: `path is /api/*`, `header x-team is blue`, `query debug is *`. */
function conditionText(c: Json): string {
  const field = String(c.Field);
  const list = (xs: unknown[]) => xs.map(String).join(' or ');
  switch (field) {
    case 'path-pattern':
      return `path is ${list([...valuesOf(c.PathPatternConfig), ...valuesOf(c)])}`;
    case 'host-header':
      return `host is ${list([...valuesOf(c.HostHeaderConfig), ...valuesOf(c)])}`;
    case 'http-request-method':
      return `method is ${list(valuesOf(c.HttpRequestMethodConfig))}`;
    case 'http-header': {
      const config = c.HttpHeaderConfig as Json | undefined;
      return `header ${String(config?.HttpHeaderName)} is ${list(valuesOf(config))}`;
    }
    case 'query-string':
      return `query ${valuesOf(c.QueryStringConfig)
        .map((p) => `${String((p as Json).Key ?? '')}=${String((p as Json).Value)}`)
        .join(' or ')}`;
    default:
      return `${field} ${JSON.stringify(c)}`;
  }
}

function transformText(t: Json): string {
  const config = (t.UrlRewriteConfig ?? t.HostHeaderRewriteConfig) as { Rewrites?: Json[] } | undefined;
  const what = t.Type === 'url-rewrite' ? 'URL' : 'host';
  return (config?.Rewrites ?? [])
    .map((r) => `rewrite ${what} ${String(r.Regex)} → ${String(r.Replace)}`)
    .join('; ');
}

/**
 * The lines that describe the resource's listener rule and target group (from its Data: ListenerRuleArn,
 * TargetGroupArn); a single line saying so when the resource has no gateway route.
 */
export function ingressLines(emulator: Emulator, data: Readonly<Record<string, string>>): string[] {
  if (!data.ListenerRuleArn || !data.TargetGroupArn) return ['no gateway route (no Gateway)'];
  const snap = emulator.snapshot(['elbv2']).elbv2;
  const rule = snap?.rules.find((r) => r.RuleArn === data.ListenerRuleArn) as Json | undefined;
  const tg = snap?.targetGroups.find((t) => t.TargetGroupArn === data.TargetGroupArn) as Json | undefined;
  if (!rule || !tg) return [`listener rule ${data.ListenerRuleArn} or its target group is gone`];
  const listener = String(rule.ListenerArn).split('/').slice(-3, -1).join('/');
  const conditions = (rule.Conditions as Json[]).map(conditionText);
  const transforms = ((rule.Transforms as Json[] | undefined) ?? []).map(transformText);
  const healthCheck = `${String(tg.HealthCheckPath)} every ${String(tg.HealthCheckIntervalSeconds)} s (timeout ${String(tg.HealthCheckTimeoutSeconds)} s, healthy ${String(tg.HealthyThresholdCount)}, unhealthy ${String(tg.UnhealthyThresholdCount)})`;
  return [
    `ALB listener rule, priority ${String(rule.Priority)} on ${listener}:`,
    `  when   ${conditions.join('\n     and ')}`,
    ...(transforms.length ? [`  then   ${transforms.join('\n         ')}`] : []),
    `  send to target group ${String(tg.TargetGroupName)} (${String(tg.TargetType)} targets, ${String(tg.Protocol)} ${String(tg.ProtocolVersion)} port ${String(tg.Port)}, ${String(tg.VpcId)})`,
    `  health check ${healthCheck}`,
    `  ECS service LoadBalancers: TargetGroupArn ${data.TargetGroupArn}`,
  ];
}

export function printIngress(
  emulator: Emulator,
  data: Readonly<Record<string, string>>,
  print: (line: string) => void = (line) => console.log(line),
): void {
  for (const line of ingressLines(emulator, data)) print(line);
}
