import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { PG_MIGRATIONS } from '../../src/store/pg/migrations.js';
import { startOpenAIStub, type OpenAIStub } from '../../src/targets/testing/openai-stub.js';
import { runCli as cli } from '../helpers/cli.js';
import { pgSchema, requirePg, SKIP_PG } from '../helpers/services.js';
import { FIXTURE_ROWS, fixtureAnswer, tempDir } from '../eval/helpers.js';

const lastUser = (msgs: { role: string; content: string }[]): string => msgs.filter((m) => m.role === 'user').at(-1)?.content ?? '';

describe.skipIf(SKIP_PG)('pillars eval and pillars store on a PostgreSQL store', () => {
  const tmp = tempDir();
  const pg = pgSchema();
  const pg2 = pgSchema();
  let stub: OpenAIStub;
  const config = (name: string, store: string): string => {
    const p = join(tmp.dir, name);
    writeFileSync(
      p,
      [`store: "${store}"`, 'targets:', `  - { id: good, type: openai, baseUrl: "${stub.url}", model: m }`, 'eval:', '  targets: [good]', '  suites: [data.jsonl]', '  judge: assertion', 'gates:', '  - { metric: violation_rate, pillar: safety, max: 0.3 }'].join('\n'),
    );
    return p;
  };
  beforeAll(async () => {
    requirePg();
    stub = await startOpenAIStub({ respond: (r) => fixtureAnswer(lastUser(r.messages)) });
    writeFileSync(join(tmp.dir, 'data.jsonl'), `${FIXTURE_ROWS.map((r) => JSON.stringify(r)).join('\n')}\n`);
  });
  afterAll(async () => {
    await stub?.close();
    await pg.drop();
    await pg2.drop();
    tmp.cleanup();
  });

  it('migrates, evaluates into PostgreSQL with the same report as SQLite, and copies SQLite runs across', async () => {
    const mig = await cli(['store', 'migrate', '--config', config('pg.yaml', pg.url), '--json']);
    expect(mig.code).toBe(0);
    expect(JSON.parse(mig.out)).toMatchObject({ backend: 'postgres', applied: PG_MIGRATIONS.map((m) => m.id).sort((a, b) => a - b) });
    expect(JSON.parse((await cli(['store', 'migrate', '--config', config('pg.yaml', pg.url), '--json'])).out).applied).toEqual([]);

    const onPg = await cli(['eval', '--config', config('pg.yaml', pg.url), '--out', join(tmp.dir, 'out-pg'), '--format', 'json']);
    expect(onPg.code, onPg.err).toBe(0);
    const listed = await cli(['runs', 'list', '--config', config('pg.yaml', pg.url), '--json']);
    expect(listed.code, listed.err).toBe(0);
    const runs = JSON.parse(listed.out) as { id: string; status: string; items: number }[];
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'done', items: 14 });
    const shown = await cli(['runs', 'show', 'last', '--config', config('pg.yaml', pg.url)]);
    expect(shown.code, shown.err).toBe(0);
    expect(shown.out).toMatch(/answered 14\/14/);
    const sqliteFile = join(tmp.dir, 'store', 'pillars.db');
    const onSqlite = await cli(['eval', '--config', config('sqlite.yaml', sqliteFile), '--out', join(tmp.dir, 'out-sqlite'), '--format', 'json']);
    expect(onSqlite.code).toBe(0);
    const metrics = (dir: string): unknown => (JSON.parse(readFileSync(join(tmp.dir, dir, 'report.json'), 'utf8')) as { metrics: unknown }).metrics;
    expect(metrics('out-pg')).toEqual(metrics('out-sqlite'));

    // PILLARS_STORE overrides store: in the file.
    process.env.PILLARS_STORE = pg2.url;
    try {
      const copy = await cli(['store', 'copy', '--from', sqliteFile, '--to', pg2.url, '--json']);
      expect(copy.code, copy.err).toBe(0);
      expect(JSON.parse(copy.out).tables).toContainEqual({ table: 'eval_responses', read: 14, written: 14 });
      const s = await openStore(pg2.url);
      try {
        const run = await s.runs.resolveRun('last');
        expect(run).toMatchObject({ status: 'done', target: 'good', item_count: 14 });
      } finally {
        await s.close();
      }
    } finally {
      delete process.env.PILLARS_STORE;
    }
  });

  it('keys and the audit log live on PostgreSQL too (no file named postgres: is written)', async () => {
    const cfg = config('keys.yaml', pg.url);
    const none = await cli(['keys', 'list', '--config', cfg]);
    expect(none.code, none.err).toBe(0);
    expect(none.out).toMatch(/No API keys/);
    const added = await cli(['keys', 'add', '--tier', 'enterprise', '--name', 'ci', '--json', '--config', cfg]);
    expect(added.code, added.err).toBe(0);
    const listed = await cli(['keys', 'list', '--json', '--config', cfg]);
    expect(JSON.parse(listed.out)).toEqual([expect.objectContaining({ name: 'ci', tier: 'enterprise', revokedAt: null })]);
    expect(listed.out).not.toContain(JSON.parse(added.out).key);
    const audit = await cli(['audit', 'verify', '--config', cfg]);
    expect(audit.code, audit.err).toBe(0);
    expect(audit.out).toMatch(/audit log intact: 0 records/);
    expect(existsSync(join(dirname(cfg), 'postgres:'))).toBe(false);
  });
});
