/** Jest runs TypeScript through ts-jest in transpile-only mode (tsconfig.jest.json sets isolatedModules), which is
 *  fast; `npm run typecheck` (tsc) does the type checking. Three workers on two cores (Jest's default, cores - 1, is a
 *  single worker there): many suites spend much of their time waiting — for calls that never answer, on the
 *  accelerated clock of the throttling tests, for child processes — and a third worker keeps both cores busy
 *  meanwhile (measured: Jest 120 s with two workers, 100 s with three). */
module.exports = {
  maxWorkers: '150%',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }] },
  moduleNameMapper: { '^mesh-service-provider$': '<rootDir>/infra/index.ts' },
  setupFiles: ['<rootDir>/test/support/jest-setup.ts'],
  testTimeout: 60000,
};
