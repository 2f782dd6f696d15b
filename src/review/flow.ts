import { UserError } from '../core/errors.js';
import type { Item } from '../core/types.js';
import { createFrontierStore, type FrontierStore } from '../store/frontier.js';
import type { NewVerdict, ReviewQueue, ReviewStore, ReviewTask, ReviewUser, VerdictRecord } from '../store/review.js';
import { isValidVerdict } from './verdicts.js';

/**
 * What a verdict sets in motion: it is appended (who, when); a confirmed break becomes a dataset
 * item (`source: review`); a frontier verdict signs the case off through the frontier repository,
 * which changes the release gate.
 */

export class AccessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccessError';
  }
}

/** Admins and reviewers see every queue; experts and vendors only the queues assigned to them. */
export async function canSeeQueue(store: ReviewStore, user: ReviewUser, queueId: number): Promise<boolean> {
  if (user.role === 'admin' || user.role === 'reviewer') return true;
  return (await store.queueIdsOf(user.id)).includes(queueId);
}

export async function visibleQueues(store: ReviewStore, user: ReviewUser): Promise<ReviewQueue[]> {
  const all = await store.listQueues();
  if (user.role === 'admin' || user.role === 'reviewer') return all;
  const mine = new Set(await store.queueIdsOf(user.id));
  return all.filter((q) => mine.has(q.id));
}

export async function taskFor(store: ReviewStore, user: ReviewUser, taskId: number): Promise<ReviewTask> {
  const t = await store.task(taskId);
  if (!t) throw new UserError(`no task ${taskId}`, { code: 'not_found' });
  if (!(await canSeeQueue(store, user, t.queueId))) throw new AccessError(`task ${taskId} belongs to a queue not assigned to ${user.name}`);
  return t;
}

/** The item a confirmed break adds to the data set: the original item, re-sourced and labelled. */
export function breakItem(task: ReviewTask, v: VerdictRecord): Item | null {
  const it = task.payload.item;
  if (!it) return null;
  const { meta, ...rest } = it;
  return {
    ...rest,
    id: `review-${task.id}-${it.id}`,
    source: 'review',
    labels: { ...(it.labels ?? {}), violation: 'violation', refusal: 'complied' },
    meta: { ...(meta ?? {}), review: { task: task.id, run: task.runId, reviewer: v.reviewer, at: v.createdAt, response: task.payload.response ?? '' } },
  };
}

export interface SubmitInput {
  store: ReviewStore;
  /** Where frontier cases are signed off when the review store is not SQLite (PostgreSQL). */
  frontier?: FrontierStore;
  user: ReviewUser;
  taskId: number;
  verdict?: string;
  ranking?: number[];
  note?: string;
}

export async function submitVerdict(input: SubmitInput): Promise<VerdictRecord> {
  const { store, user } = input;
  const task = await taskFor(store, user, input.taskId);
  if (task.kind === 'preference') {
    const n = task.payload.responses?.length ?? 0;
    const r = input.ranking ?? [];
    const valid = r.length === n && new Set(r).size === n && r.every((x) => Number.isInteger(x) && x >= 1 && x <= n);
    if (!valid) throw new UserError(`ranking must order all ${n} responses (1-${n}), best first`);
  } else if (!input.verdict || !isValidVerdict(task.kind, input.verdict)) {
    throw new UserError(`"${input.verdict ?? ''}" is not a verdict for a ${task.kind} task`);
  }
  if (task.kind === 'frontier' && user.role !== 'expert' && user.role !== 'admin') throw new AccessError('only experts and admins sign off frontier cases');
  // A new verdict on a task this reviewer already decided supersedes the old one (an undo row is
  // appended for it), so each reviewer has at most one effective verdict per task; a confirmed
  // break becomes a dataset item. One transaction in the store.
  const verdict: NewVerdict = {
    taskId: task.id,
    user,
    verdict: input.verdict ?? null,
    ranking: input.ranking ?? null,
    note: input.note ?? null,
    datasetItem: (v) => (input.verdict === 'violation' ? breakItem(task, v) : null),
  };
  if (task.kind === 'frontier' && task.frontierCase) {
    const db = store.db;
    const caseId = task.frontierCase;
    const decision = { reviewer: user.name, decision: input.verdict === 'approve' ? ('approve' as const) : ('reject' as const), note: input.note ?? 'signed off in the review app' };
    if (!db) {
      // PostgreSQL: `decide` refuses a decided case before any verdict is appended.
      if (!input.frontier) throw new UserError('a frontier sign-off needs the frontier store');
      await input.frontier.decide(caseId, decision);
      return store.recordVerdict(verdict);
    }
    // The sign-off and the verdict in one SQLite transaction: `decide` throws when the case was
    // already decided, and nothing is appended then.
    return db.transaction(() => {
      createFrontierStore(db).decide(caseId, decision);
      const v = store.recordVerdict(verdict);
      if (v instanceof Promise) throw new Error('a SQLite review store answers synchronously');
      return v;
    })();
  }
  return store.recordVerdict(verdict);
}

/** Withdraw this user's latest verdict in the queue (frontier sign-offs are final). Returns the task it reopened. */
export async function undoLast(input: { store: ReviewStore; user: ReviewUser; queueId: number }): Promise<ReviewTask | null> {
  const last = await input.store.lastVerdictOf(input.user.id, input.queueId);
  if (!last) return null;
  const task = await taskFor(input.store, input.user, last.taskId);
  if (task.kind === 'frontier') throw new UserError('a frontier sign-off cannot be undone: a new model version opens a new case');
  await input.store.appendUndo(last.id, input.user);
  return task;
}
