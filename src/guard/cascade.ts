import { LEVEL_NAMES, LEVELS, type Level } from '../core/pillars.js';
import type { Ctx, Target } from '../core/types.js';
import type { PolicyPack } from '../policy/schema.js';

/**
 * The LLM stage of the cascade: when the embedded classifier is unsure, ask a configured target
 * (an LLM with a rubric built from the policy pack, or a Llama-Guard-style model answering
 * safe/unsafe) within a latency budget. The reply is parsed as JSON `{"policy": id|null,
 * "level": 0-3, "reason": "..."}`; a bare "safe"/"unsafe" first line is understood too.
 */

export interface CascadeConfig {
  target: Target;
  /** Latency budget in ms: past it the embedded decision stands. */
  budgetMs: number;
  /** Topic-score band that sends a text to the cascade (default: around the model's threshold). */
  band?: [number, number];
}

export interface CascadeVerdict {
  policy: string | null;
  level: Level;
  reason: string;
}

/** The rubric (system prompt) built from the pack's policies. */
export function buildRubric(pack: PolicyPack): string {
  const lines = [
    'You are a content-policy classifier. Decide which policy (if any) a user request falls under and how specific it is.',
    `Specificity levels: ${LEVELS.map((l) => `${l} = ${LEVEL_NAMES[l]}`).join('; ')}.`,
    'Policies:',
  ];
  for (const p of pack.policies) {
    lines.push(`- ${p.id} (${p.title}). Disallowed: ${p.boundary.disallowed.trim()} Allowed: ${p.boundary.allowed.trim()}`);
  }
  lines.push(
    'Answer with JSON only, no prose: {"policy": "<policy id>" or null when no policy applies, "level": 0-3, "reason": "<one short sentence>"}.',
    'Benign requests that merely share words with a policy (e.g. "kill a process", "shoot a photo") have policy null.',
  );
  return lines.join('\n');
}

/** Pull the verdict out of an LLM reply; null when it cannot be read. */
export function parseCascadeReply(reply: string, pack: PolicyPack): CascadeVerdict | null {
  const ids = new Set(pack.policies.map((p) => p.id));
  const start = reply.indexOf('{');
  const end = reply.lastIndexOf('}');
  if (start >= 0 && end > start) {
    try {
      const o = JSON.parse(reply.slice(start, end + 1)) as Record<string, unknown>;
      const policy = typeof o.policy === 'string' && ids.has(o.policy) ? o.policy : null;
      if (o.policy !== null && o.policy !== undefined && o.policy !== 'none' && policy === null) return null;
      const lv = Number(o.level ?? 0);
      const level = (Number.isInteger(lv) && lv >= 0 && lv <= 3 ? lv : 0) as Level;
      return { policy, level: policy === null ? 0 : level, reason: typeof o.reason === 'string' ? o.reason.slice(0, 300) : '' };
    } catch {
      // fall through to the keyword form
    }
  }
  const first = reply.trim().split('\n')[0]?.trim().toLowerCase() ?? '';
  if (first === 'safe') return { policy: null, level: 0, reason: 'cascade model answered safe' };
  return null;
}

/**
 * Ask the cascade target. Resolves to null on timeout, error or an unreadable reply (the
 * embedded decision then stands); never throws.
 */
export async function askCascade(cfg: CascadeConfig, pack: PolicyPack, text: string, ctx: Ctx): Promise<{ verdict: CascadeVerdict | null; error?: string; ms: number }> {
  const t0 = performance.now();
  const ac = new AbortController();
  const onAbort = (): void => ac.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => ac.abort(new Error(`cascade budget of ${cfg.budgetMs} ms exceeded`)), cfg.budgetMs);
  try {
    const gen = cfg.target.generate(
      { messages: [{ role: 'system', content: buildRubric(pack) }, { role: 'user', content: text }], options: { temperature: 0, maxTokens: 200 } },
      { ...ctx, signal: ac.signal },
    );
    gen.catch(() => undefined); // a late rejection after the budget ran out is expected
    const timeout = new Promise<never>((_, reject) => {
      ac.signal.addEventListener('abort', () => reject(ac.signal.reason instanceof Error ? ac.signal.reason : new Error('aborted')), { once: true });
    });
    const g = await Promise.race([gen, timeout]);
    const verdict = parseCascadeReply(g.text, pack);
    return { verdict, error: verdict ? undefined : 'unreadable cascade reply', ms: performance.now() - t0 };
  } catch (e) {
    return { verdict: null, error: (e as Error)?.message ?? String(e), ms: performance.now() - t0 };
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onAbort);
  }
}
