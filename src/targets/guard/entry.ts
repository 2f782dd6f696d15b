import { z } from 'zod';
import { PillarsError } from '../../core/errors.js';
import { defineTarget } from '../entry.js';
import { common } from '../schema-common.js';
import { GuardTarget } from './index.js';

/** `type: guard`: the embedded guard as the system under test. */
export const GuardTargetConfig = z
  .object({
    ...common,
    type: z.literal('guard'),
    tier: z.string().optional(),
    context: z.string().optional(),
  })
  .strict();
export type GuardTargetConfig = z.infer<typeof GuardTargetConfig>;

export const guardTarget = defineTarget({
  type: 'guard',
  schema: GuardTargetConfig,
  create: (cfg, deps) => {
    if (!deps.guard) throw new PillarsError(`target ${cfg.id}: the embedded guard is not available`, { code: 'config', exitCode: 2 });
    return new GuardTarget(cfg, deps.guard);
  },
});
