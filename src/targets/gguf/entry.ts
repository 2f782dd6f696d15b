import { z } from 'zod';
import { defineTarget, deferred } from '../entry.js';
import { common } from '../schema-common.js';
import { fingerprintOf } from '../util.js';

/** `type: gguf`: A local GGUF model through node-llama-cpp (optional), loaded on first use. */
export const GgufTargetConfig = z
  .object({
    ...common,
    type: z.literal('gguf'),
    path: z.string().min(1),
    contextSize: z.number().int().positive().optional(),
    gpuLayers: z.number().int().min(0).optional(),
    /** CPU threads for generation (default: all cores but one, which stays with the harness). */
    threads: z.number().int().min(1).max(1024).optional(),
  })
  .strict();
export type GgufTargetConfig = z.infer<typeof GgufTargetConfig>;

export const ggufTarget = defineTarget({
  type: 'gguf',
  schema: GgufTargetConfig,
  create: (cfg, deps) => {
    const c = { ...cfg, path: deps.resolve(cfg.path) };
    return deferred(cfg.id, fingerprintOf(c), async () => new (await import('./index.js')).GgufTarget(c));
  },
});
