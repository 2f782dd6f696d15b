import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SentenceEncoder } from './encoder.js';

/**
 * A disk cache of sentence embeddings for training and benchmarks (embedding tens of thousands of
 * texts takes minutes). One append-only file per encoder: records of [20-byte sha1 of the text]
 * [dim float32]. An interrupted run keeps what it had written.
 */
export class EmbeddingCache {
  private readonly file: string;
  private readonly map = new Map<string, Float32Array>();
  private readonly recordBytes: number;

  constructor(dir: string, private readonly encoder: SentenceEncoder) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, `${encoder.id.replace(/[^a-zA-Z0-9._-]/g, '_')}.bin`);
    this.recordBytes = 20 + encoder.dim * 4;
    if (existsSync(this.file)) {
      const buf = readFileSync(this.file);
      const n = Math.floor(buf.length / this.recordBytes);
      for (let i = 0; i < n; i++) {
        const off = i * this.recordBytes;
        const key = buf.subarray(off, off + 20).toString('hex');
        const vec = new Float32Array(encoder.dim);
        for (let j = 0; j < encoder.dim; j++) vec[j] = buf.readFloatLE(off + 20 + j * 4);
        this.map.set(key, vec);
      }
    }
  }

  get size(): number {
    return this.map.size;
  }

  private static key(text: string): string {
    return createHash('sha1').update(text).digest('hex');
  }

  get(text: string): Float32Array | undefined {
    return this.map.get(EmbeddingCache.key(text));
  }

  /** Embeddings of all texts, computing (in batches) and appending the ones not cached yet. */
  async embedAll(texts: readonly string[], opts: { batch?: number; onProgress?: (done: number, todo: number) => void } = {}): Promise<Float32Array[]> {
    const batch = opts.batch ?? 32;
    const missing = [...new Set(texts.filter((t) => !this.map.has(EmbeddingCache.key(t))))];
    for (let i = 0; i < missing.length; i += batch) {
      const chunk = missing.slice(i, i + batch);
      const vecs = await this.encoder.embed(chunk);
      const buf = Buffer.alloc(chunk.length * this.recordBytes);
      chunk.forEach((t, c) => {
        const key = EmbeddingCache.key(t);
        const off = c * this.recordBytes;
        Buffer.from(key, 'hex').copy(buf, off);
        const v = vecs[c]!;
        for (let j = 0; j < this.encoder.dim; j++) buf.writeFloatLE(v[j]!, off + 20 + j * 4);
        this.map.set(key, v);
      });
      appendFileSync(this.file, buf);
      opts.onProgress?.(Math.min(i + batch, missing.length), missing.length);
    }
    return texts.map((t) => this.map.get(EmbeddingCache.key(t))!);
  }
}
