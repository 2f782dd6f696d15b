import type { GateResult, MetricSet, ReportData, ReportItem } from '../core/report.js';
import type { PillarId } from '../core/pillars.js';
import type { Db } from '../store/db.js';
import type { OpenStore } from '../store/open.js';
import { createRunStore, type AggregateRow, type GroupBy, type ItemRow, type PairRow, type RunRow, type RunStore } from '../store/runs.js';
import { agreementReport, type AgreementRow } from '../judges/index.js';
import { metricSet, metricSets } from './metrics.js';

/**
 * Builds `ReportData` (report.json) from the store, never from a live run's memory. Metrics come
 * from SQL aggregates; the item list is read in order (all items, or only failing ones for very
 * large runs: `items: 'failing'`, or none).
 */

export interface ReportOptions {
  items?: 'all' | 'failing' | 'none';
  /** Cap on listed items (default 200,000). */
  maxItems?: number;
}

const GROUPS: GroupBy[] = ['pillar', 'policy', 'lang', 'source'];

function toReportItem(r: ItemRow, samples: number): ReportItem {
  const it = r.item;
  const prompt = it.prompt ?? [...(it.messages ?? [])].reverse().find((m) => m.role === 'user')?.content ?? '';
  const out: ReportItem = {
    id: samples > 1 ? `${it.id}#${r.sample}` : it.id,
    pillar: it.pillar,
    kind: it.kind,
    expected: it.expected,
    lang: it.lang,
    source: it.source,
    prompt,
    response: r.text ?? '',
    verdict: r.error ? 'error' : (r.label ?? 'unjudged'),
    passed: r.passed,
    judges: r.verdicts.map((v) => ({ judge: v.judge, label: v.label, score: v.score, reasons: v.reasons })),
  };
  if (it.policy) out.policy = it.policy;
  if (r.error) out.judges.push({ judge: 'runner', label: 'error', score: 1, reasons: [r.error] });
  return out;
}

/** Collects report items and, for items that carry human labels, the rows for judge agreement. */
class ItemCollector {
  readonly items: ReportItem[] = [];
  private readonly labelled: AgreementRow[] = [];
  constructor(private readonly samples: number) {}
  add(r: ItemRow): void {
    this.items.push(toReportItem(r, this.samples));
    if (r.item.labels && !r.error) this.labelled.push({ labels: r.item.labels, verdicts: r.verdicts });
  }
  /** `sections.agreement` when some items carried human labels (Cohen's kappa per judge). */
  sections(): Record<string, unknown> | undefined {
    if (this.labelled.length === 0) return undefined;
    const judges = agreementReport(this.labelled).map((a) => ({
      judge: a.judge,
      labelKey: a.labelKey,
      n: a.n,
      agreement: Number.isFinite(a.agreement) ? a.agreement : null,
      kappa: Number.isFinite(a.kappa) ? a.kappa : null,
      errors: a.errors,
    }));
    return judges.length > 0 ? { agreement: { judges } } : undefined;
  }
}

/**
 * `sections.modality`: the metrics per modality (text, image, audio, audio+image) when a run holds
 * items that carry images or audio (issue 17); absent for a text-only run.
 */
export function modalitySection(agg: AggregateRow[], pairs: PairRow[]): Record<string, unknown> | undefined {
  if (!agg.some((r) => r.key !== 'text')) return undefined;
  return { title: 'Results by modality', by_modality: metricSets(agg, pairs) };
}

function withSection(sections: Record<string, unknown> | undefined, modality: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  return modality ? { ...(sections ?? {}), modality } : sections;
}

export function assembleReport(
  run: RunRow,
  agg: { overall: AggregateRow[]; groups: Record<Exclude<GroupBy, 'overall'>, AggregateRow[]> },
  pairs: { overall: PairRow[]; groups: Record<Exclude<GroupBy, 'overall'>, PairRow[]> },
  items: ReportItem[],
  gates: GateResult[],
  sections?: Record<string, unknown>,
): ReportData {
  const overall: MetricSet = metricSet(agg.overall, pairs.overall[0]);
  const data: ReportData = {
    run: {
      id: run.id,
      target: run.target,
      suites: run.suites,
      tier: run.tier,
      started_at: run.started_at,
      finished_at: run.finished_at,
      status: run.status,
      config: run.config,
    },
    metrics: {
      overall,
      by_pillar: metricSets(agg.groups.pillar, pairs.groups.pillar) as Partial<Record<PillarId, MetricSet>>,
      by_policy: metricSets(agg.groups.policy, pairs.groups.policy),
      by_lang: metricSets(agg.groups.lang, pairs.groups.lang),
      by_source: metricSets(agg.groups.source, pairs.groups.source),
    },
    gates,
    items,
  };
  if (sections) data.sections = sections;
  return data;
}

/** The report of a run, from any RunStore. */
export async function buildReport(store: RunStore, runId: string, opts: ReportOptions = {}): Promise<ReportData> {
  const run = await store.resolveRun(runId);
  const agg = { overall: await store.aggregate(run.id, 'overall'), groups: {} as Record<Exclude<GroupBy, 'overall'>, AggregateRow[]> };
  const pairs = { overall: await store.pairConsistency(run.id, 'overall'), groups: {} as Record<Exclude<GroupBy, 'overall'>, PairRow[]> };
  for (const g of GROUPS) {
    agg.groups[g as Exclude<GroupBy, 'overall'>] = await store.aggregate(run.id, g);
    pairs.groups[g as Exclude<GroupBy, 'overall'>] = await store.pairConsistency(run.id, g);
  }
  const items = new ItemCollector(run.samples);
  const mode = opts.items ?? 'all';
  if (mode !== 'none') {
    for await (const r of store.reportItems(run.id, { failingOnly: mode === 'failing', limit: opts.maxItems ?? 200_000 })) items.add(r);
  }
  const modality = modalitySection(await store.aggregate(run.id, 'modality'), await store.pairConsistency(run.id, 'modality'));
  return assembleReport(run, agg, pairs, items.items, run.gates ?? [], withSection(mode === 'all' ? items.sections() : undefined, modality));
}

/**
 * The report of a stored run (id, unique prefix, or `last`) on either backend, SQLite or
 * PostgreSQL: the same `ReportData` `loadReport` gives on SQLite.
 */
export async function loadStoredReport(store: OpenStore, runId: string, opts: ReportOptions = {}): Promise<ReportData> {
  return buildReport(store.runs, runId, opts);
}

/** `loadReport(db, runId)`: the contract other features use (run id or `last`); synchronous on SQLite. */
export function loadReport(db: Db, runId: string, opts: ReportOptions = {}): ReportData {
  const store = createRunStore(db);
  const run = store.resolveRun(runId);
  const agg = { overall: store.aggregate(run.id, 'overall'), groups: {} as Record<Exclude<GroupBy, 'overall'>, AggregateRow[]> };
  const pairs = { overall: store.pairConsistency(run.id, 'overall'), groups: {} as Record<Exclude<GroupBy, 'overall'>, PairRow[]> };
  for (const g of GROUPS) {
    agg.groups[g as Exclude<GroupBy, 'overall'>] = store.aggregate(run.id, g);
    pairs.groups[g as Exclude<GroupBy, 'overall'>] = store.pairConsistency(run.id, g);
  }
  const items = new ItemCollector(run.samples);
  const mode = opts.items ?? 'all';
  if (mode !== 'none') {
    for (const r of store.reportItems(run.id, { failingOnly: mode === 'failing', limit: opts.maxItems ?? 200_000 })) items.add(r);
  }
  const modality = modalitySection(store.aggregate(run.id, 'modality'), store.pairConsistency(run.id, 'modality'));
  return assembleReport(run, agg, pairs, items.items, run.gates ?? [], withSection(mode === 'all' ? items.sections() : undefined, modality));
}
