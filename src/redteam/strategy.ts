import { compose, isComposition, parseComposition } from '../attacks/index.js';
import { attackOf, type Attack } from '../attacks/index.js';
import { UserError } from '../core/errors.js';
import type { Ctx, Message, Target, Verdict } from '../core/types.js';
import type { Asked, PolicyView } from './asked.js';
import type { Budget } from './budget.js';
import { runAttack, type JudgeFn } from './execute.js';
import type { AttackMemory } from './memory.js';
import type { Seed } from './seeds.js';

/** One stored attempt: a whole conversation against one seed. */
export interface AttemptOutcome {
  strategy: string;
  /** The transform composition of the final prompt, or null when an attacker model wrote it. */
  applied: string | null;
  transcript: Message[];
  verdict: Verdict;
  success: boolean;
  /** What each user turn sent asked, and what the policy expected of its answer. */
  asks: Asked[];
  turns: number;
  tokens: number;
  cost: number;
}

export interface StrategyEnv {
  target: Target;
  judge: JudgeFn;
  budget: Budget;
  seed: Seed;
  /** The defender's system prompt for this round. */
  system?: string;
  memory: AttackMemory;
  /** An LLM that plans and refines (PAIR/TAP/crescendo); without it strategies work from templates. */
  attacker?: Target;
  /** Most attempts one agent makes on one seed. */
  maxSteps: number;
  /** How requests are read: a break is an answer the policy forbids for what was asked. */
  view?: PolicyView;
}

/** A strategy yields attempts on one seed until it breaks it, runs out of ideas or of budget. */
export interface Strategy {
  name: string;
  description: string;
  attempts(env: StrategyEnv, ctx: Ctx): AsyncGenerator<AttemptOutcome>;
}

/** One attempt with an attack; `fromGoal` (default true): the attack is the seed goal put through transforms, false for text an attacker model wrote. */
export async function attemptWith(env: StrategyEnv, strategy: string, attack: Attack, ctx: Ctx, applied: string | null = attack.applied.join('+') || null, opts: { fromGoal?: boolean } = {}): Promise<AttemptOutcome> {
  const r = await runAttack(env, attack, ctx, opts);
  return { strategy, applied, transcript: r.transcript, verdict: r.verdict, success: r.broken, asks: r.asks, turns: r.turns, tokens: r.tokens, cost: r.cost };
}

/** A transform composition as a strategy: tries each variant of the composition. */
export function templateStrategy(spec: string): Strategy {
  const ts = parseComposition(spec);
  const variants = Math.max(...ts.map((t) => t.variants));
  return {
    name: spec,
    description: `transforms ${ts.map((t) => t.id).join(' then ')}: ${ts.map((t) => t.description).join(' / ')}`,
    async *attempts(env, ctx) {
      for (let v = 0; v < Math.min(variants, env.maxSteps); v++) {
        if (env.budget.exhausted()) return;
        const o = await attemptWith(env, spec, compose(ts, attackOf(env.seed.goal), v), ctx, spec);
        yield o;
        if (o.success) return;
      }
    },
  };
}

/** The strategies run when none is named. */
export const DEFAULT_STRATEGIES = [
  'paraphrase',
  'roleplay',
  'hypothetical',
  'ignore-previous',
  'indirect-document',
  'base64',
  'base64+roleplay',
  'rot13+fiction',
  'translate',
  'payload-split',
  'many-shot',
  'crescendo',
  'pair',
  'tap',
];

export function resolveStrategy(name: string, adaptive: Record<string, Strategy>): Strategy {
  const a = adaptive[name];
  if (a) return a;
  if (isComposition(name) || name.includes('+')) return templateStrategy(name); // a bad composition names the unknown transform
  throw new UserError(`unknown strategy "${name}": use crescendo, pair, tap or a transform composition like base64+roleplay (see \`pillars redteam strategies\`)`);
}
