import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { loadDefaultModel, loadModelCached } from '../classifier/index.js';
import { defaultStage2Path, loadStage2Cached } from '../classifier/index.js';
import { section, type LoadedConfig } from '../config/load.js';
import { UserError } from '../core/errors.js';
import type { Target } from '../core/types.js';
import { loadPack } from '../policy/load.js';
import type { PolicyPack } from '../policy/schema.js';
import type { CascadeConfig } from './cascade.js';
import { guardFingerprint } from './identity.js';
import { createGuard, DEFAULT_REDACT, type PolicyGuard } from './guard.js';
import { PII_TYPES, type PiiType } from './pii.js';
import { STAGE2_BUDGET_MS, STAGE2_RELAXED_BUDGET_MS } from './stage2.js';

/**
 * The `guard:` section of pillars.yaml:
 *
 *   guard:
 *     model: models/my-guard.json      # default: the shipped model
 *     band: [0.35, 0.65]               # topic-score band marked unsure
 *     failClosed: true                 # refuse when the guard itself errors
 *     redact: [email, phone, card]     # PII types that turn an allowed text into `redact` (false: none)
 *     cascade: {target: llama-guard, budgetMs: 800, band: [0.3, 0.7]}
 *     stage2: {enabled: true, budgetMs: 40, band: [0.2, 0.55], head: models/my-stage2.json}
 *                                      # sentence encoder in the unsure band (true/false for short);
 *                                      # default on with a 2000 ms budget, except for `pillars serve`
 *                                      # (opt-in there, 40 ms budget)
 *                                      # and when a cascade is configured (then stage 2 goes first)
 *
 * Every part of Pillars that uses the guard (`pillars serve`, `guard classify`/`bench`, eval
 * `guard` targets, `guard: true` compositions, the red-team defender, the judges' classifier)
 * gets it from here: `configuredGuard` describes it and builds it once, on first use.
 */

const Band = z
  .tuple([z.number().min(0).max(1), z.number().min(0).max(1)])
  .refine(([a, b]) => a <= b, 'band must be [low, high] with low <= high');

export const guardConfigSchema = z
  .object({
    model: z.string().min(1).optional(),
    band: Band.optional(),
    failClosed: z.boolean().default(true),
    redact: z.union([z.array(z.enum(PII_TYPES)), z.literal(false)]).optional(),
    cascade: z
      .object({
        target: z.string().min(1),
        budgetMs: z.number().int().positive().default(800),
        band: Band.optional(),
      })
      .strict()
      .optional(),
    stage2: z
      .union([
        z.boolean(),
        z
          .object({
            enabled: z.boolean().optional(),
            budgetMs: z.number().positive().optional(),
            band: Band.optional(),
            head: z.string().min(1).optional(),
          })
          .strict(),
      ])
      .optional(),
  })
  .strict()
  .default({ failClosed: true });
export type GuardConfig = z.infer<typeof guardConfigSchema>;

/** The `guard:` section, validated and resolved (paths against the config's folder, defaults filled). */
export interface GuardSettings {
  /** The model file (absolute), or null for the shipped model. */
  modelPath: string | null;
  band?: [number, number];
  failClosed: boolean;
  /** PII types redacted (`redact: false` gives []). */
  redact: readonly PiiType[];
  cascade?: { target: string; budgetMs: number; band?: [number, number] };
  /** Stage 2 (sentence encoder), when on: its budget, band and head file (absolute; null for the shipped head). */
  stage2: { budgetMs: number; band?: [number, number]; headPath: string | null } | null;
}

/**
 * `stage2Default`: whether stage 2 is on when the section does not say (true for eval, red team,
 * `guard classify`/`bench`; `pillars serve` passes false: opt-in where latency matters).
 */
export function guardSettings(cfg: LoadedConfig, stage2Default = true): GuardSettings {
  const g = section(cfg, 'guard', guardConfigSchema);
  // `stage2: {...}` turns it on unless it says `enabled: false`; `stage2: true|false` is the short form.
  const s2: { enabled?: boolean; budgetMs?: number; band?: [number, number]; head?: string } = typeof g.stage2 === 'object' ? { enabled: true, ...g.stage2 } : { enabled: g.stage2 };
  const headPath = s2.head ? cfg.resolve(s2.head) : null;
  if (headPath !== null && !existsSync(headPath)) {
    throw new UserError(`guard.stage2.head: file not found`, {
      code: 'config',
      problems: [{ ...cfg.locate(['guard', 'stage2', 'head']), message: `guard.stage2.head: ${headPath} not found (train one with \`npm run train:stage2 -- --out ${s2.head}\`)` }],
    });
  }
  // A configured cascade decides the unsure band unless stage 2 is asked for too (then stage 2 goes first).
  const stage2 = (s2.enabled ?? (stage2Default && !g.cascade))
    ? { budgetMs: s2.budgetMs ?? (stage2Default ? STAGE2_RELAXED_BUDGET_MS : STAGE2_BUDGET_MS), band: s2.band, headPath }
    : null;
  const modelPath = g.model ? cfg.resolve(g.model) : null;
  if (modelPath !== null && !existsSync(modelPath)) {
    throw new UserError(`guard.model: model file not found`, {
      code: 'config',
      problems: [{ ...cfg.locate(['guard', 'model']), message: `guard.model: ${modelPath} not found (train one with \`pillars guard train --out ${g.model}\`)` }],
    });
  }
  return {
    modelPath,
    band: g.band,
    failClosed: g.failClosed,
    redact: g.redact === false ? [] : (g.redact ?? DEFAULT_REDACT),
    ...(g.cascade ? { cascade: { target: g.cascade.target, budgetMs: g.cascade.budgetMs, band: g.cascade.band ?? g.band } } : {}),
    stage2,
  };
}

/** sha256 of a file (the stage-2 head's identity in guard fingerprints); 'missing' when absent. */
const fileHash = (path: string): string => (existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'missing');

/** The configured guard, built on first use and the same object afterwards. */
export interface ConfiguredGuard {
  readonly settings: GuardSettings;
  /** The guard (loads the model on the first call). */
  guard(): PolicyGuard;
  /** sha256 of the guard's model. */
  readonly modelHash: string;
  /**
   * Identifies what decides: the pack, the model's hash, the settings and the cascade target's own
   * fingerprint. Part of the fingerprint (hence the response-cache key) of every target the guard
   * shapes, so changing any of them never reuses a cached answer.
   */
  readonly fingerprint: string;
}

export interface ConfiguredGuardDeps {
  /** The policy pack (default: the configured one, loaded on first use). */
  pack?: PolicyPack;
  /** The configured targets (for the cascade), asked for only when a cascade is configured. */
  targets?: () => Map<string, Target> | undefined;
  /** Stage 2 when the section does not say (default true; `pillars serve` passes false). */
  stage2Default?: boolean;
}

/**
 * Describe the guard a configuration asks for. The section is validated now (a bad value is a
 * FILE:LINE:COL error before any work starts); the model loads when the guard, its hash or its
 * fingerprint is first needed.
 */
export function configuredGuard(cfg: LoadedConfig, deps: ConfiguredGuardDeps = {}): ConfiguredGuard {
  const settings = guardSettings(cfg, deps.stage2Default);
  let built: PolicyGuard | null = null;
  let building = false;
  let fingerprint: string | null = null;

  const cascadeTarget = (): Target | undefined => {
    if (!settings.cascade) return undefined;
    const targets = deps.targets?.();
    const target = targets?.get(settings.cascade.target);
    if (!target) {
      const at = cfg.locate(['guard', 'cascade', 'target']);
      throw new UserError(`guard cascade names an unknown target`, {
        code: 'config',
        problems: [{ ...at, message: `guard.cascade.target: no target "${settings.cascade.target}" is configured${targets ? ` (targets: ${[...targets.keys()].join(', ') || 'none'})` : ''}` }],
      });
    }
    return target;
  };

  // A cascade target that is itself guarded (a `guard` target, a `guard: true` composition) would
  // ask the guard to ask itself.
  const selfReference = (): UserError =>
    new UserError(`guard.cascade.target: "${settings.cascade?.target}" uses the guard itself`, {
      code: 'config',
      problems: [{ ...cfg.locate(['guard', 'cascade', 'target']), message: `guard.cascade.target: "${settings.cascade?.target}" uses the guard itself (a guard target or guard: true); name the plain model instead` }],
    });

  const build = (): PolicyGuard => {
    if (built) return built;
    if (building) throw selfReference();
    building = true;
    try {
      const pack = deps.pack ?? loadPack(cfg.policyPath).pack;
      const model = settings.modelPath ? loadModelCached(settings.modelPath) : loadDefaultModel();
      const target = cascadeTarget();
      // Constructing the cascade target now finds a guarded one (it would ask the guard back).
      if (target) void target.fingerprint;
      const cascade: CascadeConfig | undefined = target && settings.cascade ? { target, budgetMs: settings.cascade.budgetMs, band: settings.cascade.band } : undefined;
      const s2 = settings.stage2;
      const stage2 = s2 ? { budgetMs: s2.budgetMs, band: s2.band, ...(s2.headPath ? { head: loadStage2Cached(s2.headPath) } : {}) } : false;
      built = createGuard({ pack, model, cascade, band: settings.band, failClosed: settings.failClosed, redact: settings.redact, stage2 });
      return built;
    } finally {
      building = false;
    }
  };

  return {
    settings,
    guard: build,
    get modelHash(): string {
      return build().modelHash;
    },
    get fingerprint(): string {
      if (fingerprint !== null) return fingerprint;
      if (building) throw selfReference();
      const g = build();
      const target = cascadeTarget();
      building = true;
      let cascadeFingerprint: string | null;
      try {
        cascadeFingerprint = target ? target.fingerprint : null;
      } finally {
        building = false;
      }
      fingerprint = guardFingerprint(g.pack, g.modelHash, {
        band: settings.band ?? null,
        failClosed: settings.failClosed,
        redact: settings.redact,
        cascade: cascadeFingerprint !== null && settings.cascade ? { target: cascadeFingerprint, budgetMs: settings.cascade.budgetMs, band: settings.cascade.band ?? null } : null,
        ...(g.stage2 ? { stage2: { budgetMs: g.stage2.budgetMs, band: g.stage2.band, head: fileHash(settings.stage2?.headPath ?? defaultStage2Path) } } : {}),
      });
      return fingerprint;
    },
  };
}

/** Build the guard a configuration describes (targets: for the cascade). */
export function guardFromConfig(cfg: LoadedConfig, targets?: Map<string, Target>): PolicyGuard {
  return configuredGuard(cfg, { targets: () => targets }).guard();
}
