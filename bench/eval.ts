/**
 * `npm run bench:eval`: the eval harness against a local OpenAI-compatible stub (a separate process
 * on 127.0.0.1 that answers at once), 20,000 items at concurrency 64, keyword assertion only.
 * Baselines measured in the same run: a bare undici loop doing the same requests, the Vercel AI
 * SDK provider (why the `openai` target has its own client), and promptfoo installed from npm
 * into bench/.tmp/promptfoo (skipped with a message when it cannot be installed). Each mode runs in
 * a fresh process so its peak RSS is its own. Also times the README's first command
 * (`pillars eval` on the default config: the guard on the quick suites).
 *
 *   npm run bench:eval                       # 20,000 items, all baselines
 *   npm run bench:eval -- --items 1000000    # memory check: harness only, peak RSS must stay < 300 MB
 *   flags: --items N --concurrency N --repeat N --skip-promptfoo --skip-aisdk --skip-quick
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchItem } from './eval-items.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const PROMPTFOO_VERSION = '0.121.20'; // engines: ^20.20.0 || >=22.22.0
const PF_DIR = join(ROOT, 'bench', '.tmp', 'promptfoo');

const argv = process.argv.slice(2);
const flag = (name: string): boolean => argv.includes(`--${name}`);
const opt = (name: string, def: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const items = opt('items', 20_000);
const concurrency = opt('concurrency', 64);
const memoryMode = items > 100_000;

interface Result {
  mode: string;
  items: number;
  ms: number;
  /** CPU time (user + system) of the client process: robust when the machine is busy. */
  cpuMs?: number;
  maxRssMB: number;
  failed: number;
}

function startStub(): Promise<{ url: string; proc: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', TSX, join(ROOT, 'bench', 'eval-stub.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    proc.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      const line = buf.split('\n')[0];
      if (buf.includes('\n') && line) resolve({ url: line.trim(), proc });
    });
    proc.on('error', reject);
    proc.on('exit', (code) => reject(new Error(`stub exited with ${code}`)));
  });
}

function worker(mode: string, url: string, n: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    const args = ['--import', TSX, join(ROOT, 'bench', 'eval-worker.ts'), '--mode', mode, '--url', url, '--items', String(n), '--concurrency', String(concurrency)];
    execFile(process.execPath, args, { maxBuffer: 1 << 20, env: { ...process.env, PILLARS_LOG: 'error' } }, (err, out, errOut) => {
      if (err) return reject(new Error(`${mode} failed: ${errOut || err.message}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as Result);
    });
  });
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 1_800_000, maxBuffer: 64 << 20 }, (e, out, err) =>
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, out, err }),
    );
  });
}

async function ensurePromptfoo(): Promise<string | null> {
  const bin = join(PF_DIR, 'node_modules', '.bin', 'promptfoo');
  if (existsSync(bin)) return bin;
  mkdirSync(PF_DIR, { recursive: true });
  process.stderr.write(`installing promptfoo@${PROMPTFOO_VERSION} into ${PF_DIR} (not a dependency of Pillars) ...\n`);
  const r = await run('npm', ['install', '--prefix', PF_DIR, '--no-audit', '--no-fund', `promptfoo@${PROMPTFOO_VERSION}`], { timeoutMs: 900_000 });
  if (r.code !== 0 || !existsSync(bin)) {
    process.stderr.write(`promptfoo could not be installed (npm exit ${r.code}): skipping the promptfoo baseline.\n${r.err.split('\n').slice(-5).join('\n')}\n`);
    return null;
  }
  return bin;
}

async function promptfoo(url: string, n: number): Promise<Result | null> {
  const bin = await ensurePromptfoo();
  if (!bin) return null;
  const dir = mkdtempSync(join(tmpdir(), 'pillars-bench-pf-'));
  try {
        const rows = ['prompt,__expected'];
    for (let i = 0; i < n; i++) rows.push(`"${benchItem(i).prompt!.replace(/"/g, '""')}",icontains:answer`);
    writeFileSync(join(dir, 'tests.csv'), `${rows.join('\n')}\n`);
    writeFileSync(
      join(dir, 'promptfooconfig.yaml'),
      [
        'description: pillars bench',
        "prompts: ['{{prompt}}']",
        'providers:',
        '  - id: openai:chat:stub',
        `    config: { apiBaseUrl: "${url}", apiKey: "bench", seed: 0 }`,
        'tests: file://tests.csv',
      ].join('\n'),
    );
    const env = { ...process.env, PROMPTFOO_DISABLE_TELEMETRY: '1', PROMPTFOO_DISABLE_UPDATE: '1', PROMPTFOO_CONFIG_DIR: join(dir, '.promptfoo'), OPENAI_API_KEY: 'bench', PROMPTFOO_CACHE_ENABLED: 'false' };
    const t0 = performance.now();
    const r = await run('/usr/bin/time', ['-f', 'MAXRSS_KB=%M CPU_USER=%U CPU_SYS=%S', bin, 'eval', '-c', join(dir, 'promptfooconfig.yaml'), '-j', String(concurrency), '--no-cache', '--no-progress-bar', '--no-table', '-o', join(dir, 'out.json')], { cwd: dir, env });
    const ms = performance.now() - t0;
    const rss = /MAXRSS_KB=(\d+)/.exec(r.err);
    const cpu = /CPU_USER=([\d.]+) CPU_SYS=([\d.]+)/.exec(r.err);
    if (!existsSync(join(dir, 'out.json'))) {
      process.stderr.write(`promptfoo did not produce results (exit ${r.code}): skipping.\n${r.err.split('\n').slice(-8).join('\n')}\n`);
      return null;
    }
    const out = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { results?: { stats?: { failures?: number } } };
    return {
      mode: `promptfoo ${PROMPTFOO_VERSION}`,
      items: n,
      ms,
      cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : undefined,
      maxRssMB: rss ? Number(rss[1]) / 1024 : NaN,
      failed: out.results?.stats?.failures ?? NaN,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function quickTier(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'pillars-bench-quick-'));
  try {
    copyFileSync(join(ROOT, 'pillars.yaml'), join(dir, 'pillars.yaml'));
    const t0 = performance.now();
    const r = await run(process.execPath, ['--import', TSX, join(ROOT, 'src', 'cli', 'main.ts'), 'eval', '--json'], { cwd: dir });
    const ms = performance.now() - t0;
    if (r.code > 1) throw new Error(`pillars eval failed: ${r.err}`);
    return ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (r: Result): string =>
  `${r.mode.padEnd(20)} ${String(r.items).padStart(8)} items  ${(r.ms / 1000).toFixed(2).padStart(7)} s  ${((r.items / r.ms) * 1000).toFixed(0).padStart(6)} items/s  ${(
    (r.ms * 1000) /
    r.items
  ).toFixed(0).padStart(5)} µs/item  ${r.cpuMs !== undefined ? `CPU ${((r.cpuMs * 1000) / r.items).toFixed(0).padStart(5)} µs/item  ` : ''}peak RSS ${r.maxRssMB.toFixed(0).padStart(4)} MB  failed assertions ${r.failed}`;

const { url, proc } = await startStub();
try {
  process.stdout.write(`stub ${url} · ${items} items · concurrency ${concurrency} · node ${process.version}\n`);
  if (memoryMode) {
    const h = await worker('harness', url, items);
    process.stdout.write(`${fmt(h)}\n`);
    process.stdout.write(`peak RSS ${h.maxRssMB.toFixed(0)} MB at ${items} items: ${h.maxRssMB < 300 ? 'OK (< 300 MB)' : 'OVER the 300 MB goal'}\n`);
  } else {
    await worker('bare', url, Math.min(2000, items)); // warm the stub's JIT and sockets
    // bare and harness alternate `--repeat` times (default 3); the median of each is reported
    const repeat = opt('repeat', 3);
    const bares: Result[] = [];
    const harnesses: Result[] = [];
    for (let i = 0; i < repeat; i++) {
      bares.push(await worker('bare', url, items));
      harnesses.push(await worker('harness', url, items));
    }
    const median = (rs: Result[], f: (r: Result) => number): number => rs.map(f).sort((a, b) => a - b)[Math.floor(rs.length / 2)]!;
    const summarise = (rs: Result[]): Result => ({ ...rs[0]!, ms: median(rs, (r) => r.ms), cpuMs: median(rs, (r) => r.cpuMs ?? 0), maxRssMB: Math.max(...rs.map((r) => r.maxRssMB)) });
    const bare = summarise(bares);
    const harness = summarise(harnesses);
    process.stdout.write(`bare runs (s): ${bares.map((r) => (r.ms / 1000).toFixed(2)).join(', ')} · harness runs (s): ${harnesses.map((r) => (r.ms / 1000).toFixed(2)).join(', ')}\n`);
    const results = [bare, harness];
    if (!flag('skip-aisdk')) results.push(await worker('aisdk', url, items));
    if (!flag('skip-promptfoo')) {
      const pf = await promptfoo(url, items);
      if (pf) results.push(pf);
    }
    process.stdout.write('\n');
    for (const r of results) process.stdout.write(`${fmt(r)}\n`);
    process.stdout.write('\n');
    const ratio = harness.ms / bare.ms;
    process.stdout.write(`harness / bare undici loop: ${ratio.toFixed(2)}x wall (goal <= 1.5x) · overhead ${(((harness.ms - bare.ms) * 1000) / items).toFixed(0)} µs/item\n`);
    process.stdout.write(`harness / bare undici loop: ${(harness.cpuMs! / bare.cpuMs!).toFixed(2)}x client CPU time (medians; the fairer figure when other processes compete for the cores)\n`);
    process.stdout.write(`best pair: ${Math.min(...harnesses.map((h, i) => h.ms / bares[i]!.ms)).toFixed(2)}x wall\n`);
    const ai = results.find((r) => r.mode === 'aisdk');
    if (ai) process.stdout.write(`AI SDK provider / bare undici loop: ${(ai.ms / bare.ms).toFixed(2)}x\n`);
    const pf = results.find((r) => r.mode.startsWith('promptfoo'));
    // promptfoo's CPU time covers its whole process (start-up included), like the harness worker's
    if (pf) {
      process.stdout.write(`harness speed-up over promptfoo: ${(pf.ms / harness.ms).toFixed(1)}x wall (goal >= 5x)`);
      process.stdout.write(pf.cpuMs !== undefined ? ` · ${(pf.cpuMs / harness.cpuMs!).toFixed(1)}x client CPU time\n` : '\n');
    }
    else if (!flag('skip-promptfoo')) process.stdout.write('promptfoo baseline skipped (see the message above)\n');
    if (!flag('skip-quick')) {
      const q = await quickTier();
      process.stdout.write(`quick tier (pillars eval, default config: guard target, built-in quick suites, fresh store): ${(q / 1000).toFixed(1)} s wall\n`);
    }
  }
} finally {
  proc.kill('SIGTERM');
}
