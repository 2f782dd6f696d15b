import { fmix } from '../core/hash.js';
import { FEATURE_CONFIG, FEATURE_DIM, MAX_TOKENS, type SparseVector } from './features.js';
import type { WeightTable } from './segments.js';
import { offerAfter, shortness, type WordVectors } from './vectors.js';

/**
 * The inference engine: one pass over a text's tokens hashes every feature (word, bigram,
 * character n-grams, the same features as features.ts), gives each distinct feature an id, and
 * looks its weight row up once. Everything the guard reads of a text comes from that pass:
 *  - the whole-text logits of every head (one walk over the distinct features' rows);
 *  - segment logits (sentences, lines, windows) from per-token prefix sums of the same rows,
 *    built only when some segment is scored (a text the whole-text decision already refuses
 *    never pays for them);
 *  - explanations (the phrase of each feature is where it first occurred: no second visit).
 * No string is built in the hot path (character n-grams are hashed from a code-unit buffer) and
 * the scratch arrays are reused across calls.
 *
 * Numerics: the whole-text logits of `logitsF32` are those of `LinearModel.logitsAll(features)`
 * bit for bit (the same float32 feature values, summed in the same order); `rangeLogits` gives
 * those of segments.ts's RangeScorer to within float rounding (test/classifier/engine.test.ts
 * holds both against the reference paths).
 */

const MASK = FEATURE_DIM - 1;
/** features.ts: a token's character n-grams are taken from its first 40 code units. */
const MAX_TOKEN_CHARS = 40;
const SEED_WORD = 0x811c9dc5;
const SEED_CHAR = 0x01000193;
const SEED_BIGRAM = 0x9e3779b9;
const [NG_LO, NG_HI] = FEATURE_CONFIG.charNgrams;
const W_WORD = FEATURE_CONFIG.weights.word;
const W_BIGRAM = FEATURE_CONFIG.weights.bigram;
const W_CHAR = FEATURE_CONFIG.weights.char;

/** Sublinear term frequency 1 + ln k (0 for k = 0), tabulated for small counts. */
const TF = Float64Array.from({ length: 256 }, (_, k) => (k === 0 ? 0 : 1 + Math.log(k)));
const tf = (k: number): number => (k < 256 ? TF[k]! : 1 + Math.log(k));

// ---------------------------------------------------------------------------------------------
// Scratch (grown on demand, reused across calls)
// ---------------------------------------------------------------------------------------------

let tcap = 0;
let tkeys = new Int32Array(0);
let tvals = new Int32Array(0);
let used = new Int32Array(0);
const chars = new Uint16Array(MAX_TOKEN_CHARS + 2);

function ensureTable(n: number): void {
  let want = 1024;
  while (want < n * 2) want <<= 1;
  if (want <= tcap) return;
  tcap = want;
  tkeys = new Int32Array(tcap).fill(-1);
  tvals = new Int32Array(tcap);
  used = new Int32Array(tcap);
}

type I32 = Int32Array<ArrayBuffer>;
type F64 = Float64Array<ArrayBuffer>;
const growI32 = (a: I32, n: number): I32 => (a.length >= n ? a : new Int32Array(Math.max(n, a.length * 2)));
const growF64 = (a: F64, n: number): F64 => (a.length >= n ? a : new Float64Array(Math.max(n, a.length * 2)));

const S = {
  idx: new Int32Array(0),
  base: new Int32Array(0),
  kind: new Float64Array(0),
  cnt: new Int32Array(0),
  first: new Int32Array(0),
  occ: new Int32Array(0),
  occStart: new Int32Array(0),
  bigramOcc: new Int32Array(0),
  tokenRow: new Int32Array(0),
  own: new Float64Array(0),
  big: new Float64Array(0),
  vec: new Int32Array(0),
  known: new Int32Array(0),
  segCnt: new Int32Array(0),
  vals: new Float64Array(0),
  /** A list of (row offset, value) pairs for addRows. */
  listB: new Int32Array(0),
  listV: new Float64Array(0),
  /** Per occurrence: its row offset (-1: none, or a bigram, which goes to `big`) and kind weight. */
  occB: new Int32Array(0),
  occW: new Float64Array(0),
  slotV: new Float64Array(0),
};
/** Bumped by every pass: a pass reads the shared scratch only while it is the latest. */
let generation = 0;
/** Keeps the cache-warming reads observable (so they are not optimised away). */
let sink = 0;
export const engineSink = (): number => sink;

/** What the engine needs of a model: its weight table, (optional) word vectors, and where the
 * dense slots' rows are (`engineModel` builds it). */
export interface EngineModel {
  table: WeightTable;
  vectors: WordVectors | null;
  /** Per dense slot (the mean vector's dims, then shortness, then offer): its row offset in `q`, -1 when none. */
  slotBase: Int32Array;
  /** `q` has a row for every feature index (rowOf is the identity): no lookup. */
  direct: boolean;
}

export function engineModel(table: WeightTable, vectors: WordVectors | null, direct = false): EngineModel {
  const slots = vectors ? vectors.dim + 2 : 0;
  const slotBase = new Int32Array(slots);
  for (let k = 0; k < slots; k++) {
    const r = table.rowOf[FEATURE_DIM + k]!;
    slotBase[k] = r === table.noRow ? -1 : r * table.width;
  }
  return { table, vectors, slotBase, direct };
}

/**
 * out[o + c] += Σ vals[i] × q[bases[i] + c] over i in [from, to) with bases[i] >= 0, for every
 * column c; each column is summed in i order, so the result is bit for bit that of the plain
 * `for i { for c { out[o + c] += ... } }` loop. Eight columns at a time in local variables: V8
 * keeps them in registers, where the plain loop loads and stores every partial sum (twice the time).
 */
export function addRows(out: Float64Array, o: number, q: Int8Array, width: number, bases: Int32Array, vals: Float64Array, from: number, to: number): void {
  let c0 = 0;
  for (; c0 + 8 <= width; c0 += 8) {
    const p0 = o + c0;
    let a0 = out[p0]!;
    let a1 = out[p0 + 1]!;
    let a2 = out[p0 + 2]!;
    let a3 = out[p0 + 3]!;
    let a4 = out[p0 + 4]!;
    let a5 = out[p0 + 5]!;
    let a6 = out[p0 + 6]!;
    let a7 = out[p0 + 7]!;
    for (let i = from; i < to; i++) {
      const b = bases[i]!;
      if (b < 0) continue;
      const v = vals[i]!;
      const p = b + c0;
      a0 += v * q[p]!;
      a1 += v * q[p + 1]!;
      a2 += v * q[p + 2]!;
      a3 += v * q[p + 3]!;
      a4 += v * q[p + 4]!;
      a5 += v * q[p + 5]!;
      a6 += v * q[p + 6]!;
      a7 += v * q[p + 7]!;
    }
    out[p0] = a0;
    out[p0 + 1] = a1;
    out[p0 + 2] = a2;
    out[p0 + 3] = a3;
    out[p0 + 4] = a4;
    out[p0 + 5] = a5;
    out[p0 + 6] = a6;
    out[p0 + 7] = a7;
  }
  for (; c0 < width; c0++) {
    let a = out[o + c0]!;
    for (let i = from; i < to; i++) {
      const b = bases[i]!;
      if (b >= 0) a += vals[i]! * q[b + c0]!;
    }
    out[o + c0] = a;
  }
}

/**
 * The features of one tokenised text, hashed once. Reads of a pass are valid until the next
 * pass starts (the arrays are shared scratch); `live` says whether it still is.
 */
export class TextPass {
  readonly tokens: string[];
  readonly n: number;
  /** Tokens the whole-text features cover (features.ts stops at MAX_TOKENS). */
  readonly nWhole: number;
  /** Distinct features. */
  readonly distinct: number;
  readonly occurrences: number;
  private readonly gen: number;
  private readonly model: EngineModel;
  private readonly width: number;
  private prefixBuilt = false;
  private offer: Int32Array | null = null;
  private f32Built = false;
  private vn = 0;

  constructor(tokens: string[], model: EngineModel, withOccurrences: boolean) {
    this.gen = ++generation;
    this.tokens = tokens;
    this.model = model;
    const { rowOf, noRow } = model.table;
    const width = (this.width = model.table.width);
    const n = (this.n = tokens.length);
    const nWhole = (this.nWhole = Math.min(n, MAX_TOKENS));
    const span = withOccurrences ? n : nWhole;
    let expected = 0;
    for (let t = 0; t < span; t++) {
      const len = tokens[t]!.length;
      expected += 2 + (NG_HI - NG_LO + 1) * ((len < MAX_TOKEN_CHARS ? len : MAX_TOKEN_CHARS) + 2);
    }
    ensureTable(expected);
    const mask = tcap - 1;
    const keys = tkeys;
    const vals = tvals;
    const idx = (S.idx = growI32(S.idx, expected));
    const base = (S.base = growI32(S.base, expected));
    const kind = (S.kind = growF64(S.kind, expected));
    const cnt = (S.cnt = growI32(S.cnt, expected));
    const first = (S.first = growI32(S.first, expected));
    const occ = (S.occ = withOccurrences ? growI32(S.occ, expected) : S.occ);
    const occStart = (S.occStart = withOccurrences ? growI32(S.occStart, n + 1) : S.occStart);
    const bigramOcc = (S.bigramOcc = withOccurrences ? growI32(S.bigramOcc, n) : S.bigramOcc);
    let d = 0;
    let nOcc = 0;
    let nUsed = 0;
    let prevHash = 0;
    const pc = chars;
    // One feature occurrence: find (or add) its distinct id (`expected` bounds the distinct count,
    // so the arrays above never grow inside the loop).
    const add = (f: number, w: number, t: number, bigram: boolean): void => {
      let h = Math.imul(f, 0x9e3779b1) >>> 0;
      let id: number;
      for (;;) {
        const slot = h & mask;
        const k = keys[slot]!;
        if (k === f) {
          id = vals[slot]!;
          break;
        }
        if (k === -1) {
          id = d++;
          keys[slot] = f;
          vals[slot] = id;
          used[nUsed++] = slot;
          idx[id] = f;
          kind[id] = w;
          cnt[id] = 0;
          first[id] = bigram ? -1 - t : t;
          break;
        }
        h++;
      }
      if (t < nWhole) cnt[id]!++;
      if (withOccurrences) {
        if (bigram) bigramOcc[t] = nOcc;
        occ[nOcc++] = id;
      }
    };
    for (let t = 0; t < span; t++) {
      const tok = tokens[t]!;
      const len = tok.length;
      if (withOccurrences) {
        occStart[t] = nOcc;
        bigramOcc[t] = -1;
      }
      // Word: FNV-1a over the token, then the finaliser.
      let hw = SEED_WORD;
      for (let i = 0; i < len; i++) hw = Math.imul(hw ^ tok.charCodeAt(i), 16777619);
      hw >>>= 0;
      add(fmix(hw) & MASK, W_WORD, t, false);
      if (t > 0) add(fmix(Math.imul(prevHash ^ SEED_BIGRAM, 0x27d4eb2d) ^ hw) & MASK, W_BIGRAM, t, true);
      prevHash = hw;
      // Character n-grams of "<token>" (its first 40 code units), from a code-unit buffer.
      const m = len < MAX_TOKEN_CHARS ? len : MAX_TOKEN_CHARS;
      pc[0] = 60;
      for (let i = 0; i < m; i++) pc[i + 1] = tok.charCodeAt(i);
      pc[m + 1] = 62;
      const plen = m + 2;
      for (let g = NG_LO; g <= NG_HI; g++) {
        const seed = SEED_CHAR + g;
        for (let i = 0; i + g <= plen; i++) {
          let h = seed;
          for (let j = i; j < i + g; j++) h = Math.imul(h ^ pc[j]!, 16777619);
          add(fmix(h >>> 0) & MASK, W_CHAR, t, false);
        }
      }
    }
    for (let i = 0; i < nUsed; i++) keys[used[i]!] = -1;
    if (withOccurrences) occStart[n] = nOcc;
    // Weight rows, looked up after hashing: the lookups are independent of one another, so the CPU
    // overlaps their cache misses (the tables are several MB). Then one read of each row's first
    // and last byte brings every row into cache the same way, ahead of the arithmetic.
    const q = model.table.q;
    let touch = 0;
    if (model.direct) for (let id = 0; id < d; id++) base[id] = idx[id]! * width;
    else {
      for (let id = 0; id < d; id++) {
        const r = rowOf[idx[id]!]!;
        base[id] = r === noRow ? -1 : r * width;
      }
    }
    for (let id = 0; id < d; id++) {
      const b = base[id]!;
      if (b >= 0) touch += q[b]! + q[b + width - 1]!;
    }
    sink ^= touch;
    this.distinct = d;
    this.occurrences = nOcc;
    // Word-vector rows of the tokens (one map lookup per token, shared by every reading).
    const v = model.vectors;
    if (v) {
      const tr = (S.tokenRow = growI32(S.tokenRow, n));
      for (let t = 0; t < n; t++) tr[t] = v.rowOf(tokens[t]!);
    }
  }

  /** Per token, the offer word after a contrast word (vectors.ts's offerAfter), computed once. */
  offers(): Int32Array {
    return (this.offer ??= offerAfter(this.tokens));
  }

  /** Whether the shared scratch still holds this pass. */
  get live(): boolean {
    return this.gen === generation;
  }

  private check(): void {
    if (!this.live) throw new Error('TextPass read after another pass started');
  }

  /** The float32 feature values of the whole text, as features.ts (+ vectors.ts) computes them. */
  private buildF32(): void {
    if (this.f32Built) return;
    const D = this.distinct;
    const vals = (S.vals = growF64(S.vals, D + (this.model.vectors ? this.model.vectors.dim + 2 : 0)));
    const { kind, cnt } = S;
    let norm = 0;
    for (let d = 0; d < D; d++) {
      const c = cnt[d]!;
      if (c === 0) continue;
      const v = kind[d]! * tf(c); // tf(c) is 1 + Math.log(c), the same double
      vals[d] = Math.fround(v);
      norm += v * v;
    }
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let d = 0; d < D; d++) if (cnt[d]! > 0) vals[d] = Math.fround(vals[d]! * inv);
    const vec = this.model.vectors;
    if (vec) {
      const dim = vec.dim;
      const rows = vec.rows;
      const { acc, known } = sumVectors(rows, dim, S.tokenRow, 0, this.n);
      let vn = 0;
      for (let k = 0; k < dim; k++) vn += acc[k]! * acc[k]!;
      const scale = known > 0 && vn > 0 ? vec.weight / Math.sqrt(vn) : 0;
      for (let k = 0; k < dim; k++) vals[D + k] = Math.fround(acc[k]! * scale);
      vals[D + dim] = Math.fround(shortness(this.n));
      const offer = this.offers();
      let o = 0;
      for (let t = 0; t < this.n && o === 0; t++) if (offer[t]! >= 0) o = 1;
      vals[D + dim + 1] = o;
      this.vn = dim + 2;
    }
    this.f32Built = true;
  }

  /** The whole-text feature vector, exactly as features.ts's featurizeTokens (+ the word-vector
   * block of vectors.ts's extend) builds it: same indices, same order, same float32 values. */
  sparse(): SparseVector {
    this.check();
    this.buildF32();
    const D = this.distinct;
    const { idx, cnt } = S;
    const vals = S.vals;
    let n = 0;
    for (let d = 0; d < D; d++) if (cnt[d]! > 0) n++;
    const indices = new Uint32Array(n + this.vn);
    const values = new Float32Array(n + this.vn);
    let k = 0;
    for (let d = 0; d < D; d++) {
      if (cnt[d]! === 0) continue;
      indices[k] = idx[d]!;
      values[k++] = vals[d]!;
    }
    for (let j = 0; j < this.vn; j++, k++) {
      indices[k] = FEATURE_DIM + j;
      values[k] = vals[D + j]!;
    }
    return { indices, values };
  }

  /** Whole-text logits, bit for bit those of `LinearModel.logitsAll(model.features(text))`. */
  logitsF32(out: Float64Array): Float64Array {
    this.check();
    this.buildF32();
    const width = this.width;
    const { q, bias, scales } = this.model.table;
    out.fill(0, 0, width);
    const { base, cnt } = S;
    const vals = S.vals;
    const D = this.distinct;
    // The features with a row, in order (hashed, then the dense slots), as logitsAll walks them.
    const lb = (S.listB = growI32(S.listB, D + this.vn));
    const lv = (S.listV = growF64(S.listV, D + this.vn));
    let m = 0;
    for (let d = 0; d < D; d++) {
      const b = base[d]!;
      if (b < 0 || cnt[d]! === 0) continue;
      lb[m] = b;
      lv[m++] = vals[d]!;
    }
    const slotBase = this.model.slotBase;
    for (let k = 0; k < this.vn; k++) {
      lb[m] = slotBase[k]!;
      lv[m++] = vals[D + k]!;
    }
    addRows(out, 0, q, width, lb, lv, 0, m);
    for (let c = 0; c < width; c++) out[c] = bias[c]! + out[c]! * scales[c]!;
    return out;
  }

  /**
   * Phrases that pushed column `col` above column `alt` the most (LinearModel.explain on the
   * whole-text features): the strongest 24 features, named by where they first occurred.
   */
  explain(col: number, alt: number, top = 5): string[] {
    this.check();
    this.buildF32();
    const { q, scales } = this.model.table;
    const K = 24;
    // The strongest K (insertion-sorted, strongest first; ties keep the earlier feature first).
    const bestId = new Int32Array(K + 1);
    const bestVal = new Float64Array(K + 1);
    let kept = 0;
    const D = this.distinct;
    const { base, cnt } = S;
    const vals = S.vals;
    const sc = scales[col]!;
    const sa = alt >= 0 ? scales[alt]! : 0;
    const total = D + this.vn;
    const slotBase = this.model.slotBase;
    for (let j = 0; j < total; j++) {
      let b: number;
      let id: number;
      if (j < D) {
        b = base[j]!;
        if (b < 0 || cnt[j]! === 0) continue;
        id = j;
      } else {
        b = slotBase[j - D]!;
        if (b < 0) continue;
        id = -1; // the dense block names no phrase
      }
      const wc = q[b + col]! * sc;
      const wa = alt >= 0 ? q[b + alt]! * sa : 0;
      const x = vals[j]! * (wc - wa);
      if (x <= 0 || (kept === K && x <= bestVal[K - 1]!)) continue;
      let at = kept;
      while (at > 0 && bestVal[at - 1]! < x) {
        bestVal[at] = bestVal[at - 1]!;
        bestId[at] = bestId[at - 1]!;
        at--;
      }
      bestVal[at] = x;
      bestId[at] = id;
      if (kept < K) kept++;
    }
    const byPhrase = new Map<string, number>();
    const first = S.first;
    const tokens = this.tokens;
    for (let i = 0; i < kept; i++) {
      const id = bestId[i]!;
      if (id < 0) continue;
      const f = first[id]!;
      const name = f >= 0 ? tokens[f]! : `${tokens[-1 - f - 1]} ${tokens[-1 - f]}`;
      byPhrase.set(name, (byPhrase.get(name) ?? 0) + bestVal[i]!);
    }
    return [...byPhrase.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, top)
      .map(([p]) => p);
  }

  /** Per-token prefix sums of every occurrence's weight row, and of the word vectors. */
  private buildPrefix(): void {
    if (this.prefixBuilt) return;
    const n = this.n;
    const width = this.width;
    const q = this.model.table.q;
    const own = (S.own = growF64(S.own, (n + 1) * width));
    const big = (S.big = growF64(S.big, (n + 1) * width));
    const { occ, occStart, bigramOcc, base, kind } = S;
    const nOcc = this.occurrences;
    const occB = (S.occB = growI32(S.occB, nOcc));
    const occW = (S.occW = growF64(S.occW, nOcc));
    for (let j = 0; j < nOcc; j++) {
      const id = occ[j]!;
      occB[j] = base[id]!;
      occW[j] = kind[id]!;
    }
    for (let t = 0; t < n; t++) if (bigramOcc[t]! >= 0) occB[bigramOcc[t]!] = -1;
    own.fill(0, 0, width);
    big.fill(0, 0, width);
    for (let t = 0; t < n; t++) {
      const o = (t + 1) * width;
      own.copyWithin(o, o - width, o);
      big.copyWithin(o, o - width, o);
      addRows(own, o, q, width, occB, occW, occStart[t]!, occStart[t + 1]!);
      const bj = bigramOcc[t]!;
      const b = bj >= 0 ? base[occ[bj]!]! : -1;
      if (b >= 0) {
        const w = kind[occ[bj]!]!;
        for (let c = 0; c < width; c++) big[o + c]! += w * q[b + c]!;
      }
    }
    const v = this.model.vectors;
    if (v) {
      const dim = v.dim;
      const rows = v.rows;
      const vec = (S.vec = growI32(S.vec, (n + 1) * dim));
      const known = (S.known = growI32(S.known, n + 1));
      const tr = S.tokenRow;
      vec.fill(0, 0, dim);
      known[0] = 0;
      for (let t = 0; t < n; t++) {
        const o = (t + 1) * dim;
        vec.copyWithin(o, o - dim, o);
        const r = tr[t]!;
        known[t + 1] = known[t]! + (r >= 0 ? 1 : 0);
        if (r < 0) continue;
        const b = r * dim;
        for (let k = 0; k < dim; k++) vec[o + k]! += rows[b + k]!;
      }
    }
    this.prefixBuilt = true;
  }

  /** A scorer of token ranges [from, to) that only move forward (needs the occurrences). */
  ranges(): RangeWalker {
    this.check();
    this.buildPrefix();
    return new RangeWalker(this, this.model, this.distinct);
  }

  /** Whole-text logits as segments.ts's RangeScorer gives them for [0, nWhole) (float64 features). */
  rangeLogitsWhole(out: Float64Array): Float64Array {
    this.check();
    const width = this.width;
    const { q } = this.model.table;
    const { base, kind, cnt } = S;
    out.fill(0, 0, width);
    let norm2 = 0;
    const D = this.distinct;
    const lb = (S.listB = growI32(S.listB, D));
    const lv = (S.listV = growF64(S.listV, D));
    let m = 0;
    for (let d = 0; d < D; d++) {
      const c = cnt[d]!;
      if (c === 0) continue;
      const v = kind[d]! * tf(c);
      norm2 += v * v;
      const b = base[d]!;
      if (b < 0) continue;
      lb[m] = b;
      lv[m++] = v;
    }
    addRows(out, 0, q, width, lb, lv, 0, m);
    const inv = norm2 > 1e-12 ? 1 / Math.sqrt(norm2) : 0;
    for (let k = 0; k < width; k++) out[k]! *= inv;
    finishRange(out, this.model, this, 0, this.nWhole, () => {
      // The whole text's summed word vectors (no prefix sums needed).
      const v = this.model.vectors!;
      return sumVectors(v.rows, v.dim, S.tokenRow, 0, this.nWhole);
    });
    return out;
  }
}

/** The sum of the word-vector rows of tokens [a, b) (exact: int8 rows summed in doubles) and how
 * many tokens have one; four dims at a time in registers (see addRows). */
function sumVectors(rows: Int8Array, dim: number, tokenRow: Int32Array, a: number, b: number): { acc: Float64Array; known: number } {
  const acc = new Float64Array(dim);
  let known = 0;
  for (let t = a; t < b; t++) if (tokenRow[t]! >= 0) known++;
  let k0 = 0;
  for (; k0 + 4 <= dim; k0 += 4) {
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let t = a; t < b; t++) {
      const r = tokenRow[t]!;
      if (r < 0) continue;
      const p = r * dim + k0;
      a0 += rows[p]!;
      a1 += rows[p + 1]!;
      a2 += rows[p + 2]!;
      a3 += rows[p + 3]!;
    }
    acc[k0] = a0;
    acc[k0 + 1] = a1;
    acc[k0 + 2] = a2;
    acc[k0 + 3] = a3;
  }
  for (; k0 < dim; k0++) {
    let x = 0;
    for (let t = a; t < b; t++) if (tokenRow[t]! >= 0) x += rows[tokenRow[t]! * dim + k0]!;
    acc[k0] = x;
  }
  return { acc, known };
}

/** Add the dense block (mean word vector, shortness, contrast-offer) of tokens [a, b) and the bias. */
function finishRange(out: Float64Array, model: EngineModel, pass: TextPass, a: number, b: number, vector: () => { acc: Int32Array | Float64Array; known: number }): void {
  const { q, bias, scales } = model.table;
  const width = model.table.width;
  const v = model.vectors;
  if (v && b > a) {
    const dim = v.dim;
    const { acc, known } = vector();
    let vn = 0;
    for (let k = 0; k < dim; k++) vn += acc[k]! * acc[k]!;
    const scale = known > 0 && vn > 0 ? v.weight / Math.sqrt(vn) : 0;
    const x = (S.slotV = growF64(S.slotV, dim + 2));
    for (let k = 0; k < dim; k++) x[k] = acc[k]! * scale;
    x[dim] = shortness(b - a);
    const offer = pass.offers();
    let o = 0;
    for (let t = a; t < b && o === 0; t++) {
      const j = offer[t]!;
      if (j >= 0 && j < b) o = 1;
    }
    x[dim + 1] = o;
    addRows(out, 0, q, width, model.slotBase, x, 0, dim + 2);
  }
  for (let c = 0; c < width; c++) out[c] = bias[c]! + out[c]! * scales[c]!;
}


/**
 * Running logits of a token range that only moves forward (segments.ts's RangeScorer on the
 * pass's occurrences): the linear part is a difference of prefix rows; features that repeat
 * inside the range correct it for sublinear tf; the L2 norm follows every count change.
 */
export class RangeWalker {
  private readonly pass: TextPass;
  private readonly model: EngineModel;
  private readonly width: number;
  private readonly acc: Float64Array;
  private readonly cnt: Int32Array;
  private readonly vtmp: Float64Array;
  private readonly distinct: number;
  private norm2 = 0;
  private from = 0;
  private to = 0;

  constructor(pass: TextPass, model: EngineModel, distinct: number) {
    this.pass = pass;
    this.model = model;
    this.width = model.table.width;
    this.distinct = distinct;
    this.acc = new Float64Array(this.width);
    this.cnt = S.segCnt = growI32(S.segCnt, distinct);
    this.cnt.fill(0, 0, distinct);
    this.vtmp = new Float64Array(model.vectors ? model.vectors.dim : 0);
  }

  /** Empty the range and start again at token 0 (for the next family of segments). */
  reset(): void {
    this.cnt.fill(0, 0, this.distinct);
    this.acc.fill(0);
    this.norm2 = 0;
    this.from = this.to = 0;
  }

  moveTo(from: number, to: number): void {
    if (from < this.from || to < this.to) throw new Error('RangeWalker only moves forward');
    if (from >= this.to) {
      while (this.from < this.to) this.removeLeft();
      this.acc.fill(0);
      this.norm2 = 0;
      this.from = this.to = from;
    }
    while (this.from < from) this.removeLeft();
    while (this.to < to) this.addRight();
  }

  logits(out: Float64Array): Float64Array {
    const inv = this.norm2 > 1e-12 ? 1 / Math.sqrt(this.norm2) : 0;
    const width = this.width;
    const a = this.from;
    const b = this.to;
    const { own, big } = S;
    for (let c = 0; c < width; c++) {
      const lin = own[b * width + c]! - own[a * width + c]! + (b > a + 1 ? big[b * width + c]! - big[(a + 1) * width + c]! : 0);
      out[c] = (lin + this.acc[c]!) * inv;
    }
    const v = this.model.vectors;
    finishRange(out, this.model, this.pass, a, b, () => {
      const dim = v!.dim;
      const acc = this.vtmp;
      const { vec, known } = S;
      for (let k = 0; k < dim; k++) acc[k] = vec[b * dim + k]! - vec[a * dim + k]!;
      return { acc, known: known[b]! - known[a]! };
    });
    return out;
  }

  private addRight(): void {
    const t = this.to;
    const { occ, occStart, bigramOcc } = S;
    const bj = bigramOcc[t]!;
    for (let j = occStart[t]!; j < occStart[t + 1]!; j++) if (j !== bj) this.inc(occ[j]!);
    if (t > this.from && bj >= 0) this.inc(occ[bj]!);
    this.to++;
  }

  private removeLeft(): void {
    const t = this.from;
    const { occ, occStart, bigramOcc } = S;
    const bj = bigramOcc[t]!;
    for (let j = occStart[t]!; j < occStart[t + 1]!; j++) if (j !== bj) this.dec(occ[j]!);
    this.from++;
    const u = this.from;
    if (u < this.to && bigramOcc[u]! >= 0) this.dec(occ[bigramOcc[u]!]!);
  }

  private inc(d: number): void {
    const k = this.cnt[d]!;
    this.cnt[d] = k + 1;
    const w = S.kind[d]!;
    const before = tf(k);
    const after = tf(k + 1);
    this.norm2 += w * w * (after * after - before * before);
    if (k > 0) this.correct(d, w * (after - before - 1));
  }

  private dec(d: number): void {
    const k = this.cnt[d]!;
    this.cnt[d] = k - 1;
    const w = S.kind[d]!;
    const before = tf(k);
    const after = tf(k - 1);
    this.norm2 += w * w * (after * after - before * before);
    if (k > 1) this.correct(d, w * (after - before + 1));
  }

  private correct(d: number, by: number): void {
    const b = S.base[d]!;
    if (b < 0 || by === 0) return;
    const q = this.model.table.q;
    const acc = this.acc;
    for (let c = 0; c < this.width; c++) acc[c]! += by * q[b + c]!;
  }
}
