/** The public library API of Pillars. What users may import is listed here, and only here. */
export * from './core/pillars.js';
export * from './core/types.js';
export * from './core/errors.js';
export { createCtx, createLogger } from './core/context.js';
export * from './policy/schema.js';
export { loadPack, checkPack, type LoadedPack, type PackProblem } from './policy/load.js';
export { effectiveAction, exceptionApplies, topicAction, isExpired, type Cell, type EffectiveAction } from './policy/effective.js';
export { diffPacks, formatDiff, type PackDiff } from './policy/diff.js';
export { explainPolicy, formatExplanation, type Explanation } from './policy/explain.js';
export { assessRisk, formatRiskMarkdown, type RiskRegister } from './policy/risk.js';
export { PRODUCTS, PRODUCT_KINDS, type ProductKind } from './policy/risk-catalog.js';
export { policySchemaJson } from './policy/json-schema.js';
export { loadConfig, section, type LoadedConfig } from './config/load.js';
export { openDb, type Db } from './store/db.js';
export type { ReportData, ReportItem, MetricSet, Rate, GateResult } from './core/report.js';
export { writeReports, renderReport, parseFormats, readReportFile, addRegulations, REPORT_FORMATS, REPORT_FILES, type ReportFormat } from './reports/index.js';
export { RedteamSection, FrontierSection } from './reports/sections.js';
export { compareReports, renderComparison, twoProportionZTest, type Comparison, type MetricDelta, type FlippedItem } from './compare/index.js';
