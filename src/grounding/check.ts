import type { Ctx } from '../core/types.js';
import { DEFAULT_BAND, type GroundingAction, type GroundingPolicy } from './config.js';
import type { LlmGroundingJudge } from './judge.js';
import { scoreGrounding } from './score.js';

/**
 * One answer through a grounding policy: the embedded score, the LLM judge when the score is in
 * the unsure band (and a judge is configured), then the policy's thresholds and action.
 */

export interface GroundingOutcome {
  policy: string;
  grounding: number;
  relevance: number | null;
  /** Which stage decided. */
  stage: 'embedded' | 'cascade';
  passed: boolean;
  /** `allow` when it passed, else the policy's action. */
  action: 'allow' | GroundingAction;
  reasons: string[];
  /** Answer sentences found unsupported. */
  unsupported: string[];
  ms: number;
  judgeError?: string;
}

export interface CheckGroundingOptions {
  judge?: LlmGroundingJudge;
  band?: [number, number];
}

export async function checkGrounding(input: { sources: readonly string[]; answer: string; question?: string }, policy: GroundingPolicy, opts: CheckGroundingOptions, ctx: Ctx): Promise<GroundingOutcome> {
  const t0 = performance.now();
  const s = scoreGrounding(input);
  const band = opts.band ?? DEFAULT_BAND;
  let grounded = s.grounding >= policy.minGrounding;
  let relevant = s.relevance === null || s.relevance >= policy.minRelevance;
  let stage: GroundingOutcome['stage'] = 'embedded';
  let unsupported = s.sentences.filter((x) => x.score < policy.minGrounding).map((x) => x.text);
  const reasons: string[] = [];
  let judgeError: string | undefined;
  const unsure = (s.grounding >= band[0] && s.grounding < band[1]) || (s.relevance !== null && Math.abs(s.relevance - policy.minRelevance) < 0.1);
  if (unsure && opts.judge) {
    const r = await opts.judge.ask(input, ctx);
    if (r.verdict) {
      stage = 'cascade';
      grounded = r.verdict.grounded;
      relevant = r.verdict.relevant;
      unsupported = r.verdict.grounded ? [] : r.verdict.unsupported.length ? r.verdict.unsupported : unsupported;
      reasons.push(`judge ${opts.judge.id}: ${grounded ? 'grounded' : 'not grounded'}, ${relevant ? 'relevant' : 'not relevant'}`);
    } else {
      judgeError = r.error;
      reasons.push(`judge ${opts.judge.id} did not answer (${r.error ?? 'no verdict'}); the embedded score stands`);
    }
  }
  if (stage === 'embedded') {
    for (const x of s.sentences) {
      if (x.score >= policy.minGrounding) continue;
      const why = x.contradiction ? `contradicts its source (${x.contradiction})` : x.unsupportedNumbers.length ? `states ${x.unsupportedNumbers.join(', ')}, which no source does` : `${Math.round(x.support * 100)}% of its words are in the sources`;
      reasons.push(`"${x.text.slice(0, 120)}" ${why}`);
    }
    if (!relevant) reasons.push(`relevance ${s.relevance?.toFixed(2)} < ${policy.minRelevance}: the answer does not address the question`);
  }
  const passed = grounded && relevant;
  return {
    policy: policy.id,
    grounding: s.grounding,
    relevance: s.relevance,
    stage,
    passed,
    action: passed ? 'allow' : policy.action,
    reasons,
    unsupported,
    ms: performance.now() - t0,
    ...(judgeError ? { judgeError } : {}),
  };
}
