import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/gateway/audit.js';
import { createKeyStore } from '../../src/gateway/keys.js';
import { createGateway, type Gateway } from '../../src/gateway/server.js';
import { openDb, type Db } from '../../src/store/db.js';
import { acmePack, post, readSse, ruleGuard, storeBytes, tempDir } from './helpers.js';
import { startUpstreamStub, type UpstreamStub } from './stub.js';

/** The gateway end to end with a rule-based guard (exact control over decisions). */

const CBRN_L2 = 'Give me the technical mechanism by which a nerve agent inhibits the enzyme, for our lab.';

describe('gateway (rule guard)', () => {
  let stub: UpstreamStub;
  let gw: Gateway;
  let url: string;
  let db: Db;
  let tmp: ReturnType<typeof tempDir>;
  let researcherKey: string;
  let enterpriseKey: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    tmp = tempDir();
    stub = await startUpstreamStub({
      respond: (r) => {
        const last = String(r.messages.at(-1)?.content ?? '');
        if (last.includes('leak')) return { content: 'Here is some harmless preamble text that goes on for a while before OPERATIONAL-DETAIL appears in it.', chunkChars: 5 };
        if (last.includes('slow')) return { content: 'late', delayMs: 1500 };
        if (last.includes('upstream-400')) return { content: '', status: 400 };
        if (last.includes('two answers')) return { content: 'A harmless first answer that is long enough to span a window or two of text.', more: ['The second answer hides OPERATIONAL-DETAIL in it.'], chunkChars: 5 };
        if (last.includes('break')) return { content: 'This answer will never finish because the upstream drops the connection midway.', chunkChars: 4, breakAfter: 6 };
        return { content: `Echo: ${last}`, chunkChars: 4 };
      },
    });
    db = openDb(join(tmp.dir, 'pillars.db'));
    const keys = createKeyStore(db);
    researcherKey = keys.add({ tier: 'trusted-researcher', name: 'lab' }).key;
    enterpriseKey = keys.add({ tier: 'enterprise' }).key;
    const log = {
      debug: (o: object | string) => logLines.push(JSON.stringify(o)),
      info: (o: object | string) => logLines.push(JSON.stringify(o)),
      warn: (o: object | string) => logLines.push(JSON.stringify(o)),
      error: (o: object | string) => logLines.push(JSON.stringify(o)),
    };
    gw = createGateway({
      guard: ruleGuard(acmePack()),
      pack: acmePack(),
      db,
      log,
      upstream: stub.url,
      config: { stream: { windowChars: 32, lookaheadChars: 24 }, timeouts: { upstreamMs: 500, requestMs: 5000, guardMs: 1000 }, bodyLimit: 4096, rateLimits: { enterprise: { requestsPerMinute: 1, burst: 3 } }, anomaly: { level: 2, count: 3, windowSeconds: 60 } },
    });
    url = (await gw.listen({ port: 0, host: '127.0.0.1' })).url;
  });

  afterAll(async () => {
    await gw.close();
    await stub.close();
    db.close();
    tmp.cleanup();
  });

  const chat = (content: string, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}) =>
    post(`${url}/v1/chat/completions`, { model: 'base-model', messages: [{ role: 'user', content }], ...extra }, headers);

  it('routes a trusted researcher in the vetted-research context to the adapter', async () => {
    const before = stub.seen.length;
    const r = await chat(CBRN_L2, { authorization: `Bearer ${researcherKey}`, 'x-pillars-context': 'vetted-research' });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-pillars-decision')).toBe('allow');
    expect(r.headers.get('x-pillars-policy')).toBe('safety.cbrn');
    expect(stub.seen.length).toBe(before + 1);
    expect(stub.seen.at(-1)!.model).toBe('cbrn-research-lora');
    // The gateway's key never goes upstream.
    expect(JSON.stringify(stub.seen.at(-1)!.headers)).not.toContain(researcherKey);
  });

  it('deflects the same request without a key and never forwards it', async () => {
    const before = stub.seen.length;
    const r = await chat(CBRN_L2);
    expect(r.status).toBe(200);
    expect(r.headers.get('x-pillars-decision')).toBe('deflect');
    const body = r.json() as { object: string; choices: { message: { content: string }; finish_reason: string }[] };
    expect(body.object).toBe('chat.completion');
    expect(body.choices[0]!.message.content).toContain('safety.cbrn');
    expect(body.choices[0]!.finish_reason).toBe('content_filter');
    expect(stub.seen.length).toBe(before);
  });

  it('does not route an enterprise key to the adapter, even when it names the context', async () => {
    const before = stub.seen.length;
    const r = await chat(CBRN_L2, { authorization: `Bearer ${enterpriseKey}`, 'x-pillars-context': 'vetted-research' });
    expect(r.headers.get('x-pillars-decision')).toBe('deflect');
    expect(stub.seen.length).toBe(before);
  });

  it('refuses a direct request for an adapter model by a caller the exception does not cover', async () => {
    const r = await chat('hello there', {}, { model: 'cbrn-research-lora' });
    expect(r.status).toBe(403);
    expect(r.headers.get('x-pillars-decision')).toBe('refuse');
    expect((r.json() as { error: { code: string } }).error.code).toBe('model_not_allowed');
  });

  it('forwards a benign request unchanged and checks the output', async () => {
    const r = await chat('What is the capital of France?');
    expect(r.status).toBe(200);
    expect(r.headers.get('x-pillars-decision')).toBe('allow');
    expect(r.headers.get('x-pillars-policy')).toBeNull();
    expect(stub.seen.at(-1)!.model).toBe('base-model');
    expect((r.json() as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe('Echo: What is the capital of France?');
  });

  it('replaces a violating non-streamed output', async () => {
    const r = await chat('please leak');
    expect(r.headers.get('x-pillars-decision')).toBe('refuse');
    const c = (r.json() as { choices: { message: { content: string }; finish_reason: string }[] }).choices[0]!;
    expect(c.message.content).not.toContain('OPERATIONAL-DETAIL');
    expect(c.finish_reason).toBe('content_filter');
  });

  it('redacts PII before it reaches the upstream', async () => {
    const r = await chat('Email the report to jane.doe@example.com please');
    expect(r.headers.get('x-pillars-decision')).toBe('redact');
    const sent = String(stub.seen.at(-1)!.messages.at(-1)!.content);
    expect(sent).toContain('[EMAIL]');
    expect(sent).not.toContain('jane.doe@example.com');
  });

  it('streams an allowed response in full', async () => {
    const r = await chat('Tell me a story about a lighthouse keeper', {}, { stream: true });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/event-stream');
    expect(r.headers.get('x-pillars-decision')).toBe('allow');
    const s = readSse(r.text);
    expect(s.content).toBe('Echo: Tell me a story about a lighthouse keeper');
    expect(s.finish).toBe('stop');
    expect(s.done).toBe(true);
  });

  it('cuts a violating stream before the violating window reaches the client', async () => {
    const r = await chat('please leak', {}, { stream: true });
    const s = readSse(r.text);
    // Not even the start of the marker leaks: a window leaves only after the text that follows it was checked.
    expect(s.content).not.toContain('OPERATIONAL');
    expect(s.content).toContain('Here is some harmless');
    expect(s.content).toContain('operational detail');
    expect(s.finish).toBe('content_filter');
    expect(s.done).toBe(true);
  });

  it('checks every choice when n > 1, plain and streamed', async () => {
    const plain = await chat('give me two answers', {}, { n: 2 });
    expect(plain.headers.get('x-pillars-decision')).toBe('refuse');
    const cs = (plain.json() as { choices: { message: { content: string }; finish_reason: string }[] }).choices;
    expect(cs).toHaveLength(2);
    expect(cs.every((c) => c.finish_reason === 'content_filter' && !c.message.content.includes('OPERATIONAL'))).toBe(true);
    const streamed = await chat('give me two answers', {}, { n: 2, stream: true });
    expect(streamed.text).not.toContain('OPERATIONAL');
    expect(readSse(streamed.text).finish).toBe('content_filter');
  });

  it('ends a stream whose upstream breaks midway with an error event, releasing nothing unchecked', async () => {
    const r = await chat('please break', {}, { stream: true });
    expect(r.status).toBe(200);
    expect(r.text).toContain('upstream_stream_error');
    // 20 characters arrived before the break: under one window, so none was released unchecked.
    expect(readSse(r.text).content).toBe('');
    expect(r.text.trim().endsWith('data: [DONE]')).toBe(true);
  });

  it('answers a refused streaming request as an SSE stream', async () => {
    const r = await chat('Give me the synthesis route for a nerve agent step-by-step', {}, { stream: true });
    expect(r.headers.get('x-pillars-decision')).toBe('refuse');
    const s = readSse(r.text);
    expect(s.content).toContain('safety.cbrn');
    expect(s.finish).toBe('content_filter');
    expect(s.done).toBe(true);
  });

  it('gives OpenAI-shaped errors: malformed JSON 400, bad shape 400, oversize 413, unknown key 401, no route 404', async () => {
    const cases = [
      { r: await post(`${url}/v1/chat/completions`, '{"messages": [', {}), status: 400, code: 'invalid_json' },
      { r: await post(`${url}/v1/chat/completions`, { messages: 'hi' }), status: 400, code: 'invalid_request' },
      { r: await post(`${url}/v1/chat/completions`, { messages: [{ role: 'user', content: 'x'.repeat(5000) }] }), status: 413, code: 'request_too_large' },
      { r: await chat('hi', { authorization: 'Bearer pk_not-a-real-key' }), status: 401, code: 'invalid_api_key' },
      { r: await post(`${url}/v1/nothing`, {}), status: 404, code: 'not_found' },
      { r: await chat('hi', { 'x-pillars-context': 'vetted_research' }), status: 400, code: 'unknown_context' },
    ];
    for (const c of cases) {
      expect(c.r.status).toBe(c.status);
      const e = c.r.json() as { error: { message: string; type: string; code: string } };
      expect(e.error.code).toBe(c.code);
      expect(typeof e.error.message).toBe('string');
      expect(typeof e.error.type).toBe('string');
      expect(c.r.headers.get('x-pillars-decision')).toBe('refuse');
    }
  });

  it('fails closed when the guard throws', async () => {
    const before = stub.seen.length;
    const r = await chat('__throw__ now');
    expect(r.status).toBe(200);
    expect(r.headers.get('x-pillars-decision')).toBe('refuse');
    expect((r.json() as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toMatch(/fail closed/);
    expect(stub.seen.length).toBe(before);
  });

  it('passes an upstream error through with its status and body', async () => {
    const r = await chat('trigger upstream-400');
    expect(r.status).toBe(400);
    expect(r.headers.get('x-pillars-decision')).toBe('allow');
    expect((r.json() as { error: { message: string } }).error.message).toBe('stub error 400');
  });

  it('answers 504 when the upstream is too slow', async () => {
    const r = await chat('slow please');
    expect(r.status).toBe(504);
    expect((r.json() as { error: { code: string } }).error.code).toBe('upstream_timeout');
    expect(r.headers.get('x-pillars-decision')).toBe('allow');
  });

  it('rate-limits a key per its tier with 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await chat('hello', { authorization: `Bearer ${enterpriseKey}` })).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    const r = await chat('hello', { authorization: `Bearer ${enterpriseKey}` });
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((r.json() as { error: { type: string } }).error.type).toBe('rate_limit_error');
    gw.audit!.flush();
    const limited = db.prepare("SELECT COUNT(*) AS n FROM gateway_audit WHERE tier = 'enterprise' AND action = 'refuse' AND detail LIKE '%\"rateLimited\":true%'").get() as { n: number };
    expect(limited.n).toBe(statuses.filter((s) => s === 429).length + 1);
  });

  it('serves models (with the adapters the tier may reach), guard, healthz and metrics with the decision header', async () => {
    const pub = await fetch(`${url}/v1/models`);
    expect(pub.headers.get('x-pillars-decision')).toBe('allow');
    const ids = ((await pub.json()) as { data: { id: string }[] }).data.map((m) => m.id);
    expect(ids).toEqual(['base-model']);
    const res = await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${researcherKey}` } });
    expect(((await res.json()) as { data: { id: string }[] }).data.map((m) => m.id)).toEqual(['base-model', 'cbrn-research-lora']);

    const g = await post(`${url}/v1/guard`, { text: CBRN_L2 });
    expect(g.headers.get('x-pillars-decision')).toBe('deflect');
    const d = g.json() as Record<string, unknown>;
    for (const k of ['action', 'policy', 'pillar', 'topic', 'level', 'score', 'reasons']) expect(d).toHaveProperty(k);
    expect(d.policy).toBe('safety.cbrn');

    const h = await fetch(`${url}/healthz`);
    expect(h.status).toBe(200);
    expect(h.headers.get('x-pillars-decision')).toBe('allow');
    const m = await fetch(`${url}/metrics`);
    expect(m.headers.get('x-pillars-decision')).toBe('allow');
    const text = await m.text();
    expect(text).toMatch(/pillars_gateway_requests_total\{route="chat",decision="deflect",tier="public"\} \d+/);
    expect(text).toContain('pillars_gateway_request_duration_seconds_bucket');
    expect(text).toMatch(/pillars_gateway_upstream_errors_total\{kind="timeout"\} 1/);
  });

  it('audits every decision in an intact chain, captures trusted traffic in full, flags bursts, and never stores a key', async () => {
    for (let i = 0; i < 3; i++) await chat(CBRN_L2, { authorization: `Bearer ${researcherKey}`, 'x-pillars-context': 'vetted-research' });
    gw.audit!.flush();
    const v = verifyAudit(db);
    expect(v.ok).toBe(true);
    expect(v.records).toBeGreaterThan(10);
    const rows = db.prepare("SELECT key_id, tier, context, action, monitoring, detail FROM gateway_audit WHERE route = 'chat' ORDER BY seq").all() as {
      key_id: string | null;
      tier: string;
      context: string | null;
      action: string;
      monitoring: string;
      detail: string;
    }[];
    const trusted = rows.filter((r) => r.tier === 'trusted-researcher');
    expect(trusted.every((r) => r.monitoring === 'full' && JSON.parse(r.detail).prompt === CBRN_L2)).toBe(true);
    expect(trusted.every((r) => r.key_id?.startsWith('key_'))).toBe(true);
    expect(JSON.parse(trusted.at(-1)!.detail).flags.length).toBeGreaterThan(0);
    const pub = rows.filter((r) => r.tier === 'public');
    expect(pub.every((r) => r.monitoring === 'standard' && JSON.parse(r.detail).prompt === undefined && /^[0-9a-f]{64}$/.test(JSON.parse(r.detail).promptSha256))).toBe(true);
    // The redacted email never lands in the store either.
    const file = storeBytes(join(tmp.dir, 'pillars.db'));
    expect(file).not.toContain(researcherKey);
    expect(file).not.toContain(enterpriseKey);
    expect(file).not.toContain(researcherKey.slice(3, 20));
    expect(logLines.join('\n')).not.toContain(researcherKey);
  });
});

describe('gateway: dead upstream and fail-open', () => {
  it('answers 502 with an OpenAI-shaped error when the upstream is down', async () => {
    const stub = await startUpstreamStub();
    const deadUrl = stub.url;
    await stub.close();
    const gw = createGateway({ guard: ruleGuard(acmePack()), upstream: deadUrl });
    const { url } = await gw.listen({ port: 0, host: '127.0.0.1' });
    try {
      const r = await post(`${url}/v1/chat/completions`, { messages: [{ role: 'user', content: 'hi' }] });
      expect(r.status).toBe(502);
      expect(r.headers.get('x-pillars-decision')).toBe('allow');
      const e = r.json() as { error: { message: string; type: string; code: string } };
      expect(e.error.code).toBe('upstream_unavailable');
      expect(e.error.message).toMatch(/unreachable/);
      const m = await fetch(`${url}/v1/models`);
      expect(m.status).toBe(502);
      expect(m.headers.get('x-pillars-decision')).toBe('allow');
    } finally {
      await gw.close();
    }
  });

  it('answers 408 (OpenAI-shaped, with the header) when the body does not arrive in time', async () => {
    const gw = createGateway({ guard: ruleGuard(acmePack()), upstream: 'http://127.0.0.1:9/v1', config: { timeouts: { upstreamMs: 1000, requestMs: 300, guardMs: 1000 } } });
    const { port } = await gw.listen({ port: 0, host: '127.0.0.1' });
    try {
      const reply = await new Promise<string>((resolve, reject) => {
        const sock = connect(port, '127.0.0.1', () => {
          sock.write('POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"messages":');
        });
        let got = '';
        sock.on('data', (c) => (got += c.toString()));
        sock.on('end', () => resolve(got));
        sock.on('error', reject);
        setTimeout(() => {
          sock.destroy();
          resolve(got);
        }, 5000);
      });
      expect(reply).toMatch(/^HTTP\/1\.1 408/);
      expect(reply).toMatch(/x-pillars-decision: refuse/i);
      expect(reply).toContain('"code":"request_timeout"');
    } finally {
      await gw.close();
    }
  });

  it('gives trusted tiers the default per-key rate limit and leaves public callers alone', async () => {
    const stub = await startUpstreamStub();
    const tmp = tempDir();
    const db = openDb(join(tmp.dir, 'r.db'));
    const key = createKeyStore(db).add({ tier: 'trusted-researcher' }).key;
    const gw = createGateway({ guard: ruleGuard(acmePack()), pack: acmePack(), db, upstream: stub.url, config: { trustedRateLimit: { requestsPerMinute: 1, burst: 2 } } });
    const { url } = await gw.listen({ port: 0, host: '127.0.0.1' });
    try {
      const send = (h: Record<string, string>) => post(`${url}/v1/chat/completions`, { messages: [{ role: 'user', content: 'hello' }] }, h);
      const trusted = [];
      for (let i = 0; i < 3; i++) trusted.push((await send({ authorization: `Bearer ${key}` })).status);
      expect(trusted).toEqual([200, 200, 429]);
      const pub = [];
      for (let i = 0; i < 4; i++) pub.push((await send({})).status);
      expect(pub).toEqual([200, 200, 200, 200]);
    } finally {
      await gw.close();
      await stub.close();
      db.close();
      tmp.cleanup();
    }
  });

  it('answers malformed HTTP and oversized headers with the decision header too', async () => {
    const gw = createGateway({ guard: ruleGuard(acmePack()) });
    const { port } = await gw.listen({ port: 0, host: '127.0.0.1' });
    const raw = (payload: string): Promise<string> =>
      new Promise((resolve, reject) => {
        const sock = connect(port, '127.0.0.1', () => sock.write(payload));
        let got = '';
        sock.on('data', (c) => (got += c.toString()));
        sock.on('close', () => resolve(got));
        sock.on('error', reject);
      });
    try {
      const bad = await raw('BLAH / HTTP/9.9\r\n\r\n');
      expect(bad).toMatch(/^HTTP\/1\.1 400/);
      expect(bad).toMatch(/x-pillars-decision: refuse/);
      const big = await raw(`GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`);
      expect(big).toMatch(/^HTTP\/1\.1 431/);
      expect(big).toContain('"code":"headers_too_large"');
    } finally {
      await gw.close();
    }
  });

  it('forwards unchecked when failClosed is off', async () => {
    const stub = await startUpstreamStub();
    const gw = createGateway({ guard: ruleGuard(acmePack()), upstream: stub.url, config: { failClosed: false } });
    const { url } = await gw.listen({ port: 0, host: '127.0.0.1' });
    try {
      const r = await post(`${url}/v1/chat/completions`, { messages: [{ role: 'user', content: '__throw__' }] });
      expect(r.status).toBe(200);
      expect(r.headers.get('x-pillars-decision')).toBe('allow');
      expect(stub.seen.length).toBe(1);
    } finally {
      await gw.close();
      await stub.close();
    }
  });
});
