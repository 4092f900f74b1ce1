/**
 * The Service Connect backend's part of the contract: its own property (`ServiceConnect`), and what a
 * `Custom::MeshService` may declare with `Backend: ServiceConnect`: the properties ECS Service Connect cannot honour
 * are refused by name, each message saying what to use instead (they run in the property contract, so the handler
 * refuses them before any AWS call, and `mesh-service validate` and the CDK construct offline); the properties it
 * accepts without carrying them over are returned as warnings. Pure; tolerant of values only CloudFormation can
 * resolve (Unresolved), like every contract rule.
 */
import { bool, type Infer, optional, type StructOutput, struct, withDefault } from '../contract/dsl';
import type { BackendContract, CoreProps, RouteProps } from '../contract/properties';
import { hostname, known, type Report } from '../contract/values';
import { refuseTargetGroupNames } from '../contract/versions';
import { ingressRules } from './ingress';
import { proxyRules, proxyWarnings, ServiceConnectTls } from './proxy';
import { Rollout, rolloutRules, testTrafficRouteIndex } from './rollout';

export interface Finding {
  /** Property path as a template author writes it. */
  readonly path: string;
  readonly message: string;
}

/**
 * ECS: a discovery name (and a port name) "can include up to 64 characters … lowercase letters, numbers,
 * underscores (_), and hyphens (-). The name can't start with a hyphen." (ServiceConnectService, PortMapping).
 */
export const SERVICE_CONNECT_NAME = /^[a-z0-9_][a-z0-9_-]{0,63}$/;

export const ServiceConnect = struct(
  'ServiceConnect',
  {
    Namespace: optional(hostname(), {
      description:
        'Cloud Map namespace (its name) the service joins. Needed with DnsHostname, which names no namespace.',
      defaultDoc: '`Namespace`',
      update: 'replacement',
    }),
    CreateNamespace: withDefault(bool(), false, {
      description:
        "Create the namespace as a Cloud Map HTTP namespace, tagged as this resource's, when it does not exist (and delete it with the resource when Cloud Map counts no service in it any more; left in place otherwise). Otherwise a missing namespace fails the request. A namespace another Custom::MeshService created is refused here: it may only be joined, declared as existing (CreateNamespace false), and is then used without being owned; one resource per namespace creates it, the others declare it existing and DependsOn that one.",
      update: 'in-place',
    }),
    Rollout: optional(Rollout, {
      description:
        'An ECS-native rollout (CANARY, LINEAR, BLUE_GREEN) of the ECS service: its DeploymentConfiguration, returned for Fn::GetAtt. Two Versions, one lighter, are a rollout to the lighter one, with these options.',
      defaultDoc: 'with two Versions, a CANARY of the lighter version; otherwise none',
      update: 'in-place',
    }),
    Tls: optional(ServiceConnectTls, {
      description:
        'Service Connect TLS with an AWS Private CA (`Services[].Tls`), returned for Fn::GetAtt; needed when the App Mesh `Tls` is kept.',
      update: 'in-place',
    }),
  },
  { description: 'Options of the ServiceConnect backend (Backend: ServiceConnect only).' },
);
export type ServiceConnectProps = Infer<typeof ServiceConnect>;

export const serviceConnectFields = {
  ServiceConnect: optional(ServiceConnect, {
    description: 'Options of the ServiceConnect backend.',
    update: 'in-place',
  }),
};

/** The properties with `Backend: ServiceConnect`. */
export type ServiceConnectServiceProps = CoreProps & StructOutput<typeof serviceConnectFields>;

export const REFUSAL = {
  versions:
    'Service Connect has no standing weighted versions (it balances evenly over the tasks of one ECS service): two versions, one lighter, are a rollout (ServiceConnect.Rollout: an ECS CANARY or LINEAR deployment to the lighter one, wired into the AWS::ECS::Service DeploymentConfiguration); a lasting split of several versions needs the VPC Lattice backend (Backend: VpcLattice, coming)',
  weightedTargets:
    'Service Connect has no weighted targets: give the weights on Versions (two versions, one lighter, are an ECS CANARY or LINEAR rollout) and one target, or use the VPC Lattice backend (Backend: VpcLattice, coming) for a lasting split',
  routes:
    'Service Connect sends every request for a client alias to one service, so it has a single route: route by path, header or method with listener rules of an Application Load Balancer in front of separate ECS services; keep one route',
  headers:
    'header routes are not available on Service Connect, except one exact header sent whole to the new version of a rollout (its test traffic, TestTrafficRules): match other headers with listener rules of an Application Load Balancer in front of separate ECS services, or in the application; remove the header match',
  path: 'path and method routes are not available on Service Connect: route them with listener rules of an Application Load Balancer in front of separate ECS services; match everything (Prefix "/") or remove Match',
  grpcMatch:
    'gRPC service and method routes are not available on Service Connect: give each gRPC service its own ECS service and client alias; remove the match',
  retry:
    'retry tuning is not available on Service Connect: its ECS-managed proxy retries failed connections and ejects failing endpoints (outlier detection) by itself, and neither is configurable; remove Retry (only timeouts carry over)',
  timeoutSeconds: 'Service Connect timeouts are whole seconds; give a multiple of 1000',
  clientTls:
    'Service Connect has no client TLS policy: a client encrypts to every service of the namespace whose ServiceConnectConfiguration has Tls, and trusts that AWS Private CA by itself; remove it',
  outlierDetection:
    'outlier detection is not configurable on Service Connect: its ECS-managed proxy ejects failing endpoints by itself; remove OutlierDetection',
  connectionPool:
    'connection pools (circuit breaking) are not configurable on Service Connect; limit concurrency in the application or scale the ECS service; remove ConnectionPool',
  dnsResponseType:
    'Service Connect discovers tasks through its Cloud Map namespace, not DNS: remove DnsResponseType',
  ipPreference:
    'Service Connect chooses the address family itself (it uses IPv6 in IPv6-only subnets); remove IpPreference',
  targetPort:
    'Service Connect sends a client alias to the one port it names (ClientAliasPort); remove the target port',
  namespace:
    'Service Connect needs a Cloud Map namespace: give Namespace, or ServiceConnect.Namespace with DnsHostname',
} as const;

/** A route that takes every request: no match beyond the prefix `/`. */
function matchesEverything(route: RouteProps): boolean {
  const m = route.Match;
  if (m === undefined) return true;
  if (!known(m)) return false;
  return (
    (m.Prefix === undefined || m.Prefix === '/') &&
    m.Path === undefined &&
    m.PathRegex === undefined &&
    m.Method === undefined &&
    m.Scheme === undefined &&
    m.Headers === undefined &&
    m.QueryParameters === undefined &&
    m.ServiceName === undefined &&
    m.MethodName === undefined &&
    m.Metadata === undefined
  );
}

/** Refusals of the contract: run for every template with `Backend: ServiceConnect`, before the core rules. */
export function serviceConnectRules(p: ServiceConnectServiceProps, report: Report): void {
  const sc = known(p.ServiceConnect) ? p.ServiceConnect : undefined;
  if (p.Namespace === undefined && sc?.Namespace === undefined)
    report('ServiceConnect.Namespace', REFUSAL.namespace);
  if (known(p.ServiceName) && !SERVICE_CONNECT_NAME.test(p.ServiceName)) {
    report(
      'ServiceName',
      `"${p.ServiceName}" cannot be a Service Connect discovery name, which allows lowercase letters, digits, underscores and hyphens only (up to 64, not starting with a hyphen); use a lowercase ServiceName`,
    );
  }
  // Two versions are a rollout (rollout.ts); TLS, listener timeouts and access logs map to the proxy (proxy.ts).
  rolloutRules(p, report);
  proxyRules(p, report);
  // A gateway route is an ALB listener rule the resource owns (ingress.ts).
  ingressRules(p, report);
  if (p.BackendDefaults !== undefined) report('BackendDefaults', REFUSAL.clientTls);
  if (p.BackendPolicies !== undefined) report('BackendPolicies', REFUSAL.clientTls);
  refuseTargetGroupNames(p.Versions, report);
  if (p.OutlierDetection !== undefined) report('OutlierDetection', REFUSAL.outlierDetection);
  if (p.ConnectionPool !== undefined) report('ConnectionPool', REFUSAL.connectionPool);
  if (p.DnsResponseType !== undefined) report('DnsResponseType', REFUSAL.dnsResponseType);
  if (p.IpPreference !== undefined) report('IpPreference', REFUSAL.ipPreference);
  if (!known(p.Routes)) return;
  const testTraffic = testTrafficRouteIndex(p);
  if (p.Routes.length - (testTraffic === undefined ? 0 : 1) > 1) report('Routes', REFUSAL.routes);
  p.Routes.forEach((route, i) => {
    if (!known(route) || i === testTraffic) return;
    const at = `Routes[${i}]`;
    const m = known(route.Match) ? route.Match : undefined;
    if (m?.Headers !== undefined) report(`${at}.Match.Headers`, REFUSAL.headers);
    if (m && (m.ServiceName !== undefined || m.MethodName !== undefined || m.Metadata !== undefined))
      report(`${at}.Match`, REFUSAL.grpcMatch);
    else if (m && m.Headers === undefined && !matchesEverything(route)) report(`${at}.Match`, REFUSAL.path);
    if (known(route.Targets) && route.Targets.length > 1) report(`${at}.Targets`, REFUSAL.weightedTargets);
    if (known(route.Targets))
      route.Targets.forEach((t, j) => {
        if (known(t) && t.Port !== undefined) report(`${at}.Targets[${j}].Port`, REFUSAL.targetPort);
      });
    if (route.Retry !== undefined) report(`${at}.Retry`, REFUSAL.retry);
    if (known(route.Timeout)) {
      for (const key of ['IdleMillis', 'PerRequestMillis'] as const) {
        const ms = route.Timeout[key];
        if (known(ms) && ms % 1000 !== 0) report(`${at}.Timeout.${key}`, REFUSAL.timeoutSeconds);
      }
    }
  });
}

/**
 * What Service Connect accepts but does not carry over, for the logs and `mesh-service migrate`. Only for
 * properties that passed the contract (resolved where it matters).
 */
export function serviceConnectWarnings(p: ServiceConnectServiceProps): Finding[] {
  const out: Finding[] = [...proxyWarnings(p)];
  if (known(p.Backends) && p.Backends.length > 0) {
    out.push({
      path: 'Backends',
      message:
        'accepted, but Service Connect has no egress filter: tasks may call any endpoint, in the namespace or not, so the list restricts nothing (restrict egress with security groups)',
    });
  }
  if (p.HealthCheck !== undefined && p.Gateway === undefined) {
    out.push({
      path: 'HealthCheck',
      message:
        'not carried over: the Service Connect proxy runs no active health check (with Gateway, it becomes the target group health check); give the application container a healthCheck in the task definition (ECS replaces unhealthy tasks; the proxy ejects failing endpoints by itself)',
    });
  }
  if (p.Envoy !== undefined) {
    out.push({
      path: 'Envoy',
      message:
        'ignored: the Service Connect proxy is managed by ECS (its image, resources and version); its logs are set on the ECS service (ServiceConnectConfiguration.LogConfiguration)',
    });
  }
  if (p.MeshOwner !== undefined) {
    out.push({
      path: 'MeshOwner',
      message: 'ignored: a Service Connect service is identified by its namespace',
    });
  }
  const attributes =
    p.DiscoveryAttributes !== undefined ||
    (known(p.Versions) && p.Versions.some((v) => known(v) && v.DiscoveryAttributes !== undefined));
  if (attributes) {
    out.push({
      path: 'DiscoveryAttributes',
      message: 'ignored: ECS registers the tasks in the Cloud Map service it creates from the discovery name',
    });
  }
  if (known(p.AccessLogPath) && p.AccessLogPath !== '' && p.AccessLogPath !== '/dev/stdout') {
    out.push({
      path: 'AccessLogPath',
      message:
        'ignored: Service Connect access logs are set on the ECS service (ServiceConnectConfiguration.AccessLogConfiguration) and go to its log configuration',
    });
  }
  const keeps = known(p.Versions) && p.Versions.some((v) => known(v) && v.KeepServiceNode === true);
  if (p.VirtualNodeName !== undefined || keeps) {
    out.push({
      path: p.VirtualNodeName !== undefined ? 'VirtualNodeName' : 'Versions',
      message:
        'ignored: Service Connect has no virtual nodes (VirtualNodeName and KeepServiceNode name App Mesh nodes); the ECS service is found by its discovery name',
    });
  }
  if (known(p.Routes) && p.Routes.some((r) => known(r) && r.Priority !== undefined)) {
    out.push({
      path: 'Routes',
      message: 'the route priority is ignored: Service Connect has a single route',
    });
  }
  return out;
}

export const serviceConnectContract = {
  name: 'ServiceConnect',
  fields: serviceConnectFields,
  rules: serviceConnectRules,
} as const satisfies BackendContract<typeof serviceConnectFields>;
