/**
 * Held-out figures of the guard trained on this data: trains on `split: train` only (as the
 * engine does), then scores the `split: test` rows by slice. A data-quality check for whoever
 * edits the seeds; the product benchmark is `npm run bench:guard`.
 *
 *   npx tsx scripts/data/heldout.ts [PACK_DIR]
 */
import { join } from 'node:path';
import { collectRows, evaluateHeldOut, trainModel, type PromptRow } from '../../src/classifier/index.js';
import { evaluateGuard } from '../../src/guard/index.js';
import { scoreRows } from '../../src/guard/evaluate.js';
import { loadPack } from '../../src/policy/load.js';

const dir = process.argv[2] ?? join(import.meta.dirname, '..', '..', 'policies', 'default');
const { pack } = loadPack(dir);
const t0 = performance.now();
const model = trainModel({ pack, seed: 1 });
console.log(`trained in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const { prompts, responses } = collectRows(pack);
const test = prompts.filter((r) => r.split === 'test');
console.log('heads (held out):', JSON.stringify(evaluateHeldOut(model, test, responses.filter((r) => r.split === 'test'))));
const all = evaluateGuard({ pack, model });
console.log(`guard (held out, public tier): n=${all.n} precision=${all.precision} recall=${all.recall} f1=${all.f1} over_refusal=${all.over_refusal_rate} topic_acc=${all.topic_accuracy} level_acc=${all.level_accuracy}`);
const slice = (name: string, rows: PromptRow[]): void => {
  const f = scoreRows(pack, model, rows);
  console.log(`  ${name.padEnd(22)} n=${String(f.n).padStart(4)} f1=${f.f1} recall=${f.recall} over_refusal=${f.over_refusal_rate} topic_acc=${f.topic_accuracy} level_acc=${f.level_accuracy}`);
};
slice('english', test.filter((r) => r.lang === 'en'));
slice('non-english', test.filter((r) => r.lang !== 'en'));
for (const lang of [...new Set(test.map((r) => r.lang))].filter((l) => l !== 'en').sort()) slice(`  ${lang}`, test.filter((r) => r.lang === lang));
slice('adversarial', test.filter((r) => r.tags?.includes('adversarial')));
slice('professional', test.filter((r) => r.tags?.includes('professional')));
slice('benign look-alikes', test.filter((r) => r.topic === null && !r.tags?.includes('general')));
slice('general text', test.filter((r) => r.tags?.includes('general')));
