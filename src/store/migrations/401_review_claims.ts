import type { Migration } from './index.js';

/**
 * Review claims: a task handed to a reviewer (`claimNext`) is reserved for them until
 * `expires_at`, so reviewers asking for their next task at the same time, through any instance of
 * the review app, get different tasks. A reviewer holds at most one claim per queue.
 */
export const reviewClaims: Migration[] = [
  {
    id: 401,
    name: 'review_claims',
    up: `
CREATE TABLE review_claims (
  task_id INTEGER NOT NULL REFERENCES review_tasks(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES review_users(id) ON DELETE CASCADE,
  queue_id INTEGER NOT NULL REFERENCES review_queues(id) ON DELETE CASCADE,
  expires_at TEXT NOT NULL,
  PRIMARY KEY (task_id, user_id)
);
CREATE INDEX review_claims_user ON review_claims(queue_id, user_id);
`,
  },
];
