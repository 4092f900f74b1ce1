import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { RULES, validateTemplate } from '../../cli/validate';
import { HOST_NODE } from '../support/host-node';

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
      expect(finding).toEqual(
        expect.objectContaining({ logicalId: 'Svc', path, message: expect.stringContaining(message) }),
      );
    },
  );

  test('WHEN a parameter default breaks a rule THEN it is reported', () => {
    const findings = validateTemplate(template(canary).replace('Default: 90', 'Default: 190')).findings;
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'E9013',
        logicalId: 'Svc',
        path: 'Versions[0].Weight',
        message: 'expected an integer 0-100, got 190',
      }),
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
    expect(findings).toEqual([
      expect.objectContaining({ logicalId: 'Other', path: 'Properties.TaskDefinition', message }),
    ]);
  });

  test.each([
    ['Svc.TaskDefinitionArn', undefined],
    ['Svc.CanaryPercent', undefined],
    ['Svc.StepPercent', 'Fn::GetAtt Svc: "StepPercent" is returned only with a LINEAR rollout'],
    [
      'Svc.BakeTimeInMinutes',
      'Fn::GetAtt Svc: "BakeTimeInMinutes" is returned only with ServiceConnect.Rollout.BakeMinutes',
    ],
    [
      'Svc.TestTrafficHeaderName',
      'Fn::GetAtt Svc: "TestTrafficHeaderName" is returned only with test traffic (ServiceConnect.Rollout.TestTrafficHeader or an exact-header route)',
    ],
    [
      'Svc.TlsAwsPcaAuthorityArn',
      'Fn::GetAtt Svc: "TlsAwsPcaAuthorityArn" is returned only with ServiceConnect.Tls',
    ],
    ['Svc.AccessLogFormat', 'Fn::GetAtt Svc: "AccessLogFormat" is returned only with AccessLogFormat'],
  ])(
    'WHEN the canary is on Service Connect and another resource reads !GetAtt %s THEN it resolves, or is reported when the rollout does not return it',
    (getAtt, message) => {
      const findings = validateTemplate(
        template(
          `${canary}\nBackend: ServiceConnect`,
          `  Other:\n    Type: AWS::ECS::Service\n    Properties:\n      TaskDefinition: !GetAtt ${getAtt}\n`,
        ),
      ).findings;
      expect(findings).toEqual(
        message
          ? [expect.objectContaining({ logicalId: 'Other', path: 'Properties.TaskDefinition', message })]
          : [],
      );
    },
  );

  test('WHEN a Ref names nothing THEN it is reported', () => {
    const findings = validateTemplate(template(canary.replace('!Ref Green,', '!Ref Greenn,'))).findings;
    expect(findings).toContainEqual(
      expect.objectContaining({
        rule: 'E9020',
        logicalId: 'Svc',
        path: 'Properties.Versions[1].TaskDefinition',
        message: 'Ref to "Greenn", which is neither a parameter nor a resource',
        hint: 'did you mean Green?',
      }),
    );
  });

  test('WHEN the text is not a template THEN it is reported', () => {
    expect(validateTemplate('- a\n- b').findings[0]!.message).toMatch(/not a CloudFormation template/);
  });
});

describe('GIVEN the mesh-service command (bin/mesh-service.js, built)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cli-'));
  const bin = path.join(__dirname, '..', '..', 'bin', 'mesh-service.js');
  const run = (...args: string[]) => spawnSync(HOST_NODE, [bin, ...args], { encoding: 'utf8' });

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
    expect(r.stderr).toBe(`${file}:20:7: E9013 Svc: Port: expected an integer 1-65535, got 70000\n`);
  });

  test('WHEN used wrongly or the file is missing THEN it exits 2', () => {
    expect(run().status).toBe(2);
    expect(run('validate').status).toBe(2);
    expect(run('validate', '--format', 'xml', path.join(dir, 'good.yaml')).status).toBe(2);
    expect(run('validate', '--colour', path.join(dir, 'good.yaml')).status).toBe(2);
    expect(run('validate', path.join(dir, 'missing.yaml')).status).toBe(2);
    expect(run('--help').status).toBe(0);
  });

  test('WHEN asked for help THEN validate lists its formats and every rule id', () => {
    const r = run('validate', '--help');
    expect(r.status).toBe(0);
    for (const id of Object.keys(RULES)) expect(r.stdout).toContain(id);
    expect(r.stdout).toContain('--format text|json|sarif');
  });

  test('WHEN one file cannot be read THEN the files after it are still checked, and it exits 2', () => {
    const bad = path.join(dir, 'bad-for-order.yaml');
    writeFileSync(bad, template(canary.replace('Port: 3000', 'Port: 70000')));
    const r = run('validate', '--format', 'json', path.join(dir, 'missing.yaml'), bad);
    expect(r.status).toBe(2);
    const report = JSON.parse(r.stdout);
    expect(report.files.map((f: { file: string }) => f.file)).toEqual([path.join(dir, 'missing.yaml'), bad]);
    expect(report.files[0].findings).toEqual([
      expect.objectContaining({ rule: 'E9000', message: 'cannot read the file (ENOENT)' }),
    ]);
    expect(report.files[1].findings).toEqual([expect.objectContaining({ rule: 'E9013', path: 'Port' })]);
  });
});

describe('GIVEN a bad template checked by `mesh-service validate --format json` (what CI and the cfn-lint rule read)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cli-json-'));
  const bin = path.join(__dirname, '..', '..', 'bin', 'mesh-service.js');
  const file = path.join(dir, 'bad.yaml');
  // Line numbers below are those of this text.
  writeFileSync(
    file,
    [
      "AWSTemplateFormatVersion: '2010-09-09'", // 1
      'Resources:', // 2
      '  Task:', // 3
      '    Type: AWS::ECS::TaskDefinition', // 4
      '    Properties: { Family: svc }', // 5
      '  Svc:', // 6
      '    Type: Custom::MeshService', // 7
      '    Properties:', // 8
      '      ServiceToken: !ImportValue MeshServiceProvider-ServiceToken', // 9
      '      MeshName: ecs-mesh', // 10
      '      ServiceName: svc', // 11
      '      Namespace: service.local', // 12
      '      Port: 3000', // 13
      '      Protocol: htp', // 14
      '      HealtCheck: { Path: / }', // 15
      '      TaskDefinition: !Ref Tsk', // 16
      '      Backends: [!Foo bar]', // 17
      'Outputs:', // 18
      '  Arn:', // 19
      '    Value: !GetAtt Svc.VirtualNodeArm', // 20
      '',
    ].join('\n'),
  );
  const r = spawnSync(HOST_NODE, [bin, 'validate', '--format', 'json', file], { encoding: 'utf8' });
  const findings = () => JSON.parse(r.stdout).files[0].findings;

  test('THEN it exits 1 and prints one JSON document with version 1', () => {
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ version: 1, files: [expect.objectContaining({ file })] });
  });

  test('THEN every finding has its stable rule id, its line and column, and a hint where a name is close', () => {
    expect(findings()).toEqual([
      {
        rule: 'E9001',
        severity: 'error',
        logicalId: '(template)',
        path: '',
        message: 'Unresolved tag: !Foo: not a CloudFormation intrinsic function tag',
        line: 17,
        column: 18,
      },
      {
        rule: 'E9012',
        severity: 'error',
        logicalId: 'Svc',
        path: 'HealtCheck',
        message: expect.stringMatching(/^unknown property/),
        hint: 'did you mean HealthCheck?',
        line: 15,
        column: 7,
      },
      {
        rule: 'E9013',
        severity: 'error',
        logicalId: 'Svc',
        path: 'Protocol',
        message: expect.stringMatching(/^expected one of http, http2, grpc, tcp, got "htp"/),
        hint: 'did you mean http?',
        line: 14,
        column: 7,
      },
      {
        rule: 'E9020',
        severity: 'error',
        logicalId: 'Svc',
        path: 'Properties.TaskDefinition',
        message: 'Ref to "Tsk", which is neither a parameter nor a resource',
        hint: 'did you mean Task?',
        line: 16,
        column: 7,
      },
    ]);
  });

  test('THEN a wrong attribute of a service that did not validate is not guessed at, but a known name is suggested', () => {
    const report = validateTemplate(
      `Resources:\n  Svc:\n    Type: Custom::MeshService\n    Properties: {ServiceToken: t, MeshName: m, ServiceName: s, Namespace: n.local, Port: 1}\nOutputs:\n  A:\n    Value: !GetAtt Svc.VirtualNodeArm\n`,
    );
    expect(report.findings).toEqual([
      expect.objectContaining({
        rule: 'E9022',
        logicalId: 'Outputs.A',
        hint: 'did you mean VirtualNodeArn?',
        line: 7,
        column: 5,
      }),
    ]);
  });

  test('WHEN the same file is asked for as SARIF THEN each finding is a result with its rule and region', () => {
    const sarif = spawnSync(HOST_NODE, [bin, 'validate', '--format', 'sarif', file], {
      encoding: 'utf8',
    });
    expect(sarif.status).toBe(1);
    const run = JSON.parse(sarif.stdout).runs[0];
    expect(JSON.parse(sarif.stdout).version).toBe('2.1.0');
    expect(run.tool.driver.rules.map((x: { id: string }) => x.id)).toEqual(Object.keys(RULES));
    expect(run.results[1]).toEqual({
      ruleId: 'E9012',
      level: 'error',
      message: { text: expect.stringContaining('did you mean HealthCheck?') },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: file },
            region: { startLine: 15, startColumn: 7 },
          },
        },
      ],
    });
  });

  test('WHEN the YAML is broken THEN the finding is E9000 at the line of the syntax error', () => {
    const [finding] = validateTemplate('Resources:\n  A:\n    Type: [unclosed\n').findings;
    expect(finding).toEqual(expect.objectContaining({ rule: 'E9000', logicalId: '(template)' }));
    expect(finding!.line).toBeGreaterThanOrEqual(3);
  });
});
