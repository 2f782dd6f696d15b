import type { LoadedConfig } from '../config/load.js';
import { UserError } from '../core/errors.js';
import type { Ctx } from '../core/types.js';
import { loadCheckpointsSection } from '../eval/config.js';
import { selectCheckpoint, type Candidate, type Selection } from '../eval/select-checkpoint.js';
import { evalOne } from './eval.js';
import { configSuiteRefs, prepareEval, requireTarget } from './eval-env.js';

export interface SelectCheckpointInput {
  config: LoadedConfig;
  /** Target ids, one per checkpoint. */
  targets: string[];
  /** Suites (default: eval.suites). */
  suites?: string[];
  /** Default: checkpoints.tier. */
  tier?: 'quick' | 'full';
  concurrency?: number;
  judge?: 'pipeline' | 'assertion';
  /** No progress lines on stderr. */
  quiet?: boolean;
}

/** Evaluate every checkpoint (no reports written) and pick the best by the `checkpoints.objective` among those that pass the gates. */
export async function selectCheckpointRun(input: SelectCheckpointInput, ctx: Ctx): Promise<Selection> {
  if (input.targets.length < 1) throw new UserError('give at least one target id', { code: 'usage', option: 'targets' });
  const cp = loadCheckpointsSection(input.config);
  const env = await prepareEval(input.config, { judge: input.judge });
  try {
    for (const id of input.targets) requireTarget(env, id);
    const candidates: Candidate[] = [];
    for (const id of input.targets) {
      const { result } = await evalOne(
        env,
        {
          targetId: id,
          suiteRefs: input.suites?.length ? input.suites : configSuiteRefs(env),
          tier: input.tier ?? cp.tier,
          concurrency: input.concurrency ?? env.section.concurrency,
          seed: env.section.seed,
          cache: env.section.cache,
          outDir: null,
          formats: [],
          quiet: input.quiet,
          extraGates: [],
        },
        ctx,
      );
      candidates.push({ target: id, runId: result.runId, report: result.report });
    }
    return selectCheckpoint(candidates, cp.objective);
  } finally {
    await env.close();
  }
}
