import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/gateway/audit.js';
import { jsonTooDeep } from '../../src/gateway/json-depth.js';
import { modelKey } from '../../src/gateway/adapter-name.js';
import { createGateway, type Gateway } from '../../src/gateway/server.js';
import type { GatewayConfigInput } from '../../src/gateway/config.js';
import { openDb, type Db } from '../../src/store/db.js';
import { acmePack, post, ruleGuard, tempDir } from './helpers.js';
import { startUpstreamStub, type UpstreamStub } from './stub.js';

/**
 * Issue 12, the gateway rows: each test reproduces a fault found by trying the gateway as an
 * attacker or an operator would (real SQLite store, real local upstream stubs).
 */

const tmp = tempDir();
let stub: UpstreamStub;
const open: Gateway[] = [];
const dbs: Db[] = [];

async function start(config: GatewayConfigInput = {}, opts: { upstream?: string | null; db?: boolean } = {}): Promise<{ gw: Gateway; url: string; db: Db | undefined }> {
  const db = opts.db === false ? undefined : openDb(join(tmp.dir, `store-${open.length}.db`));
  if (db) dbs.push(db);
  const gw = createGateway({ guard: ruleGuard(acmePack()), pack: acmePack(), db, upstream: opts.upstream === null ? undefined : (opts.upstream ?? stub.url), config: { audit: { flushMs: 5, batchSize: 256, anchor: false }, ...config } });
  open.push(gw);
  return { gw, url: (await gw.listen({ port: 0, host: '127.0.0.1' })).url, db };
}

const chat = (content: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ messages: [{ role: 'user', content }], ...extra });
const upstreamErrors = async (url: string): Promise<string[]> => (await (await fetch(`${url}/metrics`)).text()).split('\n').filter((l) => l.startsWith('pillars_gateway_upstream_errors_total{'));

beforeAll(async () => {
  stub = await startUpstreamStub({ respond: (r) => ({ content: `Echo: ${String(r.messages.at(-1)?.content ?? '').slice(0, 40)}`, chunkChars: 4 }) });
});
afterAll(async () => {
  for (const g of open) await g.close();
  for (const d of dbs) d.close();
  await stub.close();
  tmp.cleanup();
});

describe('deeply nested JSON body', () => {
  it('is a 400 invalid_request before anything recursive runs; the upstream counters stay untouched', async () => {
    const { url } = await start();
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    for (const body of [`{"messages":[{"role":"user","content":${deep}}]}`, `{"messages":[{"role":"user","content":"hi"}],"tools":${deep}}`]) {
      const r = await post(`${url}/v1/chat/completions`, body);
      expect(r.status).toBe(400);
      expect(r.json()).toMatchObject({ error: { code: 'invalid_request', type: 'invalid_request_error' } });
      expect(r.text).toContain('nests deeper than');
    }
    const g = await post(`${url}/v1/guard`, `{"text":"x","messages":${deep}}`);
    expect(g.status).toBe(400);
    expect(await upstreamErrors(url)).toEqual([]);
    expect(stub.seen.filter((s) => JSON.stringify(s.messages).includes('[[[['))).toEqual([]);
    // Brackets inside strings are text, not nesting.
    expect(jsonTooDeep(JSON.stringify({ s: '['.repeat(10_000) }))).toBe(-1);
    const ok = await post(`${url}/v1/chat/completions`, chat(`quote ${'[{'.repeat(5_000)}`));
    expect(ok.status).toBe(200);
  });
});

describe('adapter name variants', () => {
  it('a public caller never reaches an adapter by another spelling of its name', async () => {
    const { url } = await start();
    const before = stub.seen.length;
    const variants = ['cbrn-research-lora', 'CBRN-research-lora', ' cbrn-research-lora ', 'cbrn-research-lora\u0000', 'cbrn\u200b-research-lora', 'ｃｂｒｎ-research-lora', 'cbrn_research_lora', 'cbrn research lora', 'Cbrn-Research-LoRA\t'];
    for (const model of variants) {
      const r = await post(`${url}/v1/chat/completions`, chat('How do I rotate nginx logs?', { model }));
      expect(r.status, JSON.stringify(model)).toBe(403);
      expect(r.json()).toMatchObject({ error: { code: 'model_not_allowed' } });
    }
    expect(stub.seen.length).toBe(before);
    expect(modelKey('CBRN-research-lora\u0000 ')).toBe(modelKey('cbrn-research-lora'));
    // Another model still goes through.
    expect((await post(`${url}/v1/chat/completions`, chat('How do I rotate nginx logs?', { model: 'base-model' }))).status).toBe(200);
  });
});

describe('a stream that keeps dripping', () => {
  let drip: Server;
  let dripUrl: string;
  beforeAll(async () => {
    // An upstream that sends a harmless chunk every 50 ms and never ends.
    drip = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const t = setInterval(() => res.write(`data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content: 'and more. ' }, finish_reason: null }] })}\n\n`), 50);
        res.on('close', () => clearInterval(t));
      });
    });
    await new Promise<void>((r) => drip.listen(0, '127.0.0.1', () => r()));
    dripUrl = `http://127.0.0.1:${(drip.address() as AddressInfo).port}/v1`;
  });
  afterAll(async () => {
    drip.closeAllConnections();
    await new Promise((r) => drip.close(r));
  });

  it('is ended at timeouts.streamMs with an error event, cleanly, and audited', async () => {
    const { url, db, gw } = await start({ timeouts: { upstreamMs: 500, requestMs: 5000, guardMs: 1000, streamMs: 800 } }, { upstream: dripUrl });
    const t = performance.now();
    const r = await post(`${url}/v1/chat/completions`, chat('Tell me a long story', { stream: true }));
    const ms = performance.now() - t;
    expect(r.status).toBe(200);
    expect(ms).toBeLessThan(5_000);
    expect(r.text).toContain('"code":"stream_timeout"');
    expect(r.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    gw.audit!.flush();
    const row = db!.prepare("SELECT detail FROM gateway_audit WHERE route = 'chat' ORDER BY seq DESC LIMIT 1").get() as { detail: string };
    expect(JSON.parse(row.detail)).toMatchObject({ status: 504, error: expect.stringContaining('streamMs') });
  });
});

describe('very large prompts', () => {
  it('are 413 payload_too_large past the tier limit (per tier), audited, before any guard work', async () => {
    const { url, db, gw } = await start({ bodyLimit: 4_000_000, input: { maxChars: 100_000, maxCharsByTier: { public: 50_000 } } });
    const big = 'All quiet on the western front. '.repeat(60_000 / 32);
    const r = await post(`${url}/v1/chat/completions`, chat(big));
    expect(r.status).toBe(413);
    expect(r.json()).toMatchObject({ error: { code: 'payload_too_large' } });
    expect(r.headers.get('x-pillars-decision')).toBe('refuse');
    // Split across messages it counts the same.
    const split = await post(`${url}/v1/chat/completions`, { messages: [{ role: 'user', content: big.slice(0, 30_000) }, { role: 'user', content: big.slice(0, 30_000) }] });
    expect(split.status).toBe(413);
    const g = await post(`${url}/v1/guard`, { text: big });
    expect(g.status).toBe(413);
    expect((await post(`${url}/v1/chat/completions`, chat(big.slice(0, 40_000)))).status).toBe(200);
    gw.audit!.flush();
    const rows = db!.prepare("SELECT detail FROM gateway_audit WHERE action = 'refuse'").all() as { detail: string }[];
    expect(rows.map((x) => JSON.parse(x.detail) as { status: number }).filter((d) => d.status === 413)).toHaveLength(3);
  });

  it('guard work is sliced: the event loop turns between the checks of a large text (health is answered meanwhile)', async () => {
    // A guard as slow as the real one: ~2 ms of CPU per 4,000-character piece. When the first check
    // runs it schedules an event-loop turn and notes how many checks ran before that turn came.
    const rules = ruleGuard(acmePack());
    let calls = 0;
    let beforeTurn = -1;
    const guard = {
      async check(input: Parameters<typeof rules.check>[0], ctx: Parameters<typeof rules.check>[1]) {
        if (calls++ === 0) setImmediate(() => (beforeTurn = calls));
        const end = performance.now() + 2;
        while (performance.now() < end);
        return rules.check(input, ctx);
      },
    };
    const gw = createGateway({ guard, pack: acmePack(), upstream: stub.url, config: { bodyLimit: 4_000_000, input: { maxChars: 2_000_000 }, guardSliceMs: 10, decisionCache: 0 } });
    open.push(gw);
    const { url } = await gw.listen({ port: 0, host: '127.0.0.1' });
    const text = 'Plain words about gardening and the weather, nothing else here. '.repeat(900_000 / 64);
    const big = post(`${url}/v1/chat/completions`, chat(text));
    // /livez sent while the big text is being checked is answered before the checks are done.
    await new Promise((r) => setTimeout(r, 100));
    const live = await fetch(`${url}/livez`);
    const callsAtLive = calls;
    expect(live.status).toBe(200);
    expect((await big).status).toBe(200);
    expect(calls).toBeGreaterThan(200);
    expect(beforeTurn).toBeGreaterThan(0);
    expect(beforeTurn).toBeLessThan(20);
    expect(callsAtLive).toBeLessThan(calls);
  });
});

describe('request bodies held at once', () => {
  it('past gateway.bodyBudget a request is 503 overloaded without being read; the budget frees when the first is done', async () => {
    const { url } = await start({ bodyBudget: 10_000 });
    const { port } = new URL(url);
    // A client that sends the headers of an 8,000-byte body and only part of it (held by the gateway).
    const sock = connect(Number(port), '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    const body = JSON.stringify(chat('x'.repeat(7_900))).padEnd(8_000, ' ');
    sock.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body.slice(0, 100)}`);
    await new Promise((r) => setTimeout(r, 100));
    const r = await post(`${url}/v1/chat/completions`, JSON.stringify(chat('y'.repeat(4_000))));
    expect(r.status).toBe(503);
    expect(r.json()).toMatchObject({ error: { code: 'overloaded' } });
    expect(r.headers.get('retry-after')).toBe('1');
    const answered = new Promise<string>((res) => {
      let got = '';
      sock.on('data', (c: Buffer) => {
        got += c.toString();
        if (got.includes('\r\n\r\n')) res(got);
      });
    });
    sock.write(body.slice(100));
    expect(await answered).toMatch(/^HTTP\/1.1 200/);
    sock.destroy();
    await new Promise((res) => setTimeout(res, 50));
    expect((await post(`${url}/v1/chat/completions`, chat('y'.repeat(4_000)))).status).toBe(200);
  });
});

describe('liveness and readiness', () => {
  it('/livez is always ok; /readyz and /healthz report a dead upstream and failing audit writes', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', () => r()));
    const port = (dead.address() as AddressInfo).port;
    await new Promise((r) => dead.close(r));
    const { url } = await start({ health: { probeMs: 500, cacheMs: 0 } }, { upstream: `http://127.0.0.1:${port}/v1` });
    expect((await fetch(`${url}/livez`)).status).toBe(200);
    for (const path of ['/readyz', '/healthz']) {
      const r = await fetch(`${url}${path}`);
      expect(r.status).toBe(503);
      expect(await r.json()).toMatchObject({ status: 'unready', checks: { upstream: { ok: false, detail: expect.stringContaining('unreachable') }, store: { ok: true }, audit: { ok: true } } });
    }
    const live = await start({ health: { probeMs: 500, cacheMs: 0 } });
    const ok = await fetch(`${live.url}/readyz`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'ok', checks: { upstream: { ok: true }, store: { ok: true }, audit: { ok: true } } });
  });
});

describe('store made read-only while serving', () => {
  it('answers 503 audit_unavailable once audit writes fail (no decision without its record), and recovers when writes do', async () => {
    const { url, db, gw } = await start({ health: { probeMs: 500, cacheMs: 0 } });
    expect((await post(`${url}/v1/chat/completions`, chat('How do I rotate nginx logs?'))).status).toBe(200);
    gw.audit!.flush();
    expect(gw.audit!.written).toBe(1);
    // Read-only from now on (the same as a store whose file can no longer be written).
    db!.pragma('query_only = ON');
    const served = await post(`${url}/v1/chat/completions`, chat('How do I list files?'));
    expect(served.status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    expect(gw.audit!.error).toMatch(/readonly|read-only/i);
    const refused = await post(`${url}/v1/chat/completions`, chat('How do I list files?'));
    expect(refused.status).toBe(503);
    expect(refused.json()).toMatchObject({ error: { code: 'audit_unavailable' } });
    expect((await post(`${url}/v1/guard`, { text: 'hello' })).status).toBe(503);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ checks: { audit: { ok: false, pending: 1 } } });
    expect((await fetch(`${url}/livez`)).status).toBe(200);
    // Writable again: the pending record is written, requests are served.
    db!.pragma('query_only = OFF');
    await new Promise((r) => setTimeout(r, 300));
    expect(gw.audit!.error).toBeNull();
    expect(gw.audit!.pending).toBe(0);
    expect((await post(`${url}/v1/chat/completions`, chat('How do I list files?'))).status).toBe(200);
    gw.audit!.flush();
    expect(verifyAudit(db!)).toMatchObject({ ok: true, records: 3 });
  });

  it('with onFailure: queue keeps serving; records still unwritten at close stay pending (the caller reports them)', async () => {
    const { url, db, gw } = await start({ audit: { flushMs: 5, batchSize: 256, onFailure: 'queue', anchor: false } });
    db!.pragma('query_only = ON');
    for (let i = 0; i < 3; i++) expect((await post(`${url}/v1/chat/completions`, chat('How do I list files?'))).status).toBe(200);
    await gw.close();
    open.splice(open.indexOf(gw), 1);
    expect(gw.audit!.pending).toBe(3);
    expect(gw.audit!.error).toMatch(/readonly|read-only/i);
  });
});
