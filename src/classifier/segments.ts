import { MAX_TOKENS, visit } from './features.js';
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

/** A segment: tokens [from, to) of the text's token stream. Segments of one family come in order
 * (both ends non-decreasing), which is what lets one accumulator walk them. */
export interface SegmentPlan {
  kind: 'sentence' | 'window';
  /** 0: sentences and lines; 1, 2 ...: windows of each length in `windowChars`. */
  family: number;
  from: number;
  to: number;
}

export interface SegmentOptions {
  /** Window lengths in characters of normalised text (default [300]). Windows overlap by half. */
  windowChars?: readonly number[];
  /** Sentences shorter than this many tokens are merged into the next one (default 3). */
  minTokens?: number;
}

/** A window holds a request with its immediate context (a request not punctuated off from the
 * padding around it). Shorter windows (120 characters) added 3 points of recall on padded unsafe
 * items and 2.7 points of flags on padded safe ones on the development sample, so they are off. */
export const DEFAULT_WINDOW_CHARS: readonly number[] = [300];
export const DEFAULT_MIN_TOKENS = 3;

/** A sentence ends at . ! ? (then optional closing quotes/brackets, then space), at CJK full stops, or at a line break. */
const SENTENCE_END = /[.!?…]["'”’)\]]*\s|[\n\r\u2028\u2029]|[。！？]/;

/** Words whose full stop does not end a sentence (single letters too: "e.g.", "J. Smith"). */
const ABBREVIATIONS = new Set('etc vs dr mr mrs ms st no fig approx inc ltd jr sr prof gen col lt sgt capt cf al'.split(' '));

/** Words that start sentences: capitalised after a lower-case word with only a space between, they
 * mark a sentence whose full stop is missing ("... more deadly The meeting notes are attached").
 * Not "I", which is capitalised everywhere. */
export const SENTENCE_STARTERS = new Set(
  'the my we our it its this that these those please thanks thank anyway could can would will how what why when where who you your he she they there in on at if also by hope last next some remember as after before now then today yesterday tomorrow so but and or'.split(' '),
);

/**
 * The segments worth scoring besides the whole text: sentences (and lines) when there are two or
 * more, and overlapping windows when the text is longer than one window. Empty for a short,
 * single-sentence text (the whole text is then the only segment). `startsSentence(t)` says that
 * token t starts a sentence though no punctuation says so (see SENTENCE_STARTERS).
 */
export function planSegments(norm: string, spans: TokenSpans, opts: SegmentOptions = {}, startsSentence?: (t: number) => boolean): SegmentPlan[] {
  const n = spans.tokens.length;
  if (n < 2) return [];
  const windowChars = opts.windowChars ?? DEFAULT_WINDOW_CHARS;
  const minTokens = opts.minTokens ?? DEFAULT_MIN_TOKENS;
  const { starts, ends } = spans;
  const plans: SegmentPlan[] = [];

  // Sentences: cut between tokens whose gap holds a sentence end (not the full stop of an
  // abbreviation such as "e.g." or "Dr."); short pieces join the next one.
  const cuts: number[] = [0];
  for (let t = 1; t < n; t++) {
    const gapStart = ends[t - 1]!;
    const gapEnd = starts[t]!;
    // Fast path: a single space (most gaps) ends no sentence.
    if (gapEnd - gapStart === 1 && norm.charCodeAt(gapStart) === 32) {
      if (startsSentence?.(t) && t - cuts[cuts.length - 1]! >= minTokens) cuts.push(t);
      continue;
    }
    const gap = gapEnd > gapStart ? norm.slice(gapStart, gapEnd) : '';
    const abbreviation = /^\.\s+$/.test(gap) && (spans.tokens[t - 1]!.length === 1 || ABBREVIATIONS.has(spans.tokens[t - 1]!));
    if ((gap !== '' && !abbreviation && SENTENCE_END.test(`${gap} `)) || startsSentence?.(t)) {
      if (t - cuts[cuts.length - 1]! >= minTokens) cuts.push(t);
    }
  }
  if (cuts.length > 1 && n - cuts[cuts.length - 1]! < minTokens) cuts.pop(); // a short tail joins the last sentence
  if (cuts.length > 1) {
    for (let i = 0; i < cuts.length; i++) plans.push({ kind: 'sentence', family: 0, from: cuts[i]!, to: i + 1 < cuts.length ? cuts[i + 1]! : n });
  }

  // Windows: each length L starts every L / 2 characters, cut at token boundaries. A text no
  // longer than L has no windows of that length (the whole text is that window).
  const first = starts[0]!;
  windowChars.forEach((len, w) => {
    if (ends[n - 1]! - first <= len) return;
    const step = Math.max(1, Math.floor(len / 2));
    let from = 0;
    let to = 0;
    for (let k = 0; ; k++) {
      const c0 = first + k * step;
      while (from < n && starts[from]! < c0) from++;
      if (from >= n) break;
      if (to < from + 1) to = from + 1;
      while (to < n && ends[to]! <= c0 + len) to++;
      plans.push({ kind: 'window', family: w + 1, from, to });
      if (to >= n) break;
    }
  });
  // A segment holding most of the text adds nothing against dilution (the whole text is mostly
  // that segment) and only a second, noisier reading of the same text.
  const most = (n * 2) / 3;
  return plans.filter((p) => p.to - p.from <= most);
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

/** The dense block (mean word vector and two shape features, src/classifier/vectors.ts) as the scorer needs it. */
export interface DenseBlock {
  dim: number;
  /** Norm of the mean-vector part. */
  weight: number;
  /** int8 word rows, `dim` per word. */
  rows: Int8Array;
  /** Per token: its word row (-1: unknown word). */
  tokenRow: Int32Array;
  /** Per token: the offer word after a contrast word (-1: none), see `offerAfter`. */
  offer: Int32Array;
  /** Weight-table row of dense slot d (d < dim: the mean vector; dim: shortness; dim + 1: offer), -1 when none. */
  slotRow: Int32Array;
  shortness(tokenCount: number): number;
}

const MAX_VISIT = MAX_TOKENS; // visit() covers at most this many tokens per call

/** Sublinear term frequency 1 + ln k (0 for k = 0), tabulated for small counts. */
const TF = Float64Array.from({ length: 256 }, (_, k) => (k === 0 ? 0 : 1 + Math.log(k)));
const tf = (k: number): number => (k < 256 ? TF[k]! : 1 + Math.log(k));

// Scratch buffers reused across calls (a 1 KB text would otherwise allocate about 250 KB per call,
// which costs garbage collection and pushes the model's weights out of the CPU cache). A scorer's
// arrays are views of them, so only one RangeScorer is live at a time (predictSegments is
// synchronous and builds one per call).
const pool = {
  f64a: new Float64Array(0),
  f64b: new Float64Array(0),
  i32: [new Int32Array(0), new Int32Array(0), new Int32Array(0), new Int32Array(0), new Int32Array(0), new Int32Array(0)],
};
function f64(which: 'f64a' | 'f64b', n: number): Float64Array {
  if (pool[which].length < n) pool[which] = new Float64Array(Math.max(n, pool[which].length * 2));
  return pool[which].subarray(0, n);
}
function i32(which: number, n: number): Int32Array {
  if (pool.i32[which]!.length < n) pool.i32[which] = new Int32Array(Math.max(n, pool.i32[which]!.length * 2));
  return pool.i32[which]!.subarray(0, n);
}

// Scratch for the feature index → distinct id table, reused across calls and cleared after each.
let cap = 0;
let keys = new Int32Array(0);
let vals = new Int32Array(0);

function ensure(n: number): void {
  let want = 1024;
  while (want < n * 2) want <<= 1;
  if (want <= cap) return;
  cap = want;
  keys = new Int32Array(cap).fill(-1);
  vals = new Int32Array(cap);
}

/**
 * Running logits of a token range [from, to) that only moves forward. Features of a range: each
 * token's word and character n-grams, and the bigram of each token but the first (it pairs with the
 * token before it, which lies outside the range); plus the dense block of the range's tokens.
 * Exact, except where two kinds of feature share a hash bucket: the bucket's kind weight is that of
 * its first occurrence in the whole text, not in the range.
 */
export class RangeScorer {
  private readonly width: number;
  private readonly table: WeightTable;
  private readonly dense: DenseBlock | null;
  /** Per distinct feature: its row in the table (-1 when no head weighs it) and its kind weight. */
  private readonly rowOfD: Int32Array;
  private readonly wOfD: Float32Array;
  private readonly cnt: Int32Array;
  /** Per token: its occurrences [occStart[t], occStart[t+1]) (distinct ids), and which is its bigram (-1: none). */
  private readonly occ: Int32Array;
  private readonly occStart: Int32Array;
  private readonly bigramOcc: Int32Array;
  /** Prefix sums over tokens (row t+1 = tokens 0..t) of weight × row for every feature occurrence
   * taken once: a token's word and character n-grams (`own`) and its bigram (`big`). A range's
   * linear part is a difference of two rows; repeats inside the range are corrected in `acc`. */
  private readonly own: Float64Array;
  private readonly big: Float64Array;
  /** Corrections for features that occur more than once in the range (sublinear tf). */
  private readonly acc: Float64Array;
  private norm2 = 0;
  /** Prefix sums of the tokens' word rows (exact in int32) and of how many tokens have one. */
  private readonly vec: Int32Array;
  private readonly known: Int32Array;
  private readonly tmp: Float64Array;
  private from = 0;
  private to = 0;
  /** Distinct features and occurrences of the text (for the cost sanity checks). */
  readonly distinct: number;
  readonly occurrences: number;

  constructor(tokens: string[], table: WeightTable, dense: DenseBlock | null = null) {
    this.table = table;
    this.dense = dense;
    const width = (this.width = table.width);
    const n = tokens.length;
    let expected = 0;
    for (const t of tokens) expected += 8 + 3 * Math.min(t.length, 40);
    ensure(expected);
    const mask = cap - 1;
    const occ = i32(0, expected);
    let nOcc = 0;
    const occStart = i32(1, n + 1);
    const bigramOcc = i32(2, n).fill(-1);
    const rows: number[] = [];
    const ws: number[] = [];
    const used: number[] = [];
    const { rowOf, noRow } = table;
    // visit() covers at most MAX_VISIT tokens per call: walk longer texts in chunks that overlap by
    // one token (so the bigram across the cut is seen), skipping the overlap token's own features.
    let cur = -1;
    for (let base = 0; base < n; base += MAX_VISIT - 1) {
      visit(base === 0 && n <= MAX_VISIT ? tokens : tokens.slice(base, Math.min(n, base + MAX_VISIT)), (idx, w, t, bigram) => {
        if (base > 0 && t === 0) return;
        const tok = base + t;
        if (tok !== cur) {
          occStart[tok] = nOcc;
          cur = tok;
        }
        if (bigram) bigramOcc[tok] = nOcc;
        let h = Math.imul(idx, 0x9e3779b1) >>> 0;
        let d: number;
        for (;;) {
          const slot = h & mask;
          const k = keys[slot]!;
          if (k === idx) {
            d = vals[slot]!;
            break;
          }
          if (k === -1) {
            d = rows.length;
            keys[slot] = idx;
            vals[slot] = d;
            used.push(slot);
            const r = rowOf[idx]!;
            rows.push(r === noRow ? -1 : r);
            ws.push(w);
            break;
          }
          h++;
        }
        occ[nOcc++] = d;
      });
      if (base + MAX_VISIT >= n) break;
    }
    for (const slot of used) keys[slot] = -1;
    occStart[n] = nOcc;
    this.occ = occ;
    this.occStart = occStart;
    this.bigramOcc = bigramOcc;
    this.rowOfD = Int32Array.from(rows);
    this.wOfD = Float32Array.from(ws);
    this.cnt = i32(3, rows.length).fill(0);
    this.distinct = rows.length;
    this.occurrences = nOcc;
    // Prefix sums of each token's contribution (one walk over the weight rows for the whole text).
    const own = (this.own = f64('f64a', (n + 1) * width));
    const big = (this.big = f64('f64b', (n + 1) * width));
    own.fill(0, 0, width);
    big.fill(0, 0, width);
    const Q = table.q;
    for (let t = 0; t < n; t++) {
      const o = (t + 1) * width;
      for (let c = 0; c < width; c++) {
        own[o + c] = own[o - width + c]!;
        big[o + c] = big[o - width + c]!;
      }
      for (let j = occStart[t]!; j < occStart[t + 1]!; j++) {
        const d = occ[j]!;
        const r = this.rowOfD[d]!;
        if (r < 0) continue;
        const w = this.wOfD[d]!;
        const base = r * width;
        const into = j === bigramOcc[t] ? big : own;
        for (let c = 0; c < width; c++) into[o + c]! += w * Q[base + c]!;
      }
    }
    this.acc = new Float64Array(width);
    this.tmp = new Float64Array(width);
    const dim = dense ? dense.dim : 0;
    this.vec = i32(4, dense ? (n + 1) * dim : 0);
    this.known = i32(5, dense ? n + 1 : 0);
    if (dense) {
      this.vec.fill(0, 0, dim);
      this.known[0] = 0;
      for (let t = 0; t < n; t++) {
        const o = (t + 1) * dim;
        for (let d = 0; d < dim; d++) this.vec[o + d] = this.vec[o - dim + d]!;
        const r = dense.tokenRow[t]!;
        this.known[t + 1] = this.known[t]! + (r >= 0 ? 1 : 0);
        if (r < 0) continue;
        const base = r * dim;
        for (let d = 0; d < dim; d++) this.vec[o + d]! += dense.rows[base + d]!;
      }
    }
  }

  /** Move the range to [from, to); both ends must not move backwards. */
  moveTo(from: number, to: number): void {
    if (from < this.from || to < this.to) throw new Error('RangeScorer only moves forward');
    if (from >= this.to) {
      while (this.from < this.to) this.removeLeft();
      this.zero();
      this.from = this.to = from;
    }
    while (this.from < from) this.removeLeft();
    while (this.to < to) this.addRight();
  }

  /** Empty the range and start again at token 0 (for the next family of segments). */
  reset(): void {
    this.cnt.fill(0);
    this.zero();
    this.from = this.to = 0;
  }

  private zero(): void {
    this.acc.fill(0);
    this.norm2 = 0;
  }

  /** Raw logits of every column for the current range: bias + hashed features (L2-normalised) + dense block. */
  logits(out: Float64Array): void {
    const inv = this.norm2 > 1e-12 ? 1 / Math.sqrt(this.norm2) : 0;
    const { bias, scales, q } = this.table;
    const width = this.width;
    const a = this.from;
    const b = this.to;
    // Linear part: tokens [a, b) once each, bigrams of tokens (a, b); then the repeat corrections.
    const own = this.own;
    const big = this.big;
    for (let c = 0; c < width; c++) {
      const lin = own[b * width + c]! - own[a * width + c]! + (b > a + 1 ? big[b * width + c]! - big[(a + 1) * width + c]! : 0);
      out[c] = (lin + this.acc[c]!) * inv;
    }
    const dense = this.dense;
    if (dense && b > a) {
      const slot = (d: number, v: number): void => {
        const r = dense.slotRow[d]!;
        if (r < 0 || v === 0) return;
        const base = r * width;
        for (let c = 0; c < width; c++) out[c]! += v * q[base + c]!;
      };
      const dim = dense.dim;
      const v = this.tmp.length >= dim ? this.tmp : new Float64Array(dim);
      let vn = 0;
      for (let d = 0; d < dim; d++) {
        v[d] = this.vec[b * dim + d]! - this.vec[a * dim + d]!;
        vn += v[d]! * v[d]!;
      }
      const scale = this.known[b]! - this.known[a]! > 0 && vn > 0 ? dense.weight / Math.sqrt(vn) : 0;
      if (scale > 0) for (let d = 0; d < dim; d++) slot(d, v[d]! * scale);
      slot(dense.dim, dense.shortness(this.to - this.from));
      let offer = 0;
      for (let t = this.from; t < this.to && offer === 0; t++) {
        const j = dense.offer[t]!;
        if (j >= 0 && j < this.to) offer = 1;
      }
      slot(dense.dim + 1, offer);
    }
    for (let c = 0; c < width; c++) out[c] = bias[c]! + out[c]! * scales[c]!;
  }

  private addRight(): void {
    const t = this.to;
    for (let j = this.occStart[t]!; j < this.occStart[t + 1]!; j++) if (j !== this.bigramOcc[t]) this.inc(this.occ[j]!);
    if (t > this.from && this.bigramOcc[t]! >= 0) this.inc(this.occ[this.bigramOcc[t]!]!);
    this.to++;
  }

  private removeLeft(): void {
    const t = this.from;
    for (let j = this.occStart[t]!; j < this.occStart[t + 1]!; j++) if (j !== this.bigramOcc[t]) this.dec(this.occ[j]!);
    this.from++;
    const u = this.from;
    if (u < this.to && this.bigramOcc[u]! >= 0) this.dec(this.occ[this.bigramOcc[u]!]!);
  }

  /** Count k → k+1. The linear part counts weight × row once per occurrence; the sublinear value
   * changes by 1 from 0 to 1 occurrence, and by ln((k+1)/k) for k >= 1, so only repeats correct. */
  private inc(d: number): void {
    const k = this.cnt[d]!;
    this.cnt[d] = k + 1;
    const w = this.wOfD[d]!;
    const before = tf(k);
    const after = tf(k + 1);
    this.norm2 += w * w * (after * after - before * before);
    if (k > 0) this.correct(d, w * (after - before - 1));
  }

  /** Count k → k-1 (k >= 1); the mirror of `inc`. */
  private dec(d: number): void {
    const k = this.cnt[d]!;
    this.cnt[d] = k - 1;
    const w = this.wOfD[d]!;
    const before = tf(k);
    const after = tf(k - 1);
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
