import { copyFileSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditAnchor, createAuditLog, rowHash, verifyAudit, type AuditEntry, type AuditRow } from '../../src/gateway/audit.js';
import { anchorAudit, listCheckpoints } from '../../src/gateway/audit-anchor.js';
import { loadOrCreateSigningKey } from '../../src/gateway/audit-key.js';
import { GatewayConfig } from '../../src/gateway/config.js';
import { openDb, type Db } from '../../src/store/db.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from './helpers.js';

/**
 * Signed audit checkpoints (issue 12). Before them, cutting the chain's tail together with its
 * head row, or rewriting the chain consistently (hashes and head recomputed), verified as intact.
 */

const entry = (i: number): AuditEntry => ({
  ts: new Date(Date.UTC(2026, 10, 21, 10, 0, i)).toISOString(),
  requestId: `req_${i}`,
  keyId: null,
  tier: 'public',
  context: null,
  route: 'chat',
  action: i % 3 === 0 ? 'refuse' : 'allow',
  policy: i % 3 === 0 ? 'safety.cbrn' : null,
  pillar: i % 3 === 0 ? 'safety' : null,
  topic: i % 3 === 0 ? 'cbrn' : null,
  level: i % 4,
  score: 0.01 * i,
  stage: 'embedded',
  monitoring: 'standard',
  detail: { n: i },
});

function append(db: Db, from: number, to: number): void {
  const log = createAuditLog(db, { flushMs: 1000, batchSize: 1000 });
  for (let i = from; i <= to; i++) log.append(entry(i));
  log.close();
}

/** What an attacker with the store but not the key does: rewrite from `seq` on, every hash and the head recomputed. */
function rewriteConsistently(db: Db, seq: number, edit: (r: AuditRow) => void): void {
  const rows = db.prepare('SELECT * FROM gateway_audit WHERE seq >= ? ORDER BY seq').all(seq) as AuditRow[];
  let prev = (db.prepare('SELECT hash FROM gateway_audit WHERE seq = ?').get(seq - 1) as { hash: string }).hash;
  const upd = db.prepare('UPDATE gateway_audit SET action = @action, policy = @policy, prev_hash = @prev_hash, hash = @hash WHERE seq = @seq');
  for (const r of rows) {
    if (r.seq === seq) edit(r);
    const { hash: _old, ...rest } = { ...r, prev_hash: prev };
    const hash = rowHash(rest);
    upd.run({ ...rest, hash });
    prev = hash;
  }
  db.prepare('UPDATE gateway_audit_head SET seq = ?, hash = ? WHERE id = 1').run(rows.at(-1)!.seq, prev);
}

/** Cut the tail after `keep` together with the head row (the head now names record `keep`). */
function truncateWithHead(db: Db, keep: number): void {
  db.prepare('DELETE FROM gateway_audit WHERE seq > ?').run(keep);
  const h = (db.prepare('SELECT hash FROM gateway_audit WHERE seq = ?').get(keep) as { hash: string }).hash;
  db.prepare('UPDATE gateway_audit_head SET seq = ?, hash = ? WHERE id = 1').run(keep, h);
}

describe('signed audit checkpoints', () => {
  let tmp: ReturnType<typeof tempDir>;
  let cfg: string;
  let store: string;
  let keyFile: string;
  const withDb = <T>(f: (db: Db) => T): T => {
    const db = openDb(store);
    try {
      return f(db);
    } finally {
      db.close();
    }
  };

  beforeEach(async () => {
    tmp = tempDir();
    cfg = join(tmp.dir, 'pillars.yaml');
    store = join(tmp.dir, 'store', 'pillars.db');
    keyFile = join(tmp.dir, 'store', 'audit-signing-key.pem');
    writeFileSync(cfg, 'store: store/pillars.db\n');
    withDb((db) => append(db, 1, 30));
    const a = await runCli(['audit', 'anchor', '--config', cfg]);
    expect(a.code, a.err).toBe(0);
    expect(a.out).toMatch(/created the audit signing key .*audit-signing-key\.pem \(0600\); its public key is .*\.pub: keep a copy away from this machine/);
    expect(a.out).toMatch(/signed checkpoint 1: seq 30, head [0-9a-f]{16}…, key [0-9a-f]{16}/);
    withDb((db) => append(db, 31, 40));
    const b = await runCli(['audit', 'anchor', '--config', cfg, '--json']);
    expect(JSON.parse(b.out)).toMatchObject({ anchored: true, keyCreated: false, checkpoint: { id: 2, seq: 40 } });
    withDb((db) => append(db, 41, 45));
  });
  afterEach(() => tmp.cleanup());

  it('creates the key 0600 with its public key beside it; an intact chain verifies (exit 0) and says what is signed', async () => {
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(existsSync(`${keyFile}.pub`)).toBe(true);
    const v = await runCli(['audit', 'verify', '--config', cfg]);
    expect(v.code, v.out).toBe(0);
    expect(v.out).toMatch(/audit log intact: 45 records, head [0-9a-f]{16}… at seq 45; 2 signed checkpoints, the last at seq 40 \(.+\), key [0-9a-f]{16} \(from the key file\); 5 record\(s\) after it not signed yet/);
    const pinned = await runCli(['audit', 'verify', '--config', cfg, '--public-key', `${keyFile}.pub`]);
    expect(pinned.code).toBe(0);
    expect(pinned.out).toMatch(/pinned key/);
    // Anchoring again with nothing new says so.
    await runCli(['audit', 'anchor', '--config', cfg]);
    expect((await runCli(['audit', 'anchor', '--config', cfg])).out).toMatch(/already signed: checkpoint 3 covers the head \(seq 45\)/);
  });

  it('the tail cut together with its head row fails verify (exit 1); without checkpoints it passed', async () => {
    withDb((db) => truncateWithHead(db, 35));
    const v = await runCli(['audit', 'verify', '--config', cfg]);
    expect(v.code).toBe(1);
    expect(v.out).toMatch(/audit log BROKEN at record 40: record 40 is signed by checkpoint 2 \(.+\) but the log ends at 35: the tail was truncated \(with its head\)/);
    // The same cut with the checkpoints gone too: the key file says checkpoints existed.
    withDb((db) => db.prepare('DELETE FROM gateway_audit_checkpoints').run());
    const gone = await runCli(['audit', 'verify', '--config', cfg]);
    expect(gone.code).toBe(1);
    expect(gone.out).toMatch(/no signed checkpoint, although a signing key exists: the checkpoints were deleted/);
    // What the old verifier saw: an intact chain.
    expect(withDb((db) => verifyAudit(db)).ok).toBe(true);
  });

  it('the head row cut with the whole signed tail (keep < first checkpoint) fails too', async () => {
    withDb((db) => truncateWithHead(db, 12));
    const v = await runCli(['audit', 'verify', '--config', cfg, '--json']);
    expect(v.code).toBe(1);
    expect(JSON.parse(v.out)).toMatchObject({ ok: false, firstBad: { seq: 30, reason: expect.stringMatching(/tail was truncated/) as unknown } });
  });

  it('a consistent rewrite (hashes and head recomputed) fails verify (exit 1), with or without the pinned key', async () => {
    withDb((db) =>
      rewriteConsistently(db, 9, (r) => {
        r.action = 'allow';
        r.policy = null;
      }),
    );
    // The chain alone is consistent:
    expect(withDb((db) => verifyAudit(db)).firstBad?.reason).toMatch(/chain was rewritten/);
    const v = await runCli(['audit', 'verify', '--config', cfg]);
    expect(v.code).toBe(1);
    expect(v.out).toMatch(/audit log BROKEN at record 30: record 30 does not match the hash signed by checkpoint 1 .*: the chain was rewritten/);
    const pinned = await runCli(['audit', 'verify', '--config', cfg, '--public-key', `${keyFile}.pub`]);
    expect(pinned.code).toBe(1);
  });

  it('a rewrite re-signed with another key fails against the pinned public key', async () => {
    const elsewhere = join(tmp.dir, 'kept-elsewhere.pub');
    copyFileSync(`${keyFile}.pub`, elsewhere);
    withDb((db) => {
      rewriteConsistently(db, 9, (r) => {
        r.action = 'allow';
      });
      db.prepare('DELETE FROM gateway_audit_checkpoints').run();
      anchorAudit(db, loadOrCreateSigningKey(join(tmp.dir, 'attacker.pem')));
    });
    const v = await runCli(['audit', 'verify', '--config', cfg, '--public-key', elsewhere]);
    expect(v.code).toBe(1);
    expect(v.out).toMatch(/checkpoint 1 \(seq 45\) was signed by key [0-9a-f]{16}, not by the trusted key [0-9a-f]{16}/);
  });

  it('an edited checkpoint or a deleted middle checkpoint fails', async () => {
    withDb((db) => anchorAudit(db, loadOrCreateSigningKey(keyFile)));
    withDb((db) => db.prepare('UPDATE gateway_audit_checkpoints SET seq = 41 WHERE id = 2').run());
    expect((await runCli(['audit', 'verify', '--config', cfg])).out).toMatch(/checkpoint 2 \(seq 41\): the signature does not verify/);
    withDb((db) => db.prepare('UPDATE gateway_audit_checkpoints SET seq = 40 WHERE id = 2').run());
    expect((await runCli(['audit', 'verify', '--config', cfg])).code).toBe(0);
    withDb((db) => db.prepare('DELETE FROM gateway_audit_checkpoints WHERE id = 2').run());
    expect((await runCli(['audit', 'verify', '--config', cfg])).out).toMatch(/checkpoint 3 \(seq 45\) does not follow the checkpoint before it/);
  });

  it('export includes each checkpoint after the record it signs', async () => {
    const r = await runCli(['audit', 'export', '--config', cfg]);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(47);
    expect(lines[30]).toMatchObject({ checkpoint: { id: 1, seq: 30, signature: expect.any(String) as unknown, public_key: expect.any(String) as unknown } });
    expect(lines[41]).toMatchObject({ checkpoint: { id: 2, seq: 40 } });
    expect(lines[29]).toMatchObject({ seq: 30 });
  });
});

describe('the gateway anchors as it writes', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.cleanup());

  it('every N records, every T seconds with new records, and on close; the default is on', async () => {
    expect(GatewayConfig.parse({}).audit.anchor).toBeUndefined();
    expect(GatewayConfig.parse({ audit: { anchor: { every: 5 } } }).audit.anchor).toEqual({ every: 5, seconds: 60 });
    expect(GatewayConfig.parse({ audit: { anchor: false } }).audit.anchor).toBe(false);
    const db = openDb(join(tmp.dir, 'g.db'));
    try {
      expect(auditAnchor(db, false)).toBeUndefined();
      const log = createAuditLog(db, { flushMs: 1000, batchSize: 1, anchor: auditAnchor(db, { every: 5, seconds: 0.1 }) });
      for (let i = 1; i <= 12; i++) log.append(entry(i));
      expect(listCheckpoints(db).map((c) => c.seq)).toEqual([5, 10]);
      await new Promise((r) => setTimeout(r, 250));
      expect(listCheckpoints(db).map((c) => c.seq)).toEqual([5, 10, 12]);
      log.append(entry(13));
      log.close();
      expect(listCheckpoints(db).map((c) => c.seq)).toEqual([5, 10, 12, 13]);
      expect(statSync(join(tmp.dir, 'audit-signing-key.pem')).mode & 0o777).toBe(0o600);
      expect(verifyAudit(db)).toMatchObject({ ok: true, records: 13, checkpoints: { count: 4, unanchored: 0 } });
    } finally {
      db.close();
    }
  });
});
