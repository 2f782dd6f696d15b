import { z } from 'zod';
import { defineTarget, deferred } from '../entry.js';
import { apiKeyEnv, common } from '../schema-common.js';
import { fingerprintOf } from '../util.js';

/**
 * `type: openai-images`: an image generator behind the OpenAI-compatible images API
 * (`POST /images/generations`). Each returned image is read back into text (embedded OCR, and a
 * vision model's description when `vision` is set) and that text is the answer the judges read,
 * so `pillars eval` judges generated images against the same policy (issue 17).
 */
export const OpenAIImagesTargetConfig = z
  .object({
    ...common,
    type: z.literal('openai-images'),
    baseUrl: z.string().url().default('https://api.openai.com/v1'),
    model: z.string().min(1),
    apiKeyEnv,
    /** e.g. 1024x1024. */
    size: z.string().regex(/^\d+x\d+$/).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    timeoutMs: z.number().int().positive().default(120_000),
    /** Read the text in each image (embedded OCR). */
    ocr: z.boolean().default(true),
    /** A vision chat model (OpenAI-compatible) that describes each image. */
    vision: z
      .object({ url: z.string().url(), model: z.string().min(1), apiKeyEnv, prompt: z.string().min(1).optional(), timeoutMs: z.number().int().positive().default(60_000), maxTokens: z.number().int().positive().default(300) })
      .strict()
      .optional(),
  })
  .strict();
export type OpenAIImagesTargetConfig = z.infer<typeof OpenAIImagesTargetConfig>;

export const openaiImagesTarget = defineTarget({
  type: 'openai-images',
  schema: OpenAIImagesTargetConfig,
  create: (cfg) => deferred(cfg.id, fingerprintOf(cfg), async () => new (await import('./index.js')).OpenAIImagesTarget(cfg)),
});
