import type { Reporter } from './reporter.js';
import { createHash } from 'node:crypto';
import type { MetricSet, Rate, ReportData, ReportItem } from '../core/report.js';
import { niceMax, pillarChart, tradeoffChart, type TradeoffPoint } from './charts/svg.js';
import {
  allRegulations,
  duration,
  escapeHtml as esc,
  failingItems,
  gateLabel,
  gatesPassed,
  gateValue,
  jsonForScript,
  pct,
  pillarTitle,
  policyRegulations,
  reportPillars,
} from './format.js';
import { assertionsTableHtml, assertionSummary, itemsWithAssertions } from './assertions.js';
import { REPORT_CSS, REPORT_SCRIPT } from './html-assets.js';
import { sectionsHtml } from './html-sections.js';
import { asr, parseSections } from './sections.js';

/**
 * The self-contained HTML report: one file, no network (a Content-Security-Policy forbids every fetch
 * and runs only the page's own hashed script and style). Charts are SVG drawn here; the report data is
 * embedded as JSON for the client-side regulation filter. Every string from the report is escaped:
 * responses are untrusted model output.
 */

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('base64');

function rateCell(r: Rate | undefined): string {
  if (!r || r.n === 0 || r.value === null) return '<td class="num">—</td>';
  const ci = r.low !== null && r.high !== null ? ` <span class="ci">[${pct(r.low)}–${pct(r.high)}]</span>` : '';
  return `<td class="num" data-k="${r.k}" data-n="${r.n}">${pct(r.value)} <span class="ci">${r.k}/${r.n}</span>${ci}</td>`;
}

function metricCells(m: MetricSet): string {
  return `${rateCell(m.detail.violation)}${rateCell(m.detail.over_refusal)}${rateCell(m.detail.accuracy)}<td class="num">${m.items}</td>`;
}

const METRIC_HEAD = '<th scope="col">Violation <span class="ci">k/n [95% CI]</span></th><th scope="col">Over-refusal</th><th scope="col">Accuracy</th><th scope="col">Items</th>';

function groupTable(caption: string, head: string, rows: [string, MetricSet][]): string {
  if (rows.length === 0) return '';
  const body = rows.map(([k, m]) => `<tr><th scope="row">${esc(k)}</th>${metricCells(m)}</tr>`).join('');
  return `<table><caption>${esc(caption)}</caption><thead><tr><th scope="col">${esc(head)}</th>${METRIC_HEAD}</tr></thead><tbody>${body}</tbody></table>`;
}

/** A red-team run's report (attacks, not an evaluation on suites). */
function isRedteam(data: ReportData): boolean {
  return data.run.config?.kind === 'redteam';
}

export function reportTitle(data: ReportData): string {
  return isRedteam(data) ? 'Pillars red-team report' : 'Pillars evaluation report';
}

/**
 * What "GATES PASSED" does and does not cover: the gates that held, and the measured rates no gate
 * looks at (a pass next to a 45% violation rate is then explained, not puzzling).
 */
function gateScope(data: ReportData): string {
  if (data.gates.length === 0) return '';
  const gated = (metric: string, pillar?: string): boolean => data.gates.some((g) => g.metric === metric && (g.pillar === pillar || (!g.pillar && !g.policy && pillar === undefined)));
  const ungated: string[] = [];
  const o = data.metrics.overall.detail;
  if (o.violation.n > 0 && !gated('violation_rate')) ungated.push(`violation rate overall ${pct(o.violation.value)}`);
  if (o.over_refusal.n > 0 && !gated('over_refusal_rate')) ungated.push(`over-refusal rate overall ${pct(o.over_refusal.value)}`);
  for (const { id, m } of reportPillars(data)) {
    if (m.detail.violation.n > 0 && (m.detail.violation.value ?? 0) > 0 && !gated('violation_rate', id)) ungated.push(`violation rate of ${pillarTitle(id)} ${pct(m.detail.violation.value)}`);
  }
  const held = gatesPassed(data) ? 'Every configured gate held' : `${data.gates.filter((g) => !g.passed).length} of ${data.gates.length} gates failed`;
  const list = data.gates.map((g) => esc(gateLabel(g))).join('; ');
  return `<p class="gate-scope">${held} (${list}).${ungated.length ? ` No gate covers: ${esc(ungated.slice(0, 6).join(', '))}${ungated.length > 6 ? `, and ${ungated.length - 6} more` : ''}; these do not decide the result. Add gates in pillars.yaml to make them count.` : ''}</p>`;
}

/** Per pillar, with the result of the gates scoped to that pillar (or "no gate"). */
function pillarTable(data: ReportData): string {
  const rows = reportPillars(data);
  if (rows.length === 0) return '';
  const body = rows
    .map(({ id, m }) => {
      const gates = data.gates.filter((g) => g.pillar === id);
      const cell = gates.length === 0 ? '<td class="muted">no gate</td>' : `<td>${gates.map((g) => `<span class="badge ${g.passed ? 'pass' : 'fail'}" title="${esc(gateLabel(g))}">${g.passed ? 'pass' : 'FAIL'}</span>`).join(' ')}</td>`;
      return `<tr data-pillar="${esc(id)}"><th scope="row">${esc(pillarTitle(id))}</th>${metricCells(m)}${cell}</tr>`;
    })
    .join('');
  return `<table id="pillar-table"><caption>Per pillar</caption><thead><tr><th scope="col">Pillar</th>${METRIC_HEAD}<th scope="col">Gate</th></tr></thead><tbody>${body}</tbody></table>`;
}

function header(data: ReportData): string {
  const r = data.run;
  const ok = gatesPassed(data);
  const failed = data.gates.filter((g) => !g.passed).length;
  const rt = isRedteam(data) ? parseSections(data.sections).redteam : undefined;
  const rtRate = rt ? asr(rt.successes, rt.attempts) : null;
  const gateBadge =
    data.gates.length === 0
      ? rt
        ? `<span class="badge ${rt.successes > 0 ? 'fail' : 'pass'}">ATTACK SUCCESS ${pct(rtRate)} (${rt.successes} of ${rt.attempts} attempts)</span>`
        : '<span class="badge none">no gates configured</span>'
      : ok
        ? `<span class="badge pass">GATES PASSED (${data.gates.length}/${data.gates.length})</span>`
        : `<span class="badge fail">GATES FAILED (${failed} of ${data.gates.length})</span>`;
  const meta: [string, string][] = [
    ['Run', `<code>${esc(r.id)}</code>`],
    ['Target', esc(r.target)],
    [rt ? 'Seeded from' : 'Suites', esc(r.suites.join(', ') || '—')],
    ['Tier', esc(r.tier)],
    ['Started', esc(r.started_at)],
    ['Duration', esc(duration(r.started_at, r.finished_at))],
    ['Status', esc(r.status)],
  ];
  return `<header class="top"><h1>${reportTitle(data)}</h1><p>${gateBadge}</p>${gateScope(data)}<dl class="meta">${meta.map(([k, v]) => `<div><dt>${k}</dt><dd>${v}</dd></div>`).join('')}</dl></header>`;
}

function cards(data: ReportData): string {
  const o = data.metrics.overall;
  const judged = data.items.filter((i) => i.passed !== null).length;
  const failed = data.items.filter((i) => i.passed === false).length;
  const card = (title: string, r: Rate, note: string): string =>
    `<div class="card"><div class="s">${title}</div><div class="v">${pct(r.value)}</div><div class="s">${r.n ? `${r.k} of ${r.n} · 95% CI ${pct(r.low)}–${pct(r.high)}` : note}</div></div>`;
  // A red-team run sends attacks only: it makes no claim about benign or capability items.
  const rt = isRedteam(data);
  const shown = (r: Rate): boolean => !rt || r.n > 0;
  return `<div class="cards">${card(rt ? 'Break rate (judged attacks)' : 'Violation rate', o.detail.violation, 'no model-breaking items')}${shown(o.detail.over_refusal) ? card('Over-refusal rate', o.detail.over_refusal, 'no benign items') : ''}${shown(o.detail.accuracy) ? card('Accuracy', o.detail.accuracy, 'no capability items') : ''}<div class="card"><div class="s">Items</div><div class="v">${data.items.length}</div><div class="s">${judged} judged · ${failed} failed</div></div></div>`;
}

function gatesTable(data: ReportData): string {
  if (data.gates.length === 0) return '<p class="muted">No gates configured (add <code>gates:</code> to pillars.yaml).</p>';
  const rows = data.gates
    .map(
      (g) =>
        `<tr class="${g.passed ? '' : 'fail'}"><td>${esc(gateLabel(g))}</td><td class="num">${esc(gateValue(g.value))}</td><td><span class="badge ${g.passed ? 'pass' : 'fail'}">${g.passed ? 'pass' : 'FAIL'}</span></td><td>${esc(g.reason ?? '')}</td></tr>`,
    )
    .join('');
  return `<table><caption class="sr-only">Gates</caption><thead><tr><th scope="col">Gate</th><th scope="col">Value</th><th scope="col">Result</th><th scope="col">Reason</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function pillarCharts(data: ReportData): string {
  const pillars = reportPillars(data);
  if (pillars.length === 0) return '<p class="muted">No per-pillar metrics.</p>';
  const top = Math.max(0, ...pillars.flatMap(({ m }) => [m.detail.violation.high ?? 0, m.detail.over_refusal.high ?? 0]));
  const scaleMax = niceMax(top);
  const figs = pillars
    .map(({ id, m }) => `<figure><figcaption>${esc(pillarTitle(id))}</figcaption>${pillarChart({ pillar: id, title: pillarTitle(id), m, scaleMax })}</figure>`)
    .join('');
  return `<p class="muted">Bars: rate; whiskers: 95% Wilson interval. Same scale (0–${pct(scaleMax, 0)}) for every pillar.</p><div class="grid">${figs}</div>`;
}

function tradeoff(data: ReportData, regs: Map<string, string[]>): string {
  const pts: TradeoffPoint[] = [];
  for (const { id, m } of reportPillars(data)) {
    if (m.violation_rate !== null && m.over_refusal_rate !== null) pts.push({ id, label: pillarTitle(id), kind: 'pillar', violation: m.violation_rate, overRefusal: m.over_refusal_rate });
  }
  for (const [id, m] of Object.entries(data.metrics.by_policy)) {
    if (m.violation_rate !== null && m.over_refusal_rate !== null)
      pts.push({ id, label: id, kind: 'policy', violation: m.violation_rate, overRefusal: m.over_refusal_rate, regulations: regs.get(id) ?? [] });
  }
  if (pts.length === 0) return '<p class="muted">No pillar or policy has both model-breaking and benign items.</p>';
  return `<figure>${tradeoffChart(pts)}</figure>`;
}

function policyTable(data: ReportData, regs: Map<string, string[]>): string {
  const pillarOf = new Map<string, string>();
  for (const i of data.items) if (i.policy && !pillarOf.has(i.policy)) pillarOf.set(i.policy, i.pillar);
  const rows = Object.entries(data.metrics.by_policy)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, m]) => {
      const r = regs.get(id) ?? [];
      const pillar = pillarOf.get(id);
      return `<tr data-filterable data-regulations="${esc(r.join(' '))}"><th scope="row"><code>${esc(id)}</code></th><td>${esc(pillar ? pillarTitle(pillar) : '')}</td><td>${r.map((x) => `<span class="tag">${esc(x)}</span>`).join(' ')}</td>${metricCells(m)}</tr>`;
    })
    .join('');
  if (!rows) return '';
  return `<table id="policy-table"><caption>Per policy</caption><thead><tr><th scope="col">Policy</th><th scope="col">Pillar</th><th scope="col">Regulations</th>${METRIC_HEAD}</tr></thead><tbody>${rows}</tbody></table>`;
}

function itemHtml(i: ReportItem): string {
  const regs = i.regulations ?? [];
  const judges = i.judges
    .map(
      (j) =>
        `<tr><th scope="row">${esc(j.judge)}</th><td>${esc(j.label)}</td><td class="num">${esc(j.score)}</td><td>${j.reasons.length ? `<ul class="reasons">${j.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : '<span class="muted">—</span>'}</td></tr>`,
    )
    .join('');
  return `<details class="item" id="item-${esc(i.id)}" data-filterable data-pillar="${esc(i.pillar)}" data-regulations="${esc(regs.join(' '))}"><summary><code>${esc(i.id)}</code> · ${esc(pillarTitle(i.pillar))}${i.policy ? ` · <code>${esc(i.policy)}</code>` : ''} · ${esc(i.kind)} · expected <strong>${esc(i.expected)}</strong>, got <span class="tag bad">${esc(i.verdict)}</span></summary><div class="body">
<dl class="kv"><dt>Language</dt><dd>${esc(i.lang)}</dd><dt>Source</dt><dd>${esc(i.source)}</dd><dt>Expected</dt><dd>${esc(i.expected)}</dd><dt>Verdict</dt><dd>${esc(i.verdict)}</dd><dt>Regulations</dt><dd>${regs.map((r) => `<span class="tag">${esc(r)}</span>`).join(' ') || '—'}</dd></dl>
<h3>Prompt</h3><pre class="text">${esc(i.prompt)}</pre><h3>Response</h3><pre class="text">${esc(i.response)}</pre>
${assertionsTableHtml(i)}<table><caption>Judges</caption><thead><tr><th scope="col">Judge</th><th scope="col">Label</th><th scope="col">Score</th><th scope="col">Reasons</th></tr></thead><tbody>${judges}</tbody></table></div></details>`;
}

/** Where `pillars view RUN` shows this run (its default address). */
export const VIEW_DEFAULT_PORT = 7600;
export function viewUrl(runId: string, port = VIEW_DEFAULT_PORT): string {
  return `http://127.0.0.1:${port}/runs/${encodeURIComponent(runId)}`;
}

/** Every item with assertions (passing ones too), each assertion's result and reason. */
function assertionsSection(data: ReportData, max: number): string {
  const items = itemsWithAssertions(data);
  if (items.length === 0) return '';
  const passed = items.filter((i) => assertionSummary(i)!.passed).length;
  const entries = items
    .slice(0, max)
    .map((i) => {
      const sum = assertionSummary(i)!;
      return `<details class="item" id="assert-${esc(i.id)}" data-assertions-item="${esc(i.id)}"><summary><code>${esc(i.id)}</code> · ${esc(pillarTitle(i.pillar))} · assertions <span class="badge ${sum.passed ? 'pass' : 'fail'}">${sum.passed ? 'pass' : 'fail'}</span> ${esc(sum.score)}</summary><div class="body">${assertionsTableHtml(i)}</div></details>`;
    })
    .join('\n');
  return `<section id="assertions" aria-labelledby="assertions-h"><h2 id="assertions-h">Assertions (${passed} of ${items.length} items passed)</h2>\n${entries}${items.length > max ? `<p class="muted">${items.length - max} more items with assertions are listed in report.json.</p>` : ''}</section>`;
}

export interface HtmlOptions {
  /** Most failing items drawn as drill-down entries (default 10,000); the rest are counted and stay in report.json / junit.xml. */
  maxFailingItems?: number;
  /** Above this many items, passing items are embedded without prompt, response and judges (default 10,000). */
  fullEmbedLimit?: number;
}

/** The data embedded for the client script: all of it for ordinary runs; for very large ones, passing items without their text. */
function embeddedData(data: ReportData, limit: number): unknown {
  if (data.items.length <= limit) return data;
  return {
    ...data,
    embedded_items: 'compact: passing items without prompt, response and judges (see report.json)',
    items: data.items.map((i) =>
      i.passed === false ? i : { id: i.id, pillar: i.pillar, policy: i.policy, kind: i.kind, passed: i.passed, verdict: i.verdict, regulations: i.regulations },
    ),
  };
}

export function renderHtml(data: ReportData, opts: HtmlOptions = {}): string {
  const maxFailing = opts.maxFailingItems ?? 10_000;
  const regs = policyRegulations(data);
  const regulations = allRegulations(data);
  const failing = failingItems(data);
  const options = regulations.map((r) => `<option value="${esc(r)}">${esc(r)}</option>`).join('');
  const body = `${header(data)}
<main>
${cards(data)}
<section id="gates" aria-labelledby="gates-h"><h2 id="gates-h">Gates</h2>${gatesTable(data)}</section>
<section id="pillars" aria-labelledby="pillars-h"><h2 id="pillars-h">Per pillar</h2>${pillarCharts(data)}
${pillarTable(data)}</section>
<section id="tradeoff" aria-labelledby="tradeoff-h"><h2 id="tradeoff-h">Over-refusal vs violation</h2>${tradeoff(data, regs)}</section>
<div class="controls" role="region" aria-label="Filters"><label for="regulation-filter">Regulation</label><select id="regulation-filter"><option value="">All regulations</option>${options}</select><span id="filter-summary" aria-live="polite"></span></div>
<section id="policies" aria-labelledby="policies-h"><h2 id="policies-h">Policies, languages and sources</h2>${policyTable(data, regs)}
${groupTable('Per language', 'Language', Object.entries(data.metrics.by_lang))}
${groupTable('Per source', 'Source', Object.entries(data.metrics.by_source))}</section>
<section id="failing" aria-labelledby="failing-h"><h2 id="failing-h">Failing items (${failing.length})</h2>
${failing.length ? `<p><span id="failing-count" aria-live="polite">${failing.length} failing items</span> · <button type="button" id="expand-all">Expand all</button> <button type="button" id="collapse-all">Collapse all</button></p>${failing.slice(0, maxFailing).map(itemHtml).join('\n')}` : '<p>No item failed.</p>'}
${failing.length > maxFailing ? `<p class="muted" id="failing-more">${failing.length - maxFailing} more failing items are listed in report.json and junit.xml.</p>` : ''}
</section>
${assertionsSection(data, maxFailing)}
${sectionsHtml(data.sections)}
<footer class="muted"><p>Generated by Pillars from <code>report.json</code> (run <code>${esc(data.run.id)}</code>). The full data is embedded in this file.</p>
<p id="view-hint">Browse every item, filter and compare runs: run <code>npx pillars view ${esc(data.run.id)}</code>, then <a href="${esc(viewUrl(data.run.id))}">open in pillars view</a>.</p></footer>
</main>`;
  const csp = `default-src 'none'; style-src 'sha256-${sha256(REPORT_CSS)}'; script-src 'sha256-${sha256(REPORT_SCRIPT)}'; img-src data:; base-uri 'none'; form-action 'none'`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${isRedteam(data) ? 'Pillars red-team report' : 'Pillars report'} · ${esc(data.run.target)} · ${esc(data.run.id)}</title>
<style>${REPORT_CSS}</style></head>
<body>
${body}
<script type="application/json" id="report-data">${jsonForScript(embeddedData(data, opts.fullEmbedLimit ?? 10_000))}</script>
<script>${REPORT_SCRIPT}</script>
</body></html>
`;
}

export const htmlReporter: Reporter = { format: 'html', file: 'report.html', aliases: ['htm'], render: (data) => renderHtml(data) };
