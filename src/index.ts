/**
 * The public library API of Pillars: what a user of the library needs, grouped by task. What is
 * not exported here (classifier internals, feature helpers, test stubs) is internal and may change.
 * See docs/architecture.md ("Library API") for how the pieces fit together.
 */

// Vocabulary: pillars, levels, actions, messages, items, targets, judges, verdicts, errors, context.
export * from './core/pillars.js';
export * from './core/types.js';
export * from './core/errors.js';
export { createCtx, createLogger } from './core/context.js';
export type { JudgeOutcome, JudgePipelineLike } from './core/judging.js';
export { wilson, rate, twoProportionZTest, type ZTest } from './core/stats.js';

// Policy packs and configuration.
export * from './policy/schema.js';
export { loadPack, checkPack, type LoadedPack, type PackProblem } from './policy/load.js';
export { effectiveAction, exceptionApplies, topicAction, isExpired, type Cell, type EffectiveAction } from './policy/effective.js';
export { diffPacks, formatDiff, type PackDiff } from './policy/diff.js';
export { explainPolicy, formatExplanation, type Explanation } from './policy/explain.js';
export { assessRisk, formatRiskMarkdown, type RiskRegister } from './policy/risk.js';
export { PRODUCTS, PRODUCT_KINDS, type ProductKind } from './policy/risk-catalog.js';
export { policySchemaJson } from './policy/json-schema.js';
export { loadConfig, section, type LoadedConfig } from './config/load.js';

// The guard (decisions, PII) and its classifier models.
export { createGuard, guardConfigSchema, guardFromConfig, detectPii, redactPii, evaluateGuard, PII_TYPES, type PolicyGuard, type GuardOptions, type PiiType, type GuardConfig } from './guard/index.js';
export { configuredGuard, guardSettings, type ConfiguredGuard, type GuardSettings } from './guard/config.js';
export { benchGuard, type BenchResult, type BenchItem, type BenchRow } from './guard/bench.js';
export { loadModel, loadDefaultModel, type ClassifierModel, type TextPrediction, type ResponsePrediction } from './classifier/index.js';

// Targets, suites, judges, reports: the pieces of an evaluation.
export { buildTargets, createTarget, targetConfigs, packGuardProvider, guardProvider, TargetConfig, TARGET_TYPES, type GuardProvider, type TargetEntry } from './targets/index.js';
export { openSuite, listBuiltinSuites, readItemsFile, iterateItems, validateItemsFile, importDataset, SuitesConfig, type Suite, type OpenSuiteOptions, type ImportSpec } from './datasets/index.js';
export { createJudgePipeline, registerJudge, JudgesConfig, pairConsistency, cohensKappa, agreementReport, buildRubric, type JudgePipeline, type JudgeFactory, type JudgeScope, type PairReport, type JudgeAgreement } from './judges/index.js';
export type { ReportData, ReportItem, MetricSet, Rate, GateResult } from './core/report.js';
export { writeReports, renderReport, parseFormats, readReportFile, addRegulations, REPORT_FORMATS, registerReporter, reportFormats, type Reporter, type ReportFormat } from './reports/index.js';
export { RedteamSection, FrontierSection } from './reports/sections.js';
export { compareReports, renderComparison, type Comparison, type MetricDelta, type FlippedItem } from './compare/index.js';

// Evaluation runs and the store they live in.
export { openDb, type Db } from './store/db.js';
export { createRunStore, listRuns, type RunStore, type RunRow } from './store/runs.js';
export { runEval, type RunEvalOptions, type RunEvalResult, type SuiteLike } from './eval/run.js';
export { loadReport, loadStoredReport, buildReport } from './eval/load-report.js';
export { openStore, type OpenStore } from './store/open.js';
export { evaluateGates, GateSpec, type GateProvider } from './eval/gates.js';
export { selectCheckpoint, type Selection } from './eval/select-checkpoint.js';
export { createAssertionJudge } from './eval/assertion-judge.js';
export { watchCheckpoints, WatchSection } from './eval/watch.js';

// Red teaming, deception, frontier capabilities.
export { TRANSFORMS, listTransforms, getTransform, compose, applySpec, type Attack, type Transform, type TransformDecl, type TransformKind } from './attacks/index.js';
export { runRedteam, harvest, seedsFromPack, seedsFromItems, redteamReport, DEFAULT_STRATEGIES, type RedteamOptions, type RedteamSummary, type Seed, type Strategy, type HarvestResult } from './redteam/index.js';
export { createRedteamStore, type RedteamStore, type AttemptRow } from './store/redteam.js';
export { loadScenario, loadScenarios, runDeception, runScenario, type DeceptionReport, type ScenarioResult } from './deception/index.js';
export { runFrontier, frontierGate, compareVersions, frontierDomains, readBenchmark, type FrontierRunOutput, type CompareRow, type FrontierDomain } from './frontier/index.js';
export { createFrontierStore, type FrontierStore, type FrontierCase, type FrontierResult } from './store/frontier.js';

// Human review, the gateway, rewards and training data.
export { createReviewApp, startReviewServer, createReviewStore, judgeAgreement, queueAgreement, type ReviewApp, type RunJudgeAgreement, type QueueAgreement, type ReviewStore } from './review/index.js';
export { createGateway, GatewayConfig, createKeyStore, openGatewayBackend, verifyAudit, verifyAuditStore, exportAudit, type Gateway, type GatewayOptions, type KeyStore, type AuditEntry, type VerifyResult } from './gateway/index.js';
export { trainRewardModel, loadRewardModel, saveRewardModel, RewardModel, readPrefs, createRewardScorer, createRubricJudge, startRewardServer, generatePreferences, type RewardResult, type RewardItem, type RewardScorer, type RewardReport } from './rewards/index.js';
export { contextualizeRows, buildExercises, probePerplexity, perplexityOf, runSparseProbes, type ContextualizeReport, type Exercise, type PerplexityResult, type SparseResult } from './data/index.js';
