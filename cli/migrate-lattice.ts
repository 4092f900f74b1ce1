/**
 * `mesh-service migrate --to vpc-lattice <template>`: the Amazon VPC Lattice version of a template written for App
 * Mesh. Offline and pure (text in, text out), for the blue/green migration of docs/migration.md — the output is a new
 * stack:
 *
 * - every Custom::MeshService gets `Backend: VpcLattice` and `VpcLattice` (the platform's service network and VPC,
 *   imported from the MeshPlatform stack); its Versions and their weights are kept as they are (a standing split:
 *   each version is a target group); what the Lattice contract refuses (lambda/vpclattice/contract.ts) is taken out,
 *   each with a note saying why and what to use instead — gateway routes, TLS, timeouts, retries, outlier detection,
 *   connection pools, and every route whose match Lattice cannot express (regex, range, suffix, inverted or presence
 *   headers, query parameters, scheme, gRPC names), which is dropped whole rather than widened; what it ignores
 *   (Envoy, MeshOwner, DiscoveryAttributes, ...) is removed;
 * - every AWS::ECS::Service that runs a version's task definition joins that version's target group:
 *   `VpcLatticeConfigurations [{PortName, RoleArn, TargetGroupArn}]` wired from the resource's return values, the ECS
 *   infrastructure role given as a new parameter; its Cloud Map registry is removed (a record of the tasks would let
 *   clients bypass Lattice), and a Cloud Map service nothing registers in any more goes with it;
 * - `Fn::GetAtt <service>.VirtualServiceName` becomes `CustomDomainName` (the name clients call); outputs of App
 *   Mesh-only attributes are dropped; IAM statements granting only App Mesh actions are dropped.
 *
 * The list of what could not carry over heads the output as YAML comments, so the output stays one valid template.
 */
import { RESOURCE_TYPE } from '../lambda/contract/properties';
import {
  isLatticeName,
  isRuleName,
  LATTICE_HEADER_MATCHES_MAX,
  LATTICE_SERVICE_NAME_MAX,
  REFUSAL,
} from '../lambda/vpclattice/contract';
import {
  assembleMigration,
  dropAppMeshStatements,
  getAttOf,
  type Migration,
  type MigrationNote,
  readsEmptyAttribute,
  rewriteGetAtts,
} from './migrate';
import { parseTemplate } from './template';

type Json = Record<string, unknown>;
type Note = (where: string, message: string) => void;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const getAtt = (logicalId: string, attribute: string): Json => ({ 'Fn::GetAtt': [logicalId, attribute] });
const isTrue = (v: unknown) => v === true || v === 'true';

/** The parameter of the ECS infrastructure role that registers the tasks in the target groups. */
export const LATTICE_ROLE_PARAMETER = 'VpcLatticeInfrastructureRoleArn';
/** The MeshPlatform exports (infra/platform-stack.ts): the service network exists with context vpcLatticeServiceNetwork. */
const NETWORK_EXPORT = 'MeshLatticeServiceNetworkName';
const VPC_EXPORT = 'MeshVpcId';
/** A Lattice service name, for a ServiceName parameter's AllowedPattern (CloudFormation's Java regular expressions). */
const SERVICE_NAME_PATTERN = `^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){1,${LATTICE_SERVICE_NAME_MAX - 2}}[a-z0-9]$`;

/** What is taken out of a service, with the contract's reason. */
const REFUSED: readonly [string, string][] = [
  ['Gateway', REFUSAL.gateway],
  ['Tls', REFUSAL.tls],
  ['BackendDefaults', REFUSAL.clientTls],
  ['BackendPolicies', REFUSAL.clientTls],
  ['ListenerTimeout', REFUSAL.listenerTimeout],
  ['OutlierDetection', REFUSAL.outlierDetection],
  ['ConnectionPool', REFUSAL.connectionPool],
  ['AccessLogFormat', REFUSAL.accessLogFormat],
  ['DnsResponseType', REFUSAL.dnsResponseType],
  ['IpPreference', REFUSAL.ipPreference],
];

/** What Lattice ignores: removed, saying why. */
const IGNORED: readonly [string, string][] = [
  ['Envoy', 'removed: VPC Lattice runs no sidecar; the Envoy settings have nothing to apply to'],
  ['MeshOwner', 'removed: a Lattice service is identified by its name in this account'],
  [
    'DiscoveryAttributes',
    "removed: each version's ECS service registers its tasks in the version's target group",
  ],
  ['VirtualNodeName', 'removed: VPC Lattice has no virtual nodes; each version is a target group'],
];

/** A name Lattice takes: lowercase letters, digits and single hyphens inside. */
function latticeName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Why a route's match cannot be a Lattice rule, or undefined when it can. */
function unexpressible(match: Json): string | undefined {
  if (match.PathRegex !== undefined) return REFUSAL.pathRegex;
  if (match.Scheme !== undefined) return REFUSAL.scheme;
  if (match.QueryParameters !== undefined) return REFUSAL.queryParameters;
  if (match.ServiceName !== undefined || match.MethodName !== undefined || match.Metadata !== undefined)
    return REFUSAL.grpcMatch;
  if (!Array.isArray(match.Headers)) return undefined;
  if (match.Headers.length > LATTICE_HEADER_MATCHES_MAX) return REFUSAL.headers;
  for (const h of match.Headers) {
    if (!isObject(h)) continue;
    if (h.Suffix !== undefined || h.Regex !== undefined || h.Range !== undefined) return REFUSAL.headerKind;
    if (h.Exact === undefined && h.Prefix === undefined) return REFUSAL.headerPresence;
    if (isTrue(h.Invert)) return REFUSAL.headerInvert;
  }
  return undefined;
}

/** The routes Lattice can carry: timeouts and retries removed, ports removed, unexpressible matches dropped. */
function migrateRoutes(id: string, routes: unknown[], note: Note): Json[] {
  const kept: Json[] = [];
  for (const [i, route] of routes.entries()) {
    if (!isObject(route)) continue;
    const at = `${id}.Routes.${String(route.Name ?? i)}`;
    const out: Json = { ...route };
    const match = isObject(out.Match) ? { ...out.Match } : undefined;
    const why = match ? unexpressible(match) : undefined;
    if (why) {
      note(
        at,
        `route removed: ${why} (a rule matching less precisely would take requests the route did not); the requests it took now follow the next route`,
      );
      continue;
    }
    if (match?.Port !== undefined) {
      note(`${at}.Match.Port`, `removed: ${REFUSAL.matchPort}`);
      delete match.Port;
    }
    if (match) out.Match = match;
    for (const [key, reason] of [
      ['Retry', REFUSAL.retry],
      ['Timeout', REFUSAL.timeout],
    ] as const) {
      if (out[key] === undefined) continue;
      note(`${at}.${key}`, `removed: ${reason}`);
      delete out[key];
    }
    if (Array.isArray(out.Targets) && out.Targets.some((t) => isObject(t) && t.Port !== undefined)) {
      note(`${at}.Targets`, `target ports removed: ${REFUSAL.targetPort}`);
      out.Targets = out.Targets.map((t) => {
        if (!isObject(t)) return t;
        const { Port: _p, ...target } = t;
        return target;
      });
    }
    if (typeof out.Name === 'string' && !isRuleName(out.Name)) {
      let name = latticeName(out.Name);
      if (name.startsWith('rule-')) name = `route-${name}`;
      if (name.length < 3) name = `route-${name}`;
      note(`${at}.Name`, `"${out.Name}" renamed "${name}": a route is a Lattice listener rule of that name`);
      out.Name = name;
    }
    kept.push(out);
  }
  return kept;
}

/** A HealthCheck Lattice takes: whole seconds; removed when Lattice cannot check that protocol. */
function migrateHealthCheck(id: string, props: Json, out: Json, note: Note): void {
  if (!isObject(out.HealthCheck)) return;
  const check: Json = { ...out.HealthCheck };
  const protocol = check.Protocol ?? props.Protocol;
  if (protocol === 'grpc' || (protocol === 'tcp' && props.Protocol !== 'tcp')) {
    note(`${id}.HealthCheck`, `removed: ${REFUSAL.healthCheckProtocol}`);
    delete out.HealthCheck;
    return;
  }
  for (const key of ['IntervalMillis', 'TimeoutMillis']) {
    const n = Number(check[key]);
    if (check[key] === undefined || !Number.isFinite(n) || n % 1000 === 0) continue;
    check[key] = String(Math.ceil(n / 1000) * 1000);
    note(`${id}.HealthCheck.${key}`, `${REFUSAL.healthCheckSeconds}; rounded up to ${String(check[key])}`);
  }
  out.HealthCheck = check;
}

/**
 * The version that kept the service's own virtual node keeps, on Lattice, the service's own target group (the one
 * named ServiceName that the service has without Versions): when the canary ends and Versions goes, the ECS service
 * still registered in it keeps serving, as its tasks kept their node on App Mesh. A ServiceName Lattice refuses as a
 * target group name (tg-…) leaves the default.
 */
function keepServiceTargetGroup(id: string, serviceName: unknown, version: Json, note: Note): void {
  const ref = isObject(serviceName) && typeof serviceName.Ref === 'string' ? serviceName.Ref : undefined;
  if (typeof serviceName === 'string' ? serviceName.startsWith('tg-') : ref === undefined) return;
  version.TargetGroupName = ref !== undefined ? { Ref: ref } : serviceName;
  note(
    `${id}.Versions.${String(version.Name)}`,
    `KeepServiceNode is TargetGroupName "${ref ?? String(serviceName)}": this version keeps the target group of the service without Versions, so that removing Versions later does not move the serving ECS service's target group`,
  );
}

/** The Custom::MeshService on VPC Lattice. `parameters` are the template's, tightened here where the name needs. */
function migrateService(id: string, props: Json, parameters: Json, note: Note): Json {
  const out: Json = { ...props, Backend: 'VpcLattice' };
  for (const [key, why] of REFUSED) {
    if (out[key] === undefined) continue;
    note(`${id}.${key}`, `removed: ${why}`);
    delete out[key];
  }
  if (isTrue(out.Edge)) note(`${id}.Edge`, `not migrated: ${REFUSAL.edge}`);
  if (out.Protocol === 'tcp') note(`${id}.Protocol`, `not migrated: ${REFUSAL.tcp}`);
  for (const [key, why] of IGNORED) {
    if (out[key] === undefined) continue;
    note(`${id}.${key}`, why);
    delete out[key];
  }
  if (typeof out.AccessLogPath === 'string' && !['', '/dev/stdout'].includes(out.AccessLogPath))
    note(
      `${id}.AccessLogPath`,
      'removed: VPC Lattice access logs go to a subscription (VpcLattice.AccessLogDestinationArn)',
    );
  delete out.AccessLogPath;
  /** The version that kept the service's own node, if any. */
  let keeper: Json | undefined;
  if (Array.isArray(out.Versions)) {
    out.Versions = out.Versions.map((v) => {
      if (!isObject(v)) return v;
      const { DiscoveryAttributes: _d, KeepServiceNode: keeps, VirtualNodeName: _n, ...version } = v;
      if (isTrue(keeps)) keeper = version;
      if (Object.keys(version).length !== Object.keys(v).length)
        note(
          `${id}.Versions.${String(v.Name)}`,
          'DiscoveryAttributes, KeepServiceNode and VirtualNodeName removed: each version is a target group, its TargetGroupName (default <ServiceName>-<Name>)',
        );
      return version;
    });
  }
  if (Array.isArray(out.Routes)) {
    const routes = migrateRoutes(id, out.Routes, note);
    if (routes.length) out.Routes = routes;
    else delete out.Routes;
  }
  migrateHealthCheck(id, props, out, note);
  // Lattice reserves the prefixes of its ids: svc- for services, tg- for the target group named ServiceName.
  const reserved = (name: string) =>
    name.startsWith('svc-') || (name.startsWith('tg-') && out.Versions === undefined);
  if (
    typeof out.ServiceName === 'string' &&
    (!isLatticeName(out.ServiceName, LATTICE_SERVICE_NAME_MAX) || reserved(out.ServiceName))
  ) {
    let name = latticeName(out.ServiceName);
    if (reserved(name)) name = `service-${name}`;
    name = name.slice(0, LATTICE_SERVICE_NAME_MAX).replace(/-+$/, '');
    note(
      `${id}.ServiceName`,
      `"${out.ServiceName}" renamed "${name}": Lattice service names are 3-${LATTICE_SERVICE_NAME_MAX} lowercase letters, digits and single hyphens, not starting with svc- (nor tg- without Versions)`,
    );
    out.ServiceName = name;
  }
  const ref = isObject(out.ServiceName) ? out.ServiceName.Ref : undefined;
  const parameter = typeof ref === 'string' ? parameters[ref] : undefined;
  if (isObject(parameter) && parameter.AllowedPattern !== SERVICE_NAME_PATTERN) {
    parameters[ref as string] = { ...parameter, AllowedPattern: SERVICE_NAME_PATTERN };
    note(
      `Parameters.${String(ref)}.AllowedPattern`,
      `now a Lattice service name (3-${LATTICE_SERVICE_NAME_MAX} lowercase letters, digits and single hyphens), as ${id}.ServiceName must be`,
    );
  }
  if (keeper) keepServiceTargetGroup(id, out.ServiceName, keeper, note);
  if (Array.isArray(out.Backends) && out.Backends.length > 0)
    note(
      `${id}.Backends`,
      'kept, but VPC Lattice has no egress filter: any client in the service network may call the service unless VpcLattice.AuthType is AWS_IAM with AllowedPrincipals',
    );
  out.VpcLattice = {
    ServiceNetwork: { 'Fn::ImportValue': NETWORK_EXPORT },
    VpcId: { 'Fn::ImportValue': VPC_EXPORT },
    ...(isObject(props.VpcLattice) ? props.VpcLattice : {}),
  };
  note(
    `${id}.VpcLattice`,
    `the platform's service network and VPC (exports ${NETWORK_EXPORT} and ${VPC_EXPORT}: the MeshPlatform stack deployed with -c vpcLatticeServiceNetwork=<name>); clients reach the service at its custom domain name once DNS maps that name to the Lattice service's own (a CNAME or alias record, not created here)`,
  );
  return out;
}

/** The target group attribute of the version an ECS service runs (`Versions.<v>.TaskDefinitionArn`). */
function targetGroupOf(taskDefinition: unknown, meshed: ReadonlySet<string>): [string, string] | undefined {
  const att = getAttOf(taskDefinition);
  if (!att || !meshed.has(att[0])) return undefined;
  if (att[1] === 'TaskDefinitionArn') return [att[0], 'TargetGroupArn'];
  const version = /^Versions\.([^.]+)\.TaskDefinitionArn$/.exec(att[1]);
  return version ? [att[0], `Versions.${version[1]}.TargetGroupArn`] : undefined;
}

/** Logical ids a value refers to (Ref, GetAtt, and `${X}` / `${X.Attr}` in Fn::Sub). */
function referencedIds(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) referencedIds(v, into);
  else if (typeof value === 'string')
    for (const m of value.matchAll(/\$\{([A-Za-z0-9]+)[}.]/g)) into.add(m[1]!);
  else if (isObject(value)) {
    if (typeof value.Ref === 'string') into.add(value.Ref);
    const att = getAttOf(value);
    if (att) into.add(att[0]);
    for (const v of Object.values(value)) referencedIds(v, into);
  }
  return into;
}

export function migrateToVpcLattice(text: string): Migration {
  const template = parseTemplate(text) as Json;
  const resources = isObject(template.Resources) ? template.Resources : {};
  const notes: MigrationNote[] = [];
  const note: Note = (where, message) => notes.push({ where, message });
  const meshed = new Set(
    Object.entries(resources)
      .filter(([, r]) => isObject(r) && r.Type === RESOURCE_TYPE)
      .map(([id]) => id),
  );
  const parameters: Json = { ...(isObject(template.Parameters) ? template.Parameters : {}) };

  const out: Json = {};
  for (const [id, resource] of Object.entries(resources)) {
    if (!isObject(resource)) {
      out[id] = resource;
      continue;
    }
    const props = isObject(resource.Properties) ? resource.Properties : {};
    if (meshed.has(id)) out[id] = { ...resource, Properties: migrateService(id, props, parameters, note) };
    else if (resource.Type === 'AWS::IAM::Role')
      out[id] = {
        ...resource,
        Properties: dropAppMeshStatements(
          id,
          props,
          note,
          'App Mesh statement removed: VPC Lattice needs no App Mesh permission',
        ),
      };
    else out[id] = resource;
  }

  // The ECS services of the versions: each joins its version's target group, and leaves Cloud Map.
  let wired = false;
  for (const [id, resource] of Object.entries(out)) {
    if (!isObject(resource) || resource.Type !== 'AWS::ECS::Service' || !isObject(resource.Properties))
      continue;
    const target = targetGroupOf(resource.Properties.TaskDefinition, meshed);
    if (!target) continue;
    const [meshedId, attribute] = target;
    const { ServiceRegistries: registries, ...properties } = resource.Properties;
    if (registries !== undefined)
      note(
        `${id}.ServiceRegistries`,
        'removed: clients reach the tasks through VPC Lattice, at the custom domain name; Cloud Map records of the tasks would let them bypass it',
      );
    note(
      `${id}.NetworkConfiguration`,
      `its security groups must let VPC Lattice reach the tasks on ${meshedId}'s Port (inbound from the managed prefix list com.amazonaws.<region>.vpc-lattice)`,
    );
    out[id] = {
      ...resource,
      Properties: {
        ...properties,
        VpcLatticeConfigurations: [
          {
            PortName: getAtt(meshedId, 'PortName'),
            RoleArn: { Ref: LATTICE_ROLE_PARAMETER },
            TargetGroupArn: getAtt(meshedId, attribute),
          },
        ],
      },
    };
    wired = true;
  }
  if (wired)
    parameters[LATTICE_ROLE_PARAMETER] = {
      Type: 'String',
      AllowedPattern: '^arn:[^:]+:iam::[0-9]{12}:role/.+$',
      Description:
        'The ECS infrastructure role that registers the tasks in the VPC Lattice target groups (VpcLatticeConfigurations[].RoleArn; the AWS managed policy AmazonECSInfrastructureRolePolicyForVpcLattice)',
    };
  const runs = new Set(
    Object.values(out).flatMap((r) =>
      isObject(r) && r.Type === 'AWS::ECS::Service' && isObject(r.Properties)
        ? [getAttOf(r.Properties.TaskDefinition)?.[0]]
        : [],
    ),
  );
  for (const id of meshed)
    if (!runs.has(id))
      note(
        id,
        'no AWS::ECS::Service runs its TaskDefinitionArn: add VpcLatticeConfigurations to its ECS service by hand (see docs/migration.md)',
      );

  // Cloud Map services that nothing registers in any more.
  const readers = (except: string) =>
    referencedIds([Object.entries(out).filter(([id]) => id !== except), template.Outputs]);
  for (const [id, resource] of Object.entries(out)) {
    if (!isObject(resource) || resource.Type !== 'AWS::ServiceDiscovery::Service') continue;
    if (readers(id).has(id)) continue;
    note(id, 'removed: no ECS service registers in it any more (VPC Lattice routes to the tasks)');
    delete out[id];
  }

  const rewritten = rewriteGetAtts(out, meshed, 'CustomDomainName') as Json;
  for (const [id, resource] of Object.entries(rewritten)) {
    const hit = readsEmptyAttribute(resource, meshed);
    if (hit) note(id, `reads ${hit}, which is empty with VPC Lattice; replace it`);
  }
  const outputs: Json = {};
  for (const [name, output] of Object.entries(isObject(template.Outputs) ? template.Outputs : {})) {
    const hit = readsEmptyAttribute(output, meshed);
    if (hit) note(`Outputs.${name}`, `removed: it read ${hit}, which VPC Lattice does not have`);
    else outputs[name] = rewriteGetAtts(output, meshed, 'CustomDomainName');
  }
  return assembleMigration(template, {
    parameters,
    rewritten,
    outputs,
    notes,
    note,
    target: 'Amazon VPC Lattice',
    intro: [
      '# Migrated to Amazon VPC Lattice by `mesh-service migrate --to vpc-lattice` (docs/migration.md): deploy it as a',
      '# new stack beside the App Mesh one, shift traffic at the edge, then delete the old stack. The Versions keep their',
      '# weights: each is a target group, the split a standing one.',
    ],
  });
}
