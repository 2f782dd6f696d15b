import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PillarsError, UserError } from '../core/errors.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

/**
 * The SQLite database behind the store. Features keep their own repositories (store/<feature>.ts)
 * that take a `Db`; a Postgres store would implement the same repository interfaces.
 */
export type Db = Database.Database;

export interface OpenDbOptions {
  migrations?: Migration[];
  readonly?: boolean;
  /**
   * Run `PRAGMA quick_check` once open (a run does: a damaged page found mid-run would otherwise
   * surface as a wrong result or a late crash). Reads every page, so it costs a pass over the file.
   */
  check?: boolean;
}

/** SQLite result codes that mean the file itself is damaged or not a database. */
const DAMAGED = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_SEQUENCE', 'SQLITE_CORRUPT_VTAB', 'SQLITE_IOERR_SHORT_READ']);

const sqliteCode = (e: unknown): string => String((e as { code?: unknown })?.code ?? '');

/** The error a damaged store gives: the file, what is wrong, and what to do. Exit 2. */
export function damagedStoreError(path: string, detail: string, cause?: unknown): UserError {
  return new UserError(
    `the store ${path} is damaged (${detail}): move it aside and let pillars create a new one, or restore it from a backup (\`sqlite3 ${path} .recover\` can salvage readable rows)`,
    { code: 'config', cause },
  );
}

/** A store error from SQLite: a damaged file becomes a clear `UserError` naming the path; other errors pass through. */
export function storeError(path: string, e: unknown): unknown {
  if (e instanceof PillarsError) return e;
  const code = sqliteCode(e);
  if (DAMAGED.has(code)) return damagedStoreError(path, `${code}: ${(e as Error).message}`, e);
  return e;
}

export function openDb(path: string, opts: OpenDbOptions = {}): Db {
  if (/^postgres(ql)?:\/\//i.test(path)) {
    throw new UserError('this command keeps its data in a SQLite store only for now: set `store:` (or PILLARS_STORE) to a file path; the PostgreSQL store holds eval runs (see docs/deployment.md)', {
      code: 'config',
      option: 'store',
    });
  }
  let db: Db;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, { readonly: opts.readonly ?? false });
  } catch (e) {
    const code = sqliteCode(e);
    const reason = code === 'EEXIST' || code === 'ENOTDIR' ? `ENOTDIR: ${dirname(path)} is a file, not a folder` : (e as Error).message;
    throw new UserError(`cannot open the store ${path}: ${reason} (check the \`store:\` path in pillars.yaml and that its folder is writable)`, { code: 'config', cause: e });
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    if (opts.check) quickCheck(db, path);
    if (!opts.readonly) migrate(db, opts.migrations ?? MIGRATIONS);
  } catch (e) {
    db.close();
    const err = storeError(path, e);
    if (err !== e) throw err;
    if (e instanceof PillarsError) throw e;
    throw new UserError(`cannot open the store ${path}: ${(e as Error).message}`, { code: 'config', cause: e });
  }
  return db;
}

/** `PRAGMA quick_check`: throws the damaged-store error naming the first problems SQLite reports. */
export function quickCheck(db: Db, path: string): void {
  const rows = db.pragma('quick_check(5)') as { quick_check: string }[];
  const problems = rows.map((r) => r.quick_check).filter((s) => s !== 'ok');
  if (problems.length) throw damagedStoreError(path, `integrity check failed: ${problems.join('; ')}`);
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
