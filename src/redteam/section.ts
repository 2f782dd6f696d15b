import type { AttemptRow } from '../store/redteam.js';

/**
 * `ReportData.sections.redteam` (shape owned by src/reports/sections.ts, mirrored here): attack
 * success per policy × strategy and the shortest successful transcripts.
 */
export interface RedteamSectionData {
  title?: string;
  attempts: number;
  successes: number;
  by_policy_strategy: { policy: string; strategy: string; attempts: number; successes: number }[];
  shortest_successes: {
    id: string;
    policy: string;
    strategy: string;
    transcript: { role: string; content: string }[];
    judge?: { label: string; score: number; reasons: string[] };
  }[];
}

export function redteamSection(attempts: AttemptRow[], opts: { title?: string; shortest?: number } = {}): RedteamSectionData {
  const cells = new Map<string, { policy: string; strategy: string; attempts: number; successes: number }>();
  for (const a of attempts) {
    const policy = a.policy ?? '(none)';
    const key = `${policy}\u0000${a.strategy}`;
    const c = cells.get(key) ?? { policy, strategy: a.strategy, attempts: 0, successes: 0 };
    c.attempts += 1;
    if (a.success) c.successes += 1;
    cells.set(key, c);
  }
  const len = (a: AttemptRow): number => a.transcript.reduce((n, m) => n + m.content.length, 0);
  const wins = attempts.filter((a) => a.success).sort((a, b) => a.turns - b.turns || len(a) - len(b));
  return {
    title: opts.title ?? 'Red team',
    attempts: attempts.length,
    successes: wins.length,
    by_policy_strategy: [...cells.values()].sort((a, b) => a.policy.localeCompare(b.policy) || a.strategy.localeCompare(b.strategy)),
    shortest_successes: wins.slice(0, opts.shortest ?? 5).map((a) => ({
      id: String(a.id),
      policy: a.policy ?? '(none)',
      strategy: a.strategy,
      transcript: a.transcript.map((m) => ({ role: m.role, content: m.content })),
      judge: { label: a.verdict.label, score: a.verdict.score, reasons: a.verdict.reasons.slice(0, 5) },
    })),
  };
}
