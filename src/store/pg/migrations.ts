/**
 * PostgreSQL schema migrations. Same ids and tables as the SQLite migrations they mirror
 * (store/migrations/), written in PostgreSQL's dialect; JSON columns stay TEXT so `pillars store
 * copy` moves rows byte for byte. Never edit a migration that has shipped: add a new one.
 */
import { GATEWAY_PG_MIGRATIONS } from './migrations-gateway.js';

export interface PgMigration {
  id: number;
  name: string;
  up: string;
}

export const PG_MIGRATIONS: PgMigration[] = [
  {
    id: 1,
    name: 'meta',
    up: `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  },
  {
    id: 100,
    name: 'eval_runs',
    // SQLite's 100-102 in one step; `ord` stands in for SQLite's rowid (insertion order breaks ties on created_at).
    up: `
CREATE TABLE eval_runs (
  id TEXT PRIMARY KEY,
  ord BIGSERIAL NOT NULL,
  created_at TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL,
  target TEXT NOT NULL,
  target_fingerprint TEXT NOT NULL,
  suites TEXT NOT NULL,
  tier TEXT NOT NULL,
  seed BIGINT NOT NULL,
  samples INTEGER NOT NULL DEFAULT 1,
  config TEXT NOT NULL,
  item_count INTEGER,
  gates TEXT,
  owner TEXT,
  heartbeat_at TEXT
);
CREATE INDEX eval_runs_created ON eval_runs(created_at);

CREATE TABLE eval_run_items (
  run_id TEXT NOT NULL REFERENCES eval_runs(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
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
  item TEXT NOT NULL,
  PRIMARY KEY (run_id, seq)
);

CREATE TABLE eval_responses (
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  text TEXT,
  error TEXT,
  finish_reason TEXT,
  latency_ms INTEGER,
  usage TEXT,
  logprobs TEXT,
  guard TEXT,
  cached SMALLINT NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  cache_key TEXT,
  PRIMARY KEY (run_id, seq)
);

CREATE TABLE eval_judgements (
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  label TEXT NOT NULL,
  passed SMALLINT,
  score DOUBLE PRECISION,
  verdicts TEXT NOT NULL,
  PRIMARY KEY (run_id, seq)
);

CREATE TABLE eval_cache (
  key TEXT PRIMARY KEY,
  target_fingerprint TEXT NOT NULL,
  generation TEXT NOT NULL,
  created_at TEXT NOT NULL
);
`,
  },
  {
    id: 300,
    name: 'redteam',
    // SQLite's 300: red team runs and attempts, deception runs, frontier results and review cases.
    up: `
CREATE TABLE redteam_runs (
  id TEXT PRIMARY KEY,
  target TEXT NOT NULL,
  mode TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL,
  config TEXT NOT NULL,
  summary TEXT
);
CREATE TABLE redteam_attempts (
  id BIGSERIAL PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES redteam_runs(id) ON DELETE CASCADE,
  round INTEGER NOT NULL,
  agent TEXT NOT NULL,
  strategy TEXT NOT NULL,
  applied TEXT,
  policy TEXT,
  pillar TEXT NOT NULL,
  seed_id TEXT NOT NULL,
  parent TEXT,
  goal TEXT NOT NULL,
  success INTEGER NOT NULL,
  turns INTEGER NOT NULL,
  tokens INTEGER NOT NULL,
  cost DOUBLE PRECISION NOT NULL,
  transcript TEXT NOT NULL,
  verdict TEXT NOT NULL,
  twin TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX redteam_attempts_run ON redteam_attempts(run_id, success);
CREATE TABLE deception_runs (
  id TEXT PRIMARY KEY,
  target TEXT NOT NULL,
  started_at TEXT NOT NULL,
  result TEXT NOT NULL
);
CREATE TABLE frontier_results (
  id BIGSERIAL PRIMARY KEY,
  target TEXT NOT NULL,
  model_version TEXT NOT NULL,
  domain TEXT NOT NULL,
  benchmark TEXT NOT NULL,
  n INTEGER NOT NULL,
  correct INTEGER NOT NULL,
  score DOUBLE PRECISION NOT NULL,
  low DOUBLE PRECISION NOT NULL,
  high DOUBLE PRECISION NOT NULL,
  threshold DOUBLE PRECISION NOT NULL,
  over INTEGER NOT NULL,
  samples TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX frontier_results_target ON frontier_results(target, domain, created_at);
CREATE TABLE frontier_cases (
  id TEXT PRIMARY KEY,
  target TEXT NOT NULL,
  model_version TEXT NOT NULL,
  domain TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'approved', 'rejected')),
  opened_at TEXT NOT NULL,
  evidence TEXT NOT NULL,
  reviewer TEXT,
  note TEXT,
  decided_at TEXT,
  UNIQUE (target, model_version, domain)
);
`,
  },
  {
    id: 301,
    name: 'redteam_expected',
    up: `ALTER TABLE redteam_attempts ADD COLUMN expected TEXT;`,
  },
  {
    id: 302,
    name: 'redteam_asked',
    up: `ALTER TABLE redteam_attempts ADD COLUMN asked TEXT;`,
  },
  ...GATEWAY_PG_MIGRATIONS,
];
