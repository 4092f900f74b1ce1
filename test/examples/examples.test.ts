/** The raw CloudFormation examples: valid templates, valid Custom::MeshService resources, wired as documented. */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseTemplate } from '../../cli/template';
import { validateTemplate } from '../../cli/validate';

const dir = path.join(__dirname, '..', '..', 'examples');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

test('GIVEN the examples folder THEN it holds the workshop and the canary (App Mesh, Service Connect and VPC Lattice), mutual TLS and the catalog product', () => {
  expect(files.sort()).toEqual([
    'canary-service-connect.yaml',
    'canary-vpc-lattice.yaml',
    'canary.yaml',
    'mtls.yaml',
    'service.yaml',
    'workshop-service-connect.yaml',
    'workshop-vpc-lattice.yaml',
    'workshop.yaml',
  ]);
});

describe.each(files)('GIVEN examples/%s', (file) => {
  const text = readFileSync(path.join(dir, file), 'utf8');
  const template = parseTemplate(text);
  const resources = template.Resources ?? {};

  test('WHEN it is validated as `mesh-service validate` does THEN every reference resolves and every Custom::MeshService is valid', () => {
    const report = validateTemplate(text);
    expect(report.findings).toEqual([]);
    expect(report.services.length).toBeGreaterThan(0);
  });

  test('WHEN an ECS service runs a meshed task THEN it uses the patched revision from Fn::GetAtt of a Custom::MeshService', () => {
    const services = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::ECS::Service');
    expect(services.length).toBeGreaterThan(0);
    for (const [, service] of services) {
      const td = service.Properties?.TaskDefinition as { 'Fn::GetAtt'?: [string, string] };
      const [target, attribute] = td['Fn::GetAtt'] ?? [];
      expect(resources[target!]?.Type).toBe('Custom::MeshService');
      expect(attribute).toMatch(/^(TaskDefinitionArn|Versions\.[A-Za-z0-9_-]+\.TaskDefinitionArn)$/);
    }
  });

  test('WHEN a Custom::MeshService is declared THEN it takes the ServiceToken from the provider and sets ServiceTimeout', () => {
    for (const r of Object.values(resources).filter((x) => x.Type === 'Custom::MeshService')) {
      expect(JSON.stringify(r.Properties?.ServiceToken)).toContain('MeshServiceProvider-ServiceToken');
      expect(Number(r.Properties?.ServiceTimeout)).toBeGreaterThanOrEqual(900);
    }
  });
});

test('GIVEN examples/workshop.yaml THEN it declares crystal, nodejs and the frontend with its backends, router and gateway route', () => {
  const resources = parseTemplate(readFileSync(path.join(dir, 'workshop.yaml'), 'utf8')).Resources ?? {};
  const mesh = Object.values(resources)
    .filter((r) => r.Type === 'Custom::MeshService')
    .map((r) => r.Properties!);
  expect(mesh.map((p) => p.ServiceName).sort()).toEqual([
    'ecsdemo-crystal',
    'ecsdemo-frontend',
    'ecsdemo-nodejs',
  ]);
  const frontend = mesh.find((p) => p.ServiceName === 'ecsdemo-frontend')!;
  // The backends are the other services' virtual services, by Fn::GetAtt (which also orders the creates).
  expect(frontend.Backends).toEqual([
    { 'Fn::GetAtt': ['Crystal', 'VirtualServiceName'] },
    { 'Fn::GetAtt': ['Nodejs', 'VirtualServiceName'] },
  ]);
  expect(frontend.Routes).toEqual([expect.objectContaining({ Name: 'frontend-a' })]);
  expect(frontend.Gateway).toEqual(
    expect.objectContaining({ VirtualGatewayName: { 'Fn::ImportValue': 'MeshVGWName' } }),
  );
});

test('GIVEN examples/canary.yaml THEN the two weights are template parameters (a canary is a parameter change)', () => {
  const template = parseTemplate(readFileSync(path.join(dir, 'canary.yaml'), 'utf8'));
  const svc = Object.values(template.Resources ?? {}).find((r) => r.Type === 'Custom::MeshService')!;
  const versions = svc.Properties!.Versions as { Weight: { Ref: string } }[];
  expect(versions).toHaveLength(2);
  for (const v of versions) expect(template.Parameters?.[v.Weight.Ref]?.Type).toBe('Number');
});
