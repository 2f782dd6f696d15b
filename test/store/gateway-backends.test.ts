import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog, exportAuditStore, verifyAuditStore, type AuditEntry } from '../../src/gateway/audit.js';
import { anchorAuditStore } from '../../src/gateway/audit-anchor.js';
import { loadOrCreateSigningKey } from '../../src/gateway/audit-key.js';
import { openGatewayBackend, type GatewayBackend } from '../../src/gateway/backend.js';
import { createRedisAnomalyDetector, createRedisRateLimiter } from '../../src/gateway/limits.js';
import { connectSharedRedis, type SharedRedis } from '../../src/gateway/redis.js';
import { createEscalationTracker, redisConversations, type Trajectory } from '../../src/gateway/escalation.js';
import { EscalationConfig } from '../../src/gateway/rails-config.js';
import { loadPack } from '../../src/policy/load.js';
import { defaultPackPath } from '../../src/core/paths.js';
import { createGateway } from '../../src/gateway/server.js';
import type { Decision, Guard } from '../../src/core/types.js';
import { startOpenAIStub } from '../../src/targets/testing/openai-stub.js';
import { openStore, type OpenStore } from '../../src/store/open.js';
import { tempDir } from '../eval/helpers.js';
import { pgSchema, redisUrl, requirePg, requireRedis, SKIP_PG, SKIP_REDIS } from '../helpers/services.js';

/**
 * The gateway's data on both backends (issue 16): keys, held tool calls and the audit chain give
 * the same answers on SQLite and PostgreSQL, and two writers on one store form one chain.
 */

const allowAll: Guard = { check: async () => ({ action: 'allow', policy: null, pillar: null, topic: null, level: null, score: 0, stage: 'embedded', reasons: [] }) };

const tmp = tempDir();
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const d of drops) await d();
  tmp.cleanup();
});

let n = 0;
function location(backend: 'sqlite' | 'postgres'): string {
  if (backend === 'sqlite') return join(tmp.dir, `g${++n}.db`);
  const s = pgSchema();
  drops.push(s.drop);
  return s.url;
}

const entry = (i: number, who: string): AuditEntry => ({
  ts: new Date(Date.UTC(2026, 11, 4, 10, 0, i)).toISOString(),
  requestId: `req_${who}_${i}`,
  keyId: null,
  tier: 'public',
  context: null,
  route: 'chat',
  action: i % 7 === 0 ? 'refuse' : 'allow',
  policy: i % 7 === 0 ? 'safety.cbrn' : null,
  pillar: null,
  topic: null,
  level: i % 4,
  score: i / 3,
  stage: 'embedded',
  monitoring: 'standard',
  detail: { n: i, who, nested: { z: 1, a: [1, 2] } },
});

describe.each([
  { backend: 'sqlite' as const, skip: false },
  { backend: 'postgres' as const, skip: SKIP_PG },
])('gateway data on $backend', ({ backend, skip }) => {
  let loc: string;
  let store: OpenStore;
  let gw: GatewayBackend;
  beforeAll(async () => {
    if (skip) return;
    if (backend === 'postgres') requirePg();
    loc = location(backend);
    store = await openStore(loc);
    gw = await openGatewayBackend(store);
  });
  afterAll(async () => {
    await store?.close();
  });

  it.skipIf(skip)('keys: add, look up, list, revoke; only hashes are stored', async () => {
    const { key, record } = await gw.keys.add({ tier: 'enterprise', name: 'lab' });
    expect(key).toMatch(/^pk_[A-Za-z0-9_-]{43}$/);
    expect(await gw.keys.lookup(key)).toMatchObject({ id: record.id, tier: 'enterprise', revokedAt: null });
    expect(await gw.keys.lookup(`${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
    expect((await gw.keys.list()).map((k) => k.id)).toContain(record.id);
    // A second process on the store (same pepper) sees the key and its revocation.
    const other = await openStore(loc);
    try {
      const keys2 = (await openGatewayBackend(other)).keys;
      expect(await keys2.lookup(key)).toMatchObject({ id: record.id });
      const revoked = await keys2.revoke(record.id);
      expect(revoked.revokedAt).not.toBeNull();
    } finally {
      await other.close();
    }
    expect(await gw.keys.lookup(key)).toBeNull();
    await expect(Promise.resolve().then(() => gw.keys.revoke('key_nope'))).rejects.toThrow(/no API key with id "key_nope"/);
    const dump = JSON.stringify(await gw.keys.list());
    expect(dump).not.toContain(key);
  });

  it.skipIf(skip)('held tool calls: add, decide once, close', async () => {
    const a = await gw.approvals.add({ requestId: 'r1', keyId: null, tier: 'enterprise', tool: 'send_email', arguments: '{"to":"[EMAIL]"}', reason: 'rule' });
    expect(a).toMatchObject({ status: 'pending', tool: 'send_email' });
    const b = await gw.approvals.add({ requestId: 'r2', keyId: null, tier: 'enterprise', tool: 'delete_file', arguments: '{}', reason: 'rule' });
    // Pending first, oldest first (two added in the same millisecond: either order).
    expect((await gw.approvals.list()).filter((x) => x.status === 'pending').map((x) => x.id).sort()).toEqual([a.id, b.id].sort());
    expect(await gw.approvals.decide(a.id, { approve: true, reviewer: 'ana', note: 'ok' })).toMatchObject({ status: 'approved', reviewer: 'ana' });
    await expect(Promise.resolve().then(() => gw.approvals.decide(a.id, { approve: false, reviewer: 'bo' }))).rejects.toThrow(/already approved \(by ana\)/);
    expect(await gw.approvals.close(b.id, 'expired')).toMatchObject({ status: 'expired' });
    expect(await gw.approvals.close(a.id, 'abandoned')).toMatchObject({ status: 'approved' });
  });

  it.skipIf(skip)('two writers on the store form one chain that verifies, exports, signs, and fails once edited', async () => {
    const other = await openStore(loc);
    try {
      const gw2 = await openGatewayBackend(other);
      const a = createAuditLog(gw.db ?? gw.audit, { flushMs: 1, batchSize: 16 });
      const b = createAuditLog(gw2.db ?? gw2.audit, { flushMs: 1, batchSize: 16 });
      for (let i = 0; i < 150; i++) {
        a.append(entry(i, 'a'));
        b.append(entry(i, 'b'));
        if (i % 20 === 0) await new Promise((r) => setTimeout(r, 2));
      }
      await Promise.all([a.close(), b.close()]);
      expect(a.pending + b.pending).toBe(0);
      expect(a.written + b.written).toBe(300);
    } finally {
      await other.close();
    }
    const v = await verifyAuditStore(gw.audit);
    expect(v).toMatchObject({ ok: true, records: 300, head: { seq: 300 } });
    const rows: Record<string, unknown>[] = [];
    for await (const r of exportAuditStore(gw.audit)) rows.push(r);
    expect(rows).toHaveLength(300);
    expect(rows[0]).toMatchObject({ seq: 1, detail: { nested: { a: [1, 2] } } });
    expect(new Set(rows.map((r) => String(r.request_id).split('_')[1]))).toEqual(new Set(['a', 'b']));

    const key = loadOrCreateSigningKey(join(tmp.dir, `key-${backend}.pem`));
    const signed = await anchorAuditStore(gw.audit, key);
    expect(signed).toMatchObject({ anchored: true, checkpoint: { seq: 300 } });
    expect(await anchorAuditStore(gw.audit, key)).toMatchObject({ anchored: false, reason: 'current' });
    expect(await verifyAuditStore(gw.audit, { publicKey: key.publicKey, keySource: 'pinned', requireCheckpoint: true })).toMatchObject({ ok: true, checkpoints: { count: 1 } });

    if (store.db) store.db.prepare("UPDATE gateway_audit SET action = 'refuse' WHERE seq = 42").run();
    else await store.sql!`UPDATE gateway_audit SET action = 'refuse' WHERE seq = 42`;
    expect(await verifyAuditStore(gw.audit)).toMatchObject({ ok: false, firstBad: { seq: 42, reason: expect.stringMatching(/edited/) } });
  });

  it.skipIf(skip)('answers a readiness ping', async () => {
    await gw.ping();
  });

  it.skipIf(skip)('a gateway whose store stops answering refuses keyed requests 503 store_unavailable and is not ready', async () => {
    const stub = await startOpenAIStub({ respond: () => 'fine' });
    const { key } = await gw.keys.add({ tier: 'enterprise' });
    const down = new Error('connection refused');
    const broken: GatewayBackend = { ...gw, keys: { ...gw.keys, lookup: () => Promise.reject(down) }, ping: () => Promise.reject(down) };
    const g = createGateway({ guard: allowAll, backend: broken, upstream: stub.url, config: { port: 0 } });
    const { url } = await g.listen({ port: 0, host: '127.0.0.1' });
    try {
      const r = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }) });
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('1');
      expect(await r.json()).toMatchObject({ error: { code: 'store_unavailable' } });
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ checks: { store: { ok: false, detail: 'connection refused' } } });
    } finally {
      await g.close();
      await stub.close();
    }
  });
});

describe.skipIf(SKIP_REDIS)('state shared by gateway instances on Redis', () => {
  const opened: SharedRedis[] = [];
  const connect = (url = redisUrl()): SharedRedis => {
    const r = connectSharedRedis(url);
    opened.push(r);
    return r;
  };
  afterAll(async () => {
    for (const r of opened) await r.close();
  });
  const prefix = (what: string): string => `pillars:test:${what}:${process.pid}:${Date.now()}`;

  it('two rate limiters on one Redis share the count; each key has its own', async () => {
    requireRedis();
    const url = redisUrl();
    const p = prefix('rl');
    const limits = { enterprise: { requestsPerMinute: 60, burst: 4 } };
    const one = createRedisRateLimiter(limits, { redis: connect(url), prefix: p });
    const two = createRedisRateLimiter(limits, { redis: connect(url), prefix: p });
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) waits.push(await (i % 2 ? two : one).take('enterprise', 'key:a'));
    expect(waits.filter((w) => w === 0)).toHaveLength(4);
    expect(waits.slice(4).every((w) => w >= 1)).toBe(true);
    expect(await one.take('enterprise', 'key:b')).toBe(0);
    // A tier without a limit is never limited.
    expect(await two.take('public', 'addr:1')).toBe(0);
  });

  it('without Redis each instance still limits on its own (insurance limiter) and keeps its own windows', async () => {
    const down = connect('redis://127.0.0.1:1');
    const lonely = createRedisRateLimiter({ enterprise: { requestsPerMinute: 60, burst: 3 } }, { redis: down, prefix: prefix('down') });
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) waits.push(await lonely.take('enterprise', 'key:a'));
    expect(waits.filter((w) => w === 0)).toHaveLength(3);
    const anomaly = createRedisAnomalyDetector({ level: 2, count: 3, windowSeconds: 60 }, { redis: down, prefix: prefix('down-an') });
    const flags = [];
    for (let i = 0; i < 3; i++) flags.push(await anomaly.observe('key:a', 3));
    expect(flags.at(-1)).toEqual(['burst:level>=2:3/60s']);
  });

  it('an anomaly burst spread over two instances is flagged as one window', async () => {
    requireRedis();
    const url = redisUrl();
    const p = prefix('an');
    const cfg = { level: 2, count: 4, windowSeconds: 60 };
    const a = createRedisAnomalyDetector(cfg, { redis: connect(url), prefix: p });
    const b = createRedisAnomalyDetector(cfg, { redis: connect(url), prefix: p });
    expect(await a.observe('key:x', 1)).toEqual([]); // below the level: not counted
    const seen = [await a.observe('key:x', 2), await b.observe('key:x', 3), await a.observe('key:x', 2)];
    expect(seen.every((f) => f.length === 0)).toBe(true);
    expect(await b.observe('key:x', 3)).toEqual(['burst:level>=2:4/60s']);
    expect(await a.observe('key:y', 3)).toEqual([]);
  });

  it('a crescendo whose turns reach different instances is one trajectory', async () => {
    requireRedis();
    const url = redisUrl();
    const pack = loadPack(defaultPackPath).pack;
    const cfg = EscalationConfig.parse({ enabled: true });
    const p = prefix('conv');
    const a = createEscalationTracker(cfg, pack, redisConversations(cfg, connect(url), { prefix: p }));
    const b = createEscalationTracker(cfg, pack, redisConversations(cfg, connect(url), { prefix: p }));
    const local = createEscalationTracker(cfg, pack);
    const policy = pack.policies.find((x) => x.id === 'safety.cbrn') ?? pack.policies[0]!;
    const decision = (level: number): Decision => ({ action: 'allow', policy: policy.id, pillar: policy.pillar, topic: null, level, score: 0.5, stage: 'embedded', reasons: [] });
    const turns: string[] = [];
    const shared: Trajectory[] = [];
    const alone: Trajectory[] = [];
    for (const [i, level] of [1, 1, 2, 2, 2].entries()) {
      turns.push(`turn ${i}`);
      const input = { bucket: 'key:k', conversationId: null, userTurns: [...turns], decision: decision(level), tier: 'public', context: null };
      shared.push(await (i % 2 ? b : a).observe(input));
      alone.push(await local.observe(input));
    }
    // The same steps and scores as one process that saw every turn.
    expect(shared.map((t) => [t.step, t.score, t.crossed])).toEqual(alone.map((t) => [t.step, t.score, t.crossed]));
    expect(shared.at(-1)!.step).toBe(5);
  });
});
