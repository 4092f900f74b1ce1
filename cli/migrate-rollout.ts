/**
 * `mesh-service migrate`, the parts that map onto an ECS-native rollout and the Service Connect proxy
 * (lambda/serviceconnect/rollout.ts and proxy.ts): two weighted Versions become a rollout of one ECS service
 * (`DeploymentController: {Type: ECS}`, `DeploymentConfiguration` wired from the resource's attributes, without the
 * circuit breaker that works with rolling deployments only), an exact-header route to the new version becomes
 * `TestTrafficRules`, `AccessLogFormat` becomes `AccessLogConfiguration` (with the LogConfiguration ECS requires),
 * `ListenerTimeout` the service's `Timeout`, and a one-way `Tls` with an ACM certificate becomes `Services[].Tls`
 * with the AWS Private CA given as a new parameter. Pure; each change is noted with what was lost.
 */
import { REFUSAL } from '../lambda/serviceconnect/contract';
import { PROXY_REFUSAL } from '../lambda/serviceconnect/proxy';
import { STEADY_SPLIT } from '../lambda/serviceconnect/rollout';

type Json = Record<string, unknown>;
type Note = (where: string, message: string) => void;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const getAtt = (logicalId: string, attribute: string): Json => ({ 'Fn::GetAtt': [logicalId, attribute] });

/** A literal weight, when the template gives one (a Ref to a parameter is left to the provider). */
const literal = (v: unknown): number | undefined => {
  const n = typeof v === 'number' || typeof v === 'string' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
};

/** Whether two Versions can be a rollout: not three or more, not literally equal weights. */
export function isRollout(versions: unknown): versions is [Json, Json] {
  if (!Array.isArray(versions) || versions.length !== 2 || !versions.every(isObject)) return false;
  const [a, b] = versions.map((v) => literal((v as Json).Weight));
  return !(a !== undefined && b !== undefined && a === b);
}

/** Notes what a rollout keeps of two weighted versions, and what is lost. */
export function noteRollout(id: string, props: Json, note: Note): void {
  const [a, b] = props.Versions as [Json, Json];
  note(
    `${id}.Versions`,
    `kept as a rollout: on Service Connect the lighter of "${String(a.Name)}" and "${String(b.Name)}" is the new revision of one ECS service, which an ECS CANARY deployment shifts CanaryPercent (its share of the weights) to, bakes, then moves all traffic to (ServiceConnect.Rollout tunes it); lost: ${STEADY_SPLIT}`,
  );
}

/** Test traffic: the exact-header route to one version, kept beside the route that takes everything. */
export function testTrafficRoute(routes: unknown): Json | undefined {
  if (!Array.isArray(routes)) return undefined;
  return routes.find((r): r is Json => {
    if (!isObject(r) || !isObject(r.Match) || !Array.isArray(r.Targets) || r.Targets.length !== 1)
      return false;
    const keys = Object.keys(r.Match).filter((k) => k !== 'Port');
    const headers = r.Match.Headers;
    return (
      keys.length === 1 &&
      keys[0] === 'Headers' &&
      Array.isArray(headers) &&
      headers.length === 1 &&
      isObject(headers[0]) &&
      headers[0].Exact !== undefined &&
      headers[0].Invert !== true &&
      headers[0].Invert !== 'true'
    );
  });
}

/** ListenerTimeout, Tls and AccessLogFormat on Service Connect; returns the parameters the output needs. */
export function migrateProxy(id: string, out: Json, note: Note): Json {
  const parameters: Json = {};
  // What the ECS-managed proxy does by itself, or has no setting for.
  for (const [key, why] of [
    ['OutlierDetection', REFUSAL.outlierDetection],
    ['ConnectionPool', REFUSAL.connectionPool],
    ['BackendDefaults', REFUSAL.clientTls],
    ['BackendPolicies', REFUSAL.clientTls],
    ['DnsResponseType', REFUSAL.dnsResponseType],
    ['IpPreference', REFUSAL.ipPreference],
  ] as const) {
    if (out[key] === undefined) continue;
    note(`${id}.${key}`, `removed: ${why}`);
    delete out[key];
  }
  if (isObject(out.ListenerTimeout)) {
    const routeTimeout = Array.isArray(out.Routes) && out.Routes.some((r) => isObject(r) && r.Timeout);
    if (routeTimeout) {
      note(`${id}.ListenerTimeout`, `removed: ${PROXY_REFUSAL.timeouts}; the route's timeouts are kept`);
      delete out.ListenerTimeout;
    } else {
      const timeout: Json = {};
      for (const [key, ms] of Object.entries(out.ListenerTimeout)) {
        const n = literal(ms);
        timeout[key] = n !== undefined && n % 1000 !== 0 ? String(Math.ceil(n / 1000) * 1000) : ms;
        if (timeout[key] !== ms)
          note(
            `${id}.ListenerTimeout.${key}`,
            `${PROXY_REFUSAL.timeoutSeconds}; rounded up to ${timeout[key]}`,
          );
      }
      out.ListenerTimeout = timeout;
      note(`${id}.ListenerTimeout`, "kept: it becomes the ECS service's Services[].Timeout");
    }
  }
  if (isObject(out.AccessLogFormat)) {
    note(
      `${id}.AccessLogFormat`,
      `kept as ServiceConnectConfiguration.AccessLogConfiguration (Format ${out.AccessLogFormat.Json !== undefined ? 'JSON' : 'TEXT'}): ECS logs its own fields, so the custom fields and their order are lost`,
    );
  }
  if (isObject(out.Tls)) {
    const tls = out.Tls;
    const cert = isObject(tls.Certificate) ? tls.Certificate : {};
    if (tls.Validation !== undefined) {
      note(`${id}.Tls`, `removed: ${PROXY_REFUSAL.mutualTls}`);
      delete out.Tls;
    } else if (cert.AcmCertificateArn === undefined) {
      note(`${id}.Tls`, `removed: ${PROXY_REFUSAL.fileOrSds}`);
      delete out.Tls;
    } else if (!(isObject(out.ServiceConnect) && out.ServiceConnect.Tls !== undefined)) {
      const ca = `${id}TlsCertificateAuthorityArn`;
      const role = `${id}TlsRoleArn`;
      parameters[ca] = {
        Type: 'String',
        AllowedPattern: '^arn:[^:]+:acm-pca:[^:]+:[0-9]{12}:certificate-authority/.+$',
        Description: `The AWS Private CA that issued ${id}'s certificate: ECS issues and rotates the Service Connect certificates from it`,
      };
      parameters[role] = {
        Type: 'String',
        AllowedPattern: '^arn:[^:]+:iam::[0-9]{12}:role/.+$',
        Description: `The ECS infrastructure role that issues ${id}'s Service Connect certificates from the CA`,
      };
      out.ServiceConnect = {
        ...(isObject(out.ServiceConnect) ? out.ServiceConnect : {}),
        Tls: { AwsPcaAuthorityArn: { Ref: ca }, RoleArn: { Ref: role } },
      };
      note(
        `${id}.Tls`,
        `kept as Service Connect TLS (one-way TLS 1.3): ECS issues the certificates from the AWS Private CA of parameter ${ca}, with the role of parameter ${role}; the ACM certificate and Tls.Mode are not used`,
      );
    }
  }
  return parameters;
}

/** What the ECS service's Services[0] and its ServiceConnectConfiguration gain from the resource's attributes. */
export function serviceConnectExtras(
  id: string,
  props: Json,
  logConfiguration: unknown,
  note: Note,
): { service: Json; alias: Json; config: Json } {
  const service: Json = {};
  const alias: Json = {};
  const config: Json = {};
  const sc = isObject(props.ServiceConnect) ? props.ServiceConnect : {};
  const rollout = isObject(sc.Rollout) ? sc.Rollout : {};
  const twoVersions = isRollout(props.Versions);
  if (rollout.TestTrafficHeader !== undefined || (twoVersions && testTrafficRoute(props.Routes))) {
    alias.TestTrafficRules = {
      Header: {
        Name: getAtt(id, 'TestTrafficHeaderName'),
        Value: { Exact: getAtt(id, 'TestTrafficHeaderValue') },
      },
    };
  }
  const routeTimeout = Array.isArray(props.Routes) && props.Routes.some((r) => isObject(r) && r.Timeout);
  if (!routeTimeout && isObject(props.ListenerTimeout)) {
    const t = props.ListenerTimeout;
    service.Timeout = {
      ...(t.IdleMillis !== undefined ? { IdleTimeoutSeconds: getAtt(id, 'IdleTimeoutSeconds') } : {}),
      ...(t.PerRequestMillis !== undefined
        ? { PerRequestTimeoutSeconds: getAtt(id, 'PerRequestTimeoutSeconds') }
        : {}),
    };
  }
  if (isObject(sc.Tls)) {
    service.Tls = {
      IssuerCertificateAuthority: { AwsPcaAuthorityArn: getAtt(id, 'TlsAwsPcaAuthorityArn') },
      ...(sc.Tls.KmsKey !== undefined ? { KmsKey: getAtt(id, 'TlsKmsKey') } : {}),
      ...(sc.Tls.RoleArn !== undefined ? { RoleArn: getAtt(id, 'TlsRoleArn') } : {}),
    };
  }
  if (props.AccessLogFormat !== undefined) {
    config.AccessLogConfiguration = { Format: getAtt(id, 'AccessLogFormat') };
    if (logConfiguration !== undefined) config.LogConfiguration = logConfiguration;
    else
      note(
        id,
        'add ServiceConnectConfiguration.LogConfiguration to its ECS service: ECS requires it with access logs, and the task definition has no log configuration to copy',
      );
  }
  return { service, alias, config };
}

/**
 * The ECS service of a rollout: the ECS deployment controller and the DeploymentConfiguration wired from the
 * attributes, without DeploymentCircuitBreaker ("can only be used for services using the rolling update").
 */
export function rolloutServiceProps(
  serviceId: string,
  meshedId: string,
  props: Json,
  service: Json,
  note: Note,
): Json {
  const sc = isObject(props.ServiceConnect) ? props.ServiceConnect : {};
  const rollout = isObject(sc.Rollout) ? sc.Rollout : {};
  const strategy = typeof rollout.Strategy === 'string' ? rollout.Strategy : 'CANARY';
  const existing = isObject(service.DeploymentConfiguration) ? { ...service.DeploymentConfiguration } : {};
  if (existing.DeploymentCircuitBreaker !== undefined) {
    note(
      `${serviceId}.DeploymentConfiguration.DeploymentCircuitBreaker`,
      `removed: the circuit breaker works with rolling deployments only; a ${strategy} deployment rolls back on DeploymentConfiguration.Alarms (add the alarms that watch the new revision)`,
    );
    delete existing.DeploymentCircuitBreaker;
  }
  const configuration: Json = { ...existing, Strategy: getAtt(meshedId, 'DeploymentStrategy') };
  if (strategy === 'CANARY')
    configuration.CanaryConfiguration = {
      CanaryPercent: getAtt(meshedId, 'CanaryPercent'),
      CanaryBakeTimeInMinutes: getAtt(meshedId, 'CanaryBakeTimeInMinutes'),
    };
  if (strategy === 'LINEAR')
    configuration.LinearConfiguration = {
      StepPercent: getAtt(meshedId, 'StepPercent'),
      StepBakeTimeInMinutes: getAtt(meshedId, 'StepBakeTimeInMinutes'),
    };
  if (rollout.BakeMinutes !== undefined)
    configuration.BakeTimeInMinutes = getAtt(meshedId, 'BakeTimeInMinutes');
  return {
    ...service,
    TaskDefinition: getAtt(meshedId, 'TaskDefinitionArn'),
    DeploymentController: { Type: 'ECS' },
    DeploymentConfiguration: configuration,
  };
}

/** The LogConfiguration of the first container of a task definition resource, for the Service Connect proxy. */
export function proxyLogConfiguration(taskDefinition: unknown): unknown {
  if (!isObject(taskDefinition) || !isObject(taskDefinition.Properties)) return undefined;
  const containers = taskDefinition.Properties.ContainerDefinitions;
  const first = Array.isArray(containers) ? containers.find(isObject) : undefined;
  const log = first && isObject(first.LogConfiguration) ? first.LogConfiguration : undefined;
  if (!log) return undefined;
  const options = isObject(log.Options)
    ? { ...log.Options, 'awslogs-stream-prefix': 'service-connect' }
    : undefined;
  return { ...log, ...(options ? { Options: options } : {}) };
}
