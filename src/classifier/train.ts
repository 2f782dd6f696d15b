import type { PolicyPack } from '../policy/schema.js';
import { ladderBlocks } from './corpus.js';
import { FEATURE_DIM, featurizeTokens, type SparseVector } from './features.js';
import { expectedCalibrationError, fitTemperature, softmaxInPlace, trainSoftmax, logitsDense, type DenseHead, type TrainOptions } from './linear.js';
import { LinearModel, NONE, RESPONSE_LABELS, type HeadInfo, type ModelMeta } from './model.js';
import { normalizeText } from './normalize.js';
import { loadWink, tokenizeNormalized, winkTokenizeNormalized } from './tokenize.js';
import type { WordVectors } from './vectors.js';

/**
 * Training: the pack's examples (policy examples, bulk `examples`, labelled `responses`) plus the
 * user's extra rows. Rows marked `split: test` are held out: never trained on, used for the report.
 * A deterministic 15% of the training rows calibrates temperatures (heads trained on the other 85%),
 * then every head is retrained on all training rows with the same settings and the fitted temperature.
 */

export interface ExtraExample {
  text: string;
  /** A policy id of the pack (or null for benign). */
  policy?: string | null;
  /** A topic name (alternative to policy). */
  topic?: string | null;
  level?: number;
  /** A response label: the row trains the response head instead. */
  label?: (typeof RESPONSE_LABELS)[number];
  split?: 'train' | 'test';
  lang?: string;
  /** Example weight (default 1): corpus balancing (per source, per language). */
  weight?: number;
  /** Rows of one group (translations, wrappers of one question) share the validation slice. */
  group?: string;
  /** Weight in the level head (default: `weight`); 0 keeps a row out of it. */
  levelWeight?: number;
}

export interface TrainInput {
  pack: PolicyPack;
  extra?: ExtraExample[];
  seed?: number;
  options?: TrainOptions;
  /**
   * Topic threshold on 1 - p(none) (default 0.35: recall first, see docs/guard.md), or `tune`: the
   * threshold with the best F1 (blocked vs the ladder's truth) on the validation slice of the
   * training rows, with weighted over-refusal on its safe rows at most `maxOverRefusal`.
   */
  threshold?: number | 'tune';
  maxOverRefusal?: number;
  /** Feature vectors by text, shared by trainings on the same texts (leave-one-source-out folds). */
  cache?: Map<string, SparseVector>;
  /** Train the response head (default true); folds that only score prompts skip it. */
  responses?: boolean;
  /** Skip temperature calibration and the held-out report (cheap folds). Default false. */
  quick?: boolean;
  /** Word vectors for semantic features (default: none). `pillars guard train` passes the shipped model's. */
  vectors?: WordVectors | null;
}

export interface PromptRow {
  text: string;
  topic: string | null;
  level: number;
  split: 'train' | 'test';
  lang: string;
  tags?: string[];
  weight?: number;
  group?: string;
  levelWeight?: number;
}

export interface ResponseRow {
  text: string;
  label: (typeof RESPONSE_LABELS)[number];
  split: 'train' | 'test';
  weight?: number;
}

/** Every labelled row of a pack (and extras), as topics. */
export function collectRows(pack: PolicyPack, extra: ExtraExample[] = []): { prompts: PromptRow[]; responses: ResponseRow[] } {
  const topicOf = new Map(pack.policies.map((p) => [p.id, p.topic]));
  const topics = new Set(pack.policies.map((p) => p.topic));
  const prompts: PromptRow[] = [];
  const responses: ResponseRow[] = [];
  for (const p of pack.policies) {
    for (const e of p.examples) prompts.push({ text: e.text, topic: p.topic, level: e.level, split: e.split ?? 'train', lang: e.lang, tags: e.tags });
  }
  for (const e of pack.examples) {
    const topic = e.policy === null ? null : (topicOf.get(e.policy) ?? null);
    prompts.push({ text: e.text, topic, level: topic === null ? 0 : e.level, split: e.split ?? 'train', lang: e.lang, tags: e.tags });
  }
  for (const r of pack.responses) responses.push({ text: r.text, label: r.label, split: r.split ?? 'train' });
  for (const x of extra) {
    if (x.label) {
      responses.push({ text: x.text, label: x.label, split: x.split ?? 'train', weight: x.weight });
      continue;
    }
    let topic: string | null = null;
    if (x.policy) topic = topicOf.get(x.policy) ?? null;
    else if (x.topic) topic = topics.has(x.topic) ? x.topic : null;
    prompts.push({ text: x.text, topic, level: topic === null ? 0 : (x.level ?? 0), split: x.split ?? 'train', lang: x.lang ?? 'en', weight: x.weight, group: x.group, levelWeight: x.levelWeight });
  }
  return { prompts, responses };
}

/** A stable 0..1 draw per text (so the validation slice does not move when rows are added). */
function stableDraw(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) / 4294967296;
}

interface HeadData {
  info: Omit<HeadInfo, 'temperature'>;
  xs: SparseVector[];
  ys: number[];
  ws: number[];
  /** Rows of the calibration slice (heads are first trained without them). */
  isVal: boolean[];
}

interface HeadFit {
  dense: DenseHead;
  temperature: number;
  eceVal: number;
  valSize: number;
  /** The head trained without the validation slice, and its tempered probabilities on that slice. */
  valProbs: Float64Array[] | null;
}

/**
 * Optionally average the weights of runs with different shuffles (variance reduction: on the
 * public corpus a single run's held-out recall moved by several points with the example order).
 */
function averaged(xs: SparseVector[], ys: number[], k: number, opts: TrainOptions, seed: number, ws: number[]): DenseHead {
  const S = opts.average ?? 1;
  const dense = trainSoftmax(xs, ys, k, { ...opts, seed }, ws);
  for (let s2 = 1; s2 < S; s2++) {
    const o = trainSoftmax(xs, ys, k, { ...opts, seed: seed + 1000 * s2 }, ws);
    for (let i = 0; i < dense.w.length; i++) dense.w[i]! += o.w[i]!;
    for (let i = 0; i < k; i++) dense.b[i]! += o.b[i]!;
  }
  if (S > 1) {
    for (let i = 0; i < dense.w.length; i++) dense.w[i]! /= S;
    for (let i = 0; i < k; i++) dense.b[i]! /= S;
  }
  return dense;
}

function trainHead(d: HeadData, opts: TrainOptions, seed: number, calibrate: boolean): HeadFit {
  const k = d.info.classes.length;
  const pick = <T>(xs: T[], val: boolean): T[] => xs.filter((_, i) => d.isVal[i] === val);
  const vaX = pick(d.xs, true);
  const vaY = pick(d.ys, true);
  let temperature = 1;
  let eceVal = 0;
  let valProbs: Float64Array[] | null = null;
  if (calibrate && vaX.length >= 10 && vaX.length < d.xs.length) {
    const h = averaged(pick(d.xs, false), pick(d.ys, false), k, opts, seed, pick(d.ws, false));
    const logits = vaX.map((x) => {
      const z = new Float64Array(k);
      logitsDense(h, x, z);
      return z;
    });
    temperature = fitTemperature(logits, vaY);
    valProbs = logits.map((z) => {
      const p = Float64Array.from(z);
      softmaxInPlace(p, temperature);
      return p;
    });
    eceVal = expectedCalibrationError(valProbs, vaY);
  }
  const dense = averaged(d.xs, d.ys, k, opts, seed, d.ws);
  return { dense, temperature, eceVal, valSize: vaX.length, valProbs };
}

/** One point of the threshold curve on the validation slice. */
export interface ThresholdPoint {
  threshold: number;
  f1: number;
  recall: number;
  over_refusal: number;
}

/**
 * Blocked-vs-truth F1 and over-refusal for each threshold on validation predictions: a row is
 * blocked when 1 - p(none) reaches the threshold and the ladder blocks (best topic, level).
 */
export function thresholdCurve(
  pack: PolicyPack,
  rows: { topic: string | null; level: number; weight: number }[],
  topicProbs: Float64Array[],
  levelProbs: Float64Array[],
  topicClasses: string[],
): ThresholdPoint[] {
  const noneIdx = topicClasses.indexOf(NONE);
  const pred = rows.map((_, i) => {
    const tp = topicProbs[i]!;
    let best = -1;
    for (let c = 0; c < tp.length; c++) if (c !== noneIdx && (best < 0 || tp[c]! > tp[best]!)) best = c;
    const lp = levelProbs[i]!;
    let level = 0;
    for (let c = 1; c < lp.length; c++) if (lp[c]! > lp[level]!) level = c;
    return { score: 1 - tp[noneIdx]!, blocks: best >= 0 && ladderBlocks(pack, topicClasses[best]!, level) };
  });
  const truth = rows.map((r) => r.topic !== null && ladderBlocks(pack, r.topic, r.level));
  const out: ThresholdPoint[] = [];
  for (let t = 0.1; t <= 0.901; t += 0.025) {
    let tp = 0, fp = 0, fn = 0, safe = 0;
    rows.forEach((r, i) => {
      const flagged = pred[i]!.blocks && pred[i]!.score >= t;
      if (truth[i] && flagged) tp += r.weight;
      else if (truth[i]) fn += r.weight;
      else {
        safe += r.weight;
        if (flagged) fp += r.weight;
      }
    });
    const p = tp / Math.max(1e-9, tp + fp);
    const rc = tp / Math.max(1e-9, tp + fn);
    out.push({ threshold: round(t), f1: round(p + rc > 0 ? (2 * p * rc) / (p + rc) : 0), recall: round(rc), over_refusal: round(fp / Math.max(1e-9, safe)) });
  }
  return out;
}

/** Train topic, level and response heads. Deterministic for a given pack, extras and seed. */
export function trainModel(input: TrainInput): LinearModel {
  const seed = input.seed ?? 1;
  const opts = input.options ?? {};
  const { prompts, responses } = collectRows(input.pack, input.extra);
  const wink = loadWink();
  let agreeTok = 0;
  let totalTok = 0;
  const cache = input.cache;
  const feats = (text: string): SparseVector => {
    const hit = cache?.get(text);
    if (hit) return hit;
    const x = featsOf(text);
    cache?.set(text, x);
    return x;
  };
  const featsOf = (text: string): SparseVector => {
    const norm = normalizeText(text);
    const toks = winkTokenizeNormalized(norm, wink);
    const fast = tokenizeNormalized(norm);
    totalTok += Math.max(toks.length, fast.length);
    for (let i = 0; i < Math.min(toks.length, fast.length); i++) if (toks[i] === fast[i]) agreeTok++;
    const x = featurizeTokens(toks);
    return input.vectors ? input.vectors.extend(x, toks) : x;
  };

  const topics = [...new Set(input.pack.policies.map((p) => p.topic))].sort();
  const topicClasses = [NONE, ...topics];
  const train = prompts.filter((r) => r.split === 'train');
  // Shape features (see vectors.ts) are for the response head: prompt heads never see them.
  const shapeFrom = input.vectors ? FEATURE_DIM + input.vectors.dim : Infinity;
  const promptOnly = (x: SparseVector): SparseVector => {
    let n = x.indices.length;
    while (n > 0 && x.indices[n - 1]! >= shapeFrom) n--;
    return n === x.indices.length ? x : { indices: x.indices.slice(0, n), values: x.values.slice(0, n) };
  };
  const trainX = train.map((r) => promptOnly(feats(r.text)));
  const trainW = train.map((r) => r.weight ?? 1);
  // One calibration slice for both prompt heads, so the threshold can be tuned on joint predictions.
  const isVal = train.map((r) => stableDraw(r.group ?? r.text, seed) < 0.15);
  const calibrate = !input.quick;
  const topicHead = trainHead(
    { info: { name: 'topic', classes: topicClasses }, xs: trainX, ys: train.map((r) => topicClasses.indexOf(r.topic ?? NONE)), ws: trainW, isVal },
    // No class balancing on topics: down-weighting `none` (the largest class) costs over-refusal.
    { balance: false, ...opts },
    seed,
    calibrate,
  );
  // The level head sees benign look-alikes as level 0 too: "kill a process" is not operational.
  const levelHead = trainHead(
    { info: { name: 'level', classes: ['0', '1', '2', '3'] }, xs: trainX, ys: train.map((r) => r.level), ws: train.map((r) => r.levelWeight ?? r.weight ?? 1), isVal },
    opts,
    seed + 1,
    calibrate,
  );
  const rTrain = input.responses === false ? [] : responses.filter((r) => r.split === 'train');
  const respHead = trainHead(
    {
      info: { name: 'response', classes: [...RESPONSE_LABELS] },
      xs: rTrain.map((r) => feats(r.text)),
      ys: rTrain.map((r) => RESPONSE_LABELS.indexOf(r.label)),
      ws: rTrain.map((r) => r.weight ?? 1),
      isVal: rTrain.map((r) => stableDraw(r.text, seed + 2) < 0.15),
    },
    // Averaging 3 shuffles lifts held-out response accuracy from 0.95 to 0.99 (docs/guard.md).
    { average: 3, ...opts },
    seed + 2,
    calibrate,
  );
  let threshold = typeof input.threshold === 'number' ? input.threshold : 0.35;
  let curve: ThresholdPoint[] | null = null;
  if (input.threshold === 'tune' && topicHead.valProbs && levelHead.valProbs) {
    // Tune on grouped rows (public corpora) when there are enough: the pack's validation rows have
    // surface variants of themselves in training, which makes any threshold look good.
    const val = train.filter((_, i) => isVal[i]);
    const grouped = val.map((r) => r.group !== undefined);
    const useGrouped = grouped.filter(Boolean).length >= 200;
    const keep = val.map((_, i) => !useGrouped || grouped[i]!);
    // Weights capped at 1: the language up-weights are for learning; a handful of up-weighted rows
    // must not swing the curve.
    const valRows = val.filter((_, i) => keep[i]).map((r) => ({ topic: r.topic, level: r.level, weight: Math.min(1, r.weight ?? 1) }));
    curve = thresholdCurve(
      input.pack,
      valRows,
      topicHead.valProbs.filter((_, i) => keep[i]),
      levelHead.valProbs.filter((_, i) => keep[i]),
      topicClasses,
    );
    const cap = input.maxOverRefusal ?? 0.03;
    const ok = curve.filter((c) => c.over_refusal <= cap);
    const best = (ok.length > 0 ? ok : curve).reduce((a, b) => (b.f1 > a.f1 || (ok.length === 0 && b.over_refusal < a.over_refusal) ? b : a));
    threshold = best.threshold;
  }

  const topicPolicies = Object.fromEntries(input.pack.policies.map((p) => [p.topic, p.id]));
  const meta: ModelMeta = {
    pack: { id: input.pack.id, version: input.pack.version },
    topicPolicies,
    seed,
    threshold,
    counts: {
      prompts_train: train.length,
      prompts_test: prompts.length - train.length,
      responses_train: rTrain.length,
      responses_test: responses.length - rTrain.length,
    },
    report: {
      tokenizerAgreement: totalTok > 0 ? Number((agreeTok / totalTok).toFixed(4)) : 1,
      eceValidation: {
        topic: Number(topicHead.eceVal.toFixed(4)),
        level: Number(levelHead.eceVal.toFixed(4)),
        response: Number(respHead.eceVal.toFixed(4)),
      },
    },
  };
  const built = LinearModel.fromDense(
    [
      { info: { name: 'topic', classes: topicClasses, temperature: topicHead.temperature }, dense: topicHead.dense },
      { info: { name: 'level', classes: ['0', '1', '2', '3'], temperature: levelHead.temperature }, dense: levelHead.dense },
      { info: { name: 'response', classes: [...RESPONSE_LABELS], temperature: respHead.temperature }, dense: respHead.dense },
    ],
    meta,
    input.vectors,
  );
  // Round-trip through the file format so the returned model equals what saveModel/loadModel give.
  const model = LinearModel.deserialize(built.serialize());
  if (curve) model.meta.report.thresholdValidation = { chosen: threshold, maxOverRefusal: input.maxOverRefusal ?? 0.03, curve };
  if (!input.quick) model.meta.report.heldOut = evaluateHeldOut(model, prompts.filter((r) => r.split === 'test'), responses.filter((r) => r.split === 'test'));
  return model;
}

/** Classifier-level held-out figures (policy-level F1 / over-refusal live in guard/evaluate.ts). */
export function evaluateHeldOut(model: LinearModel, prompts: PromptRow[], responses: ResponseRow[]): Record<string, number> {
  const out: Record<string, number> = { prompts: prompts.length, responses: responses.length };
  if (prompts.length > 0) {
    let topicOk = 0;
    let levelOk = 0;
    let risky = 0;
    const probs: Float64Array[] = [];
    const ys: number[] = [];
    const classes = model.head('topic').info.classes;
    for (const r of prompts) {
      const p = model.predict(r.text);
      if (p.topic === r.topic) topicOk++;
      if (r.topic !== null) {
        risky++;
        if (p.level === r.level) levelOk++;
      }
      probs.push(Float64Array.from(classes.map((c) => p.topics.find((t) => t.topic === c)?.p ?? 0)));
      ys.push(classes.indexOf(r.topic ?? NONE));
    }
    out.topic_accuracy = round(topicOk / prompts.length);
    if (risky > 0) out.level_accuracy = round(levelOk / risky);
    out.topic_ece = round(expectedCalibrationError(probs, ys));
  }
  if (responses.length > 0) {
    let ok = 0;
    for (const r of responses) if (model.predictResponse(r.text).label === r.label) ok++;
    out.response_accuracy = round(ok / responses.length);
  }
  return out;
}

const round = (x: number): number => Math.round(x * 10000) / 10000;
