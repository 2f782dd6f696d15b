import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { UserError } from '../core/errors.js';
import type { Awaitable } from '../core/maybe.js';
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

/** A fresh key and its record (the row to store has its hash). */
function newKey(tier: string, name: string | undefined, at: Date, hashKey: (raw: string) => string): { key: string; record: ApiKeyRecord; row: Omit<KeyRow, 'revoked_at'> } {
  const key = `pk_${randomBytes(32).toString('base64url')}`;
  const record: ApiKeyRecord = { id: `key_${randomBytes(6).toString('hex')}`, name: name ?? null, tier, hint: key.slice(-4), createdAt: at.toISOString(), revokedAt: null };
  return { key, record, row: { id: record.id, name: record.name, tier: record.tier, hash: hashKey(key), hint: record.hint, created_at: record.createdAt } };
}

const notFound = (id: string): UserError => new UserError(`no API key with id "${id}" (see \`pillars keys list\`)`, { code: 'not_found' });

/** The active record of a row found by the key's hash (revoked: null), compared in constant time. */
function activeRecord(row: KeyRow | null, h: string): ApiKeyRecord | null {
  if (!row || row.revoked_at) return null;
  // The index lookup already matched; compare again in constant time for good measure.
  if (!timingSafeEqual(Buffer.from(row.hash, 'hex'), Buffer.from(h, 'hex'))) return null;
  return toRecord(row);
}

const hasher = (pepper: Buffer) => (raw: string): string => createHash('sha256').update(pepper).update(raw).digest('hex');

/** Keys over a store's SQLite handle, or over any synchronous `KeysRepository` (store/keys.ts). */
export function createKeyStore(store: Db | KeysRepository, opts: { now?: () => Date } = {}): KeyStore {
  const repo = 'prepare' in store ? createKeysRepository(store) : store;
  const now = opts.now ?? (() => new Date());
  const hashKey = hasher(repo.pepper());
  return {
    add({ tier, name }) {
      const { key, record, row } = newKey(tier, name, now(), hashKey);
      repo.insert(row);
      return { key, record };
    },
    list: () => repo.list().map(toRecord),
    revoke(id) {
      const row = repo.byId(id);
      if (!row) throw notFound(id);
      if (!row.revoked_at) repo.revoke(id, now().toISOString());
      return toRecord(repo.byId(id)!);
    },
    lookup(rawKey) {
      if (!KEY_PATTERN.test(rawKey)) return null;
      const h = hashKey(rawKey);
      return activeRecord(repo.byHash(h), h);
    },
  };
}

/**
 * Keys over a repository that answers with promises (PostgreSQL: store/pg/gateway.ts). Every
 * lookup reads the row, so a key revoked by any process on the store is refused at once.
 */
export async function openKeyStore(repo: Awaitable<KeysRepository>, opts: { now?: () => Date } = {}): Promise<Awaitable<KeyStore>> {
  const now = opts.now ?? (() => new Date());
  const hashKey = hasher(await repo.pepper());
  return {
    async add({ tier, name }) {
      const { key, record, row } = newKey(tier, name, now(), hashKey);
      await repo.insert(row);
      return { key, record };
    },
    list: async () => (await repo.list()).map(toRecord),
    async revoke(id) {
      const row = await repo.byId(id);
      if (!row) throw notFound(id);
      if (!row.revoked_at) await repo.revoke(id, now().toISOString());
      return toRecord((await repo.byId(id))!);
    },
    async lookup(rawKey) {
      if (!KEY_PATTERN.test(rawKey)) return null;
      const h = hashKey(rawKey);
      return activeRecord(await repo.byHash(h), h);
    },
  };
}
