import type { MetricSet, Rate, ReportData, ReportItem } from '../core/report.js';
import { twoProportionZTest } from '../core/stats.js';

/**
 * Compare two runs' ReportData (A = baseline, B = candidate): per-metric deltas overall, per pillar and
 * per policy with a two-proportion z-test, significant regressions (B worse and p < alpha), and the
 * items whose verdict flipped between the runs (matched by item id).
 */

export const COMPARED_METRICS = [
  { metric: 'violation_rate', detail: 'violation', better: 'lower' },
  { metric: 'over_refusal_rate', detail: 'over_refusal', better: 'lower' },
  { metric: 'accuracy', detail: 'accuracy', better: 'higher' },
  { metric: 'consistency_rate', detail: 'consistency', better: 'higher' },
] as const;
export type ComparedMetric = (typeof COMPARED_METRICS)[number]['metric'];

export interface Side {
  k: number;
  n: number;
  value: number | null;
}

export interface MetricDelta {
  scope: 'overall' | 'pillar' | 'policy';
  /** "overall", a pillar id or a policy id. */
  key: string;
  metric: ComparedMetric;
  better: 'lower' | 'higher';
  a: Side;
  b: Side;
  /** b − a (null when either side was not measured). */
  delta: number | null;
  /** Two-sided p-value of the two-proportion z-test (null when not testable). */
  p_value: number | null;
  direction: 'better' | 'worse' | 'same' | 'n/a';
  significant: boolean;
  /** Worse and significant. */
  regression: boolean;
}

export interface FlippedItem {
  id: string;
  pillar: string;
  policy?: string;
  kind: string;
  expected: string;
  verdict_a: string;
  verdict_b: string;
}

export interface Comparison {
  a: { id: string; target: string; items: number; gates_passed: boolean };
  b: { id: string; target: string; items: number; gates_passed: boolean };
  alpha: number;
  deltas: MetricDelta[];
  regressions: MetricDelta[];
  improvements: MetricDelta[];
  flipped: { pass_to_fail: FlippedItem[]; fail_to_pass: FlippedItem[] };
  /** Items present in only one run (a different suite or tier); they cannot flip. */
  only_in_a: number;
  only_in_b: number;
  /** Gates whose result changed, by their label. */
  gates_changed: { gate: string; a: boolean | null; b: boolean | null }[];
}

const EMPTY: Rate = { k: 0, n: 0, value: null, low: null, high: null };

function side(r: Rate | undefined): Side {
  const x = r ?? EMPTY;
  return { k: x.k, n: x.n, value: x.n > 0 ? x.k / x.n : null };
}

function deltasFor(scope: MetricDelta['scope'], key: string, ma: MetricSet | undefined, mb: MetricSet | undefined, alpha: number): MetricDelta[] {
  const out: MetricDelta[] = [];
  for (const m of COMPARED_METRICS) {
    const a = side(ma?.detail[m.detail]);
    const b = side(mb?.detail[m.detail]);
    if (a.n === 0 && b.n === 0) continue;
    const testable = a.value !== null && b.value !== null;
    const delta = testable ? b.value! - a.value! : null;
    const t = testable ? twoProportionZTest(a.k, a.n, b.k, b.n) : null;
    const p = t ? t.p : null;
    const eps = 1e-12;
    const direction: MetricDelta['direction'] =
      delta === null ? 'n/a' : Math.abs(delta) < eps ? 'same' : (delta > 0) === (m.better === 'lower') ? 'worse' : 'better';
    const significant = p !== null && p < alpha && direction !== 'same';
    out.push({ scope, key, metric: m.metric, better: m.better, a, b, delta, p_value: p, direction, significant, regression: significant && direction === 'worse' });
  }
  return out;
}

function gateKey(g: ReportData['gates'][number]): string {
  const scope = [g.pillar, g.policy].filter(Boolean).join('/');
  const bound = [g.max !== undefined ? `<= ${g.max}` : '', g.min !== undefined ? `>= ${g.min}` : ''].filter(Boolean).join(' ');
  return `${g.metric}${scope ? ` (${scope})` : ''}${bound ? ` ${bound}` : ''}`;
}

function flip(ia: ReportItem, ib: ReportItem): FlippedItem {
  return { id: ib.id, pillar: ib.pillar, ...(ib.policy ? { policy: ib.policy } : {}), kind: ib.kind, expected: ib.expected, verdict_a: ia.verdict, verdict_b: ib.verdict };
}

export function compareReports(a: ReportData, b: ReportData, opts: { alpha?: number } = {}): Comparison {
  const alpha = opts.alpha ?? 0.05;
  const deltas: MetricDelta[] = [...deltasFor('overall', 'overall', a.metrics.overall, b.metrics.overall, alpha)];
  const union = (x: Record<string, unknown>, y: Record<string, unknown>): string[] => [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
  const pa = a.metrics.by_pillar as Record<string, MetricSet>;
  const pb = b.metrics.by_pillar as Record<string, MetricSet>;
  for (const k of union(pa, pb)) deltas.push(...deltasFor('pillar', k, pa[k], pb[k], alpha));
  for (const k of union(a.metrics.by_policy, b.metrics.by_policy)) deltas.push(...deltasFor('policy', k, a.metrics.by_policy[k], b.metrics.by_policy[k], alpha));

  const byIdA = new Map(a.items.map((i) => [i.id, i]));
  const idsB = new Set<string>();
  const passToFail: FlippedItem[] = [];
  const failToPass: FlippedItem[] = [];
  for (const ib of b.items) {
    idsB.add(ib.id);
    const ia = byIdA.get(ib.id);
    if (!ia || ia.passed === null || ib.passed === null || ia.passed === ib.passed) continue;
    (ia.passed ? passToFail : failToPass).push(flip(ia, ib));
  }
  const byId = (x: FlippedItem, y: FlippedItem): number => x.id.localeCompare(y.id);
  passToFail.sort(byId);
  failToPass.sort(byId);

  const ga = new Map(a.gates.map((g) => [gateKey(g), g.passed]));
  const gb = new Map(b.gates.map((g) => [gateKey(g), g.passed]));
  const gates_changed = [...new Set([...ga.keys(), ...gb.keys()])]
    .map((gate) => ({ gate, a: ga.get(gate) ?? null, b: gb.get(gate) ?? null }))
    .filter((g) => g.a !== g.b);

  return {
    a: { id: a.run.id, target: a.run.target, items: a.items.length, gates_passed: a.gates.every((g) => g.passed) },
    b: { id: b.run.id, target: b.run.target, items: b.items.length, gates_passed: b.gates.every((g) => g.passed) },
    alpha,
    deltas,
    regressions: deltas.filter((d) => d.regression),
    improvements: deltas.filter((d) => d.significant && d.direction === 'better'),
    flipped: { pass_to_fail: passToFail, fail_to_pass: failToPass },
    only_in_a: a.items.filter((i) => !idsB.has(i.id)).length,
    only_in_b: b.items.filter((i) => !byIdA.has(i.id)).length,
    gates_changed,
  };
}
