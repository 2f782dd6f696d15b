import type { Awaitable, MaybePromise } from '../core/maybe.js';
import { createApprovalStore, type ApprovalStore } from '../store/approvals.js';
import { createSqliteAuditStore, type AuditStore } from '../store/audit-log.js';
import type { Db } from '../store/db.js';
import type { OpenStore } from '../store/open.js';
import { createPgApprovalStore, createPgAuditStore, createPgKeysRepository } from '../store/pg/gateway.js';
import { createKeyStore, openKeyStore, type KeyStore } from './keys.js';

/**
 * What the gateway keeps in the store, on either backend: API keys, the audit chain and held tool
 * calls. SQLite (the embedded default) answers synchronously; PostgreSQL lets several gateway
 * instances share keys, revocations, approvals and one audit chain.
 */
export interface GatewayBackend {
  readonly kind: 'sqlite' | 'postgres';
  keys: Awaitable<KeyStore>;
  audit: AuditStore;
  approvals: Awaitable<ApprovalStore>;
  /** The SQLite handle (audit signing key beside the file, synchronous checkpoints); null on PostgreSQL. */
  db: Db | null;
  /** A cheap round trip to the store (readiness). */
  ping(): MaybePromise<void>;
}

export function sqliteGatewayBackend(db: Db, opts: { now?: () => Date } = {}): GatewayBackend {
  const audit = createSqliteAuditStore(db);
  return { kind: 'sqlite', keys: createKeyStore(db), audit, approvals: createApprovalStore(db, opts), db, ping: () => audit.ping() };
}

/** The gateway's data on an open store (`store: postgres://...` or a SQLite file). */
export async function openGatewayBackend(store: OpenStore, opts: { now?: () => Date } = {}): Promise<GatewayBackend> {
  if (store.db) return sqliteGatewayBackend(store.db, opts);
  const sql = store.sql!;
  const audit = createPgAuditStore(sql);
  return { kind: 'postgres', keys: await openKeyStore(createPgKeysRepository(sql), opts), audit, approvals: createPgApprovalStore(sql, opts), db: null, ping: () => audit.ping() };
}
