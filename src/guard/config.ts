import { existsSync } from 'node:fs';
import { z } from 'zod';
import { loadDefaultModel, loadModelCached } from '../classifier/index.js';
import { section, type LoadedConfig } from '../config/load.js';
import { UserError } from '../core/errors.js';
import type { Target } from '../core/types.js';
import { loadPack } from '../policy/load.js';
import type { PolicyPack } from '../policy/schema.js';
import type { CascadeConfig } from './cascade.js';
import { guardFingerprint } from './identity.js';
import { createGuard, DEFAULT_REDACT, type PolicyGuard } from './index.js';
import { PII_TYPES, type PiiType } from './pii.js';

/**
 * The `guard:` section of pillars.yaml:
 *
 *   guard:
 *     model: models/my-guard.json      # default: the shipped model
 *     band: [0.35, 0.65]               # topic-score band marked unsure
 *     failClosed: true                 # refuse when the guard itself errors
 *     redact: [email, phone, card]     # PII types that turn an allowed text into `redact` (false: none)
 *     cascade: {target: llama-guard, budgetMs: 800, band: [0.3, 0.7]}
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
}

export function guardSettings(cfg: LoadedConfig): GuardSettings {
  const g = section(cfg, 'guard', guardConfigSchema);
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
  };
}

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
}

/**
 * Describe the guard a configuration asks for. The section is validated now (a bad value is a
 * FILE:LINE:COL error before any work starts); the model loads when the guard, its hash or its
 * fingerprint is first needed.
 */
export function configuredGuard(cfg: LoadedConfig, deps: ConfiguredGuardDeps = {}): ConfiguredGuard {
  const settings = guardSettings(cfg);
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
      built = createGuard({ pack, model, cascade, band: settings.band, failClosed: settings.failClosed, redact: settings.redact });
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
      });
      return fingerprint;
    },
  };
}

/** Build the guard a configuration describes (targets: for the cascade). */
export function guardFromConfig(cfg: LoadedConfig, targets?: Map<string, Target>): PolicyGuard {
  return configuredGuard(cfg, { targets: () => targets }).guard();
}
