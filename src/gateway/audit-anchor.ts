import { sign, verify, type KeyObject } from 'node:crypto';
import { PillarsError } from '../core/errors.js';
import type { Db } from '../store/db.js';
import type { AuditStore, CheckpointRow } from '../store/audit-log.js';
import { canonicalJson, GENESIS_HASH, rowHash, type AuditRow } from './audit-chain.js';
import { keyIdOf, publicKeyFromDer, type SigningKey } from './audit-key.js';

/**
 * Signed audit checkpoints. A checkpoint signs the chain head (last seq and its hash) with an
 * Ed25519 key kept outside the store, and links to the checkpoint before it. `audit anchor`
 * first re-checks the records written since the previous checkpoint, so it never signs a chain
 * that was already edited; the gateway signs the head it has just written. Without the key, rewriting the chain (even consistently, hashes
 * and head recomputed) or cutting its tail together with its head no longer verifies: the record
 * at a signed seq is gone or has another hash.
 */

/** A signed checkpoint (its row belongs to the store: store/audit-log.ts). */
export type Checkpoint = CheckpointRow;

/** The exact bytes signed. */
export function checkpointMessage(c: Pick<Checkpoint, 'seq' | 'hash' | 'ts' | 'key_id' | 'prev'>): Buffer {
  return Buffer.from(canonicalJson({ type: 'pillars-audit-checkpoint', v: 1, seq: c.seq, hash: c.hash, ts: c.ts, key_id: c.key_id, prev: c.prev }), 'utf8');
}

export function listCheckpoints(db: Db): Checkpoint[] {
  return db.prepare('SELECT * FROM gateway_audit_checkpoints ORDER BY id').all() as Checkpoint[];
}

export function lastCheckpoint(db: Db): Checkpoint | null {
  return (db.prepare('SELECT * FROM gateway_audit_checkpoints ORDER BY id DESC LIMIT 1').get() as Checkpoint | undefined) ?? null;
}

export type AnchorResult = { anchored: true; checkpoint: Checkpoint } | { anchored: false; reason: 'empty' | 'current'; checkpoint: Checkpoint | null };

/**
 * Sign a head (in one IMMEDIATE transaction, so checkpoints form one linked list across several
 * gateway workers). Without `head`, the store's head is signed once the records since the last
 * checkpoint verify (`pillars audit anchor`: throws when they do not). With `head`, a writer signs
 * the head it computed itself as it wrote (the gateway): one signature, nothing re-read, so the
 * request path pays ~0.5 ms per checkpoint (a signature and a small transaction) instead of
 * re-hashing every record since the last one (15-75 ms per 1000 records).
 * Either way, what happens to the chain between two checkpoints is covered from the next one on.
 */
export function anchorAudit(db: Db, key: SigningKey, opts: { head?: { seq: number; hash: string }; now?: () => Date } = {}): AnchorResult {
  const now = opts.now ?? (() => new Date());
  return db
    .transaction((): AnchorResult => {
      const last = lastCheckpoint(db);
      if (opts.head) {
        if (last && last.seq === opts.head.seq && last.hash === opts.head.hash) return { anchored: false, reason: 'current', checkpoint: last };
        return { anchored: true, checkpoint: insertCheckpoint(db, key, opts.head, last, now()) };
      }
      const head = db.prepare('SELECT seq, hash FROM gateway_audit_head WHERE id = 1').get() as { seq: number; hash: string } | undefined;
      if (!head || head.seq === 0) return { anchored: false, reason: 'empty', checkpoint: last };
      if (last && last.seq === head.seq && last.hash === head.hash) return { anchored: false, reason: 'current', checkpoint: last };
      // Re-check the records since the last checkpoint (all of them for the first).
      const check = sinceCheckpoint(last, (db.prepare('SELECT hash FROM gateway_audit WHERE seq = ?').get(last?.seq ?? 0) as { hash: string } | undefined)?.hash ?? null);
      for (const row of db.prepare('SELECT * FROM gateway_audit WHERE seq >= ? AND seq <= ? ORDER BY seq').iterate(check.from, head.seq) as IterableIterator<AuditRow>) check.push(row);
      check.end(head);
      return { anchored: true, checkpoint: insertCheckpoint(db, key, head, last, now()) };
    })
    .immediate();
}

/**
 * The re-check before a new signature: the record the last checkpoint signed still has its hash
 * (`signedHashNow`), then every record after it links and hashes, up to the head. Throws (nothing
 * is signed) at the first record that does not verify.
 */
function sinceCheckpoint(last: Checkpoint | null, signedHashNow: string | null): { from: number; push(row: AuditRow): void; end(head: { seq: number; hash: string }): void } {
  if (last && signedHashNow !== last.hash) {
    throw new PillarsError(`audit anchor: record ${last.seq} no longer matches the last signed checkpoint: run \`pillars audit verify\``, { code: 'internal' });
  }
  let prev = last ? last.hash : GENESIS_HASH;
  let expected = last ? last.seq + 1 : 1;
  return {
    from: expected,
    push(row) {
      const { hash, ...rest } = row;
      if (row.seq !== expected || row.prev_hash !== prev || rowHash(rest) !== hash) {
        throw new PillarsError(`audit anchor: record ${expected} does not verify, nothing was signed: run \`pillars audit verify\``, { code: 'internal' });
      }
      prev = hash;
      expected += 1;
    },
    end(head) {
      if (expected - 1 !== head.seq || prev !== head.hash) throw new PillarsError('audit anchor: the head does not match the last record, nothing was signed: run `pillars audit verify`', { code: 'internal' });
    },
  };
}

/** The checkpoint signing `head` after `last` (not yet stored). */
export function checkpointFor(key: SigningKey, head: { seq: number; hash: string }, last: Checkpoint | null, at: Date): Omit<Checkpoint, 'id'> {
  const body = { seq: head.seq, hash: head.hash, ts: at.toISOString(), key_id: key.keyId, prev: last?.signature ?? '' };
  const signature = sign(null, checkpointMessage(body), key.privateKey).toString('base64');
  return { ...body, public_key: key.publicDer, signature };
}

function insertCheckpoint(db: Db, key: SigningKey, head: { seq: number; hash: string }, last: Checkpoint | null, at: Date): Checkpoint {
  const c = checkpointFor(key, head, last, at);
  const info = db.prepare('INSERT INTO gateway_audit_checkpoints (seq, hash, ts, key_id, public_key, prev, signature) VALUES (?,?,?,?,?,?,?)').run(c.seq, c.hash, c.ts, c.key_id, c.public_key, c.prev, c.signature);
  return { id: Number(info.lastInsertRowid), ...c };
}

const covers = (c: Checkpoint | null, head: { seq: number; hash: string }): boolean => c !== null && c.seq === head.seq && c.hash === head.hash;

/**
 * `anchorAudit` over any audit store (PostgreSQL included). With `head`, the writer signs the head
 * it wrote; without, the records since the last checkpoint are re-checked first, and the
 * checkpoint is added only if no other signer added one meanwhile (else: run it again).
 */
export async function anchorAuditStore(store: AuditStore, key: SigningKey, opts: { head?: { seq: number; hash: string }; now?: () => Date } = {}): Promise<AnchorResult> {
  const now = opts.now ?? (() => new Date());
  if (opts.head) {
    const head = opts.head;
    let current: Checkpoint | null = null;
    const added = await store.addCheckpoint((last) => {
      if (covers(last, head)) {
        current = last;
        return null;
      }
      return checkpointFor(key, head, last, now());
    });
    return added ? { anchored: true, checkpoint: added } : { anchored: false, reason: 'current', checkpoint: current };
  }
  const all = await store.checkpoints();
  const last = all.at(-1) ?? null;
  const head = await store.head();
  if (!head || head.seq === 0) return { anchored: false, reason: 'empty', checkpoint: last };
  if (covers(last, head)) return { anchored: false, reason: 'current', checkpoint: last };
  const check = sinceCheckpoint(last, last ? await store.hashAt(last.seq) : null);
  for await (const row of store.rows({ fromSeq: check.from, toSeq: head.seq })) check.push(row);
  check.end(head);
  const added = await store.addCheckpoint((now2) => {
    if ((now2?.id ?? null) !== (last?.id ?? null)) throw new PillarsError('audit anchor: another process signed a checkpoint meanwhile; run `pillars audit anchor` again', { code: 'internal' });
    return checkpointFor(key, head, last, now());
  });
  return { anchored: true, checkpoint: added! };
}

export interface CheckpointVerify {
  ok: boolean;
  count: number;
  last: { seq: number; ts: string } | null;
  keyId: string | null;
  /** Where the trusted public key came from. `embedded`: only the store's own copy (not pinned). */
  keySource: 'pinned' | 'key-file' | 'embedded' | null;
  /** Records after the last checkpoint (not covered by a signature yet). */
  unanchored: number;
  problem?: { seq: number; reason: string };
}

/**
 * Check every checkpoint: its signature under the trusted key, its link to the one before, and
 * that the chain still holds the signed record with the signed hash. `hashAt` gives the hash of
 * the record at a seq as the chain holds it now (undefined: missing).
 */
export function verifyCheckpoints(
  checkpoints: Checkpoint[],
  hashAt: (seq: number) => string | undefined,
  lastSeq: number,
  opts: { publicKey?: KeyObject; keySource?: 'pinned' | 'key-file'; requireCheckpoint?: boolean } = {},
): CheckpointVerify {
  const keyId = opts.publicKey ? keyIdOf(opts.publicKey) : (checkpoints[0]?.key_id ?? null);
  const base: CheckpointVerify = { ok: true, count: checkpoints.length, last: null, keyId, keySource: opts.publicKey ? (opts.keySource ?? 'pinned') : checkpoints.length ? 'embedded' : null, unanchored: lastSeq };
  const fail = (seq: number, reason: string): CheckpointVerify => ({ ...base, ok: false, problem: { seq, reason } });
  if (checkpoints.length === 0) {
    if (opts.requireCheckpoint && lastSeq > 0) {
      return fail(1, 'no signed checkpoint, although a signing key exists: the checkpoints were deleted (on a new store, run `pillars audit anchor`)');
    }
    return base;
  }
  let trusted = opts.publicKey ?? null;
  let prevSig = '';
  for (const c of checkpoints) {
    if (!trusted) {
      trusted = publicKeyFromDer(c.public_key);
      if (!trusted) return fail(c.seq, `checkpoint ${c.id}: its public key is unreadable`);
    }
    if (keyIdOf(trusted) !== c.key_id) return fail(c.seq, `checkpoint ${c.id} (seq ${c.seq}) was signed by key ${c.key_id}, not by the trusted key ${keyIdOf(trusted)}`);
    let valid = false;
    try {
      valid = verify(null, checkpointMessage(c), trusted, Buffer.from(c.signature, 'base64'));
    } catch {
      valid = false;
    }
    if (!valid) return fail(c.seq, `checkpoint ${c.id} (seq ${c.seq}): the signature does not verify: the checkpoint was edited or forged`);
    if (c.prev !== prevSig) return fail(c.seq, `checkpoint ${c.id} (seq ${c.seq}) does not follow the checkpoint before it: a checkpoint was deleted or reordered`);
    const now = hashAt(c.seq);
    if (now === undefined) {
      return fail(c.seq, `record ${c.seq} is signed by checkpoint ${c.id} (${c.ts}) but the log ends at ${lastSeq}: the tail was truncated (with its head)`);
    }
    if (now !== c.hash) return fail(c.seq, `record ${c.seq} does not match the hash signed by checkpoint ${c.id} (${c.ts}): the chain was rewritten`);
    prevSig = c.signature;
  }
  // Workers sign their own heads, so the highest signed seq is not always the newest checkpoint.
  const last = checkpoints.reduce((a, c) => (c.seq >= a.seq ? c : a));
  return { ...base, last: { seq: last.seq, ts: last.ts }, unanchored: Math.max(0, lastSeq - last.seq) };
}
