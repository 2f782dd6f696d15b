import { createHash } from 'node:crypto';

/**
 * Near-duplicate detection: character 5-gram shingles of normalised text, MinHash signatures
 * (128 seeded 32-bit hashes) bucketed with LSH (32 bands of 4 rows) to find candidates, then exact Jaccard on the
 * shingle sets to confirm. Two prompts whose shingle Jaccard ≥ threshold (default 0.8) are duplicates.
 */

const K = 5;
const HASHES = 128;
const BANDS = 32;
const ROWS = HASHES / BANDS;

export function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

export function shingles(text: string, k = K): Set<string> {
  const t = normalize(text);
  const out = new Set<string>();
  if (t.length <= k) {
    if (t) out.add(t);
    return out;
  }
  for (let i = 0; i + k <= t.length; i++) out.add(t.slice(i, i + k));
  return out;
}

export function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  const [small, big] = a.size < b.size ? [a, b] : [b, a];
  for (const x of small) if (big.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

// 32-bit FNV-1a of a shingle, then 128 seeded murmur3 finalisers (fast, well-mixed 32-bit hashes).
function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const SEEDS: Uint32Array = Uint32Array.from({ length: HASHES }, (_, i) => createHash('sha256').update(`pillars-minhash-${i}`).digest().readUInt32BE(0));

function mix(x: number, seed: number): number {
  let h = (x ^ seed) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export function minhash(sh: Set<string>): Uint32Array {
  const sig = new Uint32Array(HASHES).fill(0xffffffff);
  for (const s of sh) {
    const x = fnv(s);
    for (let i = 0; i < HASHES; i++) {
      const v = mix(x, SEEDS[i]!);
      if (v < sig[i]!) sig[i] = v;
    }
  }
  return sig;
}

export function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  let eq = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) eq++;
  return eq / a.length;
}

export interface DupHit {
  id: string;
  similarity: number;
}

/** An index of texts to check new texts against. */
export class NearDupIndex {
  private docs = new Map<string, Set<string>>();
  private sigs = new Map<string, Uint32Array>();
  private buckets = new Map<string, string[]>();
  constructor(readonly threshold = 0.8) {}

  add(id: string, text: string): void {
    const sh = shingles(text);
    this.docs.set(id, sh);
    const sig = minhash(sh);
    this.sigs.set(id, sig);
    for (let b = 0; b < BANDS; b++) {
      const key = `${b}:${Array.from(sig.subarray(b * ROWS, (b + 1) * ROWS)).join(',')}`;
      const list = this.buckets.get(key);
      if (list) list.push(id);
      else this.buckets.set(key, [id]);
    }
  }

  /** The most similar indexed text at or above the threshold, or null. */
  find(text: string): DupHit | null {
    const sh = shingles(text);
    const sig = minhash(sh);
    const cands = new Set<string>();
    for (let b = 0; b < BANDS; b++) {
      const key = `${b}:${Array.from(sig.subarray(b * ROWS, (b + 1) * ROWS)).join(',')}`;
      for (const id of this.buckets.get(key) ?? []) cands.add(id);
    }
    let best: DupHit | null = null;
    for (const id of cands) {
      // The signature estimate screens candidates (its error is about ±0.09 at 128 hashes); exact Jaccard decides.
      if (estimateJaccard(sig, this.sigs.get(id)!) < this.threshold - 0.15) continue;
      const s = jaccard(sh, this.docs.get(id)!);
      if (s >= this.threshold && (!best || s > best.similarity)) best = { id, similarity: s };
    }
    return best;
  }

  get size(): number {
    return this.docs.size;
  }
}
