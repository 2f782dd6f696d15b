/**
 * The rules behind .dependency-cruiser.cjs (kept apart so tests can build them for a fixture tree).
 * The module map of docs/architecture.md, enforced by dependency-cruiser (`npm run deps`, part of
 * `npm test`). It reads every import the TypeScript compiler sees, `import()` included.
 *
 * Rules:
 * - `feature-table`: a folder under src/ imports only the folders ALLOWED lists for it (static or
 *   dynamic). The table lists only imports that exist (test/architecture.test.ts checks both ways).
 * - `index-only`: a feature imports another feature's `index.ts`, never a file behind it (core/ and
 *   folders without an index.ts, such as policy/, config/ and store/, are imported file by file;
 *   cli/ and run/, the composition layer, may reach any file).
 * - `no-cli`, `no-run`: nothing imports cli/; only cli/ imports run/.
 * - `no-circular`: no import cycles (cycles that close only through `import type` are allowed).
 * - `bench-not-test`: benchmarks do not import from test/.
 * - `resolvable`: every relative import resolves.
 *
 * Violations that existed when the rules were introduced are listed in
 * .dependency-cruiser-known-violations.json (`npm run deps:baseline` rewrites it); any new one
 * fails `npm run deps`. Shrink that file, never grow it without a reason in the commit message.
 */

/** Which folders each folder under src/ may import (besides itself). */
const ALLOWED = {
  align: [],
  attacks: ['core'],
  classifier: ['core', 'policy'],
  cli: ['attacks', 'classifier', 'compare', 'config', 'core', 'data', 'datasets', 'eval', 'frontier', 'gateway', 'grounding', 'guard', 'judges', 'policy', 'redteam', 'reports', 'review', 'rewards', 'run', 'store', 'targets'],
  compare: ['core'],
  config: ['core'],
  core: [],
  data: ['classifier', 'core', 'judges', 'policy', 'store'],
  datasets: ['config', 'core'],
  deception: ['core'],
  eval: ['config', 'core', 'grounding', 'judges', 'reports', 'store', 'targets'],
  frontier: ['config', 'core', 'judges', 'store'],
  gateway: ['align', 'core', 'grounding', 'guard', 'policy', 'store'],
  grounding: ['classifier', 'core', 'policy'],
  guard: ['classifier', 'config', 'core', 'policy'],
  integrations: ['core'],
  judges: ['classifier', 'core', 'policy'],
  policy: ['core'],
  redteam: ['attacks', 'config', 'core', 'policy', 'store', 'targets'],
  reports: ['core'],
  review: ['compare', 'core', 'eval', 'frontier', 'gateway', 'judges', 'policy', 'reports', 'store'],
  rewards: ['classifier', 'config', 'core', 'policy'],
  run: ['classifier', 'config', 'core', 'datasets', 'deception', 'eval', 'frontier', 'guard', 'judges', 'policy', 'redteam', 'reports', 'store', 'targets'],
  store: ['core'],
  targets: ['align', 'config', 'core', 'guard', 'policy'],
};

/** Composition surfaces: they wire features together and may import any file. */
const COMPOSITION = ['cli', 'run'];

/** Folders imported only through their index.ts (the features that have one). */
const INDEXED = ['attacks', 'classifier', 'compare', 'data', 'datasets', 'deception', 'frontier', 'gateway', 'grounding', 'guard', 'integrations', 'judges', 'redteam', 'reports', 'review', 'rewards', 'targets'];

/** The rule set for a tree whose sources live under `root` (src, or a test fixture's). */
function rules(root = 'src', allowed = ALLOWED) {
  const folders = Object.keys(allowed);
  return [
    ...folders.map((f) => ({
      name: 'feature-table',
      comment: `${root}/${f}/ may import only: ${allowed[f].join(', ') || 'nothing of ours'} (docs/architecture.md)`,
      severity: 'error',
      from: { path: `^${root}/${f}/` },
      to: { path: `^${root}/[^/]+/`, pathNot: `^${root}/(${[f, ...allowed[f]].join('|')})/` },
    })),
    {
      name: 'unknown-folder',
      comment: 'every folder under src/ is in the module map (add it to ALLOWED and docs/architecture.md)',
      severity: 'error',
      from: { path: `^${root}/(?!(${folders.join('|')})/)[^/]+/` },
      to: {},
    },
    {
      name: 'index-only',
      comment: "a feature imports another feature's index.ts, not the files behind it",
      severity: 'error',
      from: { path: `^${root}/([^/]+)/`, pathNot: `^${root}/(${COMPOSITION.join('|')})/` },
      to: { path: `^${root}/(${INDEXED.join('|')})/(?!index\\.ts$)`, pathNot: `^${root}/$1/` },
    },
    { name: 'no-cli', comment: 'nothing imports cli/', severity: 'error', from: { path: `^${root}/`, pathNot: `^${root}/cli/` }, to: { path: `^${root}/cli/` } },
    { name: 'no-run', comment: 'only cli/ imports run/', severity: 'error', from: { path: `^${root}/`, pathNot: `^${root}/(cli|run)/` }, to: { path: `^${root}/run/` } },
    {
      name: 'no-command-imports-command',
      comment: 'a command file does not import another command file (shared wiring lives in run/)',
      severity: 'error',
      from: { path: `^${root}/cli/commands/([a-z]+)` },
      to: { path: `^${root}/cli/commands/`, pathNot: `^${root}/cli/commands/$1` },
    },
    {
      name: 'no-circular',
      comment: 'no import cycles (type-only edges do not count)',
      severity: 'error',
      from: { path: `^${root}/` },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    { name: 'bench-not-test', comment: 'benchmarks do not import from test/', severity: 'error', from: { path: '^bench/' }, to: { path: '^test/' } },
    { name: 'resolvable', comment: 'every import resolves', severity: 'error', from: {}, to: { couldNotResolve: true, dependencyTypesNot: ['npm-no-pkg', 'npm-unknown'] } },
  ];
}

module.exports = { ALLOWED, COMPOSITION, INDEXED, rules };
