import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { HandlerResult } from '../../lambda/handler';

export const BUNDLE = path.join(__dirname, '..', '..', 'dist', 'lambda', 'index.js');

export type Outcome = { result: HandlerResult; error?: undefined } | { error: string; result?: undefined };

/**
 * Invokes dist/lambda/index.js in its own Node.js process with these events, in order: their outcomes, the log lines,
 * and the files of dist/lambda the process loaded (in the order it loaded them).
 */
export function runBundle(
  events: CloudFormationCustomResourceEvent[],
  env: Record<string, string>,
  accountId: string,
  options: { cloudFormation?: boolean } = {},
): Promise<{ outcomes: Outcome[]; logLines: string[]; loaded: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'run-bundle.cjs')], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let result = '';
    child.stdout!.on('data', (d) => {
      stdout += d;
    });
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (d) => {
      result += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 || !result) return reject(new Error(`bundle runner exited ${code}: ${stderr}`));
      const { outcomes, loaded } = JSON.parse(result) as { outcomes: Outcome[]; loaded: string[] };
      resolve({ outcomes, loaded, logLines: stdout.split('\n').filter(Boolean) });
    });
    child.stdin!.end(
      JSON.stringify({
        bundle: BUNDLE,
        events,
        accountId,
        region: env.AWS_REGION,
        // CloudFormation puts each request's stack in progress unless the test plays a forger.
        cloudFormation: options.cloudFormation !== false,
      }),
    );
  });
}
