import { z } from 'zod';
import { defineTarget } from '../entry.js';
import { common } from '../schema-common.js';
import { ReplayTarget } from './index.js';

/** `type: replay`: Recorded answers from a JSONL file. */
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
export type ReplayTargetConfig = z.infer<typeof ReplayTargetConfig>;

export const replayTarget = defineTarget({
  type: 'replay',
  schema: ReplayTargetConfig,
  create: (cfg, deps) => new ReplayTarget(cfg, deps.resolve(cfg.path)),
});
