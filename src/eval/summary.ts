import { PILLARS } from '../core/pillars.js';
import type { GateResult, MetricSet, Rate, ReportData } from '../core/report.js';
import { describeGate } from './gates.js';

/** The plain-text summary `pillars eval` and `pillars runs show` print. */

const pct = (v: number | null): string => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);

export function formatRate(r: Rate): string {
  if (r.value === null) return '—';
  return `${pct(r.value)} [${pct(r.low)}–${pct(r.high)}] ${r.k}/${r.n}`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function formatGate(g: GateResult): string {
  return `${g.passed ? 'PASS' : 'FAIL'}  ${describeGate(g)}${g.reason ? `: ${g.reason}` : ''}`;
}

export function summaryTable(report: ReportData): string {
  const rows: [string, MetricSet][] = [];
  for (const p of PILLARS) {
    const m = report.metrics.by_pillar[p];
    if (m) rows.push([p, m]);
  }
  rows.push(['overall', report.metrics.overall]);
  const hasAcc = rows.some(([, m]) => m.detail.accuracy.n > 0);
  const header = ['pillar', 'items', 'violation [95% CI] k/n', 'over-refusal [95% CI] k/n', ...(hasAcc ? ['accuracy'] : [])];
  const body = rows.map(([name, m]) => [name, String(m.items), formatRate(m.detail.violation), formatRate(m.detail.over_refusal), ...(hasAcc ? [formatRate(m.detail.accuracy)] : [])]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const fmt = (r: string[]): string => r.map((c, i) => pad(c, widths[i]!)).join('  ').trimEnd();
  const r = report.run;
  const lines = [
    `run ${r.id} · target ${r.target} · suites ${r.suites.join(', ')} · tier ${r.tier} · ${r.status}`,
    '',
    fmt(header),
    fmt(widths.map((w) => '-'.repeat(w))),
    ...body.slice(0, -1).map(fmt),
    fmt(widths.map((w) => '-'.repeat(w))),
    fmt(body.at(-1)!),
  ];
  if (report.gates.length) {
    lines.push('', 'gates:');
    for (const g of report.gates) lines.push(`  ${formatGate(g)}`);
  }
  const errors = report.items.filter((i) => i.verdict === 'error').length;
  if (errors) lines.push('', `${errors} item(s) failed after retries and are left out of the rates (pillars eval --resume ${r.id} asks again)`);
  return lines.join('\n');
}

/** A compact JSON summary of a run (the report minus its item list). */
export function summaryJson(report: ReportData, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    run: report.run.id,
    target: report.run.target,
    status: report.run.status,
    suites: report.run.suites,
    tier: report.run.tier,
    metrics: { overall: report.metrics.overall, by_pillar: report.metrics.by_pillar },
    gates: report.gates,
    gates_passed: report.gates.every((g) => g.passed),
    ...extra,
  };
}
