import { createHash } from 'node:crypto';
import { UserError } from '../core/errors.js';
import type { Item, Message } from '../core/types.js';
import type { Db } from './db.js';

type MaybePromise<T> = T | Promise<T>;

/**
 * The review repository: reviewers, queues, tasks, the append-only verdict log, confirmed-break
 * dataset items, sessions and policy-pack snapshots. A verdict is never updated: an undo is a new
 * row (`kind: undo`) naming the verdict it withdraws, and every read uses the effective verdicts.
 */

export const REVIEW_ROLES = ['reviewer', 'expert', 'vendor', 'admin'] as const;
export type ReviewRole = (typeof REVIEW_ROLES)[number];
export const QUEUE_KINDS = ['sample', 'traffic', 'borderline', 'frontier', 'preference', 'appeal'] as const;
export type QueueKind = (typeof QUEUE_KINDS)[number];

export interface ReviewUser {
  id: number;
  name: string;
  role: ReviewRole;
  createdAt: string;
  disabled: boolean;
}

export interface JudgeView {
  judge: string;
  label: string;
  score: number;
  reasons: string[];
  unsure?: boolean;
}

/** What a task shows: the conversation, the policy and level in question, the judges' verdicts. */
export interface TaskPayload {
  title: string;
  conversation: Message[];
  /** The model response under review (output tasks). */
  response?: string;
  /** Candidate responses (preference tasks, 2-4). */
  responses?: string[];
  policy?: string | null;
  pillar?: string | null;
  topic?: string | null;
  level?: number | null;
  /** What the item expected (refuse, comply, deflect). */
  expected?: string;
  itemKind?: string;
  judges: JudgeView[];
  /** Appeals: the guard decision appealed against. */
  decision?: { action: string; policy: string | null; level: number | null; reasons: string[]; requestId?: string };
  /** Frontier escalations: scores, thresholds, samples. */
  evidence?: Record<string, unknown>;
  /** The eval item, for dataset export of confirmed breaks. */
  item?: Item;
  note?: string;
}

export interface NewTask {
  kind: QueueKind;
  runId?: string | null;
  itemSeq?: number | null;
  frontierCase?: string | null;
  requiredReviews?: number;
  assignedTo?: number | null;
  payload: TaskPayload;
}

export interface ReviewTask extends Required<Omit<NewTask, 'requiredReviews'>> {
  id: number;
  queueId: number;
  pos: number;
  requiredReviews: number;
  createdAt: string;
}

export interface ReviewQueue {
  id: number;
  name: string;
  kind: QueueKind;
  source: Record<string, unknown>;
  doubleShare: number;
  createdAt: string;
  createdBy: string | null;
}

export interface VerdictRecord {
  id: number;
  taskId: number;
  queueId: number;
  userId: number;
  reviewer: string;
  verdict: string | null;
  ranking: number[] | null;
  note: string | null;
  createdAt: string;
}

export interface QueueProgress {
  tasks: number;
  /** Tasks with as many reviews as they need. */
  complete: number;
  /** Tasks this user has reviewed. */
  mine: number;
  /** Tasks this user may still review. */
  open: number;
}

export interface SessionRecord {
  user: ReviewUser;
  csrf: string;
  expiresAt: string;
}

export interface PackSnapshot {
  id: number;
  packId: string;
  version: string;
  sha256: string;
  pack: unknown;
  seenAt: string;
}

/** A verdict to record: earlier effective verdicts of this reviewer on the task are withdrawn (undo rows), in one transaction. */
export interface NewVerdict {
  taskId: number;
  user: ReviewUser;
  verdict?: string | null;
  ranking?: number[] | null;
  note?: string | null;
  /** The dataset item a confirmed break adds, given the appended verdict (null: none). */
  datasetItem?: (v: VerdictRecord) => Item | null;
}

/** How long a task handed out by `claimNext` stays reserved for its reviewer (minutes). */
export const CLAIM_MINUTES = 30;

/**
 * The review repository. Callers `await` every call: the SQLite store (`createReviewStore`)
 * answers synchronously, the PostgreSQL one (`pg/review.ts`) with promises.
 */
export interface ReviewStore {
  /** The SQLite handle (null on PostgreSQL): frontier sign-offs join its transaction. */
  readonly db: Db | null;
  readonly backend: 'sqlite' | 'postgres';
  // users
  addUser(u: { name: string; role: ReviewRole; passwordHash: string }): MaybePromise<ReviewUser>;
  user(id: number): MaybePromise<ReviewUser | null>;
  userByName(name: string): MaybePromise<ReviewUser | null>;
  /** The stored password hash (for sign-in only). */
  passwordHash(name: string): MaybePromise<{ user: ReviewUser; hash: string } | null>;
  listUsers(): MaybePromise<(ReviewUser & { queues: number[] })[]>;
  addMember(queueId: number, userId: number): MaybePromise<void>;
  queueIdsOf(userId: number): MaybePromise<number[]>;
  members(queueId: number): MaybePromise<ReviewUser[]>;
  // queues and tasks
  createQueue(q: { name: string; kind: QueueKind; source: Record<string, unknown>; doubleShare?: number; createdBy?: string | null; tasks: NewTask[] }): MaybePromise<ReviewQueue>;
  queue(id: number): MaybePromise<ReviewQueue | null>;
  queueByName(name: string): MaybePromise<ReviewQueue | null>;
  /** A queue by id or name. */
  resolveQueue(ref: string): MaybePromise<ReviewQueue>;
  listQueues(): MaybePromise<ReviewQueue[]>;
  task(id: number): MaybePromise<ReviewTask | null>;
  tasks(queueId: number): MaybePromise<ReviewTask[]>;
  assign(taskId: number, userId: number | null): MaybePromise<void>;
  /** The first task of the queue this user has not reviewed, that still needs a review, and is theirs or unassigned (claims aside). */
  nextTask(queueId: number, userId: number, after?: number): MaybePromise<ReviewTask | null>;
  /**
   * Like `nextTask`, but hands the task out: it is reserved for this user for `CLAIM_MINUTES`
   * (reviewers asking at the same time, on any instance, get different tasks: a task needing n
   * reviews is handed to at most n reviewers at once). A user holds one claim per queue.
   */
  claimNext(queueId: number, userId: number, after?: number): MaybePromise<ReviewTask | null>;
  /** The neighbouring task by position (j/k navigation). */
  neighbour(task: ReviewTask, dir: 1 | -1): MaybePromise<ReviewTask | null>;
  progress(queueId: number, userId?: number): MaybePromise<QueueProgress>;
  // verdicts (append-only)
  appendVerdict(v: { taskId: number; user: ReviewUser; verdict?: string | null; ranking?: number[] | null; note?: string | null }): MaybePromise<VerdictRecord>;
  /** Supersede this reviewer's verdicts on the task, append the new one (and its dataset item), release the claim: one transaction. */
  recordVerdict(v: NewVerdict): MaybePromise<VerdictRecord>;
  appendUndo(verdictId: number, user: ReviewUser): MaybePromise<void>;
  verdict(id: number): MaybePromise<VerdictRecord | null>;
  /** Effective verdicts, oldest first, filtered by queue, task, run or user. */
  verdicts(f?: { queueId?: number; taskId?: number; runId?: string; userId?: number }): MaybePromise<VerdictRecord[]>;
  /** This user's latest effective verdict in a queue (what `u` undoes). */
  lastVerdictOf(userId: number, queueId: number): MaybePromise<VerdictRecord | null>;
  // dataset items from confirmed breaks
  addDatasetItem(taskId: number, verdictId: number, item: Item): MaybePromise<void>;
  /** Items whose verdict still stands, one per task (the first confirmation). */
  datasetItems(): MaybePromise<Item[]>;
  // sessions
  createSession(s: { tokenHash: string; userId: number; csrf: string; expiresAt: string }): MaybePromise<void>;
  /** The live session of this token hash (an expired one, or a disabled user's, is deleted: null). */
  session(tokenHash: string): MaybePromise<SessionRecord | null>;
  deleteSession(tokenHash: string): MaybePromise<void>;
  // pack snapshots
  /** Remember the pack when its content changed since the last snapshot; returns every snapshot, oldest first. */
  snapshotPack(pack: { id: string; version: string; [k: string]: unknown }): MaybePromise<PackSnapshot[]>;
  snapshots(packId: string): MaybePromise<PackSnapshot[]>;
}

export interface RawUser {
  id: number;
  name: string;
  role: ReviewRole;
  password: string;
  created_at: string;
  disabled: number;
}
export interface RawTask {
  id: number;
  queue_id: number;
  pos: number;
  kind: QueueKind;
  run_id: string | null;
  item_seq: number | null;
  frontier_case: string | null;
  required_reviews: number;
  assigned_to: number | null;
  payload: string;
  created_at: string;
}
export interface RawQueue {
  id: number;
  name: string;
  kind: QueueKind;
  source: string;
  double_share: number;
  created_at: string;
  created_by: string | null;
}
export interface RawVerdict {
  id: number;
  task_id: number;
  queue_id: number;
  user_id: number;
  reviewer: string;
  verdict: string | null;
  ranking: string | null;
  note: string | null;
  created_at: string;
}

export const toUser = (r: RawUser): ReviewUser => ({ id: r.id, name: r.name, role: r.role, createdAt: r.created_at, disabled: r.disabled === 1 });
export const toTask = (r: RawTask): ReviewTask => ({
  id: r.id,
  queueId: r.queue_id,
  pos: r.pos,
  kind: r.kind,
  runId: r.run_id,
  itemSeq: r.item_seq,
  frontierCase: r.frontier_case,
  requiredReviews: r.required_reviews,
  assignedTo: r.assigned_to,
  payload: JSON.parse(r.payload) as TaskPayload,
  createdAt: r.created_at,
});
export const toQueue = (r: RawQueue): ReviewQueue => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  source: JSON.parse(r.source) as Record<string, unknown>,
  doubleShare: r.double_share,
  createdAt: r.created_at,
  createdBy: r.created_by,
});
export const toVerdict = (r: RawVerdict): VerdictRecord => ({
  id: r.id,
  taskId: r.task_id,
  queueId: r.queue_id,
  userId: r.user_id,
  reviewer: r.reviewer,
  verdict: r.verdict,
  ranking: r.ranking ? (JSON.parse(r.ranking) as number[]) : null,
  note: r.note,
  createdAt: r.created_at,
});

/** Effective verdicts: kind = verdict and not withdrawn by an undo. */
export const EFFECTIVE = `SELECT v.id, v.task_id, t.queue_id, v.user_id, v.reviewer, v.verdict, v.ranking, v.note, v.created_at
  FROM review_verdicts v JOIN review_tasks t ON t.id = v.task_id
  WHERE v.kind = 'verdict' AND NOT EXISTS (SELECT 1 FROM review_verdicts u WHERE u.kind = 'undo' AND u.undoes = v.id)`;

/**
 * A task `claimNext` may hand this user (parameters: queue, after pos, user, user, now, user): in
 * the queue after `pos`, theirs or unassigned, not reviewed by them, and its reviews plus other
 * reviewers' live claims short of the reviews it needs. Both dialects take `?` here.
 */
export const CLAIMABLE = `t.queue_id = ? AND t.pos > ? AND (t.assigned_to IS NULL OR t.assigned_to = ?)
  AND NOT EXISTS (SELECT 1 FROM (${EFFECTIVE}) e WHERE e.task_id = t.id AND e.user_id = ?)
  AND (SELECT COUNT(DISTINCT e.user_id) FROM (${EFFECTIVE}) e WHERE e.task_id = t.id)
    + (SELECT COUNT(*) FROM review_claims c WHERE c.task_id = t.id AND c.expires_at > ? AND c.user_id <> ?) < t.required_reviews`;

function buildStore(db: Db, now: () => string, claimMs: number) {
  const store = {
    // ---- users ------------------------------------------------------------------------------
    addUser(u: { name: string; role: ReviewRole; passwordHash: string }): ReviewUser {
      if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(u.name)) throw new UserError(`--name: "${u.name}" must be 1-64 letters, digits, . _ @ or -`);
      if (store.userByName(u.name)) throw new UserError(`a reviewer named "${u.name}" already exists`);
      const info = db.prepare('INSERT INTO review_users (name, role, password, created_at) VALUES (?, ?, ?, ?)').run(u.name, u.role, u.passwordHash, now());
      return store.user(Number(info.lastInsertRowid))!;
    },
    user(id: number): ReviewUser | null {
      const r = db.prepare('SELECT * FROM review_users WHERE id = ?').get(id) as RawUser | undefined;
      return r ? toUser(r) : null;
    },
    userByName(name: string): ReviewUser | null {
      const r = db.prepare('SELECT * FROM review_users WHERE name = ?').get(name) as RawUser | undefined;
      return r ? toUser(r) : null;
    },
    /** The stored password hash (for sign-in only). */
    passwordHash(name: string): { user: ReviewUser; hash: string } | null {
      const r = db.prepare('SELECT * FROM review_users WHERE name = ?').get(name) as RawUser | undefined;
      return r ? { user: toUser(r), hash: r.password } : null;
    },
    listUsers(): (ReviewUser & { queues: number[] })[] {
      const rows = db.prepare('SELECT * FROM review_users ORDER BY name').all() as RawUser[];
      return rows.map((r) => ({ ...toUser(r), queues: store.queueIdsOf(r.id) }));
    },
    addMember(queueId: number, userId: number): void {
      db.prepare('INSERT OR IGNORE INTO review_queue_members (queue_id, user_id, added_at) VALUES (?, ?, ?)').run(queueId, userId, now());
    },
    queueIdsOf(userId: number): number[] {
      return db.prepare('SELECT queue_id FROM review_queue_members WHERE user_id = ? ORDER BY queue_id').pluck().all(userId) as number[];
    },
    members(queueId: number): ReviewUser[] {
      const rows = db.prepare('SELECT u.* FROM review_users u JOIN review_queue_members m ON m.user_id = u.id WHERE m.queue_id = ? ORDER BY u.name').all(queueId) as RawUser[];
      return rows.map(toUser);
    },
    // ---- queues and tasks -------------------------------------------------------------------
    createQueue(q: { name: string; kind: QueueKind; source: Record<string, unknown>; doubleShare?: number; createdBy?: string | null; tasks: NewTask[] }): ReviewQueue {
      if (!q.name.trim()) throw new UserError('a queue needs a name');
      if (store.queueByName(q.name)) throw new UserError(`a queue named "${q.name}" already exists: pick another --name`);
      const share = q.doubleShare ?? 0;
      if (!(share >= 0 && share <= 1)) throw new UserError(`--double: ${share} is not a share between 0 and 1`);
      const id = db.transaction(() => {
        const info = db
          .prepare('INSERT INTO review_queues (name, kind, source, double_share, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)')
          .run(q.name, q.kind, JSON.stringify(q.source), share, now(), q.createdBy ?? null);
        const queueId = Number(info.lastInsertRowid);
        const ins = db.prepare(
          'INSERT INTO review_tasks (queue_id, pos, kind, run_id, item_seq, frontier_case, required_reviews, assigned_to, payload, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)',
        );
        const ts = now();
        q.tasks.forEach((t, i) => {
          ins.run(queueId, i, t.kind, t.runId ?? null, t.itemSeq ?? null, t.frontierCase ?? null, t.requiredReviews ?? 1, t.assignedTo ?? null, JSON.stringify(t.payload), ts);
        });
        return queueId;
      })();
      return store.queue(id)!;
    },
    queue(id: number): ReviewQueue | null {
      const r = db.prepare('SELECT * FROM review_queues WHERE id = ?').get(id) as RawQueue | undefined;
      return r ? toQueue(r) : null;
    },
    queueByName(name: string): ReviewQueue | null {
      const r = db.prepare('SELECT * FROM review_queues WHERE name = ?').get(name) as RawQueue | undefined;
      return r ? toQueue(r) : null;
    },
    /** A queue by id or name. */
    resolveQueue(ref: string): ReviewQueue {
      const q = /^\d+$/.test(ref) ? store.queue(Number(ref)) : store.queueByName(ref);
      if (!q) throw new UserError(`no review queue "${ref}" (see \`pillars review list\`)`, { code: 'not_found' });
      return q;
    },
    listQueues(): ReviewQueue[] {
      return (db.prepare('SELECT * FROM review_queues ORDER BY id').all() as RawQueue[]).map(toQueue);
    },
    task(id: number): ReviewTask | null {
      const r = db.prepare('SELECT * FROM review_tasks WHERE id = ?').get(id) as RawTask | undefined;
      return r ? toTask(r) : null;
    },
    tasks(queueId: number): ReviewTask[] {
      return (db.prepare('SELECT * FROM review_tasks WHERE queue_id = ? ORDER BY pos').all(queueId) as RawTask[]).map(toTask);
    },
    assign(taskId: number, userId: number | null): void {
      db.prepare('UPDATE review_tasks SET assigned_to = ? WHERE id = ?').run(userId, taskId);
    },
    /** The first task of the queue this user has not reviewed, that still needs a review, and is theirs or unassigned. */
    nextTask(queueId: number, userId: number, after = -1): ReviewTask | null {
      const r = db
        .prepare(
          `SELECT t.* FROM review_tasks t WHERE t.queue_id = ? AND t.pos > ? AND (t.assigned_to IS NULL OR t.assigned_to = ?)
             AND NOT EXISTS (SELECT 1 FROM (${EFFECTIVE}) e WHERE e.task_id = t.id AND e.user_id = ?)
             AND (SELECT COUNT(DISTINCT e.user_id) FROM (${EFFECTIVE}) e WHERE e.task_id = t.id) < t.required_reviews
           ORDER BY t.pos LIMIT 1`,
        )
        .get(queueId, after, userId, userId) as RawTask | undefined;
      return r ? toTask(r) : null;
    },
    claimNext(queueId: number, userId: number, after = -1): ReviewTask | null {
      const ts = now();
      return db.transaction(() => {
        db.prepare('DELETE FROM review_claims WHERE queue_id = ? AND user_id = ?').run(queueId, userId);
        const r = db.prepare(`SELECT t.* FROM review_tasks t WHERE ${CLAIMABLE} ORDER BY t.pos LIMIT 1`).get(queueId, after, userId, userId, ts, userId) as RawTask | undefined;
        if (!r) return null;
        db.prepare('INSERT INTO review_claims (task_id, user_id, queue_id, expires_at) VALUES (?, ?, ?, ?)').run(r.id, userId, queueId, new Date(Date.parse(ts) + claimMs).toISOString());
        return toTask(r);
      }).immediate();
    },
    /** The neighbouring task by position (j/k navigation). */
    neighbour(task: ReviewTask, dir: 1 | -1): ReviewTask | null {
      const r = db
        .prepare(`SELECT * FROM review_tasks WHERE queue_id = ? AND pos ${dir > 0 ? '>' : '<'} ? ORDER BY pos ${dir > 0 ? 'ASC' : 'DESC'} LIMIT 1`)
        .get(task.queueId, task.pos) as RawTask | undefined;
      return r ? toTask(r) : null;
    },
    progress(queueId: number, userId?: number): QueueProgress {
      const row = db
        .prepare(
          `SELECT COUNT(*) AS tasks,
             COALESCE(SUM(CASE WHEN (SELECT COUNT(DISTINCT e.user_id) FROM (${EFFECTIVE}) e WHERE e.task_id = t.id) >= t.required_reviews THEN 1 ELSE 0 END), 0) AS complete,
             COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM (${EFFECTIVE}) e WHERE e.task_id = t.id AND e.user_id = ?) THEN 1 ELSE 0 END), 0) AS mine,
             COALESCE(SUM(CASE WHEN (t.assigned_to IS NULL OR t.assigned_to = ?)
                 AND NOT EXISTS (SELECT 1 FROM (${EFFECTIVE}) e WHERE e.task_id = t.id AND e.user_id = ?)
                 AND (SELECT COUNT(DISTINCT e.user_id) FROM (${EFFECTIVE}) e WHERE e.task_id = t.id) < t.required_reviews THEN 1 ELSE 0 END), 0) AS open
           FROM review_tasks t WHERE t.queue_id = ?`,
        )
        .get(userId ?? -1, userId ?? -1, userId ?? -1, queueId) as QueueProgress;
      return row;
    },
    // ---- verdicts (append-only) -------------------------------------------------------------
    appendVerdict(v: { taskId: number; user: ReviewUser; verdict?: string | null; ranking?: number[] | null; note?: string | null }): VerdictRecord {
      const info = db
        .prepare("INSERT INTO review_verdicts (task_id, user_id, reviewer, kind, verdict, ranking, note, created_at) VALUES (?, ?, ?, 'verdict', ?, ?, ?, ?)")
        .run(v.taskId, v.user.id, v.user.name, v.verdict ?? null, v.ranking ? JSON.stringify(v.ranking) : null, v.note ?? null, now());
      return store.verdict(Number(info.lastInsertRowid))!;
    },
    recordVerdict(v: NewVerdict): VerdictRecord {
      return db.transaction(() => {
        for (const old of store.verdicts({ taskId: v.taskId, userId: v.user.id })) store.appendUndo(old.id, v.user);
        const rec = store.appendVerdict(v);
        const item = v.datasetItem?.(rec) ?? null;
        if (item) store.addDatasetItem(v.taskId, rec.id, item);
        db.prepare('DELETE FROM review_claims WHERE task_id = ? AND user_id = ?').run(v.taskId, v.user.id);
        return rec;
      })();
    },
    appendUndo(verdictId: number, user: ReviewUser): void {
      const v = store.verdict(verdictId);
      if (!v) throw new UserError(`no verdict ${verdictId}`, { code: 'not_found' });
      db.prepare("INSERT INTO review_verdicts (task_id, user_id, reviewer, kind, undoes, created_at) VALUES (?, ?, ?, 'undo', ?, ?)").run(v.taskId, user.id, user.name, verdictId, now());
    },
    verdict(id: number): VerdictRecord | null {
      const r = db
        .prepare(`SELECT v.id, v.task_id, t.queue_id, v.user_id, v.reviewer, v.verdict, v.ranking, v.note, v.created_at FROM review_verdicts v JOIN review_tasks t ON t.id = v.task_id WHERE v.id = ?`)
        .get(id) as RawVerdict | undefined;
      return r ? toVerdict(r) : null;
    },
    /** Effective verdicts, oldest first, filtered by queue, task, run or user. */
    verdicts(f: { queueId?: number; taskId?: number; runId?: string; userId?: number } = {}): VerdictRecord[] {
      const { sql, args } = verdictsQuery(f);
      return (db.prepare(sql).all(...args) as RawVerdict[]).map(toVerdict);
    },
    /** This user's latest effective verdict in a queue (what `u` undoes). */
    lastVerdictOf(userId: number, queueId: number): VerdictRecord | null {
      const r = db.prepare(`SELECT * FROM (${EFFECTIVE}) e WHERE e.user_id = ? AND e.queue_id = ? ORDER BY e.id DESC LIMIT 1`).get(userId, queueId) as RawVerdict | undefined;
      return r ? toVerdict(r) : null;
    },
    // ---- dataset items from confirmed breaks ------------------------------------------------
    addDatasetItem(taskId: number, verdictId: number, item: Item): void {
      db.prepare('INSERT INTO review_dataset_items (task_id, verdict_id, item, created_at) VALUES (?, ?, ?, ?)').run(taskId, verdictId, JSON.stringify(item), now());
    },
    /** Items whose verdict still stands, one per task (the first confirmation). */
    datasetItems(): Item[] {
      const rows = db
        .prepare(
          `SELECT d.item FROM review_dataset_items d WHERE d.verdict_id IN (SELECT id FROM (${EFFECTIVE}))
             AND d.id = (SELECT MIN(d2.id) FROM review_dataset_items d2 WHERE d2.task_id = d.task_id AND d2.verdict_id IN (SELECT id FROM (${EFFECTIVE})))
           ORDER BY d.id`,
        )
        .pluck()
        .all() as string[];
      return rows.map((r) => JSON.parse(r) as Item);
    },
    // ---- sessions -----------------------------------------------------------------------------
    createSession(s: { tokenHash: string; userId: number; csrf: string; expiresAt: string }): void {
      db.prepare('INSERT INTO review_sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(s.tokenHash, s.userId, s.csrf, now(), s.expiresAt);
    },
    session(tokenHash: string): SessionRecord | null {
      const r = db
        .prepare('SELECT s.csrf, s.expires_at, u.* FROM review_sessions s JOIN review_users u ON u.id = s.user_id WHERE s.token_hash = ?')
        .get(tokenHash) as (RawUser & { csrf: string; expires_at: string }) | undefined;
      if (!r) return null;
      if (r.expires_at <= now() || r.disabled === 1) {
        store.deleteSession(tokenHash);
        return null;
      }
      return { user: toUser(r), csrf: r.csrf, expiresAt: r.expires_at };
    },
    deleteSession(tokenHash: string): void {
      db.prepare('DELETE FROM review_sessions WHERE token_hash = ?').run(tokenHash);
    },
    // ---- pack snapshots -------------------------------------------------------------------------
    /** Remember the pack when its content changed since the last snapshot; returns every snapshot, oldest first. */
    snapshotPack(pack: { id: string; version: string; [k: string]: unknown }): PackSnapshot[] {
      const text = JSON.stringify(pack);
      const sha = createHash('sha256').update(text).digest('hex');
      // Immediate: gateway workers starting together write one snapshot, not several.
      db.transaction(() => {
        const last = db.prepare('SELECT sha256 FROM review_pack_snapshots WHERE pack_id = ? ORDER BY id DESC LIMIT 1').pluck().get(pack.id) as string | undefined;
        if (last !== sha) db.prepare('INSERT INTO review_pack_snapshots (pack_id, version, sha256, pack, seen_at) VALUES (?, ?, ?, ?, ?)').run(pack.id, pack.version, sha, text, now());
      }).immediate();
      return store.snapshots(pack.id);
    },
    snapshots(packId: string): PackSnapshot[] {
      const rows = db.prepare('SELECT * FROM review_pack_snapshots WHERE pack_id = ? ORDER BY id').all(packId) as {
        id: number;
        pack_id: string;
        version: string;
        sha256: string;
        pack: string;
        seen_at: string;
      }[];
      return rows.map((r) => ({ id: r.id, packId: r.pack_id, version: r.version, sha256: r.sha256, pack: JSON.parse(r.pack) as unknown, seenAt: r.seen_at }));
    },
  };
  return store;
}

/** The SQLite review store: every method answers synchronously. */
export type SqliteReviewStore = ReturnType<typeof buildStore> & { readonly db: Db; readonly backend: 'sqlite' };

export function createReviewStore(db: Db, opts: { now?: () => Date; claimMinutes?: number } = {}): SqliteReviewStore {
  const now = (): string => (opts.now ? opts.now() : new Date()).toISOString();
  const store: SqliteReviewStore = Object.assign(buildStore(db, now, (opts.claimMinutes ?? CLAIM_MINUTES) * 60_000), { db, backend: 'sqlite' as const });
  return store satisfies ReviewStore;
}

/** The effective verdicts matching a filter, oldest first: one query (with `?` placeholders) for both backends. */
export function verdictsQuery(f: { queueId?: number; taskId?: number; runId?: string; userId?: number }): { sql: string; args: (string | number)[] } {
  const where: string[] = [];
  const args: (string | number)[] = [];
  const add = (clause: string, v: string | number | undefined): void => {
    if (v === undefined) return;
    where.push(clause);
    args.push(v);
  };
  add('e.queue_id = ?', f.queueId);
  add('e.task_id = ?', f.taskId);
  add('e.user_id = ?', f.userId);
  add('e.task_id IN (SELECT id FROM review_tasks WHERE run_id = ?)', f.runId);
  return { sql: `SELECT * FROM (${EFFECTIVE}) e${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY e.id`, args };
}
