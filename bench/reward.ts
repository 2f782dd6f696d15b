/**
 * `npm run bench:reward`: throughput of the reward model (scored responses per second) with the
 * embedded feature engine, in-process (batched scoreSync) and over HTTP (POST /get_reward in the
 * OpenRLHF shape, several requests in flight), against a baseline measured in the same run: the
 * classifier's featurization alone of the same responses (the floor any scoring pays). Also times
 * `pillars eval --tier quick` against a local OpenAI-compatible stub (the training-time check).
 *
 *   npm run bench:reward                       # all
 *   flags: --n N (responses, default 40000) --batch N (default 256) --http-concurrency N (default 4) --skip-eval
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createCtx } from '../src/core/context.js';
import { defaultModelPath } from '../src/classifier/index.js';
import { defaultPackPath } from '../src/core/paths.js';
import { loadPack } from '../src/policy/load.js';
import {
  builtinPrefsPath,
  createRewardScorer,
  createScorerPool,
  guardForRewards,
  readPrefs,
  RewardFeaturizer,
  RewardSection,
  startRewardServer,
  trainRewardModel,
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

const pack = loadPack(defaultPackPath).pack;
const guard = guardForRewards();
let t0 = performance.now();
const pairs = readPrefs(builtinPrefsPath);
const { model, report } = trainRewardModel({ pairs, guardModel: guard.model, guardSha256: guard.sha256, pack, seed: 1 });
const trainMs = performance.now() - t0;

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

process.stdout.write(`reward model: ${model.heads.map((h) => h.name).join(' + ')} heads, trained in ${(trainMs / 1000).toFixed(1)} s on ${pairs.length} pairs (held-out pairwise accuracy ${((report.heldOutAccuracy ?? 0) * 100).toFixed(1)}%)\n`);
process.stdout.write(`${N.toLocaleString('en-US')} responses (avg ${avgChars.toFixed(0)} chars), batches of ${BATCH} · node ${process.version} · ${cpus().length} CPU(s): ${cpus()[0]?.model ?? '?'}\n\n`);

// Warm up the JIT on a slice.
const feat = new RewardFeaturizer(guard.model, pack);
const scorer = createRewardScorer({ model, featurizer: feat, config: RewardSection.parse({}) });
for (let i = 0; i < 2000; i += BATCH) scorer.scoreSync(items.slice(i, i + BATCH));
for (let i = 0; i < 2000; i++) guard.model.features(items[i]!.response);

// Baseline: featurization alone.
t0 = performance.now();
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
