import type { ReportData } from '../core/report.js';
import type { Objective } from './config.js';
import { describeGate } from './gates.js';

/**
 * Picks the best checkpoint: among candidates whose gates all pass, the highest weighted objective
 * score = Σ weight × overall metric (metrics a run did not measure count 0 and are named). Ties go
 * to the lower violation rate, then to the order given.
 */

export interface Candidate {
  target: string;
  runId: string;
  report: ReportData;
}

export interface Ranked {
  target: string;
  runId: string;
  score: number;
  eligible: boolean;
  failedGates: string[];
  terms: { metric: string; weight: number; value: number | null }[];
}

export interface Selection {
  best: string | null;
  bestRun: string | null;
  objective: Objective;
  ranking: Ranked[];
  reasoning: string[];
}

const pct = (v: number | null): string => (v === null ? 'n/a' : `${(v * 100).toFixed(2)}%`);

export function selectCheckpoint(candidates: Candidate[], objective: Objective): Selection {
  const ranked: Ranked[] = candidates.map((c, i) => {
    const overall = c.report.metrics.overall as unknown as Record<string, number | null | undefined>;
    const terms = Object.entries(objective).map(([metric, weight]) => ({ metric, weight: weight ?? 0, value: overall[metric] ?? null }));
    const score = terms.reduce((a, t) => a + t.weight * (t.value ?? 0), 0);
    const failedGates = c.report.gates.filter((g) => !g.passed).map((g) => `${describeGate(g)} (${g.reason ?? 'failed'})`);
    return { target: c.target, runId: c.runId, score, eligible: failedGates.length === 0, failedGates, terms, order: i } as Ranked & { order: number };
  });
  const viol = (r: Ranked): number => r.terms.find((t) => t.metric === 'violation_rate')?.value ?? candidates.find((c) => c.runId === r.runId)?.report.metrics.overall.violation_rate ?? 1;
  const sorted = [...ranked].sort((a, b) => Number(b.eligible) - Number(a.eligible) || b.score - a.score || viol(a) - viol(b) || (a as Ranked & { order: number }).order - (b as Ranked & { order: number }).order);
  const best = sorted.find((r) => r.eligible) ?? null;
  const weights = Object.entries(objective).map(([m, w]) => `${w} × ${m}`).join(' + ');
  const reasoning = [`objective: ${weights} (overall metrics); only checkpoints that pass every gate are eligible`];
  for (const r of sorted) {
    const terms = r.terms.map((t) => `${t.metric} ${pct(t.value)}`).join(', ');
    reasoning.push(`${r.target} (run ${r.runId}): score ${r.score.toFixed(4)} [${terms}]${r.eligible ? '' : ` — not eligible: ${r.failedGates.join('; ')}`}`);
  }
  if (best) {
    const runnerUp = sorted.find((r) => r.eligible && r !== best);
    reasoning.push(
      runnerUp
        ? `best: ${best.target}, ahead of ${runnerUp.target} by ${(best.score - runnerUp.score).toFixed(4)}`
        : `best: ${best.target}, the only checkpoint that passes the gates`,
    );
  } else {
    reasoning.push('no checkpoint passes the gates: none selected');
  }
  for (const r of ranked) delete (r as Partial<Ranked & { order: number }>).order;
  return { best: best?.target ?? null, bestRun: best?.runId ?? null, objective, ranking: sorted, reasoning };
}
