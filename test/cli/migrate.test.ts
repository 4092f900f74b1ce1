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
    expect(resources.Frontend.Properties.Gateway).toBeUndefined();
    expect(JSON.stringify(resources.FrontendTaskDefinition)).toContain('ClientAliasDnsName');
    expect(JSON.stringify(migration.template)).not.toContain('VirtualServiceName');
  });

  test('WHEN migrated THEN what did not carry over is listed with the reason, at the top of the output', () => {
    expect(migration.notes.map((n) => n.where)).toEqual(
      expect.arrayContaining(['Frontend.Gateway', 'Frontend.Backends', 'Outputs.FrontendGatewayRoute']),
    );
    expect(migration.text.split('\n')[0]).toMatch(/^# Migrated to ECS Service Connect/);
    expect(migration.text).toContain('#   - Frontend.Gateway: Service Connect has no gateway routes');
    expect(parseTemplate(migration.text).Outputs).not.toHaveProperty('FrontendGatewayRoute');
  });
});

describe('GIVEN examples/canary.yaml (two weighted versions)', () => {
  test('WHEN migrated THEN the weighted versions are refused by name, the heavier kept, and the output validates', () => {
    const migration = migrateTemplate(example('canary.yaml'));
    expect(validateTemplate(migration.text).findings).toEqual([]);
    const where = migration.notes.map((n) => n.where);
    expect(where).toEqual(expect.arrayContaining(['Mesh.Versions', 'Mesh.Routes[0].Retry', 'GreenService']));
    expect(migration.notes.find((n) => n.where === 'Mesh.Versions')!.message).toMatch(/CANARY or LINEAR/);
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
