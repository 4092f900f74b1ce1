/**
 * The narrow VPC Lattice interface of the VpcLattice backend: the calls it makes, "not found" as a value
 * (`undefined`), Lattice's shapes turned into the plan's (plan.ts), SDK errors as one-line messages.
 */
import {
  CreateAccessLogSubscriptionCommand,
  CreateListenerCommand,
  CreateRuleCommand,
  CreateServiceCommand,
  CreateServiceNetworkServiceAssociationCommand,
  CreateTargetGroupCommand,
  DeleteAccessLogSubscriptionCommand,
  DeleteAuthPolicyCommand,
  DeleteListenerCommand,
  DeleteRuleCommand,
  DeleteServiceCommand,
  DeleteServiceNetworkServiceAssociationCommand,
  DeleteTargetGroupCommand,
  GetAuthPolicyCommand,
  GetListenerCommand,
  GetRuleCommand,
  GetServiceCommand,
  GetServiceNetworkCommand,
  GetTargetGroupCommand,
  type HealthCheckConfig,
  type HttpMatch,
  ListAccessLogSubscriptionsCommand,
  ListListenersCommand,
  ListRulesCommand,
  ListServiceNetworkServiceAssociationsCommand,
  ListServiceNetworksCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  ListTargetGroupsCommand,
  PutAuthPolicyCommand,
  type RuleAction,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAccessLogSubscriptionCommand,
  UpdateListenerCommand,
  UpdateRuleCommand,
  UpdateServiceCommand,
  UpdateTargetGroupCommand,
  type VPCLatticeClient,
} from '@aws-sdk/client-vpc-lattice';
import { type CallRecord, caller, errorName, failCall } from '../aws/call';
import type { KeyValue } from '../ownership';
import type { HttpMatchModel, LatticeHealthCheck, TargetGroupModel } from './model';
import type {
  ObservedAccessLog,
  ObservedAction,
  ObservedAssociation,
  ObservedListener,
  ObservedRule,
  ObservedService,
  ObservedTargetGroup,
} from './plan';
import {
  fromHealthCheck,
  fromHttpMatch,
  fromRuleAction,
  toHealthCheck,
  toHttpMatch,
  toRuleAction,
} from './shapes';

/** A resource by its ARN and id, as a list or a create answers. */
export interface Ref {
  readonly arn: string;
  readonly id: string;
  readonly name: string;
}

type Untagged<T> = Omit<T, 'tags'>;

export interface LatticeApi {
  /** The service of this name in the account and Region (ListServices, every page). */
  findService(name: string): Promise<Ref | undefined>;
  /** A service network by name, id or ARN. */
  findServiceNetwork(nameIdOrArn: string): Promise<Ref | undefined>;
  /** The target groups of a VPC (ListTargetGroups, every page). */
  listTargetGroups(vpcId: string): Promise<Ref[]>;
  getService(id: string): Promise<Untagged<ObservedService> | undefined>;
  getTargetGroup(id: string): Promise<Untagged<ObservedTargetGroup> | undefined>;
  listListeners(serviceId: string): Promise<Ref[]>;
  getListener(serviceId: string, listenerId: string): Promise<Untagged<ObservedListener> | undefined>;
  listRules(serviceId: string, listenerId: string): Promise<(Ref & { readonly isDefault: boolean })[]>;
  getRule(serviceId: string, listenerId: string, ruleId: string): Promise<Untagged<ObservedRule> | undefined>;
  listAssociations(serviceId: string): Promise<ObservedAssociation[]>;
  getAuthPolicy(serviceArn: string): Promise<string | undefined>;
  listAccessLogs(serviceArn: string): Promise<ObservedAccessLog[]>;
  /** The tags of a resource; undefined when it is gone. */
  tagsOf(arn: string): Promise<KeyValue[] | undefined>;

  createService(input: {
    name: string;
    customDomainName: string;
    authType: string;
    certificateArn?: string;
    tags: readonly KeyValue[];
    clientToken: string;
  }): Promise<Ref>;
  updateService(id: string, update: { authType?: string; certificateArn?: string }): Promise<void>;
  createTargetGroup(tg: TargetGroupModel, tags: readonly KeyValue[], clientToken: string): Promise<Ref>;
  updateHealthCheck(arn: string, healthCheck: LatticeHealthCheck): Promise<void>;
  createListener(
    serviceId: string,
    listener: { name: string; protocol: string; port: number; defaultAction: ObservedAction },
    tags: readonly KeyValue[],
    clientToken: string,
  ): Promise<Ref>;
  updateDefaultAction(serviceId: string, listenerId: string, action: ObservedAction): Promise<void>;
  createRule(
    serviceId: string,
    listenerId: string,
    rule: { name: string; priority: number; match: HttpMatchModel; action: ObservedAction },
    tags: readonly KeyValue[],
    clientToken: string,
  ): Promise<Ref>;
  updateRule(
    serviceId: string,
    listenerId: string,
    ruleId: string,
    update: { priority?: number; match?: HttpMatchModel; action?: ObservedAction },
  ): Promise<void>;
  associate(
    serviceId: string,
    networkArn: string,
    tags: readonly KeyValue[],
    clientToken: string,
  ): Promise<Ref>;
  putAuthPolicy(serviceArn: string, policy: string): Promise<void>;
  createAccessLog(
    serviceArn: string,
    destinationArn: string,
    tags: readonly KeyValue[],
    clientToken: string,
  ): Promise<Ref>;
  updateAccessLog(id: string, destinationArn: string): Promise<void>;
  tag(arn: string, tags: readonly KeyValue[]): Promise<void>;
  untag(arn: string, keys: readonly string[]): Promise<void>;
  /** Deletes resolve when the resource is gone, already gone included. */
  deleteRule(serviceId: string, listenerId: string, ruleId: string): Promise<void>;
  deleteListener(serviceId: string, listenerId: string): Promise<void>;
  disassociate(associationId: string): Promise<void>;
  deleteAuthPolicy(serviceArn: string): Promise<void>;
  deleteAccessLog(id: string): Promise<void>;
  deleteService(id: string): Promise<void>;
  deleteTargetGroup(id: string): Promise<void>;
}

const NOT_FOUND = 'ResourceNotFoundException';
const tagMap = (tags: readonly KeyValue[]) => Object.fromEntries(tags.map((t) => [t.key, t.value]));
const ref = (r: { arn?: string; id?: string; name?: string }): Ref => ({
  arn: r.arn ?? '',
  id: r.id ?? '',
  name: r.name ?? '',
});

export function createLatticeApi(
  client: VPCLatticeClient,
  onCall: (record: CallRecord) => void = () => {},
): LatticeApi {
  const call = caller(client, onCall);

  /** A read: not found is undefined, anything else a one-line error. */
  async function read<T>(operation: string, what: string, command: unknown): Promise<T | undefined> {
    try {
      return await call<T>(operation, what, command);
    } catch (e) {
      if (errorName(e) === NOT_FOUND) return undefined;
      return failCall(operation, what, e);
    }
  }

  async function write<T>(operation: string, what: string, command: unknown): Promise<T> {
    try {
      return await call<T>(operation, what, command);
    } catch (e) {
      return failCall(operation, what, e);
    }
  }

  /** A delete: already gone counts as done. */
  async function remove(operation: string, what: string, command: unknown): Promise<void> {
    await read(operation, what, command);
  }

  /** Every page of a list. */
  async function all<I>(
    operation: string,
    what: string,
    page: (token: string | undefined) => unknown,
  ): Promise<I[] | undefined> {
    const out: I[] = [];
    let token: string | undefined;
    do {
      const answer = await read<{ items?: I[]; nextToken?: string }>(operation, what, page(token));
      if (!answer) return undefined;
      out.push(...(answer.items ?? []));
      token = answer.nextToken || undefined;
    } while (token);
    return out;
  }

  type Raw = { arn?: string; id?: string; name?: string };

  return {
    async findService(name) {
      const items = await all<Raw>(
        'ListServices',
        `for service ${name}`,
        (nextToken) => new ListServicesCommand({ maxResults: 100, ...(nextToken ? { nextToken } : {}) }),
      );
      const found = (items ?? []).find((s) => s.name === name);
      return found ? ref(found) : undefined;
    },

    async findServiceNetwork(network) {
      if (/^(arn:|sn-)/.test(network)) {
        const found = await read<Raw>(
          'GetServiceNetwork',
          network,
          new GetServiceNetworkCommand({ serviceNetworkIdentifier: network }),
        );
        return found ? ref(found) : undefined;
      }
      const items = await all<Raw>(
        'ListServiceNetworks',
        `for service network ${network}`,
        (nextToken) =>
          new ListServiceNetworksCommand({ maxResults: 100, ...(nextToken ? { nextToken } : {}) }),
      );
      const found = (items ?? []).find((n) => n.name === network);
      return found ? ref(found) : undefined;
    },

    async listTargetGroups(vpcId) {
      const items = await all<Raw>(
        'ListTargetGroups',
        `of ${vpcId}`,
        (nextToken) =>
          new ListTargetGroupsCommand({
            vpcIdentifier: vpcId,
            maxResults: 100,
            ...(nextToken ? { nextToken } : {}),
          }),
      );
      return (items ?? []).map(ref);
    },

    async getService(id) {
      const s = await read<{
        arn?: string;
        id?: string;
        name?: string;
        customDomainName?: string;
        authType?: string;
        certificateArn?: string;
      }>('GetService', id, new GetServiceCommand({ serviceIdentifier: id }));
      if (!s) return undefined;
      return {
        ...ref(s),
        ...(s.customDomainName !== undefined ? { customDomainName: s.customDomainName } : {}),
        authType: s.authType ?? 'NONE',
        ...(s.certificateArn ? { certificateArn: s.certificateArn } : {}),
      };
    },

    async getTargetGroup(id) {
      const t = await read<{
        arn?: string;
        id?: string;
        name?: string;
        config?: {
          port?: number;
          protocolVersion?: string;
          vpcIdentifier?: string;
          healthCheck?: HealthCheckConfig;
        };
      }>('GetTargetGroup', id, new GetTargetGroupCommand({ targetGroupIdentifier: id }));
      if (!t) return undefined;
      const healthCheck = fromHealthCheck(t.config?.healthCheck);
      return {
        ...ref(t),
        ...(t.config?.port !== undefined ? { port: t.config.port } : {}),
        ...(t.config?.protocolVersion !== undefined ? { protocolVersion: t.config.protocolVersion } : {}),
        ...(t.config?.vpcIdentifier !== undefined ? { vpcId: t.config.vpcIdentifier } : {}),
        ...(healthCheck ? { healthCheck } : {}),
      };
    },

    async listListeners(serviceId) {
      const items = await all<Raw>(
        'ListListeners',
        `of ${serviceId}`,
        (nextToken) =>
          new ListListenersCommand({ serviceIdentifier: serviceId, ...(nextToken ? { nextToken } : {}) }),
      );
      return (items ?? []).map(ref);
    },

    async getListener(serviceId, listenerId) {
      const l = await read<Raw & { port?: number; protocol?: string; defaultAction?: RuleAction }>(
        'GetListener',
        listenerId,
        new GetListenerCommand({ serviceIdentifier: serviceId, listenerIdentifier: listenerId }),
      );
      if (!l) return undefined;
      return {
        ...ref(l),
        ...(l.port !== undefined ? { port: l.port } : {}),
        protocol: l.protocol ?? '',
        defaultAction: fromRuleAction(l.defaultAction),
      };
    },

    async listRules(serviceId, listenerId) {
      const items = await all<Raw & { isDefault?: boolean }>(
        'ListRules',
        `of ${listenerId}`,
        (nextToken) =>
          new ListRulesCommand({
            serviceIdentifier: serviceId,
            listenerIdentifier: listenerId,
            ...(nextToken ? { nextToken } : {}),
          }),
      );
      return (items ?? []).map((r) => ({ ...ref(r), isDefault: r.isDefault === true }));
    },

    async getRule(serviceId, listenerId, ruleId) {
      const r = await read<
        Raw & { priority?: number; match?: { httpMatch?: HttpMatch }; action?: RuleAction }
      >(
        'GetRule',
        ruleId,
        new GetRuleCommand({
          serviceIdentifier: serviceId,
          listenerIdentifier: listenerId,
          ruleIdentifier: ruleId,
        }),
      );
      if (!r) return undefined;
      return {
        ...ref(r),
        priority: r.priority ?? 0,
        match: fromHttpMatch(r.match?.httpMatch),
        action: fromRuleAction(r.action),
      };
    },

    async listAssociations(serviceId) {
      const items = await all<Raw & { serviceNetworkArn?: string }>(
        'ListServiceNetworkServiceAssociations',
        `of ${serviceId}`,
        (nextToken) =>
          new ListServiceNetworkServiceAssociationsCommand({
            serviceIdentifier: serviceId,
            ...(nextToken ? { nextToken } : {}),
          }),
      );
      return (items ?? []).map((a) => ({
        arn: a.arn ?? '',
        id: a.id ?? '',
        serviceNetworkArn: a.serviceNetworkArn ?? '',
      }));
    },

    async getAuthPolicy(serviceArn) {
      const p = await read<{ policy?: string }>(
        'GetAuthPolicy',
        serviceArn,
        new GetAuthPolicyCommand({ resourceIdentifier: serviceArn }),
      );
      return p?.policy || undefined;
    },

    async listAccessLogs(serviceArn) {
      const items = await all<Raw & { destinationArn?: string }>(
        'ListAccessLogSubscriptions',
        `of ${serviceArn}`,
        (nextToken) =>
          new ListAccessLogSubscriptionsCommand({
            resourceIdentifier: serviceArn,
            ...(nextToken ? { nextToken } : {}),
          }),
      );
      return (items ?? []).map((a) => ({
        arn: a.arn ?? '',
        id: a.id ?? '',
        destinationArn: a.destinationArn ?? '',
      }));
    },

    async tagsOf(arn) {
      const t = await read<{ tags?: Record<string, string> }>(
        'ListTagsForResource',
        arn,
        new ListTagsForResourceCommand({ resourceArn: arn }),
      );
      return t ? Object.entries(t.tags ?? {}).map(([key, value]) => ({ key, value })) : undefined;
    },

    async createService(input) {
      return ref(
        await write<Raw>(
          'CreateService',
          input.name,
          new CreateServiceCommand({
            name: input.name,
            customDomainName: input.customDomainName,
            authType: input.authType as 'NONE' | 'AWS_IAM',
            ...(input.certificateArn ? { certificateArn: input.certificateArn } : {}),
            tags: tagMap(input.tags),
            clientToken: input.clientToken,
          }),
        ),
      );
    },

    async updateService(id, update) {
      await write(
        'UpdateService',
        id,
        new UpdateServiceCommand({
          serviceIdentifier: id,
          ...(update.authType ? { authType: update.authType as 'NONE' | 'AWS_IAM' } : {}),
          ...(update.certificateArn ? { certificateArn: update.certificateArn } : {}),
        }),
      );
    },

    async createTargetGroup(tg, tags, clientToken) {
      return ref(
        await write<Raw>(
          'CreateTargetGroup',
          tg.name,
          new CreateTargetGroupCommand({
            name: tg.name,
            type: 'IP',
            config: {
              port: tg.port,
              protocol: tg.protocol,
              protocolVersion: tg.protocolVersion,
              vpcIdentifier: tg.vpcId,
              ...(tg.healthCheck ? { healthCheck: toHealthCheck(tg.healthCheck) } : {}),
            },
            tags: tagMap(tags),
            clientToken,
          }),
        ),
      );
    },

    async updateHealthCheck(arn, healthCheck) {
      await write(
        'UpdateTargetGroup',
        arn,
        new UpdateTargetGroupCommand({ targetGroupIdentifier: arn, healthCheck: toHealthCheck(healthCheck) }),
      );
    },

    async createListener(serviceId, listener, tags, clientToken) {
      return ref(
        await write<Raw>(
          'CreateListener',
          `${listener.name} of ${serviceId}`,
          new CreateListenerCommand({
            serviceIdentifier: serviceId,
            name: listener.name,
            protocol: listener.protocol as 'HTTP' | 'HTTPS',
            port: listener.port,
            defaultAction: toRuleAction(listener.defaultAction),
            tags: tagMap(tags),
            clientToken,
          }),
        ),
      );
    },

    async updateDefaultAction(serviceId, listenerId, action) {
      await write(
        'UpdateListener',
        listenerId,
        new UpdateListenerCommand({
          serviceIdentifier: serviceId,
          listenerIdentifier: listenerId,
          defaultAction: toRuleAction(action),
        }),
      );
    },

    async createRule(serviceId, listenerId, rule, tags, clientToken) {
      return ref(
        await write<Raw>(
          'CreateRule',
          `${rule.name} of ${listenerId}`,
          new CreateRuleCommand({
            serviceIdentifier: serviceId,
            listenerIdentifier: listenerId,
            name: rule.name,
            priority: rule.priority,
            match: { httpMatch: toHttpMatch(rule.match) },
            action: toRuleAction(rule.action),
            tags: tagMap(tags),
            clientToken,
          }),
        ),
      );
    },

    async updateRule(serviceId, listenerId, ruleId, update) {
      await write(
        'UpdateRule',
        ruleId,
        new UpdateRuleCommand({
          serviceIdentifier: serviceId,
          listenerIdentifier: listenerId,
          ruleIdentifier: ruleId,
          ...(update.priority !== undefined ? { priority: update.priority } : {}),
          ...(update.match ? { match: { httpMatch: toHttpMatch(update.match) } } : {}),
          ...(update.action ? { action: toRuleAction(update.action) } : {}),
        }),
      );
    },

    async associate(serviceId, networkArn, tags, clientToken) {
      return ref(
        await write<Raw>(
          'CreateServiceNetworkServiceAssociation',
          `${serviceId} with ${networkArn}`,
          new CreateServiceNetworkServiceAssociationCommand({
            serviceIdentifier: serviceId,
            serviceNetworkIdentifier: networkArn,
            tags: tagMap(tags),
            clientToken,
          }),
        ),
      );
    },

    async putAuthPolicy(serviceArn, policy) {
      await write(
        'PutAuthPolicy',
        serviceArn,
        new PutAuthPolicyCommand({ resourceIdentifier: serviceArn, policy }),
      );
    },

    async createAccessLog(serviceArn, destinationArn, tags, clientToken) {
      return ref(
        await write<Raw>(
          'CreateAccessLogSubscription',
          `${serviceArn} to ${destinationArn}`,
          new CreateAccessLogSubscriptionCommand({
            resourceIdentifier: serviceArn,
            destinationArn,
            tags: tagMap(tags),
            clientToken,
          }),
        ),
      );
    },

    async updateAccessLog(id, destinationArn) {
      await write(
        'UpdateAccessLogSubscription',
        id,
        new UpdateAccessLogSubscriptionCommand({ accessLogSubscriptionIdentifier: id, destinationArn }),
      );
    },

    async tag(arn, tags) {
      if (tags.length)
        await write('TagResource', arn, new TagResourceCommand({ resourceArn: arn, tags: tagMap(tags) }));
    },

    async untag(arn, keys) {
      if (keys.length)
        await write('UntagResource', arn, new UntagResourceCommand({ resourceArn: arn, tagKeys: [...keys] }));
    },

    deleteRule: (serviceId, listenerId, ruleId) =>
      remove(
        'DeleteRule',
        ruleId,
        new DeleteRuleCommand({
          serviceIdentifier: serviceId,
          listenerIdentifier: listenerId,
          ruleIdentifier: ruleId,
        }),
      ),
    deleteListener: (serviceId, listenerId) =>
      remove(
        'DeleteListener',
        listenerId,
        new DeleteListenerCommand({ serviceIdentifier: serviceId, listenerIdentifier: listenerId }),
      ),
    disassociate: (id) =>
      remove(
        'DeleteServiceNetworkServiceAssociation',
        id,
        new DeleteServiceNetworkServiceAssociationCommand({ serviceNetworkServiceAssociationIdentifier: id }),
      ),
    deleteAuthPolicy: (serviceArn) =>
      remove('DeleteAuthPolicy', serviceArn, new DeleteAuthPolicyCommand({ resourceIdentifier: serviceArn })),
    deleteAccessLog: (id) =>
      remove(
        'DeleteAccessLogSubscription',
        id,
        new DeleteAccessLogSubscriptionCommand({ accessLogSubscriptionIdentifier: id }),
      ),
    deleteService: (id) => remove('DeleteService', id, new DeleteServiceCommand({ serviceIdentifier: id })),
    deleteTargetGroup: (id) =>
      remove('DeleteTargetGroup', id, new DeleteTargetGroupCommand({ targetGroupIdentifier: id })),
  };
}
