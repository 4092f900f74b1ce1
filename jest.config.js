/** Jest runs TypeScript through ts-jest in isolatedModules mode (transpile only, fast);
 *  `npm run typecheck` (tsc --noEmit) does the type checking. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { isolatedModules: true, tsconfig: { module: 'commonjs', moduleResolution: 'node' } }],
  },
  moduleNameMapper: {
    '^mesh-service-provider$': '<rootDir>/infra/index.ts',
  },
  testTimeout: 60000,
};
