/**
 * `npm run bench:scale`: distributed evaluation (`pillars eval --queue` + `pillars worker`) on the
 * real PostgreSQL store and Redis, against a local OpenAI-compatible stub that takes 50 ms per
 * answer (a slow model). 1, 2 and 4 worker processes, in that order in one process, each on the
 * same items with the same settings per worker (one job at a time, --concurrency requests in flight):
 * items/s for each and the ratio to the 1-worker rate measured in the same run. Then the store's
 * write rate: `writeResults` of the same records into PostgreSQL and into SQLite.
 *
 *   npm run bench:scale                                   # 50,000 items, 1/2/4 workers
 *   npm run bench:scale -- --items 5000 --workers 1,2,4 --concurrency 16 --warmup 400
 *   npm run bench:scale -- --items 10000 --workers 4 --profile /tmp/prof   # .cpuprofile of each worker and the coordinator
 *   env: PILLARS_BENCH_PG (default postgres://postgres@127.0.0.1:5432/test), PILLARS_BENCH_REDIS (127.0.0.1:6379)
 *
 * Warm-up excluded: the workers of a configuration first answer a warm-up run (--warmup items per
 * worker, not measured: module loading, JIT, connections), then the measured run. items/s is measured
 * over the measured run's answering phase (the stub's first request to its last answer); the line
 * also shows the rate over the whole `pillars eval --queue` command, storing the items included.
 * One worker answers at most concurrency / 50 ms items/s; the figure shows how close N workers
 * come to N times the one-worker rate on this machine (the coordinator, the workers, PostgreSQL,
 * Redis and the stub share its cores), and the CPU time each process used per item.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import postgres from 'postgres';
import { openStore } from '../src/store/open.js';
import type { ResultRecord } from '../src/store/runs.js';
import { startOpenAIStub } from '../src/targets/testing/openai-stub.js';
import { benchItem } from './eval-items.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const argv = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1]! : def;
};
const ITEMS = Number(opt('items', '50000'));
const WORKERS = opt('workers', '1,2,4').split(',').map(Number);
const CONCURRENCY = Number(opt('concurrency', '16'));
const LATENCY_MS = Number(opt('latency', '50'));
const WARMUP = Number(opt('warmup', '400'));
const PROFILE = argv.includes('--profile') ? opt('profile', '') : '';
const PG = process.env.PILLARS_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS = `redis://${process.env.PILLARS_BENCH_REDIS ?? '127.0.0.1:6379'}/${1 + (randomBytes(1)[0]! % 15)}`;

const dir = mkdtempSync(join(tmpdir(), 'pillars-bench-scale-'));
const schemas: string[] = [];
const children: ChildProcess[] = [];

function cli(args: string[], opts: { ready?: string } = {}): { child: ChildProcess; done: Promise<number>; ready: Promise<void> } {
  const prof = PROFILE && (args[0] === 'worker' || args[0] === 'eval') ? ['--cpu-prof', '--cpu-prof-dir', PROFILE, '--cpu-prof-name', `${args[0]}-${children.length}.cpuprofile`] : [];
  const child = spawn(process.execPath, [...prof, '--import', TSX, join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let err = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((r) => (markReady = r));
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    if (opts.ready && err.includes(opts.ready)) markReady();
  });
  const done = new Promise<number>((resolve, reject) =>
    child.once('exit', (code) => (code === 0 || opts.ready ? resolve(code ?? 0) : reject(new Error(`pillars ${args[0]} exited ${code}: ${err.slice(-2000)}`)))),
  );
  return { child, done, ready };
}

function config(storeUrl: string, stubUrl: string, suite: string): string {
  const p = join(dir, `pillars-${schemas.length}-${suite}.yaml`);
  writeFileSync(p, [`store: "${storeUrl}"`, 'targets:', `  - { id: slow, type: openai, baseUrl: "${stubUrl}", model: m }`, 'eval:', '  targets: [slow]', `  suites: [${suite}]`, '  judge: assertion', `  concurrency: ${CONCURRENCY}`].join('\n'));
  return p;
}

function freshSchema(): string {
  const s = `pillars_bench_${process.pid}_${schemas.length}`;
  schemas.push(s);
  return `${PG}?schema=${s}`;
}

function writeItems(file: string, n: number): void {
  writeFileSync(join(dir, file), `${Array.from({ length: n }, (_, i) => JSON.stringify(benchItem(i))).join('\n')}\n`);
}

/** When the stub saw the first request and answered the last one (the answering phase, without process start-up or item loading). */
const span = { first: 0, last: 0 };

/** CPU seconds (user + system) of a process and its threads so far, from /proc (0 where there is none). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / 100;
  } catch {
    return 0;
  }
}

async function runWith(workers: number, stubUrl: string): Promise<{ rate: number; wallRate: number; workerCpuMs: number; coordCpuMs: number; stubCpuMs: number; load: number }> {
  const store = freshSchema();
  const cfg = config(store, stubUrl, 'items.jsonl');
  const warm = config(store, stubUrl, 'warmup.jsonl');
  await cli(['store', 'migrate', '--config', cfg]).done;
  const ws = Array.from({ length: workers }, () => cli(['worker', '--queue', REDIS, '--config', cfg, '--judge', 'assertion'], { ready: 'taking jobs' }));
  await Promise.all(ws.map((w) => w.ready));
  if (WARMUP > 0) {
    writeItems('warmup.jsonl', WARMUP * workers);
    await cli(['eval', '--config', warm, '--queue', REDIS, '--no-cache', '--format', 'json', '--out', join(dir, `warm-${workers}`)]).done;
  }
  const cpu0 = ws.map((w) => cpuSeconds(w.child.pid));
  const own0 = process.cpuUsage();
  const load0 = loadavg()[0]!;
  span.first = 0;
  const t0 = performance.now();
  const coord = cli(['eval', '--config', cfg, '--queue', REDIS, '--no-cache', '--format', 'json', '--out', join(dir, `out-${workers}`)]);
  let coordCpu = 0;
  // The coordinator's CPU, read until it exits (/proc goes with it).
  const poll = setInterval(() => (coordCpu = Math.max(coordCpu, cpuSeconds(coord.child.pid))), 200);
  await coord.done.finally(() => clearInterval(poll));
  const s = (performance.now() - t0) / 1000;
  const workerCpu = ws.reduce((sum, w, i) => sum + cpuSeconds(w.child.pid) - cpu0[i]!, 0);
  const own = process.cpuUsage(own0);
  const load = Math.max(load0, loadavg()[0]!);
  for (const w of ws) w.child.kill('SIGTERM');
  await Promise.all(ws.map((w) => w.done));
  return { rate: ITEMS / ((span.last - span.first) / 1000), wallRate: ITEMS / s, workerCpuMs: (1000 * workerCpu) / ITEMS, coordCpuMs: (1000 * coordCpu) / ITEMS, stubCpuMs: (own.user + own.system) / 1000 / ITEMS, load };
}

function records(n: number): ResultRecord[] {
  return Array.from({ length: n }, (_, seq) => ({
    response: { seq, text: `Here is an answer for item ${seq}.`, error: null, finishReason: 'stop', latencyMs: 50, usage: { inputTokens: 12, outputTokens: 9 }, cached: false, attempts: 1, cacheKey: `k${seq}` },
    judgement: { seq, label: 'complied', passed: true, score: 1, verdicts: [{ judge: 'assertion', label: 'complied', score: 1, reasons: ['must include: answer'] }] },
  }));
}

async function writeRate(location: string, n: number): Promise<number> {
  const store = await openStore(location);
  try {
    const now = new Date().toISOString();
    await store.runs.createRun({ id: 'w', created_at: now, started_at: now, status: 'running', target: 't', target_fingerprint: 'f', suites: [], tier: 'quick', seed: 0, samples: 1, config: {} });
    await store.runs.appendItems('w', Array.from({ length: n }, (_, i) => ({ seq: i, sample: 0, suite: 's', item: benchItem(i) })));
    const recs = records(n);
    const t0 = performance.now();
    for (let i = 0; i < n; i += 512) await store.runs.writeResults('w', recs.slice(i, i + 512));
    return n / ((performance.now() - t0) / 1000);
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  writeItems('items.jsonl', ITEMS);
  const stub = await startOpenAIStub({
    record: false,
    respond: async () => {
      span.first ||= performance.now();
      await new Promise((r) => setTimeout(r, LATENCY_MS));
      span.last = performance.now();
      return 'Here is the answer you asked for.';
    },
  });
  console.log(
    `bench:scale: ${ITEMS} items, stub latency ${LATENCY_MS} ms, ${CONCURRENCY} requests in flight per worker, warm-up ${WARMUP} items per worker, ${cpus().length} CPU cores, store PostgreSQL, queue ${REDIS}`,
  );
  const rates = new Map<number, number>();
  try {
    for (const w of WORKERS) {
      const r = await runWith(w, stub.url);
      rates.set(w, r.rate);
      const base = rates.get(WORKERS[0]!)! / WORKERS[0]!;
      console.log(
        `  ${w} worker${w === 1 ? ' ' : 's'}: ${r.rate.toFixed(0).padStart(6)} items/s answering  ${(r.rate / (base * WORKERS[0]!)).toFixed(2)}x the ${WORKERS[0]}-worker rate  efficiency vs linear ${((100 * r.rate) / (base * w)).toFixed(0)}%  (${r.wallRate.toFixed(0)} items/s counting storing the items; CPU per item: workers ${r.workerCpuMs.toFixed(2)} ms, coordinator ${r.coordCpuMs.toFixed(2)} ms, stub ${r.stubCpuMs.toFixed(2)} ms; load average up to ${r.load.toFixed(1)})`,
      );
    }
  } finally {
    await stub.close();
  }
  const n = Math.min(ITEMS, 50_000);
  const sqlite = await writeRate(join(dir, 'write.db'), n);
  const pg = await writeRate(freshSchema(), n);
  console.log(`store writes (writeResults, ${n} results in batches of 512): SQLite ${sqlite.toFixed(0)} rows/s, PostgreSQL ${pg.toFixed(0)} rows/s (${(pg / sqlite).toFixed(2)}x SQLite)`);
}

main()
  .catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    const sql = postgres(PG, { max: 1, onnotice: () => {} });
    for (const s of schemas) await sql.unsafe(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await sql.end({ timeout: 1 });
    rmSync(dir, { recursive: true, force: true });
  });
