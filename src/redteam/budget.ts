/**
 * Budgets in turns (target calls), tokens and money. One object per run, passed down (no globals).
 * Tokens come from the provider's usage when given, else are estimated at 4 characters a token.
 */
export interface BudgetLimits {
  turns?: number;
  tokens?: number;
  /** In the currency of `pricePer1kTokens`. */
  money?: number;
  pricePer1kTokens?: number;
}

export interface BudgetUse {
  turns: number;
  tokens: number;
  cost: number;
  exhausted: string | null;
}

export class Budget {
  private used: BudgetUse = { turns: 0, tokens: 0, cost: 0, exhausted: null };
  constructor(
    readonly limits: BudgetLimits,
    private readonly parent?: Budget,
  ) {}

  /** A share of this budget (e.g. one policy's fair share): charging it charges this one too. */
  share(limits: BudgetLimits): Budget {
    return new Budget({ ...limits, pricePer1kTokens: this.limits.pricePer1kTokens }, this);
  }

  /** What is left of each limit (undefined where there is no limit). */
  remaining(): { turns?: number; tokens?: number; money?: number } {
    const l = this.limits;
    return {
      turns: l.turns === undefined ? undefined : Math.max(0, l.turns - this.used.turns),
      tokens: l.tokens === undefined ? undefined : Math.max(0, l.tokens - this.used.tokens),
      money: l.money === undefined ? undefined : Math.max(0, l.money - this.used.cost),
    };
  }

  /** Record one call; returns its tokens and cost. */
  charge(tokens: number): { tokens: number; cost: number } {
    const cost = (tokens / 1000) * (this.limits.pricePer1kTokens ?? 0);
    this.used.turns += 1;
    this.used.tokens += tokens;
    this.used.cost += cost;
    this.parent?.charge(tokens);
    return { tokens, cost };
  }

  /** Why the budget is spent, or null while calls remain. */
  exhausted(): string | null {
    const p = this.parent?.exhausted();
    if (p) return p;
    const l = this.limits;
    if (l.turns !== undefined && this.used.turns >= l.turns) return `turn budget of ${l.turns} spent`;
    if (l.tokens !== undefined && this.used.tokens >= l.tokens) return `token budget of ${l.tokens} spent`;
    if (l.money !== undefined && this.used.cost >= l.money) return `money budget of ${l.money} spent`;
    return null;
  }

  use(): BudgetUse {
    return { ...this.used, exhausted: this.exhausted() };
  }
}

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
