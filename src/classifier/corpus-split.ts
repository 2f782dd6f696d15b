import type { CorpusPrompt } from './corpus.js';

/**
 * Splits of a corpus: a deterministic held-out share of every source, drawn per group (so the
 * translations of a prompt, or a jailbreak wrapper and the question it wraps, land on the same
 * side), and leave-one-source-out folds (a left-out source takes every group it touches with it).
 */

/** FNV-1a of a string with a seed, as a draw in [0, 1). */
export function groupDraw(group: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < group.length; i++) {
    h ^= group.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) / 4294967296;
}

/** Held out: the row's own `split` when it has one, else a `fraction` of groups by hash. */
export function isHeldOut(row: Pick<CorpusPrompt, 'group' | 'split'>, fraction: number, seed = 0): boolean {
  if (row.split) return row.split === 'test';
  return groupDraw(row.group, seed) < fraction;
}

/** Rows of `source`, and every row that shares a group with one of them. */
export function leaveOut(rows: CorpusPrompt[], source: string): { kept: CorpusPrompt[]; out: CorpusPrompt[] } {
  const groups = new Set(rows.filter((r) => r.source === source).map((r) => r.group));
  const kept: CorpusPrompt[] = [];
  const out: CorpusPrompt[] = [];
  for (const r of rows) (r.source === source ? out : groups.has(r.group) ? null : kept)?.push(r);
  return { kept, out };
}
