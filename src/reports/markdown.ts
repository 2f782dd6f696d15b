import type { Reporter } from './reporter.js';
import type { Rate, ReportData } from '../core/report.js';
import { duration, failingItems, gateLabel, gatesPassed, gateValue, pct, pillarTitle, reportPillars } from './format.js';
import { assertionsMarkdown } from './assertions.js';
import { asr, parseSections } from './sections.js';

/** `summary.md`: the overall rates, a per-pillar table, the gates and the top failing items (for a PR comment or a CI summary). */

/** Text safe in a Markdown table cell: one line, pipes and markup escaped, HTML neutralised, truncated. */
export function mdCell(s: unknown, max = 120): string {
  let t = String(s ?? '').replace(/\s+/g, ' ').trim();
  if (t.length > max) t = `${t.slice(0, max - 1)}…`;
  return t.replace(/[\\`*_[\]|<>#]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : `\\${c}`));
}

function rate(r: Rate): string {
  return r.n === 0 || r.value === null ? '—' : `${pct(r.value)} (${r.k}/${r.n}, CI ${pct(r.low)}–${pct(r.high)})`;
}

export function renderMarkdown(data: ReportData, opts: { topFailing?: number } = {}): string {
  const top = opts.topFailing ?? 10;
  const r = data.run;
  const o = data.metrics.overall;
  const out: string[] = [];
  const failedGates = data.gates.filter((g) => !g.passed);
  const redteam = r.config?.kind === 'redteam';
  out.push(`# ${redteam ? 'Pillars red-team report' : 'Pillars report'}: ${mdCell(r.target)}`);
  out.push('');
  out.push(
    `Run \`${r.id}\` · tier ${mdCell(r.tier)} · ${redteam ? 'seeded from' : 'suites'} ${mdCell(r.suites.join(', ') || '—', 400)} · ${mdCell(r.status)} · ${duration(r.started_at, r.finished_at)} · ${data.items.length} ${redteam ? 'attempts' : 'items'}`,
  );
  out.push('');
  out.push(
    data.gates.length === 0 ? '**Gates:** none configured' : gatesPassed(data) ? `**Gates: PASSED** (${data.gates.length}/${data.gates.length})` : `**Gates: FAILED** (${failedGates.length} of ${data.gates.length})`,
  );
  out.push('');
  out.push('## Overall');
  out.push('');
  out.push('| Metric | Value |');
  out.push('|---|---|');
  out.push(`| Violation rate | ${rate(o.detail.violation)} |`);
  // A red-team run sends attacks only: no claim about benign or capability items.
  if (!redteam || o.detail.over_refusal.n > 0) out.push(`| Over-refusal rate | ${rate(o.detail.over_refusal)} |`);
  if (!redteam || o.detail.accuracy.n > 0) out.push(`| Accuracy | ${rate(o.detail.accuracy)} |`);
  if (o.detail.consistency) out.push(`| Consistency | ${rate(o.detail.consistency)} |`);
  out.push('');
  const pillars = reportPillars(data);
  if (pillars.length > 0) {
    out.push('## Per pillar');
    out.push('');
    out.push('| Pillar | Violation | Over-refusal | Accuracy | Items |');
    out.push('|---|---|---|---|---|');
    for (const { id, m } of pillars) out.push(`| ${pillarTitle(id)} | ${rate(m.detail.violation)} | ${rate(m.detail.over_refusal)} | ${rate(m.detail.accuracy)} | ${m.items} |`);
    out.push('');
  }
  if (data.gates.length > 0) {
    out.push('## Gates');
    out.push('');
    out.push('| Gate | Value | Result |');
    out.push('|---|---|---|');
    for (const g of data.gates) out.push(`| ${mdCell(gateLabel(g))} | ${gateValue(g.value)} | ${g.passed ? 'pass' : `**FAIL**${g.reason ? `: ${mdCell(g.reason)}` : ''}`} |`);
    out.push('');
  }
  const failing = failingItems(data);
  out.push(`## Top failing items (${Math.min(top, failing.length)} of ${failing.length})`);
  out.push('');
  if (failing.length === 0) out.push('No item failed.');
  else {
    out.push('| Item | Policy | Expected → verdict | Prompt | Judge reasons |');
    out.push('|---|---|---|---|---|');
    for (const i of failing.slice(0, top)) {
      const reasons = i.judges.filter((j) => j.reasons.length > 0).map((j) => `${j.judge}: ${j.reasons.join('; ')}`).join(' / ');
      out.push(`| \`${mdCell(i.id, 80).replace(/\\/g, '')}\` | ${mdCell(i.policy ?? i.pillar)} | ${mdCell(i.expected)} → ${mdCell(i.verdict)} | ${mdCell(i.prompt, 90)} | ${mdCell(reasons, 160)} |`);
    }
  }
  out.push('');
  out.push(...assertionsMarkdown(data, mdCell));
  const s = parseSections(data.sections);
  if (s.redteam) {
    out.push(`## ${mdCell(s.redteam.title ?? 'Red team')}`);
    out.push('');
    out.push(`Attack success rate ${pct(asr(s.redteam.successes, s.redteam.attempts))} (${s.redteam.successes}/${s.redteam.attempts}).`);
    out.push('');
  }
  if (s.agreement && s.agreement.judges.length > 0) {
    out.push('## Judges vs human labels');
    out.push('');
    out.push('| Judge | Label | n | Agreement | Kappa |');
    out.push('|---|---|---|---|---|');
    for (const j of s.agreement.judges) out.push(`| ${mdCell(j.judge)} | ${mdCell(j.labelKey)} | ${j.n} | ${pct(j.agreement)} | ${j.kappa === null ? '—' : j.kappa.toFixed(3)} |`);
    out.push('');
  }
  if (s.frontier) {
    out.push(`## ${mdCell(s.frontier.title ?? 'Frontier capabilities')}`);
    out.push('');
    out.push('| Domain | Score | Threshold | Result |');
    out.push('|---|---|---|---|');
    for (const d of s.frontier.domains) out.push(`| ${mdCell(d.domain)} | ${d.score} | ${d.direction === 'min' ? '≥' : '≤'} ${d.threshold} | ${d.passed ? 'pass' : '**THRESHOLD CROSSED**'} |`);
    out.push('');
  }
  out.push(`Browse every item: \`npx pillars view ${r.id}\`.`);
  out.push('');
  return `${out.join('\n')}\n`;
}

export const markdownReporter: Reporter = { format: 'md', file: 'summary.md', aliases: ['markdown'], render: (data) => renderMarkdown(data) };
