/** Jest runs TypeScript through ts-jest in transpile-only mode (tsconfig.jest.json sets isolatedModules), which is
 *  fast; `npm run typecheck` (tsc) does the type checking. One worker per core: Jest's default (cores - 1) is a
 *  single worker on two cores, which runs the suites one after another. */
module.exports = {
  maxWorkers: '100%',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }] },
  moduleNameMapper: { '^mesh-service-provider$': '<rootDir>/infra/index.ts' },
  setupFiles: ['<rootDir>/test/support/jest-setup.ts'],
  testTimeout: 60000,
};
