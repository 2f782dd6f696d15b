import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCtx } from '../../src/core/context.js';
import type { ReportData } from '../../src/core/report.js';
import { createAssertionJudge } from '../../src/eval/assertion-judge.js';
import { buildReport } from '../../src/eval/load-report.js';
import { runEval } from '../../src/eval/run.js';
import { copyStore } from '../../src/store/copy.js';
import { openStore, type OpenStore } from '../../src/store/open.js';
import { migratePg, openPg } from '../../src/store/pg/connect.js';
import { PG_MIGRATIONS } from '../../src/store/pg/migrations.js';
import type { ResultRecord, RunStore } from '../../src/store/runs.js';
import { OpenAITarget } from '../../src/targets/openai/index.js';
import { startOpenAIStub, type OpenAIStub, type StubRequest } from '../../src/targets/testing/openai-stub.js';
import { FIXTURE_ROWS, fixtureAnswer, memorySuite, tempDir } from '../eval/helpers.js';
import { pgSchema, requirePg, SKIP_PG } from '../helpers/services.js';

/**
 * The RunStore contract on both backends: the same calls give the same rows, and an eval run on
 * PostgreSQL reports exactly what the same run on SQLite reports.
 */

const lastUser = (r: StubRequest): string => r.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';

/** The report without what differs between two runs of the same thing. */
const comparable = (r: ReportData): unknown => ({ metrics: r.metrics, gates: r.gates, items: r.items, suites: r.run.suites, tier: r.run.tier, target: r.run.target });

const tmp = tempDir();
const schemas: { drop: () => Promise<void> }[] = [];
let stub: OpenAIStub;
beforeAll(async () => {
  stub = await startOpenAIStub({ respond: (r) => fixtureAnswer(lastUser(r)) });
});
afterAll(async () => {
  await stub.close();
  for (const s of schemas) await s.drop();
  tmp.cleanup();
});

let n = 0;
function location(backend: 'sqlite' | 'postgres'): string {
  if (backend === 'sqlite') return join(tmp.dir, `s${++n}.db`);
  const s = pgSchema();
  schemas.push(s);
  return s.url;
}

async function evalOn(store: RunStore, extra: { resume?: string } = {}): Promise<{ runId: string; report: ReportData }> {
  const target = new OpenAITarget({ id: 'stub', type: 'openai', baseUrl: stub.url, model: 'm' });
  const res = await runEval({ store, target, suites: [memorySuite('fixture', FIXTURE_ROWS)], judge: createAssertionJudge(), concurrency: 4, retry: { baseMs: 5, maxMs: 20 }, ...extra }, createCtx());
  return { runId: res.runId, report: res.report };
}

const BACKENDS = [
  { backend: 'sqlite' as const, skip: false },
  { backend: 'postgres' as const, skip: SKIP_PG },
];

describe.each(BACKENDS)('RunStore on $backend', ({ backend, skip }) => {
  let store: OpenStore;
  beforeAll(async () => {
    if (skip) return;
    if (backend === 'postgres') requirePg();
    store = await openStore(location(backend));
  });
  afterAll(async () => {
    await store?.close();
  });

  it.skipIf(skip)('runs an eval and reports the hand-counted rates', async () => {
    const { runId, report } = await evalOn(store.runs);
    expect(report.metrics.by_pillar.safety!.detail.violation).toMatchObject({ k: 1, n: 4 });
    expect(report.metrics.by_pillar.fairness!.detail.violation).toMatchObject({ k: 2, n: 3 });
    expect(await store.runs.countAnswered(runId)).toBe(14);
    const run = await store.runs.resolveRun('last');
    expect(run.id).toBe(runId);
    expect(run.status).toBe('done');
    expect((await store.runs.resolveRun(runId.slice(0, 18))).id).toBe(runId);
    const failing = [];
    for await (const r of store.runs.items(runId, { failingOnly: true })) failing.push(r.item.id);
    expect(failing.sort()).toEqual(['f-mb-1', 'f-mb-3', 's-b-3', 's-mb-4']);
    const rebuilt = await buildReport(store.runs, runId);
    expect(comparable(rebuilt)).toEqual(comparable(report));
  });

  it.skipIf(skip)('writes one result per item however often an item is answered (idempotent by run and seq)', async () => {
    const id = `dup-${backend}`;
    await store.runs.createRun({ id, created_at: new Date().toISOString(), started_at: new Date().toISOString(), status: 'running', target: 't', target_fingerprint: 'fp', suites: ['s'], tier: 'quick', seed: 4_000_000_000, samples: 1, config: {} });
    const items = FIXTURE_ROWS.slice(0, 3).map((r, i) => ({ seq: i, sample: 0, suite: 's', item: { lang: 'en', source: 'handwritten', ...r } as never }));
    await store.runs.appendItems(id, items);
    await store.runs.sealItems(id, 3);
    const answer = (seq: number, text: string | null, error: string | null): ResultRecord => ({
      response: { seq, text, error, cached: false, attempts: 1, cacheKey: `k${seq}` },
      judgement: error ? undefined : { seq, label: 'complied', passed: true, score: 1, verdicts: [] },
    });
    await store.runs.writeResults(id, [answer(0, null, 'timeout'), answer(1, 'a', null)]);
    expect((await store.runs.pendingItems(id, -1, 10)).map((p) => p.seq)).toEqual([0, 2]);
    // The retried job and a duplicate delivery of another: still one row each, the last answer wins.
    await store.runs.writeResults(id, [answer(0, 'x', null), answer(1, 'b', null), answer(2, 'c', null), answer(2, 'd', null)]);
    expect(await store.runs.countAnswered(id)).toBe(3);
    expect(await store.runs.pendingItems(id, -1, 10)).toEqual([]);
    const texts = [];
    for await (const r of store.runs.items(id)) texts.push(r.text);
    expect(texts).toEqual(['x', 'b', 'd']);
    expect((await store.runs.getRun(id))!.seed).toBe(4_000_000_000);
    expect(await store.runs.commitCache(id)).toBe(3);
    expect(await store.runs.commitCache(id)).toBe(0);
    const cached = await store.runs.cacheGetMany(['k0', 'k2', 'nope']);
    expect([...cached.keys()].sort()).toEqual(['k0', 'k2']);
    expect(cached.get('k2')!.text).toBe('d');
    await store.runs.deleteRun(id);
    expect(await store.runs.getRun(id)).toBeNull();
  });

  it.skipIf(skip)('lets one process hold a run: a second claim is refused while the lease lives', async () => {
    const id = `lease-${backend}`;
    await store.runs.createRun({ id, created_at: new Date().toISOString(), started_at: new Date().toISOString(), status: 'preparing', target: 't', target_fingerprint: 'fp', suites: [], tier: 'quick', seed: 1, samples: 1, config: {} });
    const claims = await Promise.all([store.runs.claimRun(id, 'elsewhere:1:aa'), store.runs.claimRun(id, 'elsewhere:2:bb')]);
    expect(claims.filter((c) => c.ok)).toHaveLength(1);
    expect(claims.find((c) => !c.ok)).toMatchObject({ holder: expect.stringContaining('elsewhere') });
  });
});

describe.skipIf(SKIP_PG)('moving a team from SQLite to PostgreSQL', () => {
  const opened: OpenStore[] = [];
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });

  it('copies a SQLite store into PostgreSQL: the same run reports the same, and a second copy adds nothing', async () => {
    requirePg();
    const file = location('sqlite');
    const src = await openStore(file);
    opened.push(src);
    const { runId, report } = await evalOn(src.runs);
    await src.close();
    opened.pop();
    const to = location('postgres');
    const first = await copyStore(file, to);
    expect(first.tables.find((t) => t.table === 'eval_run_items')).toEqual({ table: 'eval_run_items', read: 14, written: 14 });
    const again = await copyStore(file, to);
    expect(again.tables.every((t) => t.written === 0)).toBe(true);
    const dst = await openStore(to);
    opened.push(dst);
    expect(comparable(await buildReport(dst.runs, runId))).toEqual(comparable(report));
    // The copied cache answers a new run on PostgreSQL without asking the model.
    const before = stub.count();
    const second = await evalOn(dst.runs);
    expect(stub.count()).toBe(before);
    expect(comparable(second.report)).toEqual(comparable(report));
  });

  it('applies migrations once, however many processes open the store at once', async () => {
    requirePg();
    const url = location('postgres');
    const pools = await Promise.all([openPg(url), openPg(url), openPg(url)]);
    try {
      expect(await migratePg(pools[0]!)).toEqual([]);
      const rows = await pools[1]!<{ id: number }[]>`SELECT id FROM schema_migrations ORDER BY id`;
      expect(rows.map((r) => r.id)).toEqual(PG_MIGRATIONS.map((m) => m.id).sort((a, b) => a - b));
    } finally {
      for (const p of pools) await p.end({ timeout: 1 });
    }
  });
});
