import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { UserError } from '../core/errors.js';
import type { Db } from '../store/db.js';

/**
 * API keys for the gateway. A key is `pk_` + 32 random bytes (base64url), shown once at creation;
 * the store keeps only SHA-256(pepper || key) (the pepper is random per store) and the last four
 * characters as a hint. Keys carry 256 bits of entropy, so a fast hash is safe and keeps a lookup
 * to one indexed SELECT.
 */

export interface ApiKeyRecord {
  id: string;
  name: string | null;
  tier: string;
  hint: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface KeyStore {
  add(input: { tier: string; name?: string }): { key: string; record: ApiKeyRecord };
  list(): ApiKeyRecord[];
  revoke(id: string): ApiKeyRecord;
  /** The active key record for a raw key, or null (unknown or revoked). */
  lookup(rawKey: string): ApiKeyRecord | null;
}

interface Row {
  id: string;
  name: string | null;
  tier: string;
  hash: string;
  hint: string;
  created_at: string;
  revoked_at: string | null;
}

const toRecord = (r: Row): ApiKeyRecord => ({ id: r.id, name: r.name, tier: r.tier, hint: r.hint, createdAt: r.created_at, revokedAt: r.revoked_at });

const KEY_PATTERN = /^pk_[A-Za-z0-9_-]{43}$/;

function pepperOf(db: Db): Buffer {
  const get = db.prepare('SELECT value FROM gateway_secrets WHERE name = ?');
  const row = get.get('key_pepper') as { value: string } | undefined;
  if (row) return Buffer.from(row.value, 'base64');
  db.prepare('INSERT OR IGNORE INTO gateway_secrets (name, value) VALUES (?, ?)').run('key_pepper', randomBytes(32).toString('base64'));
  return Buffer.from((get.get('key_pepper') as { value: string }).value, 'base64');
}

export function createKeyStore(db: Db, opts: { now?: () => Date } = {}): KeyStore {
  const now = opts.now ?? (() => new Date());
  const pepper = pepperOf(db);
  const hashKey = (raw: string): string => createHash('sha256').update(pepper).update(raw).digest('hex');
  const byHash = db.prepare('SELECT * FROM gateway_keys WHERE hash = ?');
  const byId = db.prepare('SELECT * FROM gateway_keys WHERE id = ?');

  return {
    add({ tier, name }) {
      const key = `pk_${randomBytes(32).toString('base64url')}`;
      const record: ApiKeyRecord = {
        id: `key_${randomBytes(6).toString('hex')}`,
        name: name ?? null,
        tier,
        hint: key.slice(-4),
        createdAt: now().toISOString(),
        revokedAt: null,
      };
      db.prepare('INSERT INTO gateway_keys (id, name, tier, hash, hint, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
        record.id,
        record.name,
        record.tier,
        hashKey(key),
        record.hint,
        record.createdAt,
      );
      return { key, record };
    },
    list() {
      return (db.prepare('SELECT * FROM gateway_keys ORDER BY created_at, id').all() as Row[]).map(toRecord);
    },
    revoke(id) {
      const row = byId.get(id) as Row | undefined;
      if (!row) throw new UserError(`no API key with id "${id}" (see \`pillars keys list\`)`, { code: 'not_found' });
      if (!row.revoked_at) db.prepare('UPDATE gateway_keys SET revoked_at = ? WHERE id = ?').run(now().toISOString(), id);
      return toRecord(byId.get(id) as Row);
    },
    lookup(rawKey) {
      if (!KEY_PATTERN.test(rawKey)) return null;
      const h = hashKey(rawKey);
      const row = byHash.get(h) as Row | undefined;
      if (!row || row.revoked_at) return null;
      // The index lookup already matched; compare again in constant time for good measure.
      if (!timingSafeEqual(Buffer.from(row.hash, 'hex'), Buffer.from(h, 'hex'))) return null;
      return toRecord(row);
    },
  };
}
