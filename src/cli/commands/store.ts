import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { copyStore } from '../../store/copy.js';
import { openDb } from '../../store/db.js';
import { describeStore, storeBackend } from '../../store/open.js';
import { isPostgresUrl, migratePg, openPg } from '../../store/pg/connect.js';
import { cliEnv, example, printJson, withConfig, withJson, type CommonOpts } from '../shared.js';

/** `pillars store migrate` and `pillars store copy`: set up a store and move a team from SQLite to PostgreSQL. */
export function registerStore(program: Command): void {
  const store = program.command('store').description('the store: apply migrations, copy a SQLite store into PostgreSQL');

  example(withJson(withConfig(store.command('migrate').description('apply pending schema migrations to the configured store (`store:` or PILLARS_STORE)').option('--store <location>', 'a SQLite path or postgres:// URL instead of the configured one'))), [
    'pillars store migrate',
    'PILLARS_STORE=postgres://pillars@db:5432/pillars pillars store migrate --json',
  ]).action(async (opts: CommonOpts & { store?: string }) => {
    const { config } = cliEnv(opts);
    const location = opts.store ?? config.storePath;
    let applied: number[];
    if (isPostgresUrl(location)) {
      const sql = await openPg(location, { migrate: false });
      try {
        applied = await migratePg(sql);
      } finally {
        await sql.end({ timeout: 5 });
      }
    } else {
      // SQLite migrates when opened; report what is there.
      openDb(location).close();
      applied = [];
    }
    if (opts.json) printJson({ store: describeStore(location), backend: storeBackend(location), applied });
    else process.stdout.write(`store ${describeStore(location)} (${storeBackend(location)}): ${applied.length ? `applied migrations ${applied.join(', ')}` : 'up to date'}\n`);
  });

  example(
    withJson(
      store
        .command('copy')
        .description('copy a SQLite store into a PostgreSQL one (eval runs, items, results, response cache); rows already there are kept, so it can be run again')
        .requiredOption('--from <file>', 'the SQLite store file')
        .requiredOption('--to <url>', 'the PostgreSQL store, postgres://USER@HOST:PORT/DATABASE'),
    ),
    ['pillars store copy --from .pillars/pillars.db --to postgres://pillars@db:5432/pillars'],
  ).action(async (opts: { from: string; to: string; json?: boolean }) => {
    if (!isPostgresUrl(opts.to)) throw new UserError('--to: give the PostgreSQL store as postgres://USER@HOST:PORT/DATABASE', { code: 'usage' });
    const res = await copyStore(opts.from, opts.to, {
      onTable: opts.json ? undefined : (t, read, written) => process.stderr.write(`${t}: ${read} read, ${written} written\n`),
    });
    if (opts.json) printJson({ from: opts.from, to: describeStore(opts.to), ...res });
    else process.stdout.write(`copied ${opts.from} -> ${describeStore(opts.to)}: ${res.tables.reduce((a, t) => a + t.written, 0)} rows written\n`);
  });
}
