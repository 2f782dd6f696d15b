import { PILLAR_TITLES, type PillarId } from '../../core/pillars.js';
import type { ReportData, ReportItem } from '../../core/report.js';
import { assertionsTableHtml } from '../../reports/index.js';
import type { RunRow } from '../../store/runs.js';
import { esc, html, pct, Raw } from './html.js';
import { FILTER_KEYS, filterOptions, matches, passShare, sideBySide, type SideRow, type ViewFilters } from './view-data.js';

/**
 * The pages of `pillars view`: the runs, one run's items with filters, and the side-by-side of
 * several runs with flips highlighted. Server-rendered, no script (filters are a GET form), every
 * string escaped: prompts and responses are untrusted text.
 */

export const PAGE_SIZE = 200;

const pillarTitle = (p: string): string => PILLAR_TITLES[p as PillarId] ?? p;
const enc = encodeURIComponent;

export function viewLayout(title: string, body: Raw): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Pillars view</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/static/view.css"></head>
<body class="view"><header class="top"><a class="brand" href="/">Pillars view</a><nav><a href="/">runs</a></nav><span class="muted-top">read-only · local</span></header>
<main>${body.value}</main></body></html>`;
}

function passBadge(passed: boolean | null): Raw {
  return passed === null ? html`<span class="badge">unjudged</span>` : passed ? html`<span class="badge good">pass</span>` : html`<span class="badge bad">fail</span>`;
}

export function runsPage(runs: { run: RunRow; report: ReportData }[]): Raw {
  if (runs.length === 0) return html`<h1>Runs</h1><p class="muted">No runs in this store yet: run <code>npx pillars eval</code>.</p>`;
  return html`<h1>Runs</h1>
<form method="get" action="/compare" id="compare-runs">
<p>Tick two or more runs and <button type="submit">Compare side by side</button></p>
<div class="scroll"><table id="runs"><thead><tr><th></th><th>Run</th><th>Target</th><th>Suites</th><th>Status</th><th class="num">Items</th><th>Gates</th><th class="num">Violation</th><th class="num">Over-refusal</th></tr></thead><tbody>
${runs.map(({ run, report }) => {
  const failed = report.gates.filter((g) => !g.passed).length;
  return html`<tr><td><input type="checkbox" name="run" value="${run.id}" aria-label="compare ${run.id}"></td><td><a href="/runs/${enc(run.id)}">${run.id}</a></td><td>${run.target}</td><td>${run.suites.join(', ')}</td><td>${run.status}</td>
<td class="num">${report.metrics.overall.items}</td><td class="${failed ? 'fail' : 'pass'}">${report.gates.length === 0 ? '–' : failed ? `${failed} failed` : 'pass'}</td><td class="num">${pct(report.metrics.overall.violation_rate)}</td><td class="num">${pct(report.metrics.overall.over_refusal_rate)}</td></tr>`;
})}</tbody></table></div></form>`;
}

function filterForm(p: { action: string; reports: ReportData[]; f: ViewFilters; hidden?: [string, string][]; flips?: boolean }): Raw {
  const opts = filterOptions(p.reports);
  const label: Record<(typeof FILTER_KEYS)[number], string> = { pillar: 'Pillar', policy: 'Policy', regulation: 'Regulation', verdict: 'Verdict', judge: 'Judge' };
  return html`<form method="get" action="${p.action}" class="card filters" id="filters">
${(p.hidden ?? []).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
${FILTER_KEYS.map(
  (k) => html`<span class="field"><label for="f-${k}">${label[k]}</label><select id="f-${k}" name="${k}"><option value="">all</option>${opts[k].map((v) => html`<option value="${v}"${p.f[k] === v ? ' selected' : ''}>${k === 'pillar' ? pillarTitle(v) : v}</option>`)}</select></span>`,
)}
<span class="field"><label for="f-q">Text</label><input type="text" id="f-q" name="q" value="${p.f.q ?? ''}" placeholder="id, prompt or response"></span>
${p.flips ? html`<span class="field check"><label><input type="checkbox" name="flipped" value="1" id="f-flipped"${p.f.flipped ? ' checked' : ''}> flipped only</label></span>` : ''}
<span class="field actions"><button type="submit">Filter</button> <a href="${p.action}${p.hidden?.length ? `?${p.hidden.map(([k, v]) => `${k}=${enc(v)}`).join('&')}` : ''}">clear</a></span></form>`;
}

function judgesTable(i: ReportItem): Raw {
  const judges = i.judges.filter((j) => !j.judge.startsWith('assert:') && j.judge !== 'assertions');
  if (judges.length === 0) return html``;
  return html`<div class="scroll"><table class="judges"><caption>Judges</caption><thead><tr><th>Judge</th><th>Label</th><th class="num">Score</th><th>Reasons</th></tr></thead><tbody>
${judges.map((j) => html`<tr data-judge="${j.judge}"><th scope="row">${j.judge}</th><td>${j.label}</td><td class="num">${j.score}</td><td>${j.reasons.length ? html`<ul class="reasons">${j.reasons.map((r) => html`<li>${r}</li>`)}</ul>` : html`<span class="muted">—</span>`}</td></tr>`)}</tbody></table></div>`;
}

function itemBody(i: ReportItem): Raw {
  return html`<dl class="meta"><dt>Pillar</dt><dd>${pillarTitle(i.pillar)}</dd><dt>Policy</dt><dd>${i.policy ?? '—'}</dd><dt>Kind</dt><dd>${i.kind}</dd><dt>Expected</dt><dd>${i.expected}</dd><dt>Verdict</dt><dd>${i.verdict}</dd><dt>Regulations</dt><dd>${(i.regulations ?? []).join(', ') || '—'}</dd></dl>
<h3>Prompt</h3><pre class="text prompt">${i.prompt}</pre><h3>Answer</h3><pre class="text answer">${i.response}</pre>
${new Raw(assertionsTableHtml(i))}${judgesTable(i)}`;
}

function pager(total: number, page: number, link: (p: number) => string): Raw {
  const pages = Math.ceil(total / PAGE_SIZE);
  if (pages <= 1) return html``;
  return html`<p class="pager">Page ${page + 1} of ${pages}${page > 0 ? html` · <a href="${link(page - 1)}">previous</a>` : ''}${page + 1 < pages ? html` · <a href="${link(page + 1)}">next</a>` : ''}</p>`;
}

function queryWith(f: ViewFilters, extra: [string, string][], page: number): string {
  const q = new URLSearchParams(extra);
  for (const k of FILTER_KEYS) if (f[k]) q.set(k, f[k]!);
  if (f.q) q.set('q', f.q);
  if (f.flipped) q.set('flipped', '1');
  if (page > 0) q.set('page', String(page));
  return q.toString();
}

export function runPage(p: { report: ReportData; f: ViewFilters; page: number; others: RunRow[] }): Raw {
  const r = p.report;
  const items = r.items.filter((i) => matches(i, p.f));
  const shown = items.slice(p.page * PAGE_SIZE, (p.page + 1) * PAGE_SIZE);
  const s = passShare(r);
  const action = `/runs/${enc(r.run.id)}`;
  const others = p.others.filter((o) => o.id !== r.run.id);
  return html`<h1>Run <code>${r.run.id}</code> · ${r.run.target}</h1>
<p class="muted">${r.run.suites.join(', ')} · ${r.run.status} · started ${r.run.started_at} · ${s.passed}/${s.judged} passed · violation ${pct(r.metrics.overall.violation_rate)} · over-refusal ${pct(r.metrics.overall.over_refusal_rate)}</p>
${
  others.length
    ? html`<form method="get" action="/compare" class="inline" id="compare-with"><input type="hidden" name="run" value="${r.run.id}"><label for="with">Compare with</label> <select id="with" name="run">${others.map((o) => html`<option value="${o.id}">${o.id} · ${o.target}</option>`)}</select> <button type="submit">Side by side</button></form>`
    : ''
}
${filterForm({ action, reports: [r], f: p.f })}
<p id="count" aria-live="polite">${items.length} of ${r.items.length} items</p>
<div id="items">${shown.map(
    (i) =>
      html`<details class="item ${i.passed === false ? 'failed' : ''}" data-item="${i.id}" data-pillar="${i.pillar}" data-verdict="${i.verdict}"><summary><code>${i.id}</code> · ${pillarTitle(i.pillar)}${i.policy ? html` · <code>${i.policy}</code>` : ''} · expected <b>${i.expected}</b>, got <b>${i.verdict}</b> ${passBadge(i.passed)}</summary><div class="body">${itemBody(i)}</div></details>`,
  )}</div>
${pager(items.length, p.page, (pg) => `${action}?${queryWith(p.f, [], pg)}`)}`;
}

function cellHtml(c: ReportItem | null, flipped: boolean): Raw {
  if (!c) return html`<td class="missing"><span class="muted">not in this run</span></td>`;
  return html`<td class="${flipped ? (c.passed ? 'flip-pass' : 'flip-fail') : ''}" data-passed="${c.passed === null ? '' : String(c.passed)}">${passBadge(c.passed)} <b>${c.verdict}</b>
<details><summary>answer</summary><pre class="text answer">${c.response}</pre>${new Raw(assertionsTableHtml(c))}${judgesTable(c)}</details></td>`;
}

function rowHtml(row: SideRow, reports: ReportData[]): Raw {
  const first = row.cells.find((c): c is ReportItem => c !== null)!;
  const onlyIn = row.partial ? reports.filter((_, k) => row.cells[k] !== null).map((r) => r.run.id) : [];
  return html`<tr class="${[row.flipped ? 'flipped' : '', row.partial ? 'partial' : ''].join(' ').trim()}" data-item="${row.id}" data-pillar="${first.pillar}">
<th scope="row"><code>${row.id}</code> ${row.flipped ? html`<span class="badge warn flip-mark">flipped</span>` : ''}${row.partial ? html`<span class="badge only-in">only in ${onlyIn.join(', ')}</span>` : ''}
<div class="muted">${pillarTitle(first.pillar)}${first.policy ? ` · ${first.policy}` : ''} · expected ${first.expected}</div><div class="prompt-snippet">${first.prompt.length > 240 ? `${first.prompt.slice(0, 240)}…` : first.prompt}</div></th>
${row.cells.map((c) => cellHtml(c, row.flipped))}</tr>`;
}

export function comparePage(p: { reports: ReportData[]; f: ViewFilters; page: number }): Raw {
  const rows = sideBySide(p.reports, p.f);
  const all = sideBySide(p.reports);
  const flips = all.filter((r) => r.flipped).length;
  const partial = all.filter((r) => r.partial).length;
  const hidden = p.reports.map((r): [string, string] => ['run', r.run.id]);
  const shown = rows.slice(p.page * PAGE_SIZE, (p.page + 1) * PAGE_SIZE);
  return html`<h1>Side by side</h1>
<p class="muted">${p.reports.length} runs · ${all.length} items · <b>${flips}</b> flipped (pass/fail differs) · ${partial} in some runs only</p>
${filterForm({ action: '/compare', reports: p.reports, f: p.f, hidden, flips: true })}
<p id="count" aria-live="polite">${rows.length} of ${all.length} items</p>
<div class="scroll"><table id="side-by-side" class="cols-${Math.min(p.reports.length, 8)}"><thead><tr><th>Item</th>${p.reports.map((r) => {
    const s = passShare(r);
    return html`<th><a href="/runs/${enc(r.run.id)}">${r.run.id}</a><div>${r.run.target}</div><div class="muted">${s.passed}/${s.judged} passed</div></th>`;
  })}</tr></thead><tbody>
${shown.map((row) => rowHtml(row, p.reports))}</tbody></table></div>
${pager(rows.length, p.page, (pg) => `/compare?${queryWith(p.f, hidden, pg)}`)}`;
}

export const VIEW_CSS_EXTRA = `
header.top .muted-top { color:#94a3b8; font-size:12px; }
.scroll { overflow-x:auto; max-width:100%; }
form.filters { display:flex; flex-wrap:wrap; gap:8px 14px; align-items:flex-end; margin:10px 0; }
form.filters .field { display:flex; flex-direction:column; min-width:140px; flex:1 1 140px; }
form.filters .field.check { justify-content:flex-end; }
form.filters .field.check label { font-weight:400; }
form.filters .field.actions { flex:0 0 auto; min-width:0; flex-direction:row; align-items:center; gap:10px; }
form.inline { margin:6px 0 10px; } form.inline select { width:auto; max-width:100%; display:inline-block; }
details.item { background:#fff; border:1px solid var(--line); border-radius:8px; margin:6px 0; padding:6px 10px; }
details.item.failed { border-left:3px solid var(--bad); }
details.item summary { cursor:pointer; overflow-wrap:anywhere; }
pre.text { white-space:pre-wrap; overflow-wrap:anywhere; max-height:420px; overflow:auto; }
table.assertions, table.judges { margin:8px 0; }
table.assertions caption, table.judges caption { text-align:left; font-weight:600; padding:4px 0; }
tr.assertion.fail th { color:var(--bad); }
ul.reasons { margin:0; padding-left:18px; }
#side-by-side { table-layout:fixed; }
#side-by-side > thead > tr > th:first-child { width:230px; }
${[2, 3, 4, 5, 6, 7, 8].map((n) => `#side-by-side.cols-${n} { min-width:${230 + n * 280}px; }`).join(' ')}
#side-by-side table { table-layout:auto; }
#side-by-side tr.flipped > th { background:#fff4e0; box-shadow: inset 4px 0 0 var(--warn); }
#side-by-side td.flip-fail { background:#fdecea; } #side-by-side td.flip-pass { background:#e7f6ec; }
#side-by-side td.missing { background:repeating-linear-gradient(45deg,#f6f7f9,#f6f7f9 6px,#eef0f4 6px,#eef0f4 12px); }
.badge.only-in { background:#eef0f4; color:#475067; }
.prompt-snippet { font-weight:400; color:var(--fg); margin-top:4px; overflow-wrap:anywhere; }
@media (max-width: 640px) { main { padding:12px 10px 30px; } header.top { flex-wrap:wrap; gap:8px; } }
`;
