import type { Migration } from './index.js';

/** The gateway: API keys (hashes only), the hash-chained audit log and its head checkpoint. */
export const gateway: Migration[] = [
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
  seq INTEGER PRIMARY KEY,
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
  score REAL,
  stage TEXT,
  monitoring TEXT NOT NULL,
  detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX gateway_audit_ts ON gateway_audit (ts);
CREATE TABLE gateway_audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL, updated_at TEXT NOT NULL);
`,
  },
  {
    id: 201,
    name: 'gateway_audit_checkpoints',
    // Signed checkpoints of the audit chain head (Ed25519; src/gateway/audit-anchor.ts). Each links
    // to the one before by its signature; the public key is kept with it and, better, elsewhere.
    up: `
CREATE TABLE gateway_audit_checkpoints (
  id INTEGER PRIMARY KEY,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  ts TEXT NOT NULL,
  key_id TEXT NOT NULL,
  public_key TEXT NOT NULL,
  prev TEXT NOT NULL,
  signature TEXT NOT NULL
);
`,
  },
];
