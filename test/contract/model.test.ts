import { desiredMesh } from '../../lambda/appmesh/desired';
import { physicalIdOf } from '../../lambda/appmesh/model';
import { parseFor } from '../../lambda/backends';
import { ownerTagValue } from '../../lambda/ownership';

/** These properties are App Mesh's: the model is the App Mesh backend's. */
const parseProperties = (raw: unknown, accountId?: string) => parseFor('AppMesh', raw, accountId);

const base = {
  MeshName: 'ecs-mesh',
  ServiceName: 'ecsdemo-frontend',
  Namespace: 'service.local',
  Port: '3000',
};
const owner = {
  physicalId: 'p',
  stackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/s/1',
  logicalResourceId: 'L',
};

describe('GIVEN the identity of a service', () => {
  test('WHEN the physical id is derived THEN it is mesh, owner and ServiceName, never a request id', () => {
    expect(parseProperties(base).physicalId).toBe('mesh/ecs-mesh/service/ecsdemo-frontend');
    expect(parseProperties({ ...base, MeshOwner: '123456789012' }).physicalId).toBe(
      'mesh/ecs-mesh@123456789012/service/ecsdemo-frontend',
    );
    expect(physicalIdOf({ meshName: 'm', serviceName: 's' })).toBe('mesh/m/service/s');
  });

  test("WHEN MeshOwner names the provider's own account THEN it is the same identity as no MeshOwner", () => {
    expect(parseProperties({ ...base, MeshOwner: '111122223333' }, '111122223333').physicalId).toBe(
      parseProperties(base, '111122223333').physicalId,
    );
    expect(parseProperties({ ...base, MeshOwner: '111122223333' }, '111122223333').meshOwner).toBeUndefined();
  });

  test('WHEN the virtual service name, namespace or edge flag change THEN the identity does not', () => {
    const id = parseProperties(base).physicalId;
    expect(parseProperties({ ...base, VirtualServiceName: 'other.example' }).physicalId).toBe(id);
    expect(parseProperties({ ...base, Namespace: 'svc.local' }).physicalId).toBe(id);
    expect(parseProperties({ ...base, Edge: 'true' }).physicalId).toBe(id);
  });

  test('WHEN a physical id is longer than a tag value may be THEN the ownership tag holds its digest', () => {
    const long = `mesh/${'m'.repeat(255)}/service/s`;
    expect(ownerTagValue(long)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(ownerTagValue('mesh/m/service/s')).toBe('mesh/m/service/s');
  });
});

describe('GIVEN the workshop services', () => {
  test('WHEN crystal is declared in its short form THEN it is one node provided directly to the virtual service', () => {
    const m = parseProperties({ ...base, ServiceName: 'ecsdemo-crystal' });
    expect(m.virtualServiceName).toBe('ecsdemo-crystal.service.local');
    expect(m.versions).toEqual([
      {
        nodeName: 'ecsdemo-crystal',
        discovery: {
          kind: 'cloudMap',
          namespace: 'service.local',
          serviceName: 'ecsdemo-crystal',
          attributes: {},
        },
        primary: true,
      },
    ]);
    expect(m.router).toBeUndefined();
    expect(m.accessLogPath).toBe('/dev/stdout');
  });

  test('WHEN the frontend has routes and a gateway THEN it gets a router, a route and a gateway route', () => {
    const m = parseProperties({
      ...base,
      Backends: ['ecsdemo-nodejs.service.local', 'ecsdemo-crystal.service.local'],
      Routes: [{ Name: 'frontend-a' }],
      Gateway: { VirtualGatewayName: 'ecsworkshop-vgw', RouteName: 'frontend-router' },
    });
    const specs = desiredMesh(m, { owner });
    expect(specs.map((r) => `${r.key.kind}:${r.key.parent ?? ''}/${r.key.name}`)).toEqual([
      'virtualNode:/ecsdemo-frontend',
      'virtualRouter:/ecsdemo-frontend',
      'route:ecsdemo-frontend/frontend-a',
      'virtualService:/ecsdemo-frontend.service.local',
      'gatewayRoute:ecsworkshop-vgw/frontend-router',
    ]);
    expect(specs[0]!.spec).toEqual({
      listeners: [{ portMapping: { port: 3000, protocol: 'http' } }],
      serviceDiscovery: { awsCloudMap: { namespaceName: 'service.local', serviceName: 'ecsdemo-frontend' } },
      backends: [
        { virtualService: { virtualServiceName: 'ecsdemo-crystal.service.local' } },
        { virtualService: { virtualServiceName: 'ecsdemo-nodejs.service.local' } },
      ],
      logging: { accessLog: { file: { path: '/dev/stdout' } } },
    });
    expect(specs[2]!.spec).toEqual({
      httpRoute: {
        action: { weightedTargets: [{ virtualNode: 'ecsdemo-frontend', weight: 100 }] },
        match: { prefix: '/' },
      },
    });
    expect(specs[3]!.spec).toEqual({
      provider: { virtualRouter: { virtualRouterName: 'ecsdemo-frontend' } },
    });
    expect(specs[4]!.spec).toEqual({
      httpRoute: {
        action: { target: { virtualService: { virtualServiceName: 'ecsdemo-frontend.service.local' } } },
        match: { prefix: '/' },
      },
    });
  });
});

describe('GIVEN a service with two versions', () => {
  const m = parseProperties({
    ...base,
    Versions: [
      {
        Name: 'v1',
        TaskDefinition: 'arn:aws:ecs:us-east-1:111122223333:task-definition/frontend-v1:4',
        Weight: '90',
      },
      { Name: 'v2', TaskDefinition: 'frontend-v2', Weight: '10' },
    ],
  });

  test('WHEN modelled THEN each version discovers only its own family in Cloud Map', () => {
    expect(m.versions.map((v) => [v.nodeName, v.discovery])).toEqual([
      [
        'ecsdemo-frontend-v1',
        {
          kind: 'cloudMap',
          namespace: 'service.local',
          serviceName: 'ecsdemo-frontend',
          attributes: { ECS_TASK_DEFINITION_FAMILY: 'frontend-v1' },
        },
      ],
      [
        'ecsdemo-frontend-v2',
        {
          kind: 'cloudMap',
          namespace: 'service.local',
          serviceName: 'ecsdemo-frontend',
          attributes: { ECS_TASK_DEFINITION_FAMILY: 'frontend-v2' },
        },
      ],
    ]);
  });

  test('WHEN no Routes are given THEN one default route carries the version weights', () => {
    expect(m.router?.routes).toEqual([
      {
        name: 'default',
        match: { prefix: '/', headers: [], queryParameters: [], metadata: [] },
        targets: [
          { nodeName: 'ecsdemo-frontend-v1', weight: 90 },
          { nodeName: 'ecsdemo-frontend-v2', weight: 10 },
        ],
      },
    ]);
  });

  test('WHEN routes name their own targets THEN those weights win over the versions', () => {
    const custom = parseProperties({
      ...base,
      Versions: [
        { Name: 'v1', TaskDefinition: 'frontend-v1:1' },
        { Name: 'v2', TaskDefinition: 'frontend-v2:1' },
      ],
      Routes: [
        {
          Name: 'beta',
          Match: { Headers: [{ Name: 'x-beta', Exact: '1' }] },
          Targets: [{ Version: 'v2', Weight: 1 }],
        },
        { Name: 'main', Targets: [{ Version: 'v1', Weight: 1 }] },
      ],
    });
    expect(custom.router?.routes.map((r) => [r.name, r.targets, r.match.headers])).toEqual([
      [
        'beta',
        [{ nodeName: 'ecsdemo-frontend-v2', weight: 1 }],
        [{ name: 'x-beta', match: { kind: 'exact', value: '1' }, invert: false }],
      ],
      ['main', [{ nodeName: 'ecsdemo-frontend-v1', weight: 1 }], []],
    ]);
  });
});
