import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { defaultModelPath, loadDefaultModel, LinearModel, loadModelCached } from '../classifier/index.js';
import { assetPath } from '../core/paths.js';
import type { PolicyPack } from '../policy/schema.js';
import { RewardFeaturizer } from './features.js';
import { loadRewardModel, type RewardModel } from './model.js';

/** Preference data, the Bradley-Terry reward model, rubric judge rewards, combination and the reward server. */
export { RewardFeaturizer, RM_DIM, type PromptSignals, type ResponseSignals, type PairFeatures } from './features.js';
export { RewardModel, loadRewardModel, saveRewardModel, HEAD_NAMES, type HeadName, type RewardReport, type RewardMeta } from './model.js';
export { readPrefs, readPrefsLenient, toPairRow, parseFieldMap, splitTranscripts, parseTranscript, exportPair, isHeldOut, PrefPair, EXPORT_FORMATS, ASPECTS, type ExportFormat, type FieldMap, type Aspect } from './prefs.js';
export { trainRewardModel, encodePairs, baselineScore, pairwiseAccuracy, type RewardTrainInput, type RewardTrainOptions } from './train.js';
export { buildRewardRubric, createRubricJudge, parseRubricReply, policyForTopic, type RubricJudge, type RubricResult, type RubricInput } from './rubric.js';
export { createRewardScorer, hardViolation, type RewardScorer, type RewardItem, type RewardResult, type RewardComponents } from './scorer.js';
export { RewardSection, loadRewardSection } from './config.js';
export { startRewardServer, type RunningRewardServer } from './server.js';
export { splitQuery, userText, scoringPrompt, rewardItemOf } from './prompt.js';
export { buildCorpus, splitPairs, pairsFromResponses, packResponsePairs, publicPreferenceParts, responseParts, type CorpusPart, type CorpusInput } from './corpus.js';
export { generatePreferences, pairsFromRanking, isUnsafeOrBorderline, type GeneratedPrompt } from './generate.js';

/** Our own preference file, shipped with the package. */
export const builtinPrefsPath = assetPath('data', 'prefs', 'pillars-prefs.jsonl');

/** The guard model the reward features come from, and its file's sha256 (recorded in the reward model). */
export function guardForRewards(path?: string): { model: LinearModel; sha256: string } {
  const p = path ?? defaultModelPath;
  const model = path ? loadModelCached(path) : loadDefaultModel();
  return { model, sha256: createHash('sha256').update(readFileSync(p)).digest('hex') };
}

/** The shipped reward model (built by `npm run reward:build`). */
export const defaultRewardModelPath = assetPath('models', 'reward-default.json');

/**
 * Does a reward model fit the guard model its features come from? The features' layout is checked
 * when the file loads; here the exact guard weights: a model trained with another guard file still
 * scores (the hashed n-gram blocks do not depend on the guard's weights) but the guard-signal
 * features have moved, so its accuracy can drift until it is retrained.
 */
export function guardDrift(model: RewardModel, guard: { sha256: string }, source: string): string | null {
  const was = model.meta.guard.sha256;
  if (was === guard.sha256) return null;
  return `${source} was trained with guard model ${was.slice(0, 12)} but the guard model is now ${guard.sha256.slice(0, 12)}: it still scores, but its guard-signal features have moved; rebuild it (\`npm run reward:build\` for the shipped one, \`pillars reward train\` for yours)`;
}

/** A reward model from a file, or the shipped one; no training at start. Warnings say when it was trained with another guard model. */
export function rewardModelOrDefault(input: { path?: string; guard: { sha256: string } }): { model: RewardModel; source: string; warnings: string[] } {
  const source = input.path ?? defaultRewardModelPath;
  const model = loadRewardModel(source);
  const drift = guardDrift(model, input.guard, input.path ? source : 'the shipped reward model');
  return { model, source, warnings: [...model.notes, ...(drift ? [drift] : [])] };
}

export function rewardFeaturizer(guard: LinearModel, pack: PolicyPack): RewardFeaturizer {
  return new RewardFeaturizer(guard, pack);
}
export { createScorerPool, type ScorerPool } from './pool.js';
