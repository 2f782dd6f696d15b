import type { Migration } from './index.js';

/**
 * Review: reviewers and their sessions, queues and tasks, and the append-only verdict log
 * (an undo is a new row that points at the verdict it withdraws; nothing is overwritten).
 * Confirmed breaks land in review_dataset_items; policy-pack snapshots give the dashboard diffs.
 */
export const review: Migration[] = [
  {
    id: 400,
    name: 'review',
    up: `
CREATE TABLE review_users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('reviewer', 'expert', 'vendor', 'admin')),
  password TEXT NOT NULL,
  created_at TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE review_queues (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('sample', 'traffic', 'borderline', 'frontier', 'preference', 'appeal')),
  source TEXT NOT NULL,
  double_share REAL NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  created_by TEXT
);
CREATE TABLE review_queue_members (
  queue_id INTEGER NOT NULL REFERENCES review_queues(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES review_users(id) ON DELETE CASCADE,
  added_at TEXT NOT NULL,
  PRIMARY KEY (queue_id, user_id)
);
CREATE TABLE review_tasks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  queue_id INTEGER NOT NULL REFERENCES review_queues(id) ON DELETE CASCADE,
  pos INTEGER NOT NULL,
  kind TEXT NOT NULL,
  run_id TEXT,
  item_seq INTEGER,
  frontier_case TEXT,
  required_reviews INTEGER NOT NULL DEFAULT 1,
  assigned_to INTEGER REFERENCES review_users(id),
  payload TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX review_tasks_queue ON review_tasks(queue_id, pos);
CREATE INDEX review_tasks_run ON review_tasks(run_id, item_seq);
CREATE TABLE review_verdicts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id INTEGER NOT NULL REFERENCES review_tasks(id),
  user_id INTEGER NOT NULL REFERENCES review_users(id),
  reviewer TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('verdict', 'undo')),
  verdict TEXT,
  ranking TEXT,
  note TEXT,
  undoes INTEGER REFERENCES review_verdicts(id),
  created_at TEXT NOT NULL
);
CREATE INDEX review_verdicts_task ON review_verdicts(task_id, user_id);
CREATE TABLE review_dataset_items (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id INTEGER NOT NULL REFERENCES review_tasks(id),
  verdict_id INTEGER NOT NULL REFERENCES review_verdicts(id),
  item TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE review_sessions (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES review_users(id) ON DELETE CASCADE,
  csrf TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE TABLE review_pack_snapshots (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  pack_id TEXT NOT NULL,
  version TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  pack TEXT NOT NULL,
  seen_at TEXT NOT NULL
);
`,
  },
];
