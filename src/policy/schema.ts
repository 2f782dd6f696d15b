import { z } from 'zod';
import { Action, LevelSchema, PillarId, Severity } from '../core/pillars.js';

/**
 * The policy-pack schema: the single source of the pack's types (z.infer) and of the exported
 * JSON Schema (`pillars policy schema`). Cross-field rules (duplicate ids, unknown tiers, expired
 * exceptions) live in validate.ts, where they can point at a line.
 */

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
export const Semver = z.string().regex(SEMVER, 'must be a semantic version like 1.2.0');

/** YAML may give a date as a string or a Date; we keep ISO `YYYY-MM-DD`. */
export const IsoDate = z.preprocess(
  (v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v),
  z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2027-12-31'),
);

/** `{0: allow, 1: allow, 2: deflect, 3: refuse}`: every level 0-3 has an action. */
export const LevelLadder = z
  .record(z.string(), Action)
  .superRefine((ladder, ctx) => {
    const outside = Object.keys(ladder).filter((k) => !/^[0-3]$/.test(k));
    const missing = ['0', '1', '2', '3'].filter((k) => !(k in ladder));
    const also = missing.length ? `; level${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'have' : 'has'} no action` : '';
    // One problem per mistake: a level 4 that replaced level 3 is one line, not two.
    outside.forEach((k, i) => {
      ctx.addIssue({ code: 'custom', message: `level ${k} is outside 0-3 (0 awareness, 1 educational, 2 technical, 3 operational)${i === 0 ? also : ''}`, path: [k] });
    });
    if (outside.length === 0 && missing.length > 0) ctx.addIssue({ code: 'custom', message: `every level 0-3 needs an action${also}`, path: [] });
  })
  .describe('Action at each specificity level: 0 awareness, 1 educational, 2 technical detail, 3 operational');
export type LevelLadder = Record<'0' | '1' | '2' | '3', Action>;

export const Monitoring = z.enum(['none', 'standard', 'full']);

export const PolicyException = z
  .object({
    context: z.string().min(1).describe('Named context a caller declares, e.g. vetted-research'),
    tiers: z.array(z.string().min(1)).min(1).describe('Access tiers that may invoke this context'),
    upTo: LevelSchema.describe('Highest specificity level this exception unlocks'),
    monitoring: Monitoring.default('full'),
    adapter: z.string().min(1).optional().describe('Model adapter (e.g. a LoRA name) to route to'),
    approver: z.string().min(1).optional(),
    expires: IsoDate.optional(),
    note: z.string().optional(),
  })
  .strict();
export type PolicyException = z.infer<typeof PolicyException>;

export const PolicyExample = z
  .object({
    text: z.string().min(1),
    level: LevelSchema,
    lang: z.string().default('en'),
    /** `train` (default) or `test` (held out: training never sees it). */
    split: z.enum(['train', 'test']).optional(),
    tags: z.array(z.string()).optional(),
  })
  .strict();
export type PolicyExample = z.infer<typeof PolicyExample>;

/** AILuminate v1.0 hazard codes (MLCommons): the `hazard` column of the AILuminate prompt sets. */
export const MLCOMMONS_HAZARDS = [
  'vcr', 'ncr', 'src', 'cse', 'dfm', 'spc_ele', 'spc_fin', 'spc_hlt', 'spc_lgl', 'prv', 'ipv', 'iwp', 'hte', 'ssh', 'sxc_prn',
] as const;
/** Llama Guard 3 categories S1 (violent crimes) … S14 (code interpreter abuse). */
export const LLAMAGUARD3_CATEGORIES = ['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7', 'S8', 'S9', 'S10', 'S11', 'S12', 'S13', 'S14'] as const;
/** OpenAI moderation categories (omni-moderation). */
export const OPENAI_MODERATION_CATEGORIES = [
  'harassment', 'harassment/threatening', 'hate', 'hate/threatening', 'illicit', 'illicit/violent',
  'self-harm', 'self-harm/intent', 'self-harm/instructions', 'sexual', 'sexual/minors', 'violence', 'violence/graphic',
] as const;

/**
 * Where a policy sits in external hazard taxonomies, so results can be compared with benchmarks
 * and moderation APIs that use them. An empty list says "no counterpart in this taxonomy";
 * a missing key says "not mapped".
 */
export const TaxonomyMapping = z
  .object({
    mlcommons: z.array(z.enum(MLCOMMONS_HAZARDS)).optional().describe('MLCommons AILuminate v1.0 hazard codes, e.g. vcr, ncr, spc_hlt'),
    llamaguard3: z.array(z.enum(LLAMAGUARD3_CATEGORIES)).optional().describe('Llama Guard 3 categories S1-S14'),
    openai: z.array(z.enum(OPENAI_MODERATION_CATEGORIES)).optional().describe('OpenAI moderation categories, e.g. violence, illicit'),
  })
  .strict()
  .describe('Mapping of the policy to external hazard taxonomies (MLCommons AILuminate, Llama Guard 3, OpenAI moderation)');
export type TaxonomyMapping = z.infer<typeof TaxonomyMapping>;

/** Regulation / framework reference: `framework:clause`, e.g. `eu-ai-act:art-55`. */
export const RegulationRef = z.string().regex(/^[a-z0-9-]+(:[A-Za-z0-9._-]+)?$/, 'must look like eu-ai-act:art-55');

export const Policy = z
  .object({
    id: z.string().regex(/^[a-z0-9_]+(\.[a-z0-9_-]+)*$/, 'must be lowercase dotted, e.g. safety.cbrn'),
    pillar: PillarId,
    title: z.string().min(1),
    description: z.string().optional(),
    severity: Severity,
    topic: z.string().regex(/^[a-z0-9_]+$/, 'must be a lowercase identifier, e.g. cbrn'),
    boundary: z.object({ disallowed: z.string().min(1), allowed: z.string().min(1) }).strict(),
    levels: LevelLadder,
    exceptions: z.array(PolicyException).default([]),
    regulations: z.array(RegulationRef).default([]),
    taxonomy: TaxonomyMapping.optional(),
    owners: z.array(z.string()).optional(),
    /** Safe alternative offered on `deflect` (e.g. the educational answer, a helpline). */
    deflection: z.string().optional(),
    /** Help resources (e.g. crisis lines) said once with every deflect or refuse of this policy. */
    help: z.string().optional().describe('Help resources (e.g. crisis lines) added once to every deflection or refusal of this policy'),
    examples: z.array(PolicyExample).default([]),
  })
  .strict();
export type Policy = z.infer<typeof Policy>;

/**
 * Bulk labelled examples (training data for the guard), usually in their own files of a pack folder.
 * `policy: null` marks a benign look-alike that no policy covers.
 */
export const PackExample = z
  .object({
    text: z.string().min(1),
    policy: z.string().nullable(),
    level: LevelSchema.default(0),
    lang: z.string().default('en'),
    split: z.enum(['train', 'test']).optional(),
    tags: z.array(z.string()).optional(),
  })
  .strict();
export type PackExample = z.infer<typeof PackExample>;

/** Labelled model responses for the refusal/compliance head. */
export const ResponseExample = z
  .object({
    prompt: z.string().optional(),
    text: z.string().min(1),
    label: z.enum(['refused', 'complied', 'deflected', 'partial']),
    lang: z.string().default('en'),
    split: z.enum(['train', 'test']).optional(),
  })
  .strict();
export type ResponseExample = z.infer<typeof ResponseExample>;

export const ChangelogEntry = z.object({ version: Semver, date: IsoDate, note: z.string().min(1) }).strict();

export const Regulation = z
  .object({ id: RegulationRef, title: z.string(), url: z.string().optional() })
  .strict();

export const ContextDef = z.object({ id: z.string(), description: z.string() }).strict();

/**
 * What an assistant is for (issue 18): a description and examples of requests it serves; requests
 * out of scope get `deflection`. Bound to API keys or routes in pillars.yaml (`scope.bindings`).
 */
export const ScopeDef = z
  .object({
    id: z.string().regex(/^[a-z0-9_.-]+$/, 'must be a lowercase identifier, e.g. billing-assistant'),
    description: z.string().min(1).describe('What the assistant is for, in plain words'),
    examples: z.array(z.string().min(1)).min(1).describe('Requests it serves'),
    outOfScope: z.array(z.string().min(1)).default([]).describe('Requests it does not serve (near misses help most)'),
    deflection: z.string().min(1).describe('The answer to an out-of-scope request'),
  })
  .strict();
export type ScopeDef = z.infer<typeof ScopeDef>;

/**
 * A category written in plain words (issue 18): a definition and a few examples, decided by the
 * LLM cascade until `pillars guard distil` has trained the embedded classifier from its logged
 * decisions.
 */
export const PlainCategory = z
  .object({
    id: z.string().regex(/^[a-z0-9_.-]+$/, 'must be a lowercase identifier, e.g. competitor-talk'),
    definition: z.string().min(1).describe('What falls in the category, in plain words'),
    examples: z.array(z.string().min(1)).min(1).describe('Requests in the category'),
    counterExamples: z.array(z.string().min(1)).default([]).describe('Look-alikes that are not'),
    action: z.enum(['refuse', 'deflect']).default('refuse'),
    message: z.string().min(1).optional().describe('Shown to the caller on refuse / deflect'),
  })
  .strict();
export type PlainCategory = z.infer<typeof PlainCategory>;

export const PolicyPack = z
  .object({
    $schema: z.string().optional(),
    id: z.string().regex(/^[a-z0-9_-]+$/, 'must be a lowercase identifier'),
    name: z.string().optional(),
    description: z.string().optional(),
    version: Semver,
    owners: z.array(z.string()).min(1),
    tiers: z.array(z.string().min(1)).min(1),
    contexts: z.array(ContextDef).optional(),
    regulations: z.array(Regulation).optional(),
    policies: z.array(Policy).min(1),
    examples: z.array(PackExample).default([]),
    responses: z.array(ResponseExample).default([]),
    changelog: z.array(ChangelogEntry).default([]),
    scopes: z.array(ScopeDef).optional(),
    categories: z.array(PlainCategory).optional(),
  })
  .strict();
export type PolicyPack = z.infer<typeof PolicyPack>;
export type PolicyPackInput = z.input<typeof PolicyPack>;

/** Action at a level, typed. */
export function actionAt(policy: Policy, level: number): Action {
  return (policy.levels as Record<string, Action>)[String(level)] ?? 'refuse';
}
