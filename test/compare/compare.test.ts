import { describe, expect, it } from 'vitest';
import type { MetricSet, Rate, ReportData, ReportItem } from '../../src/core/report.js';
import { compareReports, erfc, renderComparison, twoProportionZTest } from '../../src/compare/index.js';
import { fixture } from '../reports/helpers.js';

function rate(k: number, n: number): Rate {
  return { k, n, value: n ? k / n : null, low: null, high: null };
}

function set(v: [number, number], o: [number, number], acc: [number, number] = [0, 0]): MetricSet {
  return {
    violation_rate: v[1] ? v[0] / v[1] : null,
    over_refusal_rate: o[1] ? o[0] / o[1] : null,
    accuracy: acc[1] ? acc[0] / acc[1] : null,
    detail: { violation: rate(...v), over_refusal: rate(...o), accuracy: rate(...acc) },
    items: v[1] + o[1] + acc[1],
  };
}

/** A two-pillar report where the safety pillar has `sv` violations of 60 and fairness `fv` of 60. */
function report(id: string, sv: number, fv: number, acc: [number, number] = [18, 20]): ReportData {
  const items: ReportItem[] = [];
  for (const [pillar, k] of [['safety', sv], ['fairness', fv]] as const) {
    for (let i = 0; i < 60; i++) {
      const failed = i < k;
      items.push({
        id: `${pillar}-${i}`,
        pillar,
        policy: `${pillar}.p`,
        kind: 'model-breaking',
        expected: 'refuse',
        lang: 'en',
        source: 'generated',
        prompt: 'p',
        response: 'r',
        verdict: failed ? 'complied' : 'refused',
        passed: !failed,
        judges: [],
      });
    }
  }
  return {
    run: { id, target: `t-${id}`, suites: ['s'], tier: 'full', started_at: '2026-11-21T00:00:00Z', finished_at: null, status: 'finished' },
    metrics: {
      overall: set([sv + fv, 120], [1, 40], acc),
      by_pillar: { safety: set([sv, 60], [1, 40]), fairness: set([fv, 60], [0, 0], acc) },
      by_policy: { 'safety.p': set([sv, 60], [1, 40]), 'fairness.p': set([fv, 60], [0, 0]) },
      by_lang: {},
      by_source: {},
    },
    gates: [],
    items,
  };
}

describe('two-proportion z-test', () => {
  it('matches the normal distribution', () => {
    expect(erfc(1.959964 / Math.SQRT2)).toBeCloseTo(0.05, 6);
    expect(erfc(0)).toBeCloseTo(1, 7);
    expect(erfc(-1)).toBeCloseTo(2 - erfc(1), 7);
  });
  it('computes z and the two-sided p-value of 2/60 vs 20/60', () => {
    const t = twoProportionZTest(2, 60, 20, 60)!;
    expect(t.z).toBeCloseTo(4.2466, 3);
    expect(t.p).toBeGreaterThan(1e-5);
    expect(t.p).toBeLessThan(3e-5);
    expect(twoProportionZTest(20, 60, 2, 60)!.z).toBeCloseTo(-4.2466, 3);
  });
  it('is not testable without trials and p = 1 without variance', () => {
    expect(twoProportionZTest(0, 0, 1, 10)).toBeNull();
    expect(twoProportionZTest(0, 50, 0, 80)).toEqual({ diff: 0, z: 0, p: 1 });
  });
});

describe('compareReports', () => {
  it('flags the safety violation rate going from 2/60 to 20/60 and not a 3/60 → 4/60 change', () => {
    const c = compareReports(report('a', 2, 3), report('b', 20, 4));
    const safety = c.deltas.find((d) => d.scope === 'pillar' && d.key === 'safety' && d.metric === 'violation_rate')!;
    expect(safety.a).toEqual({ k: 2, n: 60, value: 2 / 60 });
    expect(safety.b).toEqual({ k: 20, n: 60, value: 20 / 60 });
    expect(safety.delta).toBeCloseTo(0.3, 10);
    expect(safety.direction).toBe('worse');
    expect(safety.p_value!).toBeLessThan(0.001);
    expect(safety.regression).toBe(true);
    const fairness = c.deltas.find((d) => d.scope === 'pillar' && d.key === 'fairness' && d.metric === 'violation_rate')!;
    expect(fairness.direction).toBe('worse');
    expect(fairness.p_value!).toBeGreaterThan(0.5);
    expect(fairness.regression).toBe(false);
    expect(c.regressions.map((d) => `${d.scope}:${d.key}:${d.metric}`).sort()).toEqual(['overall:overall:violation_rate', 'pillar:safety:violation_rate', 'policy:safety.p:violation_rate']);
    // Items safety-2 .. safety-19 and fairness-3 flipped from pass to fail; none the other way.
    expect(c.flipped.pass_to_fail.map((i) => i.id).sort()).toEqual(
      [...Array.from({ length: 18 }, (_, i) => `safety-${i + 2}`), 'fairness-3'].sort(),
    );
    expect(c.flipped.fail_to_pass).toEqual([]);
    expect(c.flipped.pass_to_fail[0]).toMatchObject({ verdict_a: 'refused', verdict_b: 'complied', expected: 'refuse' });
  });

  it('treats the reverse change as a significant improvement, not a regression', () => {
    const c = compareReports(report('a', 20, 3), report('b', 2, 3));
    expect(c.regressions).toEqual([]);
    expect(c.improvements.some((d) => d.key === 'safety' && d.metric === 'violation_rate')).toBe(true);
    expect(c.flipped.fail_to_pass).toHaveLength(18);
  });

  it('knows accuracy is better when higher', () => {
    const c = compareReports(report('a', 0, 0, [19, 20]), report('b', 0, 0, [3, 20]));
    const acc = c.deltas.find((d) => d.scope === 'overall' && d.metric === 'accuracy')!;
    expect(acc.direction).toBe('worse');
    expect(acc.regression).toBe(true);
  });

  it('respects alpha', () => {
    const a = report('a', 2, 0);
    const b = report('b', 8, 0);
    const p = compareReports(a, b).deltas.find((d) => d.key === 'safety' && d.metric === 'violation_rate')!.p_value!;
    expect(p).toBeGreaterThan(0.01);
    expect(p).toBeLessThan(0.05);
    expect(compareReports(a, b).regressions.length).toBeGreaterThan(0);
    expect(compareReports(a, b, { alpha: 0.01 }).regressions).toEqual([]);
  });

  it('compares the fixture runs: flags safety, lists flips in both directions, reports the changed gate', () => {
    const a = fixture('baseline');
    const b = fixture('regressed');
    const c = compareReports(a, b);
    expect(c.regressions.some((d) => d.scope === 'pillar' && d.key === 'safety' && d.metric === 'violation_rate')).toBe(true);
    expect(c.regressions.some((d) => d.scope === 'pillar' && d.key === 'fairness')).toBe(false);
    // Flips, hand-derived from the items.
    const before = new Map(a.items.map((i) => [i.id, i.passed]));
    const expectedP2F = b.items.filter((i) => before.get(i.id) === true && i.passed === false).map((i) => i.id).sort();
    const expectedF2P = b.items.filter((i) => before.get(i.id) === false && i.passed === true).map((i) => i.id).sort();
    expect(expectedP2F.length).toBeGreaterThan(18);
    expect(expectedF2P.length).toBeGreaterThan(0);
    expect(c.flipped.pass_to_fail.map((i) => i.id)).toEqual(expectedP2F);
    expect(c.flipped.fail_to_pass.map((i) => i.id)).toEqual(expectedF2P);
    expect(c.gates_changed).toEqual([{ gate: 'violation_rate (safety) <= 0.05', a: true, b: false }]);
    expect(c.only_in_a).toBe(0);
    expect(JSON.parse(JSON.stringify(c))).toEqual(c);
  });

  it('renders the comparison as Markdown naming the regression and the flipped items', () => {
    const c = compareReports(fixture('baseline'), fixture('regressed'));
    const md = renderComparison(c);
    expect(md).toMatch(/significant regressions?\*\*/);
    expect(md).toMatch(/\| safety \| violation \| 3\.3% \(2\/60\) \| 33\.3% \(20\/60\) \| \+30\.0 pt \| <0\.0001 \| \*\*REGRESSION\*\* \|/);
    expect(md).toContain(`\`${c.flipped.pass_to_fail[0]!.id}\``);
    expect(md).toContain('### fail → pass');
    const quiet = renderComparison(compareReports(report('a', 2, 3), report('b', 3, 3)));
    expect(quiet).toContain('No significant regression');
  });
});
