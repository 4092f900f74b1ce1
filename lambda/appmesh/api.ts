/**
 * The narrow App Mesh interface the reconciler uses: only the calls it needs, with "not found" as a value
 * (`undefined`) instead of an exception, and SDK errors turned into one-line messages naming the call and resource.
 * This module is the App Mesh boundary: nothing else imports @aws-sdk/client-app-mesh commands.
 */
import {
  type AppMeshClient,
  CreateGatewayRouteCommand,
  CreateRouteCommand,
  CreateVirtualNodeCommand,
  CreateVirtualRouterCommand,
  CreateVirtualServiceCommand,
  DeleteGatewayRouteCommand,
  DeleteRouteCommand,
  DeleteVirtualNodeCommand,
  DeleteVirtualRouterCommand,
  DeleteVirtualServiceCommand,
  DescribeGatewayRouteCommand,
  DescribeMeshCommand,
  DescribeRouteCommand,
  DescribeVirtualGatewayCommand,
  DescribeVirtualNodeCommand,
  DescribeVirtualRouterCommand,
  DescribeVirtualServiceCommand,
  ListGatewayRoutesCommand,
  ListRoutesCommand,
  ListTagsForResourceCommand,
  ListVirtualGatewaysCommand,
  ListVirtualNodesCommand,
  ListVirtualRoutersCommand,
  ListVirtualServicesCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateGatewayRouteCommand,
  UpdateRouteCommand,
  UpdateVirtualNodeCommand,
  UpdateVirtualRouterCommand,
  UpdateVirtualServiceCommand,
} from '@aws-sdk/client-app-mesh';
import { type CallRecord, caller, errorName, failCall } from '../aws/call';
import type { KeyValue } from '../ownership';
import { describeKey, type Kind, type ResourceKey, type Spec } from './desired';

export interface ExistingResource {
  readonly arn: string;
  readonly spec: Spec;
}

export interface MeshApi {
  readonly meshName: string;
  readonly meshOwner?: string;
  describeMesh(): Promise<{ arn: string } | undefined>;
  describeVirtualGateway(
    name: string,
  ): Promise<{ arn: string; listeners: { port: number; protocol: string }[] } | undefined>;
  describe(key: ResourceKey): Promise<ExistingResource | undefined>;
  create(
    key: ResourceKey,
    spec: Spec,
    tags: readonly KeyValue[],
    clientToken: string,
  ): Promise<ExistingResource>;
  update(key: ResourceKey, spec: Spec, clientToken: string): Promise<ExistingResource>;
  /** Resolves when the resource is gone (NotFound counts as gone). */
  delete(key: ResourceKey): Promise<void>;
  listRoutes(virtualRouterName: string): Promise<string[]>;
  /** Every virtual node, router, route, virtual service and gateway route of the mesh, with its ARN. */
  listAll(): Promise<{ key: ResourceKey; arn: string }[]>;
  /** The resource's tags, or undefined when it no longer exists. */
  listTags(arn: string): Promise<KeyValue[] | undefined>;
  tag(arn: string, tags: readonly KeyValue[]): Promise<void>;
  untag(arn: string, keys: readonly string[]): Promise<void>;
}

export type { CallRecord };

const isNotFound = (e: unknown) => errorName(e) === 'NotFoundException';

/** Field names differ per kind; this table keeps the adapter generic. */
const KINDS: Record<
  Kind,
  {
    nameField: string;
    parentField?: string;
    outputField: string;
    describe: new (input: never) => unknown;
    create: new (input: never) => unknown;
    update: new (input: never) => unknown;
    remove: new (input: never) => unknown;
  }
> = {
  virtualNode: {
    nameField: 'virtualNodeName',
    outputField: 'virtualNode',
    describe: DescribeVirtualNodeCommand,
    create: CreateVirtualNodeCommand,
    update: UpdateVirtualNodeCommand,
    remove: DeleteVirtualNodeCommand,
  },
  virtualRouter: {
    nameField: 'virtualRouterName',
    outputField: 'virtualRouter',
    describe: DescribeVirtualRouterCommand,
    create: CreateVirtualRouterCommand,
    update: UpdateVirtualRouterCommand,
    remove: DeleteVirtualRouterCommand,
  },
  route: {
    nameField: 'routeName',
    parentField: 'virtualRouterName',
    outputField: 'route',
    describe: DescribeRouteCommand,
    create: CreateRouteCommand,
    update: UpdateRouteCommand,
    remove: DeleteRouteCommand,
  },
  virtualService: {
    nameField: 'virtualServiceName',
    outputField: 'virtualService',
    describe: DescribeVirtualServiceCommand,
    create: CreateVirtualServiceCommand,
    update: UpdateVirtualServiceCommand,
    remove: DeleteVirtualServiceCommand,
  },
  gatewayRoute: {
    nameField: 'gatewayRouteName',
    parentField: 'virtualGatewayName',
    outputField: 'gatewayRoute',
    describe: DescribeGatewayRouteCommand,
    create: CreateGatewayRouteCommand,
    update: UpdateGatewayRouteCommand,
    remove: DeleteGatewayRouteCommand,
  },
};

export function createMeshApi(
  client: AppMeshClient,
  mesh: { meshName: string; meshOwner?: string },
  onCall: (record: CallRecord) => void = () => {},
): MeshApi {
  const call = caller(client, onCall);
  const meshWords = `mesh "${mesh.meshName}"${mesh.meshOwner ? ` (owner ${mesh.meshOwner})` : ''}`;
  const base = { meshName: mesh.meshName, ...(mesh.meshOwner ? { meshOwner: mesh.meshOwner } : {}) };

  const fail = (operation: string, what: string, e: unknown): never =>
    failCall(operation, `${what ? `${what} ` : ''}in ${meshWords}`, e);

  /** A paginated List* call; a missing mesh or parent lists nothing. */
  async function list(
    operation: string,
    Command: new (input: never) => unknown,
    field: string,
    extra: Record<string, string> = {},
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const out = await call<Record<string, unknown> & { nextToken?: string }>(
          operation,
          Object.values(extra)[0] ?? mesh.meshName,
          new Command({ ...base, ...extra, ...(nextToken ? { nextToken } : {}) } as never),
        );
        items.push(...((out[field] as Record<string, unknown>[] | undefined) ?? []));
        nextToken = out.nextToken;
      } while (nextToken);
    } catch (e) {
      if (isNotFound(e)) return [];
      fail(operation, Object.values(extra)[0] ?? '', e);
    }
    return items;
  }

  const input = (key: ResourceKey) => {
    const k = KINDS[key.kind];
    return { ...base, [k.nameField]: key.name, ...(k.parentField ? { [k.parentField]: key.parent } : {}) };
  };
  const asResource = (key: ResourceKey, output: unknown): ExistingResource => {
    const data = (output as Record<string, { metadata?: { arn?: string }; spec?: Spec }>)[
      KINDS[key.kind].outputField
    ];
    return { arn: data?.metadata?.arn ?? '', spec: data?.spec ?? {} };
  };
  const opName = (verb: string, kind: Kind) => `${verb}${kind[0]!.toUpperCase()}${kind.slice(1)}`;

  return {
    ...base,
    async describeMesh() {
      try {
        const out = await call<{ mesh?: { metadata?: { arn?: string } } }>(
          'DescribeMesh',
          mesh.meshName,
          new DescribeMeshCommand(base),
        );
        return { arn: out.mesh?.metadata?.arn ?? '' };
      } catch (e) {
        if (isNotFound(e)) return undefined;
        return fail('DescribeMesh', '', e);
      }
    },
    async describeVirtualGateway(name) {
      try {
        const out = await call<{
          virtualGateway?: {
            metadata?: { arn?: string };
            spec?: { listeners?: { portMapping?: { port?: number; protocol?: string } }[] };
          };
        }>(
          'DescribeVirtualGateway',
          name,
          new DescribeVirtualGatewayCommand({ ...base, virtualGatewayName: name }),
        );
        const listeners = (out.virtualGateway?.spec?.listeners ?? []).map((l) => ({
          port: l.portMapping?.port ?? 0,
          protocol: l.portMapping?.protocol ?? '',
        }));
        return { arn: out.virtualGateway?.metadata?.arn ?? '', listeners };
      } catch (e) {
        if (isNotFound(e)) return undefined;
        return fail('DescribeVirtualGateway', `"${name}"`, e);
      }
    },
    async describe(key) {
      const K = KINDS[key.kind];
      try {
        return asResource(
          key,
          await call(opName('Describe', key.kind), key.name, new K.describe(input(key) as never)),
        );
      } catch (e) {
        if (isNotFound(e)) return undefined;
        return fail(opName('Describe', key.kind), describeKey(key), e);
      }
    },
    async create(key, spec, tags, clientToken) {
      const K = KINDS[key.kind];
      const command = new K.create({
        ...input(key),
        spec,
        clientToken,
        tags: tags.map((t) => ({ ...t })),
      } as never);
      try {
        return asResource(key, await call(opName('Create', key.kind), key.name, command));
      } catch (e) {
        return fail(opName('Create', key.kind), describeKey(key), e);
      }
    },
    async update(key, spec, clientToken) {
      const K = KINDS[key.kind];
      try {
        return asResource(
          key,
          await call(
            opName('Update', key.kind),
            key.name,
            new K.update({ ...input(key), spec, clientToken } as never),
          ),
        );
      } catch (e) {
        return fail(opName('Update', key.kind), describeKey(key), e);
      }
    },
    async delete(key) {
      const K = KINDS[key.kind];
      try {
        await call(opName('Delete', key.kind), key.name, new K.remove(input(key) as never));
      } catch (e) {
        if (isNotFound(e)) return;
        fail(opName('Delete', key.kind), describeKey(key), e);
      }
    },
    async listRoutes(virtualRouterName) {
      const routes = await list('ListRoutes', ListRoutesCommand, 'routes', { virtualRouterName });
      return routes.map((r) => r.routeName as string);
    },
    async listAll() {
      const [nodes, services, routers, gateways] = await Promise.all([
        list('ListVirtualNodes', ListVirtualNodesCommand, 'virtualNodes'),
        list('ListVirtualServices', ListVirtualServicesCommand, 'virtualServices'),
        list('ListVirtualRouters', ListVirtualRoutersCommand, 'virtualRouters'),
        list('ListVirtualGateways', ListVirtualGatewaysCommand, 'virtualGateways'),
      ]);
      const [routes, gatewayRoutes] = await Promise.all([
        Promise.all(
          routers.map((r) =>
            list('ListRoutes', ListRoutesCommand, 'routes', {
              virtualRouterName: r.virtualRouterName as string,
            }),
          ),
        ),
        Promise.all(
          gateways.map((g) =>
            list('ListGatewayRoutes', ListGatewayRoutesCommand, 'gatewayRoutes', {
              virtualGatewayName: g.virtualGatewayName as string,
            }),
          ),
        ),
      ]);
      const ref = (kind: Kind, name: unknown, arn: unknown, parent?: unknown) => ({
        key: { kind, name: name as string, ...(parent !== undefined ? { parent: parent as string } : {}) },
        arn: arn as string,
      });
      return [
        ...nodes.map((n) => ref('virtualNode', n.virtualNodeName, n.arn)),
        ...services.map((v) => ref('virtualService', v.virtualServiceName, v.arn)),
        ...routers.map((r) => ref('virtualRouter', r.virtualRouterName, r.arn)),
        ...routes.flat().map((r) => ref('route', r.routeName, r.arn, r.virtualRouterName)),
        ...gatewayRoutes
          .flat()
          .map((g) => ref('gatewayRoute', g.gatewayRouteName, g.arn, g.virtualGatewayName)),
      ];
    },
    async listTags(arn) {
      const tags: KeyValue[] = [];
      let nextToken: string | undefined;
      try {
        do {
          const out = await call<{ tags?: { key?: string; value?: string }[]; nextToken?: string }>(
            'ListTagsForResource',
            arn,
            new ListTagsForResourceCommand({ resourceArn: arn, ...(nextToken ? { nextToken } : {}) }),
          );
          for (const t of out.tags ?? [])
            if (t.key !== undefined) tags.push({ key: t.key, value: t.value ?? '' });
          nextToken = out.nextToken;
        } while (nextToken);
      } catch (e) {
        // Deleted since it was described (a Delete racing with another, say): gone is a value, not an error.
        if (isNotFound(e)) return undefined;
        fail('ListTagsForResource', arn, e);
      }
      return tags;
    },
    async tag(arn, tags) {
      try {
        await call(
          'TagResource',
          arn,
          new TagResourceCommand({ resourceArn: arn, tags: tags.map((t) => ({ ...t })) }),
        );
      } catch (e) {
        fail('TagResource', arn, e);
      }
    },
    async untag(arn, keys) {
      try {
        await call('UntagResource', arn, new UntagResourceCommand({ resourceArn: arn, tagKeys: [...keys] }));
      } catch (e) {
        fail('UntagResource', arn, e);
      }
    },
  };
}
