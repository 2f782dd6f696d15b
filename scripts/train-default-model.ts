/**
 * Train the shipped default guard model from the built-in pack (policies/default; rows marked
 * `split: test` are held out) and write models/guard-default.json. Prints the held-out figures.
 *   npx tsx scripts/train-default-model.ts [--seed N] [--out FILE]
 */
import { statSync } from 'node:fs';
import { defaultModelPath, saveModel, trainModel } from '../src/classifier/index.js';
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

const { pack } = loadPack(defaultPackPath);
const t0 = performance.now();
const model = trainModel({ pack, seed });
const trainMs = performance.now() - t0;
const guardFigures = evaluateGuard({ pack, model, split: 'test' });
model.meta.report.guardHeldOut = guardFigures;
saveModel(model, out);
const size = statSync(out).size;
process.stdout.write(
  `${JSON.stringify({ out, bytes: size, trainMs: Math.round(trainMs), counts: model.meta.counts, report: model.meta.report }, null, 2)}\n`,
);
