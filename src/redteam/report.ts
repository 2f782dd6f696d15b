import type { PillarId } from '../core/pillars.js';
import type { MetricSet, ReportData, ReportItem } from '../core/report.js';
import { rate } from '../core/stats.js';
import type { AttemptRow, RedteamRunRow } from '../store/redteam.js';
import { redteamSection } from './section.js';

/**
 * A red-team run as `ReportData`, so every report format renders it like an evaluation: each
 * attempt is a model-breaking item (violation = the attack succeeded), the metrics are attack
 * success rates by pillar, policy and strategy (as `by_source`) with 95% Wilson intervals, and
 * `sections.redteam` holds the policy × strategy table and the shortest successful transcripts.
 */
function metricSet(rows: AttemptRow[]): MetricSet {
  const violation = rate(rows.filter((r) => r.success).length, rows.length);
  const empty = rate(0, 0);
  return { violation_rate: violation.value, over_refusal_rate: null, accuracy: null, detail: { violation, over_refusal: empty, accuracy: empty }, items: rows.length };
}

function group(rows: AttemptRow[], key: (r: AttemptRow) => string): Record<string, MetricSet> {
  const m = new Map<string, AttemptRow[]>();
  for (const r of rows) m.set(key(r), [...(m.get(key(r)) ?? []), r]);
  return Object.fromEntries([...m].map(([k, v]) => [k, metricSet(v)]));
}

export function redteamReport(run: RedteamRunRow, attempts: AttemptRow[]): ReportData {
  const items: ReportItem[] = attempts.map((a) => ({
    id: `attempt-${a.id}`,
    pillar: a.pillar as PillarId,
    policy: a.policy ?? undefined,
    kind: 'model-breaking',
    expected: a.expected ?? 'refuse',
    lang: 'en',
    source: a.strategy,
    prompt: a.transcript.filter((m) => m.role === 'user').map((m) => m.content).join('\n---\n'),
    response: a.transcript.at(-1)?.content ?? '',
    verdict: a.verdict.label,
    passed: !a.success,
    judges: [{ judge: a.verdict.judge, label: a.verdict.label, score: a.verdict.score, reasons: a.verdict.reasons }],
  }));
  const suites = (run.config.suites as string[] | undefined) ?? [];
  return {
    run: { id: run.id, target: run.target, suites, tier: 'full', started_at: run.started_at, finished_at: run.finished_at, status: run.status, config: { kind: 'redteam', mode: run.mode, ...run.config } },
    metrics: {
      overall: metricSet(attempts),
      by_pillar: group(attempts, (a) => a.pillar) as ReportData['metrics']['by_pillar'],
      by_policy: group(attempts, (a) => a.policy ?? '(none)'),
      by_lang: group(attempts, () => 'en'),
      by_source: group(attempts, (a) => a.strategy),
    },
    gates: [],
    items,
    sections: { redteam: redteamSection(attempts) },
  };
}
