import type { Migration } from './index.js';

/** Red team runs and attempts, deception runs, frontier results and review cases. */
export const redteam: Migration[] = [
  {
    id: 300,
    name: 'redteam',
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
  id INTEGER PRIMARY KEY AUTOINCREMENT,
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
  cost REAL NOT NULL,
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
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  target TEXT NOT NULL,
  model_version TEXT NOT NULL,
  domain TEXT NOT NULL,
  benchmark TEXT NOT NULL,
  n INTEGER NOT NULL,
  correct INTEGER NOT NULL,
  score REAL NOT NULL,
  low REAL NOT NULL,
  high REAL NOT NULL,
  threshold REAL NOT NULL,
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
    // Per user turn: what it asked (topic, level) and the policy's action for it (JSON array).
    up: `ALTER TABLE redteam_attempts ADD COLUMN asked TEXT;`,
  },
];
