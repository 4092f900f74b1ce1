/**
 * The Resource Groups Tagging API's GetResources through the real @aws-sdk/client-resource-groups-tagging-api: the
 * wire protocol (JSON 1.1, target prefix ResourceGroupsTaggingAPI_20170126), the filters as the API reference gives
 * them (TagFilters AND, a filter's values OR, a key alone any value; resource types by the ARN's service and type),
 * pagination, the caller's own resources only, and the documented parameter rules.
 */
import {
  AppMeshClient,
  CreateMeshCommand,
  CreateVirtualNodeCommand,
  TagResourceCommand,
} from '@aws-sdk/client-app-mesh';
import { DeregisterTaskDefinitionCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import {
  GetResourcesCommand,
  type GetResourcesCommandInput,
  paginateGetResources,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { CreateHttpNamespaceCommand, ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import {
  CreateListenerCommand,
  CreateRuleCommand,
  CreateServiceCommand,
  CreateTargetGroupCommand,
  DeleteServiceCommand,
  UntagResourceCommand,
  VPCLatticeClient,
} from '@aws-sdk/client-vpc-lattice';
import { failureOf, useEmulator } from './helpers';

const ctx = useEmulator();
let tagging: ResourceGroupsTaggingAPIClient;
beforeAll(() => {
  tagging = new ResourceGroupsTaggingAPIClient({});
});
afterAll(() => tagging.destroy());

const tags = (pairs: Record<string, string>) => Object.entries(pairs).map(([key, value]) => ({ key, value }));

async function node(name: string, pairs: Record<string, string>) {
  const out = await ctx.appmesh.send(
    new CreateVirtualNodeCommand({ meshName: 'm', virtualNodeName: name, spec: {}, tags: tags(pairs) }),
  );
  return out.virtualNode!.metadata!.arn!;
}

async function arnsOf(input: GetResourcesCommandInput): Promise<string[]> {
  const out = await tagging.send(new GetResourcesCommand(input));
  return (out.ResourceTagMappingList ?? []).map((r) => r.ResourceARN!).sort();
}

beforeEach(async () => {
  await ctx.appmesh.send(new CreateMeshCommand({ meshName: 'm', tags: tags({ team: 'platform' }) }));
});

describe('GIVEN tagged App Mesh resources', () => {
  test('WHEN filtered by two tags THEN only resources carrying both match (AND), each with all its tags', async () => {
    const both = await node('a', { stack: 's1', logical: 'L1', other: 'x' });
    await node('b', { stack: 's1', logical: 'L2' });
    await node('c', { stack: 's2', logical: 'L1' });
    const out = await tagging.send(
      new GetResourcesCommand({
        TagFilters: [
          { Key: 'stack', Values: ['s1'] },
          { Key: 'logical', Values: ['L1'] },
        ],
      }),
    );
    expect(out.ResourceTagMappingList).toEqual([
      {
        ResourceARN: both,
        Tags: [
          { Key: 'stack', Value: 's1' },
          { Key: 'logical', Value: 'L1' },
          { Key: 'other', Value: 'x' },
        ],
      },
    ]);
    expect(out.PaginationToken).toBe('');
  });

  test('WHEN one filter names several values THEN any of them matches (OR); a key alone matches any of its values', async () => {
    const a = await node('a', { stack: 's1' });
    const b = await node('b', { stack: 's2' });
    await node('c', { stack: 's3' });
    await node('d', { team: 'x' });
    expect(await arnsOf({ TagFilters: [{ Key: 'stack', Values: ['s1', 's2'] }] })).toEqual([a, b].sort());
    expect(await arnsOf({ TagFilters: [{ Key: 'stack' }] })).toHaveLength(3);
  });

  test('WHEN filtered by resource type THEN the ARN decides: `appmesh` is every App Mesh resource, `appmesh:mesh` the resource type of the ARN', async () => {
    const n = await node('a', { stack: 's1' });
    await ctx.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        containerDefinitions: [{ name: 'app', image: 'nginx', memory: 128 }],
        tags: [{ key: 'stack', value: 's1' }],
      }),
    );
    const filter = [{ Key: 'stack', Values: ['s1'] }];
    expect(await arnsOf({ TagFilters: filter, ResourceTypeFilters: ['appmesh'] })).toEqual([n]);
    expect(await arnsOf({ TagFilters: filter, ResourceTypeFilters: ['ecs:task-definition'] })).toEqual([
      'arn:aws:ecs:us-east-1:111122223333:task-definition/web:1',
    ]);
    expect(await arnsOf({ TagFilters: filter, ResourceTypeFilters: ['ecs:service'] })).toEqual([]);
    expect(await arnsOf({ TagFilters: filter })).toHaveLength(2);
    expect(await arnsOf({ ResourceTypeFilters: ['appmesh:mesh'] })).toHaveLength(2); // the mesh and its node
  });

  test('WHEN a resource is retagged or untagged THEN the next call sees it at once (the emulator is strongly consistent)', async () => {
    const n = await node('a', { stack: 's1' });
    await ctx.appmesh.send(new TagResourceCommand({ resourceArn: n, tags: [{ key: 'stack', value: 's9' }] }));
    expect(await arnsOf({ TagFilters: [{ Key: 'stack', Values: ['s1'] }] })).toEqual([]);
    expect(await arnsOf({ TagFilters: [{ Key: 'stack', Values: ['s9'] }] })).toEqual([n]);
  });
});

describe('GIVEN more resources than a page', () => {
  test('WHEN paginated THEN every resource comes exactly once, in pages of ResourcesPerPage, the last with an empty token', async () => {
    const made = [];
    for (let i = 0; i < 7; i++) made.push(await node(`n${i}`, { stack: 's1' }));
    const pages = [];
    for await (const page of paginateGetResources(
      { client: tagging },
      { TagFilters: [{ Key: 'stack', Values: ['s1'] }], ResourcesPerPage: 3 },
    ))
      pages.push((page.ResourceTagMappingList ?? []).map((r) => r.ResourceARN!));
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat().sort()).toEqual(made.sort());
  });

  test('WHEN the token was not given by the service THEN InvalidParameterException', async () => {
    const error = await failureOf(tagging.send(new GetResourcesCommand({ PaginationToken: 'forged' })));
    expect(error.name).toBe('InvalidParameterException');
  });
});

describe('GIVEN resources of several accounts and services', () => {
  test('WHEN another account asks THEN it sees only its own resources (a shared mesh lists under its creator)', async () => {
    await node('mine', { stack: 's1' });
    const other = ctx.emulator.env('444455556666');
    const theirs = new ResourceGroupsTaggingAPIClient({
      credentials: { accessKeyId: other.AWS_ACCESS_KEY_ID!, secretAccessKey: other.AWS_SECRET_ACCESS_KEY! },
    });
    const theirMesh = new AppMeshClient({
      credentials: { accessKeyId: other.AWS_ACCESS_KEY_ID!, secretAccessKey: other.AWS_SECRET_ACCESS_KEY! },
    });
    try {
      await theirMesh.send(new CreateMeshCommand({ meshName: 'theirs', tags: tags({ stack: 's1' }) }));
      const out = await theirs.send(new GetResourcesCommand({ TagFilters: [{ Key: 'stack' }] }));
      expect(out.ResourceTagMappingList!.map((r) => r.ResourceARN)).toEqual([
        'arn:aws:appmesh:us-east-1:444455556666:mesh/theirs',
      ]);
      expect(await arnsOf({ TagFilters: [{ Key: 'stack' }] })).toEqual([
        'arn:aws:appmesh:us-east-1:111122223333:mesh/m/virtualNode/mine',
      ]);
    } finally {
      theirs.destroy();
      theirMesh.destroy();
    }
  });

  test('WHEN a Cloud Map namespace or a deregistered revision is tagged THEN it is listed; an untagged resource is not', async () => {
    const sd = new ServiceDiscoveryClient({});
    try {
      await sd.send(
        new CreateHttpNamespaceCommand({ Name: 'ns.local', Tags: [{ Key: 'stack', Value: 's1' }] }),
      );
    } finally {
      sd.destroy();
    }
    await ctx.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        containerDefinitions: [{ name: 'app', image: 'nginx', memory: 128 }],
        tags: [{ key: 'stack', value: 's1' }],
      }),
    );
    await ctx.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'web:1' }));
    await node('untagged', {});
    const arns = await arnsOf({ TagFilters: [{ Key: 'stack' }] });
    expect(arns).toHaveLength(2);
    expect(arns.some((a) => a.includes(':servicediscovery:') && a.includes(':namespace/'))).toBe(true);
    expect(arns).toContain('arn:aws:ecs:us-east-1:111122223333:task-definition/web:1');
    expect(await arnsOf({ ResourceTypeFilters: ['appmesh'] })).toEqual([
      'arn:aws:appmesh:us-east-1:111122223333:mesh/m',
    ]);
  });
});

describe('GIVEN a request the API reference refuses', () => {
  test.each([
    [
      'ResourceARNList with TagFilters',
      { ResourceARNList: ['arn:aws:appmesh:us-east-1:111122223333:mesh/m'], TagFilters: [{ Key: 'a' }] },
      /ResourceARNList and TagFilters/,
    ],
    ['ResourcesPerPage 0', { ResourcesPerPage: 0 }, /between 1 and 100/],
    ['ResourcesPerPage 101', { ResourcesPerPage: 101 }, /between 1 and 100/],
    ['TagsPerPage 99', { TagsPerPage: 99 }, /between 100 and 500/],
    ['ExcludeCompliantResources alone', { ExcludeCompliantResources: true }, /IncludeComplianceDetails/],
    ['a TagFilter without a Key', { TagFilters: [{ Values: ['x'] }] }, /TagFilters\[0\] must contain a Key/],
  ])('WHEN %s THEN InvalidParameterException naming the rule', async (_, input, message) => {
    const error = await failureOf(tagging.send(new GetResourcesCommand(input as GetResourcesCommandInput)));
    expect(error.name).toBe('InvalidParameterException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toMatch(message);
  });

  test('WHEN more than 50 TagFilters THEN the model refuses it (InvalidParameterException)', async () => {
    const TagFilters = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}` }));
    const error = await failureOf(tagging.send(new GetResourcesCommand({ TagFilters })));
    expect(error.name).toBe('InvalidParameterException');
  });

  test('WHEN ResourceARNList names resources THEN those that exist and are tagged come back, with compliance details when asked', async () => {
    const n = await node('a', { stack: 's1' });
    const out = await tagging.send(
      new GetResourcesCommand({
        ResourceARNList: [n, 'arn:aws:appmesh:us-east-1:111122223333:mesh/m/virtualNode/gone'],
        IncludeComplianceDetails: true,
      }),
    );
    expect(out.ResourceTagMappingList).toEqual([
      {
        ResourceARN: n,
        Tags: [{ Key: 'stack', Value: 's1' }],
        ComplianceDetails: {
          ComplianceStatus: true,
          NoncompliantKeys: [],
          KeysWithNoncompliantValues: [],
          MissingTagKeys: [],
        },
      },
    ]);
  });
});

describe('GIVEN tagged VPC Lattice resources', () => {
  test('WHEN filtered by tags and by resource type THEN the services, listeners, rules and target groups carrying them match', async () => {
    const lattice = new VPCLatticeClient({});
    try {
      const owned = { stack: 's1', logical: 'L1' };
      const svc = await lattice.send(new CreateServiceCommand({ name: 'checkout', tags: owned }));
      const tg = await lattice.send(
        new CreateTargetGroupCommand({
          name: 'checkout-v1',
          type: 'IP',
          config: { port: 8080, protocol: 'HTTP', vpcIdentifier: 'vpc-0123456789abcdef0' },
          tags: owned,
        }),
      );
      const forward = { forward: { targetGroups: [{ targetGroupIdentifier: tg.id! }] } };
      const listener = await lattice.send(
        new CreateListenerCommand({
          serviceIdentifier: svc.id!,
          name: 'http',
          protocol: 'HTTP',
          defaultAction: forward,
          tags: owned,
        }),
      );
      const rule = await lattice.send(
        new CreateRuleCommand({
          serviceIdentifier: svc.id!,
          listenerIdentifier: listener.id!,
          name: 'cart',
          priority: 1,
          match: { httpMatch: { pathMatch: { match: { prefix: '/cart' } } } },
          action: forward,
          tags: owned,
        }),
      );
      await lattice.send(new CreateServiceCommand({ name: 'other', tags: { stack: 's2', logical: 'L1' } }));
      const filter = [
        { Key: 'stack', Values: ['s1'] },
        { Key: 'logical', Values: ['L1'] },
      ];
      expect(await arnsOf({ TagFilters: filter })).toEqual([svc.arn, listener.arn, rule.arn, tg.arn].sort());
      expect(await arnsOf({ TagFilters: filter, ResourceTypeFilters: ['vpc-lattice:targetgroup'] })).toEqual([
        tg.arn,
      ]);
      // A listener's and a rule's ARNs are under their service's: the type embedded in them is `service`.
      expect(await arnsOf({ TagFilters: filter, ResourceTypeFilters: ['vpc-lattice:service'] })).toEqual(
        [svc.arn, listener.arn, rule.arn].sort(),
      );
      await lattice.send(new UntagResourceCommand({ resourceArn: tg.arn!, tagKeys: ['stack', 'logical'] }));
      await lattice.send(new DeleteServiceCommand({ serviceIdentifier: svc.id! }));
      expect(await arnsOf({ TagFilters: filter })).toEqual([]);
    } finally {
      lattice.destroy();
    }
  });
});
