/**
 * `mesh-service migrate --to service-connect`, the gateway route: an App Mesh gateway route becomes an Application
 * Load Balancer listener rule the resource owns on the platform's listener (`Gateway.ListenerArn`, an ImportValue of
 * the MeshPlatform stack's export with serviceConnectIngress), and the ECS service gets the target group it returns
 * in `LoadBalancers`. Pure; what does not carry over is noted.
 */
import { INGRESS_LISTENER_EXPORT, INGRESS_REFUSAL } from '../lambda/serviceconnect/ingress';

export { INGRESS_LISTENER_EXPORT };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Rewrites `out.Gateway` for Service Connect in place (or removes it, noting why, when nothing of it can be kept);
 * returns whether the resource keeps a gateway route (so that its ECS service gets LoadBalancers).
 */
export function migrateGateway(
  id: string,
  out: Json,
  note: (where: string, message: string) => void,
): boolean {
  const gateway = out.Gateway;
  if (gateway === undefined) return false;
  note(
    `${id}.Gateway`,
    `the gateway route becomes a listener rule on the platform's Application Load Balancer listener (ListenerArn: !ImportValue ${INGRESS_LISTENER_EXPORT}, MeshPlatform with serviceConnectIngress), forwarding to a target group the resource owns (TargetGroupArn, wired into the ECS service's LoadBalancers)`,
  );
  // A Gateway behind a condition: each branch converted.
  if (isObject(gateway) && Array.isArray(gateway['Fn::If'])) {
    const [condition, yes, no] = gateway['Fn::If'] as unknown[];
    const branch = (b: unknown) => (isObject(b) && !('Ref' in b) ? convert(id, b, note) : b);
    out.Gateway = { 'Fn::If': [condition, branch(yes), branch(no)] };
    return true;
  }
  if (!isObject(gateway)) return false;
  out.Gateway = convert(id, gateway, note);
  return true;
}

/**
 * The listener's ImportValue: the virtual gateway's, with its export name (MeshVGWName, with the template's
 * prefix if it gives one) swapped for the listener's.
 */
function listenerImport(virtualGateway: unknown): Json {
  if (isObject(virtualGateway) && virtualGateway['Fn::ImportValue'] !== undefined) {
    const swapped = JSON.stringify(virtualGateway['Fn::ImportValue']).replaceAll(
      'MeshVGWName',
      INGRESS_LISTENER_EXPORT,
    );
    if (swapped.includes(INGRESS_LISTENER_EXPORT)) return { 'Fn::ImportValue': JSON.parse(swapped) };
  }
  return { 'Fn::ImportValue': INGRESS_LISTENER_EXPORT };
}

function convert(id: string, gateway: Json, note: (where: string, message: string) => void): Json {
  const { VirtualGatewayName: vgw, ...g } = gateway;
  g.ListenerArn = listenerImport(vgw);
  if (g.Priority !== undefined) {
    const n = Number(g.Priority);
    if (Number.isInteger(n)) g.RulePriority = String(n + 1);
    note(`${id}.Gateway.Priority`, 'became RulePriority (Priority + 1: ALB priorities start at 1)');
    delete g.Priority;
  }
  if (g.Port !== undefined) {
    note(`${id}.Gateway.Port`, 'removed: the ALB listener is Gateway.ListenerArn');
    delete g.Port;
  }
  if (g.RouteName !== undefined) {
    note(`${id}.Gateway.RouteName`, 'removed: an ALB listener rule has no name');
    delete g.RouteName;
  }
  for (const key of ['PathRegex', 'Metadata'] as const) {
    if (g[key] !== undefined) {
      note(
        `${id}.Gateway.${key}`,
        `removed: ${key === 'PathRegex' ? INGRESS_REFUSAL.pathRegex : INGRESS_REFUSAL.metadata}`,
      );
      delete g[key];
    }
  }
  if (Array.isArray(g.Headers)) {
    const kept = g.Headers.filter((h, i) => {
      if (!isObject(h)) return true;
      const why =
        h.Regex !== undefined
          ? INGRESS_REFUSAL.headerRegex
          : h.Range !== undefined
            ? INGRESS_REFUSAL.headerRange
            : h.Invert === true || h.Invert === 'true'
              ? INGRESS_REFUSAL.invert
              : undefined;
      if (why) note(`${id}.Gateway.Headers[${i}]`, `removed: ${why}`);
      return why === undefined;
    });
    if (kept.length) g.Headers = kept;
    else delete g.Headers;
  }
  return g;
}

/**
 * The `LoadBalancers` of the ECS service of a resource that keeps its gateway route: its target group, on the
 * container of its task definition that maps the service's Port (the first container when none is found).
 */
export function ingressLoadBalancers(
  meshedId: string,
  props: Json,
  taskDefinition: unknown,
  existing: unknown,
): Json[] | undefined {
  if (!isObject(props.Gateway)) return undefined;
  const port = Number(props.Port);
  const containers =
    isObject(taskDefinition) &&
    isObject(taskDefinition.Properties) &&
    Array.isArray(taskDefinition.Properties.ContainerDefinitions)
      ? (taskDefinition.Properties.ContainerDefinitions as unknown[]).filter(isObject)
      : [];
  const maps = (c: Json) =>
    Array.isArray(c.PortMappings) &&
    c.PortMappings.some((m) => isObject(m) && Number(m.ContainerPort) === port);
  const container = containers.find(maps) ?? containers[0];
  const name = container?.Name ?? String(props.ServiceName ?? meshedId);
  const entry: Json = {
    ContainerName: name,
    ContainerPort: Number.isFinite(port) ? port : props.Port,
    TargetGroupArn: { 'Fn::GetAtt': [meshedId, 'TargetGroupArn'] },
  };
  // A Gateway behind a condition: so is its target group.
  const condition = Array.isArray(props.Gateway['Fn::If']) ? props.Gateway['Fn::If'][0] : undefined;
  return [
    ...(Array.isArray(existing) ? (existing as Json[]) : []),
    condition === undefined ? entry : { 'Fn::If': [condition, entry, { Ref: 'AWS::NoValue' }] },
  ];
}
