import postgres from 'postgres';
import { UserError } from '../../core/errors.js';
import { PG_MIGRATIONS, type PgMigration } from './migrations.js';

/** A pooled PostgreSQL connection (porsager's `postgres`). */
export type Sql = postgres.Sql;

export interface OpenPgOptions {
  /** Pool size (default 10). */
  max?: number;
  migrations?: PgMigration[];
  /** Apply pending migrations on open (default true; `pillars store migrate` does it explicitly). */
  migrate?: boolean;
}

/** `postgres://` or `postgresql://`: the store is a PostgreSQL database, not a SQLite file. */
export function isPostgresUrl(s: string): boolean {
  return /^postgres(ql)?:\/\//i.test(s);
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}

/**
 * Split `?schema=NAME` off the URL: the store's tables live in that schema (created if missing),
 * so several stores (or test runs) can share one database.
 */
export function splitSchema(url: string): { url: string; schema: string | null } {
  const u = new URL(url);
  const schema = u.searchParams.get('schema');
  u.searchParams.delete('schema');
  if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/i.test(schema)) {
    throw new UserError(`store: schema "${schema}" is not a plain identifier (letters, digits, _)`, { code: 'config', option: 'store' });
  }
  return { url: u.toString(), schema };
}

const INT8 = 20;
/** The advisory lock id that serialises schema creation and migrations. */
const MIGRATION_LOCK = 7351005;

export async function openPg(location: string, opts: OpenPgOptions = {}): Promise<Sql> {
  const { url, schema } = splitSchema(location);
  const sql = postgres(url, {
    max: opts.max ?? 10,
    // A server that is down fails a query in seconds (the driver's default waits 30 s), so a
    // gateway answers 503 and a command exits 2 rather than hanging.
    connect_timeout: 5,
    onnotice: () => {},
    // COUNT(*) and BIGINT columns as numbers (every count and seed fits in 2^53).
    types: { int8: { to: INT8, from: [INT8], serialize: (x: number) => String(x), parse: (x: string) => Number(x) } },
    ...(schema ? { connection: { search_path: schema } } : {}),
  });
  try {
    if (schema) {
      // Under the migration lock: processes opening a new schema at once do not race to create it.
      await sql.begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`;
        await tx.unsafe(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      });
    }
    if (opts.migrate !== false) await migratePg(sql, opts.migrations ?? PG_MIGRATIONS);
  } catch (e) {
    await sql.end({ timeout: 1 });
    throw new UserError(`cannot open the store ${redactUrl(location)}: ${(e as Error).message} (check \`store:\` in pillars.yaml or PILLARS_STORE, and that PostgreSQL is answering)`, {
      code: 'config',
      cause: e,
    });
  }
  return sql;
}

/**
 * Apply the migrations not yet applied, in id order, each in a transaction. An advisory lock
 * serialises processes that open the same store at once (workers, gateways): one migrates, the
 * others wait and then find nothing to do. Returns the ids applied.
 */
export async function migratePg(sql: Sql, migrations: PgMigration[] = PG_MIGRATIONS): Promise<number[]> {
  const applied: number[] = [];
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`;
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`;
    const done = new Set((await tx<{ id: number }[]>`SELECT id FROM schema_migrations`).map((r) => r.id));
    for (const m of [...migrations].sort((a, b) => a.id - b.id)) {
      if (done.has(m.id)) continue;
      await tx.unsafe(m.up);
      await tx`INSERT INTO schema_migrations (id, name, applied_at) VALUES (${m.id}, ${m.name}, ${new Date().toISOString()})`;
      applied.push(m.id);
    }
  });
  return applied;
}
