// Nest 12 and the Agents SDK are ESM-only, so the tests run as native ESM
// (node --experimental-vm-modules) with @swc/jest stripping types and emitting decorator metadata.
const swc = ['@swc/jest', { jsc: { target: 'es2023', parser: { syntax: 'typescript', decorators: true },
  transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false }, keepClassNames: true },
  module: { type: 'es6' } }];
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
};
export default {
  // e2e tests start whole apps (some start two, some start worker processes): 5 s is too tight on a
  // loaded 2-core CI machine, and 30 s was seen to time out an app start while other work ran.
  testTimeout: 90_000,
  globalSetup: './test/helpers/global-setup.mjs',
  globalTeardown: './test/helpers/global-teardown.mjs',
  reporters: ['default', './test/helpers/skipped-reporter.mjs'],
  projects: [
    { ...common, displayName: 'unit', roots: ['<rootDir>/src', '<rootDir>/eval'], testMatch: ['**/*.spec.ts'] },
    { ...common, displayName: 'e2e', roots: ['<rootDir>/test'], testMatch: ['**/*.e2e-spec.ts'] },
  ],
};
