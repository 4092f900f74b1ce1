#!/usr/bin/env node
// `npm test`'s type check and build in one TypeScript program: every file is parsed and checked once (most of a tsc
// run is parsing the ~4,000 declaration files of aws-cdk-lib and the SDK, which `npm run typecheck` followed by
// `npm run build` did twice). It does what those two do:
//  - checks every file of tsconfig.json, with its options (`npm run typecheck`);
//  - checks the library (tsconfig.build.json: infra, cli, lambda) for declaration emit and emits it to dist/lib with
//    tsconfig.build.json's options, byte for byte what `tsc -p tsconfig.build.json` emits (`npm run build`); the
//    library must not use the globals of Jest's types, which tsconfig.build.json leaves out (checked below);
//  - bundles the handler (scripts/bundle-lambda.mjs).
// `npm run build` and `npm run typecheck` stay as they are for use on their own.
//
// With --jsii (as `npm test` runs it), `npm run jsii` runs at the same time in a child process (the two compilations
// are single-threaded: on two cores they take the time of one) and the library is not emitted here: jsii emits
// dist/lib itself, with its run-time type information, which is what `npm pack` ships (prepack runs jsii after the
// build), and two emits of the same files at once would race.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const withJsii = process.argv.includes('--jsii');
/** `npm run jsii`, its output kept until the end (not interleaved with the type check's). */
const jsii = withJsii
  ? new Promise((resolve) => {
      const child = spawn('npm', ['run', '--silent', 'jsii'], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      child.on('close', (code) => resolve({ code, output }));
    })
  : undefined;

async function parse(configName) {
  const file = path.join(root, configName);
  const read = ts.readConfigFile(file, ts.sys.readFile);
  if (read.error) await fail([read.error]);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, file);
  if (parsed.errors.length) await fail(parsed.errors);
  return parsed;
}

const host = {
  getCanonicalFileName: (f) => f,
  getCurrentDirectory: () => root,
  getNewLine: () => ts.sys.newLine,
};
function report(diagnostics) {
  const format = process.stdout.isTTY ? ts.formatDiagnosticsWithColorAndContext : ts.formatDiagnostics;
  process.stdout.write(format(diagnostics, host));
}
/** Reports and exits 1, after the jsii run's own output (its findings are worth seeing too). */
async function fail(diagnostics) {
  report(diagnostics);
  if (jsii) process.stdout.write((await jsii).output);
  process.exit(1);
}

const check = await parse('tsconfig.json');
const build = await parse('tsconfig.build.json');
// The build's options (which extend tsconfig.json's) with the check's ambient types, so the tests check too.
const options = { ...build.options, types: check.options.types };
const program = ts.createProgram({ rootNames: check.fileNames, options });

const library = new Set(build.fileNames.map((f) => path.resolve(f)));
const librarySources = program.getSourceFiles().filter((sf) => library.has(path.resolve(sf.fileName)));
if (librarySources.length !== library.size)
  throw new Error('tsconfig.json does not include every library file');

const diagnostics = [
  ...program.getConfigFileParsingDiagnostics(),
  ...program.getOptionsDiagnostics(),
  ...program.getGlobalDiagnostics(),
  ...program.getSyntacticDiagnostics(),
  ...program.getSemanticDiagnostics(),
  // What declaration: true adds, for the files that are emitted with declarations (as `npm run build` checks them).
  ...librarySources.flatMap((sf) => program.getDeclarationDiagnostics(sf)),
];

// tsconfig.build.json's types leave Jest's globals (describe, expect, jest, …) undeclared for the library.
const checker = program.getTypeChecker();
const fromJestTypes = (d) =>
  /[\\/]node_modules[\\/](@types[\\/]jest|expect|@jest)[\\/]/.test(d.getSourceFile().fileName);
/** A member name (the toBe of x.toBe, the B of A.B) is not a reference to a global. */
const isMemberName = (n) =>
  (ts.isPropertyAccessExpression(n.parent) && n.parent.name === n) ||
  (ts.isQualifiedName(n.parent) && n.parent.right === n);
for (const sf of librarySources) {
  const visit = (node) => {
    if (ts.isIdentifier(node) && !isMemberName(node)) {
      const declarations = checker.getSymbolAtLocation(node)?.getDeclarations() ?? [];
      if (declarations.length > 0 && declarations.every(fromJestTypes)) {
        diagnostics.push({
          category: ts.DiagnosticCategory.Error,
          code: 2304,
          file: sf,
          start: node.getStart(sf),
          length: node.getWidth(sf),
          messageText: `Cannot find name '${node.text}' (a global of Jest's types, which the library does not load).`,
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}

if (diagnostics.length > 0) await fail(ts.sortAndDeduplicateDiagnostics(diagnostics));

if (!withJsii) {
  for (const sf of librarySources) {
    const emitted = program.emit(sf);
    if (emitted.emitSkipped || emitted.diagnostics.length > 0) await fail([...emitted.diagnostics]);
  }
}
console.log(
  `type-checked ${check.fileNames.length} files${withJsii ? '' : `, emitted ${librarySources.length} to dist/lib`}`,
);

// The handler bundle, as `npm run build` makes it (bundle-lambda.mjs works relative to the repository root).
process.chdir(root);
await import('./bundle-lambda.mjs');

if (jsii) {
  const { code, output } = await jsii;
  process.stdout.write(output);
  if (code !== 0) {
    console.error(`npm run jsii failed (exit code ${code})`);
    process.exit(1);
  }
  console.log('jsii: compiled the construct library, emitted it to dist/lib and wrote .jsii');
}
