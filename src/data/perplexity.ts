import { request } from 'undici';
import { UserError } from '../core/errors.js';
import type { Ctx, Target, TokenLogprob } from '../core/types.js';
import type { PolicyPack } from '../policy/schema.js';

/**
 * Perplexity of a model on RAI-domain text, from token log-probabilities:
 *   PPL = exp(−(1/N) Σ logprob_i) over the N scored tokens (pooled over all texts, token-weighted).
 *
 * Two ways to get the log-probabilities:
 * - `echo` (preferred, exact): the legacy completions endpoint with `echo: true, max_tokens: 0,
 *   logprobs: 1` scores the text itself (vLLM and llama.cpp's server support it). Only for targets
 *   with an OpenAI-compatible `baseUrl`.
 * - `continuation`: the chat endpoint with `logprobs: true`, asking the model to repeat the text
 *   verbatim at temperature 0 and scoring the tokens of that forced continuation. An approximation
 *   (the model scores its own copy, conditioned on having seen the text once), usable with any
 *   target that returns completion log-probabilities. A target that returns prompt log-probabilities
 *   (`promptLogprobs`) is scored on those instead.
 * `auto` tries echo and falls back to continuation when the server does not support it.
 */

export type PerplexityMode = 'auto' | 'echo' | 'continuation';

export interface TextScore {
  text: string;
  tokens: number;
  sumLogprob: number;
  perplexity: number;
  mode: 'echo' | 'continuation' | 'prompt';
}

export interface PerplexityResult {
  domain: string;
  perplexity: number;
  tokens: number;
  texts: TextScore[];
  mode: string;
}

export const REPEAT_INSTRUCTION = 'Repeat the user\'s text exactly, character for character, with nothing before or after it.';

/** exp(−mean) of log-probabilities (NaN-free: 0 tokens → NaN is reported as an error by the caller). */
export function perplexityOf(lps: readonly number[]): number {
  let s = 0;
  for (const l of lps) s += l;
  return Math.exp(-s / lps.length);
}

function finite(lps: TokenLogprob[]): number[] {
  return lps.map((t) => t.logprob).filter((l) => Number.isFinite(l));
}

/** Echo mode through `{baseUrl}/completions`; null when the server does not support it. */
export async function echoLogprobs(input: { baseUrl: string; model: string; text: string; headers?: Record<string, string> }, ctx: Ctx): Promise<number[] | null> {
  const url = `${input.baseUrl.replace(/\/+$/, '')}/completions`;
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(input.headers ?? {}) },
    body: JSON.stringify({ model: input.model, prompt: input.text, echo: true, max_tokens: 0, logprobs: 1, temperature: 0 }),
    signal: ctx.signal,
  });
  const body = await res.body.text();
  if (res.statusCode >= 400) return null;
  try {
    const j = JSON.parse(body) as { choices?: { logprobs?: { token_logprobs?: (number | null)[] } }[] };
    const lps = j.choices?.[0]?.logprobs?.token_logprobs;
    if (!Array.isArray(lps)) return null;
    // The first token has no log-probability (null): it is not scored.
    return lps.filter((l): l is number => typeof l === 'number' && Number.isFinite(l));
  } catch {
    return null;
  }
}

export async function scoreText(
  input: { target: Target; text: string; mode: PerplexityMode; echo?: { baseUrl: string; model: string; headers?: Record<string, string> } },
  ctx: Ctx,
): Promise<TextScore> {
  if (input.mode !== 'continuation' && input.echo) {
    const lps = await echoLogprobs({ ...input.echo, text: input.text }, ctx);
    if (lps && lps.length > 0) return { text: input.text, tokens: lps.length, sumLogprob: lps.reduce((a, b) => a + b, 0), perplexity: perplexityOf(lps), mode: 'echo' };
    if (input.mode === 'echo') throw new UserError(`target ${input.target.id}'s server does not support echo log-probabilities (use --mode continuation)`, { code: 'usage', option: 'mode echo' });
  } else if (input.mode === 'echo') {
    throw new UserError(`target ${input.target.id} is not an OpenAI-compatible target with a baseUrl (use --mode continuation)`, { code: 'usage', option: 'mode echo' });
  }
  const gen = await input.target.generate(
    { messages: [{ role: 'system', content: REPEAT_INSTRUCTION }, { role: 'user', content: input.text }], options: { temperature: 0, logprobs: true, maxTokens: Math.max(16, Math.ceil(input.text.length / 2)) } },
    ctx,
  );
  if (gen.promptLogprobs?.length) {
    const lps = finite(gen.promptLogprobs);
    return { text: input.text, tokens: lps.length, sumLogprob: lps.reduce((a, b) => a + b, 0), perplexity: perplexityOf(lps), mode: 'prompt' };
  }
  const lps = finite(gen.logprobs ?? []);
  // A target without log-probabilities cannot be probed for perplexity: the user picked the wrong target (exit 2).
  if (lps.length === 0) {
    throw new UserError(`the target returned no token log-probabilities; perplexity needs a target that returns them (vLLM, llama.cpp, node-llama-cpp, OpenAI with logprobs)`, { code: 'usage', option: `target ${input.target.id}` });
  }
  return { text: input.text, tokens: lps.length, sumLogprob: lps.reduce((a, b) => a + b, 0), perplexity: perplexityOf(lps), mode: 'continuation' };
}

export async function probePerplexity(
  input: { target: Target; domain: string; texts: string[]; mode?: PerplexityMode; echo?: { baseUrl: string; model: string; headers?: Record<string, string> } },
  ctx: Ctx,
): Promise<PerplexityResult> {
  const texts: TextScore[] = [];
  for (const text of input.texts) texts.push(await scoreText({ target: input.target, text, mode: input.mode ?? 'auto', echo: input.echo }, ctx));
  const tokens = texts.reduce((a, t) => a + t.tokens, 0);
  const sum = texts.reduce((a, t) => a + t.sumLogprob, 0);
  const modes = [...new Set(texts.map((t) => t.mode))];
  return { domain: input.domain, perplexity: Math.exp(-sum / tokens), tokens, texts, mode: modes.join('+') };
}

/**
 * Built-in RAI-domain text for a topic: the policy's own description, boundary, ladder rationale
 * and safe alternative (what a model trained on the policy should find unsurprising).
 */
export function domainTexts(pack: PolicyPack, topic: string): string[] {
  const ps = pack.policies.filter((p) => p.topic === topic || p.id === topic);
  return ps.flatMap((p) =>
    [
      p.description,
      `${p.title}. Disallowed: ${p.boundary.disallowed}`,
      `${p.title}. Allowed: ${p.boundary.allowed}`,
      p.deflection,
    ]
      .filter((t): t is string => typeof t === 'string' && t.trim().length > 0)
      .map((t) => t.replace(/\s+/g, ' ').trim()),
  );
}
