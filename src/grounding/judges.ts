import type { Ctx, Judge, JudgeInput, Message, Verdict } from '../core/types.js';
import { DEFAULT_MIN_GROUNDING, DEFAULT_MIN_RELEVANCE, GroundingPolicy } from './config.js';
import { checkGrounding, type CheckGroundingOptions } from './check.js';

/**
 * The grounding scorers as eval judges, so a RAG app is tested by the same definition the
 * gateway enforces: `faithfulness` (every answer sentence supported by the item's sources) and
 * `answer-relevance` (the answer addresses the question). An item's sources are `meta.sources`
 * (strings) and the tool messages of its conversation.
 */

export function itemSources(input: JudgeInput): string[] {
  const meta = input.item.meta?.sources;
  const out = Array.isArray(meta) ? meta.filter((s): s is string => typeof s === 'string') : typeof meta === 'string' ? [meta] : [];
  for (const m of input.transcript as Message[]) if ((m.role as string) === 'tool' && typeof m.content === 'string') out.push(m.content);
  return out;
}

function question(input: JudgeInput): string | undefined {
  for (let i = input.transcript.length - 1; i >= 0; i--) if (input.transcript[i]!.role === 'user') return input.transcript[i]!.content;
  return input.item.prompt;
}

export function createFaithfulnessJudge(opts: { minGrounding?: number; llm?: CheckGroundingOptions } = {}): Judge {
  const policy = GroundingPolicy.parse({ id: 'faithfulness', minGrounding: opts.minGrounding ?? DEFAULT_MIN_GROUNDING, minRelevance: 0 });
  return {
    id: 'faithfulness',
    async judge(input: JudgeInput, ctx: Ctx): Promise<Verdict> {
      const sources = itemSources(input);
      if (sources.length === 0) return { judge: 'faithfulness', label: 'no-sources', score: 0, reasons: ['the item has no sources (meta.sources or tool messages)'] };
      const o = await checkGrounding({ sources, answer: input.response }, policy, opts.llm ?? {}, ctx);
      return { judge: 'faithfulness', label: o.passed ? 'grounded' : 'ungrounded', score: o.grounding, reasons: o.reasons, passed: o.passed };
    },
  };
}

export function createAnswerRelevanceJudge(opts: { minRelevance?: number; llm?: CheckGroundingOptions } = {}): Judge {
  const policy = GroundingPolicy.parse({ id: 'answer-relevance', minGrounding: 0, minRelevance: opts.minRelevance ?? DEFAULT_MIN_RELEVANCE });
  return {
    id: 'answer-relevance',
    async judge(input: JudgeInput, ctx: Ctx): Promise<Verdict> {
      const q = question(input) ?? '';
      const o = await checkGrounding({ sources: itemSources(input), answer: input.response, question: q }, policy, opts.llm ?? {}, ctx);
      const rel = o.relevance ?? 0;
      return { judge: 'answer-relevance', label: o.passed ? 'relevant' : 'irrelevant', score: rel, reasons: o.reasons, passed: o.passed };
    },
  };
}
