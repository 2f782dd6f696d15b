import { visit } from './features.js';
import type { TokenSpans } from './tokenize.js';

/**
 * Segment scoring: a harmful request padded with benign sentences is diluted in the whole-text
 * vector (L2-normalised hashed features), so the guard also scores the text's sentences (and lines)
 * and windows of a few hundred characters, and keeps the strictest.
 *
 * Cost stays linear in the text's length: the text is normalised and tokenised once; each token's
 * features are hashed and looked up in the weight table once (its summed contribution to every
 * class column is kept); a segment's logits are then kept by a running accumulator that only moves
 * forward (tokens enter on the right and leave on the left), so each token enters and leaves each
 * family of segments (sentences, windows) once. The accumulator is exact, not an approximation:
 * it keeps each feature's count inside the segment, so sublinear tf (1 + ln tf) and the L2 norm are
 * those `featurize` computes for the segment's text alone; only features that repeat inside a
 * segment touch their weight row again.
 */

/** A segment: tokens [from, to) of the text's token stream. */
export interface SegmentPlan {
  kind: 'sentence' | 'window';
  from: number;
  to: number;
}

export interface SegmentOptions {
  /** Window length in characters of normalised text (default 300). Windows overlap by half. */
  windowChars?: number;
  /** Sentences shorter than this many tokens are merged into the next one (default 4). */
  minTokens?: number;
}

export const DEFAULT_WINDOW_CHARS = 300;
export const DEFAULT_MIN_TOKENS = 4;

/** A sentence ends at . ! ? (then optional closing quotes/brackets, then space), at CJK full stops, or at a line break. */
const SENTENCE_END = /[.!?…]["'”’)\]]*\s|[\n\r\u2028\u2029]|[。！？]/;

/**
 * The segments worth scoring besides the whole text: sentences (and lines) when there are two or
 * more, and overlapping windows when the text is longer than one window. Empty for a short,
 * single-sentence text (the whole text is then the only segment).
 */
export function planSegments(norm: string, spans: TokenSpans, opts: SegmentOptions = {}): SegmentPlan[] {
  const n = spans.tokens.length;
  if (n < 2) return [];
  const windowChars = opts.windowChars ?? DEFAULT_WINDOW_CHARS;
  const minTokens = opts.minTokens ?? DEFAULT_MIN_TOKENS;
  const { starts, ends } = spans;
  const plans: SegmentPlan[] = [];

  // Sentences: cut between tokens whose gap holds a sentence end; short pieces join the next one.
  const cuts: number[] = [0];
  for (let t = 1; t < n; t++) {
    const gapStart = ends[t - 1]!;
    const gapEnd = starts[t]!;
    if (gapEnd > gapStart && SENTENCE_END.test(norm.slice(gapStart, gapEnd) + ' ')) {
      if (t - cuts[cuts.length - 1]! >= minTokens) cuts.push(t);
    }
  }
  if (cuts.length > 1 && n - cuts[cuts.length - 1]! < minTokens) cuts.pop(); // a short tail joins the last sentence
  if (cuts.length > 1) {
    for (let i = 0; i < cuts.length; i++) plans.push({ kind: 'sentence', from: cuts[i]!, to: i + 1 < cuts.length ? cuts[i + 1]! : n });
  }

  // Windows: windowChars long, starting every windowChars / 2, cut at token boundaries.
  const first = starts[0]!;
  if (ends[n - 1]! - first > windowChars) {
    const step = Math.max(1, Math.floor(windowChars / 2));
    let from = 0;
    let to = 0;
    for (let k = 0; ; k++) {
      const c0 = first + k * step;
      while (from < n && starts[from]! < c0) from++;
      if (from >= n) break;
      if (to < from + 1) to = from + 1;
      while (to < n && ends[to]! <= c0 + windowChars) to++;
      plans.push({ kind: 'window', from, to });
      if (to >= n) break;
    }
  }
  return plans;
}

/** What the accumulator needs of a linear model: int8 rows per feature, one scale per column, biases. */
export interface WeightTable {
  width: number;
  rowOf: Uint16Array | Uint32Array;
  noRow: number;
  q: Int8Array;
  scales: Float32Array;
  bias: Float32Array;
}

const MAX_VISIT = 4000; // features.ts visits at most this many tokens per call

/**
 * Running logits of a token range [from, to) that only moves forward. Features of a range: each
 * token's word and character n-grams, and the bigram of each token but the first (it pairs with the
 * token before it, which lies outside the range).
 */
export class RangeScorer {
  private readonly width: number;
  private readonly table: WeightTable;
  /** Per distinct feature: its row in the table (-1 when no head weighs it) and its kind weight. */
  private readonly rowOfD: Int32Array;
  private readonly wOfD: Float32Array;
  private readonly cnt: Int32Array;
  /** Per token: its occurrences [occStart[t], occStart[t+1]) (distinct ids), and which is its bigram (-1: none). */
  private readonly occ: Int32Array;
  private readonly occStart: Int32Array;
  private readonly bigramOcc: Int32Array;
  /** Per token: sum over its non-bigram occurrences of weight × row, and the same for its bigram. */
  private readonly own: Float64Array;
  private readonly big: Float64Array;
  private readonly acc: Float64Array;
  private norm2 = 0;
  private from = 0;
  private to = 0;
  /** Distinct features and occurrences seen (for the cost sanity checks). */
  readonly distinct: number;
  readonly occurrences: number;

  constructor(tokens: string[], table: WeightTable) {
    this.table = table;
    const width = (this.width = table.width);
    const n = tokens.length;
    const occ: number[] = [];
    const occStart = new Int32Array(n + 1);
    const bigramOcc = new Int32Array(n).fill(-1);
    const ids = new Map<number, number>();
    const rows: number[] = [];
    const ws: number[] = [];
    const { rowOf, noRow } = table;
    const idOf = (idx: number, w: number): number => {
      let d = ids.get(idx);
      if (d === undefined) {
        d = rows.length;
        ids.set(idx, d);
        const r = rowOf[idx]!;
        rows.push(r === noRow ? -1 : r);
        ws.push(w);
      }
      return d;
    };
    // visit() covers at most MAX_VISIT tokens per call: walk longer texts in chunks that overlap by
    // one token (so the bigram across the cut is seen), skipping the overlap token's own features.
    let cur = -1;
    for (let base = 0; base < n; base += MAX_VISIT - 1) {
      visit(tokens.slice(base, Math.min(n, base + MAX_VISIT)), (idx, w, t, bigram) => {
        if (base > 0 && t === 0) return;
        const tok = base + t;
        if (tok !== cur) {
          occStart[tok] = occ.length;
          cur = tok;
        }
        if (bigram) bigramOcc[tok] = occ.length;
        occ.push(idOf(idx, w));
      });
      if (base + MAX_VISIT >= n) break;
    }
    occStart[n] = occ.length;
    this.occ = Int32Array.from(occ);
    this.occStart = occStart;
    this.bigramOcc = bigramOcc;
    this.rowOfD = Int32Array.from(rows);
    this.wOfD = Float32Array.from(ws);
    this.cnt = new Int32Array(rows.length);
    this.distinct = rows.length;
    this.occurrences = occ.length;
    // Each token's summed contribution (one walk over the weight rows for the whole text).
    const own = (this.own = new Float64Array(n * width));
    const big = (this.big = new Float64Array(n * width));
    const Q = table.q;
    for (let t = 0; t < n; t++) {
      const o = t * width;
      for (let j = occStart[t]!; j < occStart[t + 1]!; j++) {
        const d = this.occ[j]!;
        const r = this.rowOfD[d]!;
        if (r < 0) continue;
        const w = this.wOfD[d]!;
        const base = r * width;
        const into = j === bigramOcc[t] ? big : own;
        for (let c = 0; c < width; c++) into[o + c]! += w * Q[base + c]!;
      }
    }
    this.acc = new Float64Array(width);
  }

  /** Move the range to [from, to); both ends must not move backwards. */
  moveTo(from: number, to: number): void {
    if (from < this.from || to < this.to) throw new Error('RangeScorer only moves forward');
    if (from >= this.to) {
      this.clear();
      this.from = this.to = from;
    }
    while (this.from < from) this.removeLeft();
    while (this.to < to) this.addRight();
  }

  /** Empty the range (counts back to zero) and start again at token 0. */
  reset(): void {
    this.clear();
    this.from = this.to = 0;
  }

  private clear(): void {
    while (this.from < this.to) this.removeLeft();
    this.acc.fill(0);
    this.norm2 = 0;
  }

  /** Raw logits of every column for the current range's hashed features (L2-normalised), plus bias. */
  logits(out: Float64Array): void {
    const inv = this.norm2 > 1e-12 ? 1 / Math.sqrt(this.norm2) : 0;
    const { bias, scales } = this.table;
    for (let c = 0; c < this.width; c++) out[c] = bias[c]! + this.acc[c]! * inv * scales[c]!;
  }

  private addRight(): void {
    const t = this.to;
    this.addVec(this.own, t, 1);
    for (let j = this.occStart[t]!; j < this.occStart[t + 1]!; j++) if (j !== this.bigramOcc[t]) this.inc(this.occ[j]!);
    if (t > this.from && this.bigramOcc[t]! >= 0) {
      this.addVec(this.big, t, 1);
      this.inc(this.occ[this.bigramOcc[t]!]!);
    }
    this.to++;
  }

  private removeLeft(): void {
    const t = this.from;
    this.addVec(this.own, t, -1);
    for (let j = this.occStart[t]!; j < this.occStart[t + 1]!; j++) if (j !== this.bigramOcc[t]) this.dec(this.occ[j]!);
    this.from++;
    const u = this.from;
    if (u < this.to && this.bigramOcc[u]! >= 0) {
      this.addVec(this.big, u, -1);
      this.dec(this.occ[this.bigramOcc[u]!]!);
    }
  }

  private addVec(v: Float64Array, t: number, sign: number): void {
    const o = t * this.width;
    for (let c = 0; c < this.width; c++) this.acc[c]! += sign * v[o + c]!;
  }

  /** Count k → k+1. The token's summed vector already added weight × row once (the change from 0
   * to 1 occurrence); for k >= 1 the sublinear value changes by ln((k+1)/k) instead. */
  private inc(d: number): void {
    const k = this.cnt[d]!;
    this.cnt[d] = k + 1;
    const w = this.wOfD[d]!;
    const before = k > 0 ? 1 + Math.log(k) : 0;
    const after = 1 + Math.log(k + 1);
    this.norm2 += w * w * (after * after - before * before);
    if (k > 0) this.correct(d, w * (after - before - 1));
  }

  /** Count k → k-1 (k >= 1); the token's summed vector already took weight × row away once. */
  private dec(d: number): void {
    const k = this.cnt[d]!;
    this.cnt[d] = k - 1;
    const w = this.wOfD[d]!;
    const before = 1 + Math.log(k);
    const after = k > 1 ? 1 + Math.log(k - 1) : 0;
    this.norm2 += w * w * (after * after - before * before);
    if (k > 1) this.correct(d, w * (after - before + 1));
  }

  private correct(d: number, by: number): void {
    const r = this.rowOfD[d]!;
    if (r < 0 || by === 0) return;
    const Q = this.table.q;
    const base = r * this.width;
    for (let c = 0; c < this.width; c++) this.acc[c]! += by * Q[base + c]!;
  }
}
