/**
 * The CDK app as `npx cdk synth` builds it — by the CLI itself, offline, with cdk.json's app command — synthesized
 * once per test process into a temporary directory. The suites that test the app without context read its templates
 * and assets from there, so the app is synthesized once for all of them and for the CLI check `npm test` makes
 * (before, each suite built and synthesized the same app in-process, and `npm test` ran `cdk synth` once more).
 *
 * The CLI starts when this module is first imported, so that it runs while the suites build the apps they synthesize
 * in-process (the ones with context); `cdkSynth()` waits for it. It needs the build (dist/lambda), as `cdk synth` does.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';

const ROOT = path.join(__dirname, '..', '..');

export interface CliAssembly {
  /** The cloud assembly directory (`cdk synth --output`). */
  readonly directory: string;
  /** The CloudFormation stacks of the assembly's manifest. */
  readonly stacks: readonly string[];
  /** The template of one stack, as the CLI wrote it. */
  template(stackName: string): Template;
}

interface Manifest {
  artifacts?: Record<string, { type: string; properties?: { templateFile?: string } }>;
}

function synthesize(): Promise<CliAssembly> {
  const directory = mkdtempSync(path.join(tmpdir(), 'cdk-synth-'));
  const cli = require.resolve('aws-cdk/bin/cdk');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [cli, 'synth', '--quiet', '--output', directory],
      { cwd: ROOT, env: { ...process.env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`cdk synth failed (${error.message.split('\n')[0]}):\n${stdout}\n${stderr}`));
          return;
        }
        const manifest = JSON.parse(readFileSync(path.join(directory, 'manifest.json'), 'utf8')) as Manifest;
        const templates = new Map(
          Object.entries(manifest.artifacts ?? {})
            .filter(([, a]) => a.type === 'aws:cloudformation:stack')
            .map(([name, a]) => [name, a.properties?.templateFile ?? `${name}.template.json`]),
        );
        resolve({
          directory,
          stacks: [...templates.keys()],
          template(stackName) {
            const file = templates.get(stackName);
            if (!file) throw new Error(`cdk synth made no stack ${stackName}`);
            return Template.fromJSON(JSON.parse(readFileSync(path.join(directory, file), 'utf8')));
          },
        });
      },
    );
  });
}

const synthesized = synthesize();
// The suites await it in their hooks; until one does, a failure must not count as an unhandled rejection.
synthesized.catch(() => undefined);

/** The CLI's assembly (the CLI runs once per test process). */
export function cdkSynth(): Promise<CliAssembly> {
  return synthesized;
}
