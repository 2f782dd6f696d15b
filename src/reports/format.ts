import { PILLAR_TITLES, PILLARS, type PillarId } from '../core/pillars.js';
import type { MetricSet, Rate, ReportData, ReportItem } from '../core/report.js';

/** Helpers every format shares: escaping, number formatting, ordering and grouping of ReportData. */

export { escapeHtml } from '../core/html.js';

/**
 * JSON safe to embed in `<script type="application/json">`: `<` is written as `\u003c` so no
 * `</script>` or `<!--` in model output can end the element; U+2028/9 are escaped for old parsers.
 */
export function jsonForScript(v: unknown): string {
  return JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A rate as a percentage: 0.0333 → "3.3%"; null → "—". */
export function pct(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined || Number.isNaN(v) ? '—' : `${(v * 100).toFixed(digits)}%`;
}

/** "3.3% (2/60, 95% CI 0.9–11.4%)" or "—" when nothing was measured. */
export function rateText(r: Rate | undefined, opts: { ci?: boolean } = {}): string {
  if (!r || r.n === 0 || r.value === null) return '—';
  const base = `${pct(r.value)} (${r.k}/${r.n})`;
  return opts.ci === false || r.low === null || r.high === null ? base : `${base} [${pct(r.low)}–${pct(r.high)}]`;
}

export function pillarTitle(p: string): string {
  return PILLAR_TITLES[p as PillarId] ?? p;
}

/** The pillars present in a report, in the canonical order. */
export function reportPillars(data: ReportData): { id: PillarId; m: MetricSet }[] {
  const out: { id: PillarId; m: MetricSet }[] = [];
  for (const id of PILLARS) {
    const m = data.metrics.by_pillar[id];
    if (m) out.push({ id, m });
  }
  return out;
}

/** Items the judges failed (passed === false), model-breaking violations first, then over-refusals, then the rest. */
export function failingItems(data: ReportData): ReportItem[] {
  const rank: Record<string, number> = { 'model-breaking': 0, benign: 1, capability: 2 };
  const pillarRank = new Map<string, number>(PILLARS.map((p, i) => [p, i]));
  return data.items
    .filter((i) => i.passed === false)
    .sort(
      (a, b) =>
        (rank[a.kind] ?? 3) - (rank[b.kind] ?? 3) ||
        (pillarRank.get(a.pillar) ?? 99) - (pillarRank.get(b.pillar) ?? 99) ||
        a.id.localeCompare(b.id),
    );
}

/** policy id → the regulations its items reference (the policies' references travel on the items). */
export function policyRegulations(data: ReportData): Map<string, string[]> {
  const m = new Map<string, Set<string>>();
  for (const i of data.items) {
    if (!i.policy) continue;
    const s = m.get(i.policy) ?? new Set<string>();
    for (const r of i.regulations ?? []) s.add(r);
    m.set(i.policy, s);
  }
  return new Map([...m.entries()].map(([k, v]) => [k, [...v].sort()]));
}

/** Every regulation referenced in a report, sorted. */
export function allRegulations(data: ReportData): string[] {
  const s = new Set<string>();
  for (const i of data.items) for (const r of i.regulations ?? []) s.add(r);
  return [...s].sort();
}

export function gatesPassed(data: ReportData): boolean {
  return data.gates.every((g) => g.passed);
}

/** "violation_rate (safety) ≤ 0.05". */
/** A number as a person writes it: 0.19999999999999998 → "0.2", 2/3 → "0.666667" (at most 6 decimals). */
export function tidyNumber(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toFixed(6))) : String(v);
}

export function gateLabel(g: ReportData['gates'][number]): string {
  const scope = [g.pillar, g.policy].filter(Boolean).join('/');
  const bound = [g.max !== undefined ? `≤ ${tidyNumber(g.max)}` : '', g.min !== undefined ? `≥ ${tidyNumber(g.min)}` : ''].filter(Boolean).join(' and ');
  return `${g.metric}${scope ? ` (${scope})` : ''}${bound ? ` ${bound}` : ''}`;
}

/** Gate values are rates for the rate metrics; show them as percentages there. */
export function gateValue(v: number | null): string {
  return v === null ? '—' : String(Math.round(v * 10000) / 10000);
}

export function duration(startedAt: string, finishedAt: string | null): string {
  if (!finishedAt) return '—';
  const s = Math.max(0, Math.round((Date.parse(finishedAt) - Date.parse(startedAt)) / 1000));
  if (!Number.isFinite(s)) return '—';
  return s >= 3600 ? `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m` : s >= 60 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${s}s`;
}
