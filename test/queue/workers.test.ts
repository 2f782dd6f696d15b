import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitSchema } from '../../src/store/pg/connect.js';
import { startOpenAIStub, type OpenAIStub } from '../../src/targets/testing/openai-stub.js';
import { runCli as cli } from '../helpers/cli.js';
import { pgSchema, redisUrl, requirePg, requireRedis, SKIP_PG, SKIP_REDIS } from '../helpers/services.js';
import { FIXTURE_ROWS, fixtureAnswer, tempDir } from '../eval/helpers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const N = 600;

const lastUser = (msgs: { role: string; content: string }[]): string => msgs.filter((m) => m.role === 'user').at(-1)?.content ?? '';

/**
 * Distributed evaluation against the real PostgreSQL and Redis: three `pillars worker` processes,
 * one killed with SIGKILL while it holds a job; BullMQ's stalled-job check gives its job to another
 * worker, and the run ends with exactly one answer per item and the report a single process writes.
 */
describe.skipIf(SKIP_PG || SKIP_REDIS)('pillars eval --queue with pillars worker processes', () => {
  const tmp = tempDir();
  const pg = pgSchema();
  const queue = redisUrl();
  let stub: OpenAIStub;
  const workers: ChildProcess[] = [];
  let cfg: string;

  beforeAll(async () => {
    requirePg();
    requireRedis();
    // Each answer takes 20 ms, like a (fast) model.
    stub = await startOpenAIStub({ respond: async (r) => (await new Promise((res) => setTimeout(res, 20)), fixtureAnswer(lastUser(r.messages))) });
    const rows = Array.from({ length: N }, (_, i) => {
      const r = FIXTURE_ROWS[i % FIXTURE_ROWS.length]!;
      return { ...r, id: `${r.id as string}-${i}`, prompt: `${r.prompt as string} #${i}` };
    });
    writeFileSync(join(tmp.dir, 'data.jsonl'), `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
    cfg = join(tmp.dir, 'pillars.yaml');
    writeFileSync(cfg, [`store: "${pg.url}"`, 'targets:', `  - { id: good, type: openai, baseUrl: "${stub.url}", model: m }`, 'eval:', '  targets: [good]', '  suites: [data.jsonl]', '  judge: assertion', '  concurrency: 4'].join('\n'));
    // The schema exists before three processes race to create it.
    expect((await cli(['store', 'migrate', '--config', cfg])).code).toBe(0);
  });
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await stub?.close();
    await pg.drop();
    tmp.cleanup();
  });

  const startWorker = (): Promise<ChildProcess> =>
    new Promise((resolve, reject) => {
      const w = spawn(process.execPath, ['--import', TSX, join(ROOT, 'src', 'cli', 'main.ts'), 'worker', '--queue', queue, '--config', cfg, '--judge', 'assertion'], { cwd: tmp.dir, stdio: ['ignore', 'ignore', 'pipe'] });
      workers.push(w);
      let err = '';
      w.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('taking jobs')) resolve(w);
      });
      w.once('exit', (code) => reject(new Error(`worker exited ${code}: ${err}`)));
    });

  it('answers every item exactly once although a worker is killed mid-job, and reports what one process reports', async () => {
    await Promise.all([startWorker(), startWorker(), startWorker()]);
    const victim = workers[0]!;
    // Kill one worker once answers are flowing (it holds a job then: each worker takes one at a time).
    const killer = setInterval(() => {
      if (stub.count() >= 150 && victim.exitCode === null && victim.signalCode === null) {
        victim.kill('SIGKILL');
        clearInterval(killer);
      }
    }, 10);
    const dist = await cli(['eval', '--config', cfg, '--queue', queue, '--no-cache', '--out', join(tmp.dir, 'out-queue'), '--format', 'json']);
    clearInterval(killer);
    expect(dist.code, dist.err).toBe(0);
    expect(victim.signalCode).toBe('SIGKILL');

    const { url, schema } = splitSchema(pg.url);
    const sql = postgres(url, { max: 1, connection: { search_path: schema! }, onnotice: () => {} });
    try {
      const [run] = await sql<{ id: string }[]>`SELECT id FROM eval_runs ORDER BY ord DESC LIMIT 1`;
      const [c] = await sql<{ rows: string; seqs: string; ok: string }[]>`SELECT COUNT(*) AS rows, COUNT(DISTINCT seq) AS seqs, COUNT(*) FILTER (WHERE error IS NULL) AS ok FROM eval_responses WHERE run_id = ${run!.id}`;
      expect(c).toEqual({ rows: String(N), seqs: String(N), ok: String(N) });
    } finally {
      await sql.end({ timeout: 1 });
    }

    const single = await cli(['eval', '--config', cfg, '--no-cache', '--out', join(tmp.dir, 'out-single'), '--format', 'json']);
    expect(single.code, single.err).toBe(0);
    const report = (dir: string): { metrics: unknown; items: unknown; gates: unknown } => JSON.parse(readFileSync(join(tmp.dir, dir, 'report.json'), 'utf8')) as { metrics: unknown; items: unknown; gates: unknown };
    const a = report('out-queue');
    const b = report('out-single');
    expect(a.metrics).toEqual(b.metrics);
    expect(a.items).toEqual(b.items);
  }, 120_000);
});
