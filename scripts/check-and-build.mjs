#!/usr/bin/env node
// `npm test`'s type check and build, the independent steps at once (each in its own process; TypeScript 7's tsc is
// native and checks on several threads, jsii is single-threaded: on two cores they take little more than jsii alone):
//  - `tsc -p tsconfig.json`: every file, tests included, with Jest's types (`npm run typecheck`);
//  - `tsc -p tsconfig.build.json`: the library (infra, cli, lambda) with the build's options — declaration emit
//    included, and without Jest's types, so the library cannot use describe, expect or jest — emitted to dist/lib as
//    `npm run build` emits it; with --jsii, only checked (--noEmit still reports the declaration diagnostics);
//  - with --jsii (as `npm test` runs it), jsii with `npm run jsii`'s arguments, started directly rather than through
//    npm: jsii emits dist/lib itself, with its run-time type information, which is what `npm pack` ships (prepack
//    runs jsii after the build); two emits of the same files at once would race, hence the build's --noEmit then;
//  - the handler bundle (scripts/bundle-lambda.mjs), in this process.
// Each step's output is printed whole when it ends, not interleaved; the script fails when any step fails, after all
// have ended (every step's findings are worth seeing).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const withJsii = process.argv.includes('--jsii');

// The TypeScript of `npm run typecheck` and `npm run build` (package.json: typescript 7; typescript5 is the 5.9
// compiler API that scripts/strip-contract-docs.mjs uses, and has no part in type checking).
const tscPackage = createRequire(import.meta.url)('typescript/package.json');
if (!tscPackage.version.startsWith('7.'))
  throw new Error(`node_modules/typescript is ${tscPackage.version}; package.json pins 7`);
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

/** `npm run jsii`'s arguments (package.json's script, `jsii <arguments>`). */
const JSII_ARGS = createRequire(import.meta.url)('../package.json')
  .scripts.jsii.split(' ')
  .slice(1);

/** Runs a command in the repository root; resolves with its exit code and its output (stdout and stderr). */
function run(name, command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (e) => resolve({ name, code: 1, output: `${output}${e.message}\n` }));
    child.on('close', (code) => resolve({ name, code, output }));
  });
}

const steps = [
  // The longest step first. `npm run jsii`'s command, without npm's own start-up.
  ...(withJsii
    ? [run('jsii', process.execPath, [path.join(root, 'node_modules', 'jsii', 'bin', 'jsii'), ...JSII_ARGS])]
    : []),
  run('type check (tsconfig.json)', process.execPath, [tsc, '-p', 'tsconfig.json']),
  run(
    withJsii ? 'library check (tsconfig.build.json)' : 'library build (tsconfig.build.json, to dist/lib)',
    process.execPath,
    [tsc, '-p', 'tsconfig.build.json', ...(withJsii ? ['--noEmit'] : [])],
  ),
  (async () => {
    // bundle-lambda.mjs works relative to the repository root.
    process.chdir(root);
    try {
      await import('./bundle-lambda.mjs');
      return { name: 'handler bundle', code: 0, output: '' };
    } catch (e) {
      return { name: 'handler bundle', code: 1, output: `${e.stack ?? e}\n` };
    }
  })(),
];

let failed = false;
for (const { name, code, output } of await Promise.all(steps)) {
  process.stdout.write(output);
  if (code === 0) {
    console.log(`${name}: ok`);
  } else {
    failed = true;
    console.error(`${name}: failed (exit code ${code})`);
  }
}
if (failed) process.exit(1);
