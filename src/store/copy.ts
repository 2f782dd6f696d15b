import { UserError } from '../core/errors.js';
import { openDb } from './db.js';
import { isPostgresUrl, openPg, redactUrl } from './pg/connect.js';

/**
 * `pillars store copy --from FILE.db --to postgres://...`: the tables the PostgreSQL store holds,
 * row for row (JSON columns are text on both sides, so nothing is re-encoded). Rows already in the
 * target (same key) are kept, so a copy interrupted half way can simply be run again.
 */

/**
 * Tables in dependency order, with the SQLite ordering that keeps insertion order; `serial`: an id
 * column PostgreSQL numbers itself, whose sequence is moved past the copied ids.
 */
export const COPIED_TABLES: { table: string; order: string; serial?: string }[] = [
  { table: 'eval_runs', order: 'rowid' },
  { table: 'eval_run_items', order: 'run_id, seq' },
  { table: 'eval_responses', order: 'run_id, seq' },
  { table: 'eval_judgements', order: 'run_id, seq' },
  { table: 'eval_cache', order: 'key' },
  { table: 'meta', order: 'key' },
  { table: 'frontier_results', order: 'id', serial: 'id' },
  { table: 'frontier_cases', order: 'id' },
  { table: 'redteam_runs', order: 'rowid' },
  { table: 'redteam_attempts', order: 'id', serial: 'id' },
  { table: 'deception_runs', order: 'rowid' },
  { table: 'probe_results', order: 'id', serial: 'id' },
  { table: 'review_users', order: 'id', serial: 'id' },
  { table: 'review_queues', order: 'id', serial: 'id' },
  { table: 'review_queue_members', order: 'queue_id, user_id' },
  { table: 'review_tasks', order: 'id', serial: 'id' },
  { table: 'review_verdicts', order: 'id', serial: 'id' },
  { table: 'review_dataset_items', order: 'id', serial: 'id' },
  { table: 'review_pack_snapshots', order: 'id', serial: 'id' },
];

export interface CopyResult {
  /** Rows read from SQLite and rows newly written to PostgreSQL, per table. */
  tables: { table: string; read: number; written: number }[];
}

const BATCH = 1000;

export async function copyStore(from: string, to: string, opts: { onTable?: (t: string, read: number, written: number) => void } = {}): Promise<CopyResult> {
  if (isPostgresUrl(from)) throw new UserError('--from: give the SQLite file to copy from (copying out of PostgreSQL is not supported)', { code: 'usage', option: 'from' });
  if (!isPostgresUrl(to)) throw new UserError('--to: give the PostgreSQL store as postgres://USER@HOST:PORT/DATABASE', { code: 'usage', option: 'to' });
  const db = openDb(from, { readonly: true });
  const sql = await openPg(to);
  const out: CopyResult = { tables: [] };
  try {
    for (const { table, order, serial } of COPIED_TABLES) {
      const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table);
      if (!exists) continue;
      let read = 0;
      let written = 0;
      const stmt = db.prepare(`SELECT * FROM ${table} ORDER BY ${order}`);
      let batch: Record<string, unknown>[] = [];
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        const rows = batch;
        batch = [];
        const res = await sql`INSERT INTO ${sql(table)} ${sql(rows)} ON CONFLICT DO NOTHING`;
        written += res.count;
      };
      // The iterator keeps the SQLite connection busy between batches; nothing else reads it meanwhile.
      for (const row of stmt.iterate() as IterableIterator<Record<string, unknown>>) {
        batch.push(row);
        read++;
        if (batch.length >= BATCH) await flush();
      }
      await flush();
      if (serial && written > 0) await sql`SELECT setval(pg_get_serial_sequence(${table}, ${serial}), (SELECT MAX(${sql(serial)}) FROM ${sql(table)}))`;
      out.tables.push({ table, read, written });
      opts.onTable?.(table, read, written);
    }
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`store copy to ${redactUrl(to)} failed: ${(e as Error).message}`, { code: 'config', cause: e });
  } finally {
    db.close();
    await sql.end({ timeout: 5 });
  }
  return out;
}
