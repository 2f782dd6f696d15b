import { sharedEncoder } from '../classifier/index.js';
import { featurize, type SparseVector } from '../classifier/index.js';
import type { Ctx, Target } from '../core/types.js';
import type { ScopeDef } from '../policy/schema.js';
import { askWithin } from './judge.js';

/**
 * Scope: does a request fit what an assistant is for? The request is compared with the scope's
 * description and examples and with its out-of-scope examples (nearest neighbour, cosine), by the
 * sentence encoder (USE-lite, the guard's stage 2; default) or by the classifier's hashed
 * features (`lexical`: no weights to load). Clearly in or clearly out is decided here; the band
 * between goes to the LLM judge when one is configured, else to the middle threshold.
 */

export type Embedder = (texts: readonly string[]) => Promise<Float32Array[]>;

export interface ScopeVerdict {
  scope: string;
  inScope: boolean;
  /** Highest similarity to the description or an in-scope example. */
  similarity: number;
  /** Highest similarity to an out-of-scope example (0 without any). */
  outSimilarity: number;
  nearest: string;
  stage: 'embedded' | 'cascade';
  reason: string;
  ms: number;
}

export interface ScopeScorerOptions {
  /** `encoder` (default) or `lexical`. */
  embedder?: 'encoder' | 'lexical' | Embedder;
  /** [out below, in at or above]: between is unsure. */
  band?: [number, number];
  judge?: { target: Target; budgetMs: number };
}

export interface ScopeScorer {
  readonly scope: ScopeDef;
  warm(): Promise<void>;
  check(text: string, ctx: Ctx): Promise<ScopeVerdict>;
}

/** Encoder band, set on the scope test pack (test/grounding/scope.test.ts). */
export const ENCODER_BAND: [number, number] = [0.35, 0.6];
export const LEXICAL_BAND: [number, number] = [0.12, 0.35];

function dense(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/** Hashed features as a dense-free cosine (sparse vectors are L2-normalised). */
function sparseCos(a: SparseVector, b: SparseVector): number {
  const m = new Map<number, number>();
  for (let i = 0; i < a.indices.length; i++) m.set(a.indices[i]!, a.values[i]!);
  let dot = 0;
  for (let i = 0; i < b.indices.length; i++) dot += (m.get(b.indices[i]!) ?? 0) * b.values[i]!;
  return dot;
}

export const SCOPE_RUBRIC = [
  'You decide whether a user request is within the scope of an assistant.',
  'Reply with JSON only: {"in_scope": true|false, "reason": "<one short sentence>"}.',
].join('\n');

export function scopePrompt(scope: ScopeDef, text: string): string {
  const ex = scope.examples.map((e) => `- ${e}`).join('\n');
  const out = scope.outOfScope.length ? `\nRequests it does not serve, for example:\n${scope.outOfScope.map((e) => `- ${e}`).join('\n')}` : '';
  return `The assistant is for: ${scope.description.trim()}\nRequests it serves, for example:\n${ex}${out}\n\nUser request: ${text.trim()}`;
}

export function createScopeScorer(scope: ScopeDef, opts: ScopeScorerOptions = {}): ScopeScorer {
  const kind = opts.embedder ?? 'encoder';
  const inTexts = [scope.description, ...scope.examples];
  const outTexts = scope.outOfScope;
  let similarities: ((text: string) => Promise<{ inSim: number; outSim: number; nearest: string }>) | null = null;
  const band = opts.band ?? (kind === 'lexical' ? LEXICAL_BAND : ENCODER_BAND);

  const build = async (): Promise<NonNullable<typeof similarities>> => {
    if (kind === 'lexical') {
      const iv = inTexts.map((t) => featurize(t));
      const ov = outTexts.map((t) => featurize(t));
      return async (text) => nearest(featurize(text), iv, ov, sparseCos);
    }
    const embed: Embedder = typeof kind === 'function' ? kind : (texts) => sharedEncoder().embed(texts);
    const [iv, ov] = [await embed(inTexts), outTexts.length ? await embed(outTexts) : []];
    return async (text) => nearest((await embed([text]))[0]!, iv, ov, dense);
  };
  const nearest = <V>(q: V, iv: V[], ov: V[], cos: (a: V, b: V) => number): { inSim: number; outSim: number; nearest: string } => {
    let inSim = -1;
    let near = '';
    iv.forEach((v, i) => {
      const c = cos(q, v);
      if (c > inSim) {
        inSim = c;
        near = inTexts[i]!;
      }
    });
    let outSim = 0;
    ov.forEach((v) => (outSim = Math.max(outSim, cos(q, v))));
    return { inSim, outSim, nearest: near };
  };

  return {
    scope,
    async warm() {
      similarities ??= await build();
    },
    async check(text, ctx) {
      const t0 = performance.now();
      similarities ??= await build();
      const { inSim, outSim, nearest: near } = await similarities(text);
      const base = { scope: scope.id, similarity: inSim, outSimilarity: outSim, nearest: near };
      // A request closer to an out-of-scope example than to anything in scope is out.
      const closerOut = outSim > inSim;
      if (!closerOut && inSim >= band[1]) return { ...base, inScope: true, stage: 'embedded', reason: `similar to "${near.slice(0, 80)}" (${inSim.toFixed(2)})`, ms: performance.now() - t0 };
      if (inSim < band[0] || (closerOut && outSim >= band[1])) return { ...base, inScope: false, stage: 'embedded', reason: closerOut ? `closer to an out-of-scope example (${outSim.toFixed(2)} > ${inSim.toFixed(2)})` : `unlike anything the assistant is for (${inSim.toFixed(2)} < ${band[0]})`, ms: performance.now() - t0 };
      if (opts.judge) {
        const r = await askWithin(opts.judge.target, SCOPE_RUBRIC, scopePrompt(scope, text), opts.judge.budgetMs, ctx);
        const m = r.text ? /"in_scope"\s*:\s*(true|false)/.exec(r.text) : null;
        if (m) return { ...base, inScope: m[1] === 'true', stage: 'cascade', reason: `judge ${opts.judge.target.id}: ${m[1] === 'true' ? 'in scope' : 'out of scope'}`, ms: performance.now() - t0 };
      }
      const mid = (band[0] + band[1]) / 2;
      const inScope = !closerOut && inSim >= mid;
      return { ...base, inScope, stage: 'embedded', reason: `unsure (${inSim.toFixed(2)}); ${inScope ? 'in' : 'out of'} scope at the middle of the band`, ms: performance.now() - t0 };
    },
  };
}
