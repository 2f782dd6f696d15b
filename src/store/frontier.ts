import { UserError } from '../core/errors.js';
import type { Db } from './db.js';

/** Repository for frontier capability results (every model version kept) and expert review cases. */

export interface FrontierSample {
  id: string;
  question: string;
  expected: string;
  answer: string | null;
  correct: boolean;
}

export interface FrontierResult {
  id?: number;
  target: string;
  modelVersion: string;
  domain: string;
  benchmark: string;
  n: number;
  correct: number;
  score: number;
  low: number;
  high: number;
  threshold: number;
  over: boolean;
  samples: FrontierSample[];
  createdAt: string;
}

export type CaseStatus = 'open' | 'approved' | 'rejected';

export interface FrontierCase {
  id: string;
  target: string;
  modelVersion: string;
  domain: string;
  status: CaseStatus;
  openedAt: string;
  evidence: Record<string, unknown>;
  reviewer: string | null;
  note: string | null;
  decidedAt: string | null;
}

export interface RawResult {
  id: number;
  target: string;
  model_version: string;
  domain: string;
  benchmark: string;
  n: number;
  correct: number;
  score: number;
  low: number;
  high: number;
  threshold: number;
  over: number;
  samples: string;
  created_at: string;
}

export interface RawCase {
  id: string;
  target: string;
  model_version: string;
  domain: string;
  status: CaseStatus;
  opened_at: string;
  evidence: string;
  reviewer: string | null;
  note: string | null;
  decided_at: string | null;
}

export const toResult = (r: RawResult): FrontierResult => ({
  id: r.id,
  target: r.target,
  modelVersion: r.model_version,
  domain: r.domain,
  benchmark: r.benchmark,
  n: r.n,
  correct: r.correct,
  score: r.score,
  low: r.low,
  high: r.high,
  threshold: r.threshold,
  over: r.over === 1,
  samples: JSON.parse(r.samples) as FrontierSample[],
  createdAt: r.created_at,
});

export const toCase = (r: RawCase): FrontierCase => ({
  id: r.id,
  target: r.target,
  modelVersion: r.model_version,
  domain: r.domain,
  status: r.status,
  openedAt: r.opened_at,
  evidence: JSON.parse(r.evidence) as Record<string, unknown>,
  reviewer: r.reviewer,
  note: r.note,
  decidedAt: r.decided_at,
});

type MaybePromise<T> = T | Promise<T>;

/**
 * The frontier repository. Callers `await` every call: the SQLite store answers synchronously
 * (`createFrontierStore`), the PostgreSQL one (`store/pg/frontier.ts`) with promises.
 */
export interface FrontierStore {
  addResult(r: FrontierResult): MaybePromise<number>;
  /** All results of a target, oldest first. */
  results(target?: string): MaybePromise<FrontierResult[]>;
  /** The latest result per domain for a target. */
  latest(target: string): MaybePromise<FrontierResult[]>;
  /** The case for (target, version, domain), if any. */
  findCase(target: string, modelVersion: string, domain: string): MaybePromise<FrontierCase | null>;
  /** Open a case, or return the existing one for that (target, version, domain) with refreshed evidence if still open. */
  openCase(c: { target: string; modelVersion: string; domain: string; evidence: Record<string, unknown>; now?: string }): MaybePromise<FrontierCase>;
  getCase(id: string): MaybePromise<FrontierCase>;
  listCases(opts?: { status?: CaseStatus; target?: string }): MaybePromise<FrontierCase[]>;
  decide(id: string, d: { reviewer: string; decision: 'approve' | 'reject'; note?: string; now?: string }): MaybePromise<FrontierCase>;
}

/** The SQLite frontier store: the same calls, answered synchronously. */
export interface SqliteFrontierStore extends FrontierStore {
  addResult(r: FrontierResult): number;
  results(target?: string): FrontierResult[];
  latest(target: string): FrontierResult[];
  findCase(target: string, modelVersion: string, domain: string): FrontierCase | null;
  openCase(c: { target: string; modelVersion: string; domain: string; evidence: Record<string, unknown>; now?: string }): FrontierCase;
  getCase(id: string): FrontierCase;
  listCases(opts?: { status?: CaseStatus; target?: string }): FrontierCase[];
  decide(id: string, d: { reviewer: string; decision: 'approve' | 'reject'; note?: string; now?: string }): FrontierCase;
}

/** A case id after the highest `FC-NNNN` so far. */
export const caseId = (max: number | null): string => `FC-${String((max ?? 0) + 1).padStart(4, '0')}`;

/** Why a decision is refused (both backends): a decided case, or no reviewer named. */
export function checkDecision(c: FrontierCase, id: string, reviewer: string): void {
  if (c.status !== 'open') {
    throw new UserError(`review case ${id} was already ${c.status} by ${c.reviewer ?? 'a reviewer'} on ${c.decidedAt ?? '?'}; a new model version opens a new case`, { exitCode: 1 });
  }
  if (!reviewer.trim()) throw new UserError('--reviewer must name the reviewer');
}

export const caseNotFound = (id: string): UserError => new UserError(`no review case "${id}" (see \`pillars frontier cases\`)`, { code: 'not_found' });

export function createFrontierStore(db: Db): SqliteFrontierStore {
  const store: SqliteFrontierStore = {
    addResult(r) {
      const info = db
        .prepare(`INSERT INTO frontier_results (target, model_version, domain, benchmark, n, correct, score, low, high, threshold, over, samples, created_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(r.target, r.modelVersion, r.domain, r.benchmark, r.n, r.correct, r.score, r.low, r.high, r.threshold, r.over ? 1 : 0, JSON.stringify(r.samples), r.createdAt);
      return Number(info.lastInsertRowid);
    },
    results(target) {
      const rows = (target
        ? db.prepare('SELECT * FROM frontier_results WHERE target = ? ORDER BY created_at, id').all(target)
        : db.prepare('SELECT * FROM frontier_results ORDER BY created_at, id').all()) as RawResult[];
      return rows.map(toResult);
    },
    latest(target) {
      const rows = db
        .prepare(`SELECT * FROM frontier_results f WHERE target = ? AND id = (
            SELECT id FROM frontier_results g WHERE g.target = f.target AND g.domain = f.domain ORDER BY created_at DESC, id DESC LIMIT 1)
          ORDER BY domain`)
        .all(target) as RawResult[];
      return rows.map(toResult);
    },
    findCase(target, modelVersion, domain) {
      const r = db.prepare('SELECT * FROM frontier_cases WHERE target = ? AND model_version = ? AND domain = ?').get(target, modelVersion, domain) as RawCase | undefined;
      return r ? toCase(r) : null;
    },
    openCase(c) {
      const existing = store.findCase(c.target, c.modelVersion, c.domain);
      if (existing) {
        if (existing.status === 'open') {
          db.prepare('UPDATE frontier_cases SET evidence = ? WHERE id = ?').run(JSON.stringify(c.evidence), existing.id);
          return { ...existing, evidence: c.evidence };
        }
        return existing;
      }
      const id = caseId((db.prepare("SELECT MAX(CAST(substr(id, 4) AS INTEGER)) AS n FROM frontier_cases WHERE id LIKE 'FC-%'").get() as { n: number | null }).n);
      db.prepare('INSERT INTO frontier_cases (id, target, model_version, domain, status, opened_at, evidence) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        id,
        c.target,
        c.modelVersion,
        c.domain,
        'open',
        c.now ?? new Date().toISOString(),
        JSON.stringify(c.evidence),
      );
      return store.getCase(id);
    },
    getCase(id) {
      const r = db.prepare('SELECT * FROM frontier_cases WHERE id = ?').get(id) as RawCase | undefined;
      if (!r) throw caseNotFound(id);
      return toCase(r);
    },
    listCases(opts = {}) {
      const where: string[] = [];
      const args: string[] = [];
      if (opts.status) {
        where.push('status = ?');
        args.push(opts.status);
      }
      if (opts.target) {
        where.push('target = ?');
        args.push(opts.target);
      }
      const sql = `SELECT * FROM frontier_cases${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY opened_at, id`;
      return (db.prepare(sql).all(...args) as RawCase[]).map(toCase);
    },
    decide(id, d) {
      const c = store.getCase(id);
      checkDecision(c, id, d.reviewer);
      db.prepare('UPDATE frontier_cases SET status = ?, reviewer = ?, note = ?, decided_at = ? WHERE id = ?').run(
        d.decision === 'approve' ? 'approved' : 'rejected',
        d.reviewer,
        d.note ?? null,
        d.now ?? new Date().toISOString(),
        id,
      );
      return store.getCase(id);
    },
  };
  return store;
}
