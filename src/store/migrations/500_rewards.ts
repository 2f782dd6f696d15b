import type { Migration } from './index.js';

/**
 * Rewards and training data: probe results (perplexity on RAI domains, sparse refusal probes) per
 * target and model version, so `pillars probe` can compare versions.
 */
export const rewards: Migration[] = [
  {
    id: 500,
    name: 'probe_results',
    up: `
CREATE TABLE probe_results (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('perplexity', 'sparse')),
  target TEXT NOT NULL,
  version TEXT NOT NULL,
  domain TEXT NOT NULL,
  value REAL NOT NULL,
  n INTEGER NOT NULL,
  detail TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX probe_results_lookup ON probe_results (kind, domain, created_at);
`,
  },
];
