/** Jest runs TypeScript through esbuild (scripts/jest-transform.cjs: types stripped file by file, as isolatedModules
 *  allows); `npm run check-build` / `npm run typecheck` (tsc) do the type checking. Each test file runs in Jest's
 *  Node environment on a context Node does not intercept global lookups in (scripts/jest-environment.cjs: the whole
 *  run takes about a tenth less CPU). Three workers on two cores
 *  (Jest's default, cores - 1, is a single worker there): many suites spend much of their time waiting — for calls
 *  that never answer, on the accelerated clock of the throttling tests, for child processes — and a third worker keeps
 *  both cores busy meanwhile (measured on a clean machine, Node 20: Jest 122 s with two workers, 103-111 s with three;
 *  Node 24: 85-97 s with three, 96 s with four). The tests that give calls short timeouts are written to survive the
 *  starved CPU this makes: each suite warms the SDK up first, the matrices rerun a cell whose healthy call timed out
 *  with more patience, and the races, kills and buckets leave slack for a stalled event loop (test/support/harness.ts
 *  warmUp, test/support/matrix.ts). */
const os = require('node:os');

module.exports = {
  // A number: Jest reads a percentage above 100% as that many workers.
  maxWorkers: Math.max(1, Math.round(os.availableParallelism() * 1.5)),
  testEnvironment: '<rootDir>/scripts/jest-environment.cjs',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testSequencer: '<rootDir>/scripts/jest-sequencer.cjs',
  transform: { '^.+\\.ts$': '<rootDir>/scripts/jest-transform.cjs' },
  moduleNameMapper: { '^mesh-service-provider$': '<rootDir>/infra/index.ts' },
  setupFiles: ['<rootDir>/test/support/jest-setup.ts'],
  testTimeout: 60000,
};
