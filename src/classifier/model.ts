import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from '../core/errors.js';
import { FEATURE_CONFIG, FEATURE_DIM, featureNames, featurizeTokens, type SparseVector } from './features.js';
import { addRows, engineModel, TextPass, type EngineModel } from './engine.js';
import { softmaxInPlace, type DenseHead } from './linear.js';
import { normalizeText } from './normalize.js';
import { originalOffsets, type OffsetMap } from './offsets.js';
import { planSegments, SENTENCE_STARTERS, type DenseBlock, type SegmentOptions, type SegmentPlan, type WeightTable } from './segments.js';
import { tokenizeNormalized, tokenizeNormalizedSpans, type TokenSpans } from './tokenize.js';
import { offerAfter, shortness, TOTAL_DIM, WordVectors } from './vectors.js';

/**
 * The runtime model: all heads share one sparse row table (feature index → row of weights for
 * every class of every head), so a prediction is one pass over the text's features.
 * File format (JSON): weights stored sparse (only rows some head uses), int8-quantised per column,
 * base64-encoded; see `serialize`.
 */

export const RESPONSE_LABELS = ['refused', 'complied', 'deflected', 'partial'] as const;
export type ResponseLabel = (typeof RESPONSE_LABELS)[number];
export const NONE = 'none';

export interface TextPrediction {
  /** The policy topic that applies, or null when none does. */
  topic: string | null;
  /** Calibrated probability that some topic applies (1 - p(none)); the topic is set when it reaches the model's threshold. */
  topicScore: number;
  /** Every topic with its probability, best first (`none` included). */
  topics: { topic: string; p: number }[];
  level: 0 | 1 | 2 | 3;
  levelScores: number[];
  /** The phrases that weighed most for the predicted topic (or for `none`). */
  explanation: string[];
}

export interface ResponsePrediction {
  label: ResponseLabel;
  p: number;
  scores: Record<ResponseLabel, number>;
  explanation: string[];
}

export interface ClassifierModel {
  predict(text: string): TextPrediction;
  predictResponse(text: string): ResponsePrediction;
}

/** One scored segment of a text (a sentence or line, or a window) where a topic applies. */
export interface SegmentPrediction {
  kind: SegmentPlan['kind'];
  /** [start, end) offsets in the original text. */
  start: number;
  end: number;
  topic: string;
  topicScore: number;
  level: 0 | 1 | 2 | 3;
  levelScores: number[];
  /** The response head read on the segment alone (when asked for: model outputs). */
  response: { label: ResponseLabel; p: number } | null;
  /** The phrases that weighed most for the topic in this segment (computed on first read). */
  explanation: string[];
}

export interface SegmentedPrediction {
  /** The whole-text prediction, the same as `predict(text)`. */
  whole: TextPrediction;
  /** The whole-text response prediction, when asked for. */
  response: ResponsePrediction | null;
  /** Segments in which some topic applies, in text order (sentences first, then windows). */
  flagged: SegmentPrediction[];
  /** How many segments were scored besides the whole text (0 for a short single-sentence text). */
  scored: number;
}

export interface PredictSegmentsOptions extends SegmentOptions {
  /** Also read the response head, on the whole text and on each flagged segment (model outputs). */
  response?: boolean;
  /** Topic threshold for segments (default: the model's `segmentThreshold`, else its `threshold`). */
  threshold?: number;
  /** Called with the whole-text predictions before segments are scored: true skips them (the
   * guard's whole-text decision is already the strictest there is). */
  enough?: (whole: TextPrediction, response: ResponsePrediction | null) => boolean;
}

export interface HeadInfo {
  name: 'topic' | 'level' | 'response';
  classes: string[];
  temperature: number;
}

export const ModelMeta = z.object({
  pack: z.object({ id: z.string(), version: z.string() }).nullable(),
  /** topic → policy id of the pack the model was trained on. */
  topicPolicies: z.record(z.string(), z.string()),
  seed: z.number(),
  /** A topic applies when p(some topic) = 1 - p(none) reaches this (tuned for recall vs over-refusal). */
  threshold: z.number().min(0).max(1).default(0.5),
  /** A segment (sentence, line, window) flags a topic when p(some topic) reaches this (default:
   * `threshold`). A model that over-reads single sentences can set it higher (docs/guard.md). */
  segmentThreshold: z.number().min(0).max(1).optional(),
  counts: z.record(z.string(), z.number()),
  report: z.record(z.string(), z.unknown()),
});
export type ModelMeta = z.infer<typeof ModelMeta>;

const ModelFile = z.object({
  format: z.literal('pillars-guard-model'),
  version: z.literal(2),
  features: z.object({ dim: z.number(), version: z.number() }).passthrough(),
  heads: z.array(z.object({ name: z.enum(['topic', 'level', 'response']), classes: z.array(z.string()), temperature: z.number() })),
  meta: ModelMeta,
  bias: z.array(z.number()),
  rows: z.string(),
  scales: z.array(z.number()),
  weights: z.string(),
  vectors: z.object({ dim: z.number(), weight: z.number(), words: z.string(), scale: z.number(), data: z.string() }).optional(),
});
type ModelFile = z.infer<typeof ModelFile>;

/** Phrases that pushed column `col` above column `alt` (-1: none) the most. */
type Explainer = (col: number, alt: number) => string[];

/**
 * An enumerable `explanation` computed on first read. One getter function for every object (the
 * per-object work sits in a hidden symbol property): a getter closure per object gave every
 * prediction its own hidden class in old space, which kept the closure, the text's pass and its
 * tokens alive through young-generation collections (the bulk of the guard's p99).
 */
const EXPLAIN = Symbol('explain');
interface Lazy {
  [EXPLAIN]: { fn: () => string[]; value: string[] | null };
}
function explanationGetter(this: Lazy): string[] {
  const s = this[EXPLAIN];
  return (s.value ??= s.fn());
}
function lazyExplanation(obj: object, fn: () => string[]): void {
  Object.defineProperty(obj, EXPLAIN, { value: { fn, value: null }, enumerable: false });
  Object.defineProperty(obj, 'explanation', { enumerable: true, get: explanationGetter });
}

export class LinearModel implements ClassifierModel {
  readonly heads: HeadInfo[];
  readonly meta: ModelMeta;
  /** Columns: the classes of every head, in head order. */
  readonly width: number;
  private readonly offsets: number[];
  /** Feature index → row of `q` (NO_ROW when absent). 16-bit when the rows fit: the lookup table
   * (512 KB) and the int8 rows (~1.5 MB) then stay in a core's L2 cache, which is what the per-call
   * cost of a 1 KB text (about 1,800 random lookups) is bound by. */
  private readonly rowOf: Uint16Array | Uint32Array;
  private readonly noRow: number;
  /** int8 weights, row-major: q[r * width + col] * scales[col]. Kept quantised in memory: a row is
   * one cache line, which is what the per-call cost of a 1 KB text is bound by. When most feature
   * indices have a row (`direct`), q holds a row for every index (zeros where the file has none)
   * and `rowOf` is the identity: a lookup then costs one cache miss instead of two. */
  private readonly q: Int8Array;
  private readonly direct: boolean;
  private readonly scales: Float32Array;
  private readonly bias: Float32Array;
  private readonly rowIndex: Uint32Array;
  /** Semantic word vectors (optional): their mean is appended to the hashed features. */
  readonly vectors: WordVectors | null;
  /** What the inference engine (engine.ts) reads: the weight table and the word vectors. */
  private readonly engine: EngineModel;

  constructor(init: { heads: HeadInfo[]; meta: ModelMeta; rowIndex: Uint32Array; q: Int8Array; scales: Float32Array; bias: Float32Array; vectors?: WordVectors | null }) {
    this.vectors = init.vectors ?? null;
    this.heads = init.heads;
    this.meta = init.meta;
    this.offsets = [];
    let w = 0;
    for (const h of init.heads) {
      this.offsets.push(w);
      w += h.classes.length;
    }
    this.width = w;
    this.rowIndex = init.rowIndex;
    this.scales = init.scales;
    this.bias = init.bias;
    this.direct = init.rowIndex.length * 2 > TOTAL_DIM;
    if (this.direct) {
      // Rows by feature index: about as much memory as the sparse rows plus their lookup table.
      this.q = new Int8Array(TOTAL_DIM * w);
      for (let r = 0; r < init.rowIndex.length; r++) this.q.set(init.q.subarray(r * w, (r + 1) * w), init.rowIndex[r]! * w);
      this.noRow = 0xffffffff;
      this.rowOf = new Uint32Array(TOTAL_DIM);
      for (let i = 0; i < TOTAL_DIM; i++) this.rowOf[i] = i;
    } else {
      this.q = init.q;
      const small = init.rowIndex.length < 0xffff;
      this.noRow = small ? 0xffff : 0xffffffff;
      this.rowOf = small ? new Uint16Array(TOTAL_DIM).fill(0xffff) : new Uint32Array(TOTAL_DIM).fill(0xffffffff);
      for (let r = 0; r < init.rowIndex.length; r++) this.rowOf[init.rowIndex[r]!] = r;
    }
    this.engine = engineModel(this.weightTable(), this.vectors, this.direct);
  }

  /** Build from dense heads, keeping only rows with some weight. */
  static fromDense(heads: { info: HeadInfo; dense: DenseHead }[], meta: ModelMeta, vectors?: WordVectors | null): LinearModel {
    const infos = heads.map((h) => h.info);
    const width = infos.reduce((s, h) => s + h.classes.length, 0);
    const used: number[] = [];
    for (let idx = 0; idx < TOTAL_DIM; idx++) {
      let any = false;
      for (const { dense } of heads) {
        for (let c = 0; c < dense.k && !any; c++) if (Math.abs(dense.w[idx * dense.k + c]!) > 1e-5) any = true;
        if (any) break;
      }
      if (any) used.push(idx);
    }
    const weights = new Float32Array(used.length * width);
    const bias = new Float32Array(width);
    let off = 0;
    for (const { dense } of heads) {
      for (let c = 0; c < dense.k; c++) bias[off + c] = dense.b[c]!;
      used.forEach((idx, r) => {
        for (let c = 0; c < dense.k; c++) weights[r * width + off + c] = dense.w[idx * dense.k + c]!;
      });
      off += dense.k;
    }
    // int8 per column (scale = max |w| / 127); rows whose weights all round to zero are dropped.
    const rows = used.length;
    const scales = new Float32Array(width);
    for (let c = 0; c < width; c++) {
      let max = 0;
      for (let r = 0; r < rows; r++) max = Math.max(max, Math.abs(weights[r * width + c]!));
      scales[c] = max > 0 ? max / 127 : 1;
    }
    const q = new Int8Array(rows * width);
    const keep: number[] = [];
    for (let r = 0; r < rows; r++) {
      let any = false;
      for (let c = 0; c < width; c++) {
        const v = Math.round(weights[r * width + c]! / scales[c]!);
        q[keep.length * width + c] = v;
        if (v !== 0) any = true;
      }
      if (any) keep.push(used[r]!);
    }
    return new LinearModel({ heads: infos, meta, rowIndex: Uint32Array.from(keep), q: q.slice(0, keep.length * width), scales, bias, vectors });
  }

  /** The model's input vector for a text: hashed n-grams, plus the mean word vector when the model has vectors. */
  features(text: string): SparseVector {
    return this.pass(tokenizeNormalized(normalizeText(text))).sparse();
  }

  /** `features` as features.ts and vectors.ts compute them (the engine's reference; tests). */
  featuresReference(text: string): SparseVector {
    return this.featuresOf(tokenizeNormalized(normalizeText(text)));
  }

  private featuresOf(tokens: string[]): SparseVector {
    if (!this.vectors) return featurizeTokens(tokens);
    return this.vectors.extend(featurizeTokens(tokens, this.vectors.dim + 2), tokens);
  }

  head(name: HeadInfo['name']): { info: HeadInfo; offset: number } {
    const i = this.heads.findIndex((h) => h.name === name);
    if (i < 0) throw new Error(`model has no ${name} head`);
    return { info: this.heads[i]!, offset: this.offsets[i]! };
  }

  /** Raw (un-tempered) logits of one head for a feature vector. */
  logits(x: SparseVector, name: HeadInfo['name']): Float64Array {
    const { info, offset } = this.head(name);
    return this.logitsAll(x).slice(offset, offset + info.classes.length);
  }

  /** Calibrated probabilities of one head. */
  probs(x: SparseVector, name: HeadInfo['name']): Float64Array {
    const z = this.logits(x, name);
    softmaxInPlace(z, this.head(name).info.temperature);
    return z;
  }

  /** Raw logits of every column in one pass over the features (one memory walk for all heads). */
  logitsAll(x: SparseVector): Float64Array {
    const width = this.width;
    const acc = new Float64Array(width);
    const rowOf = this.rowOf;
    const none = this.noRow;
    const n = x.indices.length;
    const bases = new Int32Array(n);
    const vals = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const r = rowOf[x.indices[j]!]!;
      bases[j] = r === none ? -1 : r * width;
      vals[j] = x.values[j]!;
    }
    // Each column summed in feature order (engine.ts's addRows: the plain loop's result, faster).
    addRows(acc, 0, this.q, width, bases, vals, 0, n);
    for (let c = 0; c < width; c++) acc[c] = this.bias[c]! + acc[c]! * this.scales[c]!;
    return acc;
  }

  /** Calibrated probabilities of one head, from `logitsAll`. */
  private headProbs(all: Float64Array, name: HeadInfo['name']): Float64Array {
    const { info, offset } = this.head(name);
    const z = all.slice(offset, offset + info.classes.length);
    softmaxInPlace(z, info.temperature);
    return z;
  }

  /** Phrases that pushed class `c` above class `alt` the most. */
  explain(text: string | string[], x: SparseVector, name: HeadInfo['name'], c: number, alt: number, top = 5): string[] {
    const { offset } = this.head(name);
    // Keep the strongest few features (a small insertion-sorted buffer), then name only those.
    const K = 24;
    const bestIdx: number[] = [];
    const bestVal: number[] = [];
    for (let j = 0; j < x.indices.length; j++) {
      const r = this.rowOf[x.indices[j]!]!;
      if (r === this.noRow) continue;
      const base = r * this.width + offset;
      const wc = this.q[base + c]! * this.scales[offset + c]!;
      const wa = alt >= 0 ? this.q[base + alt]! * this.scales[offset + alt]! : 0;
      const d = x.values[j]! * (wc - wa);
      if (d <= 0 || (bestVal.length === K && d <= bestVal[K - 1]!)) continue;
      let at = bestVal.length;
      while (at > 0 && bestVal[at - 1]! < d) at--;
      bestVal.splice(at, 0, d);
      bestIdx.splice(at, 0, x.indices[j]!);
      if (bestVal.length > K) {
        bestVal.pop();
        bestIdx.pop();
      }
    }
    if (bestIdx.length === 0) return [];
    const names = featureNames(text, new Set(bestIdx));
    const byPhrase = new Map<string, number>();
    bestIdx.forEach((idx, i) => {
      const n = names.get(idx);
      if (n !== undefined) byPhrase.set(n, (byPhrase.get(n) ?? 0) + bestVal[i]!);
    });
    return [...byPhrase.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, top)
      .map(([p]) => p);
  }

  /** One engine pass over a text's tokens (engine.ts): every reading of the text comes from it. */
  private pass(tokens: string[], occurrences = false): TextPass {
    return new TextPass(tokens, this.engine, occurrences);
  }

  predict(text: string): TextPrediction {
    const tokens = tokenizeNormalized(normalizeText(text));
    const p = this.pass(tokens);
    return this.textFrom(this.explainer(p), p.logitsF32(new Float64Array(this.width)));
  }

  predictResponse(text: string): ResponsePrediction {
    const tokens = tokenizeNormalized(normalizeText(text));
    const p = this.pass(tokens);
    return this.responseFrom(this.explainer(p), p.logitsF32(new Float64Array(this.width)));
  }

  /** Both predictions from one featurization and one pass over the weights (for model outputs). */
  predictBoth(text: string): { text: TextPrediction; response: ResponsePrediction } {
    const tokens = tokenizeNormalized(normalizeText(text));
    const p = this.pass(tokens);
    const all = p.logitsF32(new Float64Array(this.width));
    const ex = this.explainer(p);
    return { text: this.textFrom(ex, all), response: this.responseFrom(ex, all) };
  }

  /** Explanations of a pass, read lazily: from the pass itself while its scratch is current, else
   * from a fresh pass over the same tokens. */
  private explainer(p: TextPass): Explainer {
    return (col, alt) => (p.live ? p : this.pass(p.tokens)).explain(col, alt);
  }

  /** The int8 weight table, for the segment scorer (segments.ts, engine.ts). */
  weightTable(): WeightTable {
    return { width: this.width, rowOf: this.rowOf, noRow: this.noRow, q: this.q, scales: this.scales, bias: this.bias };
  }

  /**
   * The whole-text prediction plus every segment (sentence or line; window of about 300
   * characters, half-overlapping) in which a topic applies: padding a request with benign sentences
   * dilutes it in the whole text but not in its own segment. The text is normalised and tokenised
   * once; segments are scored exactly and in linear time (src/classifier/segments.ts). A short
   * single-sentence text costs what `predict` (or `predictBoth`) does.
   */
  predictSegments(text: string, opts: PredictSegmentsOptions = {}): SegmentedPrediction {
    const norm = normalizeText(text);
    const spans = tokenizeNormalizedSpans(norm);
    const tokens = spans.tokens;
    let offsets: OffsetMap | null = null;
    const original = (): OffsetMap => (offsets ??= originalOffsets(text, norm));
    const plans = planSegments(norm, spans, opts, (t) => this.startsSentence(text, spans, t, original));
    const p = this.pass(tokens, plans.length > 0);
    const ex = this.explainer(p);
    if (plans.length === 0) {
      // One segment: exactly what predict / predictBoth cost.
      const all = p.logitsF32(new Float64Array(this.width));
      return { whole: this.textFrom(ex, all), response: opts.response ? this.responseFrom(ex, all) : null, flagged: [], scored: 0 };
    }
    // Several segments: the whole text is read from the distinct features' counts; the per-token
    // prefix sums the segments need are built only when some segment is scored.
    const all = p.rangeLogitsWhole(new Float64Array(this.width));
    const whole = this.textFrom(ex, all);
    const response = opts.response ? this.responseFrom(ex, all) : null;
    const flagged: SegmentPrediction[] = [];
    if (opts.enough?.(whole, response)) return { whole, response, flagged, scored: 0 };
    const scorer = p.ranges();

    const topic = this.head('topic');
    const level = this.head('level');
    const resp = opts.response ? this.head('response') : null;
    const noneIdx = topic.info.classes.indexOf(NONE);
    const buf = new Float64Array(this.width);
    const tp = new Float64Array(topic.info.classes.length);
    // The whole-text threshold by default: a request blocked alone stays blocked when padded.
    const threshold = opts.threshold ?? this.meta.segmentThreshold ?? this.meta.threshold;
    let family = -1;
    for (const plan of plans) {
      if (plan.family !== family) {
        scorer.reset(); // each family walks the text from the start
        family = plan.family;
      }
      scorer.moveTo(plan.from, plan.to);
      scorer.logits(buf);
      for (let c = 0; c < tp.length; c++) tp[c] = buf[topic.offset + c]!;
      softmaxInPlace(tp, topic.info.temperature);
      const score = 1 - (noneIdx >= 0 ? tp[noneIdx]! : 0);
      if (score < threshold) continue;
      let best = -1;
      for (let c = 0; c < tp.length; c++) if (c !== noneIdx && (best < 0 || tp[c]! > tp[best]!)) best = c;
      if (best < 0) continue;
      const lp = buf.slice(level.offset, level.offset + level.info.classes.length);
      softmaxInPlace(lp, level.info.temperature);
      let lv = 0;
      for (let c = 1; c < lp.length; c++) if (lp[c]! > lp[lv]!) lv = c;
      let r: SegmentPrediction['response'] = null;
      if (resp) {
        const rp = buf.slice(resp.offset, resp.offset + resp.info.classes.length);
        softmaxInPlace(rp, resp.info.temperature);
        let rb = 0;
        for (let c = 1; c < rp.length; c++) if (rp[c]! > rp[rb]!) rb = c;
        r = { label: resp.info.classes[rb] as ResponseLabel, p: rp[rb]! };
      }
      const start = original().start(spans.starts[plan.from]!);
      const end = original().end(spans.ends[plan.to - 1]!);
      const seg = { kind: plan.kind, start, end, topic: topic.info.classes[best]!, topicScore: score, level: lv as 0 | 1 | 2 | 3, levelScores: Array.from(lp), response: r } as SegmentPrediction;
      lazyExplanation(seg, () => this.predict(text.slice(start, end)).explanation);
      flagged.push(seg);
    }
    return { whole, response, flagged, scored: plans.length };
  }

  /** Token t starts a sentence with no full stop before it: a capitalised sentence starter right
   * after a word ending in a lower-case letter or digit, only spaces between. */
  private startsSentence(text: string, spans: TokenSpans, t: number, original: () => OffsetMap): boolean {
    if (t === 0 || !SENTENCE_STARTERS.has(spans.tokens[t]!)) return false;
    const at = original().start(spans.starts[t]!);
    const c = text.charCodeAt(at);
    if (!(c >= 65 && c <= 90)) return false; // capitalised (ASCII starters only)
    const prevEnd = original().end(spans.ends[t - 1]!);
    if (!/^[ \t]+$/.test(text.slice(prevEnd, at))) return false;
    return /[\p{Ll}\p{N}]/u.test(text[prevEnd - 1] ?? '');
  }

  /** The dense block of a token stream, for the reference segment scorer (segments.ts's
   * RangeScorer, which tests hold the engine against); null when the model has no word vectors. */
  denseBlock(tokens: string[]): DenseBlock | null {
    const v = this.vectors;
    if (!v) return null;
    const tokenRow = new Int32Array(tokens.length);
    for (let t = 0; t < tokens.length; t++) tokenRow[t] = v.rowOf(tokens[t]!);
    const slotRow = new Int32Array(v.dim + 2);
    for (let d = 0; d < v.dim + 2; d++) {
      const r = this.rowOf[FEATURE_DIM + d]!;
      slotRow[d] = r === this.noRow ? -1 : r;
    }
    return { dim: v.dim, weight: v.weight, rows: v.rows, tokenRow, offer: offerAfter(tokens), slotRow, shortness };
  }

  private textFrom(explain: Explainer, all: Float64Array): TextPrediction {
    const off = this.head('topic').offset;
    const tp = this.headProbs(all, 'topic');
    const classes = this.head('topic').info.classes;
    const noneIdx = classes.indexOf(NONE);
    const pNone = noneIdx >= 0 ? tp[noneIdx]! : 0;
    let best = -1;
    for (let c = 0; c < classes.length; c++) if (c !== noneIdx && (best < 0 || tp[c]! > tp[best]!)) best = c;
    const topicScore = 1 - pNone;
    const applies = best >= 0 && topicScore >= this.meta.threshold;
    const topics = classes.map((t, i) => ({ topic: t, p: tp[i]! })).sort((a, b) => b.p - a.p);
    const lp = this.headProbs(all, 'level');
    let level = 0;
    for (let c = 1; c < lp.length; c++) if (lp[c]! > lp[level]!) level = c;
    const pred = {
      topic: applies ? classes[best]! : null,
      topicScore,
      topics,
      level: level as 0 | 1 | 2 | 3,
      levelScores: Array.from(lp),
    } as TextPrediction;
    // The explanation is computed on first read (it re-reads the features to name them): callers
    // that only need the decision do not pay for it.
    lazyExplanation(pred, () => (applies ? explain(off + best, noneIdx >= 0 ? off + noneIdx : -1) : noneIdx >= 0 ? explain(off + noneIdx, best >= 0 ? off + best : -1) : []));
    return pred;
  }

  private responseFrom(explain: Explainer, all: Float64Array): ResponsePrediction {
    const off = this.head('response').offset;
    const p = this.headProbs(all, 'response');
    const classes = this.head('response').info.classes;
    let best = 0;
    let second = -1;
    for (let c = 1; c < p.length; c++) if (p[c]! > p[best]!) best = c;
    for (let c = 0; c < p.length; c++) if (c !== best && (second < 0 || p[c]! > p[second]!)) second = c;
    const scores = Object.fromEntries(classes.map((c, i) => [c, p[i]!])) as Record<ResponseLabel, number>;
    const pred = { label: classes[best] as ResponseLabel, p: p[best]!, scores } as ResponsePrediction;
    lazyExplanation(pred, () => explain(off + best, second >= 0 ? off + second : -1));
    return pred;
  }

  // -------------------------------------------------------------------------------------------
  // Serialisation
  // -------------------------------------------------------------------------------------------

  serialize(): ModelFile {
    const rows = this.rowIndex.length;
    // Delta-encode the sorted row indices (small numbers; read back exactly).
    const deltas = new Uint32Array(rows);
    for (let r = 0; r < rows; r++) deltas[r] = this.rowIndex[r]! - (r > 0 ? this.rowIndex[r - 1]! : 0);
    // The file keeps only the rows some head uses (gathered back from the direct layout).
    let q = this.q;
    if (this.direct) {
      const w = this.width;
      q = new Int8Array(rows * w);
      for (let r = 0; r < rows; r++) q.set(this.q.subarray(this.rowIndex[r]! * w, (this.rowIndex[r]! + 1) * w), r * w);
    }
    return {
      format: 'pillars-guard-model',
      version: 2,
      features: { ...FEATURE_CONFIG, charNgrams: [...FEATURE_CONFIG.charNgrams], weights: { ...FEATURE_CONFIG.weights } },
      heads: this.heads,
      // Schema order, so a saved file and a loaded-then-serialized model hash the same whatever
      // order the trainer set meta fields in.
      meta: ModelMeta.parse(this.meta),
      bias: Array.from(this.bias),
      rows: Buffer.from(deltas.buffer).toString('base64'),
      scales: Array.from(this.scales),
      weights: Buffer.from(q.buffer, q.byteOffset, q.byteLength).toString('base64'),
      ...(this.vectors ? { vectors: this.vectors.serialize() } : {}),
    };
  }

  static deserialize(data: unknown, source = 'model'): LinearModel {
    const r = ModelFile.safeParse(data);
    if (!r.success) {
      const i = r.error.issues[0]!;
      throw new UserError(`${source}: not a Pillars guard model (${i.path.join('.') || 'root'}: ${i.message})`, { code: 'parse_error' });
    }
    const f = r.data;
    if (f.features.dim !== FEATURE_DIM || f.features.version !== FEATURE_CONFIG.version) {
      throw new UserError(`${source}: model was built for another feature layout (dim ${f.features.dim}); retrain it with \`pillars guard train\``, { code: 'parse_error' });
    }
    const width = f.heads.reduce((s, h) => s + h.classes.length, 0);
    const dbuf = Buffer.from(f.rows, 'base64');
    const deltas = new Uint32Array(dbuf.buffer.slice(dbuf.byteOffset, dbuf.byteOffset + dbuf.byteLength));
    const rowIndex = new Uint32Array(deltas.length);
    let acc = 0;
    for (let i = 0; i < deltas.length; i++) {
      acc += deltas[i]!;
      rowIndex[i] = acc;
    }
    const wbuf = Buffer.from(f.weights, 'base64');
    const q = new Int8Array(wbuf.buffer.slice(wbuf.byteOffset, wbuf.byteOffset + wbuf.byteLength));
    if (q.length !== rowIndex.length * width || f.scales.length !== width || f.bias.length !== width) {
      throw new UserError(`${source}: model weights are truncated or inconsistent`, { code: 'parse_error' });
    }
    let vectors: WordVectors | null = null;
    if (f.vectors) {
      try {
        vectors = WordVectors.deserialize(f.vectors);
      } catch (e) {
        throw new UserError(`${source}: ${(e as Error).message}`, { code: 'parse_error' });
      }
    }
    return new LinearModel({ heads: f.heads, meta: f.meta, rowIndex, q, scales: Float32Array.from(f.scales), bias: Float32Array.from(f.bias), vectors });
  }
}

export function saveModel(model: ClassifierModel, path: string): void {
  if (!(model instanceof LinearModel)) throw new Error('saveModel: only models built by trainModel can be saved');
  writeFileSync(path, `${JSON.stringify(model.serialize())}\n`);
}

export function loadModel(path: string): LinearModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UserError(`${path}: model file not found`, { code: 'not_found' });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${path}: model file is not valid JSON (${(e as Error).message})`, { code: 'parse_error' });
  }
  return LinearModel.deserialize(data, path);
}
