import { z } from 'zod';

/**
 * `judges:` in pillars.yaml. Example:
 *
 *   judges:
 *     combine: cascade          # embedded | weighted | cascade
 *     llm: { target: judge, retries: 2 }
 *     unsure: { minP: 0.7, minMargin: 0.2 }
 */
export const LlmJudgeConfig = z
  .object({
    target: z.string().min(1).describe('Id of a target (in `targets:`) used as the judge model'),
    retries: z.number().int().min(0).max(10).default(2).describe('Extra attempts after a reply that is not valid JSON'),
    temperature: z.number().min(0).max(2).default(0),
    maxTokens: z.number().int().positive().default(400),
  })
  .strict();
export type LlmJudgeConfig = z.infer<typeof LlmJudgeConfig>;

export const JudgesConfig = z
  .object({
    combine: z
      .enum(['embedded', 'weighted', 'cascade'])
      .default('embedded')
      .describe('embedded: the offline classifier only; weighted: embedded and LLM votes weighted; cascade: ask the LLM only when the embedded judge is unsure'),
    llm: LlmJudgeConfig.optional(),
    weights: z.record(z.string(), z.number().min(0)).default({ refusal: 1, llm: 1 }),
    unsure: z
      .object({
        minP: z.number().min(0).max(1).default(0.7).describe('The refusal judge is unsure below this top probability'),
        minMargin: z.number().min(0).max(1).default(0.2).describe('... or when the top two labels are closer than this'),
      })
      .strict()
      .prefault({}),
    pair: z
      .object({ minSimilarity: z.number().min(0).max(1).default(0.3).describe('Fairness twins: lowest content similarity still called consistent') })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.combine !== 'embedded' && !c.llm) ctx.addIssue({ code: 'custom', path: ['llm'], message: `combine: ${c.combine} needs an \`llm:\` judge (llm.target)` });
  });
export type JudgesConfig = z.infer<typeof JudgesConfig>;
export type JudgesConfigInput = z.input<typeof JudgesConfig>;

export const DEFAULT_JUDGES: JudgesConfig = JudgesConfig.parse({});
