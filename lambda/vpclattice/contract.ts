/**
 * The VPC Lattice backend's part of the contract: its own property (`VpcLattice`), and what a `Custom::MeshService`
 * may declare with `Backend: VpcLattice`. What Lattice cannot express is refused by name, each message saying what to
 * use instead (the rules run in the property contract, so the handler refuses them before any AWS call, and
 * `mesh-service validate` and the CDK construct offline); what it accepts without carrying over is returned as
 * warnings. Limits are the VPC Lattice API model's (emulator/models/vpc-lattice-2022-11-30.json). Pure; tolerant of
 * values only CloudFormation can resolve (Unresolved), like every contract rule.
 */
import {
  list,
  oneOf,
  optional,
  required,
  type StructOutput,
  str,
  struct,
  withDefault,
} from '../contract/dsl';
import type { BackendContract, CoreProps, RouteProps } from '../contract/properties';
import { known, type Report } from '../contract/values';

export interface Finding {
  /** Property path as a template author writes it. */
  readonly path: string;
  readonly message: string;
}

/**
 * Lattice names (ServiceName, TargetGroupName, RuleName in the API model): lowercase letters, digits and hyphens, not
 * starting or ending with a hyphen, no two hyphens in a row. A service name is 3-40 long.
 */
export const LATTICE_NAME = /^(?!-)(?!.*-$)(?!.*--)[a-z0-9-]+$/;
export const LATTICE_SERVICE_NAME_MAX = 40;
/** What a target group name may add to the service name: `-<version>` (TargetGroupName: up to 128). */
export const LATTICE_TARGET_GROUP_NAME_MAX = 128;
/** RuleName: 3-63, not starting with `rule-`. */
export const LATTICE_RULE_NAME_MAX = 63;
/** PathMatchExact / PathMatchPrefix: up to 200 characters of these. */
export const LATTICE_PATH = /^\/[a-zA-Z0-9@:%_+.~#?&/=-]*$/;
export const LATTICE_MATCH_VALUE_MAX = 200;
/** HeaderMatchList: at most 5 header matches per rule. */
export const LATTICE_HEADER_MATCHES_MAX = 5;
/** HeaderMatchName: up to 100 characters. */
export const LATTICE_HEADER_NAME_MAX = 100;
/** AuthPolicyString, and the quota "Auth policy size: 10 Kilobytes" (not adjustable). */
export const LATTICE_AUTH_POLICY_MAX = 10 * 1024;

const SERVICE_NETWORK_ARN =
  /^arn:[a-z0-9-]+:vpc-lattice:[a-zA-Z0-9-]+:\d{12}:servicenetwork\/sn-[0-9a-z]{17}$/;
const SERVICE_NETWORK_ID = /^sn-[0-9a-z]{17}$/;
/** ServiceNetworkName: 3-63 of lowercase letters, digits and hyphens. */
const SERVICE_NETWORK_NAME = /^(?!-)(?!.*-$)(?!.*--)[a-z0-9-]{3,63}$/;
/** An auth policy principal: an account id, or an IAM ARN of a role, user, root or assumed role. */
const PRINCIPAL = /^(\d{12}|arn:aws[a-z-]*:(iam|sts)::\d{12}:[A-Za-z0-9+=,.@_/:-]+)$/;

export const VpcLattice = struct(
  'VpcLattice',
  {
    ServiceNetwork: required(
      str({
        min: 3,
        max: 2048,
        check: (v) =>
          SERVICE_NETWORK_ARN.test(v) || SERVICE_NETWORK_ID.test(v) || SERVICE_NETWORK_NAME.test(v)
            ? undefined
            : 'expected a service network name (3-63 lowercase letters, digits and hyphens), its id (sn-…) or its ARN',
      }),
      {
        description:
          "The VPC Lattice service network the service is associated with (the platform's): its name, id or ARN. It must exist; a change moves the association.",
        update: 'in-place',
      },
    ),
    VpcId: required(
      str({ min: 12, max: 21, pattern: /^vpc-[0-9a-f]{8,17}$/, patternHint: 'a VPC id (vpc-…)' }),
      {
        description:
          "The VPC of the ECS tasks: every version's target group (type IP) is created in it. It cannot change on an existing resource (a target group's VPC is fixed).",
        update: {
          conditional: 'refused on an existing resource: deploy blue/green with another ServiceName',
        },
      },
    ),
    ListenerProtocol: withDefault(oneOf('HTTP', 'HTTPS'), 'HTTP', {
      description:
        "The listener's protocol on `Port`. With HTTPS, Lattice terminates TLS (its certificate for its generated name, or CertificateArn for the custom domain name).",
      update: { conditional: 'refused on an existing resource: deploy blue/green with another ServiceName' },
    }),
    CertificateArn: optional(
      str({
        min: 20,
        max: 2048,
        pattern: /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/,
        patternHint: 'an ACM certificate ARN',
      }),
      {
        description: 'ACM certificate of the custom domain name, for an HTTPS listener.',
        update: 'in-place',
      },
    ),
    AuthType: withDefault(oneOf('NONE', 'AWS_IAM'), 'NONE', {
      description:
        'NONE: any client in the service network may call the service. AWS_IAM: requests must be signed (SigV4) and the auth policy allows only `AllowedPrincipals`.',
      update: 'in-place',
    }),
    AllowedPrincipals: optional(
      list(
        str({
          min: 12,
          max: 2048,
          pattern: PRINCIPAL,
          patternHint: 'a 12-digit account id or an IAM role, user or assumed-role ARN',
        }),
        { min: 1, max: 100, uniqueBy: { key: (p) => p, what: 'principal' } },
      ),
      {
        description:
          'With AuthType AWS_IAM: the callers the auth policy allows (`vpc-lattice-svcs:Invoke`), accounts or IAM principals.',
        update: 'in-place',
      },
    ),
    AccessLogDestinationArn: optional(
      str({
        min: 20,
        max: 2048,
        pattern: /^arn:aws[a-z-]*:(logs|s3|firehose):[a-z0-9-]*:\d{0,12}:.+$/,
        patternHint: 'the ARN of a CloudWatch Logs group, an S3 bucket or a Kinesis Data Firehose stream',
      }),
      {
        description:
          "Where Lattice sends the service's access logs (an access log subscription): a CloudWatch Logs group, an S3 bucket or a Firehose delivery stream.",
        update: 'in-place',
      },
    ),
  },
  { description: 'Options of the VpcLattice backend (Backend: VpcLattice only).' },
);

export const vpcLatticeFields = {
  VpcLattice: optional(VpcLattice, {
    description: 'Options of the VpcLattice backend; required with it.',
    update: 'in-place',
  }),
};

/** The properties with `Backend: VpcLattice`. */
export type VpcLatticeServiceProps = CoreProps & StructOutput<typeof vpcLatticeFields>;

export const REFUSAL = {
  options: 'VPC Lattice needs VpcLattice.ServiceNetwork and VpcLattice.VpcId; give VpcLattice',
  tcp: 'VPC Lattice listeners take HTTP or HTTPS (a TLS passthrough listener has no routes, weights or health checks to carry over): use http, http2 or grpc, or keep a tcp service on a Network Load Balancer',
  edge: 'an Edge service (a client only) needs no Lattice resource: associate its VPC with the service network (AWS::VpcLattice::ServiceNetworkVpcAssociation) and remove the Custom::MeshService',
  gateway:
    'VPC Lattice has no gateway routes: clients outside the service network reach the service through an ingress (a Network Load Balancer or a resource gateway in front of the service network); remove Gateway',
  retry:
    'VPC Lattice does not take retry policies: retry in the client (the AWS SDKs retry by themselves); remove Retry',
  timeout:
    'VPC Lattice has no per-route timeouts (a request may take up to its fixed 10 minutes): enforce deadlines in the client; remove Timeout',
  listenerTimeout: 'VPC Lattice listeners have no configurable timeouts; remove ListenerTimeout',
  outlierDetection:
    'VPC Lattice does not eject failing targets by their errors (outlier detection); give HealthCheck, which takes unhealthy targets out of the target group; remove OutlierDetection',
  connectionPool:
    'VPC Lattice has no connection pools (circuit breaking); limit concurrency in the application or scale the ECS service; remove ConnectionPool',
  tls: 'VPC Lattice does not take App Mesh listener TLS or mutual TLS: it encrypts between clients and the service itself (VpcLattice.ListenerProtocol HTTPS with CertificateArn), and there is no mutual TLS, client certificate, file or SDS source; authenticate callers with VpcLattice.AuthType AWS_IAM; remove Tls',
  clientTls:
    'VPC Lattice has no client TLS policy: clients trust the certificate of an HTTPS listener by themselves; remove it',
  accessLogFormat:
    'VPC Lattice writes access logs in its own format: give VpcLattice.AccessLogDestinationArn (an access log subscription); remove AccessLogFormat',
  dnsResponseType:
    'VPC Lattice resolves its services itself (the custom domain name, or its generated one); remove DnsResponseType',
  ipPreference:
    'VPC Lattice chooses the address family of its target groups from the VPC; remove IpPreference',
  pathRegex:
    'VPC Lattice matches paths exactly or by prefix, not by regular expression: use Path or Prefix (one route per path), or remove PathRegex',
  scheme: 'VPC Lattice rules do not match the scheme; remove Scheme',
  queryParameters:
    'VPC Lattice rules do not match query parameters; route by path or header, or remove QueryParameters',
  grpcMatch:
    'VPC Lattice matches gRPC requests only by their HTTP path and headers: route a gRPC service or method with a route of its own on Backend AppMesh, or send each gRPC service to its own Lattice service; remove the match',
  headerKind:
    'VPC Lattice matches a header exactly or by prefix (or by contains, which the properties do not declare), not by suffix, regex or range; use Exact or Prefix',
  headerPresence: 'VPC Lattice matches a header by its value: give Exact or Prefix',
  headerInvert: 'VPC Lattice header matches cannot be inverted; match the values to take, or remove Invert',
  headers: `VPC Lattice takes at most ${LATTICE_HEADER_MATCHES_MAX} header matches per rule; split the route or match fewer headers`,
  targetPort: "VPC Lattice forwards to the target group's port, which is Port; remove the target port",
  matchPort: 'a Lattice rule matches on its listener, which is Port; remove the match port',
  healthCheckProtocol:
    'VPC Lattice health checks are HTTP (HTTP/1.1 or HTTP/2) only: give HealthCheck.Protocol http or http2 and a Path',
  healthCheckSeconds: 'VPC Lattice health check times are whole seconds; give a multiple of 1000',
  principals: 'the auth policy names the callers: give VpcLattice.AllowedPrincipals with AuthType AWS_IAM',
  principalsWithoutAuth:
    'AllowedPrincipals are enforced only by an auth policy: set VpcLattice.AuthType AWS_IAM, or remove AllowedPrincipals',
  certificate:
    'a certificate is used only by an HTTPS listener: set VpcLattice.ListenerProtocol HTTPS, or remove CertificateArn',
} as const;

/** The principals' auth policy: they may invoke the service, nobody else. */
export function authPolicyOf(principals: readonly string[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: [...principals] },
        Action: 'vpc-lattice-svcs:Invoke',
        Resource: '*',
      },
    ],
  });
}

const nameRule = (what: string, max: number) =>
  `${what} must be a VPC Lattice name: lowercase letters, digits and hyphens (not at either end, never two in a row), up to ${max} characters`;

/**
 * A version's target group: its TargetGroupName, by default `<ServiceName>-<Name>`; the implicit version of a service
 * without Versions has `<ServiceName>`. Undefined while CloudFormation has still to resolve a part of it.
 */
export function targetGroupNameOf(
  serviceName: unknown,
  version?: { readonly Name?: unknown; readonly TargetGroupName?: unknown },
): string | undefined {
  if (version?.TargetGroupName !== undefined)
    return known(version.TargetGroupName) ? (version.TargetGroupName as string) : undefined;
  if (!known(serviceName) || typeof serviceName !== 'string') return undefined;
  if (version?.Name === undefined) return serviceName;
  return known(version.Name) ? `${serviceName}-${version.Name as string}` : undefined;
}

/** Whether the value is a usable Lattice name of at most `max` characters. */
export const isLatticeName = (v: string, max: number) =>
  v.length >= 3 && v.length <= max && LATTICE_NAME.test(v);

/** Lattice rule names: a route's Name as it is (matched by name on update). */
export const isRuleName = (v: string) => isLatticeName(v, LATTICE_RULE_NAME_MAX) && !v.startsWith('rule-');

function matchRules(route: RouteProps, at: string, report: Report): void {
  const m = known(route.Match) ? route.Match : undefined;
  if (!m) return;
  if (m.PathRegex !== undefined) report(`${at}.Match.PathRegex`, REFUSAL.pathRegex);
  if (m.Scheme !== undefined) report(`${at}.Match.Scheme`, REFUSAL.scheme);
  if (m.QueryParameters !== undefined) report(`${at}.Match.QueryParameters`, REFUSAL.queryParameters);
  if (m.Port !== undefined) report(`${at}.Match.Port`, REFUSAL.matchPort);
  if (m.ServiceName !== undefined || m.MethodName !== undefined || m.Metadata !== undefined)
    report(`${at}.Match`, REFUSAL.grpcMatch);
  for (const key of ['Path', 'Prefix'] as const) {
    const v = m[key];
    if (!known(v)) continue;
    if (v.length > LATTICE_MATCH_VALUE_MAX || !LATTICE_PATH.test(v))
      report(
        `${at}.Match.${key}`,
        `VPC Lattice paths are up to ${LATTICE_MATCH_VALUE_MAX} characters of letters, digits and @:%_+.~#?&/=- starting with "/"`,
      );
  }
  if (!known(m.Headers)) return;
  if (m.Headers.length > LATTICE_HEADER_MATCHES_MAX) report(`${at}.Match.Headers`, REFUSAL.headers);
  m.Headers.forEach((h, j) => {
    if (!known(h)) return;
    const hat = `${at}.Match.Headers[${j}]`;
    if (known(h.Name) && h.Name.length > LATTICE_HEADER_NAME_MAX)
      report(`${hat}.Name`, `VPC Lattice header names are up to ${LATTICE_HEADER_NAME_MAX} characters`);
    if (h.Suffix !== undefined || h.Regex !== undefined || h.Range !== undefined)
      report(hat, REFUSAL.headerKind);
    else if (h.Exact === undefined && h.Prefix === undefined) report(hat, REFUSAL.headerPresence);
    if (h.Invert === true) report(`${hat}.Invert`, REFUSAL.headerInvert);
    for (const key of ['Exact', 'Prefix'] as const) {
      const v = h[key];
      if (known(v) && v.length > LATTICE_MATCH_VALUE_MAX)
        report(`${hat}.${key}`, `VPC Lattice header values are up to ${LATTICE_MATCH_VALUE_MAX} characters`);
    }
  });
}

/** Refusals of the contract: run for every template with `Backend: VpcLattice`, before the core rules. */
export function vpcLatticeRules(p: VpcLatticeServiceProps, report: Report): void {
  const vl = known(p.VpcLattice) ? p.VpcLattice : undefined;
  if (p.VpcLattice === undefined) report('VpcLattice', REFUSAL.options);
  if (known(p.ServiceName) && !isLatticeName(p.ServiceName, LATTICE_SERVICE_NAME_MAX))
    report(
      'ServiceName',
      `${nameRule('with Backend VpcLattice, ServiceName', LATTICE_SERVICE_NAME_MAX)} (and at least 3)`,
    );
  if (known(p.ServiceName) && p.ServiceName.startsWith('svc-'))
    report('ServiceName', 'VPC Lattice service names may not start with "svc-"');
  if (known(p.ServiceName) && p.ServiceName.startsWith('tg-') && p.Versions === undefined)
    report(
      'ServiceName',
      'the target group of a service without Versions is named ServiceName, and VPC Lattice target group names may not start with "tg-"',
    );
  if (p.Protocol === 'tcp') report('Protocol', REFUSAL.tcp);
  if (p.Edge === true) report('Edge', REFUSAL.edge);
  if (p.Gateway !== undefined) report('Gateway', REFUSAL.gateway);
  if (p.Tls !== undefined) report('Tls', REFUSAL.tls);
  if (p.BackendDefaults !== undefined) report('BackendDefaults', REFUSAL.clientTls);
  if (p.BackendPolicies !== undefined) report('BackendPolicies', REFUSAL.clientTls);
  if (p.ListenerTimeout !== undefined) report('ListenerTimeout', REFUSAL.listenerTimeout);
  if (p.OutlierDetection !== undefined) report('OutlierDetection', REFUSAL.outlierDetection);
  if (p.ConnectionPool !== undefined) report('ConnectionPool', REFUSAL.connectionPool);
  if (p.AccessLogFormat !== undefined) report('AccessLogFormat', REFUSAL.accessLogFormat);
  if (p.DnsResponseType !== undefined) report('DnsResponseType', REFUSAL.dnsResponseType);
  if (p.IpPreference !== undefined) report('IpPreference', REFUSAL.ipPreference);
  if (vl) {
    const iam = vl.AuthType === 'AWS_IAM';
    if (iam && vl.AllowedPrincipals === undefined) report('VpcLattice.AllowedPrincipals', REFUSAL.principals);
    if (known(vl.AuthType) && !iam && vl.AllowedPrincipals !== undefined)
      report('VpcLattice.AllowedPrincipals', REFUSAL.principalsWithoutAuth);
    const principals = known(vl.AllowedPrincipals) ? vl.AllowedPrincipals : undefined;
    if (iam && principals?.every(known) && authPolicyOf(principals).length > LATTICE_AUTH_POLICY_MAX)
      report(
        'VpcLattice.AllowedPrincipals',
        `the auth policy naming them would exceed VPC Lattice's ${LATTICE_AUTH_POLICY_MAX} bytes; name fewer principals (accounts instead of roles)`,
      );
    if (known(vl.ListenerProtocol) && vl.ListenerProtocol !== 'HTTPS' && vl.CertificateArn !== undefined)
      report('VpcLattice.CertificateArn', REFUSAL.certificate);
  }
  if (known(p.HealthCheck)) {
    const h = p.HealthCheck;
    const protocol = known(h.Protocol) ? h.Protocol : known(p.Protocol) ? p.Protocol : undefined;
    if (protocol === 'grpc' || (protocol === 'tcp' && p.Protocol !== 'tcp'))
      report('HealthCheck.Protocol', REFUSAL.healthCheckProtocol);
    for (const key of ['IntervalMillis', 'TimeoutMillis'] as const) {
      const ms = h[key];
      if (known(ms) && ms % 1000 !== 0) report(`HealthCheck.${key}`, REFUSAL.healthCheckSeconds);
    }
  }
  if (known(p.Versions)) {
    const groups = new Map<string, number>();
    p.Versions.forEach((v, i) => {
      if (!known(v)) return;
      if (v.TargetGroupName === undefined && known(v.Name) && known(p.ServiceName)) {
        const max = LATTICE_TARGET_GROUP_NAME_MAX - p.ServiceName.length - 1;
        if (!LATTICE_NAME.test(v.Name) || v.Name.length > max)
          report(
            `Versions[${i}].Name`,
            `${nameRule('with Backend VpcLattice, a version name (its target group is <ServiceName>-<Name>)', max)}; or give the version its TargetGroupName`,
          );
      }
      const group = targetGroupNameOf(p.ServiceName, v);
      if (!known(group)) return;
      const first = groups.get(group);
      if (first !== undefined)
        report(
          `Versions[${i}].TargetGroupName`,
          `target group "${group}" is also Versions[${first}]'s; give each version its own`,
        );
      else groups.set(group, i);
    });
  }
  if (!known(p.Routes)) return;
  const priorities = new Map<number, number>();
  p.Routes.forEach((route, i) => {
    if (!known(route)) return;
    const at = `Routes[${i}]`;
    if (known(route.Name) && !isRuleName(route.Name))
      report(
        `${at}.Name`,
        `${nameRule("with Backend VpcLattice, a route name (its listener rule's)", LATTICE_RULE_NAME_MAX)}, at least 3, not starting with "rule-"`,
      );
    matchRules(route, at, report);
    if (route.Retry !== undefined) report(`${at}.Retry`, REFUSAL.retry);
    if (route.Timeout !== undefined) report(`${at}.Timeout`, REFUSAL.timeout);
    if (known(route.Targets))
      route.Targets.forEach((t, j) => {
        if (known(t) && t.Port !== undefined) report(`${at}.Targets[${j}].Port`, REFUSAL.targetPort);
      });
    if (known(route.Priority)) {
      const other = priorities.get(route.Priority);
      if (other !== undefined)
        report(
          `${at}.Priority`,
          `VPC Lattice rule priorities are unique per listener: Routes[${other}] has Priority ${route.Priority} too; give each route its own`,
        );
      else priorities.set(route.Priority, i);
    }
  });
}

/**
 * What VPC Lattice accepts but does not carry over, for the logs and `mesh-service migrate`. Only for properties
 * that passed the contract.
 */
export function vpcLatticeWarnings(p: VpcLatticeServiceProps): Finding[] {
  const out: Finding[] = [];
  const iam = p.VpcLattice?.AuthType === 'AWS_IAM';
  if (p.Backends.length > 0) {
    out.push({
      path: 'Backends',
      message: iam
        ? 'accepted, but VPC Lattice has no egress filter: the callers are restricted by the auth policy (VpcLattice.AllowedPrincipals), not by the services a caller lists'
        : 'accepted, but VPC Lattice has no egress filter: any client in the service network may call any of its services unless their AuthType is AWS_IAM',
    });
  }
  if (p.Envoy !== undefined)
    out.push({
      path: 'Envoy',
      message: 'ignored: VPC Lattice runs no sidecar; the Envoy settings have nothing to apply to',
    });
  if (p.MeshOwner !== undefined)
    out.push({
      path: 'MeshOwner',
      message: 'ignored: a Lattice service is identified by its name in this account',
    });
  const attributes =
    p.DiscoveryAttributes !== undefined ||
    (p.Versions ?? []).some((v) => v.DiscoveryAttributes !== undefined || v.DnsHostname !== undefined);
  if (attributes)
    out.push({
      path: 'DiscoveryAttributes',
      message: "ignored: each version's ECS service registers its tasks in the version's target group",
    });
  if (p.AccessLogPath !== '' && p.AccessLogPath !== '/dev/stdout')
    out.push({
      path: 'AccessLogPath',
      message: 'ignored: VPC Lattice access logs go to VpcLattice.AccessLogDestinationArn',
    });
  const keeps = (p.Versions ?? []).some((v) => v.KeepServiceNode === true || v.VirtualNodeName !== undefined);
  if (p.VirtualNodeName !== undefined || keeps)
    out.push({
      path: p.VirtualNodeName !== undefined ? 'VirtualNodeName' : 'Versions',
      message:
        'ignored: VPC Lattice has no virtual nodes; each version is a target group, its TargetGroupName (default <ServiceName>-<version>)',
    });
  return out;
}

export const vpcLatticeContract = {
  name: 'VpcLattice',
  fields: vpcLatticeFields,
  rules: vpcLatticeRules,
} as const satisfies BackendContract<typeof vpcLatticeFields>;
