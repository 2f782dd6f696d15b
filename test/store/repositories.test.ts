import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKeyStore } from '../../src/gateway/keys.js';
import { auditPage } from '../../src/review/web/pages-dashboard.js';
import { createAuditReader } from '../../src/store/audit-read.js';
import { openDb, type Db } from '../../src/store/db.js';
import { createKeysRepository } from '../../src/store/keys.js';
import { createProbeStore } from '../../src/store/probes.js';
import { tempDir } from '../eval/helpers.js';

/** The repositories store/ owns (keys, probes, audit reads) on a real SQLite file. */

let tmp: ReturnType<typeof tempDir>;
let db: Db;
beforeEach(() => {
  tmp = tempDir();
  db = openDb(join(tmp.dir, 'p.db'));
});
afterEach(() => {
  db.close();
  tmp.cleanup();
});

describe('store repositories', () => {
  it('keys: the gateway key store runs over the repository; a revoked key no longer looks up', () => {
    const repo = createKeysRepository(db);
    const keys = createKeyStore(repo);
    const { key, record } = keys.add({ tier: 'free', name: 'ci' });
    expect(repo.byId(record.id)).toMatchObject({ tier: 'free', name: 'ci', revoked_at: null });
    expect(repo.byId(record.id)!.hash).not.toContain(key);
    expect(keys.lookup(key)?.id).toBe(record.id);
    // A second key store on the same database (another process) sees the same pepper and key.
    expect(createKeyStore(db).lookup(key)?.id).toBe(record.id);
    keys.revoke(record.id);
    expect(createKeyStore(db).lookup(key)).toBeNull();
    expect(repo.pepper().equals(createKeysRepository(db).pepper())).toBe(true);
  });

  it('probes: the latest result per version', () => {
    const probes = createProbeStore(db);
    probes.add({ kind: 'perplexity', target: 't', version: 'v1', domain: 'bio', value: 1, n: 10, detail: {} });
    probes.add({ kind: 'perplexity', target: 't', version: 'v1', domain: 'bio', value: 2, n: 10, detail: {} });
    probes.add({ kind: 'perplexity', target: 't', version: 'v2', domain: 'bio', value: 3, n: 10, detail: { a: 1 } });
    expect(probes.latestByVersion('perplexity', 'bio').map((p) => [p.version, p.value])).toEqual([
      ['v1', 2],
      ['v2', 3],
    ]);
  });

  it('audit reads: by request, full-monitoring rows, newest rows (and the audit page lists them)', () => {
    const reader = createAuditReader(db);
    expect(reader.byRequest('r1')).toBeNull();
    const ins = db.prepare(
      'INSERT INTO gateway_audit (seq, ts, request_id, key_id, tier, context, route, action, policy, pillar, topic, level, score, stage, monitoring, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)',
    );
    ins.run(1, '2026-01-01T00:00:00Z', 'r1', null, 'free', null, '/v1/chat/completions', 'refuse', 'safety.weapons', 'safety', null, 3, 0.9, 'embedded', 'full', '{"prompt":"p1"}', 'a', 'b');
    ins.run(2, '2026-01-01T00:00:01Z', 'r2', null, 'free', null, '/v1/chat/completions', 'allow', null, null, null, null, 0.1, 'embedded', 'standard', '{}', 'b', 'c');
    expect(reader.byRequest('r1')).toMatchObject({ action: 'refuse', policy: 'safety.weapons', level: 3 });
    expect(reader.fullMonitoring().map((r) => r.request_id)).toEqual(['r1']);
    expect(reader.recent(10).map((r) => r.seq)).toEqual([2, 1]);
    const html = String(auditPage({ db, limit: 10 }));
    expect(html).toContain('r2');
    expect(html).toContain('r1');
  });
});
