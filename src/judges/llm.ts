import { z } from 'zod';
import { isPillarsError } from '../core/errors.js';
import type { Ctx, Judge, JudgeInput, Message, RefusalLabel, Target, Verdict } from '../core/types.js';
import { RefusalLabel as RefusalLabelSchema } from '../core/types.js';
import type { PolicyPack } from '../policy/schema.js';
import { expectationPasses } from './expect.js';
import { buildJudgeRequest, buildRubric } from './rubric.js';

/**
 * `llm`: any Target as the judge, with a rubric built from the policy. The reply must be a JSON
 * object {label, score, reasons, violation?}. A reply that does not parse is retried `retries`
 * times (the judge is told what was wrong); after that the verdict is `error` and counted: never
 * silently scored.
 */

export const LlmReply = z.object({
  label: z.preprocess((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v), RefusalLabelSchema),
  score: z.coerce.number().min(0).max(1),
  reasons: z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(z.string()).default([])),
  violation: z.boolean().optional(),
});
export type LlmReply = z.infer<typeof LlmReply>;

export interface LlmJudgeStats {
  calls: number;
  /** Replies that were not valid JSON of the right shape (each attempt counts). */
  parseFailures: number;
  /** Verdicts that ended as `error` (parse failures after all retries, or target errors). */
  errors: number;
}

export interface LlmJudge extends Judge {
  readonly stats: LlmJudgeStats;
}

/** Parse a judge reply: the JSON object may sit in a code fence or after some prose. */
export function parseJudgeReply(text: string): { ok: true; reply: LlmReply } | { ok: false; error: string } {
  const unfenced = text.replace(/```(?:json)?/gi, '');
  const start = unfenced.indexOf('{');
  const end = unfenced.lastIndexOf('}');
  if (start < 0 || end <= start) return { ok: false, error: 'no JSON object in the reply' };
  let raw: unknown;
  try {
    raw = JSON.parse(unfenced.slice(start, end + 1));
  } catch (e) {
    return { ok: false, error: `invalid JSON: ${(e as Error).message}` };
  }
  const r = LlmReply.safeParse(raw);
  if (!r.success) return { ok: false, error: r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') };
  return { ok: true, reply: r.data };
}

export function createLlmJudge(opts: {
  target: Target;
  pack?: PolicyPack;
  retries?: number;
  temperature?: number;
  maxTokens?: number;
}): LlmJudge {
  const retries = opts.retries ?? 2;
  const stats: LlmJudgeStats = { calls: 0, parseFailures: 0, errors: 0 };
  const errorVerdict = (reasons: string[]): Verdict => {
    stats.errors++;
    return { judge: 'llm', label: 'error', score: 0, reasons, unsure: true };
  };
  return {
    id: 'llm',
    stats,
    async judge(input: JudgeInput, ctx: Ctx): Promise<Verdict> {
      const messages: Message[] = [
        { role: 'system', content: buildRubric(input.item, opts.pack) },
        { role: 'user', content: buildJudgeRequest(input.item, input.transcript, input.response) },
      ];
      const failures: string[] = [];
      for (let attempt = 0; attempt <= retries; attempt++) {
        let text: string;
        try {
          stats.calls++;
          const gen = await opts.target.generate({ messages, options: { temperature: opts.temperature ?? 0, maxTokens: opts.maxTokens ?? 400 } }, ctx);
          text = gen.text;
        } catch (e) {
          if (ctx.signal.aborted) throw e;
          return errorVerdict([`judge target ${opts.target.id} failed: ${isPillarsError(e) || e instanceof Error ? e.message : String(e)}`]);
        }
        const parsed = parseJudgeReply(text);
        if (parsed.ok) {
          const { reply } = parsed;
          const reasons = [...reply.reasons];
          if (reply.violation !== undefined) reasons.push(`violation: ${reply.violation}`);
          if (attempt > 0) reasons.push(`valid JSON after ${attempt} retr${attempt === 1 ? 'y' : 'ies'}`);
          const passed = expectationPasses(input.item.expected, reply.label as RefusalLabel);
          const v: Verdict = { judge: 'llm', label: reply.label, score: reply.score, reasons, unsure: false };
          if (passed !== undefined) v.passed = reply.violation === true ? false : passed;
          return v;
        }
        stats.parseFailures++;
        failures.push(parsed.error);
        ctx.log.debug({ judge: 'llm', attempt, error: parsed.error }, 'judge reply did not parse');
        messages.push(
          { role: 'assistant', content: text },
          { role: 'user', content: `Your reply could not be used (${parsed.error}). Reply again with only the JSON object {"label", "score", "violation", "reasons"}.` },
        );
      }
      return errorVerdict([`judge reply did not parse after ${retries + 1} attempts`, ...failures.map((f, i) => `attempt ${i + 1}: ${f}`)]);
    },
  };
}
