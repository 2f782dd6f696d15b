import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PillarsError } from '../core/errors.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

/**
 * The SQLite database behind the store. Features keep their own repositories (store/<feature>.ts)
 * that take a `Db`; a Postgres store would implement the same repository interfaces.
 */
export type Db = Database.Database;

export function openDb(path: string, opts: { migrations?: Migration[]; readonly?: boolean } = {}): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: Db;
  try {
    db = new Database(path, { readonly: opts.readonly ?? false });
  } catch (e) {
    throw new PillarsError(`cannot open the store ${path}: ${(e as Error).message}`, { code: 'config', exitCode: 2, cause: e });
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  if (!opts.readonly) migrate(db, opts.migrations ?? MIGRATIONS);
  return db;
}

/** Apply the migrations not yet applied, in id order, each in a transaction. */
export function migrate(db: Db, migrations: Migration[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const done = new Set((db.prepare('SELECT id FROM schema_migrations').all() as { id: number }[]).map((r) => r.id));
  const sorted = [...migrations].sort((a, b) => a.id - b.id);
  const ids = new Set<number>();
  for (const m of sorted) {
    if (ids.has(m.id)) throw new PillarsError(`two migrations share id ${m.id}`, { code: 'internal' });
    ids.add(m.id);
  }
  for (const m of sorted) {
    if (done.has(m.id)) continue;
    db.transaction(() => {
      db.exec(m.up);
      db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)').run(m.id, m.name, new Date().toISOString());
    })();
  }
}
