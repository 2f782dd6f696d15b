import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitSchema } from '../../src/store/pg/connect.js';
import { startOpenAIStub, type OpenAIStub } from '../../src/targets/testing/openai-stub.js';
import { runCli as cli } from '../helpers/cli.js';
import { pgSchema, requirePg, requireRedis, SKIP_PG, SKIP_REDIS } from '../helpers/services.js';
import { FIXTURE_ROWS, fixtureAnswer, tempDir } from '../eval/helpers.js';
import { queueUrl } from './helpers.js';

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
  const queue = queueUrl([1, 2, 3, 4, 5]);
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

  it('--limit N answers the same first N items as a single process, and --resume --limit the next ones', async () => {
    while (workers.filter((w) => w.exitCode === null && w.signalCode === null).length < 2) await startWorker();
    const { url, schema } = splitSchema(pg.url);
    const sql = postgres(url, { max: 1, connection: { search_path: schema! }, onnotice: () => {} });
    const latest = async (): Promise<{ id: string; status: string; seqs: number[] }> => {
      const [run] = await sql<{ id: string; status: string }[]>`SELECT id, status FROM eval_runs ORDER BY ord DESC LIMIT 1`;
      const rows = await sql<{ seq: number }[]>`SELECT seq FROM eval_responses WHERE run_id = ${run!.id} AND error IS NULL ORDER BY seq`;
      return { ...run!, seqs: rows.map((r) => r.seq) };
    };
    const first = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);
    try {
      // 250: two whole jobs and half of a third; eight in flight (more than one item past the limit could start).
      const single = await cli(['eval', '--config', cfg, '--no-cache', '--limit', '250', '--concurrency', '8', '--out', join(tmp.dir, 'limit-single'), '--format', 'json']);
      expect(single.code, single.err).toBe(0);
      const s = await latest();
      expect(s.seqs).toEqual(first(250));
      expect(s.status).toBe('interrupted');

      const before = stub.count();
      const dist = await cli(['eval', '--config', cfg, '--queue', queue, '--no-cache', '--limit', '250', '--concurrency', '8', '--out', join(tmp.dir, 'limit-queue'), '--format', 'json']);
      expect(dist.code, dist.err).toBe(0);
      expect(dist.out).toContain('stopped before the end');
      const q = await latest();
      expect(q.id).not.toBe(s.id);
      expect(q.seqs).toEqual(s.seqs);
      expect(q.status).toBe('interrupted');
      expect(stub.count() - before).toBe(250);
      const report = (dir: string): { metrics: unknown; items: unknown } => JSON.parse(readFileSync(join(tmp.dir, dir, 'report.json'), 'utf8')) as { metrics: unknown; items: unknown };
      expect(report('limit-queue').metrics).toEqual(report('limit-single').metrics);
      expect(report('limit-queue').items).toEqual(report('limit-single').items);

      const resumed = await cli(['eval', '--config', cfg, '--queue', queue, '--no-cache', '--resume', q.id, '--limit', '100', '--out', join(tmp.dir, 'limit-resumed'), '--format', 'json']);
      expect(resumed.code, resumed.err).toBe(0);
      const r = await latest();
      expect(r.id).toBe(q.id);
      expect(r.seqs).toEqual(first(350));
      expect(stub.count() - before).toBe(350);
    } finally {
      await sql.end({ timeout: 1 });
    }
  }, 120_000);
});
