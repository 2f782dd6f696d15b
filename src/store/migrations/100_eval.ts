import type { Migration } from './index.js';

/** Eval runs: the run (with the configuration that produced it), its items in order, responses, judgements, and the response cache. */
export const evalMigrations: Migration[] = [
  {
    id: 100,
    name: 'eval_runs',
    up: `
CREATE TABLE eval_runs (
  id TEXT PRIMARY KEY,
  created_at TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL,             -- preparing | running | done | failed | interrupted
  target TEXT NOT NULL,
  target_fingerprint TEXT NOT NULL,
  suites TEXT NOT NULL,             -- JSON array of suite ids
  tier TEXT NOT NULL,
  seed INTEGER NOT NULL,
  samples INTEGER NOT NULL DEFAULT 1,
  config TEXT NOT NULL,             -- JSON: every component's name and options (never secrets)
  item_count INTEGER,               -- set once every item is stored (a run can then be resumed)
  gates TEXT                        -- JSON GateResult[] of the last evaluation
);
CREATE INDEX eval_runs_created ON eval_runs(created_at);

CREATE TABLE eval_run_items (
  run_id TEXT NOT NULL REFERENCES eval_runs(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,             -- deterministic order: suite order, then file order, then sample
  item_id TEXT NOT NULL,
  sample INTEGER NOT NULL DEFAULT 0,
  suite TEXT NOT NULL,
  pillar TEXT NOT NULL,
  policy TEXT,
  kind TEXT NOT NULL,
  expected TEXT NOT NULL,
  lang TEXT NOT NULL,
  source TEXT NOT NULL,
  pair TEXT,
  item TEXT NOT NULL,               -- the item's JSON
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

CREATE TABLE eval_responses (
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  text TEXT,
  error TEXT,                       -- set when the request failed after its retries (resume asks again)
  finish_reason TEXT,
  latency_ms INTEGER,
  usage TEXT,
  logprobs TEXT,
  guard TEXT,
  cached INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

CREATE TABLE eval_judgements (
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  label TEXT NOT NULL,
  passed INTEGER,                   -- 1 behaved as expected, 0 did not, NULL the judges could not tell
  score REAL,
  verdicts TEXT NOT NULL,           -- JSON Verdict[] (every judge, with reasons)
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

CREATE TABLE eval_cache (
  key TEXT PRIMARY KEY,             -- sha256(target fingerprint, messages, options)
  target_fingerprint TEXT NOT NULL,
  generation TEXT NOT NULL,
  created_at TEXT NOT NULL
) WITHOUT ROWID;
`,
  },
  {
    id: 101,
    name: 'eval_responses_cache_key',
    // Responses carry their cache key; a run copies its new answers into eval_cache in key order when
    // it stops (sorted bulk inserts instead of one random-key insert per answer).
    up: `ALTER TABLE eval_responses ADD COLUMN cache_key TEXT;`,
  },
  {
    id: 102,
    name: 'eval_runs_lease',
    // The process running a run holds a lease: its owner (host:pid:token) and a heartbeat it renews.
    // A run whose owner is gone (dead pid on this host, or a heartbeat older than the lease) reads
    // as interrupted, and a second process cannot resume a run whose lease is alive.
    up: `ALTER TABLE eval_runs ADD COLUMN owner TEXT;
ALTER TABLE eval_runs ADD COLUMN heartbeat_at TEXT;`,
  },
];
