import { createHash } from 'node:crypto';
import { prng, shuffle } from '../core/random.js';
import type { LinearModel, SparseVector } from '../classifier/index.js';
import type { PolicyPack } from '../policy/schema.js';
import { RewardFeaturizer, RM_DIM, type PairFeatures, type PromptSignals } from './features.js';
import { quantizeWeights, RewardModel, type DenseHead, type HeadName, type RewardMeta, type RewardReport } from './model.js';
import { ASPECTS, isHeldOut, type PrefPair } from './prefs.js';
import { scoringPrompt } from './prompt.js';

/**
 * Bradley-Terry training: for each ranked pair, the loss is −log σ(s(chosen) − s(rejected)) with
 * s(x) = w·x, minimised by AdaGrad with L2 on the touched weights. Deterministic: the pair order
 * comes from a seeded PRNG, the held-out split from a hash of (seed, prompt), and all arithmetic
 * runs in a fixed order in float32, so the same data and seed give a byte-identical model file.
 */

export interface RewardTrainOptions {
  epochs?: number;
  lr?: number;
  l2?: number;
  /** Share of prompts held out for the accuracy report (default 0.2). */
  testShare?: number;
}

export interface RewardTrainInput {
  pairs: PrefPair[];
  guardModel: LinearModel;
  guardSha256: string;
  pack: PolicyPack;
  seed?: number;
  options?: RewardTrainOptions;
}

interface Encoded {
  pair: PrefPair;
  test: boolean;
  c: PairFeatures;
  r: PairFeatures;
}

/** The text the prompt signals are computed from: the last user turn, read as scoring reads it. */
export const promptTextOf = (p: { prompt: string; messages?: { role: string; content: string }[] }): string => (p.messages ? scoringPrompt(p.messages) || scoringPrompt(p.prompt) : scoringPrompt(p.prompt));

export function encodePairs(feat: RewardFeaturizer, pairs: PrefPair[], seed: number, testShare: number): Encoded[] {
  const cache = new Map<string, PromptSignals>();
  return pairs.map((pair) => {
    const pt = promptTextOf(pair);
    let ps = cache.get(pt);
    if (!ps) cache.set(pt, (ps = feat.promptSignals(pt)));
    return { pair, test: isHeldOut(pair, seed, testShare), c: feat.pair(ps, pair.chosen), r: feat.pair(ps, pair.rejected) };
  });
}

const dot = (w: Float32Array, x: SparseVector): number => {
  let s = 0;
  for (let j = 0; j < x.indices.length; j++) s += x.values[j]! * w[x.indices[j]!]!;
  return s;
};

function trainHead(rows: Encoded[], seed: number, o: Required<Omit<RewardTrainOptions, 'testShare'>>): Float32Array {
  const w = new Float32Array(RM_DIM);
  const g2 = new Float32Array(RM_DIM);
  const rand = prng(seed);
  const order = rows.map((_, i) => i);
  const step = (x: SparseVector, g: number, rate: number): void => {
    for (let j = 0; j < x.indices.length; j++) {
      const i = x.indices[j]!;
      const gi = g * x.values[j]!;
      g2[i]! += gi * gi;
      w[i]! -= (rate / Math.sqrt(g2[i]! + 1e-8)) * (gi + o.l2 * w[i]!);
    }
  };
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const rate = o.lr / (1 + epoch * 0.1);
    for (const k of shuffle(order, rand)) {
      const e = rows[k]!;
      const margin = dot(w, e.c.x) - dot(w, e.r.x);
      const g = 1 / (1 + Math.exp(margin)) ; // −dL/dmargin = 1 − σ(margin)
      step(e.c.x, -g, rate);
      step(e.r.x, g, rate);
    }
  }
  return w;
}

const accuracy = (rows: Encoded[], s: (x: PairFeatures) => number): number | null => {
  if (rows.length === 0) return null;
  let ok = 0;
  for (const e of rows) {
    const d = s(e.c) - s(e.r);
    ok += d > 0 ? 1 : d === 0 ? 0.5 : 0;
  }
  return ok / rows.length;
};

/** The guard-only rule: after a refused/deflected prompt prefer refusal or deflection, else compliance. */
export function baselineScore(f: PairFeatures): number {
  const [refused, complied, deflected, partial] = f.response.response as [number, number, number, number];
  return f.prompt.actionIndex > 0 ? refused + deflected - complied - 0.5 * partial : complied - refused - 0.5 * deflected;
}

export function trainRewardModel(input: RewardTrainInput): { model: RewardModel; report: RewardReport } {
  const seed = input.seed ?? 1;
  const o = { epochs: input.options?.epochs ?? 8, lr: input.options?.lr ?? 0.3, l2: input.options?.l2 ?? 1e-5 };
  const testShare = input.options?.testShare ?? 0.2;
  const feat = new RewardFeaturizer(input.guardModel, input.pack);
  const enc = encodePairs(feat, input.pairs, seed, testShare);
  const aspects = new Set(input.pairs.map((p) => p.aspect).filter((a) => a !== undefined));
  const headNames: HeadName[] = ASPECTS.every((a) => aspects.has(a)) ? [...ASPECTS] : ['overall'];
  const heads: DenseHead[] = [];
  const perHead: RewardReport['perHead'] = {};
  headNames.forEach((name, hi) => {
    const mine = enc.filter((e) => name === 'overall' || e.pair.aspect === undefined || e.pair.aspect === name);
    const train = mine.filter((e) => !e.test);
    const w = trainHead(train, seed + hi * 7919, o);
    // The file stores int8 weights: measure (and centre) the model as it will be loaded.
    const scale = quantizeWeights(w);
    // Centre: the mean training response scores 0, so |score| reads as distance from typical.
    let sum = 0;
    for (const e of train) sum += dot(w, e.c.x) + dot(w, e.r.x);
    const bias = train.length ? Math.fround(-sum / (2 * train.length)) : 0;
    const head: DenseHead = { name, weight: 1, bias, scale, w };
    heads.push(head);
    const s = (x: PairFeatures): number => dot(w, x.x);
    perHead[name] = { train: train.length, test: mine.length - train.length, trainAccuracy: accuracy(train, s), heldOutAccuracy: accuracy(mine.filter((e) => e.test), s) };
  });
  const combined = (x: PairFeatures): number => heads.reduce((a, h) => a + (x.prompt.actionIndex > 0 && h.name === 'helpfulness' ? 0 : h.weight * dot(h.w, x.x)), 0);
  const train = enc.filter((e) => !e.test);
  const test = enc.filter((e) => e.test);
  const sources = [...new Set(enc.map((e) => e.pair.source ?? 'prefs'))];
  const bySource: NonNullable<RewardReport['bySource']> = {};
  for (const src of sources) {
    const mine = enc.filter((e) => (e.pair.source ?? 'prefs') === src);
    const tr = mine.filter((e) => !e.test);
    const te = mine.filter((e) => e.test);
    bySource[src] = { train: tr.length, test: te.length, heldOutAccuracy: accuracy(te, combined), trainAccuracy: accuracy(tr, combined) };
  }
  const report: RewardReport = {
    pairs: { train: train.length, test: test.length },
    heldOutAccuracy: accuracy(test, combined),
    trainAccuracy: accuracy(train, combined),
    perHead,
    baselineAccuracy: accuracy(test, baselineScore),
    ...(sources.length > 1 ? { bySource } : {}),
  };
  const data = createHash('sha256');
  for (const p of input.pairs) data.update(JSON.stringify(p)).update('\n');
  const meta: RewardMeta = {
    seed,
    pack: { id: input.pack.id, version: input.pack.version },
    guard: { sha256: input.guardSha256 },
    data: { sha256: data.digest('hex'), rows: input.pairs.length },
    options: { ...o, testShare },
    report,
  };
  return { model: RewardModel.fromDense(heads, meta), report };
}

/**
 * Pairwise accuracy of a trained model on pairs (ties count half), scored as the reward server
 * scores: the combined heads, without helpfulness after a prompt the ladder declines.
 */
export function pairwiseAccuracy(model: RewardModel, feat: RewardFeaturizer, pairs: PrefPair[]): number | null {
  if (pairs.length === 0) return null;
  let ok = 0;
  for (const p of pairs) {
    const ps = feat.promptSignals(promptTextOf(p));
    const c = model.score(feat.pair(ps, p.chosen).x, undefined, ps.actionIndex > 0).score;
    const r = model.score(feat.pair(ps, p.rejected).x, undefined, ps.actionIndex > 0).score;
    ok += c > r ? 1 : c === r ? 0.5 : 0;
  }
  return ok / pairs.length;
}
