import { existsSync } from 'node:fs';
import { UserError } from '../core/errors.js';
import { assetPath } from '../core/paths.js';
import { loadModel, type LinearModel } from './model.js';

/**
 * The embedded classifier engine: hashed word + char n-gram features, softmax heads (topic,
 * level, response) with temperature-calibrated probabilities and phrase explanations.
 */
export { FEATURE_DIM, FEATURE_CONFIG, featurize, featureNames, type SparseVector } from './features.js';
export { normalizeText } from './normalize.js';
export { tokenize, winkTokenize } from './tokenize.js';
export {
  LinearModel,
  loadModel,
  saveModel,
  NONE,
  RESPONSE_LABELS,
  type ClassifierModel,
  type ResponseLabel,
  type ResponsePrediction,
  type TextPrediction,
  type ModelMeta,
  type PredictSegmentsOptions,
  type SegmentedPrediction,
  type SegmentPrediction,
} from './model.js';
export { HOMOGLYPHS, LEET } from './normalize.js';
export { softmaxInPlace, trainSoftmax } from './linear.js';
export { sharedEncoder, asciiLetterShare, type SentenceEncoder } from './encoder.js';
export { combinedP, defaultStage2Path, loadStage2Cached, Stage2Head, type Stage2Cascade } from './stage2.js';
export { parseRowLabel, type BinaryLabel } from './labels.js';
export type { CorpusPrompt } from './corpus.js';
export { trainModel, collectRows, evaluateHeldOut, type ExtraExample, type TrainInput, type PromptRow, type ResponseRow } from './train.js';

/** Where the shipped default model lives. */
export const defaultModelPath = assetPath('models', 'guard-default.json');

const cache = new Map<string, LinearModel>();

/** The shipped default model (loaded once per process and kept). */
export function loadDefaultModel(): LinearModel {
  return loadModelCached(defaultModelPath);
}

/** Load a model file once per process. */
export function loadModelCached(path: string): LinearModel {
  const hit = cache.get(path);
  if (hit) return hit;
  if (!existsSync(path)) throw new UserError(`${path}: model file not found (train one with \`pillars guard train\`)`, { code: 'not_found' });
  const m = loadModel(path);
  cache.set(path, m);
  return m;
}
