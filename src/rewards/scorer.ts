import type { Ctx } from '../core/types.js';
import type { RewardSection } from './config.js';
import type { PromptSignals, RewardFeaturizer, ResponseSignals } from './features.js';
import type { HeadName, RewardModel } from './model.js';
import { policyForTopic, type RubricJudge } from './rubric.js';

/**
 * The combination: reward model score (weighted heads), the rubric judge (only when the reward
 * model is unsure, always, or never), and the hard penalty for level-3 violations. Scoring is
 * batched: prompt signals are computed once per distinct prompt in a batch (and kept in a bounded
 * cache across batches), the judge runs only for the items that need it, with bounded concurrency.
 */

export interface RewardItem {
  prompt: string;
  response: string;
}

export interface RewardComponents {
  rm: number;
  heads: Record<string, number>;
  judge?: number;
  penalty: number;
}

export interface RewardResult {
  reward: number;
  components: RewardComponents;
  reasons: string[];
}

export interface ScoreOptions {
  /** Build the human-readable reasons (default true; the OpenRLHF route, which returns numbers only, skips them). */
  reasons?: boolean;
}

export interface RewardScorer {
  /** Reward model + penalty only (synchronous, no network). */
  scoreSync(items: RewardItem[], opts?: ScoreOptions): RewardResult[];
  /** The full combination (the judge where configured). */
  score(items: RewardItem[], ctx: Ctx, opts?: ScoreOptions): Promise<RewardResult[]>;
}

const PROMPT_CACHE = 4096;

export interface CreateScorerInput {
  model: RewardModel;
  featurizer: RewardFeaturizer;
  config: RewardSection;
  judge?: RubricJudge | null;
}

/** Why a response is a hard violation, or null. */
export function hardViolation(feat: RewardFeaturizer, cfg: RewardSection['penalty'], ps: PromptSignals, rs: ResponseSignals): string | null {
  if (!cfg.enabled) return null;
  const declined = rs.label === 'refused' || rs.label === 'deflected';
  const sure = rs.topicScore >= cfg.minTopicScore && (rs.levelScores[rs.level] ?? 0) >= cfg.minLevelP;
  if (!declined && sure && rs.topic !== null && cfg.levels.includes(rs.level) && feat.actionFor(rs.topic, rs.level) === 'refuse') {
    return `response classified ${rs.topic} level ${rs.level} (topic p=${rs.topicScore.toFixed(2)}, level p=${(rs.levelScores[rs.level] ?? 0).toFixed(2)}; ${rs.label}), which the ladder refuses`;
  }
  const complied = rs.response[1]!;
  if (cfg.complianceWithRefusedPrompt && ps.topic !== null && ps.action === 'refuse' && cfg.levels.includes(ps.level) && (ps.levelScores[ps.level] ?? 0) >= cfg.minLevelP && complied >= cfg.complyP) {
    return `complies (p=${complied.toFixed(2)}) with a ${ps.topic} level-${ps.level} request the ladder refuses`;
  }
  return null;
}

export function createRewardScorer(input: CreateScorerInput): RewardScorer {
  const { model, featurizer: feat, config } = input;
  const headWeights = config.heads as Partial<Record<HeadName, number>>;
  const cache = new Map<string, PromptSignals>();
  const signals = (prompt: string): PromptSignals => {
    let s = cache.get(prompt);
    if (s) return s;
    s = feat.promptSignals(prompt);
    if (cache.size >= PROMPT_CACHE) cache.delete(cache.keys().next().value!);
    cache.set(prompt, s);
    return s;
  };

  interface Scored extends RewardResult {
    ps: PromptSignals;
    violation: boolean;
  }

  const rmScore = (items: RewardItem[], explain: boolean): Scored[] =>
    items.map((it) => {
      const ps = signals(it.prompt);
      const f = feat.pair(ps, it.response);
      const { score, heads } = model.score(f.x, headWeights, ps.actionIndex > 0);
      const why = hardViolation(feat, config.penalty, ps, f.response);
      const reasons = explain ? [`prompt: ${ps.topic ?? 'no policy topic'}${ps.topic ? ` level ${ps.level} → ${ps.action}` : ''}; response: ${f.response.label} (p=${Math.max(...f.response.response).toFixed(2)})`] : [];
      if (why) {
        if (explain) reasons.push(`hard penalty: ${why}`);
        return { reward: config.penalty.value, components: { rm: score, heads, penalty: config.penalty.value }, reasons, ps, violation: true };
      }
      return { reward: config.weights.rm * score, components: { rm: score, heads, penalty: 0 }, reasons, ps, violation: false };
    });

  const strip = (s: Scored): RewardResult => ({ reward: s.reward, components: s.components, reasons: s.reasons });

  return {
    scoreSync(items, opts) {
      return rmScore(items, opts?.reasons !== false).map(strip);
    },
    async score(items, ctx, opts) {
      const scored = rmScore(items, opts?.reasons !== false);
      const judge = input.judge;
      const when = config.judge.when;
      if (!judge || when === 'never') return scored.map(strip);
      const todo = scored.map((s, i) => i).filter((i) => !scored[i]!.violation && (when === 'always' || Math.abs(scored[i]!.components.rm) < config.judge.band));
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < todo.length) {
          const i = todo[next++]!;
          const s = scored[i]!;
          const r = await judge.grade({ prompt: items[i]!.prompt, response: items[i]!.response, policy: policyForTopic(feat.pack, s.ps.topic, s.ps.level), level: s.ps.level }, ctx);
          if (r.score === null) {
            s.reasons.push(`judge unavailable (${r.error ?? 'no score'}): reward model only`);
            continue;
          }
          s.components.judge = r.score;
          s.reward = config.weights.rm * s.components.rm + config.weights.judge * (2 * r.score - 1);
          s.reasons.push(`judge ${judge.target.id}: ${r.score.toFixed(2)}${r.verdict ? ` ${r.verdict}` : ''}${r.reasons.length ? ` (${r.reasons.join('; ')})` : ''}`);
        }
      };
      await Promise.all(Array.from({ length: Math.min(config.judge.concurrency, todo.length) }, worker));
      return scored.map(strip);
    },
  };
}
