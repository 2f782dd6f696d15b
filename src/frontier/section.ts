import type { FrontierCase, FrontierResult, FrontierStore } from '../store/frontier.js';

/** `ReportData.sections.frontier` (shape owned by src/reports/sections.ts, mirrored here). */
export interface FrontierSectionData {
  title?: string;
  domains: { domain: string; score: number; threshold: number; direction?: 'max' | 'min'; passed: boolean; n?: number; notes?: string }[];
  review_cases: { id: string; domain: string; status: string; reason: string; summary?: string }[];
}

/** `sections.frontier` of a target from any FrontierStore (SQLite or PostgreSQL). */
export async function frontierSection(store: FrontierStore, target: string): Promise<FrontierSectionData | null> {
  const latest = await store.latest(target);
  if (latest.length === 0) return null;
  return frontierSectionOf(latest, await store.listCases({ target }));
}

/** The section from the latest result per domain and the target's cases. */
export function frontierSectionOf(latest: FrontierResult[], cases: FrontierCase[]): FrontierSectionData | null {
  if (latest.length === 0) return null;
  return {
    title: 'Frontier risk',
    domains: latest.map((r) => {
      const c = cases.find((x) => x.modelVersion === r.modelVersion && x.domain === r.domain);
      return {
        domain: r.domain,
        score: r.score,
        threshold: r.threshold,
        direction: 'max' as const,
        passed: !r.over || c?.status === 'approved',
        n: r.n,
        notes: `version ${r.modelVersion}; 95% CI ${r.low.toFixed(3)}-${r.high.toFixed(3)}${c ? `; case ${c.id} ${c.status}` : ''}`,
      };
    }),
    review_cases: cases.map((c) => ({
      id: c.id,
      domain: c.domain,
      status: c.status,
      reason: `over threshold for ${c.modelVersion}`,
      summary: typeof c.evidence.summary === 'string' ? c.evidence.summary : undefined,
    })),
  };
}
