import { UserError } from '../core/errors.js';
import type { Message, Verdict } from '../core/types.js';
import type { Db } from './db.js';

/** Repository for red-team runs and their attempts (every attempt with its transcript), and deception runs. */

export interface RedteamRunRow {
  id: string;
  target: string;
  mode: string;
  started_at: string;
  finished_at: string | null;
  status: string;
  config: Record<string, unknown>;
  summary: Record<string, unknown> | null;
}

/** What one user turn of an attempt asked, and the policy's action for it (written by the red team). */
export interface AskedRecord {
  /** Index of the user message in the transcript. */
  at: number;
  source: string;
  policy: string | null;
  topic: string | null;
  level: number | null;
  action: string;
  /** What the answer was judged against; null when the policy allows the request. */
  expected: string | null;
}

export interface AttemptRecord {
  runId: string;
  round: number;
  agent: string;
  strategy: string;
  /** The transform composition of the final prompt (e.g. base64+roleplay); null when an attacker model wrote it. */
  applied: string | null;
  policy: string | null;
  pillar: string;
  seedId: string;
  parent: string | null;
  goal: string;
  success: boolean;
  turns: number;
  tokens: number;
  cost: number;
  transcript: Message[];
  verdict: Verdict;
  /** The benign twin's prompt of the seed, when the seed has one (used by harvest). */
  twin: string | null;
  /** What the model should have done at the last turn (the policy's action for what it asked; null = refuse). */
  expected?: string | null;
  /** Per user turn sent: what it asked (null for attempts stored before migration 302). */
  asked?: AskedRecord[] | null;
  createdAt: string;
}

export interface AttemptRow extends AttemptRecord {
  id: number;
}

export interface RawAttempt {
  id: number;
  run_id: string;
  round: number;
  agent: string;
  strategy: string;
  applied: string | null;
  policy: string | null;
  pillar: string;
  seed_id: string;
  parent: string | null;
  goal: string;
  success: number;
  turns: number;
  tokens: number;
  cost: number;
  transcript: string;
  verdict: string;
  twin: string | null;
  expected: string | null;
  asked: string | null;
  created_at: string;
}

export function toAttempt(r: RawAttempt): AttemptRow {
  return {
    id: r.id,
    runId: r.run_id,
    round: r.round,
    agent: r.agent,
    strategy: r.strategy,
    applied: r.applied,
    policy: r.policy,
    pillar: r.pillar,
    seedId: r.seed_id,
    parent: r.parent,
    goal: r.goal,
    success: r.success === 1,
    turns: r.turns,
    tokens: r.tokens,
    cost: r.cost,
    transcript: JSON.parse(r.transcript) as Message[],
    verdict: JSON.parse(r.verdict) as Verdict,
    twin: r.twin,
    expected: r.expected,
    asked: r.asked ? (JSON.parse(r.asked) as AskedRecord[]) : null,
    createdAt: r.created_at,
  };
}

type MaybePromise<T> = T | Promise<T>;

/**
 * The red-team repository. Callers `await` every call: the SQLite store answers synchronously
 * (`createRedteamStore`), the PostgreSQL one (`store/pg/redteam.ts`) with promises.
 */
export interface RedteamStore {
  createRun(run: { id: string; target: string; mode: string; config: Record<string, unknown>; startedAt: string }): MaybePromise<void>;
  finishRun(id: string, status: string, summary: Record<string, unknown>): MaybePromise<void>;
  addAttempt(a: AttemptRecord): MaybePromise<number>;
  getRun(id: string): MaybePromise<RedteamRunRow>;
  /** `last` names the most recent run. */
  resolveRun(ref: string): MaybePromise<RedteamRunRow>;
  listRuns(): MaybePromise<RedteamRunRow[]>;
  attempts(runId: string, opts?: { successOnly?: boolean }): MaybePromise<AttemptRow[]>;
  saveDeception(run: { id: string; target: string; startedAt: string; result: unknown }): MaybePromise<void>;
  lastDeception(target?: string): MaybePromise<DeceptionRow | null>;
}

export interface DeceptionRow {
  id: string;
  target: string;
  started_at: string;
  result: unknown;
}

/** The SQLite red-team store: the same calls, answered synchronously. */
export interface SqliteRedteamStore extends RedteamStore {
  createRun(run: { id: string; target: string; mode: string; config: Record<string, unknown>; startedAt: string }): void;
  finishRun(id: string, status: string, summary: Record<string, unknown>): void;
  addAttempt(a: AttemptRecord): number;
  getRun(id: string): RedteamRunRow;
  resolveRun(ref: string): RedteamRunRow;
  listRuns(): RedteamRunRow[];
  attempts(runId: string, opts?: { successOnly?: boolean }): AttemptRow[];
  saveDeception(run: { id: string; target: string; startedAt: string; result: unknown }): void;
  lastDeception(target?: string): DeceptionRow | null;
}

export const runNotFound = (id: string): UserError => new UserError(`no red-team run "${id}" in the store (see \`pillars redteam runs\`)`, { code: 'not_found' });
export const noRuns = (): UserError => new UserError('no red-team run in the store yet: run `pillars redteam run --target ID` first', { code: 'not_found' });

/** An attempt as both backends store it (JSON as text, booleans as 0/1). */
export function attemptColumns(a: AttemptRecord): Record<string, unknown> {
  return {
    run_id: a.runId,
    round: a.round,
    agent: a.agent,
    strategy: a.strategy,
    applied: a.applied,
    policy: a.policy,
    pillar: a.pillar,
    seed_id: a.seedId,
    parent: a.parent,
    goal: a.goal,
    success: a.success ? 1 : 0,
    turns: a.turns,
    tokens: a.tokens,
    cost: a.cost,
    transcript: JSON.stringify(a.transcript),
    verdict: JSON.stringify(a.verdict),
    twin: a.twin,
    expected: a.expected ?? null,
    asked: a.asked ? JSON.stringify(a.asked) : null,
    created_at: a.createdAt,
  };
}

export interface RawRun {
  id: string;
  target: string;
  mode: string;
  started_at: string;
  finished_at: string | null;
  status: string;
  config: string;
  summary: string | null;
}

export function toRun(r: RawRun): RedteamRunRow {
  return { ...r, config: JSON.parse(r.config) as Record<string, unknown>, summary: r.summary ? (JSON.parse(r.summary) as Record<string, unknown>) : null };
}

export function createRedteamStore(db: Db): SqliteRedteamStore {
  const insertAttempt = db.prepare(`INSERT INTO redteam_attempts
    (run_id, round, agent, strategy, applied, policy, pillar, seed_id, parent, goal, success, turns, tokens, cost, transcript, verdict, twin, expected, asked, created_at)
    VALUES (@runId, @round, @agent, @strategy, @applied, @policy, @pillar, @seedId, @parent, @goal, @success, @turns, @tokens, @cost, @transcript, @verdict, @twin, @expected, @asked, @createdAt)`);
  const store: SqliteRedteamStore = {
    createRun(run) {
      db.prepare('INSERT INTO redteam_runs (id, target, mode, started_at, status, config) VALUES (?, ?, ?, ?, ?, ?)').run(
        run.id,
        run.target,
        run.mode,
        run.startedAt,
        'running',
        JSON.stringify(run.config),
      );
    },
    finishRun(id, status, summary) {
      db.prepare('UPDATE redteam_runs SET finished_at = ?, status = ?, summary = ? WHERE id = ?').run(new Date().toISOString(), status, JSON.stringify(summary), id);
    },
    addAttempt(a) {
      const info = insertAttempt.run({
        ...a,
        success: a.success ? 1 : 0,
        transcript: JSON.stringify(a.transcript),
        verdict: JSON.stringify(a.verdict),
        expected: a.expected ?? null,
        asked: a.asked ? JSON.stringify(a.asked) : null,
      });
      return Number(info.lastInsertRowid);
    },
    getRun(id) {
      const r = db.prepare('SELECT * FROM redteam_runs WHERE id = ?').get(id) as RawRun | undefined;
      if (!r) throw runNotFound(id);
      return toRun(r);
    },
    resolveRun(ref) {
      if (ref === 'last') {
        const r = db.prepare('SELECT * FROM redteam_runs ORDER BY started_at DESC, rowid DESC LIMIT 1').get() as RawRun | undefined;
        if (!r) throw noRuns();
        return toRun(r);
      }
      return store.getRun(ref);
    },
    listRuns() {
      return (db.prepare('SELECT * FROM redteam_runs ORDER BY started_at DESC, rowid DESC').all() as RawRun[]).map(toRun);
    },
    attempts(runId, opts = {}) {
      const sql = `SELECT * FROM redteam_attempts WHERE run_id = ?${opts.successOnly ? ' AND success = 1' : ''} ORDER BY id`;
      return (db.prepare(sql).all(runId) as RawAttempt[]).map(toAttempt);
    },
    saveDeception(run) {
      db.prepare('INSERT INTO deception_runs (id, target, started_at, result) VALUES (?, ?, ?, ?)').run(run.id, run.target, run.startedAt, JSON.stringify(run.result));
    },
    lastDeception(target) {
      const r = (
        target
          ? db.prepare('SELECT * FROM deception_runs WHERE target = ? ORDER BY started_at DESC, rowid DESC LIMIT 1').get(target)
          : db.prepare('SELECT * FROM deception_runs ORDER BY started_at DESC, rowid DESC LIMIT 1').get()
      ) as { id: string; target: string; started_at: string; result: string } | undefined;
      return r ? { ...r, result: JSON.parse(r.result) as unknown } : null;
    },
  };
  return store;
}
