import type { PgMigration } from './migrations.js';

/**
 * The gateway's tables on PostgreSQL, mirroring SQLite's 200, 201 and 250 (store/migrations/):
 * API keys (hashes only) and the store's pepper, the hash-chained audit log, its head and signed
 * checkpoints, and tool calls held for a reviewer. `score` is DOUBLE PRECISION so a record's hash
 * (computed over its values) is the same when it is read back.
 */
export const GATEWAY_PG_MIGRATIONS: PgMigration[] = [
  {
    id: 200,
    name: 'gateway',
    up: `
CREATE TABLE gateway_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE gateway_keys (
  id TEXT PRIMARY KEY,
  name TEXT,
  tier TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  hint TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE TABLE gateway_audit (
  seq BIGINT PRIMARY KEY,
  ts TEXT NOT NULL,
  request_id TEXT NOT NULL,
  key_id TEXT,
  tier TEXT NOT NULL,
  context TEXT,
  route TEXT NOT NULL,
  action TEXT NOT NULL,
  policy TEXT,
  pillar TEXT,
  topic TEXT,
  level INTEGER,
  score DOUBLE PRECISION,
  stage TEXT,
  monitoring TEXT NOT NULL,
  detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX gateway_audit_ts ON gateway_audit (ts);
CREATE INDEX gateway_audit_request ON gateway_audit (request_id);
CREATE TABLE gateway_audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL, hash TEXT NOT NULL, updated_at TEXT NOT NULL);
`,
  },
  {
    id: 201,
    name: 'gateway_audit_checkpoints',
    up: `
CREATE TABLE gateway_audit_checkpoints (
  id BIGSERIAL PRIMARY KEY,
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL,
  ts TEXT NOT NULL,
  key_id TEXT NOT NULL,
  public_key TEXT NOT NULL,
  prev TEXT NOT NULL,
  signature TEXT NOT NULL
);
`,
  },
  {
    id: 250,
    name: 'gateway_tool_approvals',
    up: `
CREATE TABLE gateway_tool_approvals (
  id TEXT PRIMARY KEY,
  created_at TEXT NOT NULL,
  request_id TEXT NOT NULL,
  key_id TEXT,
  tier TEXT NOT NULL,
  tool TEXT NOT NULL,
  arguments TEXT NOT NULL,
  reason TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied', 'expired', 'abandoned')),
  reviewer TEXT,
  decided_at TEXT,
  note TEXT
);
CREATE INDEX gateway_tool_approvals_status ON gateway_tool_approvals (status, created_at);
`,
  },
];
