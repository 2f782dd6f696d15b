import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson, createAuditLog, exportAudit, verifyAudit, type AuditEntry } from '../../src/gateway/audit.js';
import { openDb, type Db } from '../../src/store/db.js';
import { tempDir } from './helpers.js';

const entry = (i: number, extra: Partial<AuditEntry> = {}): AuditEntry => ({
  ts: new Date(Date.UTC(2026, 10, 21, 10, 0, i)).toISOString(),
  requestId: `req_${i}`,
  keyId: i % 2 ? 'key_abc' : null,
  tier: i % 2 ? 'trusted-researcher' : 'public',
  context: i % 2 ? 'vetted-research' : null,
  route: 'chat',
  action: i % 3 === 0 ? 'deflect' : 'allow',
  policy: i % 3 === 0 ? 'safety.cbrn' : null,
  pillar: i % 3 === 0 ? 'safety' : null,
  topic: i % 3 === 0 ? 'cbrn' : null,
  level: i % 4,
  score: 0.123456789 * i,
  stage: 'embedded',
  monitoring: i % 2 ? 'full' : 'standard',
  detail: { n: i, reasons: ['x', 'y'], nested: { b: 1, a: [1, { z: 0, y: null }] } },
  ...extra,
});

describe('audit hash chain', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: Db;
  beforeEach(() => {
    tmp = tempDir();
    db = openDb(join(tmp.dir, 'a.db'));
    const log = createAuditLog(db, { flushMs: 1000, batchSize: 7 });
    for (let i = 1; i <= 20; i++) log.append(entry(i));
    log.close();
  });
  afterEach(() => {
    db.close();
    tmp.cleanup();
  });

  it('canonical JSON sorts keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"x":2,"y":1}]},"b":1}');
  });

  it('writes every record (batches and the final flush) in an intact chain', () => {
    const v = verifyAudit(db);
    expect(v).toMatchObject({ ok: true, records: 20, head: { seq: 20 } });
    const rows = [...exportAudit(db)];
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(rows[4]!.detail).toEqual(entry(5).detail);
  });

  it('continues the chain across writers (a new log on the same store)', () => {
    const log = createAuditLog(db);
    log.append(entry(21));
    log.close();
    expect(verifyAudit(db)).toMatchObject({ ok: true, records: 21 });
  });

  it('forms one chain when two processes write the same store (two connections, interleaved)', () => {
    const other = openDb(join(tmp.dir, 'a.db'));
    try {
      const a = createAuditLog(db, { flushMs: 1000, batchSize: 1000 });
      const b = createAuditLog(other, { flushMs: 1000, batchSize: 1000 });
      for (let i = 21; i <= 40; i++) {
        (i % 2 ? a : b).append(entry(i));
        if (i % 5 === 0) (i % 10 ? a : b).flush();
      }
      a.close();
      b.close();
      expect(verifyAudit(db)).toMatchObject({ ok: true, records: 40, head: { seq: 40 } });
    } finally {
      other.close();
    }
  });

  it('names the edited record', () => {
    db.prepare("UPDATE gateway_audit SET action = 'allow', policy = NULL WHERE seq = 9").run();
    expect(verifyAudit(db)).toMatchObject({ ok: false, firstBad: { seq: 9, reason: expect.stringMatching(/edited/) } });
  });

  it('detects an edit inside the JSON detail', () => {
    const d = (db.prepare('SELECT detail FROM gateway_audit WHERE seq = 4').get() as { detail: string }).detail;
    db.prepare('UPDATE gateway_audit SET detail = ? WHERE seq = 4').run(d.replace('"n":4', '"n":40'));
    expect(verifyAudit(db).firstBad?.seq).toBe(4);
  });

  it('detects a deleted record through the seq gap', () => {
    db.prepare('DELETE FROM gateway_audit WHERE seq = 12').run();
    expect(verifyAudit(db)).toMatchObject({ ok: false, firstBad: { seq: 12, reason: expect.stringMatching(/missing \(deleted\)/) } });
  });

  it('detects a deletion hidden by renumbering (the links break)', () => {
    db.prepare('DELETE FROM gateway_audit WHERE seq = 12').run();
    db.prepare('UPDATE gateway_audit SET seq = seq - 1 WHERE seq > 12').run();
    expect(verifyAudit(db)).toMatchObject({ ok: false, firstBad: { seq: 12, reason: expect.stringMatching(/prev_hash/) } });
  });

  it('detects reordered records', () => {
    db.prepare('UPDATE gateway_audit SET seq = -1 WHERE seq = 5').run();
    db.prepare('UPDATE gateway_audit SET seq = 5 WHERE seq = 6').run();
    db.prepare('UPDATE gateway_audit SET seq = 6 WHERE seq = -1').run();
    expect(verifyAudit(db)).toMatchObject({ ok: false, firstBad: { seq: 5 } });
  });

  it('detects a truncated tail through the head checkpoint', () => {
    db.prepare('DELETE FROM gateway_audit WHERE seq >= 18').run();
    expect(verifyAudit(db)).toMatchObject({ ok: false, firstBad: { seq: 18, reason: expect.stringMatching(/truncated/) } });
  });

  it('detects a wiped checkpoint', () => {
    db.prepare('DELETE FROM gateway_audit_head').run();
    expect(verifyAudit(db)).toMatchObject({ ok: false, firstBad: { reason: expect.stringMatching(/checkpoint is missing/) } });
  });

  it('exports records since a time', () => {
    const rows = [...exportAudit(db, { since: entry(15).ts })];
    expect(rows.map((r) => r.seq)).toEqual([15, 16, 17, 18, 19, 20]);
  });
});
