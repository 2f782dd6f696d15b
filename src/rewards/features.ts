import { FEATURE_DIM, NONE, RESPONSE_LABELS, type LinearModel, type SparseVector } from '../classifier/index.js';
import { softmaxInPlace } from '../classifier/index.js';
import { fmix } from '../core/hash.js';
import type { Action, Level } from '../core/pillars.js';
import { STRICTNESS } from '../policy/effective.js';
import { actionAt, type PolicyPack } from '../policy/schema.js';

/**
 * Prompt-conditioned features of a (prompt, response) pair for the reward model, built from the
 * embedded classifier engine (one featurization of each text):
 *
 *   [0, IN_DIM)            the response's own hashed n-grams (+ word-vector mean when the guard model has one)
 *   COND block (3 × 2^18)  the response's n-grams crossed with what the policy ladder says about the
 *                          PROMPT (allow / deflect / refuse): a refusal phrase is good after a
 *                          refused prompt and bad after an allowed one
 *   TOPIC block (2^18)     the response's n-grams hashed together with the prompt's topic
 *   PROMPTX block (2^18)   the PROMPT's n-grams crossed with how much the response refuses
 *                          (p refused + p deflected) and how much it complies (p complied +
 *                          p partial): which requests deserve a refusal, learnt beyond the guard
 *   DENSE block (64)       the guard's signals: response-head probabilities (refused, complied,
 *                          deflected, partial), the response's own topic score and level, the
 *                          prompt's level, each crossed with the prompt's action
 *
 * The hashed blocks keep the classifier's L2 norm (1 per block); dense signals lie in [0, 1].
 */

export const IN_DIM = FEATURE_DIM + 128;
export const COND_BASE = IN_DIM;
export const TOPIC_BASE = COND_BASE + 3 * FEATURE_DIM;
export const PROMPTX_BASE = TOPIC_BASE + FEATURE_DIM;
export const DENSE_BASE = PROMPTX_BASE + FEATURE_DIM;
export const DENSE_SLOTS = 64;
export const RM_DIM = DENSE_BASE + DENSE_SLOTS;
export const RM_FEATURES_VERSION = 2;
const MASK = FEATURE_DIM - 1;
/** A plain local copy (re-exported bindings can be accessor calls when run from sources). */
const FDIM: number = FEATURE_DIM;
const TOPIC_WEIGHT = 0.7;
const PROMPTX_WEIGHT = 0.7;
const SALT_REFUSE = 0x5bd1e995;
const SALT_COMPLY = 0x27d4eb2f;

/** What the guard says about a prompt (computed once per prompt and reused for its responses). */
export interface PromptSignals {
  topic: string | null;
  level: Level;
  levelScores: number[];
  /** The strictest ladder action of the policies covering the topic at that level (public tier, no context). */
  action: Action;
  /** 0 allow/redact, 1 deflect, 2 refuse. */
  actionIndex: 0 | 1 | 2;
  topicHash: number;
  /** The prompt's hashed n-grams (for the prompt × response block). */
  x: SparseVector;
}

/** What the guard says about a response. */
export interface ResponseSignals {
  /** refused, complied, deflected, partial probabilities (RESPONSE_LABELS order). */
  response: number[];
  label: (typeof RESPONSE_LABELS)[number];
  topic: string | null;
  topicScore: number;
  level: Level;
  levelScores: number[];
}

export interface PairFeatures {
  x: SparseVector;
  prompt: PromptSignals;
  response: ResponseSignals;
}

function strHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return fmix(h >>> 0);
}

const argmax = (p: ArrayLike<number>): number => {
  let b = 0;
  for (let i = 1; i < p.length; i++) if (p[i]! > p[b]!) b = i;
  return b;
};

/**
 * All three guard heads (topic, level, response) from one pass over a text's features
 * (`LinearModel.logitsAll`), each softmaxed with its own temperature.
 */
class FusedHeads {
  private readonly heads: { name: 'topic' | 'level' | 'response'; offset: number; k: number; temperature: number }[];

  constructor(private readonly m: LinearModel) {
    this.heads = (['topic', 'level', 'response'] as const).map((name) => {
      const { info, offset } = m.head(name);
      return { name, offset, k: info.classes.length, temperature: info.temperature };
    });
  }

  probs(x: SparseVector): Record<'topic' | 'level' | 'response', Float64Array> {
    const all = this.m.logitsAll(x);
    const res = {} as Record<'topic' | 'level' | 'response', Float64Array>;
    for (const h of this.heads) {
      const z = all.subarray(h.offset, h.offset + h.k);
      softmaxInPlace(z, h.temperature);
      res[h.name] = z;
    }
    return res;
  }
}

export class RewardFeaturizer {
  private readonly fused: FusedHeads;
  private readonly topicClasses: string[];
  private readonly responseClasses: string[];
  private readonly ladder = new Map<string, Action[]>();

  constructor(
    readonly guardModel: LinearModel,
    readonly pack: PolicyPack,
  ) {
    this.fused = new FusedHeads(guardModel);
    this.topicClasses = guardModel.head('topic').info.classes;
    this.responseClasses = guardModel.head('response').info.classes;
    for (const p of pack.policies) {
      const prev = this.ladder.get(p.topic);
      const acts = ([0, 1, 2, 3] as Level[]).map((l) => actionAt(p, l));
      this.ladder.set(p.topic, prev ? prev.map((a, i) => (STRICTNESS[acts[i]!] > STRICTNESS[a] ? acts[i]! : a)) : acts);
    }
  }

  /** The ladder's action for a topic at a level (allow when no policy covers it). */
  actionFor(topic: string | null, level: Level): Action {
    if (topic === null) return 'allow';
    return this.ladder.get(topic)?.[level] ?? 'allow';
  }

  private topicOf(tp: Float64Array): { topic: string | null; score: number } {
    const noneIdx = this.topicClasses.indexOf(NONE);
    const score = noneIdx >= 0 ? 1 - tp[noneIdx]! : 1;
    let best = -1;
    for (let c = 0; c < tp.length; c++) if (c !== noneIdx && (best < 0 || tp[c]! > tp[best]!)) best = c;
    const topic = best >= 0 && score >= this.guardModel.meta.threshold ? this.topicClasses[best]! : null;
    return { topic, score };
  }

  promptSignals(prompt: string): PromptSignals {
    const px = this.guardModel.features(prompt);
    const p = this.fused.probs(px);
    const { topic } = this.topicOf(p.topic);
    const lp = Array.from(p.level);
    const level = (topic === null ? 0 : argmax(lp)) as Level;
    const action = this.actionFor(topic, level);
    const actionIndex = action === 'refuse' ? 2 : action === 'deflect' ? 1 : 0;
    let n = 0;
    for (let j = 0; j < px.indices.length; j++) if (px.indices[j]! < FDIM) n++;
    const x: SparseVector = { indices: new Uint32Array(n), values: new Float32Array(n) };
    for (let j = 0, k = 0; j < px.indices.length; j++) {
      if (px.indices[j]! >= FDIM) continue;
      x.indices[k] = px.indices[j]!;
      x.values[k++] = px.values[j]!;
    }
    return { topic, level, levelScores: lp, action, actionIndex, topicHash: strHash(topic ?? NONE), x };
  }

  /** Guard signals of a response from its (already computed) classifier features. */
  responseSignals(rx: SparseVector): ResponseSignals {
    const p = this.fused.probs(rx);
    const rp = p.response;
    const response = RESPONSE_LABELS.map((l) => {
      const i = this.responseClasses.indexOf(l);
      return i >= 0 ? rp[i]! : 0;
    });
    const { topic, score } = this.topicOf(p.topic);
    const levelScores = Array.from(p.level);
    return { response, label: RESPONSE_LABELS[argmax(response)]!, topic, topicScore: score, level: argmax(levelScores) as Level, levelScores };
  }

  /** Features of a response to a prompt whose signals are known. */
  pair(ps: PromptSignals, response: string): PairFeatures {
    const rx = this.guardModel.features(response);
    const rs = this.responseSignals(rx);
    const n = rx.indices.length;
    let hashed = 0;
    for (let j = 0; j < n; j++) if (rx.indices[j]! < FDIM) hashed++;
    const pn = ps.x.indices.length;
    const indices = new Uint32Array(n + 2 * hashed + 2 * pn + DENSE_SLOTS);
    const values = new Float32Array(indices.length);
    let k = 0;
    const cond = COND_BASE + ps.actionIndex * FDIM;
    for (let j = 0; j < n; j++) {
      const idx = rx.indices[j]!;
      const v = rx.values[j]!;
      indices[k] = idx;
      values[k++] = v;
      if (idx >= FDIM) continue;
      indices[k] = cond + idx;
      values[k++] = v;
      indices[k] = TOPIC_BASE + (fmix(idx ^ ps.topicHash) & MASK);
      values[k++] = v * TOPIC_WEIGHT;
    }
    // Prompt × response: the prompt's n-grams, weighted by the response's refusal and compliance mass.
    const refuseMass = (rs.response[0]! + rs.response[2]!) * PROMPTX_WEIGHT;
    const complyMass = (rs.response[1]! + rs.response[3]!) * PROMPTX_WEIGHT;
    for (let j = 0; j < pn; j++) {
      const pi = ps.x.indices[j]!;
      const pv = ps.x.values[j]!;
      indices[k] = PROMPTX_BASE + (fmix(pi ^ SALT_REFUSE) & MASK);
      values[k++] = pv * refuseMass;
      indices[k] = PROMPTX_BASE + (fmix(pi ^ SALT_COMPLY) & MASK);
      values[k++] = pv * complyMass;
    }
    // Dense guard signals, crossed with the prompt's action (a = 0, 1, 2): 3 × 16 slots + 16 shared.
    const a = ps.actionIndex;
    const d = (slot: number, v: number): void => {
      indices[k] = DENSE_BASE + slot;
      values[k++] = v;
    };
    const base = a * 16;
    for (let i = 0; i < 4; i++) d(base + i, rs.response[i]!);
    for (let i = 0; i < 4; i++) d(base + 4 + i, rs.topic === null ? 0 : (rs.levelScores[i] ?? 0) * rs.topicScore);
    d(base + 8, rs.topicScore);
    d(base + 9, 1);
    d(base + 10, rs.topic !== null && rs.topic === ps.topic ? 1 : 0);
    d(base + 11, Math.min(1, Math.log1p(response.length) / 8));
    d(base + 12, rs.topic !== null && this.actionFor(rs.topic, rs.level) === 'refuse' ? rs.topicScore : 0);
    d(base + 13, rs.response[0]! * (ps.levelScores[3] ?? 0));
    d(base + 14, rs.response[1]! * (ps.levelScores[3] ?? 0));
    d(base + 15, rs.response[2]! * (ps.levelScores[2] ?? 0));
    // Shared slots: prompt level × response label (16).
    for (let l = 0; l < 4; l++) for (let r = 0; r < 4; r++) d(48 + l * 4 + r, (ps.levelScores[l] ?? 0) * rs.response[r]!);
    return { x: k === indices.length ? { indices, values } : { indices: indices.subarray(0, k), values: values.subarray(0, k) }, prompt: ps, response: rs };
  }
}
