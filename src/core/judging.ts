import type { Ctx, JudgeInput, Verdict } from './types.js';

/**
 * The contract between the eval runner and whatever judges an item: the judge pipeline
 * (src/judges), the assertion judge (src/eval), or a wrapper that adds per-item assertions.
 * `final` says whether the model behaved as the item expects; `verdicts` are the judges that ran.
 */
export interface JudgeOutcome {
  final: Verdict;
  verdicts: Verdict[];
}

export interface JudgePipelineLike {
  judge(input: JudgeInput, ctx: Ctx): Promise<JudgeOutcome>;
}
