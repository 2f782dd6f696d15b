import { caseId, caseNotFound, checkDecision, toCase, toResult, type CaseStatus, type FrontierCase, type FrontierResult, type FrontierStore, type RawCase, type RawResult } from '../frontier.js';
import type { Sql } from './connect.js';

/**
 * Frontier results and review cases on PostgreSQL: the same `FrontierStore` as SQLite's, the same
 * rows (JSON as TEXT), the same order (text compared byte-wise, as SQLite does).
 */

/** Serialises case numbering across processes (FC-0001, FC-0002 ...). */
const CASE_LOCK = 7351300;

export class PgFrontierStore implements FrontierStore {
  constructor(readonly sql: Sql) {}

  async addResult(r: FrontierResult): Promise<number> {
    const [row] = await this.sql<{ id: number }[]>`INSERT INTO frontier_results (target, model_version, domain, benchmark, n, correct, score, low, high, threshold, over, samples, created_at)
      VALUES (${r.target}, ${r.modelVersion}, ${r.domain}, ${r.benchmark}, ${r.n}, ${r.correct}, ${r.score}, ${r.low}, ${r.high}, ${r.threshold}, ${r.over ? 1 : 0}, ${JSON.stringify(r.samples)}, ${r.createdAt})
      RETURNING id`;
    return row!.id;
  }

  async results(target?: string): Promise<FrontierResult[]> {
    const rows = target
      ? await this.sql<RawResult[]>`SELECT * FROM frontier_results WHERE target = ${target} ORDER BY created_at COLLATE "C", id`
      : await this.sql<RawResult[]>`SELECT * FROM frontier_results ORDER BY created_at COLLATE "C", id`;
    return rows.map(toResult);
  }

  async latest(target: string): Promise<FrontierResult[]> {
    const rows = await this.sql<RawResult[]>`SELECT * FROM frontier_results f WHERE target = ${target} AND id = (
        SELECT id FROM frontier_results g WHERE g.target = f.target AND g.domain = f.domain ORDER BY created_at COLLATE "C" DESC, id DESC LIMIT 1)
      ORDER BY domain COLLATE "C"`;
    return rows.map(toResult);
  }

  async findCase(target: string, modelVersion: string, domain: string): Promise<FrontierCase | null> {
    const [r] = await this.sql<RawCase[]>`SELECT * FROM frontier_cases WHERE target = ${target} AND model_version = ${modelVersion} AND domain = ${domain}`;
    return r ? toCase(r) : null;
  }

  async openCase(c: { target: string; modelVersion: string; domain: string; evidence: Record<string, unknown>; now?: string }): Promise<FrontierCase> {
    const evidence = JSON.stringify(c.evidence);
    // One transaction under a lock: two processes opening cases at once number them FC-0001, FC-0002, and one (target, version, domain) gets one case.
    const raw = await this.sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(${CASE_LOCK})`;
      const [cur] = await tx<RawCase[]>`SELECT * FROM frontier_cases WHERE target = ${c.target} AND model_version = ${c.modelVersion} AND domain = ${c.domain}`;
      if (cur) {
        if (cur.status !== 'open') return cur;
        await tx`UPDATE frontier_cases SET evidence = ${evidence} WHERE id = ${cur.id}`;
        return { ...cur, evidence };
      }
      const [m] = await tx<{ n: number | null }[]>`SELECT MAX(CAST(substr(id, 4) AS INTEGER)) AS n FROM frontier_cases WHERE id ~ '^FC-[0-9]{1,9}$'`;
      const [row] = await tx<RawCase[]>`INSERT INTO frontier_cases (id, target, model_version, domain, status, opened_at, evidence)
        VALUES (${caseId(m?.n ?? null)}, ${c.target}, ${c.modelVersion}, ${c.domain}, 'open', ${c.now ?? new Date().toISOString()}, ${evidence}) RETURNING *`;
      return row!;
    });
    return toCase(raw);
  }

  async getCase(id: string): Promise<FrontierCase> {
    const [r] = await this.sql<RawCase[]>`SELECT * FROM frontier_cases WHERE id = ${id}`;
    if (!r) throw caseNotFound(id);
    return toCase(r);
  }

  async listCases(opts: { status?: CaseStatus; target?: string } = {}): Promise<FrontierCase[]> {
    const sql = this.sql;
    const rows = await sql<RawCase[]>`SELECT * FROM frontier_cases WHERE TRUE
      ${opts.status ? sql`AND status = ${opts.status}` : sql``} ${opts.target ? sql`AND target = ${opts.target}` : sql``}
      ORDER BY opened_at COLLATE "C", id COLLATE "C"`;
    return rows.map(toCase);
  }

  async decide(id: string, d: { reviewer: string; decision: 'approve' | 'reject'; note?: string; now?: string }): Promise<FrontierCase> {
    const raw = await this.sql.begin(async (tx) => {
      const [r] = await tx<RawCase[]>`SELECT * FROM frontier_cases WHERE id = ${id} FOR UPDATE`;
      if (!r) throw caseNotFound(id);
      checkDecision(toCase(r), id, d.reviewer);
      const [row] = await tx<RawCase[]>`UPDATE frontier_cases SET status = ${d.decision === 'approve' ? 'approved' : 'rejected'}, reviewer = ${d.reviewer}, note = ${d.note ?? null},
        decided_at = ${d.now ?? new Date().toISOString()} WHERE id = ${id} RETURNING *`;
      return row!;
    });
    return toCase(raw);
  }
}
