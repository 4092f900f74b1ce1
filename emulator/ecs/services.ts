/**
 * ECS services, as far as Service Connect needs them: CreateService, DescribeServices, UpdateService and
 * DeleteService, with `serviceConnectConfiguration` checked as ECS checks it. No task runs: a service's counts stay
 * 0 and a deleted service is INACTIVE at once. Clusters are not emulated (any cluster name is accepted, `default`
 * when none is given). State is per calling account, in memory.
 *
 * For each discovery name ECS creates a Cloud Map service in the namespace (ServiceConnectServiceResource: "the
 * name of the new Cloud Map service that Amazon ECS creates for this Amazon ECS service"; its ARN is the
 * deployment's `serviceConnectResources[].discoveryArn`), through `deps.cloudMap`. The emulator deletes it when the
 * ECS service stops using the name (an update that drops or renames it, another namespace, Service Connect turned
 * off) or is deleted: our reading, as a deleted service's discovery name is free again (unconfirmed for real ECS,
 * which may keep the Cloud Map service for a while after the ECS service is INACTIVE).
 *
 * Service Connect rules (`InvalidParameterException` unless said; wordings are ours unless marked real):
 * - the namespace (name or ARN) must be a Cloud Map namespace of the account in this Region
 *   (`NamespaceNotFoundException`); an ARN of another Region is refused by name;
 * - each service's `portName` must name a port mapping of the task definition (ServiceConnectService.portName: "must
 *   match the name of one of the portMappings from all the containers in the task definition");
 * - at most one client alias per service ("The maximum number of client aliases that you can have in this list is
 *   1"), and a client alias's name and port unique within the namespace ("Each name and port mapping must be unique
 *   within the namespace");
 * - discovery names follow the port-name rule (up to 64 lowercase letters, digits, `_`, `-`, not starting with `-`)
 *   and are unique within the namespace — real wording "CreateService error: SC service is already used by <namespace
 *   ARN>" (aws/copilot-cli#4337);
 * - `perRequestTimeoutSeconds` only when the port has an appProtocol (TimeoutConfiguration: "perRequestTimeout can
 *   only be set if Service Connect appProtocol isn't TCP");
 * - UpdateService may not change the appProtocol of a port a Service Connect service uses (PortMapping.appProtocol:
 *   "appProtocol is immutable in a Service Connect service. Updating this field requires a service deletion and
 *   redeployment").
 *
 * VPC Lattice (`vpcLatticeConfigurations`, on CreateService and UpdateService, carried by the deployment): each
 * `portName` must name a port mapping of the task definition (VpcLatticeConfiguration.portName: "This is the name of
 * the portMapping you defined in your task definition."), checked again when an update changes the revision, and
 * each `targetGroupArn` must be a VPC Lattice target group of the account ("The full Amazon Resource Name (ARN) of
 * the target group … that the Amazon ECS tasks will be registered to"), through `deps.latticeTargetGroup`; both
 * InvalidParameterException, our wording. An update without the member keeps the configurations (their port names
 * checked against the new revision, their target groups not again), an empty list removes them. No task runs, so no target is registered.
 */
import { ecsErrors, ServiceError } from '../errors';
import { cloneJson, isPlainObject, type JsonObject, nowEpochSeconds } from '../util';

export interface CallContext {
  readonly account: string;
}

/** The operations this module serves (the rest of ECS is emulator/ecs/service.ts). */
export const ECS_SERVICE_OPERATIONS: ReadonlySet<string> = new Set([
  'CreateService',
  'DescribeServices',
  'UpdateService',
  'DeleteService',
]);

export interface EcsServicesDeps {
  /** DescribeTaskDefinition as the ECS task-definition emulator answers it (throws its errors). */
  readonly describeTaskDefinition: (reference: string, account: string) => JsonObject;
  /** A Cloud Map namespace of the account by name or ARN, in this Region. */
  readonly resolveNamespace: (
    nameOrArn: string,
    account: string,
  ) => { arn: string; name: string } | undefined;
  /** The Cloud Map services ECS creates and deletes for discovery names (emulator/servicediscovery/service.ts). */
  readonly cloudMap: {
    readonly create: (namespaceArn: string, name: string, account: string) => string;
    readonly delete: (serviceArn: string) => void;
  };
  /** Whether an ARN is a VPC Lattice target group of the account (emulator/vpc-lattice/service.ts). */
  readonly latticeTargetGroup?: (arn: string, account: string) => boolean;
}

export interface ServiceSnapshot {
  readonly serviceArn: string;
  readonly serviceName: string;
  readonly clusterArn: string;
  readonly status: string;
  readonly taskDefinition: string;
  readonly serviceConnectConfiguration?: JsonObject;
  readonly vpcLatticeConfigurations?: JsonObject[];
}

interface Service {
  readonly account: string;
  readonly cluster: string;
  readonly name: string;
  readonly arn: string;
  readonly createdAt: number;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  taskDefinition: string;
  desiredCount: number;
  /** The request's members, as given (echoed where the Service shape has them). */
  request: JsonObject;
  /** With the namespace resolved to its ARN. */
  serviceConnect?: JsonObject;
  /** VpcLatticeConfigurations as given (absent or empty: the service is in no target group). */
  vpcLattice?: JsonObject[];
  /** The Cloud Map services ECS created for it: discovery name → service ARN (in serviceConnect's namespace). */
  discoveryArns: Map<string, string>;
  deploymentId: string;
  updatedAt: number;
}

const SC_NAME = /^[a-z0-9_][a-z0-9_-]{0,63}$/;

/** The discovery names of a Service Connect configuration (a service without one is named by its port). */
function namesOf(config: JsonObject | undefined): string[] {
  const services = config && Array.isArray(config.services) ? config.services.filter(isPlainObject) : [];
  return services.map((sc) => String(sc.discoveryName ?? sc.portName));
}
const invalid = ecsErrors.invalidParameter;

function clusterOf(input: JsonObject): string {
  const raw = typeof input.cluster === 'string' && input.cluster !== '' ? input.cluster : 'default';
  return /cluster\/([^/]+)$/.exec(raw)?.[1] ?? raw;
}

function serviceNameOf(reference: string): string {
  return /service\/(?:[^/]+\/)?([^/]+)$/.exec(reference)?.[1] ?? reference;
}

function portMappingsOf(taskDefinition: JsonObject): JsonObject[] {
  const containers = Array.isArray(taskDefinition.containerDefinitions)
    ? taskDefinition.containerDefinitions.filter(isPlainObject)
    : [];
  return containers.flatMap((c) =>
    Array.isArray(c.portMappings) ? c.portMappings.filter(isPlainObject) : [],
  );
}

export class EcsServices {
  private readonly services: Service[] = [];

  constructor(
    private readonly region: string,
    private readonly partition: string,
    private readonly deps: EcsServicesDeps,
  ) {}

  handle(operation: string, input: JsonObject, ctx: CallContext): JsonObject {
    switch (operation) {
      case 'CreateService':
        return this.create(input, ctx);
      case 'DescribeServices':
        return this.describe(input, ctx);
      case 'UpdateService':
        return this.update(input, ctx);
      case 'DeleteService':
        return this.delete(input, ctx);
      default:
        throw new Error(`emulator bug: no ECS service handler for ${operation}`);
    }
  }

  reset(): void {
    this.services.length = 0;
  }

  snapshot(): ServiceSnapshot[] {
    return this.services.map((s) => ({
      serviceArn: s.arn,
      serviceName: s.name,
      clusterArn: this.clusterArn(s.account, s.cluster),
      status: s.status,
      taskDefinition: s.taskDefinition,
      ...(s.serviceConnect ? { serviceConnectConfiguration: cloneJson(s.serviceConnect) } : {}),
      ...(s.vpcLattice ? { vpcLatticeConfigurations: cloneJson(s.vpcLattice) } : {}),
    }));
  }

  // --- internals -----------------------------------------------------------------------------------------------

  private clusterArn(account: string, cluster: string): string {
    return `arn:${this.partition}:ecs:${this.region}:${account}:cluster/${cluster}`;
  }

  private live(): Service[] {
    return this.services.filter((s) => s.status !== 'INACTIVE');
  }

  private discoveryNames(namespaceArn: string, except?: Service): { name: string; service: Service }[] {
    return this.live()
      .filter((s) => s !== except && s.serviceConnect?.namespace === namespaceArn)
      .flatMap((s) => namesOf(s.serviceConnect).map((name) => ({ name, service: s })));
  }

  /**
   * Brings the Cloud Map services of an ECS service in line with its Service Connect configuration (undefined: none):
   * a name it keeps in the same namespace keeps its service; the others are deleted, new names get one.
   */
  private syncCloudMap(service: Service, next: JsonObject | undefined, ctx: CallContext): void {
    const sameNamespace = next !== undefined && next.namespace === service.serviceConnect?.namespace;
    const wanted = new Set(namesOf(next));
    for (const [name, arn] of service.discoveryArns) {
      if (sameNamespace && wanted.has(name)) continue;
      this.deps.cloudMap.delete(arn);
      service.discoveryArns.delete(name);
    }
    for (const name of wanted) {
      if (!service.discoveryArns.has(name))
        service.discoveryArns.set(
          name,
          this.deps.cloudMap.create(String(next!.namespace), name, ctx.account),
        );
    }
  }

  private find(input: JsonObject, reference: string, ctx: CallContext): Service | undefined {
    const cluster = clusterOf(input);
    const name = serviceNameOf(reference);
    return [...this.services]
      .reverse()
      .find((s) => s.account === ctx.account && s.cluster === cluster && s.name === name);
  }

  /** The task definition as ECS resolves it for a service: it must exist and be ACTIVE. */
  private taskDefinition(reference: string, ctx: CallContext): JsonObject {
    const described = this.deps.describeTaskDefinition(reference, ctx.account);
    const td = described.taskDefinition as JsonObject;
    if (td.status !== 'ACTIVE') throw ecsErrors.client(`TaskDefinition is inactive`);
    return td;
  }

  /** `vpcLatticeConfigurations` checked against the task definition and VPC Lattice (see the header). */
  private checkVpcLattice(
    configs: JsonObject[],
    taskDefinition: JsonObject,
    ctx: CallContext,
    targetGroups = true,
  ): JsonObject[] {
    const names = new Set(portMappingsOf(taskDefinition).map((m) => m.name));
    for (const config of configs) {
      const portName = String(config.portName);
      if (!names.has(portName))
        throw invalid(
          `The VPC Lattice port name ${portName} does not match the name of any port mapping in the task definition ${String(taskDefinition.taskDefinitionArn)}.`,
        );
      const arn = String(config.targetGroupArn);
      if (targetGroups && !this.deps.latticeTargetGroup?.(arn, ctx.account))
        throw invalid(`The VPC Lattice target group ${arn} does not exist in this account and Region.`);
    }
    return cloneJson(configs);
  }

  /** `serviceConnectConfiguration` checked as ECS checks it; returns it with the namespace as its ARN. */
  private checkServiceConnect(
    config: JsonObject,
    taskDefinition: JsonObject,
    ctx: CallContext,
    self?: Service,
  ): JsonObject | undefined {
    if (config.enabled !== true) return undefined;
    const namespace = typeof config.namespace === 'string' ? config.namespace : undefined;
    if (namespace === undefined) {
      throw invalid(
        'Service Connect is enabled but no namespace is given, and the cluster has no Service Connect defaults.',
      );
    }
    const region = /^arn:[^:]+:servicediscovery:([^:]+):/.exec(namespace)?.[1];
    if (region !== undefined && region !== this.region) {
      throw invalid(
        `The namespace ${namespace} is in ${region}; Service Connect needs a namespace of ${this.region}.`,
      );
    }
    const resolved = this.deps.resolveNamespace(namespace, ctx.account);
    if (!resolved) throw new ServiceError('NamespaceNotFoundException', `Namespace not found: ${namespace}.`);
    const mappings = portMappingsOf(taskDefinition);
    const services = Array.isArray(config.services) ? config.services.filter(isPlainObject) : [];
    const taken = this.discoveryNames(resolved.arn, self);
    const aliases = new Set<string>();
    for (const other of this.live()) {
      if (other === self || other.serviceConnect?.namespace !== resolved.arn) continue;
      for (const sc of (other.serviceConnect.services as JsonObject[] | undefined) ?? []) {
        for (const alias of (sc.clientAliases as JsonObject[] | undefined) ?? []) {
          aliases.add(`${String(alias.dnsName ?? sc.discoveryName ?? sc.portName)}:${String(alias.port)}`);
        }
      }
    }
    for (const sc of services) {
      const portName = String(sc.portName);
      const mapping = mappings.find((m) => m.name === portName);
      if (!mapping) {
        throw invalid(
          `The Service Connect port name ${portName} does not match the name of any port mapping in the task definition ${String(taskDefinition.taskDefinitionArn)}.`,
        );
      }
      const discoveryName = String(sc.discoveryName ?? portName);
      if (!SC_NAME.test(discoveryName)) {
        throw invalid(
          `The discovery name ${discoveryName} is invalid: up to 64 lowercase letters, numbers, underscores and hyphens, not starting with a hyphen.`,
        );
      }
      if (taken.some((t) => t.name === discoveryName)) {
        throw invalid(`CreateService error: SC service is already used by ${resolved.arn}`);
      }
      const clientAliases = Array.isArray(sc.clientAliases) ? sc.clientAliases.filter(isPlainObject) : [];
      if (clientAliases.length > 1) {
        throw invalid(
          `The Service Connect service ${discoveryName} has ${clientAliases.length} client aliases; the maximum is 1.`,
        );
      }
      for (const alias of clientAliases) {
        const key = `${String(alias.dnsName ?? discoveryName)}:${String(alias.port)}`;
        if (aliases.has(key)) {
          throw invalid(`The client alias ${key} is already used in the namespace ${resolved.arn}.`);
        }
        aliases.add(key);
      }
      const timeout = isPlainObject(sc.timeout) ? sc.timeout : undefined;
      if (timeout?.perRequestTimeoutSeconds !== undefined && mapping.appProtocol === undefined) {
        throw invalid(
          `perRequestTimeoutSeconds can only be set when the port mapping ${portName} has an appProtocol; a TCP port has only an idle timeout.`,
        );
      }
    }
    return { ...cloneJson(config), namespace: resolved.arn };
  }

  /** appProtocol is immutable for the ports a live Service Connect service uses. */
  private checkAppProtocol(service: Service, next: JsonObject, ctx: CallContext): void {
    if (!service.serviceConnect) return;
    const current = this.deps.describeTaskDefinition(service.taskDefinition, ctx.account);
    const before = portMappingsOf(current.taskDefinition as JsonObject);
    const after = portMappingsOf(next);
    for (const sc of (service.serviceConnect.services as JsonObject[] | undefined) ?? []) {
      const was = before.find((m) => m.name === sc.portName);
      const now = after.find((m) => m.name === sc.portName);
      if (was && now && was.appProtocol !== now.appProtocol) {
        throw invalid(
          `The appProtocol of port ${String(sc.portName)} cannot change from ${String(was.appProtocol ?? 'none')} to ${String(now.appProtocol ?? 'none')} on a Service Connect service; delete and recreate the service.`,
        );
      }
    }
  }

  private create(input: JsonObject, ctx: CallContext): JsonObject {
    const cluster = clusterOf(input);
    const name = String(input.serviceName);
    const existing = this.find(input, name, ctx);
    if (existing && existing.status !== 'INACTIVE') throw invalid('Creation of service was not idempotent.');
    if (typeof input.taskDefinition !== 'string') throw invalid('TaskDefinition must be specified.');
    const td = this.taskDefinition(input.taskDefinition, ctx);
    const serviceConnect = isPlainObject(input.serviceConnectConfiguration)
      ? this.checkServiceConnect(input.serviceConnectConfiguration, td, ctx)
      : undefined;
    const vpcLattice = Array.isArray(input.vpcLatticeConfigurations)
      ? this.checkVpcLattice(input.vpcLatticeConfigurations.filter(isPlainObject), td, ctx)
      : undefined;
    const now = nowEpochSeconds();
    const service: Service = {
      discoveryArns: new Map(),
      account: ctx.account,
      cluster,
      name,
      arn: `arn:${this.partition}:ecs:${this.region}:${ctx.account}:service/${cluster}/${name}`,
      createdAt: now,
      status: 'ACTIVE',
      taskDefinition: String(td.taskDefinitionArn),
      desiredCount: typeof input.desiredCount === 'number' ? input.desiredCount : 0,
      request: cloneJson(input),
      ...(serviceConnect ? { serviceConnect } : {}),
      ...(vpcLattice?.length ? { vpcLattice } : {}),
      deploymentId: `ecs-svc/${Math.floor(Math.random() * 1e19)}`,
      updatedAt: now,
    };
    this.syncCloudMap(service, serviceConnect, ctx);
    this.services.push(service);
    return { service: this.serviceOf(service) };
  }

  private describe(input: JsonObject, ctx: CallContext): JsonObject {
    const references = Array.isArray(input.services) ? input.services.map(String) : [];
    if (references.length < 1 || references.length > 10)
      throw invalid('services must list 1 to 10 services.');
    const services: JsonObject[] = [];
    const failures: JsonObject[] = [];
    for (const reference of references) {
      const found = this.find(input, reference, ctx);
      if (found) services.push(this.serviceOf(found));
      else {
        failures.push({
          arn: reference.startsWith('arn:')
            ? reference
            : `arn:${this.partition}:ecs:${this.region}:${ctx.account}:service/${clusterOf(input)}/${reference}`,
          reason: 'MISSING',
        });
      }
    }
    return { services, failures };
  }

  private update(input: JsonObject, ctx: CallContext): JsonObject {
    const service = this.find(input, String(input.service), ctx);
    if (!service) throw new ServiceError('ServiceNotFoundException', 'Service not found.');
    if (service.status !== 'ACTIVE')
      throw new ServiceError('ServiceNotActiveException', 'Service was not ACTIVE.');
    const td =
      typeof input.taskDefinition === 'string'
        ? this.taskDefinition(input.taskDefinition, ctx)
        : this.taskDefinition(service.taskDefinition, ctx);
    const config = isPlainObject(input.serviceConnectConfiguration)
      ? input.serviceConnectConfiguration
      : service.serviceConnect;
    const serviceConnect = config ? this.checkServiceConnect(config, td, ctx, service) : undefined;
    this.checkAppProtocol(service, td, ctx);
    const vpcLattice = this.checkVpcLattice(
      Array.isArray(input.vpcLatticeConfigurations)
        ? input.vpcLatticeConfigurations.filter(isPlainObject)
        : (service.vpcLattice ?? []),
      td,
      ctx,
      // The configurations the service keeps were checked when given: only the revision's port names are new.
      Array.isArray(input.vpcLatticeConfigurations),
    );
    this.syncCloudMap(service, serviceConnect, ctx);
    service.taskDefinition = String(td.taskDefinitionArn);
    if (typeof input.desiredCount === 'number') service.desiredCount = input.desiredCount;
    if (serviceConnect) service.serviceConnect = serviceConnect;
    else delete service.serviceConnect;
    if (vpcLattice.length) service.vpcLattice = vpcLattice;
    else delete service.vpcLattice;
    service.updatedAt = nowEpochSeconds();
    return { service: this.serviceOf(service) };
  }

  private delete(input: JsonObject, ctx: CallContext): JsonObject {
    const service = this.find(input, String(input.service), ctx);
    if (!service || service.status === 'INACTIVE')
      throw new ServiceError('ServiceNotFoundException', 'Service not found.');
    if (service.desiredCount > 0 && input.force !== true) {
      // Real wording (ECS DeleteService API reference and the error users meet).
      throw invalid('The service cannot be stopped while it is scaled above 0.');
    }
    this.syncCloudMap(service, undefined, ctx);
    service.status = 'INACTIVE';
    service.updatedAt = nowEpochSeconds();
    // ECS answers DRAINING while the tasks stop; none run here, so the service is INACTIVE from now on.
    return { service: { ...this.serviceOf(service), status: 'DRAINING' } };
  }

  /** The Service structure (Service Connect settings are on the deployment, as ECS reports them). */
  private serviceOf(s: Service): JsonObject {
    const r = s.request;
    const echo = (key: string) => (r[key] !== undefined ? { [key]: cloneJson(r[key]) } : {});
    const resources = [...s.discoveryArns].map(([discoveryName, discoveryArn]) => ({
      discoveryName,
      discoveryArn,
    }));
    return {
      serviceArn: s.arn,
      serviceName: s.name,
      clusterArn: this.clusterArn(s.account, s.cluster),
      status: s.status,
      desiredCount: s.desiredCount,
      runningCount: 0,
      pendingCount: 0,
      ...echo('launchType'),
      taskDefinition: s.taskDefinition,
      ...echo('networkConfiguration'),
      ...echo('deploymentConfiguration'),
      deployments:
        s.status === 'INACTIVE'
          ? []
          : [
              {
                id: s.deploymentId,
                status: 'PRIMARY',
                taskDefinition: s.taskDefinition,
                desiredCount: s.desiredCount,
                pendingCount: 0,
                runningCount: 0,
                failedTasks: 0,
                createdAt: s.createdAt,
                updatedAt: s.updatedAt,
                ...echo('launchType'),
                rolloutState: 'COMPLETED',
                ...(s.serviceConnect ? { serviceConnectConfiguration: cloneJson(s.serviceConnect) } : {}),
                ...(resources.length ? { serviceConnectResources: resources } : {}),
                ...(s.vpcLattice ? { vpcLatticeConfigurations: cloneJson(s.vpcLattice) } : {}),
              },
            ],
      events: [],
      createdAt: s.createdAt,
      schedulingStrategy: 'REPLICA',
      ...echo('enableECSManagedTags'),
      ...echo('enableExecuteCommand'),
    };
  }
}
