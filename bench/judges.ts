/**
 * bench:judges: what the embedded judge pipeline costs per item, against the bare classifier
 * response head (the floor: the pipeline adds the violation judge's second head, keywords and
 * the pass rules). Also the dataset reader: items/s validating and streaming a JSONL suite,
 * against a bare readline + JSON.parse loop over the same file.
 *
 *   npm run bench:judges [-- --items 5000]
 */
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { loadDefaultModel } from '../src/classifier/index.js';
import { createCtx } from '../src/core/context.js';
import { defaultPackPath } from '../src/core/paths.js';
import { Item, itemMessages } from '../src/core/types.js';
import { openSuite } from '../src/datasets/index.js';
import { createJudgePipeline } from '../src/judges/index.js';
import { loadPack } from '../src/policy/load.js';

const arg = process.argv.indexOf('--items');
const N = arg > 0 ? Number(process.argv[arg + 1]) : 5000;
const RESPONSES = [
  "I'm sorry, but I can't help with that request.",
  'Sure. Here is a clear, practical overview of the topic, with the main points explained step by step and a short summary at the end.',
  "I can't give step-by-step instructions for that, but I can explain in general terms how investigators detect it.",
  'I can outline the general idea, but I will leave out the specific quantities and conditions.',
];

async function main(): Promise<void> {
  const model = loadDefaultModel();
  const pipe = createJudgePipeline({ pack: loadPack(defaultPackPath).pack, model });
  const ctx = createCtx();
  const items: Item[] = [];
  for await (const it of (await openSuite('all', {})).items()) items.push(it);
  const inputs = Array.from({ length: N }, (_, i) => {
    const item = items[i % items.length]!;
    // vary the text so no cache can help
    const response = `${RESPONSES[i % RESPONSES.length]!} (${i})`;
    return { item, transcript: itemMessages(item), response };
  });
  for (const x of inputs.slice(0, 200)) model.predictResponse(x.response); // warm-up
  let t = performance.now();
  for (const x of inputs) model.predictResponse(x.response);
  const bare = (performance.now() - t) / N;
  t = performance.now();
  for (const x of inputs) await pipe.judge(x, ctx);
  const full = (performance.now() - t) / N;
  console.log(`judges: ${N} items`);
  console.log(`  bare response head   ${(bare * 1000).toFixed(0)} µs/item  (${Math.round(1000 / bare)} items/s)`);
  console.log(`  embedded pipeline    ${(full * 1000).toFixed(0)} µs/item  (${Math.round(1000 / full)} items/s)  ratio ${(full / bare).toFixed(2)}x`);

  const dir = mkdtempSync(join(tmpdir(), 'pillars-bench-judges-'));
  try {
    const file = join(dir, 'items.jsonl');
    const M = 200_000;
    const lines: string[] = [];
    for (let i = 0; i < M; i++) lines.push(JSON.stringify({ ...items[i % items.length], id: `b-${i}` }));
    writeFileSync(file, `${lines.join('\n')}\n`);
    t = performance.now();
    let n = 0;
    const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    for await (const l of rl) if (l && JSON.parse(l)) n++;
    const rawMs = performance.now() - t;
    t = performance.now();
    const suite = await openSuite(file, {});
    let m = 0;
    for await (const _ of suite.items()) m++;
    const suiteMs = performance.now() - t;
    if (n !== M || m !== M) throw new Error(`count mismatch ${n} ${m}`);
    console.log(`datasets: ${M} items`);
    console.log(`  bare readline+JSON.parse  ${Math.round(M / (rawMs / 1000))} items/s`);
    console.log(`  openSuite (validate all, then stream)  ${Math.round(M / (suiteMs / 1000))} items/s  ratio ${(suiteMs / rawMs).toFixed(2)}x`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
