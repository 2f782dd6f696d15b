import type { SparseVector } from './features.js';
import { TOTAL_DIM } from './vectors.js';

/**
 * Multinomial logistic regression (softmax) over sparse hashed features, trained with AdaGrad and
 * L2 (applied to the weights an example touches: the usual sparse approximation). Deterministic:
 * the example order comes from a seeded PRNG and all arithmetic is in a fixed order.
 */

export interface TrainOptions {
  epochs?: number;
  lr?: number;
  l2?: number;
  seed?: number;
  /** Number of differently-shuffled runs whose weights are averaged (trainModel; default 1, 3 for the response head). */
  average?: number;
  /** Balance classes by inverse frequency (capped). Default true. */
  balance?: boolean;
}

export interface DenseHead {
  k: number;
  /** Feature-major weights: w[index * k + class]. */
  w: Float32Array;
  b: Float32Array;
}

import { prng, shuffle } from '../core/random.js';


export function softmaxInPlace(z: Float64Array | Float32Array, temperature = 1): void {
  let max = -Infinity;
  for (let i = 0; i < z.length; i++) if (z[i]! / temperature > max) max = z[i]! / temperature;
  let sum = 0;
  for (let i = 0; i < z.length; i++) {
    const e = Math.exp(z[i]! / temperature - max);
    z[i] = e;
    sum += e;
  }
  for (let i = 0; i < z.length; i++) z[i]! /= sum;
}

export function logitsDense(head: DenseHead, x: SparseVector, out: Float64Array): void {
  const { k, w, b } = head;
  for (let c = 0; c < k; c++) out[c] = b[c]!;
  for (let j = 0; j < x.indices.length; j++) {
    const base = x.indices[j]! * k;
    const v = x.values[j]!;
    for (let c = 0; c < k; c++) out[c]! += v * w[base + c]!;
  }
}

/** `weights` (optional, one per example) scale each example's gradient, on top of the class weights. */
export function trainSoftmax(xs: SparseVector[], ys: number[], k: number, opts: TrainOptions = {}, weights?: ArrayLike<number>): DenseHead {
  const epochs = opts.epochs ?? 5;
  const lr = opts.lr ?? 0.3;
  const l2 = opts.l2 ?? 1e-3;
  const rand = prng(opts.seed ?? 1);
  const w = new Float32Array(TOTAL_DIM * k);
  // AdaGrad with one accumulator per feature row (mean squared gradient over the classes): one
  // square root per feature instead of one per weight, same convergence in practice.
  const g2 = new Float32Array(TOTAL_DIM);
  const b = new Float32Array(k);
  const gb = new Float32Array(k);
  const head: DenseHead = { k, w, b };
  const freq = new Array<number>(k).fill(0);
  let total = 0;
  ys.forEach((y, i) => {
    const w = weights ? weights[i]! : 1;
    freq[y]! += w;
    total += w;
  });
  const cw = freq.map((f) => (opts.balance === false || f === 0 ? 1 : Math.min(4, Math.max(0.25, total / (k * f)))));
  const z = new Float64Array(k);
  const g = new Float64Array(k);
  const order = xs.map((_, i) => i);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const rate = lr / (1 + epoch * 0.1);
    for (const i of shuffle(order, rand)) {
      const x = xs[i]!;
      const y = ys[i]!;
      logitsDense(head, x, z);
      softmaxInPlace(z);
      const sw = cw[y]! * (weights ? weights[i]! : 1);
      if (sw === 0) continue;
      let gg = 0;
      for (let c = 0; c < k; c++) {
        g[c] = (z[c]! - (c === y ? 1 : 0)) * sw;
        gg += g[c]! * g[c]!;
        gb[c]! += g[c]! * g[c]!;
        b[c]! -= (rate * g[c]!) / Math.sqrt(gb[c]! + 1e-8);
      }
      gg /= k;
      for (let j = 0; j < x.indices.length; j++) {
        const idx = x.indices[j]!;
        const base = idx * k;
        const v = x.values[j]!;
        g2[idx]! += v * v * gg;
        const step = rate / Math.sqrt(g2[idx]! + 1e-8);
        for (let c = 0; c < k; c++) {
          const p = base + c;
          w[p]! -= step * (g[c]! * v + l2 * w[p]!);
        }
      }
    }
  }
  return head;
}

/** Negative log-likelihood of labels under temperature-scaled logits. */
function nll(logits: Float64Array[], ys: number[], t: number): number {
  let s = 0;
  for (let i = 0; i < logits.length; i++) {
    const z = Float64Array.from(logits[i]!);
    softmaxInPlace(z, t);
    s -= Math.log(Math.max(1e-12, z[ys[i]!]!));
  }
  return s / Math.max(1, logits.length);
}

/** Temperature scaling: the T in [0.2, 5] minimising validation NLL (golden-section on log T). */
export function fitTemperature(logits: Float64Array[], ys: number[]): number {
  if (logits.length === 0) return 1;
  let lo = Math.log(0.2);
  let hi = Math.log(5);
  const phi = (Math.sqrt(5) - 1) / 2;
  let a = hi - phi * (hi - lo);
  let c = lo + phi * (hi - lo);
  let fa = nll(logits, ys, Math.exp(a));
  let fc = nll(logits, ys, Math.exp(c));
  for (let it = 0; it < 40; it++) {
    if (fa < fc) {
      hi = c;
      c = a;
      fc = fa;
      a = hi - phi * (hi - lo);
      fa = nll(logits, ys, Math.exp(a));
    } else {
      lo = a;
      a = c;
      fa = fc;
      c = lo + phi * (hi - lo);
      fc = nll(logits, ys, Math.exp(c));
    }
  }
  return Math.exp((lo + hi) / 2);
}

/** Expected calibration error (10 equal-width confidence bins) of top-1 predictions. */
export function expectedCalibrationError(probs: ArrayLike<number>[], ys: number[], bins = 10): number {
  const n = probs.length;
  if (n === 0) return 0;
  const conf = new Array<number>(bins).fill(0);
  const acc = new Array<number>(bins).fill(0);
  const cnt = new Array<number>(bins).fill(0);
  for (let i = 0; i < n; i++) {
    const p = probs[i]!;
    let best = 0;
    for (let c = 1; c < p.length; c++) if (p[c]! > p[best]!) best = c;
    const bin = Math.min(bins - 1, Math.floor(p[best]! * bins));
    conf[bin]! += p[best]!;
    acc[bin]! += best === ys[i] ? 1 : 0;
    cnt[bin]!++;
  }
  let e = 0;
  for (let b = 0; b < bins; b++) if (cnt[b]! > 0) e += (cnt[b]! / n) * Math.abs(acc[b]! / cnt[b]! - conf[b]! / cnt[b]!);
  return e;
}
