import type { KeyObject } from 'node:crypto';
import { canonicalJson, GENESIS_HASH, rowHash, type AuditEntry, type AuditRow } from './audit-chain.js';
import { anchorAudit, listCheckpoints, verifyCheckpoints, type Checkpoint, type CheckpointVerify } from './audit-anchor.js';
import { defaultKeyPath, loadOrCreateSigningKey, type SigningKey } from './audit-key.js';
import { dirname, resolve } from 'node:path';
import type { Logger } from '../core/types.js';
import type { Db } from '../store/db.js';

/**
 * The audit log: one row per gateway decision, appended in a SHA-256 hash chain.
 * hash = SHA-256(canonical JSON of the row's fields, prev_hash included). A head checkpoint
 * (gateway_audit_head: last seq and hash), written in the same transaction, exposes a cut tail.
 * Writes are queued and flushed in one transaction every few milliseconds; `close()` flushes.
 * With `anchor`, the head is also signed (audit-anchor.ts) every N records, every T seconds and
 * on close, so a chain rewritten or cut together with its head fails `audit verify`.
 */

export { canonicalJson, GENESIS_HASH, rowHash, type AuditEntry, type AuditRow } from './audit-chain.js';

export interface AuditLog {
  append(entry: AuditEntry): void;
  /** Write what is queued now (synchronously). */
  flush(): void;
  /** Records waiting in the queue. */
  readonly pending: number;
  /** Records written since start. */
  readonly written: number;
  /** Why the last write failed, while writes fail (null once one succeeds). */
  readonly error: string | null;
  close(): void;
}

const num = (v: number | null): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The gateway's `audit.anchor` setting as options (undefined: off, or an in-memory store without a key file). */
export function auditAnchor(db: Db, cfg: { every: number; seconds: number; keyFile?: string } | false | undefined): AnchorOptions | undefined {
  if (cfg === false) return undefined;
  const path = cfg?.keyFile ? resolve(db.memory ? process.cwd() : dirname(db.name), cfg.keyFile) : db.memory ? null : defaultKeyPath(db.name);
  if (!path) return undefined;
  return { key: () => loadOrCreateSigningKey(path), every: cfg?.every ?? 1000, seconds: cfg?.seconds ?? 60 };
}

/** When the audit log signs its head: after `every` records, or `seconds` after the last signature when records were added, and on close. */
export interface AnchorOptions {
  /** The Ed25519 key (loaded, or created on first use, only when the first checkpoint is signed). */
  key: () => SigningKey;
  every: number;
  seconds: number;
}

export function createAuditLog(db: Db, opts: { flushMs?: number; batchSize?: number; log?: Logger; anchor?: AnchorOptions } = {}): AuditLog {
  const flushMs = opts.flushMs ?? 5;
  const batchSize = opts.batchSize ?? 256;
  let queue: AuditEntry[] = [];
  let timer: NodeJS.Timeout | null = null;
  let written = 0;
  let closed = false;
  let error: string | null = null;
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
    return { seq, hash: prev };
  });

  // ---- signed checkpoints
  const anchor = opts.anchor;
  let sinceAnchor = 0;
  let key: SigningKey | null = null;
  // The head this process wrote last, as it computed it (not read back): what it signs.
  let writtenHead: { seq: number; hash: string } | null = null;
  const anchorNow = (): void => {
    if (!anchor || sinceAnchor === 0) return;
    try {
      key ??= anchor.key();
      if (writtenHead) anchorAudit(db, key, { head: writtenHead });
      sinceAnchor = 0;
    } catch (e) {
      // The records are written; only their signature waits (the next anchor covers them).
      opts.log?.error({ err: (e as Error).message }, 'audit anchor failed');
    }
  };
  const anchorTimer = anchor ? setInterval(anchorNow, anchor.seconds * 1000) : null;
  anchorTimer?.unref();

  const flush = (): void => {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    try {
      writtenHead = writeBatch.immediate(batch);
      error = null;
      written += batch.length;
      sinceAnchor += batch.length;
      if (anchor && sinceAnchor >= anchor.every) anchorNow();
    } catch (e) {
      // Keep the records and retry on the next flush: an audit record is never dropped silently.
      queue = batch.concat(queue);
      error = (e as Error).message;
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
    get error() {
      return error;
    },
    close() {
      closed = true;
      flush();
      if (anchorTimer) clearInterval(anchorTimer);
      anchorNow();
    },
  };
}

export interface VerifyResult {
  ok: boolean;
  records: number;
  head: { seq: number; hash: string } | null;
  /** The first bad record: its seq and why. */
  firstBad?: { seq: number; reason: string };
  /** The signed checkpoints (when the chain itself verified). */
  checkpoints?: CheckpointVerify;
}

export interface VerifyOptions {
  /** The key checkpoints must be signed with (else the key stored with the first checkpoint). */
  publicKey?: KeyObject;
  keySource?: 'pinned' | 'key-file';
  /** Records without any checkpoint fail (a signing key exists, so checkpoints were deleted). */
  requireCheckpoint?: boolean;
}

/** Walk the chain in seq order and check links, hashes, gaps, the head, and every signed checkpoint. */
export function verifyAudit(db: Db, opts: VerifyOptions = {}): VerifyResult {
  const head = (db.prepare('SELECT seq, hash FROM gateway_audit_head WHERE id = 1').get() as { seq: number; hash: string } | undefined) ?? null;
  const checkpoints = listCheckpoints(db);
  const signedSeqs = new Set(checkpoints.map((c) => c.seq));
  const hashes = new Map<number, string>();
  let expected = 1;
  let prev = GENESIS_HASH;
  let records = 0;
  const bad = (seq: number, reason: string): VerifyResult => ({ ok: false, records, head, firstBad: { seq, reason } });
  for (const row of db.prepare('SELECT * FROM gateway_audit ORDER BY seq').iterate() as IterableIterator<AuditRow>) {
    if (signedSeqs.has(row.seq)) hashes.set(row.seq, row.hash);
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
  // Signed checkpoints first: a cut tail with a rewritten head passes the checks below.
  const signed = verifyCheckpoints(checkpoints, (seq) => hashes.get(seq), last, opts);
  if (!signed.ok) return { ...bad(signed.problem!.seq, signed.problem!.reason), checkpoints: signed };
  if (!head) {
    if (records > 0) return bad(1, 'the head checkpoint is missing although records exist');
    return { ok: true, records, head, checkpoints: signed };
  }
  if (head.seq > last) return bad(last + 1, `the tail was truncated: the checkpoint records ${head.seq} records, the log holds ${last}`);
  if (head.seq < last) return bad(head.seq + 1, `records after ${head.seq} were appended outside the gateway (the checkpoint ends at ${head.seq})`);
  if (head.hash !== prev) return bad(last, 'the last record does not match the head checkpoint hash');
  return { ok: true, records, head, checkpoints: signed };
}

/**
 * Rows at or after `since` (ISO time), in seq order, with `detail` parsed; each signed checkpoint
 * follows the record it signs as `{"checkpoint": {...}}` (with `checkpoints: false`, records only).
 */
export function* exportAudit(db: Db, opts: { since?: string; checkpoints?: boolean } = {}): Generator<Record<string, unknown>> {
  const stmt = opts.since
    ? db.prepare('SELECT * FROM gateway_audit WHERE ts >= ? ORDER BY seq')
    : db.prepare('SELECT * FROM gateway_audit ORDER BY seq');
  const it = (opts.since ? stmt.iterate(opts.since) : stmt.iterate()) as IterableIterator<AuditRow>;
  const pending: Checkpoint[] = opts.checkpoints === false ? [] : listCheckpoints(db).sort((a, b) => a.seq - b.seq || a.id - b.id);
  let first: number | null = null;
  for (const row of it) {
    first ??= row.seq;
    let detail: unknown = row.detail;
    try {
      detail = JSON.parse(row.detail);
    } catch {
      // An edited, unparsable detail is exported as its raw text; `audit verify` reports it.
    }
    yield { ...row, detail };
    while (pending.length && pending[0]!.seq <= row.seq) {
      const c = pending.shift()!;
      if (c.seq >= first) yield { checkpoint: c };
    }
  }
  // Checkpoints past the last record (its tail is gone): still exported, they show what was signed.
  if (first !== null || !opts.since) for (const c of pending) yield { checkpoint: c };
}
