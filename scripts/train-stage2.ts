/**
 * `npm run train:stage2 [-- --out FILE] [--cap N] [--seeds 3,4,5]`: trains the guard's stage-2 head
 * (an MLP with one hidden layer over Universal Sentence Encoder lite embeddings, plus a softmax topic
 * head) and writes models/guard-stage2.json. A linear (softmax) head was tried first: on the
 * calibration slice it reached F1 0.83 against the MLP's 0.89, with twice the false-positive rate.
 *
 * Data: scripts/stage2-data.ts (the default pack's prompts + every English row of
 * ../shared/training/prompts; 20% of each source held out). The unsafe head is the average of MLPs
 * trained with different seeds (one MLP with their hidden units side by side). The heads train on
 * the `train` slice; temperature and threshold are fitted on the `calib` slice; the `test` slice is
 * only reported.
 *
 * Cascade settings: when scripts/stage2-shadow.ts has written out-of-sample stage-1 scores for the
 * calibration slice (.cache/stage2/shadow-stage1.json), the band in which stage 2 is asked and a
 * stacked combiner (logistic regression over [logit stage-1 score, logit p(unsafe)], fitted on the
 * calibration rows in the band) are chosen there: the best calibration F1 of the cascade among the
 * settings whose over-refusal, overall and on the benign look-alike sources, is not above the
 * default hand-off's (the guard's default band, p(unsafe) >= threshold), and that send at most 10%
 * of everyday prompts to stage 2 (the latency budget). Without that file the head carries no cascade
 * settings (the guard's band and the threshold decide).
 *
 * Embeddings are cached in .cache/stage2/ (gitignored): the first run embeds ~31k texts (about 17
 * minutes with two processes on the 2 shared cores here), later runs read the cache.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EmbeddingCache } from '../src/classifier/embed-cache.js';
import { useLiteEncoder } from '../src/classifier/encoder.js';
import { loadDefaultModel } from '../src/classifier/index.js';
import { asciiLetterShare } from '../src/classifier/encoder.js';
import { decide } from '../src/guard/decide.js';
import { averageMlps, calibrate, calibrateMlp, combinedP, defaultStage2Path, type Stage2Cascade, denseLogits, mlpLogit, saveStage2, sigmoid, Stage2Head, trainDenseSoftmax, trainMlp, type DenseSoftmax, type MlpHead } from '../src/classifier/stage2.js';
import { softmaxInPlace } from '../src/classifier/linear.js';
import { defaultPackPath } from '../src/core/paths.js';
import { loadPack } from '../src/policy/load.js';
import { CACHE_DIR, CAP, packRows, publicRows, SHADOW_FILE, TRAIN_CAP, type Stage2Row } from './stage2-data.js';

const { values } = parseArgs({
  options: { out: { type: 'string' }, cap: { type: 'string' }, seeds: { type: 'string', default: '3' }, cascade: { type: 'boolean', default: false }, 'lookalike-weight': { type: 'string', default: '1' } },
});
const out = values.out ?? defaultStage2Path;
const cap = values.cap === 'all' ? TRAIN_CAP : values.cap ? Number(values.cap) : CAP;
const lookalikeWeight = Number(values['lookalike-weight']);
const seeds = values.seeds!.split(',').map(Number);

const { pack } = loadPack(defaultPackPath);
const rows: Stage2Row[] = [...packRows(pack), ...publicRows(cap)];
if (rows.length === 0) throw new Error('no training rows');
const encoder = useLiteEncoder();
const cache = new EmbeddingCache(CACHE_DIR, encoder);
process.stderr.write(`stage 2: ${rows.length} rows (${cache.size} embeddings cached)\n`);
const t0 = performance.now();
const vecs = await cache.embedAll(
  rows.map((r) => r.text),
  {
    onProgress: (done, todo) => {
      if (done % 1024 < 32 || done === todo) process.stderr.write(`  embedded ${done}/${todo} (${Math.round((performance.now() - t0) / 1000)} s)\n`);
    },
  },
);
const vecOf = new Map(rows.map((r, i) => [r, vecs[i]!]));

const r4 = (x: number): number => Math.round(x * 10000) / 10000;
const pick = (split: Stage2Row['split'], f: (r: Stage2Row) => boolean = () => true): Stage2Row[] => rows.filter((r) => r.split === split && f(r));
const train = pick('train');
const calib = pick('calib');
const test = pick('test');

function probs(h: DenseSoftmax, x: Float32Array): Float64Array {
  const z = denseLogits(h, x);
  softmaxInPlace(z, h.temperature);
  return z;
}

const LOOKALIKES = new Set(['hatecheck', 'coconot_contrast', 'coconot_original_eval', 'cyberseceval_frr']);

// Unsafe head: an MLP (L2 1e-4 beat 1e-3 on calibration-slice NLL, 0.253 vs 0.280, and is kept),
// optionally averaged over seeds (--seeds 3,4,5 with every row: calibration F1 0.897 vs 0.885 for
// one seed on the capped rows) and with the benign look-alike rows (the safe rows of the look-alike
// sources and of the pack) up-weighted (--lookalike-weight).
let best: { head: MlpHead; nll: number; l2: number } | null = null;
const pOf = (m: MlpHead, x: Float32Array): number => sigmoid(mlpLogit(m, x) / m.temperature);
for (const l2 of [1e-4]) {
  const head = averageMlps(
    seeds.map((seed) =>
      trainMlp(
        train.map((r) => vecOf.get(r)!),
        train.map((r) => (r.unsafe ? 1 : 0)),
        { hidden: 64, l2, epochs: 15, lr: 0.05, seed, ...(lookalikeWeight !== 1 ? { weights: train.map((r) => (!r.unsafe && (LOOKALIKES.has(r.source) || r.source === 'pack') ? lookalikeWeight : 1)) } : {}) },
      ),
    ),
  );
  calibrateMlp(
    head,
    calib.map((r) => vecOf.get(r)!),
    calib.map((r) => (r.unsafe ? 1 : 0)),
  );
  let nll = 0;
  for (const r of calib) {
    const p = pOf(head, vecOf.get(r)!);
    nll -= Math.log(Math.max(1e-12, r.unsafe ? p : 1 - p));
  }
  nll /= Math.max(1, calib.length);
  process.stderr.write(`  unsafe MLP l2=${l2}: calibration NLL ${nll.toFixed(4)}\n`);
  if (!best || nll < best.nll) best = { head, nll, l2 };
}
const unsafeHead = best!.head;

// Threshold: best F1 on the calibration slice.
const calibP = calib.map((r) => ({ p: pOf(unsafeHead, vecOf.get(r)!), y: r.unsafe }));
let threshold = 0.5;
let bestF1 = -1;
for (let t = 0.2; t <= 0.8001; t += 0.02) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const { p, y } of calibP) {
    if (p >= t && y) tp++;
    else if (p >= t) fp++;
    else if (y) fn++;
  }
  const f1 = (2 * tp) / Math.max(1, 2 * tp + fp + fn);
  if (f1 > bestF1) {
    bestF1 = f1;
    threshold = Math.round(t * 100) / 100;
  }
}

// Cascade settings, chosen on the calibration slice with out-of-sample stage-1 scores (see the top).
const EVERYDAY = new Set(['clinc_everyday', 'fastchat_benign', 'selfinstruct_benign', 'gsm8k_benign', 'xquad_multilingual_benign']);
const MAX_STAGE2_SHARE = 0.1;
interface CalPoint {
  s1: number;
  blocked1: boolean;
  eligible: boolean;
  p: number;
  y: boolean;
  source: string;
}
type Rule = { band: [number, number]; combine?: Stage2Cascade['combine']; t: number };
let cascade: Stage2Cascade | null = null;
let cascadeReport: Record<string, unknown> | null = null;
if (values.cascade && !existsSync(SHADOW_FILE)) throw new Error(`--cascade needs ${SHADOW_FILE}: run npx tsx scripts/stage2-shadow.ts first`);
if (values.cascade) {
  const shadow = JSON.parse(readFileSync(SHADOW_FILE, 'utf8')) as Record<string, [number, number, number]>;
  const stage1 = loadDefaultModel();
  const th = stage1.meta.threshold;
  const defaultBand: [number, number] = [Math.max(0, th - 0.15), Math.min(1, th + 0.2)];
  // Public rows: the shadow stage 1's scores. Pack rows: the shipped stage 1's (the shadow trains
  // on the pack too), so that the pack's look-alikes weigh in the constraint.
  const pts: CalPoint[] = [];
  for (const r of calib) {
    let f = shadow[r.text];
    if (!f && r.source === 'pack') {
      const first = decide({ pack, model: stage1, text: r.text });
      const d = first.decision;
      f = [first.prediction.topicScore, d.action === 'refuse' || d.action === 'deflect' ? 1 : 0, !d.reasons[0]?.startsWith('decoded a') && !first.segment && asciiLetterShare(r.text) >= 0.9 ? 1 : 0];
    }
    if (f) pts.push({ s1: f[0], blocked1: f[1] === 1, eligible: f[2] === 1, p: pOf(unsafeHead, vecOf.get(r)!), y: r.unsafe, source: r.source });
  }
  const flag = (q: CalPoint, rule: Rule): boolean => {
    if (!q.eligible || q.s1 < rule.band[0] || q.s1 > rule.band[1]) return q.blocked1;
    return rule.combine ? combinedP(rule.combine, q.s1, q.p) >= 0.5 : q.p >= rule.t;
  };
  const figures = (rule: Rule): { recall: number; overRefusal: number; lookalikes: number; f1: number; stage2Share: number } => {
    let tp = 0, fp = 0, pos = 0, neg = 0, lf = 0, ln = 0, ev = 0, evIn = 0;
    for (const q of pts) {
      const b = flag(q, rule);
      if (q.y) {
        pos++;
        if (b) tp++;
      } else {
        neg++;
        if (b) fp++;
        if (LOOKALIKES.has(q.source)) {
          ln++;
          if (b) lf++;
        }
        if (EVERYDAY.has(q.source)) {
          ev++;
          if (q.eligible && q.s1 >= rule.band[0] && q.s1 <= rule.band[1]) evIn++;
        }
      }
    }
    return { recall: r4(tp / Math.max(1, pos)), overRefusal: r4(fp / Math.max(1, neg)), lookalikes: r4(lf / Math.max(1, ln)), f1: r4((2 * tp) / Math.max(1, tp + fp + pos)), stage2Share: r4(evIn / Math.max(1, ev)) };
  };
  const fitStack = (lo: number, hi: number): NonNullable<Stage2Cascade['combine']> => {
    const xs = pts.filter((q) => q.eligible && q.s1 >= lo && q.s1 <= hi);
    const lg = (p: number): number => Math.log(Math.max(1e-6, p) / Math.max(1e-6, 1 - p));
    let a = 0, b = 1, c = 0;
    for (let it = 0; it < 3000; it++) {
      let ga = 0, gb = 0, gc = 0;
      for (const q of xs) {
        const u = lg(q.s1), v = lg(q.p);
        const g = sigmoid(a * u + b * v + c) - (q.y ? 1 : 0);
        ga += g * u;
        gb += g * v;
        gc += g;
      }
      const n = Math.max(1, xs.length);
      a -= (0.5 * ga) / n;
      b -= (0.5 * gb) / n;
      c -= (0.5 * gc) / n;
    }
    return { stage1: a, stage2: b, bias: c };
  };
  const base = figures({ band: defaultBand, t: threshold });
  let chosen: { rule: Rule; f: ReturnType<typeof figures> } = { rule: { band: defaultBand, t: threshold }, f: base };
  for (const lo of [0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.25, defaultBand[0]])
    for (const hi of [defaultBand[1], 0.8, 0.9, 1]) {
      const rules: Rule[] = [];
      for (let t = 0.3; t <= 0.981; t += 0.02) rules.push({ band: [lo, hi], t: Math.round(t * 100) / 100 });
      const st = fitStack(lo, hi);
      for (const shift of [-2, -1, -0.5, 0, 0.5, 1, 2]) rules.push({ band: [lo, hi], t: threshold, combine: { ...st, bias: st.bias - shift } });
      for (const rule of rules) {
        const f = figures(rule);
        if (f.overRefusal > base.overRefusal || f.lookalikes > base.lookalikes || f.stage2Share > MAX_STAGE2_SHARE) continue;
        if (f.f1 > chosen.f.f1) chosen = { rule, f };
      }
    }
  // A hand-off at another threshold t is the combiner logit(p) - logit(t) >= 0.
  const combine = chosen.rule.combine ?? (chosen.rule.t !== threshold ? { stage1: 0, stage2: 1, bias: -Math.log(chosen.rule.t / (1 - chosen.rule.t)) } : undefined);
  cascade = { band: chosen.rule.band, forBand: defaultBand, ...(combine ? { combine } : {}) };
  cascadeReport = { calibrationRows: pts.length, defaultHandOff: base, chosen: { ...chosen.f, band: chosen.rule.band, ...(chosen.rule.combine ? { combine: chosen.rule.combine } : { threshold: chosen.rule.t }) } };
  process.stderr.write(`  cascade (calibration, ${pts.length} rows): default ${JSON.stringify(base)} → chosen ${JSON.stringify(cascadeReport.chosen)}\n`);
}

// Topic head: the pack's unsafe rows (the public corpus has no pack topics).
const topicRows = (split: Stage2Row['split']): Stage2Row[] => pick(split, (r) => r.topic !== null);
const topics = [...new Set(rows.filter((r) => r.topic !== null).map((r) => r.topic!))].sort();
let topicHead: DenseSoftmax | null = null;
if (topics.length >= 2) {
  const tr = topicRows('train');
  topicHead = trainDenseSoftmax(
    tr.map((r) => vecOf.get(r)!),
    tr.map((r) => topics.indexOf(r.topic!)),
    topics,
    { l2: 1e-4, epochs: 40, lr: 0.05, seed: 13 },
  );
  const cr = topicRows('calib');
  if (cr.length > 0) {
    calibrate(
      topicHead,
      cr.map((r) => vecOf.get(r)!),
      cr.map((r) => topics.indexOf(r.topic!)),
    );
  }
}

// Held-out figures, per source.
const perSource: Record<string, { n: number; unsafe: number; recall: number | null; fpr: number | null; accuracy: number }> = {};
const sources = [...new Set(test.map((r) => r.source))].sort();
for (const s of [...sources, 'ALL']) {
  const rs = s === 'ALL' ? test : test.filter((r) => r.source === s);
  let tp = 0;
  let fp = 0;
  let pos = 0;
  let ok = 0;
  for (const r of rs) {
    const flagged = pOf(unsafeHead, vecOf.get(r)!) >= threshold;
    if (r.unsafe) pos++;
    if (flagged && r.unsafe) tp++;
    if (flagged && !r.unsafe) fp++;
    if (flagged === r.unsafe) ok++;
  }
  perSource[s] = { n: rs.length, unsafe: pos, recall: pos ? r4(tp / pos) : null, fpr: rs.length - pos ? r4(fp / (rs.length - pos)) : null, accuracy: r4(ok / Math.max(1, rs.length)) };
}
let topicAcc: number | null = null;
if (topicHead) {
  const tt = topicRows('test');
  let ok = 0;
  for (const r of tt) {
    const p = probs(topicHead, vecOf.get(r)!);
    let b = 0;
    for (let c = 1; c < p.length; c++) if (p[c]! > p[b]!) b = c;
    if (topics[b] === r.topic) ok++;
  }
  topicAcc = tt.length ? r4(ok / tt.length) : null;
}

const count = (rs: Stage2Row[]): { n: number; unsafe: number } => ({ n: rs.length, unsafe: rs.filter((r) => r.unsafe).length });
const head = new Stage2Head(
  encoder.id,
  encoder.dim,
  threshold,
  unsafeHead,
  topicHead,
  {
  trainedOn: {
    train: count(train),
    calib: count(calib),
    test: count(test),
    capPerSource: cap,
    sources: ['pack', ...new Set(rows.filter((r) => r.source !== 'pack').map((r) => r.source))],
  },
  l2: best!.l2,
  seeds,
  calibrationF1: r4(bestF1),
  cascadeCalibration: cascadeReport,
  heldOut: perSource,
  topicAccuracyHeldOut: topicAcc,
  },
  cascade,
);
saveStage2(head, out);
console.log(JSON.stringify({ out, threshold, cascade: cascadeReport, temperature: r4(unsafeHead.temperature), l2: best!.l2, calibrationF1: r4(bestF1), topicAccuracyHeldOut: topicAcc, heldOut: perSource, embedSeconds: Math.round((performance.now() - t0) / 1000) }, null, 2));
