import { UserError } from '../../core/errors.js';
import type { GateResult } from '../../core/report.js';
import type { Generation, Item, Verdict } from '../../core/types.js';
import { describeLease, LEASE_MS, leaseAlive } from '../run-lease.js';
import { parseRun, type AggregateRow, type ClaimResult, type GroupBy, type ItemRow, type PairRow, type RawRun, type ResultRecord, type RunRow, type RunStatus, type RunStore, type StoredItem } from '../runs.js';
import type { Sql } from './connect.js';

/**
 * The eval runs repository on PostgreSQL: the same `RunStore` as SQLite's, with the same rows
 * (JSON as TEXT), answered with promises over a connection pool. Writes of a batch run in one
 * transaction; results are upserts keyed by (run, seq), so a job answered twice (a worker killed
 * after writing, its job retried) still leaves one row per item.
 */

const MODALITY_COL = `CASE WHEN position('"media":[' in i.item) = 0 THEN 'text'
  WHEN position('"type":"image"' in i.item) > 0 AND position('"type":"audio"' in i.item) > 0 THEN 'audio+image'
  WHEN position('"type":"audio"' in i.item) > 0 THEN 'audio' ELSE 'image' END`;
const GROUP_COL: Record<GroupBy, string> = { overall: "'all'", pillar: 'i.pillar', policy: "COALESCE(i.policy, '(none)')", lang: 'i.lang', source: 'i.source', modality: MODALITY_COL };

/** Rows per INSERT (13 columns: well under PostgreSQL's 65,535 parameters). */
const CHUNK = 1000;

type RawItemRow = { seq: number; sample: number; item: string; text: string | null; error: string | null; label: string | null; passed: number | null; verdicts: string | null };

const toItemRow = (r: Omit<RawItemRow, 'item'>, item: Item): ItemRow => ({
  seq: r.seq,
  sample: r.sample,
  item,
  text: r.text,
  error: r.error,
  label: r.label,
  passed: r.passed === null ? null : r.passed === 1,
  verdicts: r.verdicts ? (JSON.parse(r.verdicts) as Verdict[]) : [],
});

export class PgRunStore implements RunStore {
  constructor(readonly sql: Sql) {}

  async createRun(row: Omit<RunRow, 'finished_at' | 'item_count' | 'gates' | 'owner' | 'heartbeat_at'> & { owner?: string | null }): Promise<void> {
    const owner = row.owner ?? null;
    await this.sql`INSERT INTO eval_runs (id, created_at, started_at, status, target, target_fingerprint, suites, tier, seed, samples, config, owner, heartbeat_at)
      VALUES (${row.id}, ${row.created_at}, ${row.started_at}, ${row.status}, ${row.target}, ${row.target_fingerprint}, ${JSON.stringify(row.suites)}, ${row.tier},
        ${row.seed}, ${row.samples}, ${JSON.stringify(row.config)}, ${owner}, ${owner ? new Date().toISOString() : null})`;
  }

  async claimRun(runId: string, owner: string, opts: { leaseMs?: number } = {}): Promise<ClaimResult> {
    // SELECT ... FOR UPDATE: two processes claiming at once are serialised on the run's row.
    return this.sql.begin(async (tx): Promise<ClaimResult> => {
      const [cur] = await tx<Pick<RunRow, 'status' | 'owner' | 'heartbeat_at'>[]>`SELECT status, owner, heartbeat_at FROM eval_runs WHERE id = ${runId} FOR UPDATE`;
      if (!cur) throw new UserError(`no run "${runId}" in the store`, { code: 'not_found' });
      if (cur.owner !== owner && (cur.status === 'running' || cur.status === 'preparing') && leaseAlive(cur, Date.now(), opts.leaseMs ?? LEASE_MS)) {
        return { ok: false, holder: describeLease(cur) };
      }
      await tx`UPDATE eval_runs SET status = 'running', finished_at = NULL, owner = ${owner}, heartbeat_at = ${new Date().toISOString()} WHERE id = ${runId}`;
      return { ok: true };
    });
  }

  async heartbeat(runId: string, owner: string): Promise<void> {
    await this.sql`UPDATE eval_runs SET heartbeat_at = ${new Date().toISOString()} WHERE id = ${runId} AND owner = ${owner}`;
  }

  /** PostgreSQL checks its own pages; this only proves the server answers. */
  async checkIntegrity(): Promise<void> {
    await this.sql`SELECT 1`;
  }

  async getRun(id: string): Promise<RunRow | null> {
    const [r] = await this.sql<RawRun[]>`SELECT ${this.sql.unsafe(RUN_COLS)} FROM eval_runs WHERE id = ${id}`;
    return r ? parseRun(r) : null;
  }

  async resolveRun(ref: string, opts: { target?: string } = {}): Promise<RunRow> {
    const cols = this.sql.unsafe(RUN_COLS);
    if (ref === 'last' || ref === 'latest') {
      const [r] = opts.target
        ? await this.sql<RawRun[]>`SELECT ${cols} FROM eval_runs WHERE target = ${opts.target} ORDER BY created_at DESC, ord DESC LIMIT 1`
        : await this.sql<RawRun[]>`SELECT ${cols} FROM eval_runs ORDER BY created_at DESC, ord DESC LIMIT 1`;
      if (!r) throw new UserError('no runs in the store yet: run `pillars eval` first', { code: 'not_found' });
      return parseRun(r);
    }
    const exact = await this.getRun(ref);
    if (exact) return exact;
    const prefixed = await this.sql<RawRun[]>`SELECT ${cols} FROM eval_runs WHERE starts_with(id, ${ref}) ORDER BY created_at DESC LIMIT 2`;
    if (prefixed.length === 1) return parseRun(prefixed[0]!);
    throw new UserError(prefixed.length ? `run "${ref}" is ambiguous: give more of its id` : `no run "${ref}" in the store (see \`pillars runs list\`)`, { code: 'not_found' });
  }

  async listRuns(opts: { limit?: number } = {}): Promise<RunRow[]> {
    const rows = await this.sql<RawRun[]>`SELECT ${this.sql.unsafe(RUN_COLS)} FROM eval_runs ORDER BY created_at DESC, ord DESC LIMIT ${opts.limit ?? 1000}`;
    return rows.map(parseRun);
  }

  async appendItems(runId: string, items: StoredItem[]): Promise<void> {
    if (items.length === 0) return;
    await this.sql.begin(async (tx) => {
      for (let i = 0; i < items.length; i += CHUNK) {
        const rows = items.slice(i, i + CHUNK).map((s) => {
          const it = s.item;
          return {
            run_id: runId,
            seq: s.seq,
            item_id: it.id,
            sample: s.sample,
            suite: s.suite,
            pillar: it.pillar,
            policy: it.policy ?? null,
            kind: it.kind,
            expected: it.expected,
            lang: it.lang,
            source: it.source,
            pair: it.pair ?? null,
            item: JSON.stringify(it),
          };
        });
        await tx`INSERT INTO eval_run_items ${tx(rows)}`;
      }
    });
  }

  async sealItems(runId: string, count: number): Promise<void> {
    await this.sql`UPDATE eval_runs SET item_count = ${count} WHERE id = ${runId}`;
  }

  async pendingItems(runId: string, afterSeq: number, limit: number, beforeSeq?: number): Promise<StoredItem[]> {
    // The upper bound (a queue job's range) keeps the plan an index walk over the range; without
    // it, on a large run, PostgreSQL may hash-join every response of the run (20 ms at 40,000).
    const rows = await this.sql<{ seq: number; sample: number; suite: string; item: string }[]>`
      SELECT i.seq, i.sample, i.suite, i.item FROM eval_run_items i
      LEFT JOIN eval_responses r ON r.run_id = i.run_id AND r.seq = i.seq
      WHERE i.run_id = ${runId} AND i.seq > ${afterSeq} ${beforeSeq === undefined ? this.sql`` : this.sql`AND i.seq < ${beforeSeq}`} AND (r.seq IS NULL OR r.error IS NOT NULL)
      ORDER BY i.seq LIMIT ${limit}`;
    return rows.map((r) => ({ seq: r.seq, sample: r.sample, suite: r.suite, item: JSON.parse(r.item) as Item }));
  }

  async countAnswered(runId: string): Promise<number> {
    const [r] = await this.sql<{ n: number }[]>`SELECT COUNT(*) AS n FROM eval_responses WHERE run_id = ${runId} AND error IS NULL`;
    return r!.n;
  }

  async writeResults(runId: string, batch: ResultRecord[]): Promise<void> {
    if (batch.length === 0) return;
    const now = new Date().toISOString();
    const j = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));
    // One row per seq in each statement (ON CONFLICT cannot touch a row twice): the last answer wins, as with SQLite's INSERT OR REPLACE.
    const responses = new Map<number, ResultRecord['response']>();
    const judgements = new Map<number, NonNullable<ResultRecord['judgement']>>();
    for (const r of batch) {
      responses.set(r.response.seq, r.response);
      if (r.judgement) judgements.set(r.judgement.seq, r.judgement);
    }
    const resp = [...responses.values()];
    const judge = [...judgements.values()];
    // Columns as arrays through unnest: one statement (so one transaction and one round trip) whose
    // text does not depend on the batch size, so each connection prepares it once; a multi-row
    // VALUES list had 13 parameters per row and a new statement for each batch size.
    await this.sql`
      WITH r AS (
        INSERT INTO eval_responses (run_id, seq, text, error, finish_reason, latency_ms, usage, logprobs, guard, cached, attempts, created_at, cache_key)
        SELECT ${runId}::text, u.seq, u.text, u.error, u.finish_reason, u.latency_ms, u.usage, u.logprobs, u.guard, u.cached, u.attempts, ${now}::text, u.cache_key FROM unnest(
          ${resp.map((p) => p.seq)}::int[], ${resp.map((p) => p.text)}::text[], ${resp.map((p) => p.error)}::text[], ${resp.map((p) => p.finishReason ?? null)}::text[],
          ${resp.map((p) => p.latencyMs ?? null)}::int[], ${resp.map((p) => j(p.usage))}::text[], ${resp.map((p) => j(p.logprobs))}::text[], ${resp.map((p) => j(p.guard))}::text[],
          ${resp.map((p) => (p.cached ? 1 : 0))}::smallint[], ${resp.map((p) => p.attempts)}::int[], ${resp.map((p) => p.cacheKey ?? null)}::text[]
        ) AS u(seq, text, error, finish_reason, latency_ms, usage, logprobs, guard, cached, attempts, cache_key)
        ON CONFLICT (run_id, seq) DO UPDATE SET
          text = excluded.text, error = excluded.error, finish_reason = excluded.finish_reason, latency_ms = excluded.latency_ms, usage = excluded.usage,
          logprobs = excluded.logprobs, guard = excluded.guard, cached = excluded.cached, attempts = excluded.attempts, created_at = excluded.created_at, cache_key = excluded.cache_key
      )
      INSERT INTO eval_judgements (run_id, seq, label, passed, score, verdicts)
      SELECT ${runId}::text, v.seq, v.label, v.passed, v.score, v.verdicts FROM unnest(
        ${judge.map((v) => v.seq)}::int[], ${judge.map((v) => v.label)}::text[], ${judge.map((v) => (v.passed === null ? null : v.passed ? 1 : 0))}::smallint[],
        ${judge.map((v) => v.score)}::float8[], ${judge.map((v) => JSON.stringify(v.verdicts))}::text[]
      ) AS v(seq, label, passed, score, verdicts)
      ON CONFLICT (run_id, seq) DO UPDATE SET
        label = excluded.label, passed = excluded.passed, score = excluded.score, verdicts = excluded.verdicts`;
  }

  async setStatus(runId: string, status: RunStatus, finishedAt?: string | null): Promise<void> {
    if (finishedAt === undefined) await this.sql`UPDATE eval_runs SET status = ${status} WHERE id = ${runId}`;
    else await this.sql`UPDATE eval_runs SET status = ${status}, finished_at = ${finishedAt} WHERE id = ${runId}`;
  }

  async setGates(runId: string, gates: GateResult[]): Promise<void> {
    await this.sql`UPDATE eval_runs SET gates = ${JSON.stringify(gates)} WHERE id = ${runId}`;
  }

  async cacheGet(key: string): Promise<Generation | null> {
    const [r] = await this.sql<{ generation: string }[]>`SELECT generation FROM eval_cache WHERE key = ${key}`;
    return r ? (JSON.parse(r.generation) as Generation) : null;
  }

  async cacheGetMany(keys: string[]): Promise<Map<string, Generation>> {
    const out = new Map<string, Generation>();
    if (keys.length === 0) return out;
    const rows = await this.sql<{ key: string; generation: string }[]>`SELECT key, generation FROM eval_cache WHERE key = ANY(${keys})`;
    for (const r of rows) out.set(r.key, JSON.parse(r.generation) as Generation);
    return out;
  }

  async commitCache(runId: string): Promise<number> {
    const res = await this.sql`
      INSERT INTO eval_cache (key, target_fingerprint, generation, created_at)
      SELECT r.cache_key, u.target_fingerprint,
        jsonb_strip_nulls(jsonb_build_object('text', r.text, 'finishReason', r.finish_reason, 'latencyMs', r.latency_ms,
          'usage', r.usage::jsonb, 'logprobs', r.logprobs::jsonb, 'guard', r.guard::jsonb))::text,
        r.created_at
      FROM eval_responses r JOIN eval_runs u ON u.id = r.run_id
      WHERE r.run_id = ${runId} AND r.cache_key IS NOT NULL AND r.error IS NULL AND r.cached = 0
      ORDER BY r.cache_key
      ON CONFLICT (key) DO NOTHING`;
    return res.count;
  }

  async aggregate(runId: string, by: GroupBy): Promise<AggregateRow[]> {
    return [
      ...(await this.sql<AggregateRow[]>`
      SELECT (${this.sql.unsafe(GROUP_COL[by])}) COLLATE "C" AS key, i.kind COLLATE "C" AS kind, COUNT(*) AS items,
        COALESCE(SUM(CASE WHEN j.passed = 0 THEN 1 ELSE 0 END), 0)::int AS failed,
        COALESCE(SUM(CASE WHEN j.passed = 1 THEN 1 ELSE 0 END), 0)::int AS passed
      FROM eval_run_items i LEFT JOIN eval_judgements j ON j.run_id = i.run_id AND j.seq = i.seq
      WHERE i.run_id = ${runId} GROUP BY 1, 2 ORDER BY 1, 2`),
    ];
  }

  async pairConsistency(runId: string, by: GroupBy): Promise<PairRow[]> {
    return [
      ...(await this.sql<PairRow[]>`
      SELECT key, COUNT(*) AS pairs, SUM(CASE WHEN labels = 1 THEN 1 ELSE 0 END)::int AS consistent FROM (
        SELECT (${this.sql.unsafe(GROUP_COL[by])}) COLLATE "C" AS key, i.pair, i.sample, COUNT(DISTINCT j.label) AS labels, COUNT(j.label) AS judged
        FROM eval_run_items i JOIN eval_judgements j ON j.run_id = i.run_id AND j.seq = i.seq
        WHERE i.run_id = ${runId} AND i.pair IS NOT NULL GROUP BY 1, i.pair, i.sample
      ) g WHERE judged >= 2 GROUP BY key ORDER BY key`),
    ];
  }

  /** Rows come through a cursor, 500 at a time: memory stays flat on large runs. */
  async *items(runId: string, opts: { failingOnly?: boolean; limit?: number } = {}): AsyncIterable<ItemRow> {
    const q = this.sql<RawItemRow[]>`
      SELECT i.seq, i.sample, i.item, r.text, r.error, j.label, j.passed, j.verdicts
      FROM eval_run_items i
      LEFT JOIN eval_responses r ON r.run_id = i.run_id AND r.seq = i.seq
      LEFT JOIN eval_judgements j ON j.run_id = i.run_id AND j.seq = i.seq
      WHERE i.run_id = ${runId} ${opts.failingOnly ? this.sql`AND j.passed = 0` : this.sql``} ORDER BY i.seq LIMIT ${opts.limit ?? null}`;
    for await (const rows of q.cursor(500)) for (const r of rows) yield toItemRow(r, JSON.parse(r.item) as Item);
  }

  async *reportItems(runId: string, opts: { failingOnly?: boolean; limit?: number } = {}): AsyncIterable<ItemRow> {
    type Raw = Omit<RawItemRow, 'item'> & {
      item_id: string;
      pillar: Item['pillar'];
      policy: string | null;
      kind: Item['kind'];
      expected: string;
      lang: string;
      source: Item['source'];
      prompt: string | null;
      messages: string | null;
      labels: string | null;
    };
    const q = this.sql<Raw[]>`
      SELECT i.seq, i.sample, i.item_id, i.pillar, i.policy, i.kind, i.expected, i.lang, i.source,
        i.item::json->>'prompt' AS prompt,
        CASE WHEN i.item::json->>'prompt' IS NULL THEN (i.item::json->'messages')::text END AS messages,
        (i.item::json->'labels')::text AS labels,
        r.text, r.error, j.label, j.passed, j.verdicts
      FROM eval_run_items i
      LEFT JOIN eval_responses r ON r.run_id = i.run_id AND r.seq = i.seq
      LEFT JOIN eval_judgements j ON j.run_id = i.run_id AND j.seq = i.seq
      WHERE i.run_id = ${runId} ${opts.failingOnly ? this.sql`AND j.passed = 0` : this.sql``} ORDER BY i.seq LIMIT ${opts.limit ?? null}`;
    for await (const rows of q.cursor(500)) {
      for (const r of rows) {
        const item: Item = { id: r.item_id, pillar: r.pillar, kind: r.kind, expected: r.expected, lang: r.lang, source: r.source };
        if (r.policy !== null) item.policy = r.policy;
        if (r.labels !== null && r.labels !== 'null') item.labels = JSON.parse(r.labels) as Record<string, string>;
        if (r.prompt !== null) item.prompt = r.prompt;
        else if (r.messages !== null && r.messages !== 'null') item.messages = JSON.parse(r.messages) as Item['messages'];
        yield toItemRow(r, item);
      }
    }
  }

  async deleteRun(runId: string): Promise<void> {
    await this.sql.begin(async (tx) => {
      for (const t of ['eval_judgements', 'eval_responses', 'eval_run_items']) await tx`DELETE FROM ${tx(t)} WHERE run_id = ${runId}`;
      await tx`DELETE FROM eval_runs WHERE id = ${runId}`;
    });
  }
}

const RUN_COLS = 'id, created_at, started_at, finished_at, status, target, target_fingerprint, suites, tier, seed, samples, config, item_count, gates, owner, heartbeat_at';
