import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { UserError } from '../core/errors.js';
import type { Db } from '../store/db.js';
import { createKeysRepository, type KeyRow, type KeysRepository } from '../store/keys.js';

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

const toRecord = (r: KeyRow): ApiKeyRecord => ({ id: r.id, name: r.name, tier: r.tier, hint: r.hint, createdAt: r.created_at, revokedAt: r.revoked_at });

const KEY_PATTERN = /^pk_[A-Za-z0-9_-]{43}$/;

/** Keys over a store's SQLite handle, or over any `KeysRepository` (store/keys.ts). */
export function createKeyStore(store: Db | KeysRepository, opts: { now?: () => Date } = {}): KeyStore {
  const repo = 'prepare' in store ? createKeysRepository(store) : store;
  const now = opts.now ?? (() => new Date());
  const pepper = repo.pepper();
  const hashKey = (raw: string): string => createHash('sha256').update(pepper).update(raw).digest('hex');

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
      repo.insert({ id: record.id, name: record.name, tier: record.tier, hash: hashKey(key), hint: record.hint, created_at: record.createdAt });
      return { key, record };
    },
    list() {
      return repo.list().map(toRecord);
    },
    revoke(id) {
      const row = repo.byId(id);
      if (!row) throw new UserError(`no API key with id "${id}" (see \`pillars keys list\`)`, { code: 'not_found' });
      if (!row.revoked_at) repo.revoke(id, now().toISOString());
      return toRecord(repo.byId(id)!);
    },
    lookup(rawKey) {
      if (!KEY_PATTERN.test(rawKey)) return null;
      const h = hashKey(rawKey);
      const row = repo.byHash(h);
      if (!row || row.revoked_at) return null;
      // The index lookup already matched; compare again in constant time for good measure.
      if (!timingSafeEqual(Buffer.from(row.hash, 'hex'), Buffer.from(h, 'hex'))) return null;
      return toRecord(row);
    },
  };
}
