// The layering rules of docs/architecture.md, checked by `npm run lint:deps` (part of `npm run lint`,
// so of `npm test`). Each rule says why in its comment; a violation names the import that breaks it.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycle anywhere: a cycle makes load order matter and hides which module owns what.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-engine-folder-cycles',
      severity: 'error',
      comment: 'No loop between engine folders (engine/db ↔ engine/privacy, engine/qr ↔ engine/declarations once were): each folder builds on the ones below it.',
      scope: 'folder',
      from: { path: '^engine' },
      to: { path: '^engine', circular: true },
    },
    {
      name: 'storage-only-in-engine-db',
      severity: 'error',
      comment:
        'Only engine/db talks to Neo4j: nothing else imports the driver, engine/db/driver or engine/db/convert (Neo4j integers never leave engine/db). Tests and benchmarks may, to set up and measure storage.',
      from: {
        path: '^(engine|api|cli|viz|generator)/',
        pathNot: '^engine/db/',
      },
      to: { path: ['neo4j-driver', '^engine/db/(driver|convert|coalesce-writes)\\.ts$'] },
    },
    {
      name: 'engine-db-imports-no-domain',
      severity: 'error',
      comment:
        'engine/db holds the Cypher and its typed runners; it builds only on the neutral modules at the top of engine/ (types, errors, time, config, identity, jurisdiction, windows), never on a domain folder, which calls it instead.',
      from: { path: '^engine/db/' },
      to: { path: '^engine/[^/]+/', pathNot: '^engine/db/' },
    },
    {
      name: 'engine-root-is-neutral',
      severity: 'error',
      comment: 'The modules at the top of engine/ are shared by every folder, so they import none of them.',
      from: { path: '^engine/[^/]+\\.ts$' },
      to: { path: '^engine/[^/]+/' },
    },
    {
      name: 'engine-imports-nothing-outside',
      severity: 'error',
      comment: 'The engine is the core: it never imports the server, the command line, the view, the generator, benchmarks, tools or tests.',
      from: { path: '^engine/' },
      to: { path: '^(api|cli|viz|generator|bench|tests|tools)/' },
    },
    {
      name: 'api-cli-storage-through-db-index',
      severity: 'error',
      comment:
        'api/ and cli/ call engine modules; storage itself only through engine/db/index.ts (driver lifecycle, schema, and the concepts without an engine module of their own).',
      from: { path: '^(api|cli)/' },
      to: { path: '^engine/db/', pathNot: '^engine/db/index\\.ts$' },
    },
    {
      name: 'viz-imports-no-engine',
      severity: 'error',
      comment: 'The view runs in a browser: it imports no engine code, and from the API only response types (import type, erased by esbuild).',
      from: { path: '^viz/' },
      to: { path: '^engine/' },
    },
    {
      name: 'viz-imports-api-types-only',
      severity: 'error',
      comment: 'The view takes the API response types from api/schemas as types only.',
      from: { path: '^viz/' },
      to: { path: '^api/', dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Tests may reach across layers to set up what they test; nothing imports a test.
    exclude: { path: ['^(dist|test-output|viz/dist)/', '\\.test\\.ts$'] },
    // Type-only imports count: a loop through types is still a loop in what a reader must know.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
