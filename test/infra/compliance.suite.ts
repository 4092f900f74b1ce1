/**
 * The stacks `cdk synth` writes against AWS Control Tower's proactive controls, run by cfn-guard (binary and rules
 * from @cdklabs/cdk-validator-cfnguard). With the default context, two controls are documented exceptions, each
 * lifted by a context key (docs/compliance.md); with those keys, every control passes.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildApp } from '../../infra/app-builder';
import { controlTower } from '../support/cfn-guard';
import { cdkSynth } from './cdk-synth';

/** The exceptions of the default context, and the context that lifts each (docs/compliance.md). */
const DEFAULT_EXCEPTIONS = {
  'CT.LAMBDA.PR.3': { providerVpcId: 'vpc-0123456789abcdef0', providerSubnetIds: 'subnet-0aaa,subnet-0bbb' },
  'CT.ELASTICLOADBALANCING.PR.6': { nlbAccessLogsBucket: 'platform-access-logs-111122223333' },
} as const;

const templatesIn = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.template.json'))
    .map((f) => path.join(dir, f));

describe('GIVEN the stacks as `cdk synth` writes them with the default context', () => {
  test('WHEN cfn-guard runs the Control Tower proactive controls THEN only the documented exceptions are non-compliant', async () => {
    const templates = templatesIn((await cdkSynth()).directory);
    expect(templates).toHaveLength(3);
    // One guard run with every control (guard reads the whole rule set on each start).
    const findings = controlTower(templates);
    const excepted: readonly string[] = Object.keys(DEFAULT_EXCEPTIONS);
    expect(findings.filter((f) => !excepted.includes(f.control))).toEqual([]);
    const exceptions = findings.map((f) => [path.basename(f.file), f.control, f.resources]);
    expect(exceptions).toEqual([
      ['MeshPlatform.template.json', 'CT.ELASTICLOADBALANCING.PR.6', [expect.stringMatching(/^GatewayNlb/)]],
      [
        'MeshServiceProvider.template.json',
        'CT.LAMBDA.PR.3',
        [
          expect.stringMatching(/^Handler/),
          expect.stringMatching(/^ProviderframeworkonEvent/),
          expect.stringMatching(/^ReclaimerFunction/),
        ],
      ],
    ]);
  }, 120_000);
});

describe('GIVEN the context keys that lift the exceptions', () => {
  test('WHEN the stacks are synthesized with them THEN every Control Tower proactive control passes', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'cdk-compliant-'));
    const built = buildApp({ outdir, context: Object.assign({}, ...Object.values(DEFAULT_EXCEPTIONS)) });
    built.app.synth();
    expect(controlTower(templatesIn(outdir))).toEqual([]);
  }, 120_000);
});
