import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgSchema, redisUrl, requirePg, requireRedis, SKIP_PG, SKIP_REDIS } from '../helpers/services.js';
import { post, tempDir } from './helpers.js';
import { startUpstreamStub, type UpstreamStub } from './stub.js';

/**
 * Issue 16: gateways side by side. Two `pillars serve` processes on one PostgreSQL store and one
 * Redis: a key revoked through the CLI is refused by both at once; a key's rate limit holds across
 * both; traffic through both (at the same time) forms one audit chain, signed by both with the
 * configured key, that `pillars audit verify` passes and fails once a row is edited.
 */

const MAIN = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');
const BURST = 6;

describe.skipIf(SKIP_PG || SKIP_REDIS)('two gateways on one PostgreSQL store and one Redis', () => {
  const tmp = tempDir();
  const schema = pgSchema();
  const env = { ...process.env, PILLARS_STORE: schema.url, PILLARS_LOG: 'warn' };
  const config = join(tmp.dir, 'pillars.yaml');
  let stub: UpstreamStub;
  const procs: ChildProcess[] = [];
  const urls: string[] = [];
  const exits: Promise<number | null>[] = [];
  const stderr: string[] = [];

  // Asynchronous: a blocked event loop would leave the test's idle keep-alive sockets to the gateways stale.
  const cli = (...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', MAIN, ...args, '--config', config], { env, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
    });
  const addKey = async (name: string): Promise<{ key: string; id: string }> => {
    const r = await cli('keys', 'add', '--tier', 'enterprise', '--name', name, '--json');
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { key: string; id: string };
  };
  const ask = (url: string, key: string, text = 'What is a good way to learn SQL joins?'): ReturnType<typeof post> =>
    post(`${url}/v1/chat/completions`, { model: 'm', messages: [{ role: 'user', content: text }] }, { authorization: `Bearer ${key}` });

  beforeAll(async () => {
    requirePg();
    requireRedis();
    stub = await startUpstreamStub({ respond: () => 'An inner join keeps the rows that match on both sides.' });
    // One limit for the enterprise tier: BURST requests per key, refilled at one per 10 s (slow, so a
    // loaded CI machine cannot refill the bucket while the test runs).
    writeFileSync(
      config,
      [
        'gateway:',
        `  redis: ${redisUrl()}`,
        '  rateLimits:',
        `    enterprise: {requestsPerMinute: ${BURST}, burst: ${BURST}}`,
        '  audit: {flushMs: 5, batchSize: 64, anchor: {every: 10, seconds: 1, keyFile: audit-key.pem}}',
        '',
      ].join('\n'),
    );
    for (let i = 0; i < 2; i++) {
      const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--port', '0', '--upstream', stub.url, '--config', config, '--no-ui'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      procs.push(proc);
      stderr[i] = '';
      exits.push(new Promise((resolve) => proc.once('exit', (code) => resolve(code))));
      urls.push(
        await new Promise<string>((resolve, reject) => {
          proc.stderr!.on('data', (c: Buffer) => {
            stderr[i] += c.toString();
            const m = /pillars gateway on (http:\/\/\S+)/.exec(stderr[i]!);
            if (m) resolve(m[1]!);
          });
          void exits[i]!.then((code) => reject(new Error(`serve ${i} exited (${code}): ${stderr[i]}`)));
        }),
      );
    }
  }, 120_000);

  afterAll(async () => {
    for (const p of procs) p.kill('SIGKILL');
    await stub?.close();
    await schema.drop();
    tmp.cleanup();
  });

  it('both instances say where their data lives', () => {
    for (const s of stderr) expect(s).toMatch(/audit postgres:\/\/.*, rate limits shared on Redis/);
  });

  it('a key revoked through the CLI is refused by both gateways at once', async () => {
    const { key, id } = await addKey('revoked-soon');
    const [a, b] = urls as [string, string];
    expect((await ask(a, key)).status).toBe(200);
    expect((await ask(b, key)).status).toBe(200);
    const r = await cli('keys', 'revoke', id, '--json');
    expect(r.code, r.stderr).toBe(0);
    // No wait: the very next request to either instance is refused.
    const [ra, rb] = await Promise.all([ask(a, key), ask(b, key)]);
    expect(rb.status).toBe(401);
    expect(ra.status).toBe(401);
    expect(rb.json()).toMatchObject({ error: { code: 'invalid_api_key' } });
  });

  it("a key's rate limit holds across both gateways", async () => {
    const { key } = await addKey('limited');
    const [a, b] = urls as [string, string];
    // 10 requests, alternating between the instances, well inside one refill (10 s).
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await ask(i % 2 ? b : a, key)).status);
    const ok = statuses.filter((s) => s === 200).length;
    const limited = statuses.filter((s) => s === 429).length;
    // Each instance alone would have allowed BURST (10 in all): together they allow BURST (+1 refilled at most).
    expect(ok, statuses.join(',')).toBeGreaterThanOrEqual(BURST);
    expect(ok, statuses.join(',')).toBeLessThanOrEqual(BURST + 1);
    expect(limited).toBe(10 - ok);
    // Both instances refused some: the count is shared, not per process.
    expect(statuses.filter((s, i) => s === 429 && i % 2 === 0).length).toBeGreaterThan(0);
    expect(statuses.filter((s, i) => s === 429 && i % 2 === 1).length).toBeGreaterThan(0);
  });

  it('traffic through both forms one audit chain that verifies, and fails after one row is edited', async () => {
    const keys = [(await addKey('load-1')).key, (await addKey('load-2')).key, (await addKey('load-3')).key];
    const [a, b] = urls as [string, string];
    // At the same time through both instances (3 keys x 5 requests each, under each key's burst).
    const replies = await Promise.all(keys.flatMap((k, j) => Array.from({ length: 5 }, (_, i) => ask((i + j) % 2 ? b : a, k, `Explain database index number ${i}.`)))).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}\n--- gateway A:\n${stderr[0]}\n--- gateway B:\n${stderr[1]}`);
    });
    expect(replies.every((r) => r.status === 200)).toBe(true);
    // SIGTERM: each instance flushes its queue and signs its head.
    for (const p of procs) p.kill('SIGTERM');
    expect(await Promise.all(exits)).toEqual([0, 0]);

    const sql = postgres(schema.url.replace(/\?schema=.*/, ''), { max: 1, onnotice: () => {}, connection: { search_path: new URL(schema.url).searchParams.get('schema')! } });
    try {
      const ids = await sql<{ request_id: string }[]>`SELECT request_id FROM gateway_audit ORDER BY seq`;
      // Request ids carry each instance's prefix: both wrote into the one chain.
      const prefixes = new Set(ids.map((r) => /^req_([0-9a-f]{12})_/.exec(r.request_id)?.[1]));
      expect(prefixes.size).toBe(2);
      const [cp] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM gateway_audit_checkpoints`;
      expect(cp!.n).toBeGreaterThanOrEqual(2);

      const ok = await cli('audit', 'verify', '--json');
      expect(ok.code, ok.stderr).toBe(0);
      const v = JSON.parse(ok.stdout) as { ok: boolean; records: number; checkpoints: { count: number; keySource: string } };
      expect(v.ok).toBe(true);
      expect(v.records).toBe(ids.length);
      expect(v.checkpoints.keySource).toBe('key-file');
      // 2 answered before the revocation (a 401 decides nothing), 10 answered or rate-limited, 15 under load.
      expect(v.records).toBe(2 + 10 + 15);

      await sql`UPDATE gateway_audit SET action = 'allow', tier = 'trusted-researcher' WHERE seq = 7`;
      const bad = await cli('audit', 'verify', '--json');
      expect(bad.code).toBe(1);
      expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, firstBad: { seq: 7, reason: expect.stringMatching(/edited/) } });
      const text = await cli('audit', 'verify');
      expect(text.stdout).toMatch(/audit log BROKEN at record 7/);
    } finally {
      await sql.end({ timeout: 1 });
    }
  }, 120_000);
});
