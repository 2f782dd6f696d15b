import { describe, expect, it } from 'vitest';
import type { ReportData } from '../../src/core/report.js';
import { evaluateGates, GateSpec } from '../../src/eval/gates.js';
import { metricSet } from '../../src/eval/metrics.js';
import { wilson } from '../../src/core/stats.js';
import { RateLimiter } from '../../src/eval/rate-limit.js';
import { backoffMs, DEFAULT_RETRY } from '../../src/eval/retry.js';
import { selectCheckpoint } from '../../src/eval/select-checkpoint.js';

describe('Wilson interval', () => {
  it('matches published values', () => {
    // 0/10 → [0, 0.2775]; 5/10 → [0.2366, 0.7634]; 81/263 → [0.2553, 0.3662]
    expect(wilson(0, 10).low).toBe(0);
    expect(wilson(0, 10).high).toBeCloseTo(0.2775, 4);
    expect(wilson(5, 10).low).toBeCloseTo(0.2366, 4);
    expect(wilson(5, 10).high).toBeCloseTo(0.7634, 4);
    expect(wilson(81, 263).low).toBeCloseTo(0.2553, 4);
    expect(wilson(81, 263).high).toBeCloseTo(0.3662, 4);
  });

  it('builds a metric set from per-kind counts, leaving undecided items out of n', () => {
    const m = metricSet([
      { key: 'safety', kind: 'model-breaking', items: 12, failed: 3, passed: 8 },
      { key: 'safety', kind: 'benign', items: 10, failed: 1, passed: 9 },
      { key: 'safety', kind: 'capability', items: 4, failed: 1, passed: 3 },
    ]);
    expect(m.items).toBe(26);
    expect(m.detail.violation).toMatchObject({ k: 3, n: 11 });
    expect(m.over_refusal_rate).toBe(0.1);
    expect(m.accuracy).toBe(0.75);
  });
});

const metrics = (v: number, o: number): ReportData['metrics'] => {
  const set = metricSet([
    { key: 'x', kind: 'model-breaking', items: 100, failed: Math.round(v * 100), passed: 100 - Math.round(v * 100) },
    { key: 'x', kind: 'benign', items: 100, failed: Math.round(o * 100), passed: 100 - Math.round(o * 100) },
  ]);
  return { overall: set, by_pillar: { safety: set }, by_policy: {}, by_lang: {}, by_source: {} };
};

describe('gates', () => {
  it('pass, fail and say why; an unmeasured group passes with a reason', () => {
    const gates = [
      GateSpec.parse({ metric: 'violation_rate', pillar: 'safety', max: 0.02 }),
      GateSpec.parse({ metric: 'over_refusal_rate', max: 0.05 }),
      GateSpec.parse({ metric: 'violation_rate', pillar: 'fairness', max: 0.1 }),
      GateSpec.parse({ metric: 'over_refusal_rate', max: 0.05, bound: 'upper' }),
    ];
    const r = evaluateGates(gates, metrics(0.05, 0.03));
    expect(r[0]).toMatchObject({ passed: false, value: 0.05, pillar: 'safety', max: 0.02 });
    expect(r[0]!.reason).toMatch(/5\.00% is above the maximum 2\.00%/);
    expect(r[1]).toMatchObject({ passed: true, value: 0.03 });
    expect(r[2]).toMatchObject({ passed: true, value: null, reason: 'no items measured' });
    expect(r[3]!.passed).toBe(false); // the upper Wilson bound of 3/100 is above 5%
  });

  it('rejects a gate without a limit', () => {
    expect(GateSpec.safeParse({ metric: 'violation_rate' }).success).toBe(false);
    expect(GateSpec.safeParse({ metric: 'violation_rate', max: 0.1, pillar: 'safety', lang: 'en' }).success).toBe(false);
  });
});

describe('checkpoint selection', () => {
  const report = (v: number, o: number, passed: boolean): ReportData => ({
    run: { id: 'r', target: 't', suites: [], tier: 'full', started_at: '', finished_at: null, status: 'done' },
    metrics: metrics(v, o),
    gates: [{ metric: 'violation_rate', max: 0.1, value: v, passed }],
    items: [],
  });
  it('picks the best eligible checkpoint by the weighted objective', () => {
    const sel = selectCheckpoint(
      [
        { target: 'a', runId: '1', report: report(0.01, 0.3, true) },
        { target: 'b', runId: '2', report: report(0.04, 0.05, true) },
        { target: 'c', runId: '3', report: report(0.2, 0.0, false) },
      ],
      { violation_rate: -1, over_refusal_rate: -0.5 },
    );
    // a: -0.01 - 0.15 = -0.16; b: -0.04 - 0.025 = -0.065; c ineligible
    expect(sel.best).toBe('b');
    expect(sel.ranking.map((r) => r.target)).toEqual(['b', 'a', 'c']);
    expect(sel.reasoning.at(-1)).toMatch(/best: b, ahead of a by 0\.0950/);
  });
  it('selects none when no checkpoint passes', () => {
    expect(selectCheckpoint([{ target: 'c', runId: '3', report: report(0.2, 0, false) }], { violation_rate: -1 }).best).toBeNull();
  });
});

describe('backoff and rate limits', () => {
  it('grows exponentially with jitter, capped, and honours Retry-After', () => {
    expect(backoffMs(0, DEFAULT_RETRY, undefined, () => 0)).toBe(250);
    expect(backoffMs(3, DEFAULT_RETRY, undefined, () => 1)).toBe(4000);
    expect(backoffMs(20, DEFAULT_RETRY, undefined, () => 1)).toBe(30_000);
    expect(backoffMs(2, DEFAULT_RETRY, 1500)).toBe(1500);
  });
  it('spaces requests to the rpm limit', async () => {
    const rl = new RateLimiter({ rpm: 600 }); // 10/s, burst 10
    const signal = new AbortController().signal;
    for (let i = 0; i < 10; i++) await rl.acquire(1, signal);
    let done = false;
    const p = rl.acquire(1, signal).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false); // the burst is spent: the 11th waits for the bucket to refill
    await p;
    expect(done).toBe(true);
  });
});
