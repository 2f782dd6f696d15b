import { z } from 'zod';
import { section, type LoadedConfig } from '../config/load.js';

/**
 * `reward:` in pillars.yaml: how the reward server combines the reward model, the rubric judge and
 * the hard penalty.
 *
 *   reward = weights.rm × rm + weights.judge × (2 × judge − 1)      (judge in [0, 1], when asked)
 *   reward = penalty.value                                           (hard violation: overrides all)
 */

export const RewardSection = z
  .object({
    /** Reward model file (from `pillars reward train`). Default: trained at start from the built-in preference file. */
    model: z.string().optional(),
    /** Weights of the reward model's heads (default: the model file's, 1 each). */
    heads: z.object({ helpfulness: z.number().optional(), adherence: z.number().optional(), overall: z.number().optional() }).strict().default({}),
    weights: z.object({ rm: z.number().default(1), judge: z.number().default(1) }).strict().prefault({}),
    judge: z
      .object({
        /** Target id (pillars.yaml `targets:`) used as the rubric judge. */
        target: z.string().min(1).optional(),
        /** `unsure`: only when |rm| < band; `always`; `never`. */
        when: z.enum(['unsure', 'always', 'never']).default('unsure'),
        /** The reward model is unsure when |rm score| is below this (its score is a logit). */
        band: z.number().min(0).default(1),
        /** Judge calls in flight at once. */
        concurrency: z.number().int().min(1).max(256).default(8),
        retries: z.number().int().min(0).max(5).default(1),
      })
      .strict()
      .prefault({}),
    penalty: z
      .object({
        enabled: z.boolean().default(true),
        /** The reward of a hard violation. */
        value: z.number().default(-10),
        /** Response levels that count (on a topic whose ladder refuses that level). */
        levels: z.array(z.number().int().min(0).max(3)).default([3]),
        /** The guard must be this sure of the response's topic (topic score) ... */
        minTopicScore: z.number().min(0).max(1).default(0.65),
        /** ... and of its level (probability of the level) for the penalty to apply: a false penalty teaches refusal. */
        minLevelP: z.number().min(0).max(1).default(0.7),
        /** Also penalise a complying response (p ≥ complyP) to a prompt the ladder refuses at one of `levels`. */
        complianceWithRefusedPrompt: z.boolean().default(true),
        complyP: z.number().min(0).max(1).default(0.6),
      })
      .strict()
      .prefault({}),
    server: z
      .object({
        port: z.number().int().min(0).max(65535).default(8700),
        host: z.string().default('127.0.0.1'),
        /** Largest request body accepted (bytes). */
        maxBodyBytes: z.number().int().min(1024).default(64 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});
export type RewardSection = z.infer<typeof RewardSection>;

export function loadRewardSection(config: LoadedConfig): RewardSection {
  return section(config, 'reward', RewardSection);
}
