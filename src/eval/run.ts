import { PillarsError, UserError } from '../core/errors.js';
import type { Tracing } from '../core/trace.js';
import type { GateResult, ReportData } from '../core/report.js';
import type { Ctx, Item, Target } from '../core/types.js';
import { newRunId, type RunRow, type RunStore, type StoredItem } from '../store/runs.js';
import type { TargetSettings } from '../targets/index.js';
import type { JudgePipelineLike } from './assertion-judge.js';
import { evaluateGates, type GateProvider, type GateSpec } from './gates.js';
import { claimOrRefuse, createLease, type RunLease } from './lease.js';
import { buildReport, type ReportOptions } from './load-report.js';
import type { RetryPolicy } from './retry.js';
import { executeRun, type ExecuteResult, type Progress } from './runner.js';

/**
 * `runEval`: one target over one or more suites. Stores every item first (in order, so the run can
 * be resumed from the store alone), executes, then builds the report from the store and applies
 * the gates (the configured ones and any `extraGates` providers, e.g. the frontier release gate).
 */

export interface SuiteLike {
  id: string;
  path: string;
  count: number;
  items(): AsyncIterable<Item>;
}

export interface RunEvalOptions {
  store: RunStore;
  target: Target;
  /** The target's configuration, recorded with the run (no secrets: keys are named by apiKeyEnv). */
  targetConfig?: Record<string, unknown>;
  settings?: TargetSettings;
  /** Suites for a new run (ignored when resuming a run whose items are stored). */
  suites?: SuiteLike[];
  /** Resume this run (an id, or `last`). */
  resume?: string;
  judge: JudgePipelineLike;
  /** Name and options of the judges, recorded with the run. */
  judgeInfo?: unknown;
  tier?: 'quick' | 'full';
  seed?: number;
  concurrency?: number;
  cache?: boolean;
  gates?: GateSpec[];
  extraGates?: GateProvider[];
  /** Called once before the run (fail fast on an unreachable target). */
  probe?: (ctx: Ctx) => Promise<void>;
  /** Stop after this many answered items (leaves the run resumable). */
  stopAfter?: number;
  retry?: Partial<RetryPolicy>;
  onProgress?: (p: Progress) => void;
  /** Called once the run id is known (before any request). */
  onStart?: (run: RunRow) => void;
  /** More components to record with the run (e.g. the policy pack). */
  components?: Record<string, unknown>;
  report?: ReportOptions;
  /** Traces of the run (core/trace.ts); off unless given. */
  tracing?: Tracing;
  /** Who answers the items: this process (`executeRun`, the default) or workers on a queue (eval/queue.ts). */
  execute?: typeof executeRun;
}

export interface RunEvalResult {
  runId: string;
  report: ReportData;
  status: RunRow['status'];
  execution: ExecuteResult;
  gatesPassed: boolean;
}

const BATCH = 1000;

async function storeItems(store: RunStore, runId: string, suites: SuiteLike[], samples: number): Promise<number> {
  let seq = 0;
  let batch: StoredItem[] = [];
  for (const suite of suites) {
    for await (const item of suite.items()) {
      for (let s = 0; s < samples; s++) {
        batch.push({ seq: seq++, sample: s, suite: suite.id, item });
        if (batch.length >= BATCH) {
          await store.appendItems(runId, batch);
          batch = [];
        }
      }
    }
  }
  if (batch.length) await store.appendItems(runId, batch);
  await store.sealItems(runId, seq);
  return seq;
}

export async function runEval(opts: RunEvalOptions, ctx: Ctx): Promise<RunEvalResult> {
  const { store } = opts;
  // A damaged store is found before any request, not as a wrong report at the end.
  await store.checkIntegrity();
  const lease = createLease(store, { log: ctx.log });
  let runId: string | null = null;
  let executing = false;
  try {
    return await runLeased(opts, lease, ctx, (id) => (runId = id), () => (executing = true));
  } catch (e) {
    // The run stops here: say how (a run stopped before its requests started can be resumed).
    if (runId !== null) {
      const cur = await store.getRun(runId);
      if (cur && cur.owner === lease.owner && (cur.status === 'running' || cur.status === 'preparing')) {
        await store.setStatus(runId, ctx.signal.aborted || !executing ? 'interrupted' : 'failed', new Date().toISOString());
      }
    }
    throw e;
  } finally {
    lease.stop();
  }
}

async function runLeased(opts: RunEvalOptions, lease: RunLease, ctx: Ctx, claimed: (id: string) => void, executing: () => void): Promise<RunEvalResult> {
  const { store, target } = opts;
  const settings = opts.settings ?? {};
  const samples = settings.samples ?? 1;
  const concurrency = opts.concurrency ?? 8;
  const cache = opts.cache ?? true;
  let run: RunRow;

  if (opts.resume) {
    run = await store.resolveRun(opts.resume);
    if (run.target !== target.id) {
      throw new UserError(`run ${run.id} evaluated target "${run.target}", not "${target.id}": resume it with --target ${run.target}`, { code: 'usage' });
    }
    if (run.target_fingerprint !== target.fingerprint) {
      ctx.log.warn({ run: run.id, was: run.target_fingerprint, now: target.fingerprint }, 'the target settings changed since this run started');
    }
    // The run lock: a second process resuming the same run refuses here, before asking anything.
    await claimOrRefuse(store, run.id, lease);
    claimed(run.id);
    await opts.probe?.(ctx);
    if (run.item_count === null) {
      if (!opts.suites) throw new PillarsError(`run ${run.id} was killed before its items were stored; start a new run`, { code: 'usage', exitCode: 2 });
      await store.deleteRun(run.id);
      await store.createRun({ ...run, status: 'preparing', owner: lease.owner });
      await storeItems(store, run.id, opts.suites, run.samples);
      await store.setStatus(run.id, 'running', null);
    }
    run = (await store.getRun(run.id))!;
  } else {
    if (!opts.suites?.length) throw new UserError('nothing to evaluate: no suites given', { code: 'usage' });
    await opts.probe?.(ctx);
    const now = new Date().toISOString();
    const id = newRunId();
    const tier = opts.tier ?? 'quick';
    const seed = opts.seed ?? 0;
    await store.createRun({
      id,
      created_at: now,
      started_at: now,
      status: 'preparing',
      target: target.id,
      target_fingerprint: target.fingerprint,
      suites: opts.suites.map((s) => s.id),
      tier,
      seed,
      samples,
      owner: lease.owner,
      config: {
        target: opts.targetConfig ?? { id: target.id, fingerprint: target.fingerprint },
        suites: opts.suites.map((s) => ({ id: s.id, path: s.path, count: s.count })),
        judges: opts.judgeInfo ?? null,
        tier,
        seed,
        samples,
        concurrency,
        cache,
        gates: opts.gates ?? [],
        ...opts.components,
      },
    });
    claimed(id);
    lease.hold(id);
    await storeItems(store, id, opts.suites, samples);
    await store.setStatus(id, 'running');
    run = (await store.getRun(id))!;
  }
  opts.onStart?.(run);

  executing();
  const execution: ExecuteResult = await (opts.execute ?? executeRun)(
    { store, runId: run.id, target, settings, judge: opts.judge, concurrency, seed: run.seed, cache, stopAfter: opts.stopAfter, retry: opts.retry, onProgress: opts.onProgress, tracing: opts.tracing },
    ctx,
  );
  // Stopped after the last answer came in (e.g. Ctrl-C while writing the report) still counts as done.
  const unfinished = execution.stopped && (await store.countAnswered(run.id)) < (run.item_count ?? 0);
  const status: RunRow['status'] = unfinished ? 'interrupted' : 'done';
  await store.setStatus(run.id, status, new Date().toISOString());

  // Large runs list only failing items (at most 50,000) so building the report stays within memory.
  const big = (run.item_count ?? 0) > 50_000;
  const report = await buildReport(store, run.id, opts.report ?? (big ? { items: 'failing', maxItems: 50_000 } : { items: 'all' }));
  const gates: GateResult[] = evaluateGates(opts.gates ?? [], report.metrics);
  for (const provider of opts.extraGates ?? []) gates.push(...(await provider(report)));
  await store.setGates(run.id, gates);
  report.gates = gates;
  return { runId: run.id, report, status, execution, gatesPassed: gates.every((g) => g.passed) };
}
