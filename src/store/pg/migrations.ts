/**
 * PostgreSQL schema migrations. Same ids and tables as the SQLite migrations they mirror
 * (store/migrations/), written in PostgreSQL's dialect; JSON columns stay TEXT so `pillars store
 * copy` moves rows byte for byte. Never edit a migration that has shipped: add a new one.
 */
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
];
