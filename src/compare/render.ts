import type { Comparison, FlippedItem, MetricDelta } from './compare.js';

/** The comparison as Markdown: readable as-is on a terminal, and pasteable into a PR or CI summary. */

const METRIC_NAMES: Record<string, string> = {
  violation_rate: 'violation',
  over_refusal_rate: 'over-refusal',
  accuracy: 'accuracy',
  consistency_rate: 'consistency',
};

function pct(v: number | null): string {
  return v === null ? '—' : `${(v * 100).toFixed(1)}%`;
}

function cell(s: string): string {
  return s.replace(/\s+/g, ' ').replace(/[|\\`]/g, (c) => `\\${c}`);
}

function pValue(p: number | null): string {
  if (p === null) return '—';
  if (p < 0.0001) return '<0.0001';
  return p.toFixed(4);
}

function flag(d: MetricDelta): string {
  if (d.regression) return '**REGRESSION**';
  if (d.significant && d.direction === 'better') return 'improved';
  return d.direction === 'n/a' ? 'not comparable' : '';
}

function row(d: MetricDelta): string {
  const delta = d.delta === null ? '—' : `${d.delta >= 0 ? '+' : ''}${(d.delta * 100).toFixed(1)} pt`;
  return `| ${cell(d.scope === 'overall' ? 'overall' : d.key)} | ${METRIC_NAMES[d.metric] ?? d.metric} | ${pct(d.a.value)} (${d.a.k}/${d.a.n}) | ${pct(d.b.value)} (${d.b.k}/${d.b.n}) | ${delta} | ${pValue(d.p_value)} | ${flag(d)} |`;
}

function table(rows: MetricDelta[]): string[] {
  return ['| Scope | Metric | A | B | Δ | p | |', '|---|---|---|---|---|---|---|', ...rows.map(row)];
}

function flips(title: string, items: FlippedItem[], max: number): string[] {
  const out = [`### ${title} (${items.length})`, ''];
  if (items.length === 0) return [...out, 'None.', ''];
  out.push('| Item | Policy | Expected | A | B |', '|---|---|---|---|---|');
  for (const i of items.slice(0, max)) out.push(`| \`${cell(i.id)}\` | ${cell(i.policy ?? i.pillar)} | ${cell(i.expected)} | ${cell(i.verdict_a)} | ${cell(i.verdict_b)} |`);
  if (items.length > max) out.push('', `… and ${items.length - max} more (see --json).`);
  out.push('');
  return out;
}

export function renderComparison(c: Comparison, opts: { maxItems?: number; allRows?: boolean } = {}): string {
  const max = opts.maxItems ?? 30;
  const out: string[] = [];
  out.push(`# Comparison: ${cell(c.a.target)} → ${cell(c.b.target)}`, '');
  out.push(`A = \`${c.a.id}\` (${c.a.items} items, gates ${c.a.gates_passed ? 'passed' : 'FAILED'}) · B = \`${c.b.id}\` (${c.b.items} items, gates ${c.b.gates_passed ? 'passed' : 'FAILED'})`, '');
  out.push(
    c.regressions.length === 0
      ? `No significant regression (two-proportion z-test, p < ${c.alpha}).`
      : `**${c.regressions.length} significant regression${c.regressions.length === 1 ? '' : 's'}** (B worse than A, two-proportion z-test, p < ${c.alpha}).`,
    '',
  );
  if (c.regressions.length > 0) out.push('## Regressions', '', ...table(c.regressions), '');
  if (c.improvements.length > 0) out.push('## Significant improvements', '', ...table(c.improvements), '');
  const overall = c.deltas.filter((d) => d.scope === 'overall');
  out.push('## Overall', '', ...table(overall), '');
  const pillars = c.deltas.filter((d) => d.scope === 'pillar');
  if (pillars.length > 0) out.push('## Per pillar', '', ...table(pillars), '');
  const policies = c.deltas.filter((d) => d.scope === 'policy' && (opts.allRows || d.direction !== 'same'));
  if (policies.length > 0) out.push(`## Per policy${opts.allRows ? '' : ' (changed only)'}`, '', ...table(policies), '');
  if (c.gates_changed.length > 0) {
    out.push('## Gates that changed', '', '| Gate | A | B |', '|---|---|---|');
    const r = (v: boolean | null): string => (v === null ? '—' : v ? 'pass' : '**FAIL**');
    for (const g of c.gates_changed) out.push(`| ${cell(g.gate)} | ${r(g.a)} | ${r(g.b)} |`);
    out.push('');
  }
  out.push('## Flipped items', '');
  out.push(...flips('pass → fail', c.flipped.pass_to_fail, max));
  out.push(...flips('fail → pass', c.flipped.fail_to_pass, max));
  if (c.only_in_a || c.only_in_b) out.push(`${c.only_in_a} items only in A and ${c.only_in_b} only in B were not compared item by item.`, '');
  return `${out.join('\n')}\n`;
}
