import { z } from 'zod';
import { defineTarget, deferred } from '../entry.js';
import { apiKeyEnv, common } from '../schema-common.js';
import { fingerprintOf } from '../util.js';

/** `type: anthropic`: Anthropic's Messages API through the AI SDK, loaded on first use. */
export const AnthropicTargetConfig = z
  .object({ ...common, type: z.literal('anthropic'), model: z.string().min(1), apiKeyEnv, baseUrl: z.string().url().optional() })
  .strict();
export type AnthropicTargetConfig = z.infer<typeof AnthropicTargetConfig>;

export const anthropicTarget = defineTarget({
  type: 'anthropic',
  schema: AnthropicTargetConfig,
  create: (cfg) => deferred(cfg.id, fingerprintOf(cfg), async () => new (await import('./index.js')).AnthropicTarget(cfg)),
});
