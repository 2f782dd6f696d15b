import { randomBytes } from 'node:crypto';
import type { Db } from './db.js';

/**
 * The gateway's API keys table (`gateway_keys`) and the store's key pepper (`gateway_secrets`).
 * Hashing, key format and revocation rules stay in gateway/keys.ts; this is only the rows. The
 * interface is synchronous: a key lookup sits on every gateway request, and SQLite answers it in
 * microseconds. A networked backend implements it over a local copy kept fresh by notifications.
 */

export interface KeyRow {
  id: string;
  name: string | null;
  tier: string;
  /** SHA-256(pepper || key), hex. */
  hash: string;
  hint: string;
  created_at: string;
  revoked_at: string | null;
}

export interface KeysRepository {
  /** The store's random pepper, created on first use. */
  pepper(): Buffer;
  insert(row: Omit<KeyRow, 'revoked_at'>): void;
  byHash(hash: string): KeyRow | null;
  byId(id: string): KeyRow | null;
  /** Oldest first. */
  list(): KeyRow[];
  /** Set `revoked_at` unless the key is already revoked. */
  revoke(id: string, at: string): void;
}

export function createKeysRepository(db: Db): KeysRepository {
  const getSecret = db.prepare('SELECT value FROM gateway_secrets WHERE name = ?');
  const byHash = db.prepare('SELECT * FROM gateway_keys WHERE hash = ?');
  const byId = db.prepare('SELECT * FROM gateway_keys WHERE id = ?');
  return {
    pepper() {
      const row = getSecret.get('key_pepper') as { value: string } | undefined;
      if (row) return Buffer.from(row.value, 'base64');
      db.prepare('INSERT OR IGNORE INTO gateway_secrets (name, value) VALUES (?, ?)').run('key_pepper', randomBytes(32).toString('base64'));
      return Buffer.from((getSecret.get('key_pepper') as { value: string }).value, 'base64');
    },
    insert(r) {
      db.prepare('INSERT INTO gateway_keys (id, name, tier, hash, hint, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(r.id, r.name, r.tier, r.hash, r.hint, r.created_at);
    },
    byHash: (hash) => (byHash.get(hash) as KeyRow | undefined) ?? null,
    byId: (id) => (byId.get(id) as KeyRow | undefined) ?? null,
    list: () => db.prepare('SELECT * FROM gateway_keys ORDER BY created_at, id').all() as KeyRow[],
    revoke(id, at) {
      db.prepare('UPDATE gateway_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id);
    },
  };
}
