import { loadDefaultModel, type ClassifierModel, type ResponsePrediction, type TextPrediction } from '../classifier/index.js';
import { PillarsError } from '../core/errors.js';

/**
 * The embedded classifier engine the judges use (src/classifier, shared with the guard). The
 * shipped model is loaded lazily, on the first item judged, and cached by the engine.
 */
export type { ClassifierModel, ResponsePrediction, TextPrediction };

/** Load the shipped classifier; fails fast with a clear error when its model file is missing. */
export function loadEngine(): Promise<ClassifierModel> {
  try {
    return Promise.resolve(loadDefaultModel());
  } catch (e) {
    if (e instanceof PillarsError) return Promise.reject(e);
    return Promise.reject(new PillarsError(`the embedded classifier could not be loaded: ${(e as Error).message}`, { code: 'internal', cause: e }));
  }
}

/** A lazily loaded engine shared by the judges of one pipeline (or an injected one: tests, custom-trained models). */
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
