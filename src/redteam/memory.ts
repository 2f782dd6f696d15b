/**
 * What worked: shared between attackers in `collaborate` mode (each agent has its own in `compete`).
 * Keyed by policy and by transform composition; the best compositions are tried first on new seeds.
 */
export interface MemoryEntry {
  composition: string;
  policy: string | null;
  agent: string;
  successes: number;
  attempts: number;
}

export class AttackMemory {
  private entries = new Map<string, MemoryEntry>();

  record(e: { composition: string | null; policy: string | null; agent: string; success: boolean }): void {
    if (!e.composition) return;
    const key = `${e.policy ?? '*'}|${e.composition}`;
    const cur = this.entries.get(key) ?? { composition: e.composition, policy: e.policy, agent: e.agent, successes: 0, attempts: 0 };
    cur.attempts += 1;
    if (e.success) {
      if (cur.successes === 0) cur.agent = e.agent;
      cur.successes += 1;
    }
    this.entries.set(key, cur);
  }

  /** Compositions that broke something, this policy's first, then other policies', most successes first. */
  best(policy: string | null, limit = 3): MemoryEntry[] {
    const wins = [...this.entries.values()].filter((e) => e.successes > 0);
    const score = (e: MemoryEntry): number => (e.policy === policy ? 1000 : 0) + e.successes / e.attempts;
    const seen = new Set<string>();
    return wins
      .sort((a, b) => score(b) - score(a))
      .filter((e) => (seen.has(e.composition) ? false : (seen.add(e.composition), true)))
      .slice(0, limit);
  }

  /** Did this composition already fail on this policy (so an agent can skip it)? */
  failedOn(policy: string | null, composition: string): boolean {
    const e = this.entries.get(`${policy ?? '*'}|${composition}`);
    return !!e && e.successes === 0 && e.attempts > 0;
  }

  all(): MemoryEntry[] {
    return [...this.entries.values()];
  }
}
