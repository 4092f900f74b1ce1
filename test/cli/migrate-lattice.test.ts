/**
 * `mesh-service migrate --to vpc-lattice`: the VPC Lattice version of the App Mesh examples validates with the
 * provider's own rules (`mesh-service validate`; test/cli/cfn-lint-rule.test.ts lints the committed outputs with the
 * cfn-lint rule), keeps the versions' weights, wires every version's ECS service into its target group, and says
 * what did not carry over: what the Lattice contract refuses is dropped with a note each, never a failure.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../cli/main';
import { LATTICE_ROLE_PARAMETER, migrateToVpcLattice } from '../../cli/migrate-lattice';
import { validateTemplate } from '../../cli/validate';

const example = (name: string) => readFileSync(join(__dirname, '..', '..', 'examples', name), 'utf8');
// biome-ignore lint/suspicious/noExplicitAny: a parsed template is untyped JSON, read by path in assertions
type Json = Record<string, any>;

const wiring = (id: string, attribute: string) => [
  {
    PortName: { 'Fn::GetAtt': [id, 'PortName'] },
    RoleArn: { Ref: LATTICE_ROLE_PARAMETER },
    TargetGroupArn: { 'Fn::GetAtt': [id, attribute] },
  },
];

describe('GIVEN examples/workshop.yaml', () => {
  const migration = migrateToVpcLattice(example('workshop.yaml'));
  const resources = migration.template.Resources as Json;

  test('WHEN migrated to VPC Lattice THEN the output validates and is examples/workshop-vpc-lattice.yaml', () => {
    expect(validateTemplate(migration.text)).toEqual({
      services: ['Crystal', 'Nodejs', 'Frontend'],
      findings: [],
    });
    expect(migration.text).toBe(example('workshop-vpc-lattice.yaml'));
  });

  test('WHEN migrated THEN every Custom::MeshService is on VPC Lattice in the platform network, its ECS service joins its target group and leaves Cloud Map', () => {
    for (const [id, service, discovery] of [
      ['Crystal', 'CrystalService', 'CrystalDiscovery'],
      ['Nodejs', 'NodejsService', 'NodejsDiscovery'],
      ['Frontend', 'FrontendService', 'FrontendDiscovery'],
    ] as const) {
      expect(resources[id].Properties.Backend).toBe('VpcLattice');
      expect(resources[id].Properties.VpcLattice).toEqual({
        ServiceNetwork: { 'Fn::ImportValue': 'MeshLatticeServiceNetworkName' },
        VpcId: { 'Fn::ImportValue': 'MeshVpcId' },
      });
      expect(resources[service].Properties.VpcLatticeConfigurations).toEqual(wiring(id, 'TargetGroupArn'));
      expect(resources[service].Properties.ServiceRegistries).toBeUndefined();
      expect(resources[discovery]).toBeUndefined();
    }
    expect((migration.template as Json).Parameters[LATTICE_ROLE_PARAMETER].Type).toBe('String');
    expect(resources.Frontend.Properties.Gateway).toBeUndefined();
    expect(JSON.stringify(resources.FrontendTaskDefinition)).toContain('CustomDomainName');
    expect(JSON.stringify(migration.template)).not.toContain('VirtualServiceName');
    expect(JSON.stringify(migration.template)).not.toContain('appmesh:');
  });

  test('WHEN migrated THEN what did not carry over is listed with the reason, at the top of the output', () => {
    expect(migration.notes.map((n) => n.where)).toEqual(
      expect.arrayContaining([
        'Frontend.Gateway',
        'Frontend.Backends',
        'CrystalService.ServiceRegistries',
        'Outputs.FrontendGatewayRoute',
      ]),
    );
    expect(migration.text.split('\n')[0]).toMatch(/^# Migrated to Amazon VPC Lattice/);
    expect(migration.text).toContain('#   - Frontend.Gateway: removed: VPC Lattice has no gateway routes');
  });
});

describe('GIVEN examples/canary.yaml (two weighted versions)', () => {
  const migration = migrateToVpcLattice(example('canary.yaml'));
  const resources = migration.template.Resources as Json;

  test('WHEN migrated to VPC Lattice THEN the output validates and is examples/canary-vpc-lattice.yaml', () => {
    expect(validateTemplate(migration.text).findings).toEqual([]);
    expect(migration.text).toBe(example('canary-vpc-lattice.yaml'));
  });

  test('WHEN migrated THEN the standing weights are kept and each version keeps its own ECS service, joined to its own target group', () => {
    expect(resources.Mesh.Properties.Versions).toEqual([
      { Name: 'blue', TaskDefinition: { Ref: 'BlueTaskDefinition' }, Weight: { Ref: 'BlueWeight' } },
      { Name: 'green', TaskDefinition: { Ref: 'GreenTaskDefinition' }, Weight: { Ref: 'GreenWeight' } },
    ]);
    expect(resources.BlueService.Properties.VpcLatticeConfigurations).toEqual(
      wiring('Mesh', 'Versions.blue.TargetGroupArn'),
    );
    expect(resources.GreenService.Properties.VpcLatticeConfigurations).toEqual(
      wiring('Mesh', 'Versions.green.TargetGroupArn'),
    );
    expect(resources.BlueService.Properties.DesiredCount).toEqual({ Ref: 'BlueDesiredCount' });
    expect(resources.GreenService.Properties.DesiredCount).toEqual({ Ref: 'GreenDesiredCount' });
  });

  test('WHEN migrated THEN the route keeps its match without its retry policy, with a note saying why', () => {
    expect(resources.Mesh.Properties.Routes).toEqual([{ Name: 'canary', Match: { Prefix: '/' } }]);
    expect(migration.notes).toContainEqual({
      where: 'Mesh.Routes.canary.Retry',
      message: expect.stringMatching(/^removed: VPC Lattice does not take retry policies/),
    });
    expect((migration.template as Json).Parameters.ServiceName.AllowedPattern).toMatch(/^\^\[a-z0-9\]/);
    expect((migration.template as Json).Outputs.VirtualServiceName.Value).toEqual({
      'Fn::GetAtt': ['Mesh', 'CustomDomainName'],
    });
  });
});

describe('GIVEN what the Lattice contract refuses', () => {
  const template = `
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties: { Family: svc }
  Svc:
    Type: Custom::MeshService
    Properties:
      ServiceToken: !ImportValue MeshServiceProvider-ServiceToken
      MeshName: ecs-mesh
      ServiceName: Svc_Api
      Namespace: service.local
      Port: 8080
      TaskDefinition: !Ref Task
      ListenerTimeout: { PerRequestMillis: 5000 }
      OutlierDetection: { MaxServerErrors: 5, IntervalMillis: 10000, BaseEjectionDurationMillis: 30000, MaxEjectionPercent: 50 }
      ConnectionPool: { MaxConnections: 100 }
      Tls:
        Mode: STRICT
        Certificate: { AcmCertificateArn: arn:aws:acm:us-east-1:111122223333:certificate/abc }
        Validation: { Trust: { Sds: { SecretName: ca } } }
      HealthCheck: { Path: /health, IntervalMillis: 5500 }
      Routes:
        - Name: by-regex
          Match: { PathRegex: "^/v[0-9]+/" }
        - Name: by-range
          Match: { Headers: [{ Name: x-version, Range: { Start: 1, End: 3 } }] }
        - Name: API_V2
          Match: { Prefix: /v2, Port: 8080 }
          Timeout: { PerRequestMillis: 2000 }
          Retry: { MaxRetries: 2, PerRetryTimeoutMillis: 1000, HttpRetryEvents: [server-error] }
        - Name: default
  SvcService:
    Type: AWS::ECS::Service
    Properties:
      TaskDefinition: !GetAtt Svc.TaskDefinitionArn
`;
  const migration = migrateToVpcLattice(template);
  const props = (migration.template.Resources as Json).Svc.Properties;

  test('WHEN migrated THEN timeouts, retries, outlier detection, pools, mTLS and regex/range routes are dropped, a note each, and the output validates', () => {
    for (const key of ['ListenerTimeout', 'OutlierDetection', 'ConnectionPool', 'Tls'])
      expect(props[key]).toBeUndefined();
    expect(props.Routes).toEqual([{ Name: 'api-v2', Match: { Prefix: '/v2' } }, { Name: 'default' }]);
    expect(props.ServiceName).toBe('service-svc-api');
    expect(props.HealthCheck).toEqual({ Path: '/health', IntervalMillis: '6000' });
    const where = migration.notes.map((n) => n.where);
    expect(where).toEqual(
      expect.arrayContaining([
        'Svc.ListenerTimeout',
        'Svc.OutlierDetection',
        'Svc.ConnectionPool',
        'Svc.Tls',
        'Svc.Routes.by-regex',
        'Svc.Routes.by-range',
        'Svc.Routes.API_V2.Timeout',
        'Svc.Routes.API_V2.Retry',
        'Svc.Routes.API_V2.Match.Port',
        'Svc.Routes.API_V2.Name',
        'Svc.ServiceName',
        'Svc.HealthCheck.IntervalMillis',
      ]),
    );
    expect(migration.notes.find((n) => n.where === 'Svc.Routes.by-regex')?.message).toMatch(
      /^route removed: VPC Lattice matches paths exactly or by prefix/,
    );
    expect(validateTemplate(migration.text).findings).toEqual([]);
  });
});

describe("GIVEN a canary whose first version keeps the service's own node (KeepServiceNode)", () => {
  const template = (serviceName: string) => `
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Name: { Type: String, Default: api }
Resources:
  V1: { Type: AWS::ECS::TaskDefinition, Properties: { Family: api-v1 } }
  V2: { Type: AWS::ECS::TaskDefinition, Properties: { Family: api-v2 } }
  Api:
    Type: Custom::MeshService
    Properties:
      ServiceToken: !ImportValue MeshServiceProvider-ServiceToken
      MeshName: ecs-mesh
      ServiceName: ${serviceName}
      Namespace: service.local
      Port: 8080
      Versions:
        - { Name: v1, Weight: 90, TaskDefinition: !Ref V1, KeepServiceNode: true }
        - { Name: v2, Weight: 10, TaskDefinition: !Ref V2 }
`;

  test('WHEN migrated THEN that version keeps the target group the service has without Versions (TargetGroupName <ServiceName>), with a note, and the output validates', () => {
    const migration = migrateToVpcLattice(template('api'));
    expect((migration.template.Resources as Json).Api.Properties.Versions).toEqual([
      { Name: 'v1', Weight: 90, TaskDefinition: { Ref: 'V1' }, TargetGroupName: 'api' },
      { Name: 'v2', Weight: 10, TaskDefinition: { Ref: 'V2' } },
    ]);
    expect(migration.notes.filter((n) => n.where === 'Api.Versions.v1').map((n) => n.message)).toEqual([
      expect.stringMatching(/^DiscoveryAttributes, KeepServiceNode and VirtualNodeName removed: /),
      expect.stringMatching(/^KeepServiceNode is TargetGroupName "api": this version keeps the target group/),
    ]);
    expect(validateTemplate(migration.text).findings).toEqual([]);
  });

  test('WHEN ServiceName is a parameter THEN TargetGroupName refers to it too', () => {
    const migration = migrateToVpcLattice(template('!Ref Name'));
    expect((migration.template.Resources as Json).Api.Properties.Versions[0].TargetGroupName).toEqual({
      Ref: 'Name',
    });
    expect(validateTemplate(migration.text).findings).toEqual([]);
  });
});

describe('GIVEN the CLI', () => {
  test('WHEN mesh-service migrate --to vpc-lattice is given a template THEN it prints the Lattice version and exits 0; an unknown target exits 2', async () => {
    const out: string[] = [];
    const file = join(__dirname, '..', '..', 'examples', 'canary.yaml');
    const quiet = () => {};
    expect(await main(['migrate', '--to', 'vpc-lattice', file], (l) => out.push(l), quiet)).toBe(0);
    expect(out.join('\n')).toBe(example('canary-vpc-lattice.yaml').replace(/\n$/, ''));
    const sc: string[] = [];
    expect(await main(['migrate', '--to', 'service-connect', file], (l) => sc.push(l), quiet)).toBe(0);
    expect(sc.join('\n')).toBe(example('canary-service-connect.yaml').replace(/\n$/, ''));
    expect(await main(['migrate', '--to', 'lattice', file], quiet, quiet)).toBe(2);
  });
});
