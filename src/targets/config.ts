import { z } from 'zod';

/**
 * The `targets:` section of pillars.yaml. Every provider type has its own schema; a target with
 * `wraps:` composes another one (system prompt, guard on input and output). Secrets are never in
 * here: `apiKeyEnv` names an environment variable read when the request is made.
 */

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

const common = {
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

const apiKeyEnv = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'the name of an environment variable').optional();

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

export const AnthropicTargetConfig = z
  .object({ ...common, type: z.literal('anthropic'), model: z.string().min(1), apiKeyEnv, baseUrl: z.string().url().optional() })
  .strict();

export const BedrockTargetConfig = z
  .object({ ...common, type: z.literal('bedrock'), model: z.string().min(1), region: z.string().optional() })
  .strict();

export const GgufTargetConfig = z
  .object({
    ...common,
    type: z.literal('gguf'),
    path: z.string().min(1),
    contextSize: z.number().int().positive().optional(),
    gpuLayers: z.number().int().min(0).optional(),
  })
  .strict();

export const HttpTargetConfig = z
  .object({
    ...common,
    type: z.literal('http'),
    url: z.string().url(),
    method: z.enum(['POST', 'PUT']).default('POST'),
    headers: z.record(z.string(), z.string()).optional(),
    apiKeyEnv,
    /** Header that carries the key (value `Bearer <key>` for authorization). */
    apiKeyHeader: z.string().default('authorization'),
    /** JSON request body; strings "{{messages}}", "{{prompt}}", "{{system}}", "{{temperature}}", "{{maxTokens}}" are replaced. */
    body: z.unknown().default({ messages: '{{messages}}' }),
    /** Dotted path to the answer text in the response JSON, e.g. choices.0.message.content. */
    responsePath: z.string().min(1),
  })
  .strict();

export const ExecTargetConfig = z
  .object({
    ...common,
    type: z.literal('exec'),
    /** The program and its arguments; it reads {"messages": [...], "options": {...}} on stdin and writes the answer on stdout. */
    command: z.union([z.string().min(1), z.array(z.string()).min(1)]),
    cwd: z.string().optional(),
    /** Parse stdout as JSON and take this dotted path (default: the whole stdout is the answer). */
    responsePath: z.string().optional(),
  })
  .strict();

export const ReplayTargetConfig = z
  .object({
    ...common,
    type: z.literal('replay'),
    /** JSONL of {prompt | messages, response}. */
    path: z.string().min(1),
    /** What to do for a prompt that is not in the file: fail the item (default) or answer with a fixed text. */
    missing: z.union([z.literal('error'), z.object({ respond: z.string() })]).default('error'),
  })
  .strict();

export const GuardTargetConfig = z
  .object({
    ...common,
    type: z.literal('guard'),
    tier: z.string().optional(),
    context: z.string().optional(),
  })
  .strict();

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

export const ProviderTargetConfig = z.discriminatedUnion('type', [
  OpenAITargetConfig,
  AnthropicTargetConfig,
  BedrockTargetConfig,
  GgufTargetConfig,
  HttpTargetConfig,
  ExecTargetConfig,
  ReplayTargetConfig,
  GuardTargetConfig,
]);

export const TargetConfig = z.union([ComposedTargetConfig, ProviderTargetConfig]);
export type TargetConfig = z.infer<typeof TargetConfig>;
export type ProviderTargetConfig = z.infer<typeof ProviderTargetConfig>;
export type ComposedTargetConfig = z.infer<typeof ComposedTargetConfig>;
export type OpenAITargetConfig = z.infer<typeof OpenAITargetConfig>;
export type AnthropicTargetConfig = z.infer<typeof AnthropicTargetConfig>;
export type BedrockTargetConfig = z.infer<typeof BedrockTargetConfig>;
export type GgufTargetConfig = z.infer<typeof GgufTargetConfig>;
export type HttpTargetConfig = z.infer<typeof HttpTargetConfig>;
export type ExecTargetConfig = z.infer<typeof ExecTargetConfig>;
export type ReplayTargetConfig = z.infer<typeof ReplayTargetConfig>;
export type GuardTargetConfig = z.infer<typeof GuardTargetConfig>;

export const TargetsSection = z.array(TargetConfig).default([]);

export function isComposed(c: TargetConfig): c is ComposedTargetConfig {
  return 'wraps' in c;
}
