// Jest runs TypeScript through swc (fast, no type-check); `npm test` runs `tsc --noEmit` first.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', {
      jsc: {
        target: 'es2022',
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, useDefineForClassFields: false },
      },
      module: { type: 'commonjs' },
    }],
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
  // Two cores on CI machines: two workers keep PostgreSQL and the tests from starving each other.
  maxWorkers: process.env.JEST_MAX_WORKERS ?? 2,
};
