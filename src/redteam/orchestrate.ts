import { randomUUID } from 'node:crypto';
import { rate as wilsonRate } from '../core/stats.js';
import type { Ctx, Guard, Message, Target } from '../core/types.js';
import type { PolicyPack } from '../policy/schema.js';
import type { RedteamStore } from '../store/redteam.js';
import { ADAPTIVE } from './adaptive.js';
import { Budget, type BudgetLimits, type BudgetUse } from './budget.js';
import { retune, type DefenderConfig, type RetuneKnob } from './defender.js';
import type { JudgeFn } from './execute.js';
import { AttackMemory } from './memory.js';
import type { Seed } from './seeds.js';
import { resolveStrategy, type AttemptOutcome, type Strategy, type StrategyEnv } from './strategy.js';

/**
 * Orchestration. Each strategy is an agent. `compete`: per policy the agents race, one attempt
 * each in turn, and the first break ends the race for that policy (every agent has its own memory).
 * `collaborate`: agents share one memory of what worked; on each seed the remembered compositions
 * are tried first, then each agent in turn until the seed breaks. With `rounds > 1` the defender's
 * system prompt is re-tuned after each round from what broke it, and attacked again.
 */
export interface RedteamOptions {
  target: Target;
  judge: JudgeFn;
  seeds: Seed[];
  strategies: string[];
  mode: 'compete' | 'collaborate';
  budget: BudgetLimits;
  attacker?: Target;
  defender?: DefenderConfig;
  /** What re-tuning between rounds may change (default: the system prompt). */
  retune?: RetuneKnob[];
  /** Puts the defender's guard settings around the target (the CLI wraps it with the embedded guard). */
  wrapDefender?: (target: Target, defender: DefenderConfig) => Target;
  rounds?: number;
  /** Most attempts one agent makes on one seed. */
  maxSteps?: number;
  store: RedteamStore;
  /**
   * How a break is decided: the answer must violate the policy for what the turn asked. The pack
   * gives the ladders for seed goals; the guard reads turns that are not the seed goal (crescendo
   * openings, attacker rewrites); without a guard those turns are never breaks. `tier`: the tier
   * the target serves (default public).
   */
  pack?: PolicyPack;
  guard?: Guard;
  tier?: string;
  runId?: string;
  /** Stored with the run (suites seeded from, policies ...). */
  config?: Record<string, unknown>;
  /** Called after each stored attempt (progress display). */
  onAttempt?: (a: { id: number; round: number; agent: string; policy: string | null; success: boolean; total: number; breaks: number }) => void;
  now?: () => Date;
}

export interface RateRow {
  attempts: number;
  breaks: number;
  asr: number | null;
  /** 95% Wilson interval of the ASR (null when there were no attempts). */
  low: number | null;
  high: number | null;
}

export interface ShortestBreak {
  attempt: number;
  policy: string | null;
  strategy: string;
  turns: number;
  transcript: Message[];
}

export interface RedteamSummary {
  runId: string;
  target: string;
  mode: string;
  rounds: { round: number; system: string | null; guard: string; attempts: number; breaks: number; asr: number | null; low: number | null; high: number | null }[];
  attempts: number;
  breaks: number;
  asr: number | null;
  low: number | null;
  high: number | null;
  byPolicy: Record<string, RateRow>;
  byStrategy: Record<string, RateRow>;
  /** Per policy: the agent that broke it first (compete) or the first breaking strategy. */
  firstBreak: Record<string, { agent: string; round: number; attempt: number }>;
  shortest: ShortestBreak[];
  budget: BudgetUse;
  memory: { composition: string; policy: string | null; agent: string; successes: number; attempts: number }[];
}

const rate = (r: { attempts: number; breaks: number }): RateRow => {
  const w = wilsonRate(r.breaks, r.attempts);
  return { ...r, asr: w.value, low: w.low, high: w.high };
};

export async function runRedteam(opts: RedteamOptions, ctx: Ctx): Promise<RedteamSummary> {
  const runId = opts.runId ?? `rt-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}-${randomUUID().slice(0, 6)}`;
  const now = opts.now ?? (() => new Date());
  const budget = new Budget(opts.budget);
  const agents: Strategy[] = opts.strategies.map((s) => resolveStrategy(s, ADAPTIVE));
  const shared = new AttackMemory();
  const own = new Map(agents.map((a) => [a.name, new AttackMemory()]));
  const maxSteps = opts.maxSteps ?? 4;
  const rounds = Math.max(1, opts.rounds ?? 1);
  let defender: DefenderConfig = opts.defender ?? {};
  await opts.store.createRun({ id: runId, target: opts.target.id, mode: opts.mode, startedAt: now().toISOString(), config: { ...(opts.config ?? {}), strategies: opts.strategies, budget: opts.budget, rounds, retune: opts.retune ?? ['system'], attacker: opts.attacker?.id ?? null, tier: opts.tier ?? 'public', requestsReadBy: opts.guard ? 'guard' : 'seed labels only' } });

  const byPolicy: Record<string, { attempts: number; breaks: number }> = {};
  const byStrategy: Record<string, { attempts: number; breaks: number }> = {};
  const firstBreak: RedteamSummary['firstBreak'] = {};
  const shortest: ShortestBreak[] = [];
  const roundRows: RedteamSummary['rounds'] = [];
  let total = 0;
  let breaks = 0;

  const record = async (o: AttemptOutcome, seed: Seed, agent: string, round: number): Promise<number> => {
    const id = await opts.store.addAttempt({
      runId,
      round,
      agent,
      strategy: o.strategy,
      applied: o.applied,
      policy: seed.policy,
      pillar: seed.pillar,
      seedId: seed.id,
      parent: seed.parent,
      goal: seed.goal,
      success: o.success,
      turns: o.turns,
      tokens: o.tokens,
      cost: o.cost,
      transcript: o.transcript,
      verdict: o.verdict,
      twin: seed.twin,
      // The policy's expectation for what the last turn asked (refuse/deflect from the ladder, or the seed's own).
      expected: o.asks.at(-1)?.expected ?? seed.expected ?? null,
      asked: o.asks.map(({ at, source, policy, topic, level, action, expected }) => ({ at, source, policy, topic, level, action, expected })),
      createdAt: now().toISOString(),
    });
    const pk = seed.policy ?? '(none)';
    for (const [m, k] of [[byPolicy, pk], [byStrategy, agent]] as const) {
      const row = (m[k] ??= { attempts: 0, breaks: 0 });
      row.attempts += 1;
      if (o.success) row.breaks += 1;
    }
    total += 1;
    if (o.success) {
      breaks += 1;
      if (!firstBreak[pk]) firstBreak[pk] = { agent, round, attempt: id };
      shortest.push({ attempt: id, policy: seed.policy, strategy: o.strategy, turns: o.turns, transcript: o.transcript });
    }
    const mem = opts.mode === 'collaborate' ? shared : own.get(agent)!;
    mem.record({ composition: o.applied, policy: seed.policy, agent, success: o.success });
    opts.onAttempt?.({ id, round, agent, policy: seed.policy, success: o.success, total, breaks });
    return id;
  };

  let status = 'completed';
  try {
    for (let round = 1; round <= rounds; round++) {
      const before = { total, breaks };
      const roundBreaks: AttemptOutcome[] = [];
      let policyBudget = budget;
      const roundTarget = (defender.guard ?? 'off') !== 'off' && opts.wrapDefender ? opts.wrapDefender(opts.target, defender) : opts.target;
      const env = (seed: Seed, agent: string): StrategyEnv => ({
        target: roundTarget,
        judge: opts.judge,
        budget: policyBudget,
        seed,
        system: defender.system,
        memory: opts.mode === 'collaborate' ? shared : own.get(agent)!,
        attacker: opts.attacker,
        maxSteps,
        view: { pack: opts.pack, guard: opts.guard, tier: opts.tier },
      });
      const policies = [...new Set(opts.seeds.map((s) => s.policy ?? '(none)'))];
      for (const [pi, pk] of policies.entries()) {
        const seeds = opts.seeds.filter((s) => (s.policy ?? '(none)') === pk);
        if (budget.exhausted() || ctx.signal.aborted) break;
        // Fair share: what is left of the round's budget split over the policies still to attack.
        const left = budget.remaining();
        const split = (x: number | undefined, roundsLeft: number): number | undefined => (x === undefined ? undefined : Math.max(1, Math.floor(x / roundsLeft / (policies.length - pi))));
        const roundsLeft = rounds - round + 1;
        policyBudget = budget.share({ turns: split(left.turns, roundsLeft), tokens: split(left.tokens, roundsLeft), money: left.money === undefined ? undefined : left.money / roundsLeft / (policies.length - pi) });
        if (opts.mode === 'compete') {
          // Race: each agent walks the policy's seeds; agents take one attempt each in turn.
          const gens = agents.map((a) => ({ a, it: (async function* () {
            for (const s of seeds) for await (const o of a.attempts(env(s, a.name), ctx)) yield { o, s };
          })() }));
          let live = gens;
          let won = false;
          while (live.length > 0 && !won && !policyBudget.exhausted() && !ctx.signal.aborted) {
            const next: typeof live = [];
            for (const g of live) {
              const r = await g.it.next();
              if (r.done) continue;
              await record(r.value.o, r.value.s, g.a.name, round);
              next.push(g);
              if (r.value.o.success) {
                roundBreaks.push(r.value.o);
                won = true;
                break;
              }
              if (policyBudget.exhausted()) break;
            }
            live = next;
          }
          await Promise.all(gens.map((g) => g.it.return(undefined)));
        } else {
          for (const s of seeds) {
            let broken = false;
            // Remembered compositions first (credited to the agent that found them).
            for (const m of shared.best(s.policy)) {
              if (broken || policyBudget.exhausted()) break;
              const replay = resolveStrategy(m.composition, ADAPTIVE);
              for await (const o of replay.attempts({ ...env(s, m.agent), maxSteps: 1 }, ctx)) {
                await record(o, s, m.agent, round);
                if (o.success) {
                  roundBreaks.push(o);
                  broken = true;
                }
              }
            }
            for (const a of agents) {
              if (broken || policyBudget.exhausted() || ctx.signal.aborted) break;
              for await (const o of a.attempts(env(s, a.name), ctx)) {
                await record(o, s, a.name, round);
                if (o.success) {
                  roundBreaks.push(o);
                  broken = true;
                }
              }
            }
          }
        }
      }
      const n = total - before.total;
      const b = breaks - before.breaks;
      roundRows.push({ round, system: defender.system ?? null, guard: defender.guard ?? 'off', ...rate({ attempts: n, breaks: b }) });
      if (round < rounds) defender = retune(defender, roundBreaks, opts.retune);
      if (budget.exhausted() || ctx.signal.aborted) break;
    }
  } catch (e) {
    status = 'failed';
    await opts.store.finishRun(runId, status, { error: (e as Error).message });
    throw e;
  }
  shortest.sort((a, b) => a.turns - b.turns || a.transcript.reduce((n, m) => n + m.content.length, 0) - b.transcript.reduce((n, m) => n + m.content.length, 0));
  const summary: RedteamSummary = {
    runId,
    target: opts.target.id,
    mode: opts.mode,
    rounds: roundRows,
    ...rate({ attempts: total, breaks }),
    byPolicy: Object.fromEntries(Object.entries(byPolicy).map(([k, v]) => [k, rate(v)])),
    byStrategy: Object.fromEntries(Object.entries(byStrategy).map(([k, v]) => [k, rate(v)])),
    firstBreak,
    shortest: shortest.slice(0, 5),
    budget: budget.use(),
    memory: (opts.mode === 'collaborate' ? shared.all() : [...own.values()].flatMap((m) => m.all())).filter((e) => e.successes > 0),
  };
  await opts.store.finishRun(runId, ctx.signal.aborted ? 'interrupted' : status, summary as unknown as Record<string, unknown>);
  return summary;
}
