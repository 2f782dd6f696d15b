/** dependency-cruiser configuration: the rules and the module map live in scripts/deps-rules.cjs. */
const { rules } = require('./scripts/deps-rules.cjs');

module.exports = {
  forbidden: rules(),
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    includeOnly: '^(src|bench)/',
  },
};
