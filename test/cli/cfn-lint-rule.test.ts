/**
 * The cfn-lint rule (cfn-lint-rules/mesh_service.py) is a thin wrapper over `mesh-service validate --format json`,
 * whose output test/cli/validate.test.ts checks. Here: the rule ids agree with the validator's, always; and, where
 * cfn-lint is on PATH, cfn-lint itself runs the rule and reports the validator's findings at their lines. cfn-lint is
 * a Python tool that is not in Debian, and these machines reach only the npm and Debian registries, so CI may not
 * have it: the run is then skipped, saying why.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { RULES } from '../../cli/validate';

const ROOT = path.join(__dirname, '..', '..');
const RULES_DIR = path.join(ROOT, 'cfn-lint-rules');

test('GIVEN the cfn-lint rule module THEN it declares exactly the rule ids and texts of mesh-service validate', () => {
  const source = readFileSync(path.join(RULES_DIR, 'mesh_service.py'), 'utf8');
  const block = /^RULES = \{\n([\s\S]*?)\n\}/m.exec(source)?.[1] ?? '';
  const declared = Object.fromEntries(
    [...block.matchAll(/^\s+"(E\d{4})": "(.*)",$/gm)].map((m) => [m[1], m[2]!.replace(/\\"/g, '"')]),
  );
  expect(declared).toEqual(RULES);
  for (const id of Object.keys(RULES)) {
    expect(source).toContain(`MeshService${id} = _rule("${id}", RULES["${id}"])`);
  }
});

const version = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
const available = version.status === 0;
if (!available) {
  console.warn(
    'cfn-lint rule: skipping the cfn-lint runs: cfn-lint is not on PATH (it is a Python tool, not in Debian, and only the npm and Debian registries are reachable here)',
  );
}

(available ? describe : describe.skip)(`GIVEN cfn-lint on PATH (${version.stdout?.trim()})`, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cfn-lint-'));
  const lint = (...args: string[]) =>
    spawnSync('cfn-lint', [...args, '--append-rules', RULES_DIR], { encoding: 'utf8', cwd: dir });

  test('WHEN a bad template is linted with the rule THEN cfn-lint reports the validator findings at their lines, in its own JSON', () => {
    const file = path.join(dir, 'bad.yaml');
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
        '      Port: 70000', // 13
        '      HealtCheck: { Path: / }', // 14
        '      TaskDefinition: !Ref Task', // 15
        '',
      ].join('\n'),
    );
    const r = lint('--format', 'json', file);
    expect(r.status).not.toBe(0);
    const matches = (JSON.parse(r.stdout) as { Rule: { Id: string }; Location: { Start: object } }[])
      .filter((m) => m.Rule.Id.startsWith('E9'))
      .map((m) => ({ id: m.Rule.Id, start: m.Location.Start }));
    expect(matches).toEqual([
      { id: 'E9013', start: { LineNumber: 13, ColumnNumber: 7 } },
      { id: 'E9012', start: { LineNumber: 14, ColumnNumber: 7 } },
    ]);
    const text = lint('--format', 'parseable', file).stdout;
    expect(text).toContain(`${file}:14:7:14:7:E9012:Svc: HealtCheck: unknown property`);
    expect(text).toContain('(did you mean HealthCheck?)');
  });

  test('WHEN the examples (the migrated workshop and canary included, Service Connect and VPC Lattice) are linted with the rule THEN cfn-lint reports nothing at all', () => {
    const examples = readdirSync(path.join(ROOT, 'examples'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => path.join(ROOT, 'examples', f));
    expect(examples.map((f) => path.basename(f))).toEqual(
      expect.arrayContaining([
        'workshop-service-connect.yaml',
        'workshop-vpc-lattice.yaml',
        'canary-vpc-lattice.yaml',
      ]),
    );
    const r = lint('--format', 'parseable', ...examples);
    // Neither the rule's findings nor cfn-lint's own errors and warnings.
    expect({ status: r.status, findings: r.stdout.split('\n').filter((l) => l.trim() !== '') }).toEqual({
      status: 0,
      findings: [],
    });
  });
});
