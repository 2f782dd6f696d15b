import type { KeyObject } from 'node:crypto';
import { canonicalJson, GENESIS_HASH, rowHash, type AuditEntry, type AuditRow } from './audit-chain.js';
import { anchorAudit, anchorAuditStore, listCheckpoints, verifyCheckpoints, type Checkpoint, type CheckpointVerify } from './audit-anchor.js';
import { defaultKeyPath, loadOrCreateSigningKey, type SigningKey } from './audit-key.js';
import { dirname, resolve } from 'node:path';
import type { Logger } from '../core/types.js';
import type { Db } from '../store/db.js';
import type { MaybePromise } from '../core/maybe.js';
import { createSqliteAuditStore, type AuditStore } from '../store/audit-log.js';

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
  /** Write what is queued now (SQLite: synchronously; PostgreSQL: the promise settles once written). */
  flush(): MaybePromise<void>;
  /** Records waiting in the queue (or being written). */
  readonly pending: number;
  /** Records written since start. */
  readonly written: number;
  /** Why the last write failed, while writes fail (null once one succeeds). */
  readonly error: string | null;
  close(): MaybePromise<void>;
}

const num = (v: number | null): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * The gateway's `audit.anchor` setting as options (undefined: off). The key file is `keyFile`
 * (relative to the SQLite store's folder), else the default beside a SQLite file; a PostgreSQL or
 * in-memory store has no folder, so it signs only with a configured `keyFile`.
 */
export function auditAnchor(db: Db | null, cfg: { every: number; seconds: number; keyFile?: string } | false | undefined): AnchorOptions | undefined {
  if (cfg === false) return undefined;
  const dir = db && !db.memory ? dirname(db.name) : process.cwd();
  const path = cfg?.keyFile ? resolve(dir, cfg.keyFile) : db && !db.memory ? defaultKeyPath(db.name) : null;
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

/** The rows a batch of entries adds after `head`, each linked to the one before. */
export function chainRows(head: { seq: number; hash: string } | null, batch: readonly AuditEntry[]): AuditRow[] {
  let seq = head?.seq ?? 0;
  let prev = head?.hash ?? GENESIS_HASH;
  return batch.map((e) => {
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
    prev = hash;
    return { ...row, hash };
  });
}

/**
 * The audit writer over a SQLite handle or any `AuditStore` (PostgreSQL: store/pg/gateway.ts).
 * One write is in flight at a time per process; the store serialises writers across processes.
 */
export function createAuditLog(target: Db | AuditStore, opts: { flushMs?: number; batchSize?: number; log?: Logger; anchor?: AnchorOptions } = {}): AuditLog {
  const db = 'prepare' in target ? target : null;
  const store = db ? createSqliteAuditStore(db) : (target as AuditStore);
  const flushMs = opts.flushMs ?? 5;
  const batchSize = opts.batchSize ?? 256;
  let queue: AuditEntry[] = [];
  let writing = 0;
  let inflight: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let written = 0;
  let closed = false;
  let error: string | null = null;

  // ---- signed checkpoints
  const anchor = opts.anchor;
  let sinceAnchor = 0;
  let key: SigningKey | null = null;
  // The head this process wrote last, as it computed it (not read back): what it signs.
  let writtenHead: { seq: number; hash: string } | null = null;
  const anchorFailed = (e: unknown): void => {
    // The records are written; only their signature waits (the next anchor covers them).
    opts.log?.error({ err: (e as Error).message }, 'audit anchor failed');
  };
  const anchorNow = (): MaybePromise<void> => {
    if (!anchor || sinceAnchor === 0 || !writtenHead) return;
    try {
      key ??= anchor.key();
      const covered = sinceAnchor;
      // SQLite signs synchronously (a checkpoint exists when close() returns).
      if (db) {
        anchorAudit(db, key, { head: writtenHead });
        sinceAnchor = 0;
        return;
      }
      const r = anchorAuditStore(store, key, { head: writtenHead });
      return r.then(() => void (sinceAnchor -= Math.min(sinceAnchor, covered)), anchorFailed);
    } catch (e) {
      anchorFailed(e);
    }
  };
  const anchorTimer = anchor ? setInterval(() => void anchorNow(), anchor.seconds * 1000) : null;
  anchorTimer?.unref();

  const schedule = (ms: number): void => {
    if (!timer) timer = setTimeout(() => void flush(), ms);
  };
  const wrote = (batch: AuditEntry[], head: { seq: number; hash: string }): void => {
    writtenHead = head;
    error = null;
    written += batch.length;
    sinceAnchor += batch.length;
    if (anchor && sinceAnchor >= anchor.every) void anchorNow();
  };
  const failed = (batch: AuditEntry[], e: unknown): void => {
    // Keep the records and retry on the next flush: an audit record is never dropped silently.
    queue = batch.concat(queue);
    error = (e as Error).message;
    opts.log?.error({ err: (e as Error).message, pending: queue.length }, 'audit write failed; will retry');
    if (!closed) schedule(Math.max(flushMs, 100));
  };

  const flush = (): MaybePromise<void> => {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    // One write at a time: what is queued meanwhile goes in the next one.
    if (inflight) return inflight.then(flush);
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    writing = batch.length;
    let r: MaybePromise<{ seq: number; hash: string }>;
    try {
      r = store.append((head) => chainRows(head, batch));
    } catch (e) {
      writing = 0;
      return failed(batch, e);
    }
    if (!(r instanceof Promise)) {
      writing = 0;
      return wrote(batch, r);
    }
    inflight = r.then(
      (head) => wrote(batch, head),
      (e: unknown) => failed(batch, e),
    );
    return inflight.finally(() => {
      inflight = null;
      writing = 0;
      if (queue.length && !closed) schedule(queue.length >= batchSize ? 0 : flushMs);
    });
  };

  return {
    append(entry) {
      queue.push(entry);
      if (closed) return void flush();
      if (queue.length >= batchSize && !inflight) void flush();
      else schedule(flushMs);
    },
    flush,
    get pending() {
      return queue.length + writing;
    },
    get written() {
      return written;
    },
    get error() {
      return error;
    },
    close() {
      closed = true;
      const done = (): MaybePromise<void> => {
        if (anchorTimer) clearInterval(anchorTimer);
        return anchorNow();
      };
      const f = flush();
      return f instanceof Promise ? f.then(done) : done();
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

/** Checks records one by one in seq order: links, hashes and gaps; keeps the hashes at signed seqs. */
class ChainWalker {
  records = 0;
  private expected = 1;
  private prev = GENESIS_HASH;
  readonly hashes = new Map<number, string>();
  constructor(private readonly signedSeqs: Set<number>) {}

  /** The first problem with this record, or null. */
  push(row: AuditRow): { seq: number; reason: string } | null {
    if (this.signedSeqs.has(row.seq)) this.hashes.set(row.seq, row.hash);
    const expected = this.expected;
    if (row.seq !== expected) {
      const missing = row.seq - expected === 1 ? `record ${expected} is missing` : `records ${expected}-${row.seq - 1} are missing`;
      return { seq: expected, reason: `${missing} (deleted): the chain jumps from ${expected - 1} to ${row.seq}` };
    }
    if (row.prev_hash !== this.prev) {
      return { seq: row.seq, reason: `prev_hash does not match the hash of record ${row.seq - 1}: records were reordered, replaced or inserted` };
    }
    const { hash, ...rest } = row;
    if (rowHash(rest) !== hash) return { seq: row.seq, reason: 'hash mismatch: the record was edited after it was written' };
    this.prev = hash;
    this.expected += 1;
    this.records += 1;
    return null;
  }

  /** After the last record: the signed checkpoints, then the head. */
  finish(head: VerifyResult['head'], checkpoints: Checkpoint[], opts: VerifyOptions): VerifyResult {
    const records = this.records;
    const bad = (seq: number, reason: string): VerifyResult => ({ ok: false, records, head, firstBad: { seq, reason } });
    const last = this.expected - 1;
    // Signed checkpoints first: a cut tail with a rewritten head passes the checks below.
    const signed = verifyCheckpoints(checkpoints, (seq) => this.hashes.get(seq), last, opts);
    if (!signed.ok) return { ...bad(signed.problem!.seq, signed.problem!.reason), checkpoints: signed };
    if (!head) {
      if (records > 0) return bad(1, 'the head checkpoint is missing although records exist');
      return { ok: true, records, head, checkpoints: signed };
    }
    if (head.seq > last) return bad(last + 1, `the tail was truncated: the checkpoint records ${head.seq} records, the log holds ${last}`);
    if (head.seq < last) return bad(head.seq + 1, `records after ${head.seq} were appended outside the gateway (the checkpoint ends at ${head.seq})`);
    if (head.hash !== this.prev) return bad(last, 'the last record does not match the head checkpoint hash');
    return { ok: true, records, head, checkpoints: signed };
  }
}

/** Walk the chain in seq order and check links, hashes, gaps, the head, and every signed checkpoint. */
export function verifyAudit(db: Db, opts: VerifyOptions = {}): VerifyResult {
  const store = createSqliteAuditStore(db);
  const head = store.head() as VerifyResult['head'];
  const checkpoints = store.checkpoints() as Checkpoint[];
  const walker = new ChainWalker(new Set(checkpoints.map((c) => c.seq)));
  for (const row of store.rows() as Iterable<AuditRow>) {
    const problem = walker.push(row);
    if (problem) return { ok: false, records: walker.records, head, firstBad: problem };
  }
  return walker.finish(head, checkpoints, opts);
}

/** `verifyAudit` over any audit store (PostgreSQL included), reading the rows in batches. */
export async function verifyAuditStore(store: AuditStore, opts: VerifyOptions = {}): Promise<VerifyResult> {
  // One snapshot: the head, checkpoints and records as they were at one moment (writers go on).
  if (store.snapshot) return store.snapshot((s) => verifyAuditStore({ ...s, snapshot: undefined }, opts));
  const head = await store.head();
  const checkpoints = await store.checkpoints();
  const walker = new ChainWalker(new Set(checkpoints.map((c) => c.seq)));
  for await (const row of store.rows()) {
    const problem = walker.push(row);
    if (problem) return { ok: false, records: walker.records, head, firstBad: problem };
  }
  return walker.finish(head, checkpoints, opts);
}

/**
 * Rows at or after `since` (ISO time), in seq order, with `detail` parsed; each signed checkpoint
 * follows the record it signs as `{"checkpoint": {...}}` (with `checkpoints: false`, records only).
 */
export function* exportAudit(db: Db, opts: { since?: string; checkpoints?: boolean } = {}): Generator<Record<string, unknown>> {
  const store = createSqliteAuditStore(db);
  const out = exportLines(opts.checkpoints === false ? [] : listCheckpoints(db), opts.since);
  for (const row of store.rows({ since: opts.since }) as Iterable<AuditRow>) yield* out.row(row);
  yield* out.end();
}

/** `exportAudit` over any audit store (PostgreSQL included), reading the rows in batches. */
export async function* exportAuditStore(store: AuditStore, opts: { since?: string; checkpoints?: boolean } = {}): AsyncGenerator<Record<string, unknown>> {
  const out = exportLines(opts.checkpoints === false ? [] : await store.checkpoints(), opts.since);
  for await (const row of store.rows({ since: opts.since })) yield* out.row(row);
  yield* out.end();
}

/** The export's lines: each record with its detail parsed, each checkpoint after the record it signs. */
function exportLines(checkpoints: readonly Checkpoint[], since: string | undefined): { row(r: AuditRow): Record<string, unknown>[]; end(): Record<string, unknown>[] } {
  const pending = [...checkpoints].sort((a, b) => a.seq - b.seq || a.id - b.id);
  let first: number | null = null;
  return {
    row(r) {
      first ??= r.seq;
      const lines: Record<string, unknown>[] = [{ ...r, detail: parsedDetail(r.detail) }];
      while (pending.length && pending[0]!.seq <= r.seq) {
        const c = pending.shift()!;
        if (c.seq >= first) lines.push({ checkpoint: c });
      }
      return lines;
    },
    // Checkpoints past the last record (its tail is gone): still exported, they show what was signed.
    end: () => (first !== null || !since ? pending.map((c) => ({ checkpoint: c })) : []),
  };
}

/** The stored detail parsed; an edited, unparsable one as its raw text (`audit verify` reports it). */
function parsedDetail(detail: string): unknown {
  try {
    return JSON.parse(detail);
  } catch {
    return detail;
  }
}
