/**
 * The layering docs/architecture.md describes, checked on the sources: backends are plug-ins (the handler, the core
 * model and the contract never import a backend folder), lambda/ has no import cycle (type imports included), and
 * no hand-written file there grows past 700 lines; the library jsii compiles reaches aws-cdk-lib through its submodules.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const LAMBDA = join(ROOT, 'lambda');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const files = sources(LAMBDA);
const rel = (path: string) => relative(ROOT, path);

/** Each file's relative imports and re-exports (`import type` included), resolved to files of lambda/. */
const graph = new Map(
  files.map((file) => {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/g)].flatMap(
      ([, spec]) => {
        const base = resolve(dirname(file), spec!);
        return [`${base}.ts`, join(base, 'index.ts')].filter((c) => files.includes(c)).slice(0, 1);
      },
    );
    return [file, targets] as const;
  }),
);

/** The backend folders: every folder of lambda/ that holds a plugin.ts. */
const backendFolders = readdirSync(LAMBDA)
  .map((name) => join(LAMBDA, name))
  .filter((path) => statSync(path).isDirectory() && files.includes(join(path, 'plugin.ts')));

describe('lambda/ layering', () => {
  test('GIVEN the sources THEN there are backend folders to check (App Mesh, Service Connect)', () => {
    expect(backendFolders.map(rel).sort()).toEqual(
      expect.arrayContaining(['lambda/appmesh', 'lambda/serviceconnect']),
    );
  });

  test('GIVEN the handler, the core model, the backend boundary and the contract THEN none imports a backend folder', () => {
    const core = [
      ...['handler.ts', 'model.ts', 'backend.ts'].map((f) => join(LAMBDA, f)),
      ...files.filter((f) => dirname(f) === join(LAMBDA, 'contract')),
    ];
    const offending = core.flatMap((file) =>
      (graph.get(file) ?? [])
        .filter((target) => backendFolders.some((folder) => target.startsWith(`${folder}/`)))
        .map((target) => `${rel(file)} -> ${rel(target)}`),
    );
    expect(offending).toEqual([]);
  });

  test('GIVEN every import of lambda/ THEN there is no cycle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string) => {
      state.set(file, 'open');
      stack.push(file);
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === 'open')
          cycles.push([...stack.slice(stack.indexOf(next)), next].map(rel).join(' -> '));
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  test('GIVEN the hand-written files of lambda/ THEN none is over 700 lines', () => {
    const long = files
      .map((file) => [rel(file), readFileSync(file, 'utf8').split('\n').length] as const)
      .filter(([, lines]) => lines > 700);
    expect(long).toEqual([]);
  });
});

/**
 * The files jsii compiles (tsconfig.jsii.json): the library that is packed, and what a consumer's tsc reads the
 * declarations of. aws-cdk-lib's root (`aws-cdk-lib`, and cdk-nag, whose declarations import it) brings in the
 * declarations of every one of its modules: jsii then parses about 4,000 files instead of about 2,700, and takes
 * about a third longer (docs/performance.md, 2026-12-08). `aws-cdk-lib/core` exports the same classes.
 */
describe('the library jsii compiles', () => {
  const jsii = JSON.parse(readFileSync(join(ROOT, 'tsconfig.jsii.json'), 'utf8')) as { exclude: string[] };
  const library = ['infra', 'cli', 'lambda']
    .flatMap((dir) => sources(join(ROOT, dir)))
    .filter((file) => !file.endsWith('.d.ts') && !jsii.exclude.includes(rel(file)));

  test('GIVEN its files THEN it is the library (infra, cli, lambda) without the app', () => {
    expect(library.length).toBeGreaterThan(100);
    expect(library.map(rel)).toEqual(expect.arrayContaining(['infra/index.ts', 'lambda/handler.ts']));
    expect(library.map(rel)).not.toContain('infra/app-builder.ts');
  });

  test('GIVEN its imports THEN none is the root of aws-cdk-lib or cdk-nag (each brings every module of aws-cdk-lib)', () => {
    const offending = library.flatMap((file) =>
      [
        ...readFileSync(file, 'utf8').matchAll(
          /\b(?:from|import|require\()\s*'(aws-cdk-lib|cdk-nag(?:\/[^']*)?)'/g,
        ),
      ].map(([, spec]) => `${rel(file)}: '${spec}'`),
    );
    expect(offending).toEqual([]);
  });
});
