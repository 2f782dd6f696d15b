import { z } from 'zod';
import { loadDefaultModel, loadModelCached } from '../classifier/index.js';
import { section, type LoadedConfig } from '../config/load.js';
import { UserError } from '../core/errors.js';
import type { Target } from '../core/types.js';
import { loadPack } from '../policy/load.js';
import { createGuard, DEFAULT_REDACT, type PolicyGuard } from './index.js';
import { PII_TYPES } from './pii.js';

/**
 * The `guard:` section of pillars.yaml:
 *
 *   guard:
 *     model: models/my-guard.json      # default: the shipped model
 *     band: [0.35, 0.65]               # topic-score band marked unsure
 *     failClosed: true                 # refuse when the guard itself errors
 *     redact: [email, phone, card]     # PII types that turn an allowed text into `redact` (false: none)
 *     cascade: {target: llama-guard, budgetMs: 800, band: [0.3, 0.7]}
 */

const Band = z
  .tuple([z.number().min(0).max(1), z.number().min(0).max(1)])
  .refine(([a, b]) => a <= b, 'band must be [low, high] with low <= high');

export const guardConfigSchema = z
  .object({
    model: z.string().min(1).optional(),
    band: Band.optional(),
    failClosed: z.boolean().default(true),
    redact: z.union([z.array(z.enum(PII_TYPES)), z.literal(false)]).optional(),
    cascade: z
      .object({
        target: z.string().min(1),
        budgetMs: z.number().int().positive().default(800),
        band: Band.optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .default({ failClosed: true });
export type GuardConfig = z.infer<typeof guardConfigSchema>;

/** Build the guard a configuration describes (targets: for the cascade). */
export function guardFromConfig(cfg: LoadedConfig, targets?: Map<string, Target>): PolicyGuard {
  const g = section(cfg, 'guard', guardConfigSchema);
  const { pack } = loadPack(cfg.policyPath);
  const model = g.model ? loadModelCached(cfg.resolve(g.model)) : loadDefaultModel();
  let cascade;
  if (g.cascade) {
    const target = targets?.get(g.cascade.target);
    if (!target) {
      const at = cfg.locate(['guard', 'cascade', 'target']);
      throw new UserError(`guard cascade names an unknown target`, {
        code: 'config',
        problems: [{ ...at, message: `guard.cascade.target: no target "${g.cascade.target}" is configured${targets ? ` (targets: ${[...targets.keys()].join(', ') || 'none'})` : ''}` }],
      });
    }
    cascade = { target, budgetMs: g.cascade.budgetMs, band: g.cascade.band ?? g.band };
  }
  return createGuard({
    pack,
    model,
    cascade,
    band: g.band,
    failClosed: g.failClosed,
    redact: g.redact === false ? [] : (g.redact ?? DEFAULT_REDACT),
  });
}
