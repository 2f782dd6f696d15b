import { join } from 'node:path';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCtx } from '../../src/core/context.js';
import { defaultPackPath } from '../../src/core/paths.js';
import { createTracing, NO_TRACING, parentFromEnv, tracingFromEnv } from '../../src/core/trace.js';
import { createAssertionJudge } from '../../src/eval/assertion-judge.js';
import { runEval } from '../../src/eval/run.js';
import { loadPack } from '../../src/policy/load.js';
import { builtinPrefsPath, createRewardScorer, guardForRewards, readPrefs, RewardFeaturizer, RewardSection, startRewardServer, trainRewardModel } from '../../src/rewards/index.js';
import { openDb, type Db } from '../../src/store/db.js';
import { createRunStore } from '../../src/store/runs.js';
import { OpenAITarget } from '../../src/targets/openai/index.js';
import { startOpenAIStub, type OpenAIStub } from '../../src/targets/testing/openai-stub.js';
import { FIXTURE_ROWS, fixtureAnswer, memorySuite, tempDir } from '../eval/helpers.js';

/** Traces (issue 18): the eval runner's and the reward server's spans, and the environment switch. */

describe('traces outside the gateway', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: Db;
  let stub: OpenAIStub | null = null;
  beforeEach(() => {
    tmp = tempDir();
    db = openDb(join(tmp.dir, 'p.db'));
  });
  afterEach(async () => {
    db.close();
    await stub?.close();
    tmp.cleanup();
  });

  it('are off unless configured', () => {
    expect(NO_TRACING.enabled).toBe(false);
    expect(tracingFromEnv('x', {}).enabled).toBe(false);
    expect(tracingFromEnv('x', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }).enabled).toBe(true);
  });

  it('the eval runner: one span per judged item (policy, level, label, pass, duration) under the run span and TRACEPARENT', async () => {
    stub = await startOpenAIStub({ respond: (r) => fixtureAnswer(r.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '') });
    const exporter = new InMemorySpanExporter();
    const tracing = createTracing({ serviceName: 'eval-test', exporter });
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    process.env.TRACEPARENT = `00-${traceId}-b7ad6b7169203331-01`;
    try {
      expect(parentFromEnv(tracing)).toBeDefined();
      await runEval({ store: createRunStore(db), target: new OpenAITarget({ id: 'stub', type: 'openai', baseUrl: stub.url, model: 'm' }), suites: [memorySuite('fixture', FIXTURE_ROWS)], judge: createAssertionJudge(), concurrency: 2, tracing }, createCtx());
    } finally {
      delete process.env.TRACEPARENT;
    }
    const spans = exporter.getFinishedSpans();
    const items = spans.filter((s) => s.name === 'pillars.decision');
    expect(items).toHaveLength(FIXTURE_ROWS.length);
    const run = spans.find((s) => s.name === 'pillars.eval.run')!;
    expect(run.attributes['pillars.answered']).toBe(FIXTURE_ROWS.length);
    for (const s of [...items, run]) expect(s.spanContext().traceId).toBe(traceId);
    for (const s of items) {
      expect(s.parentSpanContext?.spanId).toBe(run.spanContext().spanId);
      expect(s.attributes).toMatchObject({ 'pillars.check': 'eval', 'pillars.stage': 'judge' });
      expect(typeof s.attributes['pillars.action']).toBe('string');
      expect(typeof s.attributes['pillars.duration_ms']).toBe('number');
    }
    const withPolicy = items.filter((s) => typeof s.attributes['pillars.policy'] === 'string');
    const rowsWithPolicy = FIXTURE_ROWS.filter((r) => (r as { policy?: string }).policy);
    expect(withPolicy).toHaveLength(rowsWithPolicy.length);
  });

  it('the reward server: one span per scoring request, child of the caller’s traceparent', async () => {
    const pack = loadPack(defaultPackPath).pack;
    const guard = guardForRewards();
    const { model } = trainRewardModel({ pairs: readPrefs(builtinPrefsPath).slice(0, 100), guardModel: guard.model, guardSha256: guard.sha256, pack, seed: 1 });
    const scorer = createRewardScorer({ model, featurizer: new RewardFeaturizer(guard.model, pack), config: RewardSection.parse({}) });
    const exporter = new InMemorySpanExporter();
    const srv = await startRewardServer({ scorer, model, ctx: createCtx(), port: 0, tracing: createTracing({ serviceName: 'reward-test', exporter }) });
    const traceId = '11112222333344445555666677778888';
    try {
      const r = await fetch(`${srv.url}/v1/reward`, { method: 'POST', headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-1111222233334444-01` }, body: JSON.stringify({ items: [{ prompt: 'How do I boil an egg?', response: 'Seven minutes.' }, { prompt: 'Hi', response: 'Hello!' }] }) });
      expect(r.status).toBe(200);
      await fetch(`${srv.url}/healthz`);
    } finally {
      await srv.close();
    }
    await new Promise((r) => setTimeout(r, 20));
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.spanContext().traceId).toBe(traceId);
    expect(spans[0]!.attributes).toMatchObject({ 'pillars.check': 'reward', 'pillars.items': 2, 'http.status_code': 200 });
    expect(typeof spans[0]!.attributes['pillars.score']).toBe('number');
  }, 60_000);
});
