import { createHash } from 'node:crypto';
import type { Logger } from '../core/types.js';
import type { Db } from '../store/db.js';

/**
 * The audit log: one row per gateway decision, appended in a SHA-256 hash chain.
 * hash = SHA-256(canonical JSON of the row's fields, prev_hash included). A head checkpoint
 * (gateway_audit_head: last seq and hash), written in the same transaction, exposes a cut tail.
 * Writes are queued and flushed in one transaction every few milliseconds; `close()` flushes.
 */

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  ts: string;
  requestId: string;
  keyId: string | null;
  tier: string;
  context: string | null;
  route: string;
  action: string;
  policy: string | null;
  pillar: string | null;
  topic: string | null;
  level: number | null;
  score: number | null;
  stage: string | null;
  /** `full`: prompt and response captured in `detail`; `standard`: hashes and lengths only. */
  monitoring: 'full' | 'standard';
  detail: Record<string, unknown>;
}

export interface AuditRow {
  seq: number;
  ts: string;
  request_id: string;
  key_id: string | null;
  tier: string;
  context: string | null;
  route: string;
  action: string;
  policy: string | null;
  pillar: string | null;
  topic: string | null;
  level: number | null;
  score: number | null;
  stage: string | null;
  monitoring: string;
  detail: string;
  prev_hash: string;
  hash: string;
}

/** JSON with object keys sorted at every depth: the same value always gives the same text. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x === undefined ? null : x)).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

/** The hash of a row: every stored column but `hash` itself. */
export function rowHash(row: Omit<AuditRow, 'hash'>): string {
  const { seq, ts, request_id, key_id, tier, context, route, action, policy, pillar, topic, level, score, stage, monitoring, detail, prev_hash } = row;
  const body = { seq, ts, request_id, key_id, tier, context, route, action, policy, pillar, topic, level, score, stage, monitoring, detail, prev_hash };
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

export interface AuditLog {
  append(entry: AuditEntry): void;
  /** Write what is queued now (synchronously). */
  flush(): void;
  /** Records waiting in the queue. */
  readonly pending: number;
  /** Records written since start. */
  readonly written: number;
  close(): void;
}

const num = (v: number | null): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function createAuditLog(db: Db, opts: { flushMs?: number; batchSize?: number; log?: Logger } = {}): AuditLog {
  const flushMs = opts.flushMs ?? 5;
  const batchSize = opts.batchSize ?? 256;
  let queue: AuditEntry[] = [];
  let timer: NodeJS.Timeout | null = null;
  let written = 0;
  let closed = false;
  const getHead = db.prepare('SELECT seq, hash FROM gateway_audit_head WHERE id = 1');
  const insert = db.prepare(
    `INSERT INTO gateway_audit (seq, ts, request_id, key_id, tier, context, route, action, policy, pillar, topic, level, score, stage, monitoring, detail, prev_hash, hash)
     VALUES (@seq, @ts, @request_id, @key_id, @tier, @context, @route, @action, @policy, @pillar, @topic, @level, @score, @stage, @monitoring, @detail, @prev_hash, @hash)`,
  );
  const setHead = db.prepare(
    `INSERT INTO gateway_audit_head (id, seq, hash, updated_at) VALUES (1, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, updated_at = excluded.updated_at`,
  );
  const writeBatch = db.transaction((batch: AuditEntry[]) => {
    // The head is read inside the (immediate) transaction, so several writers still form one chain.
    const head = getHead.get() as { seq: number; hash: string } | undefined;
    let seq = head?.seq ?? 0;
    let prev = head?.hash ?? GENESIS_HASH;
    for (const e of batch) {
      seq += 1;
      const row: Omit<AuditRow, 'hash'> = {
        seq,
        ts: e.ts,
        request_id: e.requestId,
        key_id: e.keyId,
        tier: e.tier,
        context: e.context,
        route: e.route,
        action: e.action,
        policy: e.policy,
        pillar: e.pillar,
        topic: e.topic,
        level: e.level === null ? null : Math.trunc(e.level),
        score: num(e.score),
        stage: e.stage,
        monitoring: e.monitoring,
        detail: canonicalJson(e.detail),
        prev_hash: prev,
      };
      const hash = rowHash(row);
      insert.run({ ...row, hash });
      prev = hash;
    }
    setHead.run(seq, prev, new Date().toISOString());
  });

  const flush = (): void => {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    try {
      writeBatch.immediate(batch);
      written += batch.length;
    } catch (e) {
      // Keep the records and retry on the next flush: an audit record is never dropped silently.
      queue = batch.concat(queue);
      opts.log?.error({ err: (e as Error).message, pending: queue.length }, 'audit write failed; will retry');
      if (!closed && !timer) timer = setTimeout(flush, Math.max(flushMs, 100));
    }
  };

  return {
    append(entry) {
      queue.push(entry);
      if (closed) return flush();
      if (queue.length >= batchSize) flush();
      else if (!timer) timer = setTimeout(flush, flushMs);
    },
    flush,
    get pending() {
      return queue.length;
    },
    get written() {
      return written;
    },
    close() {
      closed = true;
      flush();
    },
  };
}

export interface VerifyResult {
  ok: boolean;
  records: number;
  head: { seq: number; hash: string } | null;
  /** The first bad record: its seq and why. */
  firstBad?: { seq: number; reason: string };
}

/** Walk the chain in seq order and check links, hashes, gaps and the head checkpoint. */
export function verifyAudit(db: Db): VerifyResult {
  const head = (db.prepare('SELECT seq, hash FROM gateway_audit_head WHERE id = 1').get() as { seq: number; hash: string } | undefined) ?? null;
  let expected = 1;
  let prev = GENESIS_HASH;
  let records = 0;
  const bad = (seq: number, reason: string): VerifyResult => ({ ok: false, records, head, firstBad: { seq, reason } });
  for (const row of db.prepare('SELECT * FROM gateway_audit ORDER BY seq').iterate() as IterableIterator<AuditRow>) {
    if (row.seq !== expected) {
      const missing = row.seq - expected === 1 ? `record ${expected} is missing` : `records ${expected}-${row.seq - 1} are missing`;
      return bad(expected, `${missing} (deleted): the chain jumps from ${expected - 1} to ${row.seq}`);
    }
    if (row.prev_hash !== prev) {
      return bad(row.seq, `prev_hash does not match the hash of record ${row.seq - 1}: records were reordered, replaced or inserted`);
    }
    const { hash, ...rest } = row;
    if (rowHash(rest) !== hash) return bad(row.seq, 'hash mismatch: the record was edited after it was written');
    prev = hash;
    expected += 1;
    records += 1;
  }
  const last = expected - 1;
  if (!head) {
    if (records > 0) return bad(1, 'the head checkpoint is missing although records exist');
    return { ok: true, records, head };
  }
  if (head.seq > last) return bad(last + 1, `the tail was truncated: the checkpoint records ${head.seq} records, the log holds ${last}`);
  if (head.seq < last) return bad(head.seq + 1, `records after ${head.seq} were appended outside the gateway (the checkpoint ends at ${head.seq})`);
  if (head.hash !== prev) return bad(last, 'the last record does not match the head checkpoint hash');
  return { ok: true, records, head };
}

/** Rows at or after `since` (ISO time), in seq order, with `detail` parsed. */
export function* exportAudit(db: Db, opts: { since?: string } = {}): Generator<Record<string, unknown>> {
  const stmt = opts.since
    ? db.prepare('SELECT * FROM gateway_audit WHERE ts >= ? ORDER BY seq')
    : db.prepare('SELECT * FROM gateway_audit ORDER BY seq');
  const it = (opts.since ? stmt.iterate(opts.since) : stmt.iterate()) as IterableIterator<AuditRow>;
  for (const row of it) {
    let detail: unknown = row.detail;
    try {
      detail = JSON.parse(row.detail);
    } catch {
      // An edited, unparsable detail is exported as its raw text; `audit verify` reports it.
    }
    yield { ...row, detail };
  }
}
