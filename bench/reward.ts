/**
 * `npm run bench:reward`, for the shipped reward model (models/reward-default.json):
 *
 * 1. load time (wall and CPU, median of 5 cold loads) against a baseline measured in the same run:
 *    loading the guard model file, which every scoring process loads too; goal < 200 ms;
 * 2. held-out pairwise accuracy: our held-out pairs (goal >= 0.95) and, when ../shared/training is
 *    there, each public preference file's held-out split (by prompt, the seed and share the model was
 *    trained with; goal >= 0.75) and the pairs derived from labelled responses;
 * 3. throughput (scored responses per second) with the embedded feature engine, in-process (batched
 *    scoreSync) and over HTTP (POST /get_reward in the OpenRLHF shape, several requests in flight),
 *    against the classifier's featurization alone of the same responses (the floor any scoring pays);
 * 4. `pillars eval --tier quick` against a local OpenAI-compatible stub (the training-time check).
 *
 *   npm run bench:reward                       # all
 *   flags: --n N (responses, default 40000) --batch N (default 256) --http-concurrency N (default 4)
 *          --shared DIR (default ../shared/training) --skip-eval --skip-throughput
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createCtx } from '../src/core/context.js';
import { defaultModelPath, loadModel } from '../src/classifier/index.js';
import { defaultPackPath } from '../src/core/paths.js';
import { loadPack } from '../src/policy/load.js';
import {
  buildCorpus,
  builtinPrefsPath,
  createRewardScorer,
  createScorerPool,
  defaultRewardModelPath,
  guardDrift,
  guardForRewards,
  isHeldOut,
  loadRewardModel,
  pairwiseAccuracy,
  readPrefs,
  RewardFeaturizer,
  RewardSection,
  startRewardServer,
  type RewardItem,
} from '../src/rewards/index.js';
import { startOpenAIStub } from '../src/targets/testing/openai-stub.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name: string, def: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const N = opt('n', 40_000);
const BATCH = opt('batch', 256);
const HTTP_CONC = opt('http-concurrency', 4);
const THREADS = opt('threads', cpus().length);

const SHARED = (() => {
  const i = argv.indexOf('--shared');
  return i >= 0 ? argv[i + 1]! : join(ROOT, '..', 'shared', 'training');
})();

const pack = loadPack(defaultPackPath).pack;
const guard = guardForRewards();

// 1. Load time: median of 5 cold loads of each file (parse + build), wall and CPU.
const timeLoads = (load: () => unknown): { wall: number; cpu: number } => {
  const walls: number[] = [];
  const cpus_: number[] = [];
  for (let i = 0; i < 5; i++) {
    const c0 = process.cpuUsage();
    const t = performance.now();
    load();
    walls.push(performance.now() - t);
    const c = process.cpuUsage(c0);
    cpus_.push((c.user + c.system) / 1000);
  }
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[2]!;
  return { wall: med(walls), cpu: med(cpus_) };
};
const rmLoad = timeLoads(() => loadRewardModel(defaultRewardModelPath));
const guardLoad = timeLoads(() => loadModel(defaultModelPath));
const model = loadRewardModel(defaultRewardModelPath);
const report = model.meta.report;
const drift = guardDrift(model, guard, 'the shipped reward model');
const ms = (x: number): string => `${x.toFixed(0)} ms`;
process.stdout.write(`shipped reward model ${defaultRewardModelPath}: ${model.heads.map((h) => h.name).join(' + ')} heads, trained on ${report.pairs.train} pairs\n`);
process.stdout.write(`load: ${ms(rmLoad.wall)} wall, ${ms(rmLoad.cpu)} CPU (median of 5); baseline: the guard model file ${ms(guardLoad.wall)} wall, ${ms(guardLoad.cpu)} CPU (${(rmLoad.wall / guardLoad.wall).toFixed(2)}x); goal < 200 ms: ${rmLoad.wall < 200 ? 'met' : 'NOT met'}\n`);
if (drift) process.stdout.write(`warning: ${drift}\n`);

// 2. Held-out pairwise accuracy, recomputed now from the data (not read from the model file).
const feat = new RewardFeaturizer(guard.model, pack);
const { seed, testShare } = { seed: model.meta.seed, testShare: model.meta.options.testShare };
const hasShared = existsSync(join(SHARED, 'preferences'));
const parts = buildCorpus({ prefs: [{ file: builtinPrefsPath, source: 'ours' }], shared: hasShared ? SHARED : undefined, pack, seed, skipInvalid: true });
const goal = (src: string): number | null => (src === 'ours' ? 0.95 : src.startsWith('public:') ? 0.75 : null);
process.stdout.write(`\nheld-out pairwise accuracy (split by prompt, seed ${seed}, share ${testShare}; never trained on):\n`);
for (const p of parts) {
  const held = p.pairs.filter((x) => isHeldOut(x, seed, testShare));
  const acc = pairwiseAccuracy(model, feat, held);
  const g = goal(p.source);
  process.stdout.write(`  ${p.source.padEnd(36)} ${acc === null ? 'n/a' : `${(acc * 100).toFixed(1)}%`.padStart(6)} on ${String(held.length).padStart(4)} pairs${g === null ? '' : `  (goal >= ${g}: ${acc !== null && acc >= g ? 'met' : 'NOT met'})`}\n`);
}
if (!hasShared) process.stdout.write(`  (${SHARED} not found: public preference files skipped)\n`);
if (argv.includes('--skip-throughput')) process.exit(0);
process.stdout.write('\n');

const pairs = readPrefs(builtinPrefsPath);
// Responses: every response of our preference file, made distinct so nothing is cached; 4 per prompt (RLHF sampling shape).
const base: RewardItem[] = pairs.flatMap((p) => [
  { prompt: p.prompt, response: p.chosen },
  { prompt: p.prompt, response: p.rejected },
]);
const items: RewardItem[] = Array.from({ length: N }, (_, i) => {
  const b = base[i % base.length]!;
  const b4 = base[Math.floor(i / 4) % base.length]!;
  return { prompt: `${b4.prompt} (${Math.floor(i / 4)})`, response: `${b.response} [${i}]` };
});
const avgChars = items.reduce((a, x) => a + x.response.length, 0) / items.length;

const rate = (n: number, ms: number): string => `${Math.round((n / ms) * 1000).toLocaleString('en-US')}/s`;

process.stdout.write(`${N.toLocaleString('en-US')} responses (avg ${avgChars.toFixed(0)} chars), batches of ${BATCH} · node ${process.version} · ${cpus().length} CPU(s): ${cpus()[0]?.model ?? '?'}\n\n`);

// Warm up the JIT on a slice.
const scorer = createRewardScorer({ model, featurizer: feat, config: RewardSection.parse({}) });
for (let i = 0; i < 2000; i += BATCH) scorer.scoreSync(items.slice(i, i + BATCH));
for (let i = 0; i < 2000; i++) guard.model.features(items[i]!.response);

// Baseline: featurization alone.
let t0 = performance.now();
let sink = 0;
for (const it of items) sink += guard.model.features(it.response).indices.length;
const featMs = performance.now() - t0;

// In-process, batched.
t0 = performance.now();
let sum = 0;
for (let i = 0; i < items.length; i += BATCH) for (const r of scorer.scoreSync(items.slice(i, i + BATCH), { reasons: false })) sum += r.reward;
const inMs = performance.now() - t0;

// A pool of scoring threads (one per CPU), in-process.
const pool = await createScorerPool({ threads: THREADS, model, policyPath: defaultPackPath, guardModelPath: defaultModelPath, config: RewardSection.parse({}) });
await pool.score(items.slice(0, 4 * BATCH * THREADS), createCtx());
t0 = performance.now();
for (let i = 0; i < items.length; i += BATCH * THREADS) await pool.score(items.slice(i, i + BATCH * THREADS), createCtx(), { reasons: false });
const poolMs = performance.now() - t0;

await pool.close();

// Over HTTP: OpenRLHF /get_reward with the prompts list, HTTP_CONC requests in flight, served as
// `pillars reward serve` does by default (one scoring thread).
const srv = await startRewardServer({ scorer, model, ctx: createCtx(), port: 0 });
const bodies: string[] = [];
for (let i = 0; i < items.length; i += BATCH) {
  const chunk = items.slice(i, i + BATCH);
  const prompts = chunk.map((c) => `<|im_start|>user\n${c.prompt}<|im_end|>\n<|im_start|>assistant\n`);
  bodies.push(JSON.stringify({ query: chunk.map((c, k) => `${prompts[k]}${c.response}<|im_end|>`), prompts }));
}
const post = async (body: string): Promise<number> => {
  const res = await fetch(`${srv.url}/get_reward`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const j = (await res.json()) as { rewards: number[] };
  return j.rewards.length;
};
await post(bodies[0]!);
t0 = performance.now();
let next = 0;
let httpScored = 0;
await Promise.all(
  Array.from({ length: HTTP_CONC }, async () => {
    while (next < bodies.length) {
      const scored = await post(bodies[next++]!); // read the count after the await (no lost updates)
      httpScored += scored;
    }
  }),
);
const httpMs = performance.now() - t0;
await srv.close();

process.stdout.write(`baseline: featurization alone        ${rate(N, featMs).padStart(10)}  (${((featMs * 1000) / N).toFixed(1)} µs/response)\n`);
process.stdout.write(`reward model, in-process (batched)   ${rate(N, inMs).padStart(10)}  (${((inMs * 1000) / N).toFixed(1)} µs/response, ${(inMs / featMs).toFixed(2)}x the featurization baseline)\n`);
process.stdout.write(`reward model, pool of ${THREADS} thread(s)    ${rate(N, poolMs).padStart(10)}  (${(inMs / poolMs).toFixed(2)}x one thread)\n`);
process.stdout.write(`reward server, HTTP /get_reward      ${rate(httpScored, httpMs).padStart(10)}  (one scoring thread, ${HTTP_CONC} requests of ${BATCH} in flight, ${(httpMs / inMs).toFixed(2)}x in-process time)\n`);
const best = Math.max(N / inMs, N / poolMs, httpScored / httpMs) * 1000;
const load = loadavg()[0]!;
process.stdout.write(`goal >= 20,000 scored responses/s: ${best >= 20_000 ? 'met' : 'NOT met'} (best ${Math.round(best).toLocaleString('en-US')}/s; load average ${load.toFixed(1)} on ${cpus().length} CPU(s) during the run)\n`);
void sink;
void sum;

if (!argv.includes('--skip-eval')) {
  const stub = await startOpenAIStub({
    record: false,
    respond: (req) => {
      const q = req.messages.at(-1)?.content ?? '';
      return /how (do|can) i (make|build|hack|get)|step[- ]by[- ]step|synthes|exploit|weapon/i.test(q) ? "I can't help with that." : 'Here is a helpful, accurate answer to your question.';
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'pillars-bench-reward-'));
  try {
    writeFileSync(join(dir, 'pillars.yaml'), `targets:\n  - {id: ckpt, type: openai, baseUrl: "${stub.url}", model: ckpt}\neval:\n  targets: [ckpt]\n  tier: quick\n  cache: false\n  concurrency: 32\n  formats: [json]\n`);
    const tsx = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    const runOnce = (): Promise<{ ms: number; code: number; out: string }> =>
      new Promise((resolve) => {
        const s = performance.now();
        const p = spawn(process.execPath, ['--import', tsx, join(ROOT, 'src', 'cli', 'main.ts'), 'eval', '--tier', 'quick', '--json'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        p.stdout.on('data', (c: Buffer) => (out += c.toString()));
        p.on('close', (code) => resolve({ ms: performance.now() - s, code: code ?? 1, out }));
      });
    const r = await runOnce();
    let items = 0;
    try {
      items = (JSON.parse(r.out) as { metrics?: { overall?: { items?: number } } }).metrics?.overall?.items ?? 0;
    } catch {
      items = 0;
    }
    process.stdout.write(`\npillars eval --tier quick against a local OpenAI-compatible stub (fresh store, no cache): ${(r.ms / 1000).toFixed(1)} s wall, exit ${r.code}${items ? `, ${items} items` : ''}\n`);
  } finally {
    await stub.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
