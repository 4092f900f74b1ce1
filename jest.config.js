/** Jest runs TypeScript through esbuild (scripts/jest-transform.cjs: types stripped file by file, as isolatedModules
 *  allows); `npm run check-build` / `npm run typecheck` (tsc) do the type checking. One worker per core: Jest's default
 *  (cores - 1) is a single worker on two cores, which runs the suites one after another. Not more: the fault matrices,
 *  races and kills give healthy calls short timeouts, and three workers beside the suites' child processes (cdk synth,
 *  npm, tsc, cfn-guard, cfn-lint) starved them past 450 ms on a clean machine (measured: 3 workers 100 s when warm,
 *  but failures when cold). */
module.exports = {
  maxWorkers: '100%',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testSequencer: '<rootDir>/scripts/jest-sequencer.cjs',
  transform: { '^.+\\.ts$': '<rootDir>/scripts/jest-transform.cjs' },
  moduleNameMapper: { '^mesh-service-provider$': '<rootDir>/infra/index.ts' },
  setupFiles: ['<rootDir>/test/support/jest-setup.ts'],
  testTimeout: 60000,
};
