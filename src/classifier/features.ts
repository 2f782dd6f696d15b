import { fmix } from '../core/hash.js';
import { normalizeText } from './normalize.js';
import { tokenizeNormalized } from './tokenize.js';

/**
 * Hashed sparse features: word unigrams, word bigrams and character 3-5-grams of each word
 * (with boundary markers, fastText-style), hashed with FNV-1a + a 32-bit finaliser into
 * FEATURE_DIM buckets. Values are sublinear term frequencies (1 + ln tf) times a per-kind weight,
 * and the vector is L2-normalised. Character n-grams carry misspellings, obfuscations that
 * survive normalisation, and languages without a word model.
 */

export const FEATURE_DIM = 1 << 18;
const MASK = FEATURE_DIM - 1;
const MAX_TOKEN_CHARS = 40;
export const MAX_TOKENS = 4000;

export const FEATURE_CONFIG = {
  dim: FEATURE_DIM,
  charNgrams: [3, 5] as const,
  weights: { word: 2, bigram: 1.5, char: 1 },
  hash: 'fnv1a32+fmix',
  version: 1,
} as const;

export interface SparseVector {
  indices: Uint32Array;
  values: Float32Array;
}

const SEED_WORD = 0x811c9dc5;
const SEED_CHAR = 0x01000193;
const SEED_BIGRAM = 0x9e3779b9;

function fnv(s: string, start: number, end: number, seed: number): number {
  let h = seed;
  for (let i = start; i < end; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

const wordHash = (t: string): number => fnv(t, 0, t.length, SEED_WORD);
export const wordIndex = (t: string): number => fmix(wordHash(t)) & MASK;
const bigramIndex = (h1: number, h2: number): number => fmix(Math.imul(h1 ^ SEED_BIGRAM, 0x27d4eb2d) ^ h2) & MASK;
const charIndex = (p: string, i: number, n: number): number => fmix(fnv(p, i, i + n, SEED_CHAR + n)) & MASK;

/** Visit every (index, weight, display) feature of a token list. `display` is what an explanation shows. */
export function visit(tokens: string[], emit: (index: number, weight: number, token: number, bigram: boolean) => void): void {
  const { word, bigram, char } = FEATURE_CONFIG.weights;
  const n = Math.min(tokens.length, MAX_TOKENS);
  let prevHash = 0;
  for (let t = 0; t < n; t++) {
    const tok = tokens[t]!;
    const h = wordHash(tok);
    emit(fmix(h) & MASK, word, t, false);
    if (t > 0) emit(bigramIndex(prevHash, h), bigram, t, true);
    prevHash = h;
    const p = `<${tok.length > MAX_TOKEN_CHARS ? tok.slice(0, MAX_TOKEN_CHARS) : tok}>`;
    for (let g = FEATURE_CONFIG.charNgrams[0]; g <= FEATURE_CONFIG.charNgrams[1]; g++) {
      for (let i = 0; i + g <= p.length; i++) emit(charIndex(p, i, g), char, t, false);
    }
  }
}

// Scratch: a small open-addressing table (feature index → slot) reused across calls and cleared
// slot by slot after each call. It stays a few tens of KB for a 1 KB text, so featurizing does not
// push the model's weights out of the CPU cache (a dense 2^18 scratch array did, and cost the
// following lookups more than the featurizing itself).
let cap = 0;
let keys = new Int32Array(0);
let counts = new Float32Array(0);
let kinds = new Float32Array(0);
let slots = new Uint32Array(0);

function ensure(expected: number): void {
  let want = 1024;
  while (want < expected * 2) want <<= 1;
  if (want <= cap) return;
  cap = want;
  keys = new Int32Array(cap).fill(-1);
  counts = new Float32Array(cap);
  kinds = new Float32Array(cap);
  slots = new Uint32Array(cap);
}

/**
 * Features of an already-tokenized text (training uses wink tokens, inference the fast tokenizer).
 * `reserve` leaves room after the hashed features in the same buffers (the returned arrays are
 * views of length = the number of hashed features), so dense features can be appended without a copy.
 */
export function featurizeTokens(tokens: string[], reserve = 0): SparseVector {
  const [lo, hi] = FEATURE_CONFIG.charNgrams;
  let expected = 0;
  for (let t = 0; t < Math.min(tokens.length, MAX_TOKENS); t++) expected += 2 + (hi - lo + 1) * (Math.min(tokens[t]!.length, MAX_TOKEN_CHARS) + 2);
  ensure(expected);
  const mask = cap - 1;
  let nt = 0;
  visit(tokens, (idx, w) => {
    let h = Math.imul(idx, 0x9e3779b1) >>> 0;
    for (;;) {
      const slot = h & mask;
      const k = keys[slot]!;
      if (k === idx) {
        counts[slot]! += 1;
        return;
      }
      if (k === -1) {
        keys[slot] = idx;
        counts[slot] = 1;
        kinds[slot] = w;
        slots[nt++] = slot;
        return;
      }
      h++;
    }
  });
  const indicesBuf = new Uint32Array(nt + reserve);
  const valuesBuf = new Float32Array(nt + reserve);
  const indices = reserve > 0 ? indicesBuf.subarray(0, nt) : indicesBuf;
  const values = reserve > 0 ? valuesBuf.subarray(0, nt) : valuesBuf;
  let norm = 0;
  for (let i = 0; i < nt; i++) {
    const slot = slots[i]!;
    const v = kinds[slot]! * (1 + Math.log(counts[slot]!));
    indices[i] = keys[slot]!;
    values[i] = v;
    norm += v * v;
    keys[slot] = -1;
  }
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < nt; i++) values[i]! *= inv;
  return { indices, values };
}

/** Hashed word + char n-gram features of a text, L2-normalised. */
export function featurize(text: string): SparseVector {
  return featurizeTokens(tokenizeNormalized(normalizeText(text)));
}

/**
 * For explanations: which readable phrase each feature index came from in this text (a word, a
 * word pair, or, for a character n-gram, the word that contains it). Takes the text or its tokens.
 */
export function featureNames(text: string | string[], wanted?: Set<number>): Map<number, string> {
  const tokens = typeof text === 'string' ? tokenizeNormalized(normalizeText(text)) : text;
  const names = new Map<number, string>();
  visit(tokens, (idx, _w, t, bigram) => {
    if (names.has(idx) || (wanted && !wanted.has(idx))) return;
    names.set(idx, bigram ? `${tokens[t - 1]} ${tokens[t]}` : tokens[t]!);
  });
  return names;
}
