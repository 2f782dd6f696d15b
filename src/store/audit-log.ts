import type { MaybePromise } from '../core/maybe.js';
import type { AuditRow } from './audit-read.js';
import type { Db } from './db.js';

/**
 * The rows of the gateway's audit log (`gateway_audit`, its head `gateway_audit_head` and the
 * signed checkpoints `gateway_audit_checkpoints`) behind one interface, so the chain's writer and
 * verifier (gateway/audit.ts) run on SQLite and PostgreSQL alike. The chain itself (hashes, links,
 * signatures) stays in gateway/: this file only guarantees that appends and checkpoints are
 * serialised across every writer of the store (SQLite: an IMMEDIATE transaction; PostgreSQL: the
 * head row locked FOR UPDATE), so several gateway processes or machines still write one chain.
 */

export interface AuditHead {
  seq: number;
  hash: string;
}

/** A signed checkpoint row (see gateway/audit-anchor.ts). */
export interface CheckpointRow {
  id: number;
  seq: number;
  hash: string;
  ts: string;
  key_id: string;
  public_key: string;
  /** Signature (base64) of the previous checkpoint, '' for the first. */
  prev: string;
  signature: string;
}

export interface AuditStore {
  /** `sqlite` or `postgres` (messages). */
  readonly backend: string;
  /** Build rows from the current head and write them and the new head in one serialised transaction. */
  append(build: (head: AuditHead | null) => AuditRow[]): MaybePromise<AuditHead>;
  head(): MaybePromise<AuditHead | null>;
  /** Rows in seq order, optionally from `fromSeq`, at or after `since` (ISO time). */
  rows(opts?: { since?: string; fromSeq?: number; toSeq?: number }): Iterable<AuditRow> | AsyncIterable<AuditRow>;
  /** The stored hash of the record at `seq`, or null. */
  hashAt(seq: number): MaybePromise<string | null>;
  /** Every checkpoint, oldest first. */
  checkpoints(): MaybePromise<CheckpointRow[]>;
  /**
   * Add the checkpoint `build` makes from the newest one (null from `build`: add nothing), serialised
   * against every other signer so checkpoints stay one linked list. Returns what was added.
   */
  addCheckpoint(build: (last: CheckpointRow | null) => Omit<CheckpointRow, 'id'> | null): MaybePromise<CheckpointRow | null>;
  /** Run `fn` over a read-only view of one moment (PostgreSQL: a REPEATABLE READ transaction). */
  snapshot?<T>(fn: (s: AuditStore) => Promise<T>): Promise<T>;
  /** A cheap round trip (readiness). */
  ping(): MaybePromise<void>;
}

const INSERT_COLS = 'seq, ts, request_id, key_id, tier, context, route, action, policy, pillar, topic, level, score, stage, monitoring, detail, prev_hash, hash';

export function createSqliteAuditStore(db: Db): AuditStore {
  const getHead = db.prepare('SELECT seq, hash FROM gateway_audit_head WHERE id = 1');
  const insert = db.prepare(`INSERT INTO gateway_audit (${INSERT_COLS}) VALUES (${INSERT_COLS.split(', ').map((c) => `@${c}`).join(', ')})`);
  const setHead = db.prepare(
    `INSERT INTO gateway_audit_head (id, seq, hash, updated_at) VALUES (1, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, updated_at = excluded.updated_at`,
  );
  const lastCp = db.prepare('SELECT * FROM gateway_audit_checkpoints ORDER BY id DESC LIMIT 1');
  const insertCp = db.prepare('INSERT INTO gateway_audit_checkpoints (seq, hash, ts, key_id, public_key, prev, signature) VALUES (?,?,?,?,?,?,?)');
  const append = db.transaction((build: (head: AuditHead | null) => AuditRow[]): AuditHead => {
    // The head is read inside the (immediate) transaction, so several writers still form one chain.
    const head = (getHead.get() as AuditHead | undefined) ?? null;
    const rows = build(head);
    for (const r of rows) insert.run(r);
    const last = rows.at(-1);
    const next = last ? { seq: last.seq, hash: last.hash } : (head ?? { seq: 0, hash: '' });
    if (last) setHead.run(next.seq, next.hash, new Date().toISOString());
    return next;
  });
  const addCheckpoint = db.transaction((build: (last: CheckpointRow | null) => Omit<CheckpointRow, 'id'> | null): CheckpointRow | null => {
    const c = build((lastCp.get() as CheckpointRow | undefined) ?? null);
    if (!c) return null;
    const info = insertCp.run(c.seq, c.hash, c.ts, c.key_id, c.public_key, c.prev, c.signature);
    return { id: Number(info.lastInsertRowid), ...c };
  });
  return {
    backend: 'sqlite',
    append: (build) => append.immediate(build),
    head: () => (getHead.get() as AuditHead | undefined) ?? null,
    rows({ since, fromSeq, toSeq } = {}) {
      const where = [since ? 'ts >= @since' : '', fromSeq ? 'seq >= @fromSeq' : '', toSeq ? 'seq <= @toSeq' : ''].filter(Boolean);
      const stmt = db.prepare(`SELECT * FROM gateway_audit${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq`);
      return stmt.iterate({ ...(since ? { since } : {}), ...(fromSeq ? { fromSeq } : {}), ...(toSeq ? { toSeq } : {}) }) as IterableIterator<AuditRow>;
    },
    hashAt: (seq) => (db.prepare('SELECT hash FROM gateway_audit WHERE seq = ?').get(seq) as { hash: string } | undefined)?.hash ?? null,
    checkpoints: () => db.prepare('SELECT * FROM gateway_audit_checkpoints ORDER BY id').all() as CheckpointRow[],
    addCheckpoint: (build) => addCheckpoint.immediate(build),
    ping() {
      db.prepare('SELECT 1').get();
    },
  };
}
