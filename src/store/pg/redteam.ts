import {
  attemptColumns,
  noRuns,
  runNotFound,
  toAttempt,
  toRun,
  type AttemptRecord,
  type AttemptRow,
  type DeceptionRow,
  type RawAttempt,
  type RawRun,
  type RedteamRunRow,
  type RedteamStore,
} from '../redteam.js';
import type { Sql } from './connect.js';

/**
 * Red-team runs, attempts and deception runs on PostgreSQL: the same `RedteamStore` as SQLite's,
 * the same rows (JSON as TEXT); `ord` stands in for SQLite's rowid where runs tie on start time.
 */

const RUN_COLS = 'id, target, mode, started_at, finished_at, status, config, summary';
const ATTEMPT_COLS = 'id, run_id, round, agent, strategy, applied, policy, pillar, seed_id, parent, goal, success, turns, tokens, cost, transcript, verdict, twin, expected, asked, created_at';

export class PgRedteamStore implements RedteamStore {
  constructor(readonly sql: Sql) {}

  async createRun(run: { id: string; target: string; mode: string; config: Record<string, unknown>; startedAt: string }): Promise<void> {
    await this.sql`INSERT INTO redteam_runs (id, target, mode, started_at, status, config) VALUES (${run.id}, ${run.target}, ${run.mode}, ${run.startedAt}, 'running', ${JSON.stringify(run.config)})`;
  }

  async finishRun(id: string, status: string, summary: Record<string, unknown>): Promise<void> {
    await this.sql`UPDATE redteam_runs SET finished_at = ${new Date().toISOString()}, status = ${status}, summary = ${JSON.stringify(summary)} WHERE id = ${id}`;
  }

  async addAttempt(a: AttemptRecord): Promise<number> {
    const [row] = await this.sql<{ id: number }[]>`INSERT INTO redteam_attempts ${this.sql(attemptColumns(a))} RETURNING id`;
    return row!.id;
  }

  async getRun(id: string): Promise<RedteamRunRow> {
    const [r] = await this.sql<RawRun[]>`SELECT ${this.sql.unsafe(RUN_COLS)} FROM redteam_runs WHERE id = ${id}`;
    if (!r) throw runNotFound(id);
    return toRun(r);
  }

  async resolveRun(ref: string): Promise<RedteamRunRow> {
    if (ref !== 'last') return this.getRun(ref);
    const [r] = await this.sql<RawRun[]>`SELECT ${this.sql.unsafe(RUN_COLS)} FROM redteam_runs ORDER BY started_at COLLATE "C" DESC, ord DESC LIMIT 1`;
    if (!r) throw noRuns();
    return toRun(r);
  }

  async listRuns(): Promise<RedteamRunRow[]> {
    const rows = await this.sql<RawRun[]>`SELECT ${this.sql.unsafe(RUN_COLS)} FROM redteam_runs ORDER BY started_at COLLATE "C" DESC, ord DESC`;
    return rows.map(toRun);
  }

  async attempts(runId: string, opts: { successOnly?: boolean } = {}): Promise<AttemptRow[]> {
    const rows = await this.sql<RawAttempt[]>`SELECT ${this.sql.unsafe(ATTEMPT_COLS)} FROM redteam_attempts WHERE run_id = ${runId} ${opts.successOnly ? this.sql`AND success = 1` : this.sql``} ORDER BY id`;
    return rows.map(toAttempt);
  }

  async saveDeception(run: { id: string; target: string; startedAt: string; result: unknown }): Promise<void> {
    await this.sql`INSERT INTO deception_runs (id, target, started_at, result) VALUES (${run.id}, ${run.target}, ${run.startedAt}, ${JSON.stringify(run.result)})`;
  }

  async lastDeception(target?: string): Promise<DeceptionRow | null> {
    const [r] = target
      ? await this.sql<{ id: string; target: string; started_at: string; result: string }[]>`SELECT id, target, started_at, result FROM deception_runs WHERE target = ${target} ORDER BY started_at COLLATE "C" DESC, ord DESC LIMIT 1`
      : await this.sql<{ id: string; target: string; started_at: string; result: string }[]>`SELECT id, target, started_at, result FROM deception_runs ORDER BY started_at COLLATE "C" DESC, ord DESC LIMIT 1`;
    return r ? { ...r, result: JSON.parse(r.result) as unknown } : null;
  }
}
