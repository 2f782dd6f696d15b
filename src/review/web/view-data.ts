import type { ReportData, ReportItem } from '../../core/report.js';

/**
 * What `pillars view` shows, as plain data: the filters (pillar, policy, regulation, verdict,
 * judge) applied to a run's items, and the side-by-side of several runs (items matched by id;
 * an item whose pass/fail differs between runs is a flip; an item missing from a run is shown as such).
 */

export interface ViewFilters {
  pillar?: string;
  policy?: string;
  regulation?: string;
  /** A verdict label (refused, complied, pass ...) or `passed` / `failed`. */
  verdict?: string;
  /** Items a judge looked at (any judge id, e.g. `refusal`, `assert:contains`). */
  judge?: string;
  /** Only flipped items (side-by-side). */
  flipped?: boolean;
  /** Free-text search in the id, prompt and response. */
  q?: string;
}

export const FILTER_KEYS = ['pillar', 'policy', 'regulation', 'verdict', 'judge'] as const;

export function filtersFrom(query: URLSearchParams): ViewFilters {
  const f: ViewFilters = {};
  for (const k of FILTER_KEYS) {
    const v = query.get(k)?.trim();
    if (v) f[k] = v;
  }
  const q = query.get('q')?.trim();
  if (q) f.q = q;
  if (query.get('flipped') === '1') f.flipped = true;
  return f;
}

export function matches(i: ReportItem, f: ViewFilters): boolean {
  if (f.pillar && i.pillar !== f.pillar) return false;
  if (f.policy && i.policy !== f.policy) return false;
  if (f.regulation && !(i.regulations ?? []).includes(f.regulation)) return false;
  if (f.verdict) {
    if (f.verdict === 'passed' ? i.passed !== true : f.verdict === 'failed' ? i.passed !== false : i.verdict !== f.verdict) return false;
  }
  if (f.judge && !i.judges.some((j) => j.judge === f.judge)) return false;
  if (f.q) {
    const q = f.q.toLowerCase();
    if (![i.id, i.prompt, i.response].some((s) => s.toLowerCase().includes(q))) return false;
  }
  return true;
}

/** The values each filter can take in these runs (sorted), for the filter form. */
export function filterOptions(reports: ReportData[]): Record<(typeof FILTER_KEYS)[number], string[]> {
  const sets = { pillar: new Set<string>(), policy: new Set<string>(), regulation: new Set<string>(), verdict: new Set<string>(['passed', 'failed']), judge: new Set<string>() };
  for (const r of reports) {
    for (const i of r.items) {
      sets.pillar.add(i.pillar);
      if (i.policy) sets.policy.add(i.policy);
      for (const g of i.regulations ?? []) sets.regulation.add(g);
      sets.verdict.add(i.verdict);
      for (const j of i.judges) sets.judge.add(j.judge);
    }
  }
  const sorted = (s: Set<string>): string[] => [...s].sort();
  return { pillar: sorted(sets.pillar), policy: sorted(sets.policy), regulation: sorted(sets.regulation), verdict: ['passed', 'failed', ...sorted(sets.verdict).filter((v) => v !== 'passed' && v !== 'failed')], judge: sorted(sets.judge) };
}

export interface SideRow {
  id: string;
  /** The item as each run has it (null: not in that run). */
  cells: (ReportItem | null)[];
  /** Judged in at least two runs with a different pass/fail. */
  flipped: boolean;
  /** Present in some runs only. */
  partial: boolean;
}

/** Rows of the side-by-side, in first-seen order; a row is kept when any run's item matches the filters. */
export function sideBySide(reports: ReportData[], f: ViewFilters = {}): SideRow[] {
  const index = reports.map((r) => new Map(r.items.map((i) => [i.id, i])));
  const ids: string[] = [];
  const seen = new Set<string>();
  for (const r of reports) {
    for (const i of r.items) {
      if (!seen.has(i.id)) {
        seen.add(i.id);
        ids.push(i.id);
      }
    }
  }
  const rows: SideRow[] = [];
  for (const id of ids) {
    const cells = index.map((m) => m.get(id) ?? null);
    const judged = cells.filter((c): c is ReportItem => c !== null && c.passed !== null);
    const flipped = judged.length >= 2 && judged.some((c) => c.passed !== judged[0]!.passed);
    const partial = cells.some((c) => c === null);
    if (f.flipped && !flipped) continue;
    const filters = { ...f, flipped: undefined };
    if (!cells.some((c) => c !== null && matches(c, filters))) continue;
    rows.push({ id, cells, flipped, partial });
  }
  return rows;
}

/** Pass rate of a run's judged items (for the column headers). */
export function passShare(r: ReportData): { passed: number; judged: number } {
  const judged = r.items.filter((i) => i.passed !== null);
  return { passed: judged.filter((i) => i.passed).length, judged: judged.length };
}
