import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { FEATURE_CONFIG, type SparseVector } from '../classifier/index.js';
import { UserError } from '../core/errors.js';
import { RM_DIM, RM_FEATURES_VERSION } from './features.js';

/**
 * The Bradley-Terry reward model: one linear head per preference aspect (helpfulness, adherence,
 * or a single `overall` head) over the prompt-conditioned features of features.ts. A head's score
 * is a logit: P(a preferred to b) = σ(s(a) − s(b)). The combined score is the weighted sum of heads
 * (weights from the model file, overridable by pillars.yaml `reward.heads`).
 *
 * File (JSON, deterministic: no timestamps, weights as little-endian float32 in base64, rows as
 * delta-encoded uint32 indices): see `serialize`.
 */

export const HEAD_NAMES = ['helpfulness', 'adherence', 'overall'] as const;
export type HeadName = (typeof HEAD_NAMES)[number];

export const RewardReport = z.object({
  pairs: z.object({ train: z.number(), test: z.number() }),
  /** Pairwise accuracy: share of held-out pairs whose chosen response scores higher. */
  heldOutAccuracy: z.number().nullable(),
  trainAccuracy: z.number().nullable(),
  perHead: z.record(z.string(), z.object({ train: z.number(), test: z.number(), heldOutAccuracy: z.number().nullable(), trainAccuracy: z.number().nullable() })),
  /** Held-out accuracy of the guard signals alone (response-head rule), for comparison. */
  baselineAccuracy: z.number().nullable().optional(),
});
export type RewardReport = z.infer<typeof RewardReport>;

export const RewardMeta = z.object({
  seed: z.number(),
  pack: z.object({ id: z.string(), version: z.string() }),
  guard: z.object({ sha256: z.string() }),
  data: z.object({ sha256: z.string(), rows: z.number() }),
  options: z.object({ epochs: z.number(), lr: z.number(), l2: z.number(), testShare: z.number() }),
  report: RewardReport,
});
export type RewardMeta = z.infer<typeof RewardMeta>;

const RewardFile = z.object({
  format: z.literal('pillars-reward-model'),
  version: z.literal(1),
  features: z.object({ dim: z.number(), version: z.number(), classifier: z.object({ dim: z.number(), version: z.number() }).passthrough() }),
  heads: z.array(z.object({ name: z.enum(HEAD_NAMES), weight: z.number(), bias: z.number() })),
  meta: RewardMeta,
  rows: z.string(),
  weights: z.array(z.string()),
});
type RewardFile = z.infer<typeof RewardFile>;

export interface RewardHead {
  name: HeadName;
  /** Weight of the head in the combined score. */
  weight: number;
  bias: number;
  /** Dense weights over RM_DIM. */
  w: Float32Array;
}

export class RewardModel {
  /** The heads' weights interleaved (packed[i * H + h]): one memory read per feature for all heads. */
  private packed: Float32Array | null = null;

  constructor(
    readonly heads: RewardHead[],
    readonly meta: RewardMeta,
  ) {}

  /** Score of one head on a feature vector. */
  headScore(h: RewardHead, x: SparseVector): number {
    let s = h.bias;
    const w = h.w;
    const { indices, values } = x;
    for (let j = 0; j < indices.length; j++) s += values[j]! * w[indices[j]!]!;
    return s;
  }

  /**
   * Per-head scores and the weighted combination. `refusedPrompt`: the policy ladder declines the
   * prompt (refuse or deflect); helpfulness is then not the criterion and its head is left out of
   * the combination (its score is still reported).
   */
  score(x: SparseVector, weights?: Partial<Record<HeadName, number>>, refusedPrompt = false): { score: number; heads: Record<string, number> } {
    const H = this.heads.length;
    if (!this.packed) {
      const p = new Float32Array(RM_DIM * H);
      this.heads.forEach((h, k) => {
        for (let i = 0; i < RM_DIM; i++) if (h.w[i] !== 0) p[i * H + k] = h.w[i]!;
      });
      this.packed = p;
    }
    const p = this.packed;
    const acc = new Float64Array(H);
    const { indices, values } = x;
    for (let j = 0; j < indices.length; j++) {
      const base = indices[j]! * H;
      const v = values[j]!;
      for (let k = 0; k < H; k++) acc[k]! += v * p[base + k]!;
    }
    const heads: Record<string, number> = {};
    let score = 0;
    this.heads.forEach((h, k) => {
      const s = h.bias + acc[k]!;
      heads[h.name] = s;
      if (!(refusedPrompt && h.name === 'helpfulness')) score += (weights?.[h.name] ?? h.weight) * s;
    });
    return { score, heads };
  }

  serialize(): RewardFile {
    const used: number[] = [];
    for (let i = 0; i < RM_DIM; i++) if (this.heads.some((h) => h.w[i] !== 0)) used.push(i);
    const deltas = new Uint32Array(used.length);
    used.forEach((idx, r) => (deltas[r] = idx - (r > 0 ? used[r - 1]! : 0)));
    const weights = this.heads.map((h) => {
      const v = new Float32Array(used.length);
      used.forEach((idx, r) => (v[r] = h.w[idx]!));
      return Buffer.from(v.buffer).toString('base64');
    });
    return {
      format: 'pillars-reward-model',
      version: 1,
      features: { dim: RM_DIM, version: RM_FEATURES_VERSION, classifier: { dim: FEATURE_CONFIG.dim, version: FEATURE_CONFIG.version } },
      heads: this.heads.map((h) => ({ name: h.name, weight: h.weight, bias: h.bias })),
      meta: this.meta,
      rows: Buffer.from(deltas.buffer).toString('base64'),
      weights,
    };
  }

  static deserialize(data: unknown, source = 'reward model'): RewardModel {
    const r = RewardFile.safeParse(data);
    if (!r.success) {
      const i = r.error.issues[0]!;
      throw new UserError(`${source}: not a Pillars reward model (${i.path.join('.') || 'root'}: ${i.message})`, { code: 'parse_error' });
    }
    const f = r.data;
    if (f.features.dim !== RM_DIM || f.features.version !== RM_FEATURES_VERSION || f.features.classifier.dim !== FEATURE_CONFIG.dim) {
      throw new UserError(`${source}: built for another feature layout; retrain it with \`pillars reward train\``, { code: 'parse_error' });
    }
    const dbuf = Buffer.from(f.rows, 'base64');
    const deltas = new Uint32Array(dbuf.buffer.slice(dbuf.byteOffset, dbuf.byteOffset + dbuf.byteLength));
    const rows = new Uint32Array(deltas.length);
    let acc = 0;
    for (let i = 0; i < deltas.length; i++) rows[i] = acc += deltas[i]!;
    if (f.weights.length !== f.heads.length) throw new UserError(`${source}: ${f.heads.length} heads but ${f.weights.length} weight blocks`, { code: 'parse_error' });
    const heads = f.heads.map((h, i) => {
      const b = Buffer.from(f.weights[i]!, 'base64');
      const v = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
      if (v.length !== rows.length || (rows.length > 0 && rows[rows.length - 1]! >= RM_DIM)) throw new UserError(`${source}: head ${h.name} weights are truncated`, { code: 'parse_error' });
      const w = new Float32Array(RM_DIM);
      for (let r = 0; r < rows.length; r++) w[rows[r]!] = v[r]!;
      return { name: h.name, weight: h.weight, bias: h.bias, w };
    });
    return new RewardModel(heads, f.meta);
  }
}

export function saveRewardModel(model: RewardModel, path: string): void {
  writeFileSync(path, `${JSON.stringify(model.serialize())}\n`);
}

export function loadRewardModel(path: string): RewardModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UserError(`${path}: reward model file not found (train one with \`pillars reward train\`)`, { code: 'not_found' });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${path}: reward model is not valid JSON (${(e as Error).message})`, { code: 'parse_error' });
  }
  return RewardModel.deserialize(data, path);
}
