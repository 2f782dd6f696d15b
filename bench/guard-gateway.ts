/**
 * Gateway benchmark (part of `npm run bench:guard`; alone: `npm run bench:gateway`).
 *
 *   1. added latency: the same requests, one at a time, sent to the local stub upstream directly
 *      and through the gateway (guard on input and output, audit on): p50/p99 of each and the difference.
 *   2. throughput: many concurrent requests through the gateway for a fixed time, against the
 *      stub alone as the baseline.
 *   3. streaming: the added time to first token of a streamed answer (the hold-back releases text
 *      only after a check that also read the next `lookaheadChars`): with an upstream that sends
 *      the whole stream at once (the guard's cost), and one paced like a model generating
 *      (4-character chunks every --paced-ms, default 20 ms: ~50 tokens/s).
 *
 * The stub, the gateway and the load generator run in three processes (this file, started with
 * --role). Every phase is bounded in time. Options: --seconds N (per phase, default 5),
 * --concurrency N (default 64), --workers N (gateway processes sharing the port, default 1),
 * --stream-samples N (streamed requests per target, default 20), --paced-ms N, --json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import cluster from 'node:cluster';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

const SELF = fileURLToPath(import.meta.url);

const { values: parsed } = parseArgs({
  options: {
    role: { type: 'string' },
    url: { type: 'string' },
    upstream: { type: 'string' },
    store: { type: 'string' },
    guard: { type: 'string', default: 'policy' },
    workers: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '64' },
    'stream-samples': { type: 'string', default: '20' },
    'paced-ms': { type: 'string', default: '20' },
    json: { type: 'boolean', default: false },
  },
  // bench/guard.ts passes its arguments to every part: ignore the ones that are not ours.
  strict: false,
});

const args = parsed as {
  role?: string;
  url?: string;
  upstream?: string;
  store?: string;
  guard: string;
  workers: string;
  seconds: string;
  concurrency: string;
  'stream-samples': string;
  'paced-ms': string;
  json: boolean;
};

/** A realistic ~1 KB benign prompt (the common case a gateway sees) and a ~600-char answer. */
const PROMPT =
  'I run the operations team at a mid-sized logistics company and we are preparing our quarterly review. ' +
  'Could you help me draft a short summary of the main points below, in plain language for the board? ' +
  'First, on-time delivery improved from 91% to 95% after we rerouted the northern depot. Second, fuel costs ' +
  'rose by about 8% because of the price increase in August, partly offset by the new route planning tool. ' +
  'Third, we hired twelve drivers and lost four; onboarding now takes two weeks instead of three. Fourth, ' +
  'customer complaints fell by a fifth, mostly about late notifications, which the new SMS alerts fixed. ' +
  'Fifth, the warehouse management system upgrade slipped to next quarter because the vendor delayed the ' +
  'integration. Please keep it under two hundred words, use a neutral tone, and end with two questions the ' +
  'board might ask so I can prepare answers in advance. Thank you, this saves me a lot of time this week.';
const ANSWER =
  'Quarterly operations summary. On-time delivery rose from 91% to 95% after the northern depot was rerouted. ' +
  'Fuel costs increased by roughly 8% following the August price rise, partly offset by the new route planning ' +
  'tool. Headcount grew by eight net drivers, and onboarding now takes two weeks rather than three. Customer ' +
  'complaints fell by about a fifth, largely thanks to the new SMS delivery alerts. The warehouse management ' +
  'system upgrade moves to next quarter because of a vendor delay. Questions the board may ask: what is the ' +
  'plan to contain fuel costs, and what risks does the delayed upgrade carry?';

// ---------------------------------------------------------------------------------------------
// Child roles
// ---------------------------------------------------------------------------------------------

async function roleStub(): Promise<void> {
  const { startUpstreamStub } = await import('../src/targets/testing/openai-stub.js');
  // Streams: 4-character chunks, all at once, or paced when the model is `paced-<ms>`.
  const stub = await startUpstreamStub({
    record: false,
    respond: (r) => (r.stream ? { content: ANSWER, chunkChars: 4, chunkDelayMs: Number(/^paced-(\d+)$/.exec(r.model)?.[1] ?? 0) } : ANSWER),
  });
  process.stdout.write(`${JSON.stringify({ url: stub.url })}\n`);
}

async function roleGateway(): Promise<void> {
  const workers = Number(args.workers);
  if (workers > 1 && cluster.isPrimary) {
    // Like `pillars serve --workers N`: N processes share the port; the chain stays one chain.
    const forks = Array.from({ length: workers }, () => cluster.fork());
    const first = await Promise.all(forks.map((w) => new Promise<{ url: string; guard: string }>((resolve) => w.once('message', resolve))));
    process.stdout.write(`${JSON.stringify({ url: first[0]!.url, guard: `${first[0]!.guard}, ${workers} workers` })}\n`);
    process.on('SIGTERM', () => forks.forEach((w) => w.process.kill('SIGTERM')));
    return;
  }
  const { createGateway } = await import('../src/gateway/server.js');
  const { openDb } = await import('../src/store/db.js');
  const { guard, pack, label } = args.guard === 'noop' ? await noopGuard() : await benchGuard();
  const db = openDb(args.store!);
  // The decision cache is off: every request pays for every check (the bench repeats one prompt and answer).
  const gw = createGateway({ guard, pack, db, upstream: args.upstream!, config: { port: 0, decisionCache: 0 } });
  const { url } = await gw.listen({ port: Number(process.env.BENCH_PORT ?? 0), host: '127.0.0.1' });
  if (cluster.isWorker) process.send!({ url, guard: label });
  else process.stdout.write(`${JSON.stringify({ url, guard: label })}\n`);
  process.on('SIGTERM', () => {
    void gw.close().then(() => {
      db.close();
      process.exit(0);
    });
  });
}

/** A free port for the workers to share (cluster workers listening on 0 would each get their own). */
async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** The guard the gateway runs: the real policy guard with the shipped model and the default pack. */
async function benchGuard() {
  const { loadPack } = await import('../src/policy/load.js');
  const { defaultPackPath } = await import('../src/core/paths.js');
  const { createGuard } = await import('../src/guard/index.js');
  const pack = loadPack(defaultPackPath).pack;
  return { guard: createGuard({ pack }), pack, label: 'policy guard (default pack, shipped model)' };
}

/** A guard that allows everything at once: isolates the gateway's own cost (parse, proxy, audit). */
async function noopGuard() {
  const { loadPack } = await import('../src/policy/load.js');
  const { defaultPackPath } = await import('../src/core/paths.js');
  const pack = loadPack(defaultPackPath).pack;
  const guard = {
    check: async () => ({ action: 'allow' as const, policy: null, pillar: null, topic: null, level: null, score: 0, stage: 'embedded' as const, reasons: [] }),
  };
  return { guard, pack, label: 'no-op guard (gateway cost alone)' };
}

interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  decisions: Record<string, number>;
}

async function roleLoad(): Promise<void> {
  const url = new URL(args.url!);
  const concurrency = Number(args.concurrency);
  const seconds = Number(args.seconds);
  const pool = new Pool(url.origin, { connections: concurrency, pipelining: 1 });
  const body = JSON.stringify({ model: 'base-model', messages: [{ role: 'user', content: PROMPT }] });
  const path = `${url.pathname.replace(/\/$/, '')}/chat/completions`;
  const lat: number[] = [];
  const decisions: Record<string, number> = {};
  let errors = 0;
  // Warm-up (connections, JIT), not counted.
  const warmEnd = performance.now() + Math.min(1000, seconds * 200);
  const one = async (record: boolean): Promise<void> => {
    const t = performance.now();
    try {
      const r = await pool.request({ method: 'POST', path, body, headers: { 'content-type': 'application/json' } });
      await r.body.text();
      if (!record) return;
      if (r.statusCode !== 200) errors++;
      const d = String(r.headers['x-pillars-decision'] ?? 'none');
      decisions[d] = (decisions[d] ?? 0) + 1;
      lat.push(performance.now() - t);
    } catch {
      if (record) errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, async () => { while (performance.now() < warmEnd) await one(false); }));
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => { while (performance.now() < end) await one(true); }));
  const took = (performance.now() - t0) / 1000;
  await pool.close();
  lat.sort((a, b) => a - b);
  const q = (p: number): number => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? NaN;
  const out: LoadResult = { requests: lat.length, errors, seconds: took, rps: lat.length / took, p50: q(0.5), p90: q(0.9), p99: q(0.99), decisions };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

// ---------------------------------------------------------------------------------------------
// Orchestration
// ---------------------------------------------------------------------------------------------

function child(role: string, extra: string[], env: Record<string, string> = {}): { proc: ChildProcess; first: Promise<Record<string, unknown>> } {
  // Gateways start like `pillars serve` starts its workers: with a larger young generation.
  const heap = role === 'gateway' ? ['--max-semi-space-size=32'] : [];
  const proc = spawn(process.execPath, [...heap, '--import', 'tsx', SELF, '--role', role, ...extra], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  const first = new Promise<Record<string, unknown>>((resolve, reject) => {
    let buf = '';
    proc.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      const i = buf.indexOf('\n');
      if (i >= 0) resolve(JSON.parse(buf.slice(0, i)) as Record<string, unknown>);
    });
    proc.once('exit', (code) => reject(new Error(`${role} exited (${code}) before reporting`)));
  });
  return { proc, first };
}

/** The gateway process's CPU seconds (from its /metrics), to report CPU per request: robust to a busy machine. */
async function cpuOf(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(/^process_cpu_seconds_total (\S+)$/m.exec(text)?.[1] ?? NaN);
}

/** Load through the gateway at `base`, with its CPU microseconds per request (one worker only). */
async function loadGateway(base: string, concurrency: number, seconds: number): Promise<LoadResult & { cpuUsPerReq: number }> {
  const before = await cpuOf(base);
  const r = await load(`${base}/v1`, concurrency, seconds);
  const after = await cpuOf(base);
  const warm = Math.round(Math.min(1000, seconds * 200) / 1000 * r.rps); // the warm-up requests are not counted in r.requests
  return { ...r, cpuUsPerReq: args.workers === '1' ? ((after - before) * 1e6) / (r.requests + warm) : NaN };
}

async function load(url: string, concurrency: number, seconds: number): Promise<LoadResult> {
  const { proc, first } = child('load', ['--url', url, '--concurrency', String(concurrency), '--seconds', String(seconds)]);
  const killer = setTimeout(() => proc.kill('SIGKILL'), (seconds + 30) * 1000);
  try {
    return (await first) as unknown as LoadResult;
  } finally {
    clearTimeout(killer);
  }
}

/**
 * Time to first token of a streamed answer: ms from sending the request to the first SSE chunk
 * that carries content, median over `n` requests one at a time. A paced stream is abandoned once
 * its first token arrived (only that is measured).
 */
async function firstToken(base: string, model: string, n: number): Promise<{ p50: number; samples: number[] }> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const ac = new AbortController();
    const t0 = performance.now();
    const r = await fetch(`${base}/chat/completions`, { method: 'POST', signal: ac.signal, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: PROMPT }] }) });
    const reader = r.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    let at = NaN;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      if (/"content":"[^"]/.test(buf)) {
        at = performance.now() - t0;
        break;
      }
    }
    ac.abort();
    await reader.cancel().catch(() => undefined);
    samples.push(at);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: sorted[Math.floor(sorted.length / 2)] ?? NaN, samples };
}

const f = (n: number, d = 2): string => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');

async function main(): Promise<void> {
  const seconds = Number(args.seconds);
  const concurrency = Number(args.concurrency);
  const dir = mkdtempSync(join(tmpdir(), 'pillars-bench-gw-'));
  const stub = child('stub', []);
  const procs: ChildProcess[] = [stub.proc];
  try {
    const { url: stubUrl } = (await stub.first) as { url: string };
    const w = ['--workers', args.workers];
    const gwNoop = child('gateway', ['--upstream', stubUrl, '--store', join(dir, 'noop.db'), '--guard', 'noop', ...w], { BENCH_PORT: String(await freePort()) });
    procs.push(gwNoop.proc);
    const gw = child('gateway', ['--upstream', stubUrl, '--store', join(dir, 'bench.db'), ...w], { BENCH_PORT: String(await freePort()) });
    procs.push(gw.proc);
    const { url: noopUrl } = (await gwNoop.first) as { url: string };
    const { url: gwUrl, guard } = (await gw.first) as { url: string; guard: string };

    // Warm both gateways (JIT, pools, the classifier's code paths) before anything is measured.
    await load(`${noopUrl}/v1`, 8, 2);
    await load(`${gwUrl}/v1`, 8, 2);
    const directSeq = await load(stubUrl, 1, seconds);
    const noopSeq = await loadGateway(noopUrl, 1, seconds);
    const gatewaySeq = await loadGateway(gwUrl, 1, seconds);
    const directTput = await load(stubUrl, concurrency, seconds);
    const noopTput = await loadGateway(noopUrl, concurrency, seconds);
    const gatewayTput = await loadGateway(gwUrl, concurrency, seconds);

    // Streaming: time to first token, direct and through both gateways.
    const n = Number(args['stream-samples']);
    const paced = `paced-${Number(args['paced-ms'])}`;
    await firstToken(`${gwUrl}/v1`, 'base-model', 3);
    const ttft = {
      instant: { direct: await firstToken(stubUrl, 'base-model', n), noop: await firstToken(`${noopUrl}/v1`, 'base-model', n), gateway: await firstToken(`${gwUrl}/v1`, 'base-model', n) },
      paced: {
        direct: await firstToken(stubUrl, paced, Math.max(3, Math.ceil(n / 3))),
        noop: await firstToken(`${noopUrl}/v1`, paced, Math.max(3, Math.ceil(n / 3))),
        gateway: await firstToken(`${gwUrl}/v1`, paced, Math.max(3, Math.ceil(n / 3))),
      },
    };

    const result = {
      machine: { cpus: availableParallelism(), model: cpus()[0]?.model ?? 'unknown', node: process.version, loadavg: loadavg().map((x) => Math.round(x * 100) / 100) },
      guard,
      promptChars: PROMPT.length,
      answerChars: ANSWER.length,
      addedLatencyMs: {
        direct: { p50: directSeq.p50, p99: directSeq.p99 },
        gatewayNoGuard: { p50: noopSeq.p50, p99: noopSeq.p99, addedP50: noopSeq.p50 - directSeq.p50, addedP99: noopSeq.p99 - directSeq.p99 },
        gateway: { p50: gatewaySeq.p50, p99: gatewaySeq.p99 },
        added: { p50: gatewaySeq.p50 - directSeq.p50, p99: gatewaySeq.p99 - directSeq.p99 },
        goalP99: 3,
      },
      throughput: {
        concurrency,
        directRps: directTput.rps,
        gatewayNoGuardRps: noopTput.rps,
        gatewayRps: gatewayTput.rps,
        ratio: gatewayTput.rps / directTput.rps,
        gatewayP99Ms: gatewayTput.p99,
        errors: gatewayTput.errors + noopTput.errors,
        decisions: gatewayTput.decisions,
        goalRps: 3000,
      },
      // Time to first token of a streamed answer (ms, median), direct and through the gateway.
      streamFirstTokenMs: {
        answerChars: ANSWER.length,
        chunkChars: 4,
        instant: { direct: ttft.instant.direct.p50, gatewayNoGuard: ttft.instant.noop.p50, gateway: ttft.instant.gateway.p50, added: ttft.instant.gateway.p50 - ttft.instant.direct.p50 },
        paced: { chunkMs: Number(args['paced-ms']), direct: ttft.paced.direct.p50, gatewayNoGuard: ttft.paced.noop.p50, gateway: ttft.paced.gateway.p50, added: ttft.paced.gateway.p50 - ttft.paced.direct.p50 },
      },
      // CPU the gateway process spends per request (under load): what one free core sustains.
      cpu: {
        noGuardUsPerReq: noopTput.cpuUsPerReq,
        guardedUsPerReq: gatewayTput.cpuUsPerReq,
        guardShareUsPerReq: gatewayTput.cpuUsPerReq - noopTput.cpuUsPerReq,
        projectedRpsPerCore: 1e6 / gatewayTput.cpuUsPerReq,
        projectedRps2Cores: 2e6 / gatewayTput.cpuUsPerReq,
      },
    };
    if (args.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    const a = result.addedLatencyMs;
    const t = result.throughput;
    const st = result.streamFirstTokenMs;
    process.stdout.write(
      [
        `gateway benchmark — ${result.machine.cpus} CPUs (${result.machine.model}), Node ${result.machine.node}, load average ${result.machine.loadavg.join(' ')}`,
        `guard: ${guard}; prompt ${result.promptChars} chars, answer ${result.answerChars} chars; guard on input and output; audit on; decision cache off`,
        '',
        `added latency (1 request at a time, ${seconds}s each; ${directSeq.requests} direct / ${noopSeq.requests} no-op / ${gatewaySeq.requests} guarded):`,
        `  direct to stub   p50 ${f(a.direct.p50, 3)} ms   p99 ${f(a.direct.p99, 3)} ms`,
        `  gateway, no-op guard  p50 ${f(a.gatewayNoGuard.p50, 3)} ms   p99 ${f(a.gatewayNoGuard.p99, 3)} ms   (added p50 ${f(a.gatewayNoGuard.addedP50, 3)}, p99 ${f(a.gatewayNoGuard.addedP99, 3)})`,
        `  through gateway  p50 ${f(a.gateway.p50, 3)} ms   p99 ${f(a.gateway.p99, 3)} ms`,
        `  added            p50 ${f(a.added.p50, 3)} ms   p99 ${f(a.added.p99, 3)} ms   (goal p99 <= 3 ms: ${a.added.p99 <= 3 ? 'met' : 'NOT met'})`,
        '',
        `throughput (${concurrency} concurrent, ${seconds}s each; load generator, stub and gateway share the machine):`,
        `  direct to stub   ${f(t.directRps, 0)} req/s`,
        `  gateway, no-op guard  ${f(t.gatewayNoGuardRps, 0)} req/s   ratio ${f(t.gatewayNoGuardRps / t.directRps, 3)} of direct`,
        `  through gateway  ${f(t.gatewayRps, 0)} req/s   p99 ${f(t.gatewayP99Ms)} ms   errors ${t.errors}   ratio ${f(t.ratio, 3)} of direct   (goal >= 3000 req/s: ${t.gatewayRps >= 3000 ? 'met' : 'NOT met'})`,
        `  decisions        ${Object.entries(t.decisions).map(([k, v]) => `${k} ${v}`).join(', ')}`,
        '',
        `streamed answer (${ANSWER.length} chars in 4-char chunks), time to first token, median of ${n} (paced: ${Math.max(3, Math.ceil(n / 3))}):`,
        `  upstream sends at once          direct ${f(st.instant.direct, 1)} ms   gateway, no-op guard ${f(st.instant.gatewayNoGuard, 1)} ms   gateway ${f(st.instant.gateway, 1)} ms   added ${f(st.instant.added, 1)} ms`,
        `  upstream paced (4 chars/${st.paced.chunkMs} ms)  direct ${f(st.paced.direct, 1)} ms   gateway, no-op guard ${f(st.paced.gatewayNoGuard, 1)} ms   gateway ${f(st.paced.gateway, 1)} ms   added ${f(st.paced.added, 1)} ms`,
        `  (the first window leaves after its first sentence and the next 100 characters were checked)`,
        '',
        `gateway CPU per request (from its process_cpu_seconds_total; independent of other load on the machine):`,
        `  no-op guard      ${f(result.cpu.noGuardUsPerReq, 0)} us`,
        `  policy guard     ${f(result.cpu.guardedUsPerReq, 0)} us   (guard on input + output: ${f(result.cpu.guardShareUsPerReq, 0)} us)`,
        `  => one free core sustains ~${f(result.cpu.projectedRpsPerCore, 0)} req/s; two gateway workers on two free cores ~${f(result.cpu.projectedRps2Cores, 0)} req/s (goal 3000)`,
        '',
      ].join('\n'),
    );
  } finally {
    for (const p of procs.reverse()) p.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Server roles end with their parent (even a killed one) and never outlive 15 minutes. */
function boundLifetime(): void {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, 1000).unref();
  setTimeout(() => process.exit(0), 15 * 60_000).unref();
}

const role = args.role;
if (role === 'stub' || role === 'gateway') boundLifetime();
const entry = role === 'stub' ? roleStub : role === 'gateway' ? roleGateway : role === 'load' ? roleLoad : main;
entry().catch((e: unknown) => {
  process.stderr.write(`bench:gateway: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
