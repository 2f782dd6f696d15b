import { z } from 'zod';

/**
 * The `grounding:` section of pillars.yaml: grounding policies (which callers they cover, their
 * thresholds and action) and the optional LLM judge asked in the unsure band.
 *
 * ```yaml
 * grounding:
 *   judge: {target: judge-model, budgetMs: 1500, band: [0.3, 0.75]}
 *   policies:
 *     - id: support-bot
 *       models: [support-rag]      # or keys: [key ids], tiers: [...]; none: every request with sources
 *       minGrounding: 0.5
 *       minRelevance: 0.2
 *       action: deflect            # annotate | deflect | refuse
 *       message: I can only answer from our help-centre articles, and they don't cover that.
 * ```
 */

export const GroundingAction = z.enum(['annotate', 'deflect', 'refuse']);
export type GroundingAction = z.infer<typeof GroundingAction>;

/** Embedded grounding threshold set on the tuning split of data/grounding (bench/grounding.ts). */
export const DEFAULT_MIN_GROUNDING = 0.5;
export const DEFAULT_MIN_RELEVANCE = 0.2;
/** Scores in this band go to the LLM judge when one is configured. */
export const DEFAULT_BAND: [number, number] = [0.3, 0.75];

export const GroundingPolicy = z
  .object({
    id: z.string().regex(/^[a-z0-9_.-]+$/, 'must be a lowercase identifier, e.g. support-bot'),
    keys: z.array(z.string().min(1)).optional().describe('API key ids this policy covers'),
    tiers: z.array(z.string().min(1)).optional().describe('Tiers this policy covers'),
    models: z.array(z.string().min(1)).optional().describe('Requested model names (routes) this policy covers'),
    minGrounding: z.number().min(0).max(1).default(DEFAULT_MIN_GROUNDING),
    minRelevance: z.number().min(0).max(1).default(DEFAULT_MIN_RELEVANCE),
    action: GroundingAction.default('annotate'),
    message: z.string().min(1).optional().describe('Shown instead of an ungrounded answer (deflect / refuse)'),
  })
  .strict();
export type GroundingPolicy = z.infer<typeof GroundingPolicy>;

export const GroundingConfig = z
  .object({
    policies: z.array(GroundingPolicy).default([]),
    judge: z
      .object({
        target: z.string().min(1),
        budgetMs: z.number().int().positive().default(2000),
        band: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type GroundingConfig = z.infer<typeof GroundingConfig>;
export type GroundingConfigInput = z.input<typeof GroundingConfig>;

/** Who is asking: the first policy whose lists all match (an absent list matches everyone). */
export function policyFor(policies: readonly GroundingPolicy[], who: { keyId: string | null; tier: string; model?: string }): GroundingPolicy | null {
  for (const p of policies) {
    if (p.keys && !(who.keyId && p.keys.includes(who.keyId))) continue;
    if (p.tiers && !p.tiers.includes(who.tier)) continue;
    if (p.models && !(who.model && p.models.includes(who.model))) continue;
    return p;
  }
  return null;
}
