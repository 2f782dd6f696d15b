import { createHash } from 'node:crypto';
import type postgres from 'postgres';
import { UserError } from '../../core/errors.js';
import type { Item } from '../../core/types.js';
import {
  CLAIM_MINUTES,
  CLAIMABLE,
  EFFECTIVE,
  verdictsQuery,
  toQueue,
  toTask,
  toUser,
  toVerdict,
  type NewTask,
  type NewVerdict,
  type PackSnapshot,
  type QueueKind,
  type QueueProgress,
  type RawQueue,
  type RawTask,
  type RawUser,
  type RawVerdict,
  type ReviewQueue,
  type ReviewRole,
  type ReviewStore,
  type ReviewTask,
  type ReviewUser,
  type SessionRecord,
  type VerdictRecord,
} from '../review.js';
import type { Sql } from './connect.js';

/**
 * The review repository on PostgreSQL: the same tables and the same SQL as the SQLite store
 * (`store/review.ts`), so several review app instances share reviewers, sessions, queues and the
 * verdict log. Handing out a task (`claimNext`) locks the candidate row (`FOR UPDATE SKIP
 * LOCKED`, then a waiting pass) and checks it again once locked, so two instances never hand one
 * review slot twice, and a free slot is not missed because another instance held its row.
 */

type Tx = Sql | postgres.TransactionSql;
type Param = string | number | null;

/** SQLite's `?` placeholders as PostgreSQL's `$n`. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** One advisory lock id for pack snapshots (instances starting together write one snapshot). */
const SNAPSHOT_LOCK = 7351400;
/** With the queue id, the advisory lock of `claimNext`'s waiting pass. */
const CLAIM_LOCK = 7351401;

export class PgReviewStore implements ReviewStore {
  readonly db = null;
  readonly backend = 'postgres' as const;
  private readonly clock: () => Date;
  private readonly claimMs: number;

  constructor(
    private readonly sql: Sql,
    opts: { now?: () => Date; claimMinutes?: number } = {},
  ) {
    this.clock = opts.now ?? (() => new Date());
    this.claimMs = (opts.claimMinutes ?? CLAIM_MINUTES) * 60_000;
  }

  private now(): string {
    return this.clock().toISOString();
  }

  private async rows<T>(text: string, args: Param[] = [], tx: Tx = this.sql): Promise<T[]> {
    return [...(await tx.unsafe<T[]>(numbered(text), args))] as T[];
  }

  private async one<T>(text: string, args: Param[] = [], tx: Tx = this.sql): Promise<T | undefined> {
    return (await this.rows<T>(text, args, tx))[0];
  }

  // ---- users ------------------------------------------------------------------------------
  async addUser(u: { name: string; role: ReviewRole; passwordHash: string }): Promise<ReviewUser> {
    if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(u.name)) throw new UserError(`--name: "${u.name}" must be 1-64 letters, digits, . _ @ or -`);
    const r = await this.one<RawUser>('INSERT INTO review_users (name, role, password, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING RETURNING *', [u.name, u.role, u.passwordHash, this.now()]);
    if (!r) throw new UserError(`a reviewer named "${u.name}" already exists`);
    return toUser(r);
  }

  async user(id: number): Promise<ReviewUser | null> {
    const r = await this.one<RawUser>('SELECT * FROM review_users WHERE id = ?', [id]);
    return r ? toUser(r) : null;
  }

  async userByName(name: string): Promise<ReviewUser | null> {
    const r = await this.one<RawUser>('SELECT * FROM review_users WHERE name = ?', [name]);
    return r ? toUser(r) : null;
  }

  async passwordHash(name: string): Promise<{ user: ReviewUser; hash: string } | null> {
    const r = await this.one<RawUser>('SELECT * FROM review_users WHERE name = ?', [name]);
    return r ? { user: toUser(r), hash: r.password } : null;
  }

  async listUsers(): Promise<(ReviewUser & { queues: number[] })[]> {
    const rows = await this.rows<RawUser>('SELECT * FROM review_users ORDER BY name COLLATE "C"');
    const members = await this.rows<{ user_id: number; queue_id: number }>('SELECT user_id, queue_id FROM review_queue_members ORDER BY queue_id');
    return rows.map((r) => ({ ...toUser(r), queues: members.filter((m) => m.user_id === r.id).map((m) => m.queue_id) }));
  }

  async addMember(queueId: number, userId: number): Promise<void> {
    await this.rows('INSERT INTO review_queue_members (queue_id, user_id, added_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [queueId, userId, this.now()]);
  }

  async queueIdsOf(userId: number): Promise<number[]> {
    return (await this.rows<{ queue_id: number }>('SELECT queue_id FROM review_queue_members WHERE user_id = ? ORDER BY queue_id', [userId])).map((r) => r.queue_id);
  }

  async members(queueId: number): Promise<ReviewUser[]> {
    return (await this.rows<RawUser>('SELECT u.* FROM review_users u JOIN review_queue_members m ON m.user_id = u.id WHERE m.queue_id = ? ORDER BY u.name COLLATE "C"', [queueId])).map(toUser);
  }

  // ---- queues and tasks -------------------------------------------------------------------
  async createQueue(q: { name: string; kind: QueueKind; source: Record<string, unknown>; doubleShare?: number; createdBy?: string | null; tasks: NewTask[] }): Promise<ReviewQueue> {
    if (!q.name.trim()) throw new UserError('a queue needs a name');
    const share = q.doubleShare ?? 0;
    if (!(share >= 0 && share <= 1)) throw new UserError(`--double: ${share} is not a share between 0 and 1`);
    const r = await this.sql.begin(async (tx) => {
      const queue = await this.one<RawQueue>(
        'INSERT INTO review_queues (name, kind, source, double_share, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING RETURNING *',
        [q.name, q.kind, JSON.stringify(q.source), share, this.now(), q.createdBy ?? null],
        tx,
      );
      if (!queue) return null;
      const ts = this.now();
      const rows = q.tasks.map((t, i) => ({
        queue_id: queue.id,
        pos: i,
        kind: t.kind,
        run_id: t.runId ?? null,
        item_seq: t.itemSeq ?? null,
        frontier_case: t.frontierCase ?? null,
        required_reviews: t.requiredReviews ?? 1,
        assigned_to: t.assignedTo ?? null,
        payload: JSON.stringify(t.payload),
        created_at: ts,
      }));
      for (let i = 0; i < rows.length; i += 500) await tx`INSERT INTO review_tasks ${tx(rows.slice(i, i + 500))}`;
      return queue;
    });
    if (!r) throw new UserError(`a queue named "${q.name}" already exists: pick another --name`);
    return toQueue(r);
  }

  async queue(id: number): Promise<ReviewQueue | null> {
    const r = await this.one<RawQueue>('SELECT * FROM review_queues WHERE id = ?', [id]);
    return r ? toQueue(r) : null;
  }

  async queueByName(name: string): Promise<ReviewQueue | null> {
    const r = await this.one<RawQueue>('SELECT * FROM review_queues WHERE name = ?', [name]);
    return r ? toQueue(r) : null;
  }

  async resolveQueue(ref: string): Promise<ReviewQueue> {
    const q = /^\d+$/.test(ref) ? await this.queue(Number(ref)) : await this.queueByName(ref);
    if (!q) throw new UserError(`no review queue "${ref}" (see \`pillars review list\`)`, { code: 'not_found' });
    return q;
  }

  async listQueues(): Promise<ReviewQueue[]> {
    return (await this.rows<RawQueue>('SELECT * FROM review_queues ORDER BY id')).map(toQueue);
  }

  async task(id: number): Promise<ReviewTask | null> {
    const r = await this.one<RawTask>('SELECT * FROM review_tasks WHERE id = ?', [id]);
    return r ? toTask(r) : null;
  }

  async tasks(queueId: number): Promise<ReviewTask[]> {
    return (await this.rows<RawTask>('SELECT * FROM review_tasks WHERE queue_id = ? ORDER BY pos', [queueId])).map(toTask);
  }

  async assign(taskId: number, userId: number | null): Promise<void> {
    await this.rows('UPDATE review_tasks SET assigned_to = ? WHERE id = ?', [userId, taskId]);
  }

  async nextTask(queueId: number, userId: number, after = -1): Promise<ReviewTask | null> {
    const r = await this.one<RawTask>(
      `SELECT t.* FROM review_tasks t WHERE t.queue_id = ? AND t.pos > ? AND (t.assigned_to IS NULL OR t.assigned_to = ?)
         AND NOT EXISTS (SELECT 1 FROM (${EFFECTIVE}) e WHERE e.task_id = t.id AND e.user_id = ?)
         AND (SELECT COUNT(DISTINCT e.user_id) FROM (${EFFECTIVE}) e WHERE e.task_id = t.id) < t.required_reviews
       ORDER BY t.pos LIMIT 1`,
      [queueId, after, userId, userId],
    );
    return r ? toTask(r) : null;
  }

  async claimNext(queueId: number, userId: number, after = -1): Promise<ReviewTask | null> {
    return this.sql.begin(async (tx) => {
      await this.rows('DELETE FROM review_claims WHERE queue_id = ? AND user_id = ?', [queueId, userId], tx);
      // First pass: rows other instances are handing out right now are skipped (SKIP LOCKED), so
      // reviewers asking at once do not wait for each other. A row we lock is checked again in a
      // new statement, which sees the claims committed by whoever held it before us. When that
      // finds nothing, the skipped rows may still have a free slot: a second pass waits for them,
      // one such pass per queue at a time (an advisory lock), so waiting passes cannot deadlock.
      for (const wait of [false, true]) {
        if (wait) await tx`SELECT pg_advisory_xact_lock(${CLAIM_LOCK}, ${queueId})`;
        const skip: number[] = [];
        for (;;) {
          const ts = this.now();
          const args: Param[] = [queueId, after, userId, userId, ts, userId];
          const r = await this.one<RawTask>(
            `SELECT t.* FROM review_tasks t WHERE ${CLAIMABLE}${skip.length ? ` AND t.id NOT IN (${skip.join(',')})` : ''} ORDER BY t.pos LIMIT 1 FOR UPDATE OF t${wait ? '' : ' SKIP LOCKED'}`,
            args,
            tx,
          );
          if (!r) break;
          const still = await this.one<{ id: number }>(`SELECT t.id FROM review_tasks t WHERE ${CLAIMABLE} AND t.id = ?`, [...args, r.id], tx);
          if (!still) {
            skip.push(r.id);
            continue;
          }
          await this.rows(
            `INSERT INTO review_claims (task_id, user_id, queue_id, expires_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (task_id, user_id) DO UPDATE SET expires_at = excluded.expires_at`,
            [r.id, userId, queueId, new Date(Date.parse(ts) + this.claimMs).toISOString()],
            tx,
          );
          return toTask(r);
        }
      }
      return null;
    });
  }

  async neighbour(task: ReviewTask, dir: 1 | -1): Promise<ReviewTask | null> {
    const r = await this.one<RawTask>(`SELECT * FROM review_tasks WHERE queue_id = ? AND pos ${dir > 0 ? '>' : '<'} ? ORDER BY pos ${dir > 0 ? 'ASC' : 'DESC'} LIMIT 1`, [task.queueId, task.pos]);
    return r ? toTask(r) : null;
  }

  async progress(queueId: number, userId?: number): Promise<QueueProgress> {
    const u = userId ?? -1;
    const r = await this.one<QueueProgress>(
      `SELECT COUNT(*)::int AS tasks,
         COALESCE(SUM(CASE WHEN (SELECT COUNT(DISTINCT e.user_id) FROM (${EFFECTIVE}) e WHERE e.task_id = t.id) >= t.required_reviews THEN 1 ELSE 0 END), 0)::int AS complete,
         COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM (${EFFECTIVE}) e WHERE e.task_id = t.id AND e.user_id = ?) THEN 1 ELSE 0 END), 0)::int AS mine,
         COALESCE(SUM(CASE WHEN (t.assigned_to IS NULL OR t.assigned_to = ?)
             AND NOT EXISTS (SELECT 1 FROM (${EFFECTIVE}) e WHERE e.task_id = t.id AND e.user_id = ?)
             AND (SELECT COUNT(DISTINCT e.user_id) FROM (${EFFECTIVE}) e WHERE e.task_id = t.id) < t.required_reviews THEN 1 ELSE 0 END), 0)::int AS open
       FROM review_tasks t WHERE t.queue_id = ?`,
      [u, u, u, queueId],
    );
    return { tasks: r!.tasks, complete: r!.complete, mine: r!.mine, open: r!.open };
  }

  // ---- verdicts (append-only) -------------------------------------------------------------
  private async insertVerdict(v: { taskId: number; user: ReviewUser; verdict?: string | null; ranking?: number[] | null; note?: string | null }, tx: Tx): Promise<VerdictRecord> {
    const r = await this.one<{ id: number }>(
      "INSERT INTO review_verdicts (task_id, user_id, reviewer, kind, verdict, ranking, note, created_at) VALUES (?, ?, ?, 'verdict', ?, ?, ?, ?) RETURNING id",
      [v.taskId, v.user.id, v.user.name, v.verdict ?? null, v.ranking ? JSON.stringify(v.ranking) : null, v.note ?? null, this.now()],
      tx,
    );
    return (await this.verdictIn(r!.id, tx))!;
  }

  async appendVerdict(v: { taskId: number; user: ReviewUser; verdict?: string | null; ranking?: number[] | null; note?: string | null }): Promise<VerdictRecord> {
    return this.insertVerdict(v, this.sql);
  }

  async recordVerdict(v: NewVerdict): Promise<VerdictRecord> {
    return this.sql.begin(async (tx) => {
      for (const old of await this.verdictsIn({ taskId: v.taskId, userId: v.user.id }, tx)) await this.undoIn(old.id, old.taskId, v.user, tx);
      const rec = await this.insertVerdict(v, tx);
      const item = v.datasetItem?.(rec) ?? null;
      if (item) await this.rows('INSERT INTO review_dataset_items (task_id, verdict_id, item, created_at) VALUES (?, ?, ?, ?)', [v.taskId, rec.id, JSON.stringify(item), this.now()], tx);
      await this.rows('DELETE FROM review_claims WHERE task_id = ? AND user_id = ?', [v.taskId, v.user.id], tx);
      return rec;
    });
  }

  private async undoIn(verdictId: number, taskId: number, user: ReviewUser, tx: Tx): Promise<void> {
    await this.rows("INSERT INTO review_verdicts (task_id, user_id, reviewer, kind, undoes, created_at) VALUES (?, ?, ?, 'undo', ?, ?)", [taskId, user.id, user.name, verdictId, this.now()], tx);
  }

  async appendUndo(verdictId: number, user: ReviewUser): Promise<void> {
    const v = await this.verdict(verdictId);
    if (!v) throw new UserError(`no verdict ${verdictId}`, { code: 'not_found' });
    await this.undoIn(verdictId, v.taskId, user, this.sql);
  }

  private async verdictIn(id: number, tx: Tx): Promise<VerdictRecord | null> {
    const r = await this.one<RawVerdict>(
      'SELECT v.id, v.task_id, t.queue_id, v.user_id, v.reviewer, v.verdict, v.ranking, v.note, v.created_at FROM review_verdicts v JOIN review_tasks t ON t.id = v.task_id WHERE v.id = ?',
      [id],
      tx,
    );
    return r ? toVerdict(r) : null;
  }

  async verdict(id: number): Promise<VerdictRecord | null> {
    return this.verdictIn(id, this.sql);
  }

  private async verdictsIn(f: { queueId?: number; taskId?: number; runId?: string; userId?: number }, tx: Tx): Promise<VerdictRecord[]> {
    const { sql, args } = verdictsQuery(f);
    return (await this.rows<RawVerdict>(sql, args, tx)).map(toVerdict);
  }

  async verdicts(f: { queueId?: number; taskId?: number; runId?: string; userId?: number } = {}): Promise<VerdictRecord[]> {
    return this.verdictsIn(f, this.sql);
  }

  async lastVerdictOf(userId: number, queueId: number): Promise<VerdictRecord | null> {
    const r = await this.one<RawVerdict>(`SELECT * FROM (${EFFECTIVE}) e WHERE e.user_id = ? AND e.queue_id = ? ORDER BY e.id DESC LIMIT 1`, [userId, queueId]);
    return r ? toVerdict(r) : null;
  }

  // ---- dataset items from confirmed breaks ------------------------------------------------
  async addDatasetItem(taskId: number, verdictId: number, item: Item): Promise<void> {
    await this.rows('INSERT INTO review_dataset_items (task_id, verdict_id, item, created_at) VALUES (?, ?, ?, ?)', [taskId, verdictId, JSON.stringify(item), this.now()]);
  }

  async datasetItems(): Promise<Item[]> {
    const rows = await this.rows<{ item: string }>(
      `SELECT d.item FROM review_dataset_items d WHERE d.verdict_id IN (SELECT id FROM (${EFFECTIVE}) x)
         AND d.id = (SELECT MIN(d2.id) FROM review_dataset_items d2 WHERE d2.task_id = d.task_id AND d2.verdict_id IN (SELECT id FROM (${EFFECTIVE}) y))
       ORDER BY d.id`,
    );
    return rows.map((r) => JSON.parse(r.item) as Item);
  }

  // ---- sessions -----------------------------------------------------------------------------
  async createSession(s: { tokenHash: string; userId: number; csrf: string; expiresAt: string }): Promise<void> {
    await this.rows('INSERT INTO review_sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)', [s.tokenHash, s.userId, s.csrf, this.now(), s.expiresAt]);
  }

  async session(tokenHash: string): Promise<SessionRecord | null> {
    const r = await this.one<RawUser & { csrf: string; expires_at: string }>(
      'SELECT s.csrf, s.expires_at, u.* FROM review_sessions s JOIN review_users u ON u.id = s.user_id WHERE s.token_hash = ?',
      [tokenHash],
    );
    if (!r) return null;
    if (r.expires_at <= this.now() || r.disabled === 1) {
      await this.deleteSession(tokenHash);
      return null;
    }
    return { user: toUser(r), csrf: r.csrf, expiresAt: r.expires_at };
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.rows('DELETE FROM review_sessions WHERE token_hash = ?', [tokenHash]);
  }

  // ---- pack snapshots -------------------------------------------------------------------------
  async snapshotPack(pack: { id: string; version: string; [k: string]: unknown }): Promise<PackSnapshot[]> {
    const text = JSON.stringify(pack);
    const sha = createHash('sha256').update(text).digest('hex');
    await this.sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(${SNAPSHOT_LOCK})`;
      const last = await this.one<{ sha256: string }>('SELECT sha256 FROM review_pack_snapshots WHERE pack_id = ? ORDER BY id DESC LIMIT 1', [pack.id], tx);
      if (last?.sha256 !== sha) await this.rows('INSERT INTO review_pack_snapshots (pack_id, version, sha256, pack, seen_at) VALUES (?, ?, ?, ?, ?)', [pack.id, pack.version, sha, text, this.now()], tx);
    });
    return this.snapshots(pack.id);
  }

  async snapshots(packId: string): Promise<PackSnapshot[]> {
    const rows = await this.rows<{ id: number; pack_id: string; version: string; sha256: string; pack: string; seen_at: string }>('SELECT * FROM review_pack_snapshots WHERE pack_id = ? ORDER BY id', [packId]);
    return rows.map((r) => ({ id: r.id, packId: r.pack_id, version: r.version, sha256: r.sha256, pack: JSON.parse(r.pack) as unknown, seenAt: r.seen_at }));
  }
}
