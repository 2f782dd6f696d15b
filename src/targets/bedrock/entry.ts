import { z } from 'zod';
import { defineTarget, deferred } from '../entry.js';
import { common } from '../schema-common.js';
import { fingerprintOf } from '../util.js';

/** `type: bedrock`: Amazon Bedrock's Converse API through the AI SDK, loaded on first use. */
export const BedrockTargetConfig = z
  .object({ ...common, type: z.literal('bedrock'), model: z.string().min(1), region: z.string().optional() })
  .strict();
export type BedrockTargetConfig = z.infer<typeof BedrockTargetConfig>;

export const bedrockTarget = defineTarget({
  type: 'bedrock',
  schema: BedrockTargetConfig,
  create: (cfg) => deferred(cfg.id, fingerprintOf(cfg), async () => new (await import('./index.js')).BedrockTarget(cfg)),
});
