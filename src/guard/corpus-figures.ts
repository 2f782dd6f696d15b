import type { CorpusPrompt } from '../classifier/index.js';
import type { ClassifierModel } from '../classifier/index.js';
import type { PolicyPack } from '../policy/schema.js';
import { decide } from './decide.js';

/**
 * Safe/unsafe figures of a guard on corpus rows, per source: a row is flagged when the guard's
 * action (public tier, no context) is deflect or refuse. Rows with `binary: false` (specialized
 * advice: answered with care, not blocked) are left out.
 */

export interface SourceFigures {
  n: number;
  unsafe: number;
  safe: number;
  /** Share of unsafe rows flagged (null without unsafe rows). */
  recall: number | null;
  /** Share of safe rows flagged (null without safe rows). */
  over_refusal: number | null;
  precision: number | null;
  f1: number | null;
}

const r4 = (x: number): number => Math.round(x * 10000) / 10000;

export function figuresOf(tp: number, fn: number, fp: number, tn: number): SourceFigures {
  const unsafe = tp + fn;
  const safe = fp + tn;
  const recall = unsafe > 0 ? tp / unsafe : null;
  const precision = tp + fp > 0 ? tp / (tp + fp) : unsafe > 0 ? 0 : null;
  const f1 = recall !== null && precision !== null && unsafe > 0 && safe > 0 ? (precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0) : null;
  return {
    n: unsafe + safe,
    unsafe,
    safe,
    recall: recall === null ? null : r4(recall),
    over_refusal: safe > 0 ? r4(fp / safe) : null,
    precision: precision === null ? null : r4(precision),
    f1: f1 === null ? null : r4(f1),
  };
}

/** Flagged or not, for every binary row. */
export function flagRows(pack: PolicyPack, model: ClassifierModel, rows: CorpusPrompt[], now = new Date()): { row: CorpusPrompt; flagged: boolean }[] {
  return rows
    .filter((r) => r.binary)
    .map((row) => {
      const { decision } = decide({ pack, model, text: row.text, now, redact: [] });
      return { row, flagged: decision.action === 'refuse' || decision.action === 'deflect' };
    });
}

/** Figures per source (and `all`). */
export function sourceFigures(flags: { row: CorpusPrompt; flagged: boolean }[]): Record<string, SourceFigures> {
  const acc = new Map<string, [number, number, number, number]>();
  for (const { row, flagged } of flags) {
    for (const key of [row.source, 'all']) {
      const c = acc.get(key) ?? [0, 0, 0, 0];
      const i = row.label === 'unsafe' ? (flagged ? 0 : 1) : flagged ? 2 : 3;
      c[i]!++;
      acc.set(key, c);
    }
  }
  return Object.fromEntries([...acc.entries()].sort((a, b) => (a[0] === 'all' ? 1 : b[0] === 'all' ? -1 : a[0] < b[0] ? -1 : 1)).map(([k, c]) => [k, figuresOf(...c)]));
}
