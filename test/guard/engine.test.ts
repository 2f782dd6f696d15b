import { beforeAll, describe, expect, it } from 'vitest';
import { collectRows, LinearModel, loadDefaultModel, NONE, type ResponseLabel, type ResponsePrediction, type SegmentedPrediction, type SegmentPrediction, type TextPrediction } from '../../src/classifier/index.js';
import { MAX_TOKENS, type SparseVector } from '../../src/classifier/features.js';
import { softmaxInPlace } from '../../src/classifier/linear.js';
import type { PredictSegmentsOptions } from '../../src/classifier/model.js';
import { normalizeText } from '../../src/classifier/normalize.js';
import { originalOffsets, type OffsetMap } from '../../src/classifier/offsets.js';
import { planSegments, RangeScorer, SENTENCE_STARTERS } from '../../src/classifier/segments.js';
import { tokenizeNormalized, tokenizeNormalizedSpans, type TokenSpans } from '../../src/classifier/tokenize.js';
import { prng, shuffle } from '../../src/core/random.js';
import { defaultPackPath } from '../../src/core/paths.js';
import { createGuard } from '../../src/guard/index.js';
import { loadPack } from '../../src/policy/load.js';

/**
 * The inference engine (src/classifier/engine.ts) against the path it replaced, kept here as the
 * reference: featurize + logitsAll for whole texts, segments.ts's RangeScorer for segments, and
 * LinearModel.explain for explanations. Scores must agree to 1e-9 and decisions exactly.
 */

const pack = loadPack(defaultPackPath).pack;
const shipped = loadDefaultModel();

/** The shipped model with only its first 60,000 rows: small enough for the sparse layout (a row
 * lookup table), where the shipped model has a row for nearly every index (the direct layout). */
function sparseVariant(m: LinearModel): LinearModel {
  const f = m.serialize();
  const width = f.heads.reduce((s, h) => s + h.classes.length, 0);
  const keep = 60_000;
  const deltas = new Uint32Array(Uint8Array.from(Buffer.from(f.rows, 'base64')).buffer).slice(0, keep);
  const q = Uint8Array.from(Buffer.from(f.weights, 'base64')).slice(0, keep * width);
  return LinearModel.deserialize({ ...f, rows: Buffer.from(deltas.buffer).toString('base64'), weights: Buffer.from(q.buffer).toString('base64') });
}

/** The model under test (each suite below sets it). */
let model = shipped;
const NOW = new Date('2026-06-01T12:00:00Z');

// ---- the reference: the model's predictions as they were computed before engine.ts ----------

/** LinearModel.logitsAll as it was: the plain loop over features, then over columns. */
function refLogitsAll(x: SparseVector): Float64Array {
  const { width, rowOf, noRow, q, scales, bias } = model.weightTable();
  const acc = new Float64Array(width);
  for (let j = 0; j < x.indices.length; j++) {
    const r = rowOf[x.indices[j]!]!;
    if (r === noRow) continue;
    const v = x.values[j]!;
    for (let c = 0; c < width; c++) acc[c]! += v * q[r * width + c]!;
  }
  for (let c = 0; c < width; c++) acc[c] = bias[c]! + acc[c]! * scales[c]!;
  return acc;
}

function refText(tokens: string[], x: () => SparseVector, all: Float64Array): TextPrediction {
  const { info, offset } = model.head('topic');
  const tp = all.slice(offset, offset + info.classes.length);
  softmaxInPlace(tp, info.temperature);
  const classes = info.classes;
  const noneIdx = classes.indexOf(NONE);
  let best = -1;
  for (let c = 0; c < classes.length; c++) if (c !== noneIdx && (best < 0 || tp[c]! > tp[best]!)) best = c;
  const topicScore = 1 - (noneIdx >= 0 ? tp[noneIdx]! : 0);
  const applies = best >= 0 && topicScore >= model.meta.threshold;
  const lvl = model.head('level');
  const lp = all.slice(lvl.offset, lvl.offset + lvl.info.classes.length);
  softmaxInPlace(lp, lvl.info.temperature);
  let level = 0;
  for (let c = 1; c < lp.length; c++) if (lp[c]! > lp[level]!) level = c;
  const pred = {
    topic: applies ? classes[best]! : null,
    topicScore,
    topics: classes.map((t, i) => ({ topic: t, p: tp[i]! })).sort((a, b) => b.p - a.p),
    level: level as 0 | 1 | 2 | 3,
    levelScores: Array.from(lp),
  } as TextPrediction;
  let explanation: string[] | null = null;
  Object.defineProperty(pred, 'explanation', {
    enumerable: true,
    get: () => (explanation ??= applies ? model.explain(tokens, x(), 'topic', best, noneIdx) : noneIdx >= 0 ? model.explain(tokens, x(), 'topic', noneIdx, best) : []),
  });
  return pred;
}

function refResponse(tokens: string[], x: () => SparseVector, all: Float64Array): ResponsePrediction {
  const { info, offset } = model.head('response');
  const p = all.slice(offset, offset + info.classes.length);
  softmaxInPlace(p, info.temperature);
  let best = 0;
  let second = -1;
  for (let c = 1; c < p.length; c++) if (p[c]! > p[best]!) best = c;
  for (let c = 0; c < p.length; c++) if (c !== best && (second < 0 || p[c]! > p[second]!)) second = c;
  const pred = { label: info.classes[best] as ResponseLabel, p: p[best]!, scores: Object.fromEntries(info.classes.map((c, i) => [c, p[i]!])) } as ResponsePrediction;
  let explanation: string[] | null = null;
  Object.defineProperty(pred, 'explanation', { enumerable: true, get: () => (explanation ??= model.explain(tokens, x(), 'response', best, second)) });
  return pred;
}

function refPredict(text: string): TextPrediction {
  const tokens = tokenizeNormalized(normalizeText(text));
  const x = model.featuresReference(text);
  return refText(tokens, () => x, refLogitsAll(x));
}

function refPredictResponse(text: string): ResponsePrediction {
  const tokens = tokenizeNormalized(normalizeText(text));
  const x = model.featuresReference(text);
  return refResponse(tokens, () => x, refLogitsAll(x));
}

function startsSentence(text: string, spans: TokenSpans, t: number, original: () => OffsetMap): boolean {
  if (t === 0 || !SENTENCE_STARTERS.has(spans.tokens[t]!)) return false;
  const at = original().start(spans.starts[t]!);
  const c = text.charCodeAt(at);
  if (!(c >= 65 && c <= 90)) return false;
  const prevEnd = original().end(spans.ends[t - 1]!);
  if (!/^[ \t]+$/.test(text.slice(prevEnd, at))) return false;
  return /[\p{Ll}\p{N}]/u.test(text[prevEnd - 1] ?? '');
}

function refPredictSegments(text: string, opts: PredictSegmentsOptions = {}): SegmentedPrediction {
  const norm = normalizeText(text);
  const spans = tokenizeNormalizedSpans(norm);
  const tokens = spans.tokens;
  let offsets: OffsetMap | null = null;
  const original = (): OffsetMap => (offsets ??= originalOffsets(text, norm));
  const plans = planSegments(norm, spans, opts, (t) => startsSentence(text, spans, t, original));
  const xs = (): SparseVector => model.featuresReference(text);
  if (plans.length === 0) {
    const x = xs();
    const all = refLogitsAll(x);
    return { whole: refText(tokens, () => x, all), response: opts.response ? refResponse(tokens, () => x, all) : null, flagged: [], scored: 0 };
  }
  const scorer = new RangeScorer(tokens, model.weightTable(), model.denseBlock(tokens));
  const all = new Float64Array(model.width);
  scorer.moveTo(0, Math.min(tokens.length, MAX_TOKENS));
  scorer.logits(all);
  const whole = refText(tokens, xs, all);
  const response = opts.response ? refResponse(tokens, xs, all) : null;
  const flagged: SegmentPrediction[] = [];
  if (opts.enough?.(whole, response)) return { whole, response, flagged, scored: 0 };
  const topic = model.head('topic');
  const level = model.head('level');
  const resp = opts.response ? model.head('response') : null;
  const noneIdx = topic.info.classes.indexOf(NONE);
  const buf = new Float64Array(model.width);
  const threshold = opts.threshold ?? model.meta.segmentThreshold ?? model.meta.threshold;
  let family = -1;
  for (const plan of plans) {
    if (plan.family !== family) {
      scorer.reset();
      family = plan.family;
    }
    scorer.moveTo(plan.from, plan.to);
    scorer.logits(buf);
    const tp = buf.slice(topic.offset, topic.offset + topic.info.classes.length);
    softmaxInPlace(tp, topic.info.temperature);
    const score = 1 - (noneIdx >= 0 ? tp[noneIdx]! : 0);
    if (score < threshold) continue;
    let best = -1;
    for (let c = 0; c < tp.length; c++) if (c !== noneIdx && (best < 0 || tp[c]! > tp[best]!)) best = c;
    if (best < 0) continue;
    const lp = buf.slice(level.offset, level.offset + level.info.classes.length);
    softmaxInPlace(lp, level.info.temperature);
    let lv = 0;
    for (let c = 1; c < lp.length; c++) if (lp[c]! > lp[lv]!) lv = c;
    let r: SegmentPrediction['response'] = null;
    if (resp) {
      const rp = buf.slice(resp.offset, resp.offset + resp.info.classes.length);
      softmaxInPlace(rp, resp.info.temperature);
      let rb = 0;
      for (let c = 1; c < rp.length; c++) if (rp[c]! > rp[rb]!) rb = c;
      r = { label: resp.info.classes[rb] as ResponseLabel, p: rp[rb]! };
    }
    const start = original().start(spans.starts[plan.from]!);
    const end = original().end(spans.ends[plan.to - 1]!);
    flagged.push({ kind: plan.kind, start, end, topic: topic.info.classes[best]!, topicScore: score, level: lv as 0 | 1 | 2 | 3, levelScores: Array.from(lp), response: r, explanation: refPredict(text.slice(start, end)).explanation });
  }
  return { whole, response, flagged, scored: plans.length };
}

/** The model with the reference predictions in place of the engine (still a LinearModel for the guard). */
const referenceOf = (m: LinearModel): LinearModel =>
  Object.assign(Object.create(m) as LinearModel, {
    predict: refPredict,
    predictResponse: refPredictResponse,
    predictBoth: (text: string) => ({ text: refPredict(text), response: refPredictResponse(text) }),
    predictSegments: refPredictSegments,
  });

// ---- texts: a few hundred, varied ------------------------------------------------------------

function corpus(): string[] {
  const { prompts, responses } = collectRows(pack);
  const rand = prng(7);
  const p = shuffle(prompts.map((r) => r.text), rand);
  const r = shuffle(responses.map((x) => x.text), rand);
  const out: string[] = ['', ' ', 'a', 'hello', '!!!', 'the the the the the the', 'ＦＵＬＬ ｗｉｄｔｈ café déjà', 's a r i n and n3rv3 @g3nt', 'Don’t tell me; I won\'t ask.'];
  out.push(...p.slice(0, 120), ...r.slice(0, 60));
  // Padded and concatenated texts: several sentences, lines, and windows.
  for (let i = 0; i < 80; i++) {
    const k = 2 + (i % 7);
    const parts: string[] = [];
    for (let j = 0; j < k; j++) parts.push((j + i) % 3 === 0 ? r[(i * 5 + j) % r.length]! : p[(i * 11 + j * 3) % p.length]!);
    out.push(parts.join(i % 3 === 0 ? '\n' : i % 3 === 1 ? ' ' : '  but I can help with the rest. '));
  }
  // 1 KB prompts, as bench/guard-classify.ts builds them.
  for (let i = 0, j = 0; i < 30; i++) {
    let s = '';
    while (s.length < 1024) s += `${p[j++ % p.length]} `;
    out.push(s.slice(0, 1024));
  }
  // Repeats (sublinear tf), a text longer than MAX_TOKENS, and one with no sentence punctuation.
  out.push(`${p[0]} `.repeat(40), 'word '.repeat(MAX_TOKENS + 300) + p[1]!, p.slice(0, 30).join(' ').replace(/[.!?]/g, ''));
  return out;
}

const texts = corpus();

const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9;
function sameText(a: TextPrediction, b: TextPrediction, what: string): void {
  expect(a.topic, what).toBe(b.topic);
  expect(a.level, what).toBe(b.level);
  expect(close(a.topicScore, b.topicScore), `${what}: topicScore ${a.topicScore} vs ${b.topicScore}`).toBe(true);
  a.levelScores.forEach((p, i) => expect(close(p, b.levelScores[i]!), what).toBe(true));
  const pb = new Map(b.topics.map((t) => [t.topic, t.p]));
  for (const t of a.topics) expect(close(t.p, pb.get(t.topic)!), `${what}: ${t.topic}`).toBe(true);
  expect(a.explanation, what).toEqual(b.explanation);
}
function sameResponse(a: ResponsePrediction | null, b: ResponsePrediction | null, what: string): void {
  if (a === null || b === null) return expect(a, what).toBe(b);
  expect(a.label, what).toBe(b.label);
  for (const k of Object.keys(b.scores) as ResponseLabel[]) expect(close(a.scores[k], b.scores[k]), what).toBe(true);
  expect(a.explanation, what).toEqual(b.explanation);
}

describe.each([
  ['shipped model (direct row layout)', () => shipped],
  ['a 60,000-row model (sparse row layout)', () => sparseVariant(shipped)],
])('classifier engine: the same scores as the reference path, %s', (_name, make) => {
  beforeAll(() => {
    model = make();
  });

  it('has a few hundred varied texts, some with segments and some longer than MAX_TOKENS', () => {
    expect(texts.length).toBeGreaterThan(300);
    expect(texts.filter((t) => refPredictSegments(t).scored > 0).length).toBeGreaterThan(100);
  });

  it('predict and predictResponse: bit for bit (same float32 features, same order), same explanations', () => {
    for (const [i, t] of texts.entries()) {
      const a = model.predict(t);
      const b = refPredict(t);
      expect(a.topicScore, `text ${i}`).toBe(b.topicScore);
      sameText(a, b, `text ${i}`);
      sameResponse(model.predictResponse(t), refPredictResponse(t), `text ${i}`);
      const both = model.predictBoth(t);
      sameText(both.text, b, `both ${i}`);
    }
  });

  it('predictSegments: whole text, response and every flagged segment within 1e-9 (threshold 0 flags them all)', () => {
    let segments = 0;
    for (const [i, t] of texts.entries()) {
      for (const opts of [{ response: true, threshold: 0 }, {}] as PredictSegmentsOptions[]) {
        const a = model.predictSegments(t, opts);
        const b = refPredictSegments(t, opts);
        const what = `text ${i} ${JSON.stringify(opts)}`;
        expect(a.scored, what).toBe(b.scored);
        sameText(a.whole, b.whole, what);
        sameResponse(a.response, b.response, what);
        expect(a.flagged.length, what).toBe(b.flagged.length);
        a.flagged.forEach((s, k) => {
          const r = b.flagged[k]!;
          expect([s.kind, s.start, s.end, s.topic, s.level, s.response?.label], what).toEqual([r.kind, r.start, r.end, r.topic, r.level, r.response?.label]);
          expect(close(s.topicScore, r.topicScore), what).toBe(true);
          s.levelScores.forEach((p, j) => expect(close(p, r.levelScores[j]!), what).toBe(true));
          if (s.response && r.response) expect(close(s.response.p, r.response.p), what).toBe(true);
          segments++;
        });
        // Explanations of a few segments (each is a predict of the segment's text).
        if (a.flagged.length > 0) expect(a.flagged[0]!.explanation, what).toEqual(b.flagged[0]!.explanation);
      }
    }
    expect(segments).toBeGreaterThan(1000);
  });

  it('logitsAll: bit for bit the plain loop', () => {
    for (const t of texts.slice(0, 100)) {
      const x = model.featuresReference(t);
      expect(Array.from(model.logitsAll(x))).toEqual(Array.from(refLogitsAll(x)));
    }
  });

  it('features: the same vector as featurize (+ the word-vector block), index for index, bit for bit', () => {
    for (const t of texts) {
      const a = model.features(t);
      const b = model.featuresReference(t);
      expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
      expect(Array.from(a.values)).toEqual(Array.from(b.values));
    }
  });

  it('an explanation read after other texts were classified is still that of its own text', () => {
    const first = model.predict(texts[40]!);
    for (const t of texts.slice(41, 50)) model.predictSegments(t, { threshold: 0 });
    expect(first.explanation).toEqual(refPredict(texts[40]!).explanation);
  });

  it('guard decisions are identical, on inputs and outputs, for every text', () => {
    const guard = createGuard({ pack, model, now: () => NOW });
    const ref = createGuard({ pack, model: referenceOf(model), now: () => NOW });
    const actions = new Set<string>();
    for (const t of texts) {
      for (const role of ['input', 'output'] as const) {
        const a = guard.decide({ text: t, role });
        const b = ref.decide({ text: t, role });
        expect(a.score, t).toBeCloseTo(b.score, 9);
        expect({ ...a, score: 0 }).toEqual({ ...b, score: 0 });
        actions.add(a.action);
      }
    }
    expect(actions.has('refuse') && actions.has('allow')).toBe(true);
  });
});

describe('direct row layout', () => {
  it('serializes to the file it was loaded from (same model hash)', () => {
    const json = JSON.stringify(shipped.serialize());
    expect(json).toBe(JSON.stringify(LinearModel.deserialize(JSON.parse(json)).serialize()));
    expect(sparseVariant(shipped).serialize().weights.length).toBeLessThan(JSON.parse(json).weights.length);
  });
});
