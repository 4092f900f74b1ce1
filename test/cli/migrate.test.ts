/**
 * `mesh-service migrate`: the Service Connect version of the App Mesh examples validates with the provider's own
 * rules (`mesh-service validate`), wires every ECS service from its Custom::MeshService, orders clients after
 * servers, and says what did not carry over. (cfn-lint is not run here: it is a Python tool this environment cannot
 * install; see docs/migration.md.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../cli/main';
import { migrateTemplate } from '../../cli/migrate';
import { parseTemplate } from '../../cli/template';
import { validateTemplate } from '../../cli/validate';

const example = (name: string) => readFileSync(join(__dirname, '..', '..', 'examples', name), 'utf8');
// biome-ignore lint/suspicious/noExplicitAny: a parsed template is untyped JSON, read by path in assertions
type Json = Record<string, any>;

describe('GIVEN examples/workshop.yaml', () => {
  const migration = migrateTemplate(example('workshop.yaml'));
  const resources = migration.template.Resources as Json;

  test('WHEN migrated THEN the output validates with mesh-service validate and is examples/workshop-service-connect.yaml', () => {
    expect(validateTemplate(migration.text)).toEqual({
      services: ['Crystal', 'Nodejs', 'Frontend'],
      findings: [],
    });
    expect(migration.text).toBe(example('workshop-service-connect.yaml'));
  });

  test('WHEN migrated THEN every Custom::MeshService is on Service Connect and its ECS service is wired from its attributes', () => {
    for (const [id, service] of [
      ['Crystal', 'CrystalService'],
      ['Nodejs', 'NodejsService'],
      ['Frontend', 'FrontendService'],
    ] as const) {
      expect(resources[id].Properties.Backend).toBe('ServiceConnect');
      expect(resources[service].Properties.ServiceConnectConfiguration).toEqual({
        Enabled: true,
        Namespace: { 'Fn::GetAtt': [id, 'NamespaceArn'] },
        Services: [
          {
            PortName: { 'Fn::GetAtt': [id, 'PortName'] },
            DiscoveryName: { 'Fn::GetAtt': [id, 'DiscoveryName'] },
            ClientAliases: [
              {
                DnsName: { 'Fn::GetAtt': [id, 'ClientAliasDnsName'] },
                Port: { 'Fn::GetAtt': [id, 'ClientAliasPort'] },
              },
            ],
          },
        ],
      });
    }
    expect(resources.FrontendService.DependsOn).toEqual(['CrystalService', 'NodejsService']);
    // The gateway route is an ALB listener rule on the platform's listener; the ECS service takes its target group.
    expect(resources.Frontend.Properties.Gateway).toEqual({
      Prefix: '/',
      ListenerArn: { 'Fn::ImportValue': 'MeshIngressListenerArn' },
    });
    expect(resources.FrontendService.Properties.LoadBalancers).toEqual([
      {
        ContainerName: 'frontend',
        ContainerPort: 3000,
        TargetGroupArn: { 'Fn::GetAtt': ['Frontend', 'TargetGroupArn'] },
      },
    ]);
    expect(JSON.stringify(resources.FrontendTaskDefinition)).toContain('ClientAliasDnsName');
    expect(JSON.stringify(migration.template)).not.toContain('VirtualServiceName');
  });

  test('WHEN migrated THEN what did not carry over is listed with the reason, at the top of the output', () => {
    expect(migration.notes.map((n) => n.where)).toEqual(
      expect.arrayContaining(['Frontend.Gateway', 'Frontend.Backends', 'Outputs.FrontendGatewayRoute']),
    );
    expect(migration.text.split('\n')[0]).toMatch(/^# Migrated to ECS Service Connect/);
    expect(migration.text).toContain(
      "#   - Frontend.Gateway: the gateway route becomes a listener rule on the platform's Application Load Balancer listener",
    );
    expect(parseTemplate(migration.text).Outputs).not.toHaveProperty('FrontendGatewayRoute');
  });
});

describe('GIVEN examples/canary.yaml (two weighted versions)', () => {
  const migration = migrateTemplate(example('canary.yaml'));
  const resources = migration.template.Resources as Json;

  test('WHEN migrated THEN the output validates and is examples/canary-service-connect.yaml', () => {
    expect(validateTemplate(migration.text).findings).toEqual([]);
    expect(migration.text).toBe(example('canary-service-connect.yaml'));
  });

  test('WHEN migrated THEN the two versions are a rollout: one ECS service, the ECS controller, its DeploymentConfiguration wired from the attributes without the circuit breaker', () => {
    expect(resources.Mesh.Properties.Versions.map((v: Json) => v.Name)).toEqual(['blue', 'green']);
    expect(resources.GreenService).toBeUndefined();
    const blue = resources.BlueService.Properties;
    expect(blue.TaskDefinition).toEqual({ 'Fn::GetAtt': ['Mesh', 'TaskDefinitionArn'] });
    expect(blue.DeploymentController).toEqual({ Type: 'ECS' });
    expect(blue.DeploymentConfiguration).toEqual({
      Strategy: { 'Fn::GetAtt': ['Mesh', 'DeploymentStrategy'] },
      CanaryConfiguration: {
        CanaryPercent: { 'Fn::GetAtt': ['Mesh', 'CanaryPercent'] },
        CanaryBakeTimeInMinutes: { 'Fn::GetAtt': ['Mesh', 'CanaryBakeTimeInMinutes'] },
      },
    });
    expect((migration.template.Parameters as Json).GreenDesiredCount).toBeUndefined();
    const where = migration.notes.map((n) => n.where);
    expect(where).toEqual(
      expect.arrayContaining([
        'Mesh.Versions',
        'Mesh.Routes[0].Retry',
        'GreenService',
        'BlueService.DeploymentConfiguration.DeploymentCircuitBreaker',
        'Parameters.GreenDesiredCount',
      ]),
    );
    expect(migration.notes.find((n) => n.where === 'Mesh.Versions')!.message).toMatch(
      /kept as a rollout.*CANARY.*lost: a standing split.*VpcLattice/,
    );
  });
});

describe('GIVEN a rollout with a test-traffic route, access logs, a listener timeout and one-way TLS', () => {
  const template = `
Resources:
  V1:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: web
      ContainerDefinitions:
        - Name: app
          Image: nginx
          LogConfiguration: { LogDriver: awslogs, Options: { awslogs-group: web, awslogs-stream-prefix: app } }
  V2:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: web-v2
      ContainerDefinitions: [{ Name: app, Image: nginx }]
  Web:
    Type: Custom::MeshService
    Properties:
      ServiceToken: arn:aws:lambda:us-east-1:111122223333:function:provider
      MeshName: ecs-mesh
      ServiceName: web
      Namespace: service.local
      Port: 3000
      Protocol: http
      TaskDefinition: !Ref V1
      AccessLogFormat: { Text: "%RESPONSE_CODE%\\n" }
      ListenerTimeout: { IdleMillis: 30000 }
      Tls: { Mode: STRICT, Certificate: { AcmCertificateArn: "arn:aws:acm:us-east-1:111122223333:certificate/abc" } }
  WebService:
    Type: AWS::ECS::Service
    Properties:
      TaskDefinition: !GetAtt Web.TaskDefinitionArn
`;
  const withVersions = template
    .replace(
      '      TaskDefinition: !Ref V1\n',
      `      Versions:
        - { Name: v1, TaskDefinition: !Ref V1, Weight: 90 }
        - { Name: v2, TaskDefinition: !Ref V2, Weight: 10 }
      Routes:
        - Name: test
          Match: { Headers: [{ Name: x-canary, Exact: "true" }] }
          Targets: [{ Version: v2 }]
        - Name: all
          Match: { Prefix: / }
`,
    )
    .replace('!GetAtt Web.TaskDefinitionArn', '!GetAtt Web.Versions.v1.TaskDefinitionArn');

  test('WHEN migrated THEN the ECS service gets TestTrafficRules, AccessLogConfiguration with the task’s log configuration, the Timeout and Tls, all from the attributes, and the output validates', () => {
    const migration = migrateTemplate(withVersions);
    expect(validateTemplate(migration.text).findings).toEqual([]);
    const resources = migration.template.Resources as Json;
    expect(resources.Web.Properties.Routes).toEqual([
      {
        Name: 'test',
        Match: { Headers: [{ Name: 'x-canary', Exact: 'true' }] },
        Targets: [{ Version: 'v2' }],
      },
      { Name: 'all' },
    ]);
    expect(resources.Web.Properties.ServiceConnect.Tls).toEqual({
      AwsPcaAuthorityArn: { Ref: 'WebTlsCertificateAuthorityArn' },
      RoleArn: { Ref: 'WebTlsRoleArn' },
    });
    expect(Object.keys(migration.template.Parameters as Json)).toEqual([
      'WebTlsCertificateAuthorityArn',
      'WebTlsRoleArn',
    ]);
    const sc = resources.WebService.Properties.ServiceConnectConfiguration;
    const att = (name: string) => ({ 'Fn::GetAtt': ['Web', name] });
    expect(sc.AccessLogConfiguration).toEqual({ Format: att('AccessLogFormat') });
    expect(sc.LogConfiguration).toEqual({
      LogDriver: 'awslogs',
      Options: { 'awslogs-group': 'web', 'awslogs-stream-prefix': 'service-connect' },
    });
    expect(sc.Services[0].Timeout).toEqual({ IdleTimeoutSeconds: att('IdleTimeoutSeconds') });
    expect(sc.Services[0].Tls).toEqual({
      IssuerCertificateAuthority: { AwsPcaAuthorityArn: att('TlsAwsPcaAuthorityArn') },
      RoleArn: att('TlsRoleArn'),
    });
    expect(sc.Services[0].ClientAliases[0].TestTrafficRules).toEqual({
      Header: { Name: att('TestTrafficHeaderName'), Value: { Exact: att('TestTrafficHeaderValue') } },
    });
    expect(resources.WebService.Properties.DeploymentController).toEqual({ Type: 'ECS' });
    expect(migration.notes.find((n) => n.where === 'Web.AccessLogFormat')!.message).toMatch(
      /custom fields.*lost/,
    );
  });

  test('WHEN the TLS is mutual THEN it is removed with a note saying Service Connect has no mutual TLS', () => {
    const migration = migrateTemplate(
      template.replace(
        'Certificate: {',
        'Validation: { Trust: { CertificateChain: /ca.pem } }, Certificate: {',
      ),
    );
    expect((migration.template.Resources as Json).Web.Properties.Tls).toBeUndefined();
    expect(migration.notes.find((n) => n.where === 'Web.Tls')!.message).toMatch(/^removed: .*no mutual TLS/);
    expect(validateTemplate(migration.text).findings).toEqual([]);
  });
});

describe('GIVEN examples/mtls.yaml (mutual TLS, outlier detection, a connection pool, client TLS policies)', () => {
  test('WHEN migrated THEN what the Service Connect proxy has no setting for is removed with its reason, the timeouts and access logs kept, and the output validates', () => {
    const migration = migrateTemplate(example('mtls.yaml'));
    expect(validateTemplate(migration.text).findings).toEqual([]);
    const orders = (migration.template.Resources as Json).Orders.Properties;
    for (const key of ['Tls', 'OutlierDetection', 'ConnectionPool']) expect(orders[key]).toBeUndefined();
    expect(orders.ListenerTimeout).toBeDefined();
    expect(orders.AccessLogFormat).toBeDefined();
    expect(migration.notes.map((n) => n.where)).toEqual(
      expect.arrayContaining([
        'Orders.Tls',
        'Orders.OutlierDetection',
        'Orders.ConnectionPool',
        'Frontend.BackendPolicies',
        'Orders.AccessLogFormat',
      ]),
    );
  });
});

describe('GIVEN services named by DnsHostname, several in one namespace', () => {
  const service = (name: string, host: string, dependsOn?: string) => `
  ${name}:
    Type: Custom::MeshService${dependsOn ? `\n    DependsOn: ${dependsOn}` : ''}
    Properties:
      ServiceToken: token
      MeshName: ecs-mesh
      ServiceName: ${name.toLowerCase()}
      DnsHostname: ${host}
      Port: 3000`;
  const text = `AWSTemplateFormatVersion: "2010-09-09"
Resources:${service('Crystal', 'crystal.apps.local')}${service('Nodejs', 'nodejs.apps.local', 'Crystal')}${service('Frontend', 'frontend.apps.local')}${service('Billing', 'billing.billing.local')}
`;

  test('WHEN migrated THEN only the first service of each namespace creates it; the others declare it existing and depend on that first one, and the output validates', () => {
    const migration = migrateTemplate(text);
    const resources = migration.template.Resources as Json;
    expect(resources.Crystal.Properties.ServiceConnect).toEqual({
      Namespace: 'apps.local',
      CreateNamespace: true,
    });
    expect(resources.Billing.Properties.ServiceConnect).toEqual({
      Namespace: 'billing.local',
      CreateNamespace: true,
    });
    for (const id of ['Nodejs', 'Frontend']) {
      expect(resources[id].Properties.ServiceConnect).toEqual({ Namespace: 'apps.local' });
    }
    expect(resources.Nodejs.DependsOn).toEqual(['Crystal']);
    expect(resources.Frontend.DependsOn).toEqual(['Crystal']);
    expect(resources.Crystal.DependsOn).toBeUndefined();
    expect(migration.notes.find((n) => n.where === 'Frontend.DnsHostname')!.message).toMatch(
      /declared existing: Crystal creates it/,
    );
    expect(validateTemplate(migration.text).findings).toEqual([]);
  });
});

describe('GIVEN two services that both ask to create one namespace', () => {
  test('WHEN migrated THEN the second declares it existing and depends on the first, with a note saying why', () => {
    const service = (name: string) => `
  ${name}:
    Type: Custom::MeshService
    Properties:
      ServiceToken: token
      MeshName: ecs-mesh
      ServiceName: ${name.toLowerCase()}
      Namespace: apps.local
      Port: 3000
      ServiceConnect:
        CreateNamespace: true`;
    const migration = migrateTemplate(`Resources:${service('Crystal')}${service('Nodejs')}\n`);
    const resources = migration.template.Resources as Json;
    expect(resources.Crystal.Properties.ServiceConnect).toEqual({ CreateNamespace: true });
    expect(resources.Crystal.DependsOn).toBeUndefined();
    expect(resources.Nodejs.Properties.ServiceConnect).toBeUndefined();
    expect(resources.Nodejs.DependsOn).toEqual(['Crystal']);
    expect(migration.notes.find((n) => n.where === 'Nodejs.ServiceConnect.CreateNamespace')!.message).toMatch(
      /removed: Crystal creates namespace "apps.local"/,
    );
    expect(validateTemplate(migration.text).findings).toEqual([]);
  });
});

describe('GIVEN the CLI', () => {
  test('WHEN mesh-service migrate is given a template THEN it prints the migrated template and exits 0; without one it exits 2', async () => {
    const out: string[] = [];
    const file = join(__dirname, '..', '..', 'examples', 'workshop.yaml');
    expect(
      await main(
        ['migrate', file],
        (l) => out.push(l),
        () => {},
      ),
    ).toBe(0);
    expect(out.join('\n')).toBe(example('workshop-service-connect.yaml').replace(/\n$/, ''));
    expect(
      await main(
        ['migrate'],
        () => {},
        () => {},
      ),
    ).toBe(2);
  });
});
