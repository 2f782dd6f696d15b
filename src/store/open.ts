import { UserError } from '../core/errors.js';
import { openDb, type Db } from './db.js';
import { isPostgresUrl, openPg, redactUrl, type Sql } from './pg/connect.js';
import { PgFrontierStore } from './pg/frontier.js';
import { PgProbeStore } from './pg/probes.js';
import { PgRedteamStore } from './pg/redteam.js';
import { PgRunStore } from './pg/runs.js';
import { PgReviewStore } from './pg/review.js';
import { createReviewStore, type ReviewStore } from './review.js';
import { createFrontierStore, type FrontierStore } from './frontier.js';
import { createProbeStore, type ProbeStore } from './probes.js';
import { createRedteamStore, type RedteamStore } from './redteam.js';
import { createRunStore, type RunStore } from './runs.js';

/**
 * The store's location selects its backend: a `postgres://` URL is a PostgreSQL database (shared
 * by a team, workers and gateways), anything else a SQLite file (the embedded default).
 */
export type StoreBackend = 'sqlite' | 'postgres';

export function storeBackend(location: string): StoreBackend {
  return isPostgresUrl(location) ? 'postgres' : 'sqlite';
}

/** The store location for messages: a SQLite path as is, a URL without its password. */
export function describeStore(location: string): string {
  return isPostgresUrl(location) ? redactUrl(location) : location;
}

/** An open store and its repositories; `close()` releases the file or the pool. */
export interface OpenStore {
  backend: StoreBackend;
  location: string;
  runs: RunStore;
  /** Reviewers, sessions, queues, tasks and verdicts (`pillars review`, the review app). */
  review: ReviewStore;
  /** Frontier results and review cases (`pillars frontier`, the eval's frontier gate). */
  frontier: FrontierStore;
  /** Red-team runs and attempts, deception runs (`pillars redteam`, `pillars deception`). */
  redteam: RedteamStore;
  /** Perplexity and sparse-probe results (`pillars probe`). */
  probes: ProbeStore;
  /** The SQLite handle, for repositories not yet behind an interface (null on PostgreSQL). */
  db: Db | null;
  sql: Sql | null;
  close(): Promise<void>;
}

export async function openStore(location: string, opts: { max?: number } = {}): Promise<OpenStore> {
  if (isPostgresUrl(location)) {
    const sql = await openPg(location, { max: opts.max });
    return { backend: 'postgres', location, runs: new PgRunStore(sql), review: new PgReviewStore(sql), frontier: new PgFrontierStore(sql), redteam: new PgRedteamStore(sql), probes: new PgProbeStore(sql), db: null, sql, close: () => sql.end({ timeout: 5 }) };
  }
  const db = openDb(location);
  return {
    backend: 'sqlite',
    location,
    runs: createRunStore(db),
    review: createReviewStore(db),
    frontier: createFrontierStore(db),
    redteam: createRedteamStore(db),
    probes: createProbeStore(db),
    db,
    sql: null,
    async close() {
      db.close();
    },
  };
}

/** The SQLite handle of a store, or a clear error for a feature that does not run on PostgreSQL yet. */
export function requireSqlite(store: OpenStore, feature: string): Db {
  if (store.db) return store.db;
  throw new UserError(`${feature} keeps its data in a SQLite store only for now: set \`store:\` to a file path (the PostgreSQL store holds eval runs)`, {
    code: 'config',
    option: 'store',
  });
}
