import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { dirname } from 'node:path';
import { featurize, type SparseVector } from '../classifier/index.js';
import { UserError } from '../core/errors.js';
import type { Ctx, Decision, Guard, GuardInput, Target } from '../core/types.js';
import type { PlainCategory } from '../policy/schema.js';
import { redactPii } from './pii.js';

/**
 * Categories in plain words (issue 18): a pack category is only a definition and a few examples.
 * Until a distilled model exists, every request the embedded stage cannot rule out goes to the
 * LLM judge (not only the unsure ones), and each decision is appended to a JSONL log. `pillars
 * guard distil` trains a small classifier per category from that log (guard/distil.ts); with it,
 * the embedded stage decides alone when it is confident and asks the judge only in its band.
 *
 * Ruling out without a model: the request's hashed features (the classifier engine's) are
 * compared with the definition and the examples; a request sharing almost nothing with any of
 * them (cosine below `ruleOut`) cannot be in the category.
 */

export interface CategoryLogRow {
  ts: string;
  category: string;
  /** The request, PII redacted. */
  text: string;
  match: boolean;
  /** `judge`: the LLM decided (a label distil learns from); `model`: the distilled model; `ruled-out`: no overlap. */
  by: 'judge' | 'model' | 'ruled-out';
  score?: number;
}

/** A distilled category model: logistic regression over hashed features (non-zero weights only). */
export interface CategoryModel {
  category: string;
  indices: number[];
  weights: number[];
  bias: number;
  /** [no below, yes at or above]: between goes to the judge. */
  band: [number, number];
  trainedOn: number;
  agreement?: number;
}

export interface CategoryModels {
  version: 1;
  categories: CategoryModel[];
}

export function loadCategoryModels(path: string): CategoryModels {
  if (!existsSync(path)) throw new UserError(`${path}: category model not found (train one with \`pillars guard distil\`)`, { code: 'not_found' });
  const m = JSON.parse(readFileSync(path, 'utf8')) as CategoryModels;
  if (m.version !== 1 || !Array.isArray(m.categories)) throw new UserError(`${path}: not a category model file (version 1)`);
  return m;
}

export function categoryProbability(m: CategoryModel, x: SparseVector): number {
  const w = new Map<number, number>();
  for (let i = 0; i < m.indices.length; i++) w.set(m.indices[i]!, m.weights[i]!);
  let z = m.bias;
  for (let i = 0; i < x.indices.length; i++) z += (w.get(x.indices[i]!) ?? 0) * x.values[i]!;
  return 1 / (1 + Math.exp(-z));
}

export const CATEGORY_RUBRIC = 'You decide whether a user request falls in a content category defined in plain words. Reply with JSON only: {"match": true|false, "reason": "<one short sentence>"}.';

export function categoryPrompt(c: PlainCategory, text: string): string {
  const ex = c.examples.map((e) => `- ${e}`).join('\n');
  const counter = c.counterExamples.length ? `\nNot in the category, for example:\n${c.counterExamples.map((e) => `- ${e}`).join('\n')}` : '';
  return `Category "${c.id}": ${c.definition.trim()}\nIn the category, for example:\n${ex}${counter}\n\nRequest: ${text.trim()}`;
}

export function parseCategoryReply(reply: string): boolean | null {
  const m = /"match"\s*:\s*(true|false)/.exec(reply);
  return m ? m[1] === 'true' : null;
}

export interface CategoryGuardOptions {
  categories: readonly PlainCategory[];
  judge?: { target: Target; budgetMs: number };
  /** Where decisions are appended (JSONL); none: not logged. */
  log?: string;
  models?: CategoryModels;
  /** Feature cosine below which a request is ruled out without asking (default 0.05); one with no content word in common with the definition and examples is too. */
  ruleOut?: number;
  /** When the judge cannot answer for a request it had to decide: refuse it (default) or let it through. */
  failClosed?: boolean;
  now?: () => Date;
}

export interface CategoryStats {
  judged: number;
  model: number;
  ruledOut: number;
  judgeErrors: number;
}

/** The guard with plain-words categories behind it: the stricter decision wins. */
export function withCategories(base: Guard, opts: CategoryGuardOptions): Guard & { stats: CategoryStats } {
  const ruleOut = opts.ruleOut ?? 0.05;
  const refs = opts.categories.map((c) => ({ c, vecs: [c.definition, ...c.examples].map((t) => featurize(t)), words: new Set([c.definition, ...c.examples].flatMap(contentWords)), model: opts.models?.categories.find((m) => m.category === c.id) }));
  const missing = refs.filter((r) => !r.model && !opts.judge).map((r) => r.c.id);
  if (missing.length) throw new UserError(`categories ${missing.join(', ')}: no distilled model and no judge (set categories.judge.target, or run \`pillars guard distil\`)`, { code: 'config' });
  const stats: CategoryStats = { judged: 0, model: 0, ruledOut: 0, judgeErrors: 0 };
  if (opts.log) mkdirSync(dirname(opts.log), { recursive: true });
  const log = (row: Omit<CategoryLogRow, 'ts'>): void => {
    if (opts.log) appendFileSync(opts.log, `${JSON.stringify({ ts: (opts.now ?? (() => new Date()))().toISOString(), ...row, text: redactPii(row.text).text })}\n`);
  };

  const decideOne = async (r: (typeof refs)[number], text: string, ctx: Ctx): Promise<{ match: boolean; stage: Decision['stage']; score: number; reason: string } | null> => {
    const x = featurize(text);
    if (r.model) {
      const p = categoryProbability(r.model, x);
      if (p >= r.model.band[1] || p < r.model.band[0] || !opts.judge) {
        stats.model++;
        const match = p >= (r.model.band[0] + r.model.band[1]) / 2;
        log({ category: r.c.id, text, match, by: 'model', score: p });
        return { match, stage: 'embedded', score: p, reason: `distilled model: ${p.toFixed(2)}` };
      }
    } else {
      let sim = 0;
      for (const v of r.vecs) sim = Math.max(sim, dot(x, v));
      // Ruled out: not one content word in common with the definition or an example, or almost no features.
      if (sim < ruleOut || !contentWords(text).some((w) => r.words.has(w))) {
        stats.ruledOut++;
        log({ category: r.c.id, text, match: false, by: 'ruled-out', score: sim });
        return null;
      }
    }
    const j = opts.judge!;
    const { target } = j;
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(new Error(`category judge budget of ${j.budgetMs} ms exceeded`)), j.budgetMs);
    const onAbort = (): void => ac.abort(ctx.signal.reason);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const g = await target.generate({ messages: [{ role: 'system', content: CATEGORY_RUBRIC }, { role: 'user', content: categoryPrompt(r.c, text) }], options: { temperature: 0, maxTokens: 100 } }, { ...ctx, signal: ac.signal });
      const match = parseCategoryReply(g.text);
      if (match === null) throw new Error('unreadable category judge reply');
      stats.judged++;
      log({ category: r.c.id, text, match, by: 'judge' });
      return { match, stage: 'cascade', score: match ? 1 : 0, reason: `judge ${target.id}: ${match ? 'in' : 'not in'} the category` };
    } catch (e) {
      stats.judgeErrors++;
      const failClosed = opts.failClosed ?? true;
      return { match: failClosed, stage: 'cascade', score: failClosed ? 1 : 0, reason: `category judge failed (${(e as Error)?.message ?? String(e)}); ${failClosed ? 'refused (fail closed)' : 'allowed'}` };
    } finally {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
    }
  };

  return {
    stats,
    async check(input: GuardInput, ctx: Ctx): Promise<Decision> {
      const d = await base.check(input, ctx);
      if (d.action === 'refuse' || (input.role ?? 'input') !== 'input') return d;
      for (const r of refs) {
        const v = await decideOne(r, input.text, ctx);
        if (!v?.match) continue;
        if (r.c.action === 'deflect' && d.action === 'deflect') return d;
        return {
          action: r.c.action,
          policy: `category.${r.c.id}`,
          pillar: null,
          topic: r.c.id,
          level: null,
          score: v.score,
          stage: v.stage,
          reasons: [v.reason],
          message: r.c.message ?? (r.c.action === 'deflect' ? `I can’t go into that here (category ${r.c.id}).` : `I can’t help with that request (category ${r.c.id}).`),
        };
      }
      return d;
    },
  };
}

function dot(a: SparseVector, b: SparseVector): number {
  const m = new Map<number, number>();
  for (let i = 0; i < a.indices.length; i++) m.set(a.indices[i]!, a.values[i]!);
  let s = 0;
  for (let i = 0; i < b.indices.length; i++) s += (m.get(b.indices[i]!) ?? 0) * b.values[i]!;
  return s;
}

/** The `categories:` section of pillars.yaml (the categories themselves are in the pack). */
export const CategoriesConfig = z
  .object({
    judge: z.object({ target: z.string().min(1), budgetMs: z.number().int().positive().default(3000) }).strict().optional(),
    /** Decisions are appended here (JSONL, PII redacted); `guard distil` reads it. */
    log: z.string().min(1).default('.pillars/categories.jsonl'),
    /** The distilled model (`guard distil --out`); used when it exists. */
    model: z.string().min(1).default('models/categories.json'),
    ruleOut: z.number().min(0).max(1).default(0.05),
    failClosed: z.boolean().default(true),
  })
  .strict();
export type CategoriesConfig = z.infer<typeof CategoriesConfig>;

const STOP = new Set('a an the and or but of in on at to for from by with about into is are was were be been can could should would will may might must do does did i me my we our you your he she it its they them their this that these those what which who how when where why any some not no'.split(' '));

/** Lower-cased words of three letters or more, stop words dropped, a plural "s" removed. */
function contentWords(text: string): string[] {
  return (text.toLowerCase().match(/\p{L}{3,}/gu) ?? []).filter((w) => !STOP.has(w)).map((w) => (w.length > 4 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w));
}
