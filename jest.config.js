// Three tiers, each its own jest project (CONVENTIONS.md): pure unit tests next to the code,
// integration tests against the real Neo4j, API tests through HTTP. `npm test` runs all three.
/** @type {import('jest').Config} */
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }];
// d3, jose and a few others ship ESM only; swc turns them into CommonJS for jest.
const esmOnly = ['d3', 'd3-[a-z-]+', 'internmap', 'delaunator', 'robust-predicates', 'jose'];
const common = {
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  setupFiles: ['<rootDir>/tests/setup/env.ts'],
  testEnvironment: 'node',
};
const ROUTED = ['tests/routing/*.routing.test.ts', 'tests/api/traces.api.test.ts', 'tests/api/imports.api.test.ts', 'tests/trace/cli.int.test.ts'];
module.exports = {
  testTimeout: 60_000,
  transform: common.transform,
  globalSetup: '<rootDir>/tests/setup/global-setup.ts',
  globalTeardown: '<rootDir>/tests/setup/global-teardown.ts',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/**/*.test.ts'], testPathIgnorePatterns: ['\\.(int|api|e2e|routing)\\.test\\.ts$', '/node_modules/', '/dist/'] },
    { ...common, displayName: 'int', testMatch: ['<rootDir>/**/*.int.test.ts'] },
    { ...common, displayName: 'api', testMatch: ['<rootDir>/**/*.api.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/**/*.e2e.test.ts'] },
    // A second pass of the trace, import and command-line suites through a neo4j:// routing URI
    // (docs/scale.md): reads and writes take the driver's routed paths, as on a cluster.
    { ...common, displayName: 'routing', setupFiles: ['<rootDir>/tests/setup/routing-env.ts'], testMatch: ROUTED.map((f) => `<rootDir>/${f}`) },
  ],
};
