/**
 * The architecture, checked in CI (`npm run check:architecture`): no import cycles; subgraphs never
 * import each other; packages never import a subgraph or the gateway; resolvers reach the database only
 * through use cases; each model folder of packages/ml imports only from core/.
 */
module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'no-subgraph-to-subgraph',
      comment: 'Cross-subgraph data flows through the graph and events only (DESIGN §3).',
      severity: 'error',
      from: { path: '^subgraphs/([^/]+)/' },
      to: { path: '^subgraphs/([^/]+)/', pathNot: '^subgraphs/$1/' },
    },
    {
      name: 'no-package-to-service',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: '^(subgraphs|gateway)/' },
    },
    {
      name: 'no-resolver-to-mongoose-models',
      comment: 'Resolvers stay thin: they call use cases (or loaders), never the mongoose models.',
      severity: 'error',
      from: { path: '^subgraphs/[^/]+/src/resolvers/' },
      to: { path: '^subgraphs/[^/]+/src/models/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'ml-model-imports-only-core',
      severity: 'error',
      from: { path: '^packages/ml/src/(engagement|ctr|sasrec)/' },
      to: { path: '^packages/ml/src/(engagement|ctr|sasrec)/', pathNot: '^packages/ml/src/$1/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules|generated)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.check.json' },
    combinedDependencies: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['source', 'import', 'default'] },
  },
};
