import { randomBytes } from 'node:crypto';
import { UserError } from '../core/errors.js';
import type { GateResult } from '../core/report.js';
import type { Generation, Item, Verdict } from '../core/types.js';
import { quickCheck, type Db } from './db.js';
import { describeLease, LEASE_MS, leaseAlive } from './run-lease.js';

/**
 * The eval runs repository. Callers go through the `RunStore` interface and `await` every call, so
 * a Postgres store can implement it with promises while this SQLite one answers synchronously.
 */

type MaybePromise<T> = T | Promise<T>;

export type RunStatus = 'preparing' | 'running' | 'done' | 'failed' | 'interrupted';

export interface RunRow {
  id: string;
  created_at: string;
  started_at: string;
  finished_at: string | null;
  status: RunStatus;
  target: string;
  target_fingerprint: string;
  suites: string[];
  tier: string;
  seed: number;
  samples: number;
  /** Every component's name and options (targets without secrets, suites, judges, tier, seed). */
  config: Record<string, unknown>;
  item_count: number | null;
  gates: GateResult[] | null;
  /** The process holding the run's lease (`host:pid:token`) while it runs. */
  owner: string | null;
  /** The lease holder's last heartbeat (ISO). */
  heartbeat_at: string | null;
}

/** The outcome of `claimRun`: the lease is ours, or another live process holds it. */
export type ClaimResult = { ok: true } | { ok: false; holder: string };

export interface StoredItem {
  seq: number;
  sample: number;
  suite: string;
  item: Item;
}

export interface ResponseRecord {
  seq: number;
  text: string | null;
  error: string | null;
  finishReason?: string;
  latencyMs?: number;
  usage?: Generation['usage'];
  logprobs?: Generation['logprobs'];
  guard?: Generation['guard'];
  cached: boolean;
  attempts: number;
  /** Response-cache key of a fresh answer: copied into the cache by `commitCache`. */
  cacheKey?: string;
}

export interface JudgementRecord {
  seq: number;
  label: string;
  passed: boolean | null;
  score: number | null;
  verdicts: Verdict[];
}

export interface ResultRecord {
  response: ResponseRecord;
  judgement?: JudgementRecord;
}

/** Counts for one group (a pillar, policy, language, source, or everything) and kind. */
export interface AggregateRow {
  key: string;
  kind: string;
  items: number;
  failed: number;
  passed: number;
}

export interface PairRow {
  key: string;
  pairs: number;
  consistent: number;
}

export type GroupBy = 'overall' | 'pillar' | 'policy' | 'lang' | 'source' | 'modality';

export interface ItemRow {
  seq: number;
  sample: number;
  item: Item;
  text: string | null;
  error: string | null;
  label: string | null;
  passed: boolean | null;
  verdicts: Verdict[];
}

export interface RunStore {
  createRun(row: Omit<RunRow, 'finished_at' | 'item_count' | 'gates' | 'owner' | 'heartbeat_at'> & { owner?: string | null }): MaybePromise<void>;
  /**
   * Take the run's lease for `owner` and mark it running, unless a live process holds it (a run
   * lock: two `--resume` of one run never ask twice). A dead holder's lease is taken over.
   */
  claimRun(runId: string, owner: string, opts?: { leaseMs?: number }): MaybePromise<ClaimResult>;
  /** Renew the lease (only while `owner` holds it). */
  heartbeat(runId: string, owner: string): MaybePromise<void>;
  /** `PRAGMA quick_check` of the store: throws a clear error naming the file when it is damaged. */
  checkIntegrity(): MaybePromise<void>;
  getRun(id: string): MaybePromise<RunRow | null>;
  /** A run id, or `last` for the most recent run (optionally of one target). */
  resolveRun(ref: string, opts?: { target?: string }): MaybePromise<RunRow>;
  listRuns(opts?: { limit?: number }): MaybePromise<RunRow[]>;
  appendItems(runId: string, items: StoredItem[]): MaybePromise<void>;
  /** Every item is stored: the run can be resumed from the store alone. */
  sealItems(runId: string, count: number): MaybePromise<void>;
  /**
   * Items without a successful response, in order, after `afterSeq` (keyset paging keeps memory flat);
   * `beforeSeq`, when given, is an upper bound a backend may use to read less (callers still filter).
   */
  pendingItems(runId: string, afterSeq: number, limit: number, beforeSeq?: number): MaybePromise<StoredItem[]>;
  countAnswered(runId: string): MaybePromise<number>;
  writeResults(runId: string, batch: ResultRecord[]): MaybePromise<void>;
  setStatus(runId: string, status: RunStatus, finishedAt?: string | null): MaybePromise<void>;
  setGates(runId: string, gates: GateResult[]): MaybePromise<void>;
  cacheGet(key: string): MaybePromise<Generation | null>;
  cacheGetMany(keys: string[]): MaybePromise<Map<string, Generation>>;
  /** Copy the run's fresh answers into the response cache (in key order); returns the rows added. */
  commitCache(runId: string): MaybePromise<number>;
  aggregate(runId: string, by: GroupBy): MaybePromise<AggregateRow[]>;
  pairConsistency(runId: string, by: GroupBy): MaybePromise<PairRow[]>;
  /** The run's items with their responses and verdicts, in order. */
  items(runId: string, opts?: { failingOnly?: boolean; limit?: number }): Iterable<ItemRow> | AsyncIterable<ItemRow>;
  /** The same with a partial item (the fields a report lists), cheaper for large runs. */
  reportItems(runId: string, opts?: { failingOnly?: boolean; limit?: number }): Iterable<ItemRow> | AsyncIterable<ItemRow>;
  deleteRun(runId: string): MaybePromise<void>;
}

export function newRunId(now = new Date()): string {
  const ts = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${ts}-${randomBytes(3).toString('hex')}`;
}

/** An `eval_runs` row as either backend stores it (JSON columns as text). */
export interface RawRun extends Omit<RunRow, 'suites' | 'config' | 'gates'> {
  suites: string;
  config: string;
  gates: string | null;
}

/** A run still marked preparing/running whose lease is dead was killed: it reads as interrupted. */
export function effectiveStatus(r: Pick<RunRow, 'status' | 'owner' | 'heartbeat_at'>, now = Date.now(), leaseMs = LEASE_MS): RunStatus {
  if ((r.status === 'running' || r.status === 'preparing') && !leaseAlive(r, now, leaseMs)) return 'interrupted';
  return r.status;
}

export const parseRun = (r: RawRun): RunRow => ({
  ...r,
  status: effectiveStatus(r),
  suites: JSON.parse(r.suites) as string[],
  config: JSON.parse(r.config) as Record<string, unknown>,
  gates: r.gates ? (JSON.parse(r.gates) as GateResult[]) : null,
});

/**
 * The item's modality (`text`, `image`, `audio`, `audio+image`) from its stored JSON: an item or
 * message `media` list and the types in it (core `itemModality`, in SQL).
 */
const MODALITY_COL = `CASE WHEN instr(i.item, '"media":[') = 0 THEN 'text'
  WHEN instr(i.item, '"type":"image"') > 0 AND instr(i.item, '"type":"audio"') > 0 THEN 'audio+image'
  WHEN instr(i.item, '"type":"audio"') > 0 THEN 'audio' ELSE 'image' END`;
const GROUP_COL: Record<GroupBy, string> = { overall: "'all'", pillar: 'i.pillar', policy: "COALESCE(i.policy, '(none)')", lang: 'i.lang', source: 'i.source', modality: MODALITY_COL };

export class SqliteRunStore implements RunStore {
  private readonly insItem;
  private readonly insResp;
  private readonly insJudge;
  private readonly getCache;
  private readonly pending;
  private readonly getCacheMany;

  constructor(readonly db: Db) {
    // A larger page cache keeps random inserts into the cache index off the disk (32 MB, per connection).
    db.pragma('cache_size = -32768');
    this.insItem = db.prepare(
      'INSERT INTO eval_run_items (run_id, seq, item_id, sample, suite, pillar, policy, kind, expected, lang, source, pair, item) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)',
    );
    this.insResp = db.prepare(
      'INSERT OR REPLACE INTO eval_responses (run_id, seq, text, error, finish_reason, latency_ms, usage, logprobs, guard, cached, attempts, created_at, cache_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)',
    );
    this.insJudge = db.prepare('INSERT OR REPLACE INTO eval_judgements (run_id, seq, label, passed, score, verdicts) VALUES (?,?,?,?,?,?)');
    this.getCache = db.prepare('SELECT generation FROM eval_cache WHERE key = ?').pluck();
    this.getCacheMany = db.prepare('SELECT key, generation FROM eval_cache WHERE key IN (SELECT value FROM json_each(?))');
    this.pending = db.prepare(
      `SELECT i.seq, i.sample, i.suite, i.item FROM eval_run_items i
       LEFT JOIN eval_responses r ON r.run_id = i.run_id AND r.seq = i.seq
       WHERE i.run_id = ? AND i.seq > ? AND (r.seq IS NULL OR r.error IS NOT NULL)
       ORDER BY i.seq LIMIT ?`,
    );
  }

  createRun(row: Omit<RunRow, 'finished_at' | 'item_count' | 'gates' | 'owner' | 'heartbeat_at'> & { owner?: string | null }): void {
    const owner = row.owner ?? null;
    this.db
      .prepare(
        'INSERT INTO eval_runs (id, created_at, started_at, status, target, target_fingerprint, suites, tier, seed, samples, config, owner, heartbeat_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)',
      )
      .run(
        row.id,
        row.created_at,
        row.started_at,
        row.status,
        row.target,
        row.target_fingerprint,
        JSON.stringify(row.suites),
        row.tier,
        row.seed,
        row.samples,
        JSON.stringify(row.config),
        owner,
        owner ? new Date().toISOString() : null,
      );
  }

  claimRun(runId: string, owner: string, opts: { leaseMs?: number } = {}): ClaimResult {
    // IMMEDIATE: two processes claiming at once are serialised by SQLite's write lock.
    return this.db.transaction((): ClaimResult => {
      const cur = this.db.prepare('SELECT status, owner, heartbeat_at FROM eval_runs WHERE id = ?').get(runId) as Pick<RunRow, 'status' | 'owner' | 'heartbeat_at'> | undefined;
      if (!cur) throw new UserError(`no run "${runId}" in the store`, { code: 'not_found' });
      if (cur.owner !== owner && (cur.status === 'running' || cur.status === 'preparing') && leaseAlive(cur, Date.now(), opts.leaseMs ?? LEASE_MS)) {
        return { ok: false, holder: describeLease(cur) };
      }
      this.db.prepare("UPDATE eval_runs SET status = 'running', finished_at = NULL, owner = ?, heartbeat_at = ? WHERE id = ?").run(owner, new Date().toISOString(), runId);
      return { ok: true };
    }).immediate();
  }

  heartbeat(runId: string, owner: string): void {
    this.db.prepare('UPDATE eval_runs SET heartbeat_at = ? WHERE id = ? AND owner = ?').run(new Date().toISOString(), runId, owner);
  }

  checkIntegrity(): void {
    quickCheck(this.db, this.db.name);
  }

  getRun(id: string): RunRow | null {
    const r = this.db.prepare('SELECT * FROM eval_runs WHERE id = ?').get(id) as RawRun | undefined;
    return r ? parseRun(r) : null;
  }

  resolveRun(ref: string, opts: { target?: string } = {}): RunRow {
    if (ref === 'last' || ref === 'latest') {
      const r = (
        opts.target
          ? this.db.prepare('SELECT * FROM eval_runs WHERE target = ? ORDER BY created_at DESC, rowid DESC LIMIT 1').get(opts.target)
          : this.db.prepare('SELECT * FROM eval_runs ORDER BY created_at DESC, rowid DESC LIMIT 1').get()
      ) as RawRun | undefined;
      if (!r) throw new UserError('no runs in the store yet: run `pillars eval` first', { code: 'not_found' });
      return parseRun(r);
    }
    const exact = this.getRun(ref);
    if (exact) return exact;
    const prefixed = this.db.prepare("SELECT * FROM eval_runs WHERE id LIKE ? || '%' ORDER BY created_at DESC LIMIT 2").all(ref) as RawRun[];
    if (prefixed.length === 1) return parseRun(prefixed[0]!);
    throw new UserError(prefixed.length ? `run "${ref}" is ambiguous: give more of its id` : `no run "${ref}" in the store (see \`pillars runs list\`)`, { code: 'not_found' });
  }

  listRuns(opts: { limit?: number } = {}): RunRow[] {
    const rows = this.db.prepare('SELECT * FROM eval_runs ORDER BY created_at DESC, rowid DESC LIMIT ?').all(opts.limit ?? 1000) as RawRun[];
    return rows.map(parseRun);
  }

  appendItems(runId: string, items: StoredItem[]): void {
    this.db.transaction(() => {
      for (const s of items) {
        const it = s.item;
        this.insItem.run(runId, s.seq, it.id, s.sample, s.suite, it.pillar, it.policy ?? null, it.kind, it.expected, it.lang, it.source, it.pair ?? null, JSON.stringify(it));
      }
    })();
  }

  sealItems(runId: string, count: number): void {
    this.db.prepare('UPDATE eval_runs SET item_count = ? WHERE id = ?').run(count, runId);
  }

  pendingItems(runId: string, afterSeq: number, limit: number): StoredItem[] {
    const rows = this.pending.all(runId, afterSeq, limit) as { seq: number; sample: number; suite: string; item: string }[];
    return rows.map((r) => ({ seq: r.seq, sample: r.sample, suite: r.suite, item: JSON.parse(r.item) as Item }));
  }

  countAnswered(runId: string): number {
    return this.db.prepare('SELECT COUNT(*) FROM eval_responses WHERE run_id = ? AND error IS NULL').pluck().get(runId) as number;
  }

  writeResults(runId: string, batch: ResultRecord[]): void {
    if (batch.length === 0) return;
    const now = new Date().toISOString();
    const j = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));
    this.db.transaction(() => {
      for (const r of batch) {
        const p = r.response;
        this.insResp.run(runId, p.seq, p.text, p.error, p.finishReason ?? null, p.latencyMs ?? null, j(p.usage), j(p.logprobs), j(p.guard), p.cached ? 1 : 0, p.attempts, now, p.cacheKey ?? null);
        if (r.judgement) {
          const v = r.judgement;
          this.insJudge.run(runId, v.seq, v.label, v.passed === null ? null : v.passed ? 1 : 0, v.score, JSON.stringify(v.verdicts));
        }
      }
    })();
  }

  setStatus(runId: string, status: RunStatus, finishedAt?: string | null): void {
    if (finishedAt === undefined) this.db.prepare('UPDATE eval_runs SET status = ? WHERE id = ?').run(status, runId);
    else this.db.prepare('UPDATE eval_runs SET status = ?, finished_at = ? WHERE id = ?').run(status, finishedAt, runId);
  }

  setGates(runId: string, gates: GateResult[]): void {
    this.db.prepare('UPDATE eval_runs SET gates = ? WHERE id = ?').run(JSON.stringify(gates), runId);
  }

  cacheGet(key: string): Generation | null {
    const g = this.getCache.get(key) as string | undefined;
    return g ? (JSON.parse(g) as Generation) : null;
  }

  cacheGetMany(keys: string[]): Map<string, Generation> {
    const out = new Map<string, Generation>();
    if (keys.length === 0) return out;
    const rows = this.getCacheMany.all(JSON.stringify(keys)) as { key: string; generation: string }[];
    for (const r of rows) out.set(r.key, JSON.parse(r.generation) as Generation);
    return out;
  }

  commitCache(runId: string): number {
    return this.db
      .prepare(
        `INSERT OR IGNORE INTO eval_cache (key, target_fingerprint, generation, created_at)
         SELECT r.cache_key, u.target_fingerprint,
           json_patch('{}', json_object('text', r.text, 'finishReason', r.finish_reason, 'latencyMs', r.latency_ms,
             'usage', json(r.usage), 'logprobs', json(r.logprobs), 'guard', json(r.guard))),
           r.created_at
         FROM eval_responses r JOIN eval_runs u ON u.id = r.run_id
         WHERE r.run_id = ? AND r.cache_key IS NOT NULL AND r.error IS NULL AND r.cached = 0
         ORDER BY r.cache_key`,
      )
      .run(runId).changes;
  }

  aggregate(runId: string, by: GroupBy): AggregateRow[] {
    return this.db
      .prepare(
        `SELECT ${GROUP_COL[by]} AS key, i.kind AS kind, COUNT(*) AS items,
           COALESCE(SUM(CASE WHEN j.passed = 0 THEN 1 ELSE 0 END), 0) AS failed,
           COALESCE(SUM(CASE WHEN j.passed = 1 THEN 1 ELSE 0 END), 0) AS passed
         FROM eval_run_items i LEFT JOIN eval_judgements j ON j.run_id = i.run_id AND j.seq = i.seq
         WHERE i.run_id = ? GROUP BY 1, 2 ORDER BY 1, 2`,
      )
      .all(runId) as AggregateRow[];
  }

  pairConsistency(runId: string, by: GroupBy): PairRow[] {
    return this.db
      .prepare(
        `SELECT key, COUNT(*) AS pairs, SUM(CASE WHEN labels = 1 THEN 1 ELSE 0 END) AS consistent FROM (
           SELECT ${GROUP_COL[by]} AS key, i.pair, i.sample, COUNT(DISTINCT j.label) AS labels, COUNT(j.label) AS judged
           FROM eval_run_items i JOIN eval_judgements j ON j.run_id = i.run_id AND j.seq = i.seq
           WHERE i.run_id = ? AND i.pair IS NOT NULL GROUP BY 1, i.pair, i.sample
         ) WHERE judged >= 2 GROUP BY key ORDER BY key`,
      )
      .all(runId) as PairRow[];
  }

  *items(runId: string, opts: { failingOnly?: boolean; limit?: number } = {}): Iterable<ItemRow> {
    const stmt = this.db.prepare(
      `SELECT i.seq, i.sample, i.item, r.text, r.error, j.label, j.passed, j.verdicts
       FROM eval_run_items i
       LEFT JOIN eval_responses r ON r.run_id = i.run_id AND r.seq = i.seq
       LEFT JOIN eval_judgements j ON j.run_id = i.run_id AND j.seq = i.seq
       WHERE i.run_id = ? ${opts.failingOnly ? 'AND j.passed = 0' : ''} ORDER BY i.seq LIMIT ?`,
    );
    type Raw = { seq: number; sample: number; item: string; text: string | null; error: string | null; label: string | null; passed: number | null; verdicts: string | null };
    for (const r of stmt.iterate(runId, opts.limit ?? -1) as IterableIterator<Raw>) {
      yield {
        seq: r.seq,
        sample: r.sample,
        item: JSON.parse(r.item) as Item,
        text: r.text,
        error: r.error,
        label: r.label,
        passed: r.passed === null ? null : r.passed === 1,
        verdicts: r.verdicts ? (JSON.parse(r.verdicts) as Verdict[]) : [],
      };
    }
  }

  /** Like `items()`, but the item holds only what a report lists (id, pillar, policy, kind, expected, lang, source, prompt or messages, human labels): no full JSON parse. */
  *reportItems(runId: string, opts: { failingOnly?: boolean; limit?: number } = {}): Iterable<ItemRow> {
    const stmt = this.db.prepare(
      `SELECT i.seq, i.sample, i.item_id, i.pillar, i.policy, i.kind, i.expected, i.lang, i.source,
         json_extract(i.item, '$.prompt') AS prompt,
         CASE WHEN json_extract(i.item, '$.prompt') IS NULL THEN json_extract(i.item, '$.messages') END AS messages,
         json_extract(i.item, '$.labels') AS labels,
         r.text, r.error, j.label, j.passed, j.verdicts
       FROM eval_run_items i
       LEFT JOIN eval_responses r ON r.run_id = i.run_id AND r.seq = i.seq
       LEFT JOIN eval_judgements j ON j.run_id = i.run_id AND j.seq = i.seq
       WHERE i.run_id = ? ${opts.failingOnly ? 'AND j.passed = 0' : ''} ORDER BY i.seq LIMIT ?`,
    );
    type Raw = {
      seq: number;
      sample: number;
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
      text: string | null;
      error: string | null;
      label: string | null;
      passed: number | null;
      verdicts: string | null;
    };
    for (const r of stmt.iterate(runId, opts.limit ?? -1) as IterableIterator<Raw>) {
      const item: Item = { id: r.item_id, pillar: r.pillar, kind: r.kind, expected: r.expected, lang: r.lang, source: r.source };
      if (r.policy !== null) item.policy = r.policy;
      if (r.labels !== null) item.labels = JSON.parse(r.labels) as Record<string, string>;
      if (r.prompt !== null) item.prompt = r.prompt;
      else if (r.messages !== null) item.messages = JSON.parse(r.messages) as Item['messages'];
      yield {
        seq: r.seq,
        sample: r.sample,
        item,
        text: r.text,
        error: r.error,
        label: r.label,
        passed: r.passed === null ? null : r.passed === 1,
        verdicts: r.verdicts ? (JSON.parse(r.verdicts) as Verdict[]) : [],
      };
    }
  }

  deleteRun(runId: string): void {
    this.db.transaction(() => {
      for (const t of ['eval_judgements', 'eval_responses', 'eval_run_items']) this.db.prepare(`DELETE FROM ${t} WHERE run_id = ?`).run(runId);
      this.db.prepare('DELETE FROM eval_runs WHERE id = ?').run(runId);
    })();
  }
}

export function createRunStore(db: Db): SqliteRunStore {
  return new SqliteRunStore(db);
}

export function listRuns(db: Db, opts: { limit?: number } = {}): RunRow[] {
  return createRunStore(db).listRuns(opts);
}
