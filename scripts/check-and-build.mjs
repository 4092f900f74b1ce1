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
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function parse(configName) {
  const file = path.join(root, configName);
  const read = ts.readConfigFile(file, ts.sys.readFile);
  if (read.error) fail([read.error]);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, file);
  if (parsed.errors.length) fail(parsed.errors);
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
function fail(diagnostics) {
  report(diagnostics);
  process.exit(1);
}

const check = parse('tsconfig.json');
const build = parse('tsconfig.build.json');
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

if (diagnostics.length > 0) fail(ts.sortAndDeduplicateDiagnostics(diagnostics));

for (const sf of librarySources) {
  const emitted = program.emit(sf);
  if (emitted.emitSkipped || emitted.diagnostics.length > 0) fail([...emitted.diagnostics]);
}
console.log(`type-checked ${check.fileNames.length} files, emitted ${librarySources.length} to dist/lib`);

// The handler bundle, as `npm run build` makes it (bundle-lambda.mjs works relative to the repository root).
process.chdir(root);
await import('./bundle-lambda.mjs');
