import type { PolicyPack } from '../policy/schema.js';
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
}

export interface TrainInput {
  pack: PolicyPack;
  extra?: ExtraExample[];
  seed?: number;
  options?: TrainOptions;
  /** Topic threshold on 1 - p(none) (default 0.35: recall first, see docs/guard.md). */
  threshold?: number;
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
}

export interface ResponseRow {
  text: string;
  label: (typeof RESPONSE_LABELS)[number];
  split: 'train' | 'test';
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
      responses.push({ text: x.text, label: x.label, split: x.split ?? 'train' });
      continue;
    }
    let topic: string | null = null;
    if (x.policy) topic = topicOf.get(x.policy) ?? null;
    else if (x.topic) topic = topics.has(x.topic) ? x.topic : null;
    prompts.push({ text: x.text, topic, level: topic === null ? 0 : (x.level ?? 0), split: x.split ?? 'train', lang: x.lang ?? 'en' });
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
  texts: string[];
}

function trainHead(d: HeadData, opts: TrainOptions, seed: number): { dense: DenseHead; temperature: number; eceVal: number; valSize: number } {
  const k = d.info.classes.length;
  const isVal = d.texts.map((t) => stableDraw(t, seed) < 0.15);
  const trX = d.xs.filter((_, i) => !isVal[i]);
  const trY = d.ys.filter((_, i) => !isVal[i]);
  const vaX = d.xs.filter((_, i) => isVal[i]);
  const vaY = d.ys.filter((_, i) => isVal[i]);
  let temperature = 1;
  let eceVal = 0;
  if (vaX.length >= 10 && trX.length > 0) {
    const h = trainSoftmax(trX, trY, k, { ...opts, seed });
    const logits = vaX.map((x) => {
      const z = new Float64Array(k);
      logitsDense(h, x, z);
      return z;
    });
    temperature = fitTemperature(logits, vaY);
    eceVal = expectedCalibrationError(
      logits.map((z) => {
        const p = Float64Array.from(z);
        softmaxInPlace(p, temperature);
        return p;
      }),
      vaY,
    );
  }
  // Optionally average the weights of runs with different shuffles (variance reduction).
  const S = opts.average ?? 1;
  const dense = trainSoftmax(d.xs, d.ys, k, { ...opts, seed });
  for (let s2 = 1; s2 < S; s2++) {
    const o = trainSoftmax(d.xs, d.ys, k, { ...opts, seed: seed + 1000 * s2 });
    for (let i = 0; i < dense.w.length; i++) dense.w[i]! += o.w[i]!;
    for (let i = 0; i < k; i++) dense.b[i]! += o.b[i]!;
  }
  if (S > 1) {
    for (let i = 0; i < dense.w.length; i++) dense.w[i]! /= S;
    for (let i = 0; i < k; i++) dense.b[i]! /= S;
  }
  return { dense, temperature, eceVal, valSize: vaX.length };
}

/** Train topic, level and response heads. Deterministic for a given pack, extras and seed. */
export function trainModel(input: TrainInput): LinearModel {
  const seed = input.seed ?? 1;
  const opts = input.options ?? {};
  const { prompts, responses } = collectRows(input.pack, input.extra);
  const wink = loadWink();
  let agreeTok = 0;
  let totalTok = 0;
  const feats = (text: string): SparseVector => {
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
  const topicHead = trainHead(
    { info: { name: 'topic', classes: topicClasses }, xs: trainX, ys: train.map((r) => topicClasses.indexOf(r.topic ?? NONE)), texts: train.map((r) => r.text) },
    // No class balancing on topics: down-weighting `none` (the largest class) costs over-refusal.
    { balance: false, ...opts },
    seed,
  );
  // The level head sees benign look-alikes as level 0 too: "kill a process" is not operational.
  const levelHead = trainHead(
    {
      info: { name: 'level', classes: ['0', '1', '2', '3'] },
      xs: trainX,
      ys: train.map((r) => r.level),
      texts: train.map((r) => r.text),
    },
    opts,
    seed + 1,
  );
  const rTrain = responses.filter((r) => r.split === 'train');
  const respHead = trainHead(
    {
      info: { name: 'response', classes: [...RESPONSE_LABELS] },
      xs: rTrain.map((r) => feats(r.text)),
      ys: rTrain.map((r) => RESPONSE_LABELS.indexOf(r.label)),
      texts: rTrain.map((r) => r.text),
    },
    // Averaging 3 shuffles lifts held-out response accuracy from 0.95 to 0.99 (docs/guard.md).
    { average: 3, ...opts },
    seed + 2,
  );

  const topicPolicies = Object.fromEntries(input.pack.policies.map((p) => [p.topic, p.id]));
  const meta: ModelMeta = {
    pack: { id: input.pack.id, version: input.pack.version },
    topicPolicies,
    seed,
    threshold: input.threshold ?? 0.35,
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
  model.meta.report.heldOut = evaluateHeldOut(model, prompts.filter((r) => r.split === 'test'), responses.filter((r) => r.split === 'test'));
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
