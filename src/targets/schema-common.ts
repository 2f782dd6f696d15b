import { z } from 'zod';

/** Fields every provider's `targets:` entry shares (ids, rate limits, retries, default options). */

export const GenOptions = z
  .object({
    temperature: z.number().min(0).max(2).optional(),
    maxTokens: z.number().int().positive().optional(),
    logprobs: z.boolean().optional(),
    topLogprobs: z.number().int().min(0).max(20).optional(),
    seed: z.number().int().optional(),
    stop: z.array(z.string()).optional(),
  })
  .strict();
export type GenOptions = z.infer<typeof GenOptions>;

export const common = {
  id: z.string().min(1).regex(/^[A-Za-z0-9_.:@/-]+$/, 'ids use letters, digits and _.:@/-'),
  description: z.string().optional(),
  /** Requests per minute (rate limit for this target). */
  rpm: z.number().positive().optional(),
  /** Tokens per minute (estimated from the prompt, corrected by reported usage). */
  tpm: z.number().positive().optional(),
  /** Per-request timeout in milliseconds. */
  timeoutMs: z.number().int().positive().optional(),
  /** Retries on 429, 5xx and timeouts. */
  maxRetries: z.number().int().min(0).max(20).optional(),
  /** Default generation options for this target. */
  options: GenOptions.optional(),
  /** Samples per prompt (each a separate request with its own seed). */
  samples: z.number().int().min(1).max(100).optional(),
};

export const apiKeyEnv = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'the name of an environment variable').optional();
