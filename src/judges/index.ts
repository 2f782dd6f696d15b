/** Judges: refusal, violation, multiple choice, keywords, pair consistency, LLM judge, combination, agreement. */
export { createJudgePipeline, weightedLabel, type JudgePipeline, type JudgeOutcome, type PipelineStats, type CreateJudgePipelineInput } from './pipeline.js';
export { registerJudge, judgeFactories, judgeFactory, BUILTIN_JUDGES, type JudgeFactory, type JudgeDeps, type JudgeScope, type ItemJudge } from './registry.js';
export { JudgesConfig, LlmJudgeConfig, DEFAULT_JUDGES, type JudgesConfigInput } from './config.js';
export { createRefusalJudge, classifyRefusal, refusalFromPrediction, phraseVerdict, type PhraseVerdict, type UnsureBand } from './refusal.js';
export { createViolationJudge, createHarmJudge, violationVerdict, disallowedContent } from './violation.js';
export { responseHarm, harmVerdict, MIN_SEGMENT_WORDS, type HarmFinding, type HarmInput } from './harm.js';
export { createChoiceJudge, choiceVerdict, extractChoice, isChoiceItem } from './choice.js';
export { createKeywordJudge, keywordVerdict } from './keyword.js';
export { createLlmJudge, parseJudgeReply, type LlmJudge, type LlmJudgeStats } from './llm.js';
export { buildRubric } from './rubric.js';
export { pairConsistency, type PairMember, type PairResult, type PairReport } from './pair.js';
export { cohensKappa, agreementReport, normalizeHumanLabel, binaryAgreement, binaryRefusal, LABEL_KEYS, type JudgeAgreement, type AgreementRow, type BinaryAgreement } from './agreement.js';
export { expectationPasses, asExpectation, correctsPremise, disclosesAi, type Expectation } from './expect.js';
export { loadEngine, engineProvider, type ClassifierModel, type ResponsePrediction, type TextPrediction } from './engine.js';
export { readResponse, splitSentences, isSubstantial, type Reading, type Sentence, type Substance } from './reading.js';
export { PHRASE_TABLES, PHRASE_LANGS, cuesOf, foldText, type CueKind, type CueHit, type PhraseTable } from './phrases.js';
