/**
 * Grounding: is an answer supported by the sources it was given (retrieved documents, tool
 * results), and does it address the question? One definition for the gateway's output check and
 * for eval (the faithfulness and answer-relevance judges). Also the scope scorer: does a request
 * fit what an assistant is for.
 */
export { scoreGrounding, type GroundingInput, type GroundingScore, type SentenceScore } from './score.js';
export { requestSources, requestQuestion, parseSourcesHeader, SOURCES_HEADER } from './sources.js';
export { checkGrounding, type GroundingOutcome, type CheckGroundingOptions } from './check.js';
export { createLlmGroundingJudge, parseJudgeReply, groundingPrompt, GROUNDING_RUBRIC, type LlmGroundingJudge, type JudgeVerdict } from './judge.js';
export { GroundingConfig, GroundingPolicy, GroundingAction, policyFor, DEFAULT_BAND, DEFAULT_MIN_GROUNDING, DEFAULT_MIN_RELEVANCE, type GroundingConfigInput } from './config.js';
export { createFaithfulnessJudge, createAnswerRelevanceJudge, itemSources } from './judges.js';
export { readPairs, splitOf, TUNE_SHARE, type LabelledPair } from './pairs.js';
export type { ScopeScorer, ScopeScorerOptions } from './scope.js';
