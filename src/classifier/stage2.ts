import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { assetPath } from '../core/paths.js';
import { UserError } from '../core/errors.js';
import { prng, shuffle } from '../core/random.js';
import { fitTemperature, softmaxInPlace } from './linear.js';

/**
 * The guard's stage-2 head over a sentence encoder's embedding (src/classifier/encoder.ts):
 * `unsafe`, a one-hidden-layer MLP (ReLU, temperature-calibrated sigmoid), says whether the text
 * asks for something a policy blocks; `topic` (optional), a softmax head, names the pack topic of
 * an unsafe text. Trained by scripts/train-stage2.ts; shipped as models/guard-stage2.json.
 */

export const STAGE2_FORMAT = 'pillars-guard-stage2/2';

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

/** One hidden layer (ReLU) and one logit: p(unsafe) = sigmoid(logit / temperature). */
export interface MlpHead {
  dim: number;
  hidden: number;
  /** Unit-major weights: w1[unit * dim + j]. */
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: number;
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

const mlpSchema = z.object({
  hidden: z.number().int().positive(),
  temperature: z.number().positive(),
  w1: z.array(z.array(z.number())),
  b1: z.array(z.number()),
  w2: z.array(z.number()),
  b2: z.number(),
});

const fileSchema = z.object({
  format: z.literal(STAGE2_FORMAT),
  encoder: z.string().min(1),
  dim: z.number().int().positive(),
  threshold: z.number().min(0).max(1),
  unsafe: mlpSchema,
  topic: headSchema.nullable(),
  /**
   * Optional (heads trained before it lack it): the stage-1 topic-score band in which this head
   * should be asked, chosen on the calibration slice together with `threshold`, and the default
   * unsure band of the stage-1 model it was chosen for (`forBand`). The guard uses `band` only
   * when its own band is `forBand` (see src/guard/stage2.ts).
   */
  cascade: z
    .object({
      band: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]),
      forBand: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]),
      combine: z.object({ stage1: z.number(), stage2: z.number(), bias: z.number() }).optional(),
    })
    .optional(),
  meta: z.record(z.string(), z.unknown()).default({}),
});

/**
 * How a head is used in the cascade: the band it was tuned to be asked in, the stage-1 default band
 * it replaces, and optionally a stacked combiner: in the band, unsafe when
 * sigmoid(stage1 × logit(stage-1 score) + stage2 × logit(p(unsafe)) + bias) >= 0.5 (else
 * p(unsafe) >= threshold decides).
 */
export interface Stage2Cascade {
  band: [number, number];
  forBand: [number, number];
  combine?: { stage1: number; stage2: number; bias: number };
}

const logit = (p: number): number => {
  const q = Math.min(1 - 1e-6, Math.max(1e-6, p));
  return Math.log(q / (1 - q));
};

/** The combined probability of a stacked combiner (stage-1 topic score, stage-2 p(unsafe)). */
export function combinedP(c: NonNullable<Stage2Cascade['combine']>, stage1Score: number, pUnsafe: number): number {
  return sigmoid(c.stage1 * logit(stage1Score) + c.stage2 * logit(pUnsafe) + c.bias);
}

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
const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

function mlpFromJson(m: z.infer<typeof mlpSchema>, dim: number, path: string): MlpHead {
  if (m.w1.length !== m.hidden || m.b1.length !== m.hidden || m.w2.length !== m.hidden || m.w1.some((r) => r.length !== dim)) {
    throw new UserError(`${path}: stage-2 unsafe head has weights that do not match ${m.hidden} hidden units × ${dim} dims`, { code: 'parse_error' });
  }
  const w1 = new Float32Array(m.hidden * dim);
  m.w1.forEach((row, k) => w1.set(row, k * dim));
  return { dim, hidden: m.hidden, w1, b1: Float32Array.from(m.b1), w2: Float32Array.from(m.w2), b2: m.b2, temperature: m.temperature };
}

function mlpToJson(m: MlpHead): z.infer<typeof mlpSchema> {
  const w1: number[][] = [];
  for (let k = 0; k < m.hidden; k++) w1.push(Array.from(m.w1.subarray(k * m.dim, (k + 1) * m.dim), round4));
  return { hidden: m.hidden, temperature: round(m.temperature), w1, b1: Array.from(m.b1, round), w2: Array.from(m.w2, round), b2: round(m.b2) };
}

/** The MLP's logit for one embedding (`h`: scratch space for the hidden layer). */
export function mlpLogit(m: MlpHead, x: Float32Array, h: Float32Array = new Float32Array(m.hidden)): number {
  let z = m.b2;
  for (let k = 0; k < m.hidden; k++) {
    let s = m.b1[k]!;
    const base = k * m.dim;
    for (let j = 0; j < m.dim; j++) s += m.w1[base + j]! * x[j]!;
    h[k] = s > 0 ? s : 0;
    z += m.w2[k]! * h[k]!;
  }
  return z;
}

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

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
    readonly unsafeHead: MlpHead,
    readonly topicHead: DenseSoftmax | null,
    readonly meta: Record<string, unknown> = {},
    readonly cascade: Stage2Cascade | null = null,
  ) {}

  /** Probability of the `unsafe` class. */
  pUnsafe(x: Float32Array): number {
    return sigmoid(mlpLogit(this.unsafeHead, x) / this.unsafeHead.temperature);
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
      unsafe: mlpToJson(this.unsafeHead),
      topic: this.topicHead ? headToJson(this.topicHead) : null,
      ...(this.cascade ? { cascade: { band: this.cascade.band, forBand: this.cascade.forBand, ...(this.cascade.combine ? { combine: { stage1: round(this.cascade.combine.stage1), stage2: round(this.cascade.combine.stage2), bias: round(this.cascade.combine.bias) } } : {}) } } : {}),
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
    if (f.cascade && f.cascade.band[0] > f.cascade.band[1]) throw new UserError(`${path}: stage-2 cascade band [${f.cascade.band.join(', ')}] is empty`, { code: 'parse_error' });
    return new Stage2Head(f.encoder, f.dim, f.threshold, mlpFromJson(f.unsafe, f.dim, path), f.topic ? headFromJson(f.topic, f.dim, path) : null, f.meta, f.cascade ?? null);
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

export interface MlpTrainOptions {
  hidden?: number;
  epochs?: number;
  lr?: number;
  l2?: number;
  seed?: number;
  /** Per-row weights (default 1 each); the class weights balance the weighted totals. */
  weights?: readonly number[];
}

/**
 * Train the unsafe MLP (binary cross-entropy, plain SGD with a decaying rate, L2, inverse-frequency
 * class weights). Deterministic for a seed.
 */
export function trainMlp(xs: readonly Float32Array[], ys: readonly number[], opts: MlpTrainOptions = {}): MlpHead {
  const dim = xs[0]?.length ?? 0;
  const hidden = opts.hidden ?? 64;
  const l2 = opts.l2 ?? 1e-4;
  const rand = prng(opts.seed ?? 3);
  const scale = Math.sqrt(6 / (dim + hidden));
  const w1 = new Float32Array(hidden * dim).map(() => (rand() - 0.5) * 2 * scale);
  const m: MlpHead = { dim, hidden, w1, b1: new Float32Array(hidden), w2: new Float32Array(hidden).map(() => (rand() - 0.5) * 0.2), b2: 0, temperature: 1 };
  const wt = (i: number): number => opts.weights?.[i] ?? 1;
  let pos = 0;
  let all = 0;
  ys.forEach((y, i) => {
    all += wt(i);
    if (y === 1) pos += wt(i);
  });
  const cw = [all / (2 * Math.max(1e-9, all - pos)), all / (2 * Math.max(1e-9, pos))];
  const h = new Float32Array(hidden);
  const order = xs.map((_, i) => i);
  let lr = opts.lr ?? 0.05;
  for (let epoch = 0; epoch < (opts.epochs ?? 15); epoch++) {
    for (const i of shuffle(order, rand)) {
      const x = xs[i]!;
      const y = ys[i]!;
      const g = (sigmoid(mlpLogit(m, x, h)) - y) * cw[y]! * wt(i);
      for (let k = 0; k < hidden; k++) {
        if (h[k]! > 0) {
          const gk = g * m.w2[k]!;
          const base = k * dim;
          for (let j = 0; j < dim; j++) m.w1[base + j]! -= lr * (gk * x[j]! + l2 * m.w1[base + j]!);
          m.b1[k]! -= lr * gk;
        }
        m.w2[k]! -= lr * (g * h[k]! + l2 * m.w2[k]!);
      }
      m.b2 -= lr * g;
    }
    lr *= 0.85;
  }
  return m;
}

/** Fit the MLP's temperature on a calibration slice (softmax over [0, logit] is the sigmoid). */
export function calibrateMlp(m: MlpHead, xs: readonly Float32Array[], ys: readonly number[]): void {
  m.temperature = fitTemperature(
    xs.map((x) => Float64Array.of(0, mlpLogit(m, x))),
    [...ys],
  );
}

/**
 * Several MLPs (differently seeded) as one: their hidden units side by side, the output the mean of
 * their logits. The result is an ordinary MlpHead (the file format does not change); calibrate it
 * afterwards.
 */
export function averageMlps(ms: readonly MlpHead[]): MlpHead {
  if (ms.length === 0) throw new Error('averageMlps: no heads');
  if (ms.length === 1) return ms[0]!;
  const dim = ms[0]!.dim;
  const hidden = ms.reduce((s, m) => s + m.hidden, 0);
  const w1 = new Float32Array(hidden * dim);
  const b1 = new Float32Array(hidden);
  const w2 = new Float32Array(hidden);
  let off = 0;
  let b2 = 0;
  for (const m of ms) {
    if (m.dim !== dim) throw new Error('averageMlps: heads over different dims');
    w1.set(m.w1, off * dim);
    b1.set(m.b1, off);
    for (let k = 0; k < m.hidden; k++) w2[off + k] = m.w2[k]! / ms.length;
    b2 += m.b2 / ms.length;
    off += m.hidden;
  }
  return { dim, hidden, w1, b1, w2, b2, temperature: 1 };
}
