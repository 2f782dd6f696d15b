/**
 * `npm run bench:gateway-store`: what a shared store costs a gateway request (issue 16).
 *
 * The same keyed requests (Authorization: Bearer, no-op guard, so the store is what differs) go
 * through one gateway on:
 *   - sqlite: the embedded default (key lookup and audit in the local file, limits in memory);
 *   - postgres: keys read from PostgreSQL on every request, audit appended there;
 *   - postgres+redis: the same, with the per-key rate limit counted in Redis (a limit high enough
 *     never to refuse: only its cost is measured).
 * Each configuration runs for --seconds (default 5) at --concurrency (default 32) after a warm-up,
 * in the same process, in the same order, for --rounds rounds (default 2: the first round also
 * warms the process, so the figures printed are the last round's); the figures are req/s,
 * p50/p99 latency and the ratio against the SQLite run of the same round. Needs PostgreSQL (PILLARS_TEST_PG or
 * 127.0.0.1:5432/test) and Redis (127.0.0.1:6379); a schema of its own is dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { Pool } from 'undici';
import { defaultPackPath } from '../src/core/paths.js';
import { openGatewayBackend } from '../src/gateway/backend.js';
import { createGateway } from '../src/gateway/server.js';
import { loadPack } from '../src/policy/load.js';
import { openStore } from '../src/store/open.js';
import { startOpenAIStub } from '../src/targets/testing/openai-stub.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, concurrency: { type: 'string', default: '32' }, rounds: { type: 'string', default: '2' }, json: { type: 'boolean', default: false } } });
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const PG = process.env.PILLARS_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS = `redis://${process.env.PILLARS_TEST_REDIS ?? '127.0.0.1:6379'}/14`;

const pack = loadPack(defaultPackPath).pack;
const guard = { check: async () => ({ action: 'allow' as const, policy: null, pillar: null, topic: null, level: null, score: 0, stage: 'embedded' as const, reasons: [] }) };
const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'What does a database index do?' }] });

async function load(url: string, key: string, ms: number): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
  const u = new URL(url);
  const pool = new Pool(u.origin, { connections: concurrency });
  const lat: number[] = [];
  let errors = 0;
  const until = performance.now() + ms;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const t = performance.now();
        const r = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body });
        await r.body.text();
        if (r.statusCode !== 200) errors++;
        lat.push(performance.now() - t);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  await pool.close();
  lat.sort((a, b) => a - b);
  return { rps: lat.length / secs, p50: lat[Math.floor(lat.length * 0.5)]!, p99: lat[Math.floor(lat.length * 0.99)]!, errors };
}

async function main(): Promise<void> {
  const stub = await startOpenAIStub({ record: false, respond: () => 'An index lets the database find rows without reading the whole table.' });
  const dir = mkdtempSync(join(tmpdir(), 'pillars-gwstore-'));
  const schema = `pillars_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const configs = [
    { name: 'sqlite', location: join(dir, 'bench.db'), redis: undefined },
    { name: 'postgres', location: `${PG}?schema=${schema}`, redis: undefined },
    { name: 'postgres+redis', location: `${PG}?schema=${schema}`, redis: REDIS },
  ];
  let rows: { name: string; rps: number; p50: number; p99: number; errors: number; ratio: number }[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
    rows = [];
    for (const c of configs) {
      const store = await openStore(c.location);
      const backend = await openGatewayBackend(store);
      const { key } = await backend.keys.add({ tier: 'enterprise', name: 'bench' });
      const gw = createGateway({
        guard,
        pack,
        backend,
        upstream: stub.url,
        config: { port: 0, decisionCache: 0, checkOutput: false, redis: c.redis, rateLimits: { enterprise: { requestsPerMinute: 60_000_000, burst: 1_000_000 } } },
      });
      const { url } = await gw.listen({ port: 0, host: '127.0.0.1' });
      await load(url, key, 1000); // warm-up: connections, JIT, pools
      const r = await load(url, key, seconds * 1000);
      await gw.close();
      await store.close();
      rows.push({ name: c.name, ...r, ratio: rows.length ? r.rps / rows[0]!.rps : 1 });
    }
    }
  } finally {
    await stub.close();
    rmSync(dir, { recursive: true, force: true });
    const sql = postgres(PG, { max: 1, onnotice: () => {} });
    await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await sql.end({ timeout: 1 });
  }
  if (values.json) return void process.stdout.write(`${JSON.stringify({ seconds, concurrency, rows }, null, 2)}\n`);
  process.stdout.write(`gateway on each store: keyed requests, no-op guard, ${concurrency} in flight, ${seconds} s each, round ${rounds} of ${rounds} (one process: load, gateway, stub)\n`);
  for (const r of rows) {
    process.stdout.write(`  ${r.name.padEnd(15)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  errors ${r.errors}  ${r.ratio.toFixed(2)}x sqlite\n`);
  }
}

await main();
