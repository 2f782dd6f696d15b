import { readFileSync } from 'node:fs';
import { featurize, type SparseVector } from '../classifier/index.js';
import { trainSoftmax } from '../classifier/index.js';
import { UserError } from '../core/errors.js';
import { prng, shuffle } from '../core/random.js';
import type { PlainCategory } from '../policy/schema.js';
import { categoryProbability, type CategoryLogRow, type CategoryModel, type CategoryModels } from './categories.js';

/**
 * `pillars guard distil`: train the embedded stage of plain-words categories from the LLM judge's
 * logged decisions (and the pack's examples and counter-examples), so the judge is needed less.
 * Per category: logistic regression on the classifier engine's hashed features, then the band
 * in which the model still asks the judge, chosen on a held-out fifth of the judged rows: the
 * narrowest band outside which the model agrees with the judge on at least `minAgreement` of the
 * rows it would decide alone.
 */

export interface DistilReport {
  category: string;
  judged: number;
  positives: number;
  heldOut: number;
  /** Agreement with the judge on held-out rows decided alone. */
  agreement: number;
  /** Share of held-out rows the model decides alone. */
  alone: number;
  band: [number, number];
}

export function readCategoryLog(path: string): CategoryLogRow[] {
  const rows: CategoryLogRow[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      let r: Partial<CategoryLogRow>;
      try {
        r = JSON.parse(line) as Partial<CategoryLogRow>;
      } catch (e) {
        throw new UserError(`${path}:${i + 1}: not JSON (${(e as Error).message})`);
      }
      if (typeof r.category !== 'string' || typeof r.text !== 'string' || typeof r.match !== 'boolean') throw new UserError(`${path}:${i + 1}: expected {category, text, match, by}`);
      rows.push(r as CategoryLogRow);
    });
  return rows;
}

export function distilCategories(input: { categories: readonly PlainCategory[]; log: readonly CategoryLogRow[]; minAgreement?: number; seed?: number }): { models: CategoryModels; reports: DistilReport[] } {
  const minAgreement = input.minAgreement ?? 0.95;
  const out: CategoryModel[] = [];
  const reports: DistilReport[] = [];
  for (const c of input.categories) {
    // The judge's labels, latest per text; the model's own decisions teach nothing.
    const byText = new Map<string, boolean>();
    for (const r of input.log) if (r.category === c.id && r.by === 'judge') byText.set(r.text, r.match);
    if (byText.size < 10) throw new UserError(`category ${c.id}: only ${byText.size} judged decision(s) in the log; distil needs at least 10`, { code: 'usage' });
    const judged = shuffle([...byText.entries()], prng(input.seed ?? 7));
    const nHeld = Math.max(2, Math.round(judged.length * 0.2));
    const held = judged.slice(0, nHeld);
    const train = judged.slice(nHeld);
    // Ruled-out texts are negatives too (a little weight: they were never in doubt).
    const ruled = [...new Set(input.log.filter((r) => r.category === c.id && r.by === 'ruled-out').map((r) => r.text))].slice(0, train.length);
    const xs: SparseVector[] = [];
    const ys: number[] = [];
    const ws: number[] = [];
    const add = (t: string, y: boolean, w: number): void => {
      xs.push(featurize(t));
      ys.push(y ? 1 : 0);
      ws.push(w);
    };
    for (const [t, y] of train) add(t, y, 1);
    for (const e of c.examples) add(e, true, 1);
    add(c.definition, true, 0.5);
    for (const e of c.counterExamples) add(e, false, 1);
    for (const t of ruled) add(t, false, 0.3);
    const head = trainSoftmax(xs, ys, 2, { epochs: 30, lr: 0.3, l2: 1e-4, seed: input.seed ?? 7 }, ws);
    const indices: number[] = [];
    const weights: number[] = [];
    for (let i = 0; i < head.w.length / 2; i++) {
      const d = head.w[i * 2 + 1]! - head.w[i * 2]!;
      if (Math.abs(d) > 1e-6) {
        indices.push(i);
        weights.push(d);
      }
    }
    const model: CategoryModel = { category: c.id, indices, weights, bias: head.b[1]! - head.b[0]!, band: [0.5, 0.5], trainedOn: xs.length };
    // The band: widen symmetric steps around 0.5 until the rows decided alone agree enough.
    const scored = held.map(([t, y]) => ({ p: categoryProbability(model, featurize(t)), y }));
    let band: [number, number] = [0.5, 0.5];
    let agreement = 0;
    let alone = 0;
    for (const half of [0, 0.1, 0.2, 0.3, 0.4, 0.45, 0.49]) {
      const b: [number, number] = [0.5 - half, 0.5 + half];
      const decided = scored.filter((s) => s.p < b[0] || s.p >= b[1]);
      const agree = decided.filter((s) => (s.p >= 0.5) === s.y).length;
      band = b;
      agreement = decided.length ? agree / decided.length : 1;
      alone = decided.length / scored.length;
      if (agreement >= minAgreement) break;
    }
    model.band = band;
    model.agreement = agreement;
    out.push(model);
    reports.push({ category: c.id, judged: judged.length, positives: judged.filter(([, y]) => y).length, heldOut: held.length, agreement, alone, band });
  }
  return { models: { version: 1, categories: out }, reports };
}
