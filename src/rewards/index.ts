import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { defaultModelPath, loadDefaultModel, LinearModel, loadModelCached } from '../classifier/index.js';
import { assetPath } from '../core/paths.js';
import type { PolicyPack } from '../policy/schema.js';
import { RewardFeaturizer } from './features.js';
import { loadRewardModel, type RewardModel } from './model.js';
import { readPrefs } from './prefs.js';
import { trainRewardModel } from './train.js';

/** Preference data, the Bradley-Terry reward model, rubric judge rewards, combination and the reward server. */
export { RewardFeaturizer, RM_DIM, type PromptSignals, type ResponseSignals, type PairFeatures } from './features.js';
export { RewardModel, loadRewardModel, saveRewardModel, HEAD_NAMES, type HeadName, type RewardReport, type RewardMeta } from './model.js';
export { readPrefs, toPairRow, parseFieldMap, splitTranscripts, parseTranscript, exportPair, isHeldOut, PrefPair, EXPORT_FORMATS, ASPECTS, type ExportFormat, type FieldMap, type Aspect } from './prefs.js';
export { trainRewardModel, encodePairs, baselineScore, type RewardTrainInput, type RewardTrainOptions } from './train.js';
export { buildRewardRubric, createRubricJudge, parseRubricReply, policyForTopic, type RubricJudge, type RubricResult, type RubricInput } from './rubric.js';
export { createRewardScorer, hardViolation, type RewardScorer, type RewardItem, type RewardResult, type RewardComponents } from './scorer.js';
export { RewardSection, loadRewardSection } from './config.js';
export { startRewardServer, splitQuery, userText, type RunningRewardServer } from './server.js';
export { generatePreferences, pairsFromRanking, isUnsafeOrBorderline, type GeneratedPrompt } from './generate.js';

/** Our own preference file, shipped with the package. */
export const builtinPrefsPath = assetPath('data', 'prefs', 'pillars-prefs.jsonl');

/** The guard model the reward features come from, and its file's sha256 (recorded in the reward model). */
export function guardForRewards(path?: string): { model: LinearModel; sha256: string } {
  const p = path ?? defaultModelPath;
  const model = path ? loadModelCached(path) : loadDefaultModel();
  return { model, sha256: createHash('sha256').update(readFileSync(p)).digest('hex') };
}

/** A reward model from a file, or trained now (a few seconds) on the built-in preference file. */
export function rewardModelOrDefault(input: { path?: string; pack: PolicyPack; guard: { model: LinearModel; sha256: string } }): { model: RewardModel; source: string } {
  if (input.path) return { model: loadRewardModel(input.path), source: input.path };
  const { model } = trainRewardModel({ pairs: readPrefs(builtinPrefsPath), guardModel: input.guard.model, guardSha256: input.guard.sha256, pack: input.pack, seed: 1 });
  return { model, source: `${builtinPrefsPath} (trained at start)` };
}

export function rewardFeaturizer(guard: LinearModel, pack: PolicyPack): RewardFeaturizer {
  return new RewardFeaturizer(guard, pack);
}
export { createScorerPool, type ScorerPool } from './pool.js';
