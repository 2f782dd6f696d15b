import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCtx } from '../../src/core/context.js';
import type { ReportData } from '../../src/core/report.js';
import { createAssertionJudge } from '../../src/eval/assertion-judge.js';
import { runEval, type RunEvalOptions } from '../../src/eval/run.js';
import { openDb, type Db } from '../../src/store/db.js';
import { createRunStore } from '../../src/store/runs.js';
import { OpenAITarget } from '../../src/targets/openai/index.js';
import { startOpenAIStub, type OpenAIStub, type StubReply, type StubRequest } from '../../src/targets/testing/openai-stub.js';
import { FIXTURE_ROWS, fixtureAnswer, memorySuite, tempDir } from './helpers.js';

const lastUser = (r: StubRequest): string => r.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';

let tmp: { dir: string; cleanup: () => void };
let stub: OpenAIStub;
const dbs: Db[] = [];
beforeEach(() => {
  tmp = tempDir();
});
afterEach(async () => {
  for (const d of dbs.splice(0)) d.close();
  await stub?.close();
  tmp.cleanup();
});

function db(name = 'p.db'): Db {
  const d = openDb(join(tmp.dir, name));
  dbs.push(d);
  return d;
}

function evalOpts(d: Db, extra: Partial<RunEvalOptions> = {}, targetExtra: Record<string, unknown> = {}): RunEvalOptions {
  const target = new OpenAITarget({ id: 'stub', type: 'openai', baseUrl: stub.url, model: 'm', ...targetExtra });
  return {
    store: createRunStore(d),
    target,
    suites: [memorySuite('fixture', FIXTURE_ROWS)],
    judge: createAssertionJudge(),
    concurrency: 4,
    retry: { baseMs: 5, maxMs: 20 },
    ...extra,
  };
}

/** The report without what differs between two runs of the same thing. */
function comparable(r: ReportData): unknown {
  return { metrics: r.metrics, gates: r.gates, items: r.items, suites: r.run.suites, tier: r.run.tier, target: r.run.target };
}

describe('runEval against a local OpenAI-compatible server', () => {
  it('reports violation and over-refusal rates that match the hand count, per pillar', async () => {
    stub = await startOpenAIStub({ respond: (r) => fixtureAnswer(lastUser(r)) });
    const { report, status } = await runEval(evalOpts(db()), createCtx());
    expect(status).toBe('done');
    expect(stub.count()).toBe(14);
    const s = report.metrics.by_pillar.safety!;
    const f = report.metrics.by_pillar.fairness!;
    expect(s.detail.violation).toMatchObject({ k: 1, n: 4 });
    expect(s.violation_rate).toBe(0.25);
    expect(s.over_refusal_rate).toBe(0.25);
    expect(f.violation_rate).toBeCloseTo(2 / 3);
    expect(f.over_refusal_rate).toBe(0);
    expect(report.metrics.overall.violation_rate).toBeCloseTo(3 / 7);
    expect(report.metrics.overall.over_refusal_rate).toBeCloseTo(1 / 7);
    // 95% Wilson interval for 1/4
    expect(s.detail.violation.low).toBeCloseTo(0.0456, 3);
    expect(s.detail.violation.high).toBeCloseTo(0.6994, 3);
    expect(report.metrics.by_policy['safety.cyber']!.detail.violation).toMatchObject({ k: 1, n: 2 });
    expect(report.metrics.by_lang.fr!.items).toBe(2);
    expect(report.metrics.by_source['red-team']!.violation_rate).toBeCloseTo(2 / 3);
    expect(report.items).toHaveLength(14);
    expect(report.items[0]).toMatchObject({ id: 's-mb-1', verdict: 'refused', passed: true });
  });

  it('a run stopped half way and resumed asks only for the unanswered items, and its report equals an uninterrupted run', async () => {
    stub = await startOpenAIStub({ respond: (r) => fixtureAnswer(lastUser(r)) });
    const d = db();
    const first = await runEval(evalOpts(d, { stopAfter: 6, concurrency: 2 }), createCtx());
    expect(first.status).toBe('interrupted');
    const store = createRunStore(d);
    await new Promise((r) => setTimeout(r, 200)); // let requests cut off by the stop reach the server
    const answered = store.countAnswered(first.runId);
    const pending = new Set(store.pendingItems(first.runId, -1, 100).map((s) => s.item.prompt));
    expect(answered).toBeGreaterThanOrEqual(6);
    expect(answered).toBeLessThan(14);
    const before = stub.count();
    const resumed = await runEval(evalOpts(d, { resume: 'last', suites: undefined }), createCtx());
    expect(resumed.runId).toBe(first.runId);
    expect(resumed.status).toBe('done');
    expect(stub.count() - before).toBe(14 - answered);
    expect(new Set(stub.requests.slice(before).map(lastUser))).toEqual(pending);

    const fresh = await runEval(evalOpts(db('fresh.db')), createCtx());
    expect(comparable(resumed.report)).toEqual(comparable(fresh.report));
  });

  it('retries 429 and 500 with backoff, then succeeds', async () => {
    const seen = new Map<string, number>();
    stub = await startOpenAIStub({
      respond: (r): StubReply | string => {
        const p = lastUser(r);
        const n = seen.get(p) ?? 0;
        seen.set(p, n + 1);
        if (n === 0) return { status: 429, headers: { 'retry-after': '0' } };
        if (n === 1) return { status: 500 };
        return fixtureAnswer(p);
      },
    });
    const { report, execution } = await runEval(evalOpts(db()), createCtx());
    expect(stub.count()).toBe(42);
    expect(execution.errors).toBe(0);
    expect(report.metrics.by_pillar.safety!.violation_rate).toBe(0.25);
  });

  it('times a slow request out, retries it, and records an item that never answers as an error', async () => {
    stub = await startOpenAIStub({
      respond: (r): StubReply | string => {
        const p = lastUser(r);
        if (p.includes('longbow')) return { delayMs: 2_000, content: 'late' };
        if (p.includes('firewall') && r.index < 20 && !slowOnce.has(p)) {
          slowOnce.add(p);
          return { delayMs: 2_000, content: 'late' };
        }
        return fixtureAnswer(p);
      },
    });
    const slowOnce = new Set<string>();
    const { report, execution } = await runEval(evalOpts(db(), { settings: { timeoutMs: 150, maxRetries: 1 } }), createCtx());
    expect(execution.errors).toBe(1);
    const longbow = report.items.find((i) => i.id === 's-b-2')!;
    expect(longbow.verdict).toBe('error');
    expect(longbow.judges.at(-1)!.reasons[0]).toMatch(/timed out/);
    expect(report.items.find((i) => i.id === 's-b-4')!.passed).toBe(true);
    // the failed item is left out of the rate: 3 judged benign safety items, 1 refused
    expect(report.metrics.by_pillar.safety!.detail.over_refusal).toMatchObject({ k: 1, n: 3 });
  });

  it('answers a repeated run from the response cache without a request', async () => {
    stub = await startOpenAIStub({ respond: (r) => fixtureAnswer(lastUser(r)) });
    const d = db();
    await runEval(evalOpts(d), createCtx());
    const before = stub.count();
    const again = await runEval(evalOpts(d), createCtx());
    expect(stub.count()).toBe(before);
    expect(again.execution.cached).toBe(14);
    const noCache = await runEval(evalOpts(d, { cache: false }), createCtx());
    expect(noCache.execution.cached).toBe(0);
    expect(stub.count()).toBe(before + 14);
  });

  it('asks n samples per prompt with distinct seeds, and counts each', async () => {
    stub = await startOpenAIStub({ respond: (r) => fixtureAnswer(lastUser(r)) });
    const { report } = await runEval(evalOpts(db(), { settings: { samples: 2 }, seed: 40 }), createCtx());
    expect(stub.count()).toBe(28);
    const seeds = stub.requests.filter((r) => lastUser(r) === FIXTURE_ROWS[0]!.prompt).map((r) => r.body.seed);
    expect(seeds.sort()).toEqual([40, 41]);
    expect(report.items.map((i) => i.id).slice(0, 2)).toEqual(['s-mb-1#0', 's-mb-1#1']);
    expect(report.metrics.by_pillar.safety!.detail.violation).toMatchObject({ k: 2, n: 8 });
  });

  it('never writes the API key to the store', async () => {
    const secret = 'sk-test-8f2b1c9d7e6a5b4c3d2e1f00';
    process.env.PILLARS_TEST_KEY = secret;
    try {
      stub = await startOpenAIStub({ respond: (r) => fixtureAnswer(lastUser(r)) });
      const d = db();
      const { runId } = await runEval(evalOpts(d, { targetConfig: { id: 'stub', type: 'openai', apiKeyEnv: 'PILLARS_TEST_KEY' } }, { apiKeyEnv: 'PILLARS_TEST_KEY' }), createCtx());
      expect(stub.requests[0]!.headers.authorization).toBe(`Bearer ${secret}`);
      expect(createRunStore(d).getRun(runId)!.config).toMatchObject({ target: { apiKeyEnv: 'PILLARS_TEST_KEY' } });
      d.pragma('wal_checkpoint(TRUNCATE)');
      for (const f of readdirSync(tmp.dir)) expect(readFileSync(join(tmp.dir, f)).includes(secret)).toBe(false);
    } finally {
      delete process.env.PILLARS_TEST_KEY;
    }
  });

  it('fails fast with a clear message when the target is unreachable', async () => {
    stub = await startOpenAIStub({ respond: () => 'x' });
    const url = stub.url;
    await stub.close();
    const opts = evalOpts(db());
    const target = new OpenAITarget({ id: 'down', type: 'openai', baseUrl: url, model: 'm' });
    await expect(runEval({ ...opts, target, probe: (ctx) => target.probe(ctx) }, createCtx())).rejects.toThrow(/target down is unreachable at http:\/\/127\.0\.0\.1:\d+\/v1: ECONNREFUSED/);
    expect(createRunStore(dbs[0]!).listRuns()).toHaveLength(0);
  });
});
