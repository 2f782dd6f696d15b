import type { Ctx, Target } from '../core/types.js';

/**
 * The LLM stage: when the embedded score sits in the unsure band, ask a configured model whether
 * every sentence of the answer is supported by the sources and whether it addresses the question.
 * The reply is JSON `{"grounded": bool, "relevant": bool, "unsupported": ["sentence", ...]}`.
 * Within a latency budget; on timeout, error or an unreadable reply the embedded score stands.
 */

export interface JudgeVerdict {
  grounded: boolean;
  relevant: boolean;
  unsupported: string[];
}

export interface LlmGroundingJudge {
  readonly id: string;
  ask(input: { sources: readonly string[]; answer: string; question?: string }, ctx: Ctx): Promise<{ verdict: JudgeVerdict | null; error?: string; ms: number }>;
}

export const GROUNDING_RUBRIC = [
  'You check answers of a retrieval-augmented assistant against the sources it was given.',
  'An answer is grounded when every factual statement in it is stated by, or follows directly from, the sources; numbers, dates, names and negations must match.',
  'Greetings and offers of further help are not factual statements.',
  'An answer is relevant when it addresses the question that was asked.',
  'Reply with JSON only: {"grounded": true|false, "relevant": true|false, "unsupported": ["<each answer sentence the sources do not support>"]}.',
].join('\n');

export function groundingPrompt(input: { sources: readonly string[]; answer: string; question?: string }): string {
  const src = input.sources.map((s, i) => `[${i + 1}] ${s.trim()}`).join('\n');
  return `Sources:\n${src}\n\n${input.question ? `Question: ${input.question.trim()}\n\n` : ''}Answer: ${input.answer.trim()}`;
}

export function parseJudgeReply(reply: string): JudgeVerdict | null {
  const start = reply.indexOf('{');
  const end = reply.lastIndexOf('}');
  if (start < 0 || end <= start) return null;
  try {
    const o = JSON.parse(reply.slice(start, end + 1)) as Record<string, unknown>;
    if (typeof o.grounded !== 'boolean') return null;
    return {
      grounded: o.grounded,
      relevant: typeof o.relevant === 'boolean' ? o.relevant : true,
      unsupported: Array.isArray(o.unsupported) ? o.unsupported.filter((x): x is string => typeof x === 'string').slice(0, 20) : [],
    };
  } catch {
    return null;
  }
}

/** Ask a target one system + user prompt within a budget; the reply text, or an error. Never throws. */
export async function askWithin(target: Target, system: string, user: string, budgetMs: number, ctx: Ctx): Promise<{ text: string | null; error?: string; ms: number }> {
  const t0 = performance.now();
  const ac = new AbortController();
  const onAbort = (): void => ac.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => ac.abort(new Error(`judge budget of ${budgetMs} ms exceeded`)), budgetMs);
  try {
    const gen = target.generate({ messages: [{ role: 'system', content: system }, { role: 'user', content: user }], options: { temperature: 0, maxTokens: 300 } }, { ...ctx, signal: ac.signal });
    gen.catch(() => undefined);
    const timeout = new Promise<never>((_, reject) => ac.signal.addEventListener('abort', () => reject(ac.signal.reason instanceof Error ? ac.signal.reason : new Error('aborted')), { once: true }));
    const g = await Promise.race([gen, timeout]);
    return { text: g.text, ms: performance.now() - t0 };
  } catch (e) {
    return { text: null, error: (e as Error)?.message ?? String(e), ms: performance.now() - t0 };
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

export function createLlmGroundingJudge(target: Target, opts: { budgetMs: number }): LlmGroundingJudge {
  return {
    id: target.id,
    async ask(input, ctx) {
      const r = await askWithin(target, GROUNDING_RUBRIC, groundingPrompt(input), opts.budgetMs, ctx);
      if (r.text === null) return { verdict: null, error: r.error, ms: r.ms };
      const verdict = parseJudgeReply(r.text);
      return { verdict, error: verdict ? undefined : 'unreadable grounding judge reply', ms: r.ms };
    },
  };
}
