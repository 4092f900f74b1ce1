/**
 * The examples against AWS Control Tower's proactive controls, run by cfn-guard (binary and rules from
 * @cdklabs/cdk-validator-cfnguard), as the controls see a template at deploy time: with its parameters' defaults.
 * docs/compliance.md lists the controls and what each example does for them.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseTemplate } from '../../cli/template';
import { controlTower, type GuardFinding, withParameterDefaults } from '../support/cfn-guard';

const dir = path.join(__dirname, '..', '..', 'examples');
const examples = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
const out = mkdtempSync(path.join(tmpdir(), 'guard-'));
const rendered = (file: string) => path.join(out, file.replace(/\.yaml$/, '.json'));
const bad = path.join(out, 'bad.json');

/**
 * One cfn-guard run for every example and the bad template: guard reads the whole rule set on each start, which costs
 * more than checking a template, and reports each finding with its file.
 */
let findings: GuardFinding[];
beforeAll(() => {
  for (const file of examples) {
    writeFileSync(
      rendered(file),
      JSON.stringify(withParameterDefaults(parseTemplate(readFileSync(path.join(dir, file), 'utf8')))),
    );
  }
  writeFileSync(
    bad,
    JSON.stringify({
      Resources: {
        Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 7, KmsKeyId: 'arn:key' } },
        Task: {
          Type: 'AWS::ECS::TaskDefinition',
          Properties: {
            ContainerDefinitions: [{ Name: 'a', Image: 'i', Memory: 256, ReadonlyRootFilesystem: true }],
          },
        },
      },
    }),
  );
  findings = controlTower([...examples.map(rendered), bad]);
});

const findingsOf = (file: string) => findings.filter((f) => f.file === file);

test('GIVEN the examples THEN guard reports every finding with its file (the per-example checks below read them by file)', () => {
  expect(examples.length).toBeGreaterThan(0);
  expect(new Set(findings.map((f) => f.file))).toEqual(new Set([bad]));
});

describe.each(examples)('GIVEN examples/%s', (file) => {
  test('WHEN cfn-guard runs the Control Tower proactive controls on it (parameters at their defaults) THEN nothing is non-compliant', () => {
    expect(findingsOf(rendered(file))).toEqual([]);
  });
});

test('GIVEN a log group kept for a week and a container without user THEN cfn-guard reports both (the check is live)', () => {
  expect(findingsOf(bad).map((f) => [f.control, f.resources])).toEqual(
    expect.arrayContaining([
      ['CT.CLOUDWATCH.PR.2', ['Logs']],
      ['CT.ECS.PR.3', ['Task']],
    ]),
  );
});

test('GIVEN a template with parameters THEN the controls see the defaults, the chosen Fn::If branch and no AWS::NoValue', () => {
  expect(
    withParameterDefaults({
      Parameters: {
        Days: { Type: 'Number', Default: 365 },
        Mem: { Type: 'String', Default: '512' },
        On: { Default: 'yes' },
      },
      Conditions: { IsOn: { 'Fn::Equals': [{ Ref: 'On' }, 'yes'] } },
      Resources: {
        L: {
          Type: 'T',
          Properties: {
            A: { Ref: 'Days' },
            B: { Ref: 'Mem' },
            C: { 'Fn::If': ['IsOn', 1, 2] },
            D: { Ref: 'AWS::NoValue' },
          },
        },
        Off: { Type: 'T', Condition: 'Never' },
      },
    } as never),
  ).toEqual(
    expect.objectContaining({ Resources: { L: { Type: 'T', Properties: { A: 365, B: 512, C: 1 } } } }),
  );
});
