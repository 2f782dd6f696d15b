import { Job, Queue, Worker } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { UserError } from '../core/errors.js';
import type { Ctx } from '../core/types.js';
import type { RunStore } from '../store/runs.js';
import { SharedRateLimiter } from './queue-rate-limit.js';
import { executeRun, type ExecuteInput, type ExecuteResult } from './runner.js';

/**
 * Distributed evaluation on BullMQ (Redis). The coordinator (`pillars eval --queue URL`) stores
 * the run and its items as usual, then enqueues one job per range of items (`jobSize`); workers
 * (`pillars worker --queue URL`, any number, anywhere the config and the store reach) take jobs
 * and answer the range with the same `executeRun` a single process uses, writing into the shared
 * store. Jobs are idempotent by (run, item): a job answers only the items of its range still
 * pending, and results are upserts keyed by (run, seq). A worker killed mid-job stops renewing its
 * lock; BullMQ's stalled-job check moves the job back to the queue and another worker finishes it.
 * A target's `rpm`/`tpm` hold over all workers together: their clocks live in Redis
 * (eval/queue-rate-limit.ts).
 */

export const QUEUE_NAME = 'pillars-eval';
/** Items per job: at least CHUNK, at most MAX_CHUNK, aiming at JOBS_PER_RUN jobs (see `jobSize`). */
export const CHUNK = 100;
export const MAX_CHUNK = 500;
const JOBS_PER_RUN = 32;

/**
 * Items per job for a run of `total` items asked `concurrency` at a time: about total / 32 (so a
 * run still spreads over many workers), between 100 and 500 (each job costs a few store queries
 * and queue moves, and its last requests leave slots idle: larger jobs pay that less often), and
 * a multiple of `concurrency` (a job ends with all its slots busy until the last round).
 */
export function jobSize(total: number, concurrency: number): number {
  const c = Math.max(1, concurrency);
  const size = Math.min(MAX_CHUNK, Math.max(CHUNK, Math.ceil(total / JOBS_PER_RUN)));
  return Math.ceil(size / c) * c;
}
/** How often the coordinator asks for progress and job states. */
export const POLL_MS = 500;
/** A worker's lock on a job; a killed worker's job is taken back after at most about this long. */
export const LOCK_MS = 10_000;

export interface EvalJob {
  runId: string;
  target: string;
  from: number;
  to: number;
  seed: number;
  cache: boolean;
  /** Requests in flight per job. */
  concurrency: number;
}

/** `redis://[user:pass@]host:port[/db]` as BullMQ connection options (workers need maxRetriesPerRequest null). */
export function redisOptions(url: string): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError(`queue: "${url}" is not a URL (redis://HOST:PORT)`, { code: 'usage', option: 'queue' });
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new UserError(`queue: give a redis:// URL, not ${u.protocol}//`, { code: 'usage', option: 'queue' });
  const db = u.pathname.replace(/^\//, '');
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

/** A Redis client for BullMQ (which does not close clients it is given: callers `quit()` them). */
export function redisClient(url: string): Redis {
  return new Redis(redisOptions(url));
}

const jobId = (runId: string, from: number): string => `${runId}_${from}`;

/** Ranges of at most `chunk` items covering `seqs` (ascending): one job each, asking only those items still pending. */
function rangesOf(seqs: number[], chunk: number): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  for (let i = 0; i < seqs.length; i += chunk) out.push({ from: seqs[i]!, to: seqs[Math.min(seqs.length, i + chunk) - 1]! + 1 });
  return out;
}

/** The seqs of the first `n` pending items after `afterSeq`, in order. */
async function firstPending(store: RunStore, runId: string, afterSeq: number, n: number): Promise<number[]> {
  const seqs: number[] = [];
  let after = afterSeq;
  while (seqs.length < n) {
    const want = Math.min(1000, n - seqs.length);
    const rows = await store.pendingItems(runId, after, want);
    for (const r of rows) seqs.push(r.seq);
    if (rows.length < want) break;
    after = rows[rows.length - 1]!.seq;
  }
  return seqs;
}

/**
 * An `executeRun` replacement for the coordinator: enqueue the run's pending ranges and wait until
 * every job is done, reporting progress from the store. Returns like `executeRun`.
 *
 * With `stopAfter` (`--limit N`) the jobs cover exactly the first N pending items in run order, the
 * items a single process answers before it stops; items whose requests failed are replaced by the
 * next pending ones, as a single process does, until N are answered or none is left.
 */
export function queueExecutor(url: string, opts: { target: string; pollMs?: number; chunk?: number }): (input: ExecuteInput, ctx: Ctx) => Promise<ExecuteResult> {
  return async (input, ctx) => {
    const { store, runId } = input;
    const run = await store.getRun(runId);
    const total = run?.item_count ?? 0;
    const chunk = opts.chunk ?? jobSize(total, input.concurrency);
    const redis = redisClient(url);
    const queue = new Queue<EvalJob>(QUEUE_NAME, { connection: redis });
    const enqueue = async (ranges: { from: number; to: number }[]): Promise<string[]> => {
      const jobs = ranges.map(({ from, to }) => {
        const data: EvalJob = { runId, target: opts.target, from, to, seed: input.seed, cache: input.cache ?? true, concurrency: input.concurrency };
        // The job id dedupes: a job still queued or running for this range is not added twice.
        return { name: 'range', data, opts: { jobId: jobId(runId, from), attempts: 3, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: 1000 } };
      });
      for (let i = 0; i < jobs.length; i += 500) await queue.addBulk(jobs.slice(i, i + 500));
      return jobs.map((j) => j.opts.jobId);
    };
    try {
      let res: ExecuteResult;
      if (input.stopAfter === undefined) {
        const ranges: { from: number; to: number }[] = [];
        for (let from = 0; from < total; from += chunk) ranges.push({ from, to: Math.min(total, from + chunk) });
        res = await waitForJobs(queue, store, runId, await enqueue(ranges), total, input, ctx, opts.pollMs ?? POLL_MS);
      } else {
        const before = await store.countAnswered(runId);
        let after = -1;
        for (;;) {
          const fresh = (await store.countAnswered(runId)) - before;
          const seqs = fresh < input.stopAfter ? await firstPending(store, runId, after, input.stopAfter - fresh) : [];
          if (seqs.length === 0) {
            const answered = await store.countAnswered(runId);
            res = { answered, errors: total - answered, cached: 0, requests: 0, stopped: answered < total };
            break;
          }
          after = seqs[seqs.length - 1]!;
          res = await waitForJobs(queue, store, runId, await enqueue(rangesOf(seqs, chunk)), total, input, ctx, opts.pollMs ?? POLL_MS);
          if (res.stopped) break;
        }
      }
      if (input.cache !== false) await store.commitCache(runId);
      return res;
    } finally {
      await queue.close();
      await redis.quit();
    }
  };
}

/** Job states asked per poll: the oldest open jobs (workers take them in order), so a poll costs the same at any run size. */
const STATES_PER_POLL = 50;

async function waitForJobs(queue: Queue<EvalJob>, store: RunStore, runId: string, ids: string[], total: number, input: ExecuteInput, ctx: Ctx, pollMs: number): Promise<ExecuteResult> {
  // In enqueue order; a job is dropped once done. Only the first STATES_PER_POLL are asked each
  // time: the run is done when none is left, so a job done out of order is found when its turn comes.
  let open = [...ids];
  const failures: string[] = [];
  let wait = true;
  while (open.length > 0 && !ctx.signal.aborted) {
    // A head found all done is followed at once by the next (a resumed run's ranges end quickly).
    if (wait) await new Promise((r) => setTimeout(r, pollMs));
    const head = open.slice(0, STATES_PER_POLL);
    const states = await Promise.all(head.map(async (id) => [id, await queue.getJobState(id)] as const));
    const gone = new Set<string>();
    for (const [id, state] of states) {
      if (state === 'unknown' || state === 'completed') gone.add(id);
      else if (state === 'failed') {
        const job = await Job.fromId(queue, id);
        failures.push(`${id}: ${job?.failedReason ?? 'failed'}`);
        gone.add(id);
      }
    }
    if (gone.size) open = open.filter((id) => !gone.has(id));
    wait = gone.size < head.length;
    if (!wait && open.length > 0) continue;
    input.onProgress?.({ done: await store.countAnswered(runId), total, errors: 0, cached: 0 });
  }
  const answered = await store.countAnswered(runId);
  if (failures.length) ctx.log.error({ run: runId, failures: failures.slice(0, 5) }, 'queue jobs failed after their retries');
  return { answered, errors: total - answered, cached: 0, requests: 0, stopped: ctx.signal.aborted || failures.length > 0 };
}

export interface WorkerDeps {
  store: RunStore;
  /** The configured target, settings and judge for a job's target id. */
  resolve(target: string): Pick<ExecuteInput, 'target' | 'settings' | 'judge'>;
}

/** A BullMQ worker answering eval jobs into the store; `close()` lets running jobs finish, then quits Redis. */
export function startEvalWorker(url: string, deps: WorkerDeps, ctx: Ctx, opts: { concurrency?: number; lockMs?: number } = {}): { worker: Worker<EvalJob>; close(): Promise<void> } {
  const lockMs = opts.lockMs ?? LOCK_MS;
  const redis = redisClient(url);
  // A target's rpm/tpm hold over all workers: one limiter per target whose clock lives in Redis (on a client of its own: BullMQ blocks on its connections).
  let limiterRedis: Redis | null = null;
  const limiters = new Map<string, SharedRateLimiter>();
  const limiterFor = (target: string, settings: ExecuteInput['settings']): SharedRateLimiter | undefined => {
    if (settings.rpm === undefined && settings.tpm === undefined) return undefined;
    let l = limiters.get(target);
    if (!l) {
      limiterRedis ??= redisClient(url);
      l = new SharedRateLimiter(limiterRedis, { prefix: QUEUE_NAME, target, limits: { rpm: settings.rpm, tpm: settings.tpm } });
      limiters.set(target, l);
    }
    return l;
  };
  const worker = new Worker<EvalJob>(
    QUEUE_NAME,
    async (job) => {
      const d = job.data;
      const t = deps.resolve(d.target);
      const res = await executeRun(
        { store: deps.store, runId: d.runId, ...t, concurrency: d.concurrency, seed: d.seed, cache: d.cache, seqFrom: d.from, seqTo: d.to, commitCache: false, limiter: limiterFor(d.target, t.settings) },
        { ...ctx, runId: d.runId },
      );
      return { answered: res.answered, errors: res.errors };
    },
    { connection: redis, concurrency: opts.concurrency ?? 1, lockDuration: lockMs, stalledInterval: Math.max(1000, Math.floor(lockMs / 2)), maxStalledCount: 3 },
  );
  return {
    worker,
    async close() {
      await worker.close();
      redis.disconnect();
      limiterRedis?.disconnect();
    },
  };
}
