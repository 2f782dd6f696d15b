import { absolutes, antonymsOf, clauses, conditional, contentTokens, negated, negationScope, sentences, stem, words, type Token } from './text.js';

/**
 * The embedded grounding scorer: entailment-style features computed on words, no model.
 *
 * For every claim sentence of an answer (a sentence with at least two content words, or a
 * number) it finds the source passage (one sentence, or two adjacent ones) that covers most of
 * the claim's content words (numbers weigh 2, names 1.5, other words 1) and then looks for what
 * contradicts it: a number no source states, a negation that the aligned passage lacks (or has
 * where the claim has none), or a word whose antonym stands in the passage instead. The
 * sentence's score is its coverage, capped at 0.2 for an unstated number and 0.1 for a
 * contradiction; the answer's grounding is the lowest sentence score (one invented claim is
 * enough to make an answer ungrounded).
 *
 * Relevance asks whether the answer addresses the question: the share of the answer's content
 * words found in the question or in the source passages that answer the question best.
 */

export interface GroundingInput {
  sources: readonly string[];
  answer: string;
  question?: string;
}

export interface SentenceScore {
  text: string;
  /** Weighted share of the claim's content words found in the best aligned passage (0-1). */
  support: number;
  /** Numbers of the claim that no source states. */
  unsupportedNumbers: string[];
  /** Why the claim contradicts its passage (`negation`, `antonym:a/b`), or null. */
  contradiction: string | null;
  /** Index of the source holding the aligned passage, or null. */
  source: number | null;
  /** The aligned passage. */
  evidence: string | null;
  /** The sentence's grounding score (0-1). */
  score: number;
}

export interface GroundingScore {
  /** Lowest claim score (1 when the answer makes no claim). */
  grounding: number;
  /** Does the answer address the question (0-1); null without a question. */
  relevance: number | null;
  /** Claim sentences, in order. */
  sentences: SentenceScore[];
}

interface Unit {
  text: string;
  source: number;
  keys: Set<string>;
  stems: Set<string>;
  negated: boolean;
  /** Sentence indices (within all sources) it spans. */
  span: number[];
}

const weight = (t: Token): number => (t.number ? 2 : t.entity ? 1.5 : 1);

/** Keys match exactly, or share their first 5 letters (a stem the crude stemmer left apart). */
function has(set: Set<string>, key: string): boolean {
  if (set.has(key)) return true;
  if (key.length < 6 || /\d/.test(key)) return false;
  const p = key.slice(0, 5);
  for (const k of set) if (k.length >= 6 && k.startsWith(p)) return true;
  return false;
}

function allStems(text: string): Set<string> {
  return new Set(words(text).map((w) => stem(w.lower)));
}

/** Source passages: every sentence, and every two adjacent sentences of one source. */
interface Clause {
  keys: Set<string>;
  negated: boolean;
  conditional: boolean;
}

function unitsOf(sources: readonly string[]): { units: Unit[]; clauses: Clause[]; keyCount: Map<string, number>; numbers: Set<string>; all: Set<string> } {
  const units: Unit[] = [];
  const cls: Clause[] = [];
  const keyCount = new Map<string, number>();
  const numbers = new Set<string>();
  const all = new Set<string>();
  let idx = 0;
  sources.forEach((src, si) => {
    const ss = sentences(src);
    const single: Unit[] = ss.map((s) => {
      for (const c of clauses(s)) cls.push({ keys: new Set(contentTokens(c).map((t) => t.key)), negated: negated(c), conditional: conditional(c) });
      const toks = contentTokens(s);
      const keys = new Set(toks.map((t) => t.key));
      for (const t of toks) {
        all.add(t.key);
        if (t.number) numbers.add(t.key);
      }
      for (const k of keys) keyCount.set(k, (keyCount.get(k) ?? 0) + 1);
      return { text: s, source: si, keys, stems: allStems(s), negated: negated(s), span: [idx++] };
    });
    units.push(...single);
    for (let i = 0; i + 1 < single.length; i++) {
      const a = single[i]!;
      const b = single[i + 1]!;
      units.push({ text: `${a.text} ${b.text}`, source: si, keys: new Set([...a.keys, ...b.keys]), stems: new Set([...a.stems, ...b.stems]), negated: a.negated || b.negated, span: [...a.span, ...b.span] });
    }
  });
  return { units, clauses: cls, keyCount, numbers, all };
}

function coverage(toks: Token[], keys: Set<string>): number {
  let num = 0;
  let den = 0;
  for (const t of toks) {
    const w = weight(t);
    den += w;
    if (has(keys, t.key)) num += w;
  }
  return den === 0 ? 0 : num / den;
}

/** Score one answer against its sources (and, with a question, its relevance). */
export function scoreGrounding(input: GroundingInput): GroundingScore {
  const { units, clauses: srcClauses, keyCount, numbers, all } = unitsOf(input.sources);
  const singles = units.filter((u) => u.span.length === 1);
  const out: SentenceScore[] = [];
  for (const s of sentences(input.answer)) {
    const toks = contentTokens(s);
    const hasNumber = toks.some((t) => t.number);
    if (toks.length < 2 && !hasNumber) continue;
    let best: Unit | null = null;
    let bestCov = 0;
    for (const u of units) {
      const c = coverage(toks, u.keys);
      // Prefer the shorter passage among equals.
      if (c > bestCov + 1e-9 || (best && Math.abs(c - bestCov) <= 1e-9 && u.span.length < best.span.length)) {
        best = u;
        bestCov = c;
      }
    }
    const unionCov = coverage(toks, all);
    const support = Math.max(bestCov, 0.85 * unionCov);
    const hedged = /\b(?:about|around|roughly|approximately|nearly|almost|some|over|under)\b/i.test(s);
    const near = (k: string): boolean => hedged && [...numbers].some((m) => Number(m) > 0 && Math.abs(Number(k) - Number(m)) / Number(m) <= 0.1);
    const unsupportedNumbers = [...new Set(toks.filter((t) => t.number && !t.soft && !numbers.has(t.key) && !near(t.key)).map((t) => t.key))];
    const contradiction = best ? contradictionOf(s, best, srcClauses, keyCount) : null;
    const misbound = misboundNumbers(s, singles, numbers);
    const over = best ? [...absolutes(s)].filter((k) => !absolutes(best!.text).has(k)) : [];
    let score = support;
    if (over.length) score = Math.min(score, 0.4);
    if (misbound.length) score = Math.min(score, 0.35);
    if (unsupportedNumbers.length) score = Math.min(score, 0.2);
    if (contradiction) score = Math.min(score, 0.1);
    out.push({ text: s, support, unsupportedNumbers, contradiction: contradiction ?? (misbound.length ? `misplaced:${misbound.join(',')}` : over.length ? `absolute:${over.join(',')}` : null), source: best?.source ?? null, evidence: best?.text ?? null, score });
  }
  const grounding = out.length ? Math.min(...out.map((x) => x.score)) : 1;
  return { grounding, relevance: input.question === undefined ? null : relevanceOf(input.question, input.answer, singles), sentences: out };
}

function contradictionOf(s: string, best: Unit, srcClauses: Clause[], keyCount: Map<string, number>): string | null {
  // Negation, clause by clause: each claim clause against the source clause that covers it best.
  const claimClauses = clauses(s).map((c) => ({ text: c, toks: contentTokens(c), negated: negated(c), conditional: conditional(c) }));
  for (const c of claimClauses) {
    if (c.conditional || c.toks.filter((t) => !t.number).length < 2) continue;
    // "Not under the standard policy": a short fragment opening with its negation answers the question, it claims nothing.
    if (/^\s*(?:not|no|never)\b/i.test(c.text) && c.text.split(/\s+/).length <= 5) continue;
    let bc = 0;
    for (const k of srcClauses) bc = Math.max(bc, coverage(c.toks, k.keys));
    if (bc < 0.6) continue;
    const near = srcClauses.filter((k) => !k.conditional && coverage(c.toks, k.keys) >= bc - 0.1);
    if (near.length === 0 || near.some((k) => k.negated === c.negated)) continue;
    if (c.negated) {
      // "Deliveries that don't get a 2xx": a negated source clause about what the negation applies to agrees.
      const scope = negationScope(c.text);
      if (srcClauses.some((k) => k.negated && scope.filter((x) => k.keys.has(x)).length >= Math.max(1, scope.length / 2))) continue;
    }
    return 'negation';
  }
  // A claim that restates most of a negated source clause, and a word only that clause has,
  // without the negation contradicts it ("contractors get leave" / "contractors are not eligible").
  if (!negated(s) && !conditional(s)) {
    const keys = new Set(contentTokens(s).map((t) => t.key));
    for (const k of srcClauses) {
      if (!k.negated || k.conditional || k.keys.size < 2) continue;
      const shared = [...k.keys].filter((x) => keys.has(x));
      const specific = shared.filter((x) => (keyCount.get(x) ?? 0) === 1 && !/\d/.test(x));
      if (shared.length >= 2 && specific.length >= 1 && shared.length / k.keys.size >= 0.6) return 'negation';
    }
  }
  // Antonyms: the claim says "lower" where its passage says "higher" (and never "lower").
  const stems = allStems(s);
  for (const a of stems) {
    if (best.stems.has(a)) continue;
    for (const b of antonymsOf(a)) if (best.stems.has(b) && !stems.has(b)) return `antonym:${a}/${b}`;
  }
  return null;
}

/**
 * Numbers a source states, but in another sentence than the one a claim clause is about
 * ("due by 31 October" where 31 October is the other deadline).
 */
function misboundNumbers(s: string, singles: Unit[], numbers: Set<string>): string[] {
  const out: string[] = [];
  for (const c of clauses(s)) {
    const toks = contentTokens(c);
    const nums = toks.filter((t) => t.number && !t.soft && numbers.has(t.key));
    const words = toks.filter((t) => !t.number);
    if (nums.length === 0 || words.length < 2) continue;
    let best: Unit | null = null;
    let bc = 0;
    for (const u of singles) {
      const cov = coverage(words, u.keys) + 0.01 * nums.filter((t) => u.keys.has(t.key)).length;
      if (cov > bc) {
        bc = cov;
        best = u;
      }
    }
    if (!best || bc < 0.5) continue;
    for (const t of nums) if (!best.keys.has(t.key)) out.push(t.key);
  }
  return out;
}

function relevanceOf(question: string, answer: string, singles: Unit[]): number {
  const q = contentTokens(question);
  const ref = new Set(q.map((t) => t.key));
  if (singles.length && q.length) {
    const ranked = singles.map((u) => ({ u, c: coverage(q, u.keys) })).sort((a, b) => b.c - a.c);
    const top = ranked[0]!.c;
    if (top > 0) for (const r of ranked.slice(0, 2)) if (r.c >= top * 0.5) for (const k of r.u.keys) ref.add(k);
  }
  let best = 0;
  let claims = 0;
  for (const s of sentences(answer)) {
    const toks = contentTokens(s);
    if (toks.length === 0) continue;
    claims++;
    best = Math.max(best, coverage(toks, ref));
  }
  return claims === 0 ? 0 : best;
}
