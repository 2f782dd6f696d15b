/**
 * Writes a tiny GGUF model (llama architecture, a few layers, seeded random F32 weights, a
 * byte-fallback SentencePiece vocabulary) that llama.cpp loads and generates from. It knows
 * nothing: it exists so that the `gguf` target can be run end to end without downloading a model.
 *
 *   npx tsx scripts/tiny-gguf.ts OUT.gguf [--layers 2] [--embd 64] [--seed 1]
 *
 * Format: GGUF v3 (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md): header, metadata
 * key/values, tensor infos, then tensor data aligned to 32 bytes. Tensor shapes are ggml's
 * (ne[0] is the contiguous dimension). The output rows of the special and byte tokens are zero
 * and the letter tokens' rows are large, so generation yields letters, not end-of-text at once.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TinyGgufOptions {
  layers?: number;
  embd?: number;
  heads?: number;
  ff?: number;
  context?: number;
  seed?: number;
}

const enum T {
  U32 = 4,
  I32 = 5,
  F32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
}

type Value = { t: T.U32 | T.I32 | T.F32; v: number } | { t: T.BOOL; v: boolean } | { t: T.STRING; v: string } | { t: T.ARRAY; of: T.STRING; v: string[] } | { t: T.ARRAY; of: T.F32 | T.I32; v: number[] };

class Writer {
  private chunks: Buffer[] = [];
  length = 0;
  private push(b: Buffer): void {
    this.chunks.push(b);
    this.length += b.length;
  }
  u32(n: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    this.push(b);
  }
  i32(n: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32LE(n);
    this.push(b);
  }
  u64(n: number): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n));
    this.push(b);
  }
  f32(n: number): void {
    const b = Buffer.alloc(4);
    b.writeFloatLE(n);
    this.push(b);
  }
  str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.push(b);
  }
  raw(b: Buffer): void {
    this.push(b);
  }
  pad(align: number): void {
    const n = (align - (this.length % align)) % align;
    if (n) this.push(Buffer.alloc(n));
  }
  value(v: Value): void {
    this.u32(v.t);
    switch (v.t) {
      case T.U32:
        return this.u32(v.v);
      case T.I32:
        return this.i32(v.v);
      case T.F32:
        return this.f32(v.v);
      case T.BOOL:
        return this.raw(Buffer.from([v.v ? 1 : 0]));
      case T.STRING:
        return this.str(v.v);
      case T.ARRAY:
        this.u32(v.of);
        this.u64(v.v.length);
        if (v.of === T.STRING) for (const s of v.v) this.str(s);
        else if (v.of === T.F32) for (const n of v.v) this.f32(n);
        else for (const n of v.v) this.i32(n);
    }
  }
  buffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** mulberry32: a small seeded PRNG, so the same seed writes the same file. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The GGUF file's bytes. */
export function tinyGguf(opts: TinyGgufOptions = {}): Buffer {
  const layers = opts.layers ?? 2;
  const embd = opts.embd ?? 64;
  const heads = opts.heads ?? 4;
  const ff = opts.ff ?? embd * 2;
  const context = opts.context ?? 4096;
  const rand = rng(opts.seed ?? 1);
  const normal = (scale: number): number => (rand() * 2 - 1) * scale * Math.sqrt(3);

  // Vocabulary: <unk> <s> </s>, the 256 byte tokens, then letters with and without a leading space.
  const tokens = ['<unk>', '<s>', '</s>'];
  const types = [2, 3, 3]; // unknown, control, control
  const scores = [0, 0, 0];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(6); // byte
    scores.push(0);
  }
  const firstLetter = tokens.length;
  for (const c of 'abcdefghijklmnopqrstuvwxyz') {
    tokens.push(c, `\u2581${c}`);
    types.push(1, 1); // normal
    scores.push(-1, -1);
  }
  tokens.push('\u2581');
  types.push(1);
  scores.push(-2);
  const vocab = tokens.length;

  const tensors: { name: string; ne: number[]; data: Float32Array }[] = [];
  const tensor = (name: string, ne: number[], fill: (i: number) => number): void => {
    const n = ne.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = fill(i);
    tensors.push({ name, ne, data });
  };
  const ones = (): number => 1;
  const w = (fanIn: number) => (): number => normal(1 / Math.sqrt(fanIn));

  tensor('token_embd.weight', [embd, vocab], () => normal(1));
  for (let l = 0; l < layers; l++) {
    tensor(`blk.${l}.attn_norm.weight`, [embd], ones);
    tensor(`blk.${l}.attn_q.weight`, [embd, embd], w(embd));
    tensor(`blk.${l}.attn_k.weight`, [embd, embd], w(embd));
    tensor(`blk.${l}.attn_v.weight`, [embd, embd], w(embd));
    tensor(`blk.${l}.attn_output.weight`, [embd, embd], w(embd));
    tensor(`blk.${l}.ffn_norm.weight`, [embd], ones);
    tensor(`blk.${l}.ffn_gate.weight`, [embd, ff], w(embd));
    tensor(`blk.${l}.ffn_up.weight`, [embd, ff], w(embd));
    tensor(`blk.${l}.ffn_down.weight`, [ff, embd], w(ff));
  }
  tensor('output_norm.weight', [embd], ones);
  // Row t (embd floats) scores token t: zero for special and byte tokens, large for letters.
  tensor('output.weight', [embd, vocab], (i) => (Math.floor(i / embd) >= firstLetter ? normal(3) : 0));

  const kv: [string, Value][] = [
    ['general.architecture', { t: T.STRING, v: 'llama' }],
    ['general.name', { t: T.STRING, v: 'pillars-tiny-random' }],
    ['general.file_type', { t: T.U32, v: 0 }],
    ['general.alignment', { t: T.U32, v: 32 }],
    ['llama.context_length', { t: T.U32, v: context }],
    ['llama.embedding_length', { t: T.U32, v: embd }],
    ['llama.block_count', { t: T.U32, v: layers }],
    ['llama.feed_forward_length', { t: T.U32, v: ff }],
    ['llama.attention.head_count', { t: T.U32, v: heads }],
    ['llama.attention.head_count_kv', { t: T.U32, v: heads }],
    ['llama.attention.layer_norm_rms_epsilon', { t: T.F32, v: 1e-5 }],
    ['llama.rope.dimension_count', { t: T.U32, v: embd / heads }],
    ['llama.vocab_size', { t: T.U32, v: vocab }],
    ['tokenizer.ggml.model', { t: T.STRING, v: 'llama' }],
    ['tokenizer.ggml.tokens', { t: T.ARRAY, of: T.STRING, v: tokens }],
    ['tokenizer.ggml.scores', { t: T.ARRAY, of: T.F32, v: scores }],
    ['tokenizer.ggml.token_type', { t: T.ARRAY, of: T.I32, v: types }],
    ['tokenizer.ggml.unknown_token_id', { t: T.U32, v: 0 }],
    ['tokenizer.ggml.bos_token_id', { t: T.U32, v: 1 }],
    ['tokenizer.ggml.eos_token_id', { t: T.U32, v: 2 }],
    ['tokenizer.ggml.add_bos_token', { t: T.BOOL, v: true }],
    ['tokenizer.ggml.add_eos_token', { t: T.BOOL, v: false }],
  ];

  const out = new Writer();
  out.raw(Buffer.from('GGUF', 'ascii'));
  out.u32(3);
  out.u64(tensors.length);
  out.u64(kv.length);
  for (const [k, v] of kv) {
    out.str(k);
    out.value(v);
  }
  let offset = 0;
  const offsets: number[] = [];
  for (const t of tensors) {
    offsets.push(offset);
    offset += t.data.byteLength;
    offset += (32 - (offset % 32)) % 32;
  }
  tensors.forEach((t, i) => {
    out.str(t.name);
    out.u32(t.ne.length);
    for (const d of t.ne) out.u64(d);
    out.u32(0); // GGML_TYPE_F32
    out.u64(offsets[i]!);
  });
  out.pad(32);
  for (const t of tensors) {
    out.raw(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    out.pad(32);
  }
  return out.buffer();
}

export function writeTinyGguf(path: string, opts: TinyGgufOptions = {}): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, tinyGguf(opts));
  return path;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const out = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
  if (!out) {
    process.stderr.write('usage: tsx scripts/tiny-gguf.ts OUT.gguf [--layers N] [--embd N] [--seed N]\n');
    process.exit(2);
  }
  const num = (flag: string): number | undefined => {
    const i = args.indexOf(flag);
    return i >= 0 ? Number(args[i + 1]) : undefined;
  };
  const path = writeTinyGguf(resolve(out), { layers: num('--layers'), embd: num('--embd'), seed: num('--seed') });
  process.stdout.write(`wrote ${path}\n`);
}
