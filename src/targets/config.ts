import { z } from 'zod';
import { ProviderTargetConfig } from './registry.js';
import { common } from './schema-common.js';

export { ProviderTargetConfig } from './registry.js';
export { GenOptions } from './schema-common.js';
export { OpenAITargetConfig } from './openai/entry.js';
export { AnthropicTargetConfig } from './anthropic/entry.js';
export { BedrockTargetConfig } from './bedrock/entry.js';
export { GgufTargetConfig } from './gguf/entry.js';
export { HttpTargetConfig } from './http/entry.js';
export { ExecTargetConfig } from './exec/entry.js';
export { ReplayTargetConfig } from './replay/entry.js';
export { GuardTargetConfig } from './guard/entry.js';

/**
 * The `targets:` section of pillars.yaml. Every provider type has its own schema (in its folder's
 * `entry.ts`, listed in `registry.ts`); a target with
 * `wraps:` composes another one (system prompt, guard on input and output). Secrets are never in
 * here: `apiKeyEnv` names an environment variable read when the request is made.
 */

export const GuardWrap = z.union([
  z.boolean(),
  z.object({ input: z.boolean().default(true), output: z.boolean().default(true), tier: z.string().optional(), context: z.string().optional() }).strict(),
]);

export const ComposedTargetConfig = z
  .object({
    ...common,
    type: z.literal('compose').optional(),
    wraps: z.string().min(1),
    systemPrompt: z.string().optional(),
    guard: GuardWrap.optional(),
  })
  .strict();

export const TargetConfig = z.union([ComposedTargetConfig, ProviderTargetConfig]);
export type TargetConfig = z.infer<typeof TargetConfig>;
export type ComposedTargetConfig = z.infer<typeof ComposedTargetConfig>;

export const TargetsSection = z.array(TargetConfig).default([]);

export function isComposed(c: TargetConfig): c is ComposedTargetConfig {
  return 'wraps' in c;
}
