/**
 * Amazon VPC Lattice, the parts a mesh of ECS services needs: service networks, services (with a custom domain
 * name), their associations, listeners and their rules, target groups and their targets, access log subscriptions,
 * auth policies and tags. State is per calling account, in memory; every method returns the operation's output
 * members or throws a ServiceError. Ids and ARNs are Lattice's: `svc-` + 17 characters of [0-9a-z],
 * `arn:<partition>:vpc-lattice:<region>:<account>:service/svc-…`, listeners and rules under their service
 * (`…/service/svc-…/listener/listener-…/rule/rule-…`). Every identifier member takes the id or the ARN.
 *
 * What the API reference (the botocore model's documentation) says, and the emulator does:
 * - names unique: a service "within the account", a service network "to the account", a target group "within the
 *   account", a listener "within a service", a rule "within the listener" (ConflictException);
 * - "Each rule for a specific listener must have a unique priority" (CreateRule; UpdateRule: "A listener can't have
 *   multiple rules with the same priority"): ConflictException;
 * - each listener has a default rule (CreateRule: "Each listener has a default rule"), listed by ListRules with
 *   `isDefault: true` and the listener's default action; "you cannot delete the default rule" (DeleteRule) and "You
 *   can't modify a default listener rule. To modify a default listener rule, use UpdateListener." (UpdateRule):
 *   ValidationException, our choice of error;
 * - "A target group can only be used by a single service." (CreateTargetGroup): a rule or default action of another
 *   service forwarding to it is a ConflictException;
 * - "You can't delete a target group if it is used in a listener rule" (DeleteTargetGroup): ConflictException;
 * - "A service can't be deleted if it's associated with a service network. If you delete a service, all resources
 *   related to the service, such as the resource policy, auth policy, listeners, listener rules, and access log
 *   subscriptions, are also deleted." (DeleteService); "You can only delete the service network if there is no
 *   service or VPC associated with it. If you delete a service network, all resources related to the service network,
 *   such as the resource policy, auth policy, and access log subscriptions, are also deleted." (DeleteServiceNetwork);
 *   deleting a listener deletes its rules (user guide: "When you delete a listener, all its rules are automatically
 *   deleted.");
 * - "You can't use this operation if the service and service network are already associated"
 *   (CreateServiceNetworkServiceAssociation): ConflictException;
 * - clientToken: "If you retry a request that completed successfully using the same client token and parameters,
 *   the retry succeeds without performing any actions. If the parameters aren't identical, the retry fails."
 *   (ConflictException);
 * - the quotas and the other rules of emulator/vpc-lattice/rules.ts.
 * Judgment calls: everything is ACTIVE at once (no CREATE_IN_PROGRESS), and a deleted resource is gone at once (its
 * Delete answers DELETE_IN_PROGRESS where the output has a status); target group identifiers in actions are stored
 * and answered as the target group's id, whatever the request named (ids or ARNs); a target's status is UNUSED while
 * its group serves no service and HEALTHY otherwise (no health check runs).
 */
import { randomBytes } from 'node:crypto';
import { latticeErrors } from '../errors';
import type { TagSnapshot, VpcLatticeSnapshot } from '../types';
import {
  cloneJson,
  compareStrings,
  isPlainObject,
  type JsonObject,
  nowEpochSeconds,
  paginate,
  stableStringify,
} from '../util';
import {
  DEFAULT_AUTH_TYPE,
  DEFAULT_LISTENER_PORTS,
  DEFAULT_MAX_RESULTS,
  healthCheckWithDefaults,
  serviceDnsEntry,
  targetGroupConfigWithDefaults,
} from './defaults';
import {
  checkForwardWeights,
  checkHealthCheck,
  checkHealthCheckSupported,
  checkListenerPort,
  checkProtocolFits,
  checkTags,
  checkTargetGroupConfig,
  forwardTargetGroupIds,
  LISTENERS_PER_SERVICE,
  RULES_PER_LISTENER,
} from './rules';

export interface CallContext {
  readonly account: string;
}

type Kind = 'servicenetwork' | 'service' | 'listener' | 'rule' | 'targetgroup' | 'association' | 'accesslog';

interface Resource {
  readonly kind: Kind;
  readonly account: string;
  readonly id: string;
  readonly arn: string;
  readonly createdAt: number;
  lastUpdatedAt: number;
  /** The resource's own members, as Get answers them (id, arn and timestamps aside). */
  body: JsonObject;
  tags: Map<string, string>;
  /** Listener: its service; rule: its listener; association: the service; access log: the resource logged. */
  readonly parent?: string;
}

interface Target {
  readonly id: string;
  readonly port: number;
}

interface AuthPolicy {
  policy: string;
  readonly createdAt: number;
  lastUpdatedAt: number;
}

const PREFIX: Record<Kind, string> = {
  servicenetwork: 'sn',
  service: 'svc',
  listener: 'listener',
  rule: 'rule',
  targetgroup: 'tg',
  association: 'snsa',
  accesslog: 'als',
};

const NOUN: Record<Kind, string> = {
  servicenetwork: 'Service network',
  service: 'Service',
  listener: 'Listener',
  rule: 'Rule',
  targetgroup: 'Target group',
  association: 'Service network service association',
  accesslog: 'Access log subscription',
};

function newId(kind: Kind): string {
  return `${PREFIX[kind]}-${randomBytes(9).toString('hex').slice(0, 17)}`;
}

function tagsOf(value: unknown): Map<string, string> {
  return new Map(isPlainObject(value) ? Object.entries(value).map(([k, v]) => [k, String(v)]) : []);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The members that are set, so an absent optional member is not answered as null. */
function defined(members: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(members).filter(([, v]) => v !== undefined));
}

export class VpcLatticeService {
  private readonly resources = new Map<string, Resource>();
  private readonly targets = new Map<string, Map<string, Target>>();
  private readonly authPolicies = new Map<string, AuthPolicy>();
  /** Each listener's default rule id (its action is the listener's `defaultAction`). */
  private readonly defaultRules = new Map<string, string>();
  private readonly clientTokens = new Map<string, { fingerprint: string; output: JsonObject }>();

  constructor(
    private readonly region: string,
    private readonly partition: string,
  ) {}

  handle(operation: string, input: JsonObject, ctx: CallContext): JsonObject {
    // Every operation with a `tags` member (the Creates and TagResource) takes it under the TagMap rules.
    checkTags(input.tags);
    const token = str(input.clientToken);
    if (token === undefined) return this.dispatch(operation, input, ctx);
    // clientToken idempotency: the same request again answers the first answer; other parameters are refused.
    const key = `${ctx.account}|${operation}|${token}`;
    const { clientToken: _token, ...rest } = input;
    const fingerprint = stableStringify(rest);
    const seen = this.clientTokens.get(key);
    if (seen) {
      if (seen.fingerprint !== fingerprint)
        throw latticeErrors.conflict(`The clientToken ${token} was already used with different parameters.`);
      return cloneJson(seen.output);
    }
    const output = this.dispatch(operation, input, ctx);
    this.clientTokens.set(key, { fingerprint, output: cloneJson(output) });
    return output;
  }

  reset(): void {
    this.resources.clear();
    this.targets.clear();
    this.authPolicies.clear();
    this.defaultRules.clear();
    this.clientTokens.clear();
  }

  snapshot(): VpcLatticeSnapshot {
    const of = (kind: Kind) =>
      this.all(kind).map((r) => ({
        ...cloneJson(r.body),
        id: r.id,
        arn: r.arn,
        createdAt: r.createdAt,
        lastUpdatedAt: r.lastUpdatedAt,
        tags: [...r.tags].map(([key, value]) => ({ key, value })),
      }));
    return {
      serviceNetworks: of('servicenetwork'),
      services: of('service'),
      serviceNetworkServiceAssociations: of('association'),
      listeners: of('listener'),
      rules: of('rule'),
      targetGroups: of('targetgroup').map((tg) => ({
        ...tg,
        targets: [...(this.targets.get(tg.id)?.values() ?? [])],
      })),
      accessLogSubscriptions: of('accesslog'),
      authPolicies: [...this.authPolicies].map(([resourceArn, p]) => ({ resourceArn, policy: p.policy })),
    };
  }

  /** Every tagged resource, for the Resource Groups Tagging API. */
  *tagged(): Iterable<{ arn: string; owner: string; tags: TagSnapshot[] }> {
    for (const r of this.resources.values())
      if (r.tags.size)
        yield { arn: r.arn, owner: r.account, tags: [...r.tags].map(([key, value]) => ({ key, value })) };
  }

  /** A target group of the account by ARN (ECS's `vpcLatticeConfigurations[].targetGroupArn`). */
  hasTargetGroup(arn: string, account: string): boolean {
    const r = this.resources.get(arn);
    return r !== undefined && r.kind === 'targetgroup' && r.account === account;
  }

  // --- dispatch ------------------------------------------------------------------------------------------------

  private dispatch(operation: string, input: JsonObject, ctx: CallContext): JsonObject {
    switch (operation) {
      case 'CreateServiceNetwork':
        return this.createServiceNetwork(input, ctx);
      case 'GetServiceNetwork':
        return this.serviceNetworkOut(this.find('servicenetwork', input.serviceNetworkIdentifier, ctx));
      case 'ListServiceNetworks':
        return this.list('servicenetwork', input, ctx, (r) => {
          const { authType: _a, sharingConfig: _s, ...summary } = this.serviceNetworkOut(r);
          return { ...summary, numberOfAssociatedResourceConfigurations: 0 };
        });
      case 'DeleteServiceNetwork':
        return this.deleteServiceNetwork(input, ctx);
      case 'CreateService':
        return this.createService(input, ctx);
      case 'GetService':
        return this.serviceOut(this.find('service', input.serviceIdentifier, ctx));
      case 'ListServices':
        return this.list('service', input, ctx, (r) => {
          const { certificateArn: _c, authType: _a, idleTimeoutSeconds: _i, ...summary } = this.serviceOut(r);
          return summary;
        });
      case 'UpdateService':
        return this.updateService(input, ctx);
      case 'DeleteService':
        return this.deleteService(input, ctx);
      case 'CreateServiceNetworkServiceAssociation':
        return this.createAssociation(input, ctx);
      case 'GetServiceNetworkServiceAssociation':
        return this.associationOut(
          this.find('association', input.serviceNetworkServiceAssociationIdentifier, ctx),
        );
      case 'ListServiceNetworkServiceAssociations':
        return this.listAssociations(input, ctx);
      case 'DeleteServiceNetworkServiceAssociation': {
        const a = this.find('association', input.serviceNetworkServiceAssociationIdentifier, ctx);
        this.remove(a);
        return { id: a.id, arn: a.arn, status: 'DELETE_IN_PROGRESS' };
      }
      case 'CreateListener':
        return this.createListener(input, ctx);
      case 'GetListener':
        return this.listenerOut(this.listenerOf(input, ctx));
      case 'ListListeners': {
        const service = this.find('service', input.serviceIdentifier, ctx);
        return this.list(
          'listener',
          input,
          ctx,
          (r) => {
            const { serviceArn: _a, serviceId: _i, defaultAction: _d, ...summary } = this.listenerOut(r);
            return summary;
          },
          (r) => r.parent === service.id,
        );
      }
      case 'UpdateListener':
        return this.updateListener(input, ctx);
      case 'DeleteListener': {
        this.remove(this.listenerOf(input, ctx));
        return {};
      }
      case 'CreateRule':
        return this.createRule(input, ctx);
      case 'GetRule':
        return this.ruleOut(this.listenerOf(input, ctx), input.ruleIdentifier);
      case 'ListRules':
        return this.listRules(input, ctx);
      case 'UpdateRule':
        return this.updateRules(this.listenerOf(input, ctx), [input], ctx, true).successful[0]!;
      case 'BatchUpdateRule': {
        const listener = this.listenerOf(input, ctx);
        const rules = Array.isArray(input.rules) ? input.rules.filter(isPlainObject) : [];
        return this.updateRules(listener, rules, ctx, false);
      }
      case 'DeleteRule':
        return this.deleteRule(input, ctx);
      case 'CreateTargetGroup':
        return this.createTargetGroup(input, ctx);
      case 'GetTargetGroup':
        return this.targetGroupOut(this.find('targetgroup', input.targetGroupIdentifier, ctx));
      case 'ListTargetGroups':
        return this.list(
          'targetgroup',
          input,
          ctx,
          (r) => {
            const out = this.targetGroupOut(r);
            const config = (out.config as JsonObject | undefined) ?? {};
            return defined({
              id: out.id,
              arn: out.arn,
              name: out.name,
              type: out.type,
              createdAt: out.createdAt,
              lastUpdatedAt: out.lastUpdatedAt,
              status: out.status,
              port: config.port,
              protocol: config.protocol,
              ipAddressType: config.ipAddressType,
              vpcIdentifier: config.vpcIdentifier,
              lambdaEventStructureVersion: config.lambdaEventStructureVersion,
              serviceArns: out.serviceArns,
            });
          },
          (r) =>
            (input.vpcIdentifier === undefined ||
              (r.body.config as JsonObject | undefined)?.vpcIdentifier === input.vpcIdentifier) &&
            (input.targetGroupType === undefined || r.body.type === input.targetGroupType),
        );
      case 'UpdateTargetGroup':
        return this.updateTargetGroup(input, ctx);
      case 'DeleteTargetGroup':
        return this.deleteTargetGroup(input, ctx);
      case 'RegisterTargets':
        return this.registerTargets(input, ctx);
      case 'DeregisterTargets':
        return this.deregisterTargets(input, ctx);
      case 'ListTargets':
        return this.listTargets(input, ctx);
      case 'CreateAccessLogSubscription':
        return this.createAccessLog(input, ctx);
      case 'GetAccessLogSubscription':
        return this.accessLogOut(this.find('accesslog', input.accessLogSubscriptionIdentifier, ctx));
      case 'ListAccessLogSubscriptions': {
        const target = this.loggable(input.resourceIdentifier, ctx);
        return this.list(
          'accesslog',
          input,
          ctx,
          (r) => this.accessLogOut(r),
          (r) => r.parent === target.id,
        );
      }
      case 'UpdateAccessLogSubscription': {
        const als = this.find('accesslog', input.accessLogSubscriptionIdentifier, ctx);
        this.checkDestination(String(input.destinationArn));
        als.body.destinationArn = input.destinationArn;
        als.lastUpdatedAt = nowEpochSeconds();
        const { createdAt: _c, lastUpdatedAt: _l, ...out } = this.accessLogOut(als);
        return out;
      }
      case 'DeleteAccessLogSubscription':
        this.remove(this.find('accesslog', input.accessLogSubscriptionIdentifier, ctx));
        return {};
      case 'PutAuthPolicy':
        return this.putAuthPolicy(input, ctx);
      case 'GetAuthPolicy': {
        const target = this.authTarget(input.resourceIdentifier, ctx);
        const policy = this.authPolicies.get(target.arn);
        if (!policy) throw latticeErrors.notFound(`No auth policy found for ${target.arn}.`);
        return {
          policy: policy.policy,
          state: this.authState(target),
          createdAt: policy.createdAt,
          lastUpdatedAt: policy.lastUpdatedAt,
        };
      }
      case 'DeleteAuthPolicy':
        this.authPolicies.delete(this.authTarget(input.resourceIdentifier, ctx).arn);
        return {};
      case 'TagResource': {
        const r = this.byArn(String(input.resourceArn), ctx);
        for (const [k, v] of tagsOf(input.tags)) r.tags.set(k, v);
        return {};
      }
      case 'UntagResource': {
        const r = this.byArn(String(input.resourceArn), ctx);
        for (const k of Array.isArray(input.tagKeys) ? input.tagKeys.map(String) : []) r.tags.delete(k);
        return {};
      }
      case 'ListTagsForResource':
        return { tags: Object.fromEntries(this.byArn(String(input.resourceArn), ctx).tags) };
      default:
        throw new Error(`emulator bug: no VPC Lattice handler for ${operation}`);
    }
  }

  // --- storage -------------------------------------------------------------------------------------------------

  private all(kind: Kind): Resource[] {
    return [...this.resources.values()]
      .filter((r) => r.kind === kind)
      .sort((a, b) => a.createdAt - b.createdAt || compareStrings(a.id, b.id));
  }

  private mine(kind: Kind, ctx: CallContext): Resource[] {
    return this.all(kind).filter((r) => r.account === ctx.account);
  }

  private add(
    kind: Kind,
    account: string,
    arn: (id: string) => string,
    body: JsonObject,
    tags: unknown,
    parent?: string,
  ): Resource {
    const id = newId(kind);
    const now = nowEpochSeconds();
    const r: Resource = {
      kind,
      account,
      id,
      arn: arn(id),
      createdAt: now,
      lastUpdatedAt: now,
      body,
      tags: tagsOf(tags),
      ...(parent !== undefined ? { parent } : {}),
    };
    this.resources.set(r.arn, r);
    return r;
  }

  private arnOf(account: string, path: string): string {
    return `arn:${this.partition}:vpc-lattice:${this.region}:${account}:${path}`;
  }

  /** A resource of the account by id or ARN; ResourceNotFoundException otherwise. */
  private find(kind: Kind, identifier: unknown, ctx: CallContext): Resource {
    const ref = String(identifier);
    const r =
      this.resources.get(ref) ?? [...this.resources.values()].find((x) => x.kind === kind && x.id === ref);
    if (!r || r.kind !== kind || r.account !== ctx.account)
      throw latticeErrors.notFound(`${NOUN[kind]} ${ref} not found.`);
    return r;
  }

  private byArn(arn: string, ctx: CallContext): Resource {
    const r = this.resources.get(arn);
    if (!r || r.account !== ctx.account) throw latticeErrors.notFound(`Resource ${arn} not found.`);
    return r;
  }

  /** Removes a resource and what goes with it (a service's listeners, a listener's rules, logs, auth policy). */
  private remove(r: Resource): void {
    this.resources.delete(r.arn);
    this.authPolicies.delete(r.arn);
    if (r.kind === 'targetgroup') this.targets.delete(r.id);
    if (r.kind === 'listener') this.defaultRules.delete(r.id);
    for (const child of [...this.resources.values()])
      if (child.parent === r.id && child.kind !== 'association') this.remove(child);
  }

  private uniqueName(kind: Kind, name: string, scope: Resource[]): void {
    if (scope.some((r) => r.body.name === name))
      throw latticeErrors.conflict(`${NOUN[kind]} with name ${name} already exists.`);
  }

  private list(
    kind: Kind,
    input: JsonObject,
    ctx: CallContext,
    summary: (r: Resource) => JsonObject,
    filter: (r: Resource) => boolean = () => true,
  ): JsonObject {
    const items = this.mine(kind, ctx).filter(filter);
    const max = typeof input.maxResults === 'number' ? input.maxResults : DEFAULT_MAX_RESULTS;
    const page = paginate(
      items.sort((a, b) => compareStrings(a.id, b.id)),
      (r) => r.id,
      max,
      str(input.nextToken),
    );
    if (!page) throw latticeErrors.validation('The nextToken is not valid.');
    return { items: page.items.map(summary), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
  }

  // --- service networks, services, associations -----------------------------------------------------------------

  private createServiceNetwork(input: JsonObject, ctx: CallContext): JsonObject {
    const name = String(input.name);
    this.uniqueName('servicenetwork', name, this.mine('servicenetwork', ctx));
    const sn = this.add(
      'servicenetwork',
      ctx.account,
      (id) => this.arnOf(ctx.account, `servicenetwork/${id}`),
      defined({
        name,
        authType: str(input.authType) ?? DEFAULT_AUTH_TYPE,
        sharingConfig: isPlainObject(input.sharingConfig) ? input.sharingConfig : undefined,
      }),
      input.tags,
    );
    const {
      createdAt: _c,
      lastUpdatedAt: _l,
      numberOfAssociatedServices: _n,
      numberOfAssociatedVPCs: _v,
      ...out
    } = this.serviceNetworkOut(sn);
    return out;
  }

  private serviceNetworkOut(sn: Resource): JsonObject {
    return {
      id: sn.id,
      arn: sn.arn,
      ...cloneJson(sn.body),
      createdAt: sn.createdAt,
      lastUpdatedAt: sn.lastUpdatedAt,
      numberOfAssociatedServices: this.all('association').filter((a) => a.body.serviceNetworkId === sn.id)
        .length,
      numberOfAssociatedVPCs: 0,
    };
  }

  private deleteServiceNetwork(input: JsonObject, ctx: CallContext): JsonObject {
    const sn = this.find('servicenetwork', input.serviceNetworkIdentifier, ctx);
    if (this.all('association').some((a) => a.body.serviceNetworkId === sn.id))
      throw latticeErrors.conflict(
        `Service network ${sn.id} has associated services; delete the associations before deleting the service network.`,
      );
    this.remove(sn);
    return {};
  }

  private createService(input: JsonObject, ctx: CallContext): JsonObject {
    const name = String(input.name);
    this.uniqueName('service', name, this.mine('service', ctx));
    const svc = this.add(
      'service',
      ctx.account,
      (id) => this.arnOf(ctx.account, `service/${id}`),
      defined({
        name,
        customDomainName: str(input.customDomainName),
        certificateArn: str(input.certificateArn),
        authType: str(input.authType) ?? DEFAULT_AUTH_TYPE,
        idleTimeoutSeconds: input.idleTimeoutSeconds,
        status: 'ACTIVE',
      }),
      input.tags,
    );
    svc.body.dnsEntry = serviceDnsEntry(name, svc.id, this.region);
    const { createdAt: _c, lastUpdatedAt: _l, ...out } = this.serviceOut(svc);
    return out;
  }

  private serviceOut(svc: Resource): JsonObject {
    return {
      id: svc.id,
      arn: svc.arn,
      ...cloneJson(svc.body),
      createdAt: svc.createdAt,
      lastUpdatedAt: svc.lastUpdatedAt,
    };
  }

  private updateService(input: JsonObject, ctx: CallContext): JsonObject {
    const svc = this.find('service', input.serviceIdentifier, ctx);
    for (const member of ['certificateArn', 'authType', 'idleTimeoutSeconds'])
      if (input[member] !== undefined) svc.body[member] = input[member];
    svc.lastUpdatedAt = nowEpochSeconds();
    const { createdAt: _c, lastUpdatedAt: _l, status: _s, dnsEntry: _d, ...out } = this.serviceOut(svc);
    return out;
  }

  private deleteService(input: JsonObject, ctx: CallContext): JsonObject {
    const svc = this.find('service', input.serviceIdentifier, ctx);
    if (this.all('association').some((a) => a.parent === svc.id))
      throw latticeErrors.conflict(
        `Service ${svc.id} is associated with a service network; delete the association before deleting the service.`,
      );
    this.remove(svc);
    return { id: svc.id, arn: svc.arn, name: svc.body.name, status: 'DELETE_IN_PROGRESS' };
  }

  private createAssociation(input: JsonObject, ctx: CallContext): JsonObject {
    const svc = this.find('service', input.serviceIdentifier, ctx);
    const sn = this.find('servicenetwork', input.serviceNetworkIdentifier, ctx);
    if (this.all('association').some((a) => a.parent === svc.id && a.body.serviceNetworkId === sn.id))
      throw latticeErrors.conflict(`Service ${svc.id} is already associated with service network ${sn.id}.`);
    const a = this.add(
      'association',
      ctx.account,
      (id) => this.arnOf(ctx.account, `servicenetworkserviceassociation/${id}`),
      { serviceNetworkId: sn.id, status: 'ACTIVE', createdBy: ctx.account },
      input.tags,
      svc.id,
    );
    const out = this.associationOut(a);
    return defined({
      id: out.id,
      arn: out.arn,
      status: out.status,
      createdBy: out.createdBy,
      customDomainName: out.customDomainName,
      dnsEntry: out.dnsEntry,
    });
  }

  private associationOut(a: Resource): JsonObject {
    const svc = this.resources.get(this.arnOf(a.account, `service/${a.parent}`));
    const sn = this.resources.get(this.arnOf(a.account, `servicenetwork/${String(a.body.serviceNetworkId)}`));
    return defined({
      id: a.id,
      arn: a.arn,
      status: a.body.status,
      createdBy: a.body.createdBy,
      createdAt: a.createdAt,
      serviceId: svc?.id,
      serviceName: svc?.body.name,
      serviceArn: svc?.arn,
      serviceNetworkId: sn?.id,
      serviceNetworkName: sn?.body.name,
      serviceNetworkArn: sn?.arn,
      dnsEntry: svc ? cloneJson(svc.body.dnsEntry) : undefined,
      customDomainName: svc?.body.customDomainName,
    });
  }

  /** "You must provide either the service network identifier or the service identifier." (ValidationException) */
  private listAssociations(input: JsonObject, ctx: CallContext): JsonObject {
    if (input.serviceNetworkIdentifier === undefined && input.serviceIdentifier === undefined)
      throw latticeErrors.validation('Either serviceNetworkIdentifier or serviceIdentifier is required.');
    const sn =
      input.serviceNetworkIdentifier !== undefined
        ? this.find('servicenetwork', input.serviceNetworkIdentifier, ctx)
        : undefined;
    const svc =
      input.serviceIdentifier !== undefined ? this.find('service', input.serviceIdentifier, ctx) : undefined;
    return this.list(
      'association',
      input,
      ctx,
      (a) => this.associationOut(a),
      (a) => (!sn || a.body.serviceNetworkId === sn.id) && (!svc || a.parent === svc.id),
    );
  }

  // --- listeners and rules -----------------------------------------------------------------------------------------

  private listenerOf(input: JsonObject, ctx: CallContext): Resource {
    const svc = this.find('service', input.serviceIdentifier, ctx);
    const listener = this.find('listener', input.listenerIdentifier, ctx);
    if (listener.parent !== svc.id)
      throw latticeErrors.notFound(
        `Listener ${String(input.listenerIdentifier)} not found in service ${svc.id}.`,
      );
    return listener;
  }

  /**
   * An action with its target groups checked and named by id: each exists in the account, serves no other service,
   * fits the listener's protocol; several need a weight each.
   */
  private checkedAction(
    action: JsonObject,
    service: Resource,
    listenerProtocol: string,
    ctx: CallContext,
    where: string,
  ): JsonObject {
    checkForwardWeights(action, where);
    if (!isPlainObject(action.forward)) return cloneJson(action);
    const groups = forwardTargetGroupIds(action).map((ref) => this.find('targetgroup', ref, ctx));
    for (const tg of groups) {
      const users = this.servicesUsing(tg.id).filter((s) => s !== service.id);
      if (users.length)
        throw latticeErrors.conflict(
          `Target group ${tg.id} is already used by service ${users[0]}; a target group can only be used by a single service.`,
        );
      const protocol = (tg.body.config as JsonObject | undefined)?.protocol;
      if (typeof protocol === 'string') checkProtocolFits(listenerProtocol, protocol, tg.id);
    }
    const weighted = (action.forward.targetGroups as JsonObject[]).map((g, i) =>
      defined({ targetGroupIdentifier: groups[i]!.id, weight: g.weight }),
    );
    return { forward: { targetGroups: weighted } };
  }

  /** The ids of the services whose listeners or rules forward to a target group. */
  private servicesUsing(targetGroupId: string): string[] {
    const services = new Set<string>();
    for (const r of this.resources.values()) {
      const action =
        r.kind === 'listener' ? r.body.defaultAction : r.kind === 'rule' ? r.body.action : undefined;
      if (!isPlainObject(action) || !forwardTargetGroupIds(action).includes(targetGroupId)) continue;
      const service = r.kind === 'listener' ? r.parent : this.listenerById(r.parent!)?.parent;
      if (service) services.add(service);
    }
    return [...services];
  }

  private listenerById(id: string): Resource | undefined {
    return [...this.resources.values()].find((r) => r.kind === 'listener' && r.id === id);
  }

  private createListener(input: JsonObject, ctx: CallContext): JsonObject {
    const svc = this.find('service', input.serviceIdentifier, ctx);
    const protocol = String(input.protocol);
    const listeners = this.all('listener').filter((l) => l.parent === svc.id);
    this.uniqueName('listener', String(input.name), listeners);
    checkListenerPort(protocol, input.port);
    const port = typeof input.port === 'number' ? input.port : DEFAULT_LISTENER_PORTS[protocol]!;
    if (listeners.some((l) => l.body.port === port))
      throw latticeErrors.conflict(`Service ${svc.id} already has a listener on port ${port}.`);
    if (listeners.length >= LISTENERS_PER_SERVICE)
      throw latticeErrors.quotaExceeded(
        `Service ${svc.id} already has ${listeners.length} listeners, the quota (Listeners per service: ${LISTENERS_PER_SERVICE}).`,
      );
    const defaultAction = this.checkedAction(
      input.defaultAction as JsonObject,
      svc,
      protocol,
      ctx,
      'defaultAction',
    );
    const listener = this.add(
      'listener',
      ctx.account,
      (id) => `${svc.arn}/listener/${id}`,
      { name: input.name, protocol, port, defaultAction },
      input.tags,
      svc.id,
    );
    // The default rule: listed by ListRules, its action the listener's (emulator state, never answered from here).
    this.defaultRules.set(listener.id, newId('rule'));
    const { createdAt: _c, lastUpdatedAt: _l, ...out } = this.listenerOut(listener);
    return out;
  }

  private listenerOut(l: Resource): JsonObject {
    const body = cloneJson(l.body);
    const svc = this.resources.get(this.arnOf(l.account, `service/${l.parent}`))!;
    return {
      arn: l.arn,
      id: l.id,
      ...body,
      serviceArn: svc.arn,
      serviceId: svc.id,
      createdAt: l.createdAt,
      lastUpdatedAt: l.lastUpdatedAt,
    };
  }

  private updateListener(input: JsonObject, ctx: CallContext): JsonObject {
    const listener = this.listenerOf(input, ctx);
    const svc = this.find('service', listener.parent, ctx);
    listener.body.defaultAction = this.checkedAction(
      input.defaultAction as JsonObject,
      svc,
      String(listener.body.protocol),
      ctx,
      'defaultAction',
    );
    listener.lastUpdatedAt = nowEpochSeconds();
    const { createdAt: _c, lastUpdatedAt: _l, ...out } = this.listenerOut(listener);
    return out;
  }

  private rulesOf(listener: Resource): Resource[] {
    return this.all('rule').filter((r) => r.parent === listener.id);
  }

  private createRule(input: JsonObject, ctx: CallContext): JsonObject {
    const listener = this.listenerOf(input, ctx);
    const svc = this.find('service', listener.parent, ctx);
    const rules = this.rulesOf(listener);
    this.uniqueName('rule', String(input.name), rules);
    const priority = Number(input.priority);
    const taken = rules.find((r) => r.body.priority === priority);
    if (taken)
      throw latticeErrors.conflict(
        `Priority ${priority} is already used by rule ${taken.id} of listener ${listener.id}; each rule of a listener must have a unique priority.`,
      );
    if (rules.length >= RULES_PER_LISTENER)
      throw latticeErrors.quotaExceeded(
        `Listener ${listener.id} already has ${rules.length} rules, the quota (Rules per listener: ${RULES_PER_LISTENER}).`,
      );
    const action = this.checkedAction(
      input.action as JsonObject,
      svc,
      String(listener.body.protocol),
      ctx,
      'action',
    );
    const rule = this.add(
      'rule',
      ctx.account,
      (id) => `${listener.arn}/rule/${id}`,
      { name: input.name, priority, match: cloneJson(input.match), action, isDefault: false },
      input.tags,
      listener.id,
    );
    const { createdAt: _c, lastUpdatedAt: _l, isDefault: _d, ...out } = this.ruleBody(rule);
    return out;
  }

  private ruleBody(rule: Resource): JsonObject {
    return {
      arn: rule.arn,
      id: rule.id,
      ...cloneJson(rule.body),
      createdAt: rule.createdAt,
      lastUpdatedAt: rule.lastUpdatedAt,
    };
  }

  /** The default rule of a listener, as Lattice answers it (no match, no priority). */
  private defaultRule(listener: Resource): JsonObject {
    const id = this.defaultRules.get(listener.id)!;
    return {
      arn: `${listener.arn}/rule/${id}`,
      id,
      name: 'default',
      isDefault: true,
      action: cloneJson(listener.body.defaultAction),
      createdAt: listener.createdAt,
      lastUpdatedAt: listener.lastUpdatedAt,
    };
  }

  private isDefaultRule(listener: Resource, ref: unknown): boolean {
    const d = this.defaultRule(listener);
    return ref === d.id || ref === d.arn;
  }

  private ruleOf(listener: Resource, ref: unknown): Resource {
    const rule = this.rulesOf(listener).find((r) => r.id === ref || r.arn === ref);
    if (!rule) throw latticeErrors.notFound(`Rule ${String(ref)} not found in listener ${listener.id}.`);
    return rule;
  }

  private ruleOut(listener: Resource, ref: unknown): JsonObject {
    return this.isDefaultRule(listener, ref)
      ? this.defaultRule(listener)
      : this.ruleBody(this.ruleOf(listener, ref));
  }

  private listRules(input: JsonObject, ctx: CallContext): JsonObject {
    const listener = this.listenerOf(input, ctx);
    const all = [...this.rulesOf(listener).map((r) => this.ruleBody(r)), this.defaultRule(listener)].sort(
      (a, b) => compareStrings(String(a.id), String(b.id)),
    );
    const max = typeof input.maxResults === 'number' ? input.maxResults : DEFAULT_MAX_RESULTS;
    const page = paginate(all, (r) => String(r.id), max, str(input.nextToken));
    if (!page) throw latticeErrors.validation('The nextToken is not valid.');
    return {
      items: page.items.map(({ match: _m, action: _a, ...summary }) => summary),
      ...(page.nextToken ? { nextToken: page.nextToken } : {}),
    };
  }

  /**
   * UpdateRule (one update; its failure is the call's error) and BatchUpdateRule (each failure listed in
   * `unsuccessful`, the others applied). Priorities are checked against the listener's rules as the whole batch
   * leaves them, so a batch may swap two rules' priorities ("You can use this operation to change the priority of
   * listener rules. This can be useful when bulk updating or swapping rule priority.").
   */
  private updateRules(
    listener: Resource,
    updates: JsonObject[],
    ctx: CallContext,
    single: boolean,
  ): { successful: JsonObject[]; unsuccessful: JsonObject[] } & JsonObject {
    const svc = this.find('service', listener.parent, ctx);
    const successful: JsonObject[] = [];
    const unsuccessful: JsonObject[] = [];
    const planned: { rule: Resource; next: JsonObject }[] = [];
    const fail = (ref: unknown, error: unknown) => {
      if (single || !(error instanceof Error) || !('type' in error)) throw error;
      unsuccessful.push({
        ruleIdentifier: String(ref),
        failureCode: String((error as { type: unknown }).type),
        failureMessage: error.message,
      });
    };
    for (const u of updates) {
      try {
        if (this.isDefaultRule(listener, u.ruleIdentifier))
          throw latticeErrors.validation(
            "You can't modify a default listener rule. To modify a default listener rule, use UpdateListener.",
          );
        const rule = this.ruleOf(listener, u.ruleIdentifier);
        const next: JsonObject = { ...cloneJson(rule.body) };
        if (u.match !== undefined) next.match = cloneJson(u.match);
        if (u.priority !== undefined) next.priority = u.priority;
        if (u.action !== undefined)
          next.action = this.checkedAction(
            u.action as JsonObject,
            svc,
            String(listener.body.protocol),
            ctx,
            'action',
          );
        planned.push({ rule, next });
      } catch (error) {
        fail(u.ruleIdentifier, error);
      }
    }
    const finalPriority = new Map(this.rulesOf(listener).map((r) => [r.id, Number(r.body.priority)]));
    for (const p of planned) finalPriority.set(p.rule.id, Number(p.next.priority));
    for (const { rule, next } of planned) {
      const clash = [...finalPriority].find(([id, priority]) => id !== rule.id && priority === next.priority);
      if (clash) {
        fail(
          rule.id,
          latticeErrors.conflict(
            `Priority ${String(next.priority)} is already used by rule ${clash[0]} of listener ${listener.id}; each rule of a listener must have a unique priority.`,
          ),
        );
        continue;
      }
      rule.body = next;
      rule.lastUpdatedAt = nowEpochSeconds();
      const { createdAt: _c, lastUpdatedAt: _l, ...out } = this.ruleBody(rule);
      successful.push(out);
    }
    return { successful, unsuccessful };
  }

  private deleteRule(input: JsonObject, ctx: CallContext): JsonObject {
    const listener = this.listenerOf(input, ctx);
    if (this.isDefaultRule(listener, input.ruleIdentifier))
      throw latticeErrors.validation(
        'You can delete additional listener rules, but you cannot delete the default rule.',
      );
    this.remove(this.ruleOf(listener, input.ruleIdentifier));
    return {};
  }

  // --- target groups and targets -----------------------------------------------------------------------------------

  private createTargetGroup(input: JsonObject, ctx: CallContext): JsonObject {
    const name = String(input.name);
    const type = String(input.type);
    this.uniqueName('targetgroup', name, this.mine('targetgroup', ctx));
    checkTargetGroupConfig(type, input.config);
    checkHealthCheckSupported(type, input.config);
    checkHealthCheck(isPlainObject(input.config) ? input.config.healthCheck : undefined);
    const config = isPlainObject(input.config)
      ? targetGroupConfigWithDefaults(type, input.config)
      : undefined;
    const tg = this.add(
      'targetgroup',
      ctx.account,
      (id) => this.arnOf(ctx.account, `targetgroup/${id}`),
      defined({ name, type, config, status: 'ACTIVE' }),
      input.tags,
    );
    this.targets.set(tg.id, new Map());
    const { createdAt: _c, lastUpdatedAt: _l, serviceArns: _s, ...out } = this.targetGroupOut(tg);
    return out;
  }

  private targetGroupOut(tg: Resource): JsonObject {
    return {
      id: tg.id,
      arn: tg.arn,
      ...cloneJson(tg.body),
      createdAt: tg.createdAt,
      lastUpdatedAt: tg.lastUpdatedAt,
      serviceArns: this.servicesUsing(tg.id).map((id) => this.arnOf(tg.account, `service/${id}`)),
    };
  }

  private updateTargetGroup(input: JsonObject, ctx: CallContext): JsonObject {
    const tg = this.find('targetgroup', input.targetGroupIdentifier, ctx);
    checkHealthCheck(input.healthCheck);
    const config = (tg.body.config as JsonObject | undefined) ?? {};
    checkHealthCheckSupported(String(tg.body.type), { healthCheck: input.healthCheck });
    const merged = {
      ...((config.healthCheck as JsonObject | undefined) ?? {}),
      ...cloneJson(input.healthCheck as JsonObject),
    };
    config.healthCheck = config.protocol === 'TCP' ? merged : healthCheckWithDefaults(merged);
    tg.body.config = config;
    tg.lastUpdatedAt = nowEpochSeconds();
    const { createdAt: _c, lastUpdatedAt: _l, serviceArns: _s, ...out } = this.targetGroupOut(tg);
    return out;
  }

  private deleteTargetGroup(input: JsonObject, ctx: CallContext): JsonObject {
    const tg = this.find('targetgroup', input.targetGroupIdentifier, ctx);
    const users = this.servicesUsing(tg.id);
    if (users.length)
      throw latticeErrors.conflict(
        `Target group ${tg.id} is used in a listener rule of service ${users[0]}; remove it from the rules before deleting it.`,
      );
    this.remove(tg);
    return { id: tg.id, arn: tg.arn, status: 'DELETE_IN_PROGRESS' };
  }

  private targetsOf(
    input: JsonObject,
    ctx: CallContext,
  ): { tg: Resource; targets: Map<string, Target>; port: number } {
    const tg = this.find('targetgroup', input.targetGroupIdentifier, ctx);
    const port = Number((tg.body.config as JsonObject | undefined)?.port ?? 80);
    return { tg, targets: this.targets.get(tg.id)!, port };
  }

  private requested(input: JsonObject, port: number): Target[] {
    return (Array.isArray(input.targets) ? input.targets.filter(isPlainObject) : []).map((t) => ({
      id: String(t.id),
      port: typeof t.port === 'number' ? t.port : port,
    }));
  }

  private registerTargets(input: JsonObject, ctx: CallContext): JsonObject {
    const { targets, port } = this.targetsOf(input, ctx);
    const successful = this.requested(input, port);
    for (const t of successful) targets.set(`${t.id}:${t.port}`, t);
    return { successful, unsuccessful: [] };
  }

  private deregisterTargets(input: JsonObject, ctx: CallContext): JsonObject {
    const { targets, port } = this.targetsOf(input, ctx);
    const successful: Target[] = [];
    const unsuccessful: JsonObject[] = [];
    for (const t of this.requested(input, port)) {
      if (targets.delete(`${t.id}:${t.port}`)) successful.push(t);
      else
        unsuccessful.push({
          id: t.id,
          port: t.port,
          failureCode: 'TargetNotFound',
          failureMessage: `Target ${t.id}:${t.port} is not registered.`,
        });
    }
    return { successful, unsuccessful };
  }

  private listTargets(input: JsonObject, ctx: CallContext): JsonObject {
    const { tg, targets, port } = this.targetsOf(input, ctx);
    const only =
      Array.isArray(input.targets) && input.targets.length ? this.requested(input, port) : undefined;
    const status = this.servicesUsing(tg.id).length ? 'HEALTHY' : 'UNUSED';
    const items = [...targets.values()]
      .filter((t) => !only || only.some((o) => o.id === t.id && o.port === t.port))
      .sort((a, b) => compareStrings(`${a.id}:${a.port}`, `${b.id}:${b.port}`));
    const max = typeof input.maxResults === 'number' ? input.maxResults : DEFAULT_MAX_RESULTS;
    const page = paginate(items, (t) => `${t.id}:${t.port}`, max, str(input.nextToken));
    if (!page) throw latticeErrors.validation('The nextToken is not valid.');
    return {
      items: page.items.map((t) => ({ id: t.id, port: t.port, status })),
      ...(page.nextToken ? { nextToken: page.nextToken } : {}),
    };
  }

  // --- access logs and auth policies -------------------------------------------------------------------------------

  /** A service network or service by id or ARN (resource configurations are not emulated). */
  private loggable(identifier: unknown, ctx: CallContext): Resource {
    const ref = String(identifier);
    if (/(^|\/)rcfg-/.test(ref)) throw latticeErrors.notFound(`Resource configuration ${ref} not found.`);
    return this.find(/(^|\/)sn-/.test(ref) ? 'servicenetwork' : 'service', ref, ctx);
  }

  /** AccessLogDestinationArn: "The supported destination types are CloudWatch Log groups, Kinesis Data Firehose delivery streams, and Amazon S3 buckets." */
  private checkDestination(arn: string): void {
    const service = arn.split(':')[2];
    if (service !== 'logs' && service !== 'firehose' && service !== 's3')
      throw latticeErrors.validation(
        `destinationArn ${arn} is not a CloudWatch Logs log group, a Kinesis Data Firehose delivery stream or an S3 bucket.`,
      );
  }

  private createAccessLog(input: JsonObject, ctx: CallContext): JsonObject {
    const target = this.loggable(input.resourceIdentifier, ctx);
    const destinationArn = String(input.destinationArn);
    this.checkDestination(destinationArn);
    const als = this.add(
      'accesslog',
      ctx.account,
      (id) => this.arnOf(ctx.account, `accesslogsubscription/${id}`),
      defined({
        resourceId: target.id,
        resourceArn: target.arn,
        destinationArn,
        // As given: the reference documents no default.
        serviceNetworkLogType: str(input.serviceNetworkLogType),
      }),
      input.tags,
      target.id,
    );
    const { createdAt: _c, lastUpdatedAt: _l, ...out } = this.accessLogOut(als);
    return out;
  }

  private accessLogOut(als: Resource): JsonObject {
    return {
      id: als.id,
      arn: als.arn,
      ...cloneJson(als.body),
      createdAt: als.createdAt,
      lastUpdatedAt: als.lastUpdatedAt,
    };
  }

  private authTarget(identifier: unknown, ctx: CallContext): Resource {
    return this.loggable(identifier, ctx);
  }

  /** PutAuthPolicyResponse.state: "The auth policy is only active when the auth type is set to AWS_IAM." */
  private authState(target: Resource): string {
    return target.body.authType === 'AWS_IAM' ? 'Active' : 'Inactive';
  }

  private putAuthPolicy(input: JsonObject, ctx: CallContext): JsonObject {
    const target = this.authTarget(input.resourceIdentifier, ctx);
    const policy = String(input.policy);
    try {
      if (!isPlainObject(JSON.parse(policy))) throw new Error('not an object');
    } catch {
      throw latticeErrors.validation('policy must be a JSON policy document (an object).');
    }
    // Quotas: "Auth policy size | Each supported Region: 10 Kilobytes".
    if (Buffer.byteLength(policy, 'utf8') > 10 * 1024)
      throw latticeErrors.validation('The auth policy is larger than 10 KB (Auth policy size quota).');
    const now = nowEpochSeconds();
    const existing = this.authPolicies.get(target.arn);
    this.authPolicies.set(target.arn, { policy, createdAt: existing?.createdAt ?? now, lastUpdatedAt: now });
    return { policy, state: this.authState(target) };
  }
}
