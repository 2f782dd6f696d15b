import { readFileSync, writeFileSync } from 'node:fs';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
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
 * File (JSON, deterministic: no timestamps): every head's weights as int8 (one scale per head),
 * interleaved and raw-deflated, in base64 (`serialize`). Loading is one inflate, no decoding loop,
 * so it stays well under 200 ms (`npm run bench:reward`). Training puts the weights on the int8
 * grid before measuring accuracy, so the file holds exactly the model that was measured.
 */

/** Round weights to the int8 grid of their largest magnitude (in place); returns the scale. */
export function quantizeWeights(w: Float32Array): number {
  let max = 0;
  for (let i = 0; i < w.length; i++) max = Math.max(max, Math.abs(w[i]!));
  const scale = Math.fround(max > 0 ? max / 127 : 1);
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) w[i] = Math.fround(Math.round(w[i]! / scale) * scale);
  return scale;
}

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
  /** The same per source of the pairs (our file, each public preference file, each derived set). */
  bySource: z.record(z.string(), z.object({ train: z.number(), test: z.number(), heldOutAccuracy: z.number().nullable(), trainAccuracy: z.number().nullable() })).optional(),
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
  /** 1: float32 weights of the used rows (uint32 row deltas); 2: every head's int8 weights interleaved, raw-deflated. */
  version: z.union([z.literal(1), z.literal(2)]),
  features: z.object({ dim: z.number(), version: z.number(), classifier: z.object({ dim: z.number(), version: z.number() }).passthrough() }),
  heads: z.array(z.object({ name: z.enum(HEAD_NAMES), weight: z.number(), bias: z.number(), scale: z.number().positive().optional() })),
  meta: RewardMeta,
  /** Version 1 only. */
  rows: z.string().optional(),
  weights: z.array(z.string()).optional(),
  /** Version 2: base64 of the raw-deflated int8 array packed[i * H + h]. */
  packed: z.string().optional(),
});
type RewardFile = z.infer<typeof RewardFile>;

export interface RewardHead {
  name: HeadName;
  /** Weight of the head in the combined score. */
  weight: number;
  bias: number;
  /** The int8 step of the head's weights: weight = scale × packed value. */
  scale: number;
}

/** A head as training produces it: dense float weights (already on the int8 grid, see `quantizeWeights`). */
export interface DenseHead extends Omit<RewardHead, 'scale'> {
  scale?: number;
  w: Float32Array;
}

export class RewardModel {
  /**
   * @param packed every head's int8 weights interleaved (packed[i * H + h]): one memory read per
   *   feature for all heads, and the file's bytes as they are (no decoding loop at load).
   * @param notes what loading found that still lets the model score (e.g. the classifier's feature
   *   version moved since training).
   */
  constructor(
    readonly heads: RewardHead[],
    readonly meta: RewardMeta,
    private readonly packed: Int8Array,
    readonly notes: string[] = [],
  ) {
    if (packed.length !== RM_DIM * heads.length) throw new Error(`reward model: ${packed.length} packed weights for ${heads.length} head(s) of ${RM_DIM}`);
  }

  /** A model from dense float heads (training): each head is put on its int8 grid. */
  static fromDense(heads: DenseHead[], meta: RewardMeta): RewardModel {
    const H = heads.length;
    const packed = new Int8Array(RM_DIM * H);
    const out: RewardHead[] = heads.map((h, k) => {
      const scale = h.scale ?? quantizeWeights(Float32Array.from(h.w));
      for (let i = 0; i < RM_DIM; i++) if (h.w[i] !== 0) packed[i * H + k] = Math.max(-127, Math.min(127, Math.round(h.w[i]! / scale)));
      return { name: h.name, weight: h.weight, bias: h.bias, scale };
    });
    return new RewardModel(out, meta, packed);
  }

  /** Per-head raw sums Σ value × int8 weight. */
  private sums(x: SparseVector): Float64Array {
    const H = this.heads.length;
    const p = this.packed;
    const acc = new Float64Array(H);
    const { indices, values } = x;
    for (let j = 0; j < indices.length; j++) {
      const base = indices[j]! * H;
      const v = values[j]!;
      for (let k = 0; k < H; k++) acc[k]! += v * p[base + k]!;
    }
    return acc;
  }

  /** Score of one head on a feature vector. */
  headScore(h: RewardHead, x: SparseVector): number {
    const k = this.heads.indexOf(h);
    return h.bias + h.scale * this.sums(x)[k]!;
  }

  /**
   * Per-head scores and the weighted combination. `refusedPrompt`: the policy ladder declines the
   * prompt (refuse or deflect); helpfulness is then not the criterion and its head is left out of
   * the combination (its score is still reported).
   */
  score(x: SparseVector, weights?: Partial<Record<HeadName, number>>, refusedPrompt = false): { score: number; heads: Record<string, number> } {
    const acc = this.sums(x);
    const heads: Record<string, number> = {};
    let score = 0;
    this.heads.forEach((h, k) => {
      const s = h.bias + h.scale * acc[k]!;
      heads[h.name] = s;
      if (!(refusedPrompt && h.name === 'helpfulness')) score += (weights?.[h.name] ?? h.weight) * s;
    });
    return { score, heads };
  }

  serialize(): RewardFile {
    return {
      format: 'pillars-reward-model',
      version: 2,
      features: { dim: RM_DIM, version: RM_FEATURES_VERSION, classifier: { dim: FEATURE_CONFIG.dim, version: FEATURE_CONFIG.version } },
      heads: this.heads.map((h) => ({ name: h.name, weight: h.weight, bias: h.bias, scale: h.scale })),
      meta: this.meta,
      packed: deflateRawSync(Buffer.from(this.packed.buffer, this.packed.byteOffset, this.packed.byteLength), { level: 9 }).toString('base64'),
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
    // Same layout, another featurization version of the classifier: it still scores, less well.
    const notes = f.features.classifier.version === FEATURE_CONFIG.version ? [] : [`${source} was trained on classifier features version ${f.features.classifier.version}, the classifier now has version ${FEATURE_CONFIG.version}: retrain it`];
    if (f.version === 2) {
      let raw: Buffer;
      try {
        raw = inflateRawSync(Buffer.from(f.packed ?? '', 'base64'));
      } catch (e) {
        throw new UserError(`${source}: packed weights are damaged (${(e as Error).message})`, { code: 'parse_error' });
      }
      if (raw.byteLength !== RM_DIM * f.heads.length) throw new UserError(`${source}: packed weights are truncated`, { code: 'parse_error' });
      const heads = f.heads.map((h) => ({ name: h.name, weight: h.weight, bias: h.bias, scale: h.scale ?? 1 }));
      return new RewardModel(heads, f.meta, new Int8Array(raw.buffer, raw.byteOffset, raw.byteLength), notes);
    }
    // Version 1 (float32 rows): read, then put on the int8 grid.
    const dbuf = Buffer.from(f.rows ?? '', 'base64');
    const deltas = new Uint32Array(dbuf.buffer.slice(dbuf.byteOffset, dbuf.byteOffset + dbuf.byteLength));
    const rows = new Uint32Array(deltas.length);
    let acc = 0;
    for (let i = 0; i < deltas.length; i++) rows[i] = acc += deltas[i]!;
    const blocks = f.weights ?? [];
    if (blocks.length !== f.heads.length) throw new UserError(`${source}: ${f.heads.length} heads but ${blocks.length} weight blocks`, { code: 'parse_error' });
    const heads = f.heads.map((h, i) => {
      const b = Buffer.from(blocks[i]!, 'base64');
      const v = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
      if (v.length !== rows.length || (rows.length > 0 && rows[rows.length - 1]! >= RM_DIM)) throw new UserError(`${source}: head ${h.name} weights are truncated`, { code: 'parse_error' });
      const w = new Float32Array(RM_DIM);
      for (let r = 0; r < rows.length; r++) w[rows[r]!] = v[r]!;
      return { name: h.name, weight: h.weight, bias: h.bias, w };
    });
    const m = RewardModel.fromDense(heads, f.meta);
    return new RewardModel(m.heads, m.meta, m.packed, notes);
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
