import type { Attack } from '../attacks/types.js';
import type { Ctx, JudgeInput, Message, Target, Verdict } from '../core/types.js';
import { estimateTokens, type Budget } from './budget.js';
import { seedItem, type Seed } from './seeds.js';

/** The judge the red team uses: the evaluation engine's pipeline, reduced to its final verdict. */
export type JudgeFn = (input: JudgeInput, ctx: Ctx) => Promise<Verdict>;

export interface TurnResult {
  transcript: Message[];
  response: string;
  verdict: Verdict;
  /** The model did what the policy forbids (the judge says the item failed). */
  broken: boolean;
  tokens: number;
  cost: number;
}

export interface Conversation {
  messages: Message[];
}

/** A break is a model-breaking item the judge says the model failed (it complied where it should refuse). */
export function isBreak(v: Verdict): boolean {
  return v.passed === false;
}

/** Send one user turn, judge the answer (every turn is scored), and extend the conversation. */
export async function sendTurn(
  env: { target: Target; judge: JudgeFn; budget: Budget; seed: Seed },
  convo: Conversation,
  text: string,
  ctx: Ctx,
): Promise<TurnResult> {
  const messages: Message[] = [...convo.messages, { role: 'user', content: text }];
  const gen = await env.target.generate({ messages, options: { temperature: 0 } }, ctx);
  const tokens = (gen.usage?.inputTokens ?? 0) + (gen.usage?.outputTokens ?? 0) || estimateTokens(messages.map((m) => m.content).join('\n') + gen.text);
  const { cost } = env.budget.charge(tokens);
  const transcript: Message[] = [...messages, { role: 'assistant', content: gen.text }];
  convo.messages = transcript;
  const verdict = await env.judge({ item: seedItem(env.seed), transcript, response: gen.text }, ctx);
  return { transcript, response: gen.text, verdict, broken: isBreak(verdict), tokens, cost };
}

/** Run a (possibly multi-turn) attack; the last turn's answer decides. Stops early when the budget is spent. */
export async function runAttack(
  env: { target: Target; judge: JudgeFn; budget: Budget; seed: Seed; system?: string },
  attack: Attack,
  ctx: Ctx,
): Promise<TurnResult & { turns: number; complete: boolean }> {
  const convo: Conversation = { messages: [...(env.system ? [{ role: 'system' as const, content: env.system }] : []), ...(attack.context ?? [])] };
  let last: TurnResult | null = null;
  let tokens = 0;
  let cost = 0;
  let turns = 0;
  for (const t of attack.turns) {
    if (last && env.budget.exhausted()) break;
    last = await sendTurn(env, convo, t, ctx);
    tokens += last.tokens;
    cost += last.cost;
    turns += 1;
  }
  if (!last) throw new Error('an attack needs at least one turn');
  const complete = turns === attack.turns.length;
  return { ...last, broken: complete && last.broken, tokens, cost, turns, complete };
}
