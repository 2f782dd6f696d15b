import { z } from 'zod';
import { defineTarget, deferred } from '../entry.js';
import { apiKeyEnv, common } from '../schema-common.js';
import { fingerprintOf } from '../util.js';

/** `type: openai`: The OpenAI-compatible chat completions API (a lean undici client), loaded on first use. */
export const OpenAITargetConfig = z
  .object({
    ...common,
    type: z.literal('openai'),
    baseUrl: z.string().url().default('https://api.openai.com/v1'),
    model: z.string().min(1),
    apiKeyEnv,
    /** Extra non-secret headers. */
    headers: z.record(z.string(), z.string()).optional(),
  })
  .strict();
export type OpenAITargetConfig = z.infer<typeof OpenAITargetConfig>;

export const openaiTarget = defineTarget({
  type: 'openai',
  schema: OpenAITargetConfig,
  create: (cfg) => deferred(cfg.id, fingerprintOf(cfg), async () => new (await import('./index.js')).OpenAITarget(cfg)),
});
