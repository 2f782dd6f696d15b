import { PillarsError } from '../core/errors.js';
import type { RefusalLabel } from '../core/types.js';

/**
 * The embedded classifier engine the judges use (src/classifier, owned by the guard engine).
 * Typed here after the shared contract; loaded lazily so the judges module has no start-up cost.
 */

export interface TextPrediction {
  topic: string | null;
  topicScore: number;
  topics: { topic: string; p: number }[];
  level: 0 | 1 | 2 | 3;
  levelScores: number[];
  explanation: string[];
}

export interface ResponsePrediction {
  label: RefusalLabel;
  p: number;
  scores: Record<RefusalLabel, number>;
  explanation: string[];
}

export interface ClassifierModel {
  predict(text: string): TextPrediction;
  predictResponse(text: string): ResponsePrediction;
}

interface ClassifierModule {
  loadDefaultModel(): ClassifierModel;
}

/** Load the shipped classifier; fails fast with a clear error when the engine is not there. */
export async function loadEngine(): Promise<ClassifierModel> {
  const spec = '../classifier/index.js';
  let mod: Partial<ClassifierModule>;
  try {
    mod = (await import(spec)) as Partial<ClassifierModule>;
  } catch (e) {
    throw new PillarsError(`the embedded classifier engine (src/classifier) is not available: ${(e as Error).message}`, { code: 'internal', cause: e });
  }
  if (typeof mod.loadDefaultModel !== 'function') {
    throw new PillarsError('the embedded classifier engine (src/classifier) does not export loadDefaultModel()', { code: 'internal' });
  }
  return mod.loadDefaultModel();
}

/** A lazily loaded engine shared by the judges of one pipeline (or an injected one in tests). */
export function engineProvider(model?: ClassifierModel): () => Promise<ClassifierModel> {
  let p: Promise<ClassifierModel> | null = model ? Promise.resolve(model) : null;
  return () => {
    p ??= loadEngine().catch((e: unknown) => {
      p = null;
      throw e;
    });
    return p;
  };
}
