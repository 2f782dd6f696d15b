import { sha256 } from '../core/hash.js';
import { LinearModel, type ClassifierModel } from '../classifier/index.js';

/**
 * A stable identity for a classifier model: the sha256 of the model as `pillars guard train` /
 * `saveModel` writes it (so for a model file written by Pillars it equals `sha256sum FILE`). It is
 * computed once per model object, on first use (about 30 ms for the shipped model), and is part of
 * every cache key of answers the guard shaped (guard targets, `guard: true` compositions).
 *
 * A model that is not a `LinearModel` (a custom `ClassifierModel`) has no serialized form: it gets
 * a name that is unique to the object in this process, so nothing it decided is ever reused from
 * a cache by another model. Pass `modelHash` to `createGuard` to name such a model yourself.
 */

const hashes = new WeakMap<object, string>();
let anonymous = 0;

export function modelHash(model: ClassifierModel): string {
  const hit = hashes.get(model);
  if (hit !== undefined) return hit;
  const h =
    model instanceof LinearModel
      ? sha256(`${JSON.stringify(model.serialize())}\n`)
      : `unhashed-${process.pid}-${++anonymous}-${Date.now().toString(36)}`;
  hashes.set(model, h);
  return h;
}

/** What, besides the model, shapes a guard's decisions. */
export interface GuardIdentity {
  band: [number, number] | null;
  failClosed: boolean;
  /** PII types redacted; null for the default list. */
  redact: readonly string[] | null;
  /** The cascade's target fingerprint and settings, when there is a cascade. */
  cascade: { target: string; budgetMs: number; band: [number, number] | null } | null;
  /** Stage 2 (sentence encoder) settings, when it is on. */
  stage2?: { budgetMs: number; band: [number, number]; head: string } | null;
}


/**
 * `guard#<16 hex>` from the pack, the model's hash and the settings: part of the fingerprint
 * (hence the response-cache key) of every target the guard shapes.
 */
export function guardFingerprint(pack: unknown, model: string, id: GuardIdentity): string {
  const all = { pack: sha256(JSON.stringify(pack)), model, ...id, redact: id.redact ? [...id.redact].sort() : null };
  return `guard#${sha256(JSON.stringify(all)).slice(0, 16)}`;
}
