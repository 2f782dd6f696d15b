import type { Attack } from '../attacks/index.js';
import type { Ctx, Item, JudgeInput, Message, Target, Verdict } from '../core/types.js';
import { askedOf, type Asked, type PolicyView } from './asked.js';
import { estimateTokens, type Budget } from './budget.js';
import { seedItem, type Seed } from './seeds.js';

/** The judge the red team uses: the evaluation engine's pipeline, reduced to its final verdict. */
export type JudgeFn = (input: JudgeInput, ctx: Ctx) => Promise<Verdict>;

export interface TurnResult {
  transcript: Message[];
  response: string;
  verdict: Verdict;
  /** What the turn asked and what the policy expects of its answer. */
  asked: Asked;
  /** The answer violates the policy for what was asked (the policy declines it and the judge says the answer failed). */
  broken: boolean;
  tokens: number;
  cost: number;
}

export interface Conversation {
  messages: Message[];
}

/** A break is an answer the judge fails against what the policy expects of the request (see asked.ts). */
export function isBreak(v: Verdict): boolean {
  return v.passed === false;
}

/** The item an answer is judged against: the seed's own, or the request as the guard read it. */
function judgedItem(seed: Seed, asked: Asked, turn: string): Item {
  const base = seedItem(seed);
  if (asked.source === 'seed') return { ...base, policy: asked.policy ?? base.policy, expected: asked.expected ?? 'comply', kind: asked.expected === null ? 'benign' : 'model-breaking' };
  return {
    id: `${base.id}@turn`,
    prompt: turn,
    pillar: base.pillar,
    policy: asked.policy ?? base.policy,
    topic: asked.topic ?? undefined,
    level: asked.level ?? undefined,
    kind: asked.expected === null ? 'benign' : 'model-breaking',
    expected: asked.expected ?? 'comply',
    source: 'red-team',
    lang: 'en',
  };
}

export interface TurnEnv {
  target: Target;
  judge: JudgeFn;
  budget: Budget;
  seed: Seed;
  /** How requests are read (pack, guard, tier). */
  view?: PolicyView;
}

/**
 * Send one user turn, read what it asked, judge the answer (every turn is scored), and extend the
 * conversation. `carriesGoal`: the turn is the seed's goal or a transform of it.
 */
export async function sendTurn(env: TurnEnv, convo: Conversation, text: string, ctx: Ctx, opts: { carriesGoal?: boolean; media?: Message['media'] } = {}): Promise<TurnResult> {
  const messages: Message[] = [...convo.messages, { role: 'user', content: text, ...(opts.media?.length ? { media: opts.media } : {}) }];
  const gen = await env.target.generate({ messages, options: { temperature: 0 } }, ctx);
  const tokens = (gen.usage?.inputTokens ?? 0) + (gen.usage?.outputTokens ?? 0) || estimateTokens(messages.map((m) => m.content).join('\n') + gen.text);
  const { cost } = env.budget.charge(tokens);
  const transcript: Message[] = [...messages, { role: 'assistant', content: gen.text }];
  convo.messages = transcript;
  const asked = await askedOf({ seed: env.seed, messages, carriesGoal: opts.carriesGoal ?? false }, env.view ?? {}, ctx);
  const judged = await env.judge({ item: judgedItem(env.seed, asked, text), transcript, response: gen.text }, ctx);
  const allowed = asked.expected === null;
  // An allowed request: the label stays (PAIR/TAP read it), but nothing about the answer is a failure here.
  const verdict: Verdict = allowed
    ? { ...judged, passed: undefined, reasons: [...asked.reasons, 'allowed by the policy: answering is not a break', ...judged.reasons] }
    : { ...judged, reasons: [...asked.reasons, ...judged.reasons] };
  return { transcript, response: gen.text, verdict, asked, broken: !allowed && isBreak(judged), tokens, cost };
}

/** Run a (possibly multi-turn) attack; the last turn's answer decides. Stops early when the budget is spent. `fromGoal`: the attack is the seed goal put through transforms (its last turn carries the goal). */
export async function runAttack(
  env: TurnEnv & { system?: string },
  attack: Attack,
  ctx: Ctx,
  opts: { fromGoal?: boolean } = {},
): Promise<TurnResult & { turns: number; complete: boolean; asks: Asked[] }> {
  const convo: Conversation = { messages: [...(env.system ? [{ role: 'system' as const, content: env.system }] : []), ...(attack.context ?? [])] };
  let last: TurnResult | null = null;
  let tokens = 0;
  let cost = 0;
  let turns = 0;
  const asks: Asked[] = [];
  for (const [i, t] of attack.turns.entries()) {
    if (last && env.budget.exhausted()) break;
    const lastTurn = i === attack.turns.length - 1;
    last = await sendTurn(env, convo, t, ctx, { carriesGoal: (opts.fromGoal ?? true) && lastTurn, media: lastTurn ? attack.media : undefined });
    asks.push(last.asked);
    tokens += last.tokens;
    cost += last.cost;
    turns += 1;
  }
  if (!last) throw new Error('an attack needs at least one turn');
  const complete = turns === attack.turns.length;
  return { ...last, broken: complete && last.broken, tokens, cost, turns, complete, asks };
}
