/**
 * `mesh-service migrate <template>`: the ECS Service Connect version of a template written for App Mesh. Offline and
 * pure (text in, text out), for the blue/green migration of docs/migration.md — the output is a new stack:
 *
 * - every Custom::MeshService gets `Backend: ServiceConnect`; what Service Connect cannot honour is taken out
 *   (gateway routes, header/path routes, retries, weighted versions beyond the heaviest one) and what it ignores is
 *   removed (Envoy, HealthCheck, MeshOwner, DiscoveryAttributes), each listed with the reason and what to use instead;
 * - every AWS::ECS::Service that runs a Custom::MeshService's task definition gets a `ServiceConnectConfiguration`
 *   wired from that resource's return values, and a DependsOn on the ECS services of the servers it calls (its
 *   Backends), so that servers join the namespace before their clients start;
 * - `Fn::GetAtt <service>.VirtualServiceName` becomes `ClientAliasDnsName` (the name clients call); outputs of App
 *   Mesh-only attributes are dropped; IAM statements granting only App Mesh actions are dropped;
 * - a namespace is created by one resource only (`ServiceConnect.CreateNamespace`, the first in the template that
 *   asks): the provider refuses a resource that asks to create a namespace another owns, so the others of the same
 *   namespace declare it existing and depend on that first one (created before them, deleted after them).
 *
 * The list of what could not carry over heads the output as YAML comments, so the output stays one valid template.
 */
import { stringify } from 'yaml';
import { RESOURCE_TYPE } from '../lambda/contract/properties';
import { REFUSAL, SERVICE_CONNECT_NAME } from '../lambda/serviceconnect/contract';
import { ingressLoadBalancers, migrateGateway } from './migrate-ingress';
import {
  isRollout,
  migrateProxy,
  noteRollout,
  proxyLogConfiguration,
  rolloutServiceProps,
  serviceConnectExtras,
  testTrafficRoute,
} from './migrate-rollout';
import { parseTemplate } from './template';

export interface MigrationNote {
  /** Logical id (or `Outputs.<name>`) and property path. */
  readonly where: string;
  readonly message: string;
}

export interface Migration {
  readonly template: Record<string, unknown>;
  readonly notes: readonly MigrationNote[];
  /** The output: the notes as comments, then the template as YAML. */
  readonly text: string;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const getAtt = (logicalId: string, attribute: string): Json => ({ 'Fn::GetAtt': [logicalId, attribute] });

/** The App Mesh-only attributes: empty with Service Connect (VirtualServiceName is rewritten instead). */
const EMPTY_ATTRIBUTES =
  /^(VirtualNodeName|VirtualNodeArn|VirtualServiceArn|VirtualRouterName|VirtualRouterArn|GatewayRouteName|GatewayRouteArn|EnvoyImage|Versions\.[^.]+\.VirtualNode(Name|Arn))$/;

/** `Fn::GetAtt` target and attribute of a value, when it is one. */
export function getAttOf(value: unknown): [string, string] | undefined {
  if (!isObject(value) || !Array.isArray(value['Fn::GetAtt'])) return undefined;
  const [target, attribute] = value['Fn::GetAtt'] as unknown[];
  return typeof target === 'string' && typeof attribute === 'string' ? [target, attribute] : undefined;
}

/**
 * Rewrites every GetAtt (and `${X.Attr}` in Fn::Sub) of a meshed service's VirtualServiceName to the name clients
 * call on the new backend (ClientAliasDnsName on Service Connect).
 */
export function rewriteGetAtts(
  value: unknown,
  services: ReadonlySet<string>,
  callName = 'ClientAliasDnsName',
): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteGetAtts(v, services, callName));
  if (!isObject(value)) return value;
  const att = getAttOf(value);
  if (att && services.has(att[0]) && att[1] === 'VirtualServiceName') return getAtt(att[0], callName);
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'Fn::Sub') {
      const rewrite = (text: unknown) =>
        typeof text === 'string'
          ? text.replace(/\$\{([A-Za-z0-9]+)\.VirtualServiceName\}/g, (all, id: string) =>
              services.has(id) ? `\${${id}.${callName}}` : all,
            )
          : text;
      out[k] = Array.isArray(v) ? [rewrite(v[0]), rewriteGetAtts(v[1], services, callName)] : rewrite(v);
    } else out[k] = rewriteGetAtts(v, services, callName);
  }
  return out;
}

/** True when a value reads an App Mesh-only attribute of a meshed service (GetAtt or Sub). */
export function readsEmptyAttribute(value: unknown, services: ReadonlySet<string>): string | undefined {
  if (Array.isArray(value)) {
    for (const v of value) {
      const hit = readsEmptyAttribute(v, services);
      if (hit) return hit;
    }
    return undefined;
  }
  if (typeof value === 'string') {
    for (const m of value.matchAll(/\$\{([A-Za-z0-9]+)\.([^}]+)\}/g)) {
      if (services.has(m[1]!) && EMPTY_ATTRIBUTES.test(m[2]!)) return `${m[1]}.${m[2]}`;
    }
    return undefined;
  }
  if (!isObject(value)) return undefined;
  const att = getAttOf(value);
  if (att && services.has(att[0]) && EMPTY_ATTRIBUTES.test(att[1])) return `${att[0]}.${att[1]}`;
  for (const v of Object.values(value)) {
    const hit = readsEmptyAttribute(v, services);
    if (hit) return hit;
  }
  return undefined;
}

/** The route Service Connect keeps: one route taking everything, with the first route's timeouts only. */
function migrateRoutes(id: string, routes: unknown, note: (where: string, message: string) => void): unknown {
  if (!Array.isArray(routes)) return routes;
  if (routes.length > 1)
    note(`${id}.Routes`, `${REFUSAL.routes}; kept "${String((routes[0] as Json)?.Name)}"`);
  const first = routes[0];
  if (!isObject(first)) return undefined;
  if (isObject(first.Match)) {
    const m = first.Match;
    const everything =
      (m.Prefix === undefined || m.Prefix === '/') &&
      ['Path', 'Method', 'Headers', 'ServiceName', 'MethodName'].every((k) => m[k] === undefined);
    if (!everything) {
      const why =
        m.Headers !== undefined
          ? REFUSAL.headers
          : m.ServiceName !== undefined
            ? REFUSAL.grpcMatch
            : REFUSAL.path;
      note(`${id}.Routes[0].Match`, why);
    }
  }
  if (Array.isArray(first.Targets) && first.Targets.length > 1)
    note(`${id}.Routes[0].Targets`, REFUSAL.weightedTargets);
  if (first.Retry !== undefined) note(`${id}.Routes[0].Retry`, REFUSAL.retry);
  if (!isObject(first.Timeout)) {
    if (routes.length === 1)
      note(`${id}.Routes`, 'removed: Service Connect has one route, taking every request');
    return undefined;
  }
  const timeout: Json = {};
  for (const key of ['IdleMillis', 'PerRequestMillis']) {
    const ms = first.Timeout[key];
    if (ms === undefined) continue;
    const n = Number(ms);
    if (Number.isFinite(n) && n % 1000 !== 0) {
      timeout[key] = String(Math.ceil(n / 1000) * 1000);
      note(`${id}.Routes[0].Timeout.${key}`, `${REFUSAL.timeoutSeconds}; rounded up to ${timeout[key]}`);
    } else timeout[key] = ms;
  }
  return [{ Name: first.Name, Timeout: timeout }];
}

function migrateService(
  id: string,
  props: Json,
  note: (where: string, message: string) => void,
  dropped: Set<string>,
  /** Namespace → the resource that creates it, so far in template order; updated here. */
  creators: Map<string, string>,
  /** Parameters the output gains (the AWS Private CA of a kept Tls); updated here. */
  parameters: Json = {},
): Json {
  const out: Json = { ...props, Backend: 'ServiceConnect' };
  // A gateway route becomes an ALB listener rule (migrate-ingress.ts).
  migrateGateway(id, out, note);
  // Two versions are a rollout: an exact-header route to one of them is its test traffic, kept beside the route.
  const testRoute = isRollout(out.Versions) ? testTrafficRoute(out.Routes) : undefined;
  if (testRoute && Array.isArray(out.Routes)) {
    out.Routes = out.Routes.filter((r) => r !== testRoute);
    if (testRoute.Retry !== undefined) note(`${id}.Routes.${String(testRoute.Name)}.Retry`, REFUSAL.retry);
    note(
      `${id}.Routes.${String(testRoute.Name)}`,
      'kept as test traffic: requests with that exact header go to the new revision during a deployment (ClientAliases[].TestTrafficRules)',
    );
  }
  if (out.Routes !== undefined) {
    const routes = migrateRoutes(id, out.Routes, note);
    if (routes === undefined) delete out.Routes;
    else out.Routes = routes;
  }
  if (testRoute) {
    const name = Array.isArray(props.Routes)
      ? (props.Routes as unknown[]).find((r): r is Json => isObject(r) && r !== testRoute)?.Name
      : undefined;
    const rest = Array.isArray(out.Routes) ? out.Routes : [{ Name: name ?? 'default' }];
    out.Routes = [{ Name: testRoute.Name, Match: testRoute.Match, Targets: testRoute.Targets }, ...rest];
  }
  Object.assign(parameters, migrateProxy(id, out, note));
  if (isRollout(out.Versions)) {
    noteRollout(id, out, note);
    out.Versions = out.Versions.map((v) => {
      const { DiscoveryAttributes: _d, ...version } = v;
      return version;
    });
  } else if (Array.isArray(out.Versions) && out.Versions.length > 1) {
    const weight = (v: unknown) => (isObject(v) ? Number(v.Weight) : Number.NaN);
    const kept = out.Versions.reduce((a, b) => (weight(b) > weight(a) ? b : a)) as Json;
    note(
      `${id}.Versions`,
      `${REFUSAL.versions}; kept version "${String(kept.Name)}" (the heaviest, or the first)`,
    );
    for (const v of out.Versions)
      if (v !== kept && isObject(v)) dropped.add(`${id}.Versions.${String(v.Name)}.`);
    out.Versions = [kept];
  }
  if (
    Array.isArray(out.Versions) &&
    isObject(out.Versions[0]) &&
    out.Versions[0].DiscoveryAttributes !== undefined
  ) {
    const { DiscoveryAttributes: _d, ...version } = out.Versions[0];
    out.Versions = [version];
  }
  const removed: [string, string][] = [
    [
      'Envoy',
      'removed: the Service Connect proxy is managed by ECS (its logs: ServiceConnectConfiguration.LogConfiguration)',
    ],
    [
      'HealthCheck',
      'removed: give the application container a healthCheck in the task definition; the Service Connect proxy ejects failing endpoints by itself',
    ],
    ['MeshOwner', 'removed: a Service Connect service is identified by its namespace'],
    [
      'DiscoveryAttributes',
      'removed: ECS registers the tasks in the Cloud Map service it creates from the discovery name',
    ],
  ];
  for (const [key, why] of removed) {
    // With a gateway route, the health check is the target group's.
    if (key === 'HealthCheck' && out.Gateway !== undefined) continue;
    if (out[key] !== undefined) {
      note(`${id}.${key}`, why);
      delete out[key];
    }
  }
  if (
    typeof out.AccessLogPath === 'string' &&
    out.AccessLogPath !== '' &&
    out.AccessLogPath !== '/dev/stdout'
  ) {
    note(
      `${id}.AccessLogPath`,
      'removed: Service Connect access logs are set on the ECS service (ServiceConnectConfiguration.AccessLogConfiguration)',
    );
    delete out.AccessLogPath;
  }
  if (Array.isArray(out.Backends) && out.Backends.length > 0) {
    note(
      `${id}.Backends`,
      'kept, but Service Connect has no egress filter: the list restricts nothing (restrict egress with security groups)',
    );
  }
  if (typeof out.ServiceName === 'string' && !SERVICE_CONNECT_NAME.test(out.ServiceName)) {
    note(
      `${id}.ServiceName`,
      `"${out.ServiceName}" lowered to "${out.ServiceName.toLowerCase()}": Service Connect discovery names are lowercase`,
    );
    out.ServiceName = out.ServiceName.toLowerCase();
  }
  if (out.Namespace === undefined && typeof out.DnsHostname === 'string') {
    const namespace = out.DnsHostname.replace(/\.$/, '').split('.').slice(1).join('.');
    const creator = creators.get(namespace);
    out.ServiceConnect = {
      ...(isObject(out.ServiceConnect) ? out.ServiceConnect : {}),
      Namespace: namespace,
      ...(creator === undefined ? { CreateNamespace: true } : {}),
    };
    if (creator === undefined) creators.set(namespace, id);
    note(
      `${id}.DnsHostname`,
      creator === undefined
        ? `Service Connect needs a Cloud Map namespace: ServiceConnect.Namespace set to "${namespace}" (created if missing); check it`
        : `Service Connect needs a Cloud Map namespace: ServiceConnect.Namespace set to "${namespace}", declared existing: ${creator} creates it (a namespace has one creating resource), and DependsOn ${creator}; check it`,
    );
  }
  return out;
}

/** The namespace a Custom::MeshService asks to create (`ServiceConnect.CreateNamespace: true`), if any. */
function namespaceCreated(props: Json): string | undefined {
  const sc = isObject(props.ServiceConnect) ? props.ServiceConnect : undefined;
  if (sc?.CreateNamespace !== true && sc?.CreateNamespace !== 'true') return undefined;
  const namespace = sc.Namespace ?? props.Namespace;
  return typeof namespace === 'string' ? namespace : undefined;
}

/** Adds a DependsOn (CloudFormation takes a name or a list; the output keeps a list). */
function dependingOn(resource: Json, id: string): Json {
  const dependsOn = [...new Set([...[resource.DependsOn ?? []].flat().map(String), id])];
  return { ...resource, DependsOn: dependsOn };
}

/** The ECS service's Service Connect configuration, wired from the Custom::MeshService's return values. */
function serviceConnectConfiguration(id: string, props: Json): Json {
  const edge = props.Edge === true || props.Edge === 'true';
  const routes = Array.isArray(props.Routes) ? props.Routes : [];
  const timeout = isObject(routes[0]) && isObject(routes[0].Timeout) ? routes[0].Timeout : undefined;
  const service: Json = {
    PortName: getAtt(id, 'PortName'),
    DiscoveryName: getAtt(id, 'DiscoveryName'),
    ClientAliases: [{ DnsName: getAtt(id, 'ClientAliasDnsName'), Port: getAtt(id, 'ClientAliasPort') }],
  };
  if (timeout) {
    service.Timeout = {
      ...(timeout.IdleMillis !== undefined ? { IdleTimeoutSeconds: getAtt(id, 'IdleTimeoutSeconds') } : {}),
      ...(timeout.PerRequestMillis !== undefined
        ? { PerRequestTimeoutSeconds: getAtt(id, 'PerRequestTimeoutSeconds') }
        : {}),
    };
  }
  return { Enabled: true, Namespace: getAtt(id, 'NamespaceArn'), ...(edge ? {} : { Services: [service] }) };
}

/** Which meshed service a value names as a backend: `!GetAtt X.VirtualServiceName`/`ClientAliasDnsName`, or a name. */
function backendTarget(value: unknown, names: ReadonlyMap<string, string>): string | undefined {
  const att = getAttOf(value);
  if (att && (att[1] === 'VirtualServiceName' || att[1] === 'ClientAliasDnsName')) return att[0];
  return typeof value === 'string' ? names.get(value) : undefined;
}

/** Drops IAM policy statements that grant App Mesh actions only (Envoy's StreamAggregatedResources). */
export function dropAppMeshStatements(
  id: string,
  props: Json,
  note: (where: string, message: string) => void,
  why = 'App Mesh statement removed: Service Connect needs no App Mesh permission',
): Json {
  if (!Array.isArray(props.Policies)) return props;
  const policies = props.Policies.flatMap((policy) => {
    if (
      !isObject(policy) ||
      !isObject(policy.PolicyDocument) ||
      !Array.isArray(policy.PolicyDocument.Statement)
    )
      return [policy];
    const statements = policy.PolicyDocument.Statement.filter((s) => {
      const actions = isObject(s) ? [s.Action].flat() : [];
      const appMeshOnly =
        actions.length > 0 && actions.every((a) => typeof a === 'string' && a.startsWith('appmesh:'));
      if (appMeshOnly) note(`${id}.Policies.${String(policy.PolicyName)}`, why);
      return !appMeshOnly;
    });
    return statements.length
      ? [{ ...policy, PolicyDocument: { ...policy.PolicyDocument, Statement: statements } }]
      : [];
  });
  const out: Json = { ...props, Policies: policies };
  if (policies.length === 0) delete out.Policies;
  return out;
}

/** Merges what a rollout, TLS and access logs add into the ECS service's Service Connect configuration. */
function withServiceConnectExtras(config: Json, extras: { service: Json; alias: Json; config: Json }): Json {
  const services = Array.isArray(config.Services) ? (config.Services as Json[]) : undefined;
  return {
    ...config,
    ...extras.config,
    ...(services
      ? {
          Services: services.map((s, i) =>
            i > 0
              ? s
              : {
                  ...s,
                  ...extras.service,
                  ClientAliases: (s.ClientAliases as Json[]).map((a) => ({ ...a, ...extras.alias })),
                },
          ),
        }
      : {}),
  };
}

/** Parameters nothing reads any more (a removed ECS service's DesiredCount): removed, with a note. */
export function dropUnusedParameters(
  parameters: Json,
  readers: Json,
  note: (where: string, message: string) => void,
): Json {
  const text = JSON.stringify(readers);
  const kept: Json = {};
  for (const [name, parameter] of Object.entries(parameters)) {
    const used = text.includes(`{"Ref":"${name}"}`) || new RegExp(`\\$\\{${name}[}.]`).test(text);
    if (used) kept[name] = parameter;
    else note(`Parameters.${name}`, 'removed: nothing reads it any more');
  }
  return kept;
}

/**
 * The migrated template and its text: the parameters still used, the description saying where it went, the
 * rewritten resources and outputs, headed by `intro` and the notes as YAML comments.
 */
export function assembleMigration(
  template: Json,
  parts: {
    readonly parameters: Json;
    readonly rewritten: Json;
    readonly outputs: Json;
    readonly notes: readonly MigrationNote[];
    readonly note: (where: string, message: string) => void;
    /** `ECS Service Connect`, `Amazon VPC Lattice`. */
    readonly target: string;
    /** The header's first lines, before the notes. */
    readonly intro: readonly string[];
  },
): Migration {
  const { rewritten, outputs, notes } = parts;
  const allParameters = dropUnusedParameters(
    parts.parameters,
    { rewritten, outputs, rules: template.Rules, conditions: template.Conditions },
    parts.note,
  );
  const migrated: Json = {
    ...template,
    ...(Object.keys(allParameters).length ? { Parameters: allParameters } : {}),
    ...(typeof template.Description === 'string'
      ? { Description: `${template.Description} Migrated to ${parts.target} by mesh-service migrate.` }
      : {}),
    Resources: rewritten,
    ...(template.Outputs !== undefined ? { Outputs: outputs } : {}),
  };
  if (Object.keys(outputs).length === 0) delete migrated.Outputs;

  const header = [
    ...parts.intro,
    ...(notes.length
      ? ['#', '# What did not carry over, and why:', ...notes.map((n) => `#   - ${n.where}: ${n.message}`)]
      : ['#', '# Everything carried over.']),
  ];
  return {
    template: migrated,
    notes,
    // YAML 1.1, as CloudFormation reads it: strings such as 2010-09-09 stay quoted (1.1 would read a date).
    text: `${header.join('\n')}\n${stringify(migrated, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false })}`,
  };
}

export function migrateTemplate(text: string): Migration {
  const template = parseTemplate(text) as Json;
  const resources = isObject(template.Resources) ? template.Resources : {};
  const notes: MigrationNote[] = [];
  const note = (where: string, message: string) => notes.push({ where, message });
  const meshed = new Set(
    Object.entries(resources)
      .filter(([, r]) => isObject(r) && r.Type === RESOURCE_TYPE)
      .map(([id]) => id),
  );
  // Literal virtual service names → the meshed service, for Backends that name them.
  const names = new Map<string, string>();
  for (const id of meshed) {
    const p = (resources[id] as Json).Properties as Json | undefined;
    if (typeof p?.VirtualServiceName === 'string') names.set(p.VirtualServiceName, id);
    if (typeof p?.ServiceName === 'string' && typeof p.Namespace === 'string')
      names.set(`${p.ServiceName}.${p.Namespace}`, id);
  }

  const out: Json = {};
  // `<id>.Versions.<name>.` of the versions dropped: what reads them goes with them.
  const dropped = new Set<string>();
  const readsDropped = (value: unknown) => {
    const text = JSON.stringify(value);
    return [...dropped].find((prefix) => {
      const [target, , name] = prefix.split('.');
      return text.includes(`["${target}","Versions.${name}.`) || text.includes(`\${${prefix}`);
    });
  };
  // A namespace the template already asks a resource to create is that resource's (the first one that asks).
  const creators = new Map<string, string>();
  for (const id of meshed) {
    const props = (resources[id] as Json).Properties;
    const namespace = isObject(props) ? namespaceCreated(props) : undefined;
    if (namespace !== undefined && !creators.has(namespace)) creators.set(namespace, id);
  }
  const parameters: Json = {};
  for (const [id, resource] of Object.entries(resources)) {
    if (!isObject(resource)) {
      out[id] = resource;
      continue;
    }
    const props = isObject(resource.Properties) ? resource.Properties : {};
    if (meshed.has(id)) {
      const migrated = migrateService(id, props, note, dropped, creators, parameters);
      const namespace =
        (isObject(migrated.ServiceConnect) ? migrated.ServiceConnect.Namespace : undefined) ??
        migrated.Namespace;
      const creator = typeof namespace === 'string' ? creators.get(namespace) : undefined;
      const joins = creator !== undefined && creator !== id;
      if (joins && namespaceCreated(migrated) !== undefined) {
        // Asked in the template too: the provider would refuse it, the namespace being another resource's.
        const { CreateNamespace: _c, ...sc } = migrated.ServiceConnect as Json;
        if (Object.keys(sc).length) migrated.ServiceConnect = sc;
        else delete migrated.ServiceConnect;
        note(
          `${id}.ServiceConnect.CreateNamespace`,
          `removed: ${creator} creates namespace "${String(namespace)}" (a namespace has one creating resource); declared existing, with DependsOn ${creator}`,
        );
      }
      out[id] = joins
        ? dependingOn({ ...resource, Properties: migrated }, creator)
        : { ...resource, Properties: migrated };
    } else if (resource.Type === 'AWS::IAM::Role')
      out[id] = { ...resource, Properties: dropAppMeshStatements(id, props, note) };
    else out[id] = resource;
  }

  for (const [id, resource] of Object.entries(out)) {
    const hit = isObject(resource) ? readsDropped(resource) : undefined;
    if (!hit) continue;
    if (isObject(resource) && resource.Type === 'AWS::ECS::Service') {
      note(
        id,
        `removed: it ran ${hit.slice(0, -1)}, a version Service Connect cannot weight; roll versions out through the ECS deployment strategy of the remaining service`,
      );
      delete out[id];
    } else note(id, `reads ${hit.slice(0, -1)}, a version that was dropped; remove it`);
  }

  // A rollout deploys its versions in turn on one ECS service: the first version's is kept, the others removed.
  const rollouts = new Set(
    [...meshed].filter((id) => isRollout(((out[id] as Json).Properties as Json | undefined)?.Versions)),
  );
  for (const [id, resource] of Object.entries(out)) {
    if (!isObject(resource) || resource.Type !== 'AWS::ECS::Service' || !isObject(resource.Properties))
      continue;
    const att = getAttOf(resource.Properties.TaskDefinition);
    const version =
      att && rollouts.has(att[0]) ? /^Versions\.([^.]+)\.TaskDefinitionArn$/.exec(att[1]) : null;
    if (!att || !version) continue;
    const first = (((out[att[0]] as Json).Properties as Json).Versions as Json[])[0]!;
    if (version[1] === String(first.Name)) {
      resource.Properties = { ...resource.Properties, TaskDefinition: getAtt(att[0], 'TaskDefinitionArn') };
    } else {
      note(
        id,
        `removed: it ran version "${version[1]}" of ${att[0]}, which the rollout deploys on the ECS service of version "${String(first.Name)}"; lost: a task count per version (that service's DesiredCount runs both in turn)`,
      );
      delete out[id];
    }
  }

  // ECS services of meshed services: Service Connect wiring, and DependsOn on their servers' ECS services.
  const ecsServiceOf = new Map<string, string>();
  for (const [id, resource] of Object.entries(out)) {
    if (!isObject(resource) || resource.Type !== 'AWS::ECS::Service' || !isObject(resource.Properties))
      continue;
    const att = getAttOf(resource.Properties.TaskDefinition);
    if (att && meshed.has(att[0]) && /TaskDefinitionArn$/.test(att[1])) ecsServiceOf.set(att[0], id);
  }
  for (const [meshedId, serviceId] of ecsServiceOf) {
    const service = out[serviceId] as Json;
    const props = (out[meshedId] as Json).Properties as Json;
    const servers = (Array.isArray(props.Backends) ? props.Backends : [])
      .map((b) => backendTarget(b, names))
      .flatMap((target) => (target && ecsServiceOf.has(target) ? [ecsServiceOf.get(target)!] : []));
    const dependsOn = [...new Set([...[service.DependsOn ?? []].flat().map(String), ...servers])];
    const tdRef = Array.isArray(props.Versions)
      ? (props.Versions[0] as Json)?.TaskDefinition
      : props.TaskDefinition;
    const taskDefinition = isObject(tdRef) ? out[String(tdRef.Ref)] : undefined;
    const wired = withServiceConnectExtras(
      serviceConnectConfiguration(meshedId, props),
      serviceConnectExtras(meshedId, props, proxyLogConfiguration(taskDefinition), note),
    );
    const serviceProps = rollouts.has(meshedId)
      ? rolloutServiceProps(serviceId, meshedId, props, service.Properties as Json, note)
      : (service.Properties as Json);
    // A kept gateway route: the ECS service registers its tasks in the resource's target group.
    const loadBalancers = ingressLoadBalancers(meshedId, props, taskDefinition, serviceProps.LoadBalancers);
    out[serviceId] = {
      ...service,
      ...(dependsOn.length ? { DependsOn: dependsOn } : {}),
      Properties: {
        ...serviceProps,
        ...(loadBalancers ? { LoadBalancers: loadBalancers } : {}),
        ServiceConnectConfiguration: wired,
      },
    };
  }
  for (const id of meshed) {
    if (!ecsServiceOf.has(id)) {
      note(
        id,
        'no AWS::ECS::Service runs its TaskDefinitionArn: add ServiceConnectConfiguration to its ECS service by hand (see docs/migration.md)',
      );
    }
  }

  const rewritten = rewriteGetAtts(out, meshed) as Json;
  for (const [id, resource] of Object.entries(rewritten)) {
    const hit = readsEmptyAttribute(resource, meshed);
    if (hit) note(id, `reads ${hit}, which is empty with Service Connect; replace it`);
  }
  const outputs: Json = {};
  for (const [name, output] of Object.entries(isObject(template.Outputs) ? template.Outputs : {})) {
    const hit = readsEmptyAttribute(output, meshed);
    const version = readsDropped(output);
    if (hit) note(`Outputs.${name}`, `removed: it read ${hit}, which Service Connect does not have`);
    else if (version)
      note(`Outputs.${name}`, `removed: it read ${version.slice(0, -1)}, a version that was dropped`);
    else outputs[name] = rewriteGetAtts(output, meshed);
  }
  return assembleMigration(template, {
    parameters: { ...(isObject(template.Parameters) ? template.Parameters : {}), ...parameters },
    rewritten,
    outputs,
    notes,
    note,
    target: 'ECS Service Connect',
    intro: [
      '# Migrated to ECS Service Connect by `mesh-service migrate` (docs/migration.md): deploy it as a new stack',
      '# beside the App Mesh one, shift traffic at the edge, then delete the old stack.',
    ],
  });
}
