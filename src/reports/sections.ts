import { z } from 'zod';

/**
 * Optional report sections other features add to `ReportData.sections` (the core contract types them
 * as `unknown`). The red-team and frontier helpers fill these shapes; every report format renders them
 * when present and valid. A section with another key, or one that does not match its schema, is still
 * shown (as JSON in the HTML report) so nothing a feature writes is silently dropped.
 */

const Turn = z.object({ role: z.string(), content: z.string() });

/** `sections.redteam`: attack success per policy and strategy, and the shortest successful transcripts. */
export const RedteamSection = z.object({
  title: z.string().optional(),
  /** Totals over every attack attempt. */
  attempts: z.number().int().nonnegative(),
  successes: z.number().int().nonnegative(),
  by_policy_strategy: z.array(
    z.object({
      policy: z.string(),
      strategy: z.string(),
      attempts: z.number().int().nonnegative(),
      successes: z.number().int().nonnegative(),
    }),
  ),
  /** Successful attacks, shortest first (fewest turns); the report shows them as transcripts. */
  shortest_successes: z
    .array(
      z.object({
        id: z.string(),
        policy: z.string(),
        strategy: z.string(),
        transcript: z.array(Turn),
        judge: z.object({ label: z.string(), score: z.number(), reasons: z.array(z.string()) }).optional(),
      }),
    )
    .default([]),
});
export type RedteamSection = z.input<typeof RedteamSection>;

/** `sections.frontier`: capability scores per domain against their thresholds, and cases sent to review. */
export const FrontierSection = z.object({
  title: z.string().optional(),
  domains: z.array(
    z.object({
      domain: z.string(),
      score: z.number(),
      threshold: z.number(),
      /** `max` (default): the score must stay at or below the threshold; `min`: at or above it. */
      direction: z.enum(['max', 'min']).optional(),
      passed: z.boolean(),
      /** Number of tasks or items behind the score. */
      n: z.number().int().nonnegative().optional(),
      notes: z.string().optional(),
    }),
  ),
  review_cases: z
    .array(
      z.object({
        id: z.string(),
        domain: z.string(),
        status: z.string(),
        reason: z.string(),
        summary: z.string().optional(),
      }),
    )
    .default([]),
});
export type FrontierSection = z.input<typeof FrontierSection>;

/** `sections.agreement`: each judge's agreement with the human labels the items carried. */
export const AgreementSection = z.object({
  judges: z.array(
    z.object({
      judge: z.string(),
      labelKey: z.string(),
      n: z.number().int().nonnegative(),
      agreement: z.number().nullable(),
      kappa: z.number().nullable(),
      errors: z.number().int().nonnegative(),
    }),
  ),
});
export type AgreementSection = z.input<typeof AgreementSection>;

/** Parsed known sections, plus the raw ones that are unknown or malformed. */
export interface ParsedSections {
  redteam?: z.output<typeof RedteamSection>;
  frontier?: z.output<typeof FrontierSection>;
  agreement?: z.output<typeof AgreementSection>;
  other: { key: string; value: unknown; problem?: string }[];
}

export function parseSections(sections: Record<string, unknown> | undefined): ParsedSections {
  const out: ParsedSections = { other: [] };
  for (const [key, value] of Object.entries(sections ?? {})) {
    const schema = key === 'redteam' ? RedteamSection : key === 'frontier' ? FrontierSection : key === 'agreement' ? AgreementSection : null;
    if (!schema) {
      out.other.push({ key, value });
      continue;
    }
    const r = schema.safeParse(value);
    if (!r.success) {
      const issue = r.error.issues[0];
      out.other.push({ key, value, problem: issue ? `${issue.path.join('.') || key}: ${issue.message}` : 'does not match its schema' });
    } else if (key === 'redteam') out.redteam = r.data as z.output<typeof RedteamSection>;
    else if (key === 'agreement') out.agreement = r.data as z.output<typeof AgreementSection>;
    else out.frontier = r.data as z.output<typeof FrontierSection>;
  }
  return out;
}

/** Attack success rate, or null without attempts. */
export function asr(successes: number, attempts: number): number | null {
  return attempts > 0 ? successes / attempts : null;
}
