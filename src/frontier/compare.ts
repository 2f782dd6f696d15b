import type { FrontierResult } from '../store/frontier.js';
import { twoProportionZTest } from '../core/stats.js';

/**
 * Uplift against earlier models: per target and domain, the latest version's score against the
 * previous version's and against the strongest earlier version's, with a two-sided two-proportion
 * z-test (significant at p < 0.05).
 */
export interface Delta {
  version: string;
  score: number;
  n: number;
  diff: number;
  p: number;
  significant: boolean;
}

export interface CompareRow {
  target: string;
  domain: string;
  version: string;
  score: number;
  n: number;
  threshold: number;
  over: boolean;
  previous: Delta | null;
  strongest: Delta | null;
}

export function compareVersions(results: FrontierResult[], alpha = 0.05): CompareRow[] {
  const rows: CompareRow[] = [];
  const groups = new Map<string, FrontierResult[]>();
  for (const r of results) {
    const k = `${r.target}\u0000${r.domain}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  for (const rs of groups.values()) {
    // Latest result per version, versions ordered by their first result.
    const order: string[] = [];
    const latest = new Map<string, FrontierResult>();
    for (const r of [...rs].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || (a.id ?? 0) - (b.id ?? 0))) {
      if (!latest.has(r.modelVersion)) order.push(r.modelVersion);
      latest.set(r.modelVersion, r);
    }
    const cur = latest.get(order[order.length - 1]!)!;
    const earlier = order.slice(0, -1).map((v) => latest.get(v)!);
    const delta = (e: FrontierResult | undefined): Delta | null => {
      if (!e) return null;
      // Earlier version first: diff = current − earlier (core/stats.ts's sign convention).
      const t = twoProportionZTest(e.correct, e.n, cur.correct, cur.n) ?? { diff: 0, p: 1 };
      return { version: e.modelVersion, score: e.score, n: e.n, diff: t.diff, p: t.p, significant: t.p < alpha };
    };
    const strongest = earlier.reduce<FrontierResult | undefined>((b, e) => (!b || e.score > b.score ? e : b), undefined);
    rows.push({
      target: cur.target,
      domain: cur.domain,
      version: cur.modelVersion,
      score: cur.score,
      n: cur.n,
      threshold: cur.threshold,
      over: cur.over,
      previous: delta(earlier[earlier.length - 1]),
      strongest: delta(strongest),
    });
  }
  return rows.sort((a, b) => a.target.localeCompare(b.target) || a.domain.localeCompare(b.domain));
}
