import { PILLAR_TITLES, type PillarId } from '../../core/pillars.js';
import type { GateResult, ReportData } from '../../core/report.js';
import { compareReports } from '../../compare/index.js';
import { buildReport } from '../../eval/load-report.js';
import { frontierGates } from '../../frontier/index.js';
import { verifyAudit, verifyAuditStore, type VerifyResult } from '../../gateway/audit.js';
import type { AuditStore } from '../../store/audit-log.js';
import { createAuditReader, type AuditRow } from '../../store/audit-read.js';
import type { JudgeAgreement } from '../../judges/index.js';
import { diffPacks, formatDiff } from '../../policy/diff.js';
import type { PolicyPack } from '../../policy/schema.js';
import type { Db } from '../../store/db.js';
import type { FrontierCase, FrontierResult, FrontierStore } from '../../store/frontier.js';
import type { PackSnapshot, ReviewQueue, QueueProgress } from '../../store/review.js';
import type { RunRow, RunStore } from '../../store/runs.js';
import type { QueueAgreement } from '../agreement.js';
import { html, lineChart, num3, pct, progressBar, type Raw } from './html.js';

/** The dashboard: runs and per-pillar metrics over time, comparisons, gates, frontier, audit, policy. */

function gatesTable(gates: GateResult[]): Raw {
  if (gates.length === 0) return html`<p class="muted">No gates.</p>`;
  return html`<table class="gates"><thead><tr><th>Gate</th><th class="num">Value</th><th class="num">Limit</th><th>Result</th></tr></thead><tbody>
${gates.map(
  (g) => html`<tr><td>${g.metric}${g.pillar ? ` · ${g.pillar}` : ''}${g.policy ? ` · ${g.policy}` : ''}${g.reason ? html`<div class="muted">${g.reason}</div>` : ''}</td>
<td class="num">${num3(g.value)}</td><td class="num">${g.max !== undefined ? `≤ ${g.max}` : g.min !== undefined ? `≥ ${g.min}` : ''}</td><td class="${g.passed ? 'pass' : 'fail'}">${g.passed ? 'pass' : 'FAIL'}</td></tr>`,
)}</tbody></table>`;
}

/** What the dashboard shows; `app.ts` reads it from the store (either backend). */
export interface DashboardData {
  /** The latest runs, oldest first, with their reports (no items). */
  runs: RunRow[];
  reports: ReportData[];
  /** The latest run's gates, with the frontier gate as of now. */
  gates: GateResult[];
  /** The audit chain's state, or null where the app was given no audit log. */
  audit: VerifyResult | null;
  cases: FrontierCase[];
}

/** The dashboard's data from the stores (SQLite, or PostgreSQL with its audit store). */
export async function loadDashboard(s: { runs: RunStore; frontier: FrontierStore; db: Db | null; audit?: AuditStore | null }): Promise<DashboardData> {
  const runs = [...(await s.runs.listRuns({ limit: 20 }))].reverse();
  const reports: ReportData[] = [];
  for (const r of runs) reports.push(await buildReport(s.runs, r.id, { items: 'none' }));
  const latest = runs.at(-1);
  const gates = latest ? [...(latest.gates ?? []).filter((g) => !g.metric.startsWith('frontier.')), ...(await frontierGates(s.frontier, latest.target))] : [];
  const audit = s.db ? verifyAudit(s.db) : s.audit ? await verifyAuditStore(s.audit) : null;
  return { runs, reports, gates, audit, cases: await s.frontier.listCases() };
}

export function dashboardPage(p: { base: string; queues: { q: ReviewQueue; progress: QueueProgress }[]; data: DashboardData }): Raw {
  const { runs, reports, gates, audit, cases } = p.data;
  const labels = runs.map((r) => r.id);
  const pillars = [...new Set(reports.flatMap((r) => Object.keys(r.metrics.by_pillar)))].sort() as PillarId[];
  const charts = pillars.map((pl) =>
    lineChart(
      PILLAR_TITLES[pl] ?? pl,
      labels,
      [
        { name: 'violation rate', cls: 'violation', values: reports.map((r) => r.metrics.by_pillar[pl]?.violation_rate ?? null) },
        { name: 'over-refusal rate', cls: 'over-refusal', values: reports.map((r) => r.metrics.by_pillar[pl]?.over_refusal_rate ?? null) },
      ],
    ),
  );
  const latest = runs.at(-1);
  const openCases = cases.filter((c) => c.status === 'open').length;
  const newest = [...runs].reverse();
  return html`<h1>Dashboard</h1>
<div class="grid">
<div class="card"><h3>Runs</h3><p><b>${runs.length}</b> recent runs${latest ? html` · latest <a href="${p.base}/runs/${latest.id}">${latest.id}</a> (${latest.target})` : ''}</p></div>
<div class="card" id="audit-status"><h3>Audit log</h3>${
    audit
      ? html`<p>${audit.ok ? html`<span class="badge good">chain verified</span>` : html`<span class="badge bad">chain broken</span>`} ${audit.records} records${audit.firstBad ? html`<br><span class="fail">record ${audit.firstBad.seq}: ${audit.firstBad.reason}</span>` : ''}</p><a href="${p.base}/audit">open the audit log</a>`
      : notOnPostgres('The audit log')
  }</div>
<div class="card"><h3>Frontier</h3><p>${cases.length} review cases, <b>${openCases}</b> open</p><a href="${p.base}/frontier">scores and cases</a></div>
</div>
<h2>Metrics per pillar over time</h2>
<p class="legend"><span class="v">violation rate (attacks that succeeded)</span><span class="o">over-refusal rate (benign prompts refused)</span></p>
${runs.length === 0 ? html`<p class="muted">No runs yet: run <code>pillars eval</code>.</p>` : html`<div class="grid" id="trends">${charts}</div>`}
<h2>Runs</h2>
<form method="get" action="${p.base}/compare" class="card" id="compare-form">Compare <select name="a">${newest.map((r, i) => html`<option value="${r.id}"${i === 1 ? ' selected' : ''}>${r.id} · ${r.target}</option>`)}</select>
with <select name="b">${newest.map((r) => html`<option value="${r.id}">${r.id} · ${r.target}</option>`)}</select> <button type="submit">Compare</button></form>
<table id="runs"><thead><tr><th>Run</th><th>Target</th><th>Suites</th><th>Status</th><th class="num">Items</th><th class="num">Violation</th><th class="num">Over-refusal</th><th>Gates</th></tr></thead><tbody>
${newest.map((r) => {
  const rep = reports[runs.indexOf(r)]!;
  const failed = (r.gates ?? []).filter((g) => !g.passed).length;
  return html`<tr><td><a href="${p.base}/runs/${r.id}">${r.id}</a></td><td>${r.target}</td><td>${r.suites.join(', ')}</td><td>${r.status}</td><td class="num">${rep.metrics.overall.items}</td>
<td class="num">${pct(rep.metrics.overall.violation_rate)}</td><td class="num">${pct(rep.metrics.overall.over_refusal_rate)}</td><td class="${failed ? 'fail' : 'pass'}">${(r.gates ?? []).length === 0 ? '–' : failed ? `${failed} failed` : 'pass'}</td></tr>`;
})}</tbody></table>
<h2>Release gates${latest ? html` <span class="muted">(${latest.target}, latest run, with the frontier gate as of now)</span>` : ''}</h2>
${gatesTable(gates)}
${queuesSection(p)}`;
}

function queuesSection(p: { base: string; queues: { q: ReviewQueue; progress: QueueProgress }[] }): Raw {
  return html`<h2>Review queues</h2>
<table><tbody>${p.queues.map(({ q, progress }) => html`<tr><td><a href="${p.base}/queues/${q.id}">${q.name}</a> <span class="badge">${q.kind}</span></td><td>${progressBar(progress.complete, progress.tasks, `${progress.complete} / ${progress.tasks} complete`)}</td></tr>`)}</tbody></table>`;
}

/** One line where a page (or part of one) needs data the PostgreSQL store does not hold yet. */
export function notOnPostgres(what: string): Raw {
  return html`<p class="muted not-on-pg" role="status">${what}: not on PostgreSQL yet (this store is PostgreSQL; that data is kept in SQLite stores only for now).</p>`;
}

export function agreementTables(p: { judges?: JudgeAgreement[]; queues?: QueueAgreement[] }): Raw {
  return html`${
    p.judges
      ? html`<h2>Judge agreement with human labels</h2>${
          p.judges.length === 0
            ? html`<p class="muted">No human labels yet.</p>`
            : html`<table id="judge-agreement"><thead><tr><th>Judge</th><th>vs human</th><th class="num">n</th><th class="num">Agreement</th><th class="num">Cohen's κ</th></tr></thead><tbody>
${p.judges.map((j) => html`<tr data-judge="${j.judge}"><td>${j.judge}</td><td>${j.labelKey}</td><td class="num">${j.n}</td><td class="num">${pct(j.agreement)}</td><td class="num">${num3(j.kappa)}</td></tr>`)}</tbody></table>`
        }`
      : ''
  }${(p.queues ?? []).map(
    (q) => html`<h2>Reviewer agreement · ${q.queue}</h2><p>${q.reviews} reviews of ${q.tasks} tasks · double-reviewed: ${q.double.units} · agreement ${pct(q.double.agreement)} · Cohen's κ ${num3(q.double.kappa)} · Krippendorff's α ${num3(q.double.alpha)}</p>
<table class="reviewer-agreement"><thead><tr><th>Reviewer</th><th class="num">Reviews</th><th class="num">Shared</th><th class="num">vs peers</th><th class="num">κ peers</th><th class="num">vs judge</th><th class="num">κ judge</th></tr></thead><tbody>
${q.reviewers.map((r) => html`<tr><td>${r.reviewer}</td><td class="num">${r.reviews}</td><td class="num">${r.peers.n}</td><td class="num">${pct(r.peers.agreement)}</td><td class="num">${num3(r.peers.kappa)}</td><td class="num">${pct(r.judge.agreement)}</td><td class="num">${num3(r.judge.kappa)}</td></tr>`)}</tbody></table>`,
  )}`;
}

export function runPage(p: { base: string; report: ReportData; judges: JudgeAgreement[] }): Raw {
  const rep = p.report;
  const rows = Object.entries(rep.metrics.by_pillar);
  return html`<h1>Run ${rep.run.id}</h1><p>${rep.run.target} · ${rep.run.suites.join(', ')} · ${rep.run.status} · started ${rep.run.started_at}</p>
<table id="pillars"><thead><tr><th>Pillar</th><th class="num">Items</th><th class="num">Violation</th><th class="num">Over-refusal</th><th class="num">Accuracy</th></tr></thead><tbody>
${rows.map(([k, m]) => html`<tr><td>${PILLAR_TITLES[k as PillarId] ?? k}</td><td class="num">${m!.items}</td><td class="num">${pct(m!.violation_rate)}</td><td class="num">${pct(m!.over_refusal_rate)}</td><td class="num">${pct(m!.accuracy)}</td></tr>`)}
<tr><td><b>overall</b></td><td class="num">${rep.metrics.overall.items}</td><td class="num">${pct(rep.metrics.overall.violation_rate)}</td><td class="num">${pct(rep.metrics.overall.over_refusal_rate)}</td><td class="num">${pct(rep.metrics.overall.accuracy)}</td></tr></tbody></table>
<h2>Gates</h2>${gatesTable(rep.gates)}
${agreementTables({ judges: p.judges })}`;
}

export function comparePage(p: { base: string; a: ReportData; b: ReportData }): Raw {
  const c = compareReports(p.a, p.b);
  return html`<h1>Compare ${c.a.id} → ${c.b.id}</h1><p>${c.a.target} (${c.a.items} items) → ${c.b.target} (${c.b.items} items) · α = ${c.alpha}</p>
<p>${c.regressions.length ? html`<span class="badge bad">${c.regressions.length} significant regressions</span>` : html`<span class="badge good">no significant regressions</span>`} ${c.improvements.length} improvements</p>
<table id="deltas"><thead><tr><th>Scope</th><th>Metric</th><th class="num">A</th><th class="num">B</th><th class="num">Δ</th><th class="num">p</th><th></th></tr></thead><tbody>
${c.deltas
  .filter((d) => d.scope !== 'policy' && d.delta !== null)
  .map(
    (d) => html`<tr><td>${d.key}</td><td>${d.metric}</td><td class="num">${pct(d.a.value)}</td><td class="num">${pct(d.b.value)}</td><td class="num">${d.delta === null ? '–' : `${d.delta > 0 ? '+' : ''}${(d.delta * 100).toFixed(1)} pt`}</td><td class="num">${num3(d.p_value)}</td>
<td class="${d.regression ? 'fail' : d.direction === 'better' && d.significant ? 'pass' : 'muted'}">${d.regression ? 'regression' : d.significant ? d.direction : ''}</td></tr>`,
  )}</tbody></table>
<h2>Items that flipped</h2><p>${c.flipped.pass_to_fail.length} pass → fail, ${c.flipped.fail_to_pass.length} fail → pass</p>
<table><tbody>${[...c.flipped.pass_to_fail.map((f) => ['pass → fail', f] as const), ...c.flipped.fail_to_pass.map((f) => ['fail → pass', f] as const)].map(
    ([dir, f]) => html`<tr><td class="${dir === 'pass → fail' ? 'fail' : 'pass'}">${dir}</td><td>${f.id}</td><td>${f.policy ?? f.pillar}</td><td>${f.verdict_a} → ${f.verdict_b}</td></tr>`,
  )}</tbody></table>`;
}

export function auditPage(p: { db: Db; limit?: number }): Raw {
  return auditView(verifyAudit(p.db), createAuditReader(p.db).recent(p.limit ?? 100));
}

/** The audit page from any audit store (PostgreSQL included): the chain verified, the newest rows first. */
export async function auditPageOf(p: { audit: AuditStore; limit?: number }): Promise<Raw> {
  const v = await verifyAuditStore(p.audit);
  const head = v.head?.seq ?? 0;
  const rows: AuditRow[] = [];
  for await (const r of p.audit.rows({ fromSeq: Math.max(0, head - (p.limit ?? 100) + 1), toSeq: head })) rows.push(r);
  return auditView(v, rows.reverse());
}

function auditView(v: VerifyResult, rows: AuditRow[]): Raw {
  return html`<h1>Audit log</h1>
<div class="card" id="audit-status">${v.ok ? html`<span class="badge good">chain verified</span>` : html`<span class="badge bad">chain broken</span>`} ${v.records} records${v.head ? html` · head ${v.head.seq} ${v.head.hash.slice(0, 16)}…` : ''}${v.firstBad ? html`<p class="fail">record ${v.firstBad.seq}: ${v.firstBad.reason}</p>` : ''}</div>
<h2>Latest records</h2>
<table><thead><tr><th class="num">#</th><th>Time</th><th>Request</th><th>Tier</th><th>Route</th><th>Action</th><th>Policy</th><th class="num">Level</th><th>Hash</th></tr></thead><tbody>
${rows.map((r) => html`<tr><td class="num">${r.seq}</td><td>${r.ts}</td><td>${r.request_id}</td><td>${r.tier}</td><td>${r.route}</td><td><span class="badge${r.action === 'allow' ? ' good' : ' bad'}">${r.action}</span></td><td>${r.policy ?? '–'}</td><td class="num">${r.level ?? '–'}</td><td class="muted">${r.hash.slice(0, 12)}…</td></tr>`)}</tbody></table>`;
}

export function policyPage(p: { pack: PolicyPack | null; snapshots: PackSnapshot[] }): Raw {
  if (!p.pack) return html`<h1>Policy pack</h1><p class="muted">No pack loaded.</p>`;
  const pack = p.pack;
  const diffs: Raw[] = [];
  for (let i = p.snapshots.length - 1; i > 0; i--) {
    const a = p.snapshots[i - 1]!;
    const b = p.snapshots[i]!;
    const d = diffPacks({ old: a.pack as PolicyPack, new: b.pack as PolicyPack });
    diffs.push(html`<h3>${a.version} → ${b.version} <span class="muted">(seen ${b.seenAt})</span></h3><pre>${formatDiff(d)}</pre>`);
  }
  return html`<h1>Policy pack ${pack.name ?? pack.id} <span class="badge">${pack.version}</span></h1>
<div class="grid"><div class="card"><h3>Versions</h3><table id="changelog"><tbody>${[...pack.changelog].reverse().map((c) => html`<tr><td><b>${c.version}</b></td><td>${String(c.date)}</td><td>${c.note}</td></tr>`)}</tbody></table></div>
<div class="card"><h3>Snapshots seen by this store</h3><p>${p.snapshots.map((s) => html`<span class="badge">${s.version} · ${s.sha256.slice(0, 8)}</span>`)}</p></div></div>
<h2>Diffs between stored versions</h2>${diffs.length ? diffs : html`<p class="muted">One version seen so far: a changed pack is snapshotted when the app next starts, and its diff shows here.</p>`}
<h2>Policies</h2>
<table id="policies"><thead><tr><th>Policy</th><th>Pillar</th><th>Severity</th><th>L0</th><th>L1</th><th>L2</th><th>L3</th><th>Exceptions</th></tr></thead><tbody>
${pack.policies.map((pol) => {
  const lv = pol.levels as Record<string, string>;
  return html`<tr><td><b>${pol.id}</b><div class="muted">${pol.title}</div></td><td>${pol.pillar}</td><td>${pol.severity}</td>${['0', '1', '2', '3'].map((l) => html`<td>${lv[l]}</td>`)}<td>${pol.exceptions.map((e) => html`<span class="badge">${e.context} ≤ L${e.upTo}</span>`)}</td></tr>`;
})}</tbody></table>`;
}

export function frontierPage(p: { base: string; results: FrontierResult[]; cases: FrontierCase[]; taskByCase: Map<string, number> }): Raw {
  const { results, cases } = p;
  return html`<h1>Frontier capability</h1>
<table id="frontier-results"><thead><tr><th>Target</th><th>Version</th><th>Domain</th><th class="num">Score</th><th class="num">95% CI</th><th class="num">Threshold</th><th></th><th>When</th></tr></thead><tbody>
${[...results].reverse().map((r) => html`<tr><td>${r.target}</td><td>${r.modelVersion}</td><td>${r.domain}</td><td class="num">${num3(r.score)}</td><td class="num">${num3(r.low)}–${num3(r.high)}</td><td class="num">${r.threshold}</td><td class="${r.over ? 'fail' : 'pass'}">${r.over ? 'over' : 'under'}</td><td>${r.createdAt}</td></tr>`)}</tbody></table>
<h2>Review cases</h2>
<table id="frontier-cases"><thead><tr><th>Case</th><th>Target</th><th>Domain</th><th>Status</th><th>Reviewer</th><th>Decided</th><th></th></tr></thead><tbody>
${cases.map((c) => {
  const task = p.taskByCase.get(c.id);
  return html`<tr><td>${c.id}</td><td>${c.target} ${c.modelVersion}</td><td>${c.domain}</td><td><span class="badge${c.status === 'approved' ? ' good' : c.status === 'rejected' ? ' bad' : ' warn'}">${c.status}</span></td><td>${c.reviewer ?? '–'}</td><td>${c.decidedAt ?? '–'}</td><td>${task !== undefined ? html`<a href="${p.base}/tasks/${task}">review task</a>` : ''}</td></tr>`;
})}</tbody></table>`;
}
