/**
 * ECS services with Service Connect through the real @aws-sdk/client-ecs: serviceConnectConfiguration is checked as
 * ECS checks it (port name in the task definition, one client alias, namespace of the Region, unique discovery
 * names and aliases, appProtocol immutable); ECS creates a Cloud Map service in the namespace for each discovery name
 * (ListServices, the namespace's ServiceCount and DeleteNamespace's ResourceInUse follow them).
 */
import {
  CreateServiceCommand,
  type CreateServiceCommandInput,
  DeleteServiceCommand,
  DescribeServicesCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  DeleteNamespaceCommand,
  GetNamespaceCommand,
  ListNamespacesCommand,
  ListServicesCommand,
  ServiceDiscoveryClient,
} from '@aws-sdk/client-servicediscovery';
import { failureOf, useEmulator } from './helpers';

const ctx = useEmulator();
let sd: ServiceDiscoveryClient;
beforeAll(() => {
  sd = new ServiceDiscoveryClient({});
});
afterAll(() => sd.destroy());

let namespace: { arn: string; id: string };
let td: string;
beforeEach(async () => {
  namespace = ctx.emulator.servicediscovery.putNamespace('service.local');
  td = await register('web', 'http');
});

async function register(family: string, appProtocol?: 'http' | 'grpc'): Promise<string> {
  const out = await ctx.ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'app',
          image: 'public.ecr.aws/nginx/nginx:latest',
          portMappings: [{ containerPort: 3000, name: 'http-3000', ...(appProtocol ? { appProtocol } : {}) }],
        },
      ],
    }),
  );
  return out.taskDefinition!.taskDefinitionArn!;
}

/** The Cloud Map services of a namespace, as ListServices with a NAMESPACE_ID filter lists them. */
async function cloudMapServices(namespaceIdOrArn: string) {
  const out = await sd.send(
    new ListServicesCommand({
      Filters: [{ Name: 'NAMESPACE_ID', Values: [namespaceIdOrArn], Condition: 'EQ' }],
    }),
  );
  return out.Services!;
}

const service = (over: Partial<CreateServiceCommandInput> = {}): CreateServiceCommandInput => ({
  cluster: 'demo',
  serviceName: 'web',
  taskDefinition: td,
  desiredCount: 0,
  serviceConnectConfiguration: {
    enabled: true,
    namespace: 'service.local',
    services: [
      {
        portName: 'http-3000',
        discoveryName: 'web',
        clientAliases: [{ dnsName: 'web.service.local', port: 3000 }],
      },
    ],
  },
  ...over,
});

describe('GIVEN CreateService with Service Connect', () => {
  test('WHEN it is valid THEN the deployment carries the configuration with the namespace ARN, and the namespace counts one service', async () => {
    const out = await ctx.ecs.send(new CreateServiceCommand(service()));
    expect(out.service).toMatchObject({
      serviceArn: 'arn:aws:ecs:us-east-1:111122223333:service/demo/web',
      status: 'ACTIVE',
      taskDefinition: td,
    });
    const deployment = out.service!.deployments![0]!;
    expect(deployment.serviceConnectConfiguration!.namespace).toBe(namespace.arn);
    expect(deployment.serviceConnectResources![0]!.discoveryName).toBe('web');
    const ns = await sd.send(new GetNamespaceCommand({ Id: namespace.id }));
    expect(ns.Namespace!.ServiceCount).toBe(1);
    expect((await failureOf(sd.send(new DeleteNamespaceCommand({ Id: namespace.id })))).name).toBe(
      'ResourceInUse',
    );
  });

  test('WHEN it is created THEN ECS has created a Cloud Map service named by the discovery name in the namespace: ListServices lists it, its ARN is the discoveryArn, ServiceCount counts it and DeleteNamespace is refused with Cloud Map’s wording', async () => {
    const out = await ctx.ecs.send(new CreateServiceCommand(service()));
    await ctx.ecs.send(
      new CreateServiceCommand(
        service({
          serviceName: 'client',
          serviceConnectConfiguration: { enabled: true, namespace: 'service.local' },
        }),
      ),
    );
    const listed = await cloudMapServices(namespace.id);
    expect(listed).toEqual([
      expect.objectContaining({ Name: 'web', Type: 'HTTP', ResourceOwner: '111122223333', InstanceCount: 0 }),
    ]);
    expect(listed[0]!.Id).toMatch(/^srv-[a-z2-7]{16}$/);
    expect(listed[0]!.Arn).toBe(`arn:aws:servicediscovery:us-east-1:111122223333:service/${listed[0]!.Id}`);
    expect(listed[0]!.CreateDate).toBeInstanceOf(Date);
    expect(out.service!.deployments![0]!.serviceConnectResources).toEqual([
      { discoveryName: 'web', discoveryArn: listed[0]!.Arn },
    ]);
    expect(await cloudMapServices(namespace.arn)).toEqual(listed);
    const summary = await sd.send(new ListNamespacesCommand({}));
    expect(summary.Namespaces!.map((n) => n.ServiceCount)).toEqual([1]);
    const inUse = await failureOf(sd.send(new DeleteNamespaceCommand({ Id: namespace.id })));
    expect(inUse.name).toBe('ResourceInUse');
    expect(inUse.$metadata?.httpStatusCode).toBe(400);
    expect(inUse.message).toBe(
      'Namespace has associated services; delete the services before deleting the namespace',
    );
  });

  test('WHEN ListServices filters by namespace or owner and pages THEN only the matching services come, page by page; other conditions are InvalidInput', async () => {
    const other = ctx.emulator.servicediscovery.putNamespace('other.local');
    await ctx.ecs.send(new CreateServiceCommand(service()));
    for (const [name, ns] of [
      ['api', 'service.local'],
      ['db', 'other.local'],
    ] as const) {
      await ctx.ecs.send(
        new CreateServiceCommand(
          service({
            serviceName: name,
            serviceConnectConfiguration: {
              enabled: true,
              namespace: ns,
              services: [{ portName: 'http-3000', discoveryName: name }],
            },
          }),
        ),
      );
    }
    expect((await cloudMapServices(namespace.id)).map((s) => s.Name).sort()).toEqual(['api', 'web']);
    expect((await cloudMapServices(other.id)).map((s) => s.Name)).toEqual(['db']);
    expect(await cloudMapServices('ns-aaaaaaaaaaaaaaaa')).toEqual([]);
    const mine = await sd.send(
      new ListServicesCommand({ Filters: [{ Name: 'RESOURCE_OWNER', Values: ['SELF'] }] }),
    );
    expect(mine.Services).toHaveLength(3);
    const page1 = await sd.send(new ListServicesCommand({ MaxResults: 2 }));
    const page2 = await sd.send(new ListServicesCommand({ MaxResults: 2, NextToken: page1.NextToken! }));
    expect([...page1.Services!, ...page2.Services!].map((s) => s.Name).sort()).toEqual(['api', 'db', 'web']);
    expect(page2.NextToken).toBeUndefined();
    const error = await failureOf(
      sd.send(
        new ListServicesCommand({
          Filters: [{ Name: 'NAMESPACE_ID', Values: [namespace.id, other.id], Condition: 'IN' }],
        }),
      ),
    );
    expect(error.name).toBe('InvalidInput');
  });

  test('WHEN its discovery name changes THEN the Cloud Map service of the old name goes and one of the new name comes', async () => {
    await ctx.ecs.send(new CreateServiceCommand(service()));
    const [old] = await cloudMapServices(namespace.id);
    await ctx.ecs.send(
      new UpdateServiceCommand({
        cluster: 'demo',
        service: 'web',
        serviceConnectConfiguration: {
          enabled: true,
          namespace: 'service.local',
          services: [{ portName: 'http-3000', discoveryName: 'web-v2' }],
        },
      }),
    );
    const now = await cloudMapServices(namespace.id);
    expect(now.map((s) => s.Name)).toEqual(['web-v2']);
    expect(now[0]!.Id).not.toBe(old!.Id);
    await ctx.ecs.send(
      new UpdateServiceCommand({
        cluster: 'demo',
        service: 'web',
        serviceConnectConfiguration: { enabled: false },
      }),
    );
    expect(await cloudMapServices(namespace.id)).toEqual([]);
  });

  test.each<[string, Partial<CreateServiceCommandInput>, string, RegExp]>([
    [
      'the port name is not in the task definition',
      {
        serviceConnectConfiguration: {
          enabled: true,
          namespace: 'service.local',
          services: [{ portName: 'nope' }],
        },
      },
      'InvalidParameterException',
      /port name nope does not match/,
    ],
    [
      'two client aliases are given',
      {
        serviceConnectConfiguration: {
          enabled: true,
          namespace: 'service.local',
          services: [
            {
              portName: 'http-3000',
              clientAliases: [
                { dnsName: 'a.local', port: 3000 },
                { dnsName: 'b.local', port: 3000 },
              ],
            },
          ],
        },
      },
      'InvalidParameterException',
      /maximum is 1/,
    ],
    [
      'the namespace does not exist',
      { serviceConnectConfiguration: { enabled: true, namespace: 'other.local' } },
      'NamespaceNotFoundException',
      /Namespace not found/,
    ],
    [
      'the namespace is of another Region',
      {
        serviceConnectConfiguration: {
          enabled: true,
          namespace: 'arn:aws:servicediscovery:eu-west-1:111122223333:namespace/ns-abcdefghijklmnop',
        },
      },
      'InvalidParameterException',
      /is in eu-west-1/,
    ],
    [
      'the discovery name is not lowercase',
      {
        serviceConnectConfiguration: {
          enabled: true,
          namespace: 'service.local',
          services: [{ portName: 'http-3000', discoveryName: 'Web' }],
        },
      },
      'InvalidParameterException',
      /discovery name Web is invalid/,
    ],
  ])('WHEN %s THEN CreateService is refused and nothing is created', async (_what, over, name, message) => {
    const error = await failureOf(ctx.ecs.send(new CreateServiceCommand(service(over))));
    expect(error.name).toBe(name);
    expect(error.message).toMatch(message);
    expect(ctx.emulator.snapshot().ecs.services).toEqual([]);
  });

  test('WHEN a second service wants the same discovery name or client alias THEN it is refused (real wording for the discovery name)', async () => {
    await ctx.ecs.send(new CreateServiceCommand(service()));
    const same = await failureOf(ctx.ecs.send(new CreateServiceCommand(service({ serviceName: 'web-2' }))));
    expect(same.message).toBe(`CreateService error: SC service is already used by ${namespace.arn}`);
    const alias = await failureOf(
      ctx.ecs.send(
        new CreateServiceCommand(
          service({
            serviceName: 'web-3',
            serviceConnectConfiguration: {
              enabled: true,
              namespace: 'service.local',
              services: [
                {
                  portName: 'http-3000',
                  discoveryName: 'web-3',
                  clientAliases: [{ dnsName: 'web.service.local', port: 3000 }],
                },
              ],
            },
          }),
        ),
      ),
    );
    expect(alias.message).toMatch(/client alias web.service.local:3000 is already used/);
  });

  test('WHEN a tcp port (no appProtocol) gets a per-request timeout THEN it is refused', async () => {
    const tcp = await register('tcp-app');
    const error = await failureOf(
      ctx.ecs.send(
        new CreateServiceCommand(
          service({
            serviceName: 'tcp',
            taskDefinition: tcp,
            serviceConnectConfiguration: {
              enabled: true,
              namespace: 'service.local',
              services: [
                { portName: 'http-3000', discoveryName: 'tcp', timeout: { perRequestTimeoutSeconds: 5 } },
              ],
            },
          }),
        ),
      ),
    );
    expect(error.message).toMatch(/perRequestTimeoutSeconds can only be set/);
  });
});

describe('GIVEN a Service Connect service', () => {
  test('WHEN it is updated to a revision whose port changes appProtocol THEN it is refused; the same appProtocol is accepted', async () => {
    await ctx.ecs.send(new CreateServiceCommand(service()));
    const grpc = await register('web', 'grpc');
    const error = await failureOf(
      ctx.ecs.send(new UpdateServiceCommand({ cluster: 'demo', service: 'web', taskDefinition: grpc })),
    );
    expect(error.message).toMatch(/appProtocol of port http-3000 cannot change from http to grpc/);
    const http = await register('web', 'http');
    const out = await ctx.ecs.send(
      new UpdateServiceCommand({ cluster: 'demo', service: 'web', taskDefinition: http }),
    );
    expect(out.service!.taskDefinition).toBe(http);
  });

  test('WHEN it is deleted THEN it is DRAINING in the answer, INACTIVE after, and the namespace can be deleted', async () => {
    await ctx.ecs.send(new CreateServiceCommand(service({ desiredCount: 1 })));
    const scaled = await failureOf(
      ctx.ecs.send(new DeleteServiceCommand({ cluster: 'demo', service: 'web' })),
    );
    expect(scaled.message).toBe('The service cannot be stopped while it is scaled above 0.');
    const out = await ctx.ecs.send(
      new DeleteServiceCommand({ cluster: 'demo', service: 'web', force: true }),
    );
    expect(out.service!.status).toBe('DRAINING');
    const described = await ctx.ecs.send(
      new DescribeServicesCommand({ cluster: 'demo', services: ['web', 'nope'] }),
    );
    expect(described.services!.map((s) => s.status)).toEqual(['INACTIVE']);
    expect(described.failures).toEqual([
      { arn: 'arn:aws:ecs:us-east-1:111122223333:service/demo/nope', reason: 'MISSING' },
    ]);
    expect(await cloudMapServices(namespace.id)).toEqual([]);
    expect((await sd.send(new GetNamespaceCommand({ Id: namespace.id }))).Namespace!.ServiceCount).toBe(0);
    await sd.send(new DeleteNamespaceCommand({ Id: namespace.id }));
  });
});
