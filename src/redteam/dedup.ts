import { createHash } from 'node:crypto';

/**
 * Near-duplicate detection: character 5-gram shingles of normalised text, MinHash signatures
 * (128 hashes) bucketed with LSH (32 bands of 4 rows) to find candidates, then exact Jaccard on the
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

// 32-bit FNV-1a of a shingle, then 128 universal hashes (a*x + b mod p) with fixed seeds.
function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const P = 4294967311; // prime > 2^32
const COEF: [number, number][] = Array.from({ length: HASHES }, (_, i) => {
  const d = createHash('sha256').update(`pillars-minhash-${i}`).digest();
  return [(d.readUInt32BE(0) % (P - 1)) + 1, d.readUInt32BE(4) % P];
});

function mulmod(a: number, b: number, m: number): number {
  // a, b < 2^33: split b to stay within 2^53.
  const hi = Math.floor(b / 65536);
  const lo = b % 65536;
  return (((a * hi) % m) * 65536 + a * lo) % m;
}

export function minhash(sh: Set<string>): Uint32Array {
  const sig = new Uint32Array(HASHES).fill(0xffffffff);
  for (const s of sh) {
    const x = fnv(s);
    for (let i = 0; i < HASHES; i++) {
      const [a, b] = COEF[i]!;
      const v = (mulmod(a, x, P) + b) % P;
      const v32 = v >>> 0;
      if (v32 < sig[i]!) sig[i] = v32;
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
  private buckets = new Map<string, string[]>();
  constructor(readonly threshold = 0.8) {}

  add(id: string, text: string): void {
    const sh = shingles(text);
    this.docs.set(id, sh);
    const sig = minhash(sh);
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
      const s = jaccard(sh, this.docs.get(id)!);
      if (s >= this.threshold && (!best || s > best.similarity)) best = { id, similarity: s };
    }
    return best;
  }

  get size(): number {
    return this.docs.size;
  }
}
