import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { assetPath } from '../core/paths.js';
import { UserError } from '../core/errors.js';
import { prng, shuffle } from '../core/random.js';
import { fitTemperature, softmaxInPlace } from './linear.js';

/**
 * The guard's stage-2 head: small softmax heads over a sentence encoder's embedding
 * (src/classifier/encoder.ts). `unsafe` says whether the text asks for something a policy blocks
 * (2 classes: safe, unsafe); `topic` (optional) names the pack topic of an unsafe text. Trained by
 * scripts/train-stage2.ts; shipped as models/guard-stage2.json.
 */

export const STAGE2_FORMAT = 'pillars-guard-stage2/1';

/** Where the shipped stage-2 head lives. */
export const defaultStage2Path = assetPath('models', 'guard-stage2.json');

export interface DenseSoftmax {
  labels: string[];
  dim: number;
  /** Class-major weights: w[class * dim + j]. */
  w: Float32Array;
  b: Float32Array;
  temperature: number;
}

export interface Stage2Prediction {
  /** Calibrated probability that the text is unsafe. */
  pUnsafe: number;
  unsafe: boolean;
  topic: string | null;
  topicP: number;
}

const headSchema = z.object({
  labels: z.array(z.string()).min(2),
  temperature: z.number().positive(),
  b: z.array(z.number()),
  w: z.array(z.array(z.number())),
});

const fileSchema = z.object({
  format: z.literal(STAGE2_FORMAT),
  encoder: z.string().min(1),
  dim: z.number().int().positive(),
  threshold: z.number().min(0).max(1),
  unsafe: headSchema,
  topic: headSchema.nullable(),
  meta: z.record(z.string(), z.unknown()).default({}),
});

export type Stage2File = z.infer<typeof fileSchema>;

function headFromJson(h: z.infer<typeof headSchema>, dim: number, path: string): DenseSoftmax {
  if (h.b.length !== h.labels.length || h.w.length !== h.labels.length || h.w.some((r) => r.length !== dim)) {
    throw new UserError(`${path}: stage-2 head has weights that do not match ${h.labels.length} labels × ${dim} dims`, { code: 'parse_error' });
  }
  const w = new Float32Array(h.labels.length * dim);
  h.w.forEach((row, c) => w.set(row, c * dim));
  return { labels: h.labels, dim, w, b: Float32Array.from(h.b), temperature: h.temperature };
}

const round = (x: number): number => Math.round(x * 1e5) / 1e5;

function headToJson(h: DenseSoftmax): z.infer<typeof headSchema> {
  const w: number[][] = [];
  for (let c = 0; c < h.labels.length; c++) w.push(Array.from(h.w.subarray(c * h.dim, (c + 1) * h.dim), round));
  return { labels: h.labels, temperature: round(h.temperature), b: Array.from(h.b, round), w };
}

export function denseLogits(h: DenseSoftmax, x: Float32Array, out: Float64Array = new Float64Array(h.labels.length)): Float64Array {
  for (let c = 0; c < h.labels.length; c++) {
    let s = h.b[c]!;
    const base = c * h.dim;
    for (let j = 0; j < h.dim; j++) s += h.w[base + j]! * x[j]!;
    out[c] = s;
  }
  return out;
}

export function denseProbs(h: DenseSoftmax, x: Float32Array): Float64Array {
  const z = denseLogits(h, x);
  softmaxInPlace(z, h.temperature);
  return z;
}

export class Stage2Head {
  constructor(
    readonly encoder: string,
    readonly dim: number,
    readonly threshold: number,
    readonly unsafeHead: DenseSoftmax,
    readonly topicHead: DenseSoftmax | null,
    readonly meta: Record<string, unknown> = {},
  ) {}

  /** Probability of the `unsafe` class. */
  pUnsafe(x: Float32Array): number {
    const p = denseProbs(this.unsafeHead, x);
    return p[this.unsafeHead.labels.indexOf('unsafe')] ?? 0;
  }

  predict(x: Float32Array): Stage2Prediction {
    if (x.length !== this.dim) throw new Error(`stage 2: embedding has ${x.length} dims, the head expects ${this.dim}`);
    const pUnsafe = this.pUnsafe(x);
    let topic: string | null = null;
    let topicP = 0;
    if (this.topicHead) {
      const p = denseProbs(this.topicHead, x);
      let best = 0;
      for (let c = 1; c < p.length; c++) if (p[c]! > p[best]!) best = c;
      topic = this.topicHead.labels[best] ?? null;
      topicP = p[best]!;
    }
    return { pUnsafe, unsafe: pUnsafe >= this.threshold, topic, topicP };
  }

  serialize(): Stage2File {
    return {
      format: STAGE2_FORMAT,
      encoder: this.encoder,
      dim: this.dim,
      threshold: round(this.threshold),
      unsafe: headToJson(this.unsafeHead),
      topic: this.topicHead ? headToJson(this.topicHead) : null,
      meta: this.meta,
    };
  }

  static deserialize(data: unknown, path: string): Stage2Head {
    const r = fileSchema.safeParse(data);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new UserError(`${path}: not a stage-2 head file (${issue.path.join('.') || 'root'}: ${issue.message})`, { code: 'parse_error' });
    }
    const f = r.data;
    if (!f.unsafe.labels.includes('unsafe')) throw new UserError(`${path}: the unsafe head has no "unsafe" label`, { code: 'parse_error' });
    return new Stage2Head(f.encoder, f.dim, f.threshold, headFromJson(f.unsafe, f.dim, path), f.topic ? headFromJson(f.topic, f.dim, path) : null, f.meta);
  }
}

export function saveStage2(head: Stage2Head, path: string): void {
  writeFileSync(path, `${JSON.stringify(head.serialize())}\n`);
}

export function loadStage2(path: string): Stage2Head {
  if (!existsSync(path)) throw new UserError(`${path}: stage-2 head not found (train one with \`npm run train:stage2\`)`, { code: 'not_found' });
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError(`${path}: stage-2 head is not valid JSON (${(e as Error).message})`, { code: 'parse_error' });
  }
  return Stage2Head.deserialize(data, path);
}

const cache = new Map<string, Stage2Head>();

/** Load a stage-2 head once per process. */
export function loadStage2Cached(path: string = defaultStage2Path): Stage2Head {
  const hit = cache.get(path);
  if (hit) return hit;
  const h = loadStage2(path);
  cache.set(path, h);
  return h;
}

// ---------------------------------------------------------------------------------------------
// Training (dense softmax with AdaGrad, L2 and inverse-frequency class weights)
// ---------------------------------------------------------------------------------------------

export interface DenseTrainOptions {
  epochs?: number;
  lr?: number;
  l2?: number;
  seed?: number;
  balance?: boolean;
}

export function trainDenseSoftmax(xs: readonly Float32Array[], ys: readonly number[], labels: string[], opts: DenseTrainOptions = {}): DenseSoftmax {
  const k = labels.length;
  const dim = xs[0]?.length ?? 0;
  const epochs = opts.epochs ?? 30;
  const lr = opts.lr ?? 0.1;
  const l2 = opts.l2 ?? 1e-4;
  const rand = prng(opts.seed ?? 1);
  const w = new Float32Array(k * dim);
  const b = new Float32Array(k);
  const gw = new Float32Array(k * dim);
  const gb = new Float32Array(k);
  const head: DenseSoftmax = { labels, dim, w, b, temperature: 1 };
  const freq = new Array<number>(k).fill(0);
  for (const y of ys) freq[y]!++;
  const cw = freq.map((f) => (opts.balance === false || f === 0 ? 1 : Math.min(8, Math.max(0.125, ys.length / (k * f)))));
  const z = new Float64Array(k);
  const order = xs.map((_, i) => i);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const i of shuffle(order, rand)) {
      const x = xs[i]!;
      const y = ys[i]!;
      denseLogits(head, x, z);
      softmaxInPlace(z);
      for (let c = 0; c < k; c++) {
        const g = (z[c]! - (c === y ? 1 : 0)) * cw[y]!;
        gb[c]! += g * g;
        b[c]! -= (lr * g) / Math.sqrt(gb[c]! + 1e-8);
        const base = c * dim;
        for (let j = 0; j < dim; j++) {
          const p = base + j;
          const gj = g * x[j]! + l2 * w[p]!;
          gw[p]! += gj * gj;
          w[p]! -= (lr * gj) / Math.sqrt(gw[p]! + 1e-8);
        }
      }
    }
  }
  return head;
}

/** Fit the head's temperature on a calibration slice (not the rows it was trained on). */
export function calibrate(head: DenseSoftmax, xs: readonly Float32Array[], ys: readonly number[]): void {
  head.temperature = fitTemperature(
    xs.map((x) => denseLogits(head, x)),
    [...ys],
  );
}
