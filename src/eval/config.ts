import { z } from 'zod';
import { section, type LoadedConfig } from '../config/load.js';
import { findReporter, reportFormats } from '../reports/index.js';
import { GATE_METRICS } from './gates.js';

/**
 * `eval:` and `checkpoints:` in pillars.yaml: the defaults `pillars eval` and
 * `pillars select-checkpoint` use when no flag says otherwise.
 */

export const EvalSection = z
  .object({
    /** Targets evaluated when no --target is given. */
    targets: z.array(z.string().min(1)).min(1).default(['guard']),
    /** Suites when no --suite is given: built-in names, suite ids from `suites:`, or dataset paths. */
    suites: z.array(z.string().min(1)).min(1).default(['quick']),
    tier: z.enum(['quick', 'full']).default('quick'),
    concurrency: z.number().int().min(1).max(4096).default(8),
    seed: z.number().int().default(0),
    cache: z.boolean().default(true),
    /** Report formats written after each run. */
    formats: z
      .array(z.string().refine((f) => findReporter(f) !== undefined, { error: (i) => `unknown report format "${String(i.input)}" (expected ${reportFormats().join(', ')})` }))
      .default(() => reportFormats()),
    /** Folder reports go to (one sub-folder per run). Default: .pillars/reports beside the config. */
    outDir: z.string().optional(),
    /** `pipeline`: the judges of `judges:` (embedded refusal/violation judges, LLM judge); `assertion`: keywords and refusal phrases only. */
    judge: z.enum(['pipeline', 'assertion']).default('pipeline'),
  })
  .strict()
  .prefault({});
export type EvalSection = z.infer<typeof EvalSection>;

export const Objective = z.partialRecord(z.enum(GATE_METRICS), z.number());
export type Objective = z.infer<typeof Objective>;

export const DEFAULT_OBJECTIVE: Objective = { violation_rate: -1, over_refusal_rate: -0.5, accuracy: 0.5 };

export const CheckpointsSection = z
  .object({
    /** Weights of the objective: score = Σ weight × metric (overall). Negative weights penalise. */
    objective: Objective.default(DEFAULT_OBJECTIVE),
    tier: z.enum(['quick', 'full']).default('full'),
  })
  .strict()
  .prefault({});
export type CheckpointsSection = z.infer<typeof CheckpointsSection>;

export function loadEvalSection(config: LoadedConfig): EvalSection {
  return section(config, 'eval', EvalSection);
}

export function loadCheckpointsSection(config: LoadedConfig): CheckpointsSection {
  return section(config, 'checkpoints', CheckpointsSection);
}
