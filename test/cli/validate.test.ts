import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { validateTemplate } from '../../cli/validate';

const template = (properties: string, extra = '') => `
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  BlueWeight: { Type: Number, Default: 90 }
  GreenWeight: { Type: Number }
Resources:
  Blue:
    Type: AWS::ECS::TaskDefinition
    Properties: { Family: blue }
  Green:
    Type: AWS::ECS::TaskDefinition
    Properties: { Family: green }
  Svc:
    Type: Custom::MeshService
    Properties:
      ServiceToken: !ImportValue MeshServiceProvider-ServiceToken
${properties
  .trim()
  .split('\n')
  .map((l) => `      ${l}`)
  .join('\n')}
${extra}`;

const canary = `
MeshName: ecs-mesh
ServiceName: nodejs
Namespace: service.local
Port: 3000
Versions:
  - { Name: blue, TaskDefinition: !Ref Blue, Weight: !Ref BlueWeight }
  - { Name: green, TaskDefinition: !Ref Green, Weight: !Ref GreenWeight }
`;

describe('GIVEN a template with a Custom::MeshService', () => {
  test('WHEN it is valid THEN there is no finding; parameters with defaults are used, others left unknown', () => {
    const report = validateTemplate(
      template(
        canary,
        `  BlueService:\n    Type: AWS::ECS::Service\n    Properties:\n      TaskDefinition: !GetAtt Svc.Versions.blue.TaskDefinitionArn\n`,
      ),
    );
    expect(report).toEqual({ services: ['Svc'], findings: [] });
  });

  test.each([
    [
      'a bad property',
      'MeshName: ecs-mesh\nServiceName: x\nNamespace: service.local\nPort: abc',
      'Port',
      'expected an integer 1-65535, got "abc"',
    ],
    [
      'an unknown property',
      'MeshName: m\nServiceName: x\nNamespace: n.local\nPort: 1\nColour: red',
      'Colour',
      'unknown property; known properties are MeshName',
    ],
    [
      'a missing property',
      'MeshName: m\nNamespace: n.local\nPort: 1',
      'ServiceName',
      'required property is missing',
    ],
  ])(
    'WHEN it has %s THEN the finding names the logical id, the property and the rule',
    (_what, props, path, message) => {
      const [finding] = validateTemplate(template(props)).findings;
      expect(finding).toEqual({ logicalId: 'Svc', path, message: expect.stringContaining(message) });
    },
  );

  test('WHEN a parameter default breaks a rule THEN it is reported', () => {
    const findings = validateTemplate(template(canary).replace('Default: 90', 'Default: 190')).findings;
    expect(findings).toEqual([
      { logicalId: 'Svc', path: 'Versions[0].Weight', message: 'expected an integer 0-100, got 190' },
    ]);
  });

  test.each([
    [
      'Svc.TaskDefinitionArn',
      'Fn::GetAtt Svc: "TaskDefinitionArn" is returned for a single version only; use Versions.<Name>.TaskDefinitionArn',
    ],
    [
      'Svc.Versions.red.TaskDefinitionArn',
      'Fn::GetAtt Svc: "Versions.red.TaskDefinitionArn": no version named "red" (versions: blue, green)',
    ],
    ['Svc.Colour', 'Fn::GetAtt Svc: "Colour" is not an attribute of Custom::MeshService'],
    ['Nope.Arn', 'Fn::GetAtt of "Nope", which is not a resource'],
  ])('WHEN another resource reads !GetAtt %s THEN it is reported', (getAtt, message) => {
    const findings = validateTemplate(
      template(
        canary,
        `  Other:\n    Type: AWS::ECS::Service\n    Properties:\n      TaskDefinition: !GetAtt ${getAtt}\n`,
      ),
    ).findings;
    expect(findings).toEqual([{ logicalId: 'Other', path: 'Properties.TaskDefinition', message }]);
  });

  test('WHEN a Ref names nothing THEN it is reported', () => {
    const findings = validateTemplate(template(canary.replace('!Ref Green,', '!Ref Greenn,'))).findings;
    expect(findings).toContainEqual({
      logicalId: 'Svc',
      path: 'Properties.Versions[1].TaskDefinition',
      message: 'Ref to "Greenn", which is neither a parameter nor a resource',
    });
  });

  test('WHEN the text is not a template THEN it is reported', () => {
    expect(validateTemplate('- a\n- b').findings[0]!.message).toMatch(/not a CloudFormation template/);
  });
});

describe('GIVEN the mesh-service command (bin/mesh-service.js, built)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cli-'));
  const bin = path.join(__dirname, '..', '..', 'bin', 'mesh-service.js');
  const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

  test('WHEN a template is valid THEN it exits 0 and says so', () => {
    const file = path.join(dir, 'good.yaml');
    writeFileSync(file, template(canary));
    const r = run('validate', file);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${file}: 1 Custom::MeshService resource(s) valid: Svc\n`);
  });

  test('WHEN a property is bad THEN it exits 1 naming the logical id and the property', () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, template(canary.replace('Port: 3000', 'Port: 70000')));
    const r = run('validate', file);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`${file}: Svc: Port: expected an integer 1-65535, got 70000\n`);
  });

  test('WHEN used wrongly or the file is missing THEN it exits 2', () => {
    expect(run().status).toBe(2);
    expect(run('validate', path.join(dir, 'missing.yaml')).status).toBe(2);
    expect(run('--help').status).toBe(0);
  });
});
