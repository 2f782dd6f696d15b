/** The policy guard: decisions, PII, cascade, stage 2, configuration (the guard itself is in guard.ts). */
export { createGuard, DEFAULT_REDACT, type GuardOptions, type PolicyGuard } from './guard.js';
export { detectPii, redactPii, luhnValid, ibanValid, PII_TYPES, type PiiType } from './pii.js';
export { buildRubric, parseCascadeReply, type CascadeConfig } from './cascade.js';
export { decide, type DecideResult } from './decide.js';
export { guardConfigSchema, guardFromConfig, configuredGuard, type GuardConfig } from './config.js';
export { evaluateGuard, type GuardFigures } from './evaluate.js';
export { STAGE2_BUDGET_MS, type Stage2Options, type Stage2Runner } from './stage2.js';
export { modelHash, guardFingerprint } from './identity.js';
