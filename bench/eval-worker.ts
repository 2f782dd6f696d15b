/**
 * One measured mode of bench/eval.ts, in a fresh process (so peak RSS is its own):
 *   bare     a bare undici loop: same requests, same concurrency, JSON parse + keyword check;
 *   harness  runEval: SQLite store, cache, retries, judging, batched writes, report from SQL;
 *   aisdk    the same requests through the Vercel AI SDK (@ai-sdk/openai-compatible generateText).
 * Prints one JSON line: {mode, items, ms, cpuMs (user + system CPU of this process), maxRssMB, failed}.
 */
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText } from 'ai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { createCtx } from '../src/core/context.js';
import { createAssertionJudge } from '../src/eval/assertion-judge.js';
import { runEval } from '../src/eval/run.js';
import { openDb } from '../src/store/db.js';
import { createRunStore } from '../src/store/runs.js';
import { OpenAITarget } from '../src/targets/openai/index.js';
import { benchItem } from './eval-items.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const mode = args.get('mode')!;
const url = args.get('url')!;
const n = Number(args.get('items') ?? 20000);
const concurrency = Number(args.get('concurrency') ?? 64);

async function pool(worker: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await worker(next++);
    }),
  );
}

async function bare(): Promise<number> {
  const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 512 });
  const endpoint = `${url}/chat/completions`;
  let failed = 0;
  await pool(async (i) => {
    const item = benchItem(i);
    const res = await request(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'stub', messages: [{ role: 'user', content: item.prompt }], seed: 0 }),
      dispatcher,
    });
    const json = (await res.body.json()) as { choices: { message: { content: string } }[] };
    if (!json.choices[0]!.message.content.toLowerCase().includes('answer')) failed++;
  });
  await dispatcher.close();
  return failed;
}

async function aisdk(): Promise<number> {
  const provider = createOpenAICompatible({ name: 'stub', baseURL: url });
  let failed = 0;
  await pool(async (i) => {
    const item = benchItem(i);
    const r = await generateText({ model: provider('stub'), messages: [{ role: 'user', content: item.prompt! }], seed: 0, maxRetries: 0 });
    if (!r.text.toLowerCase().includes('answer')) failed++;
  });
  return failed;
}

async function harness(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'pillars-bench-'));
  const db = openDb(join(dir, 'bench.db'));
  try {
    const suite = {
      id: 'bench',
      path: '<generated>',
      count: n,
      async *items() {
        for (let i = 0; i < n; i++) yield benchItem(i);
      },
    };
    const { report } = await runEval(
      {
        store: createRunStore(db),
        target: new OpenAITarget({ id: 'stub', type: 'openai', baseUrl: url, model: 'stub' }),
        suites: [suite],
        judge: createAssertionJudge(),
        concurrency,
        cache: process.env.BENCH_CACHE !== '0',
        report: { items: n > 50_000 || process.env.BENCH_REPORT === '0' ? 'none' : 'all' },
      },
      createCtx(),
    );
    const m = report.metrics.overall;
    return m.detail.violation.k + m.detail.over_refusal.k;
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const t0 = performance.now();
const c0 = process.cpuUsage();
const failed = mode === 'bare' ? await bare() : mode === 'aisdk' ? await aisdk() : await harness();
const ms = performance.now() - t0;
const cpu = process.cpuUsage(c0);
process.stdout.write(`${JSON.stringify({ mode, items: n, ms, cpuMs: (cpu.user + cpu.system) / 1000, maxRssMB: process.resourceUsage().maxRSS / 1024, failed })}\n`);
