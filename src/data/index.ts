/** Pretraining data tools: policy exercises, contextualization of harmful passages, perplexity and sparse probes. */
export { contextualizeRows, contextualizePassage, educationalContext, reportMarkdown, DEFAULT_MIN_SCORE, type ContextualizeReport, type PassageResult, type Disposition } from './contextualize.js';
export { buildExercises, policyExercises, docExercises, splitDoc, readPolicyDocs, llmExercises, EXERCISE_LANGS, type Exercise, type ExerciseLang, type DocSection } from './exercises.js';
export { probePerplexity, perplexityOf, scoreText, domainTexts, echoLogprobs, type PerplexityResult, type PerplexityMode, type TextScore } from './perplexity.js';
export { runSparseProbes, SPARSE_PROBES, SHOTS, type SparseProbe, type SparseResult } from './sparse.js';
export { readCorpus, readTexts } from './corpus.js';
export { createProbeStore, type ProbeStore, type ProbeRecord } from './store.js';
