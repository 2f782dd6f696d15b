import { join } from 'node:path';
import { UserError } from '../core/errors.js';
import { tracingFromEnv } from '../core/trace.js';
import type { Ctx } from '../core/types.js';
import type { GateProvider } from '../eval/gates.js';
import { createProgress } from '../eval/progress.js';
import { queueExecutor } from '../eval/queue.js';
import { runEval, type RunEvalResult } from '../eval/run.js';
import type { Candidate } from '../eval/select-checkpoint.js';
import { checkpointTarget, loadWatchSection, watchCheckpoints } from '../eval/watch.js';
import { writeReports, type ReportFormat } from '../reports/index.js';
import { configSuiteRefs, openSuites, probeFor, reportsDir, requireTarget, settingsFor, targetRecord, type EvalEnv } from './eval-env.js';

export interface EvalOneResult {
  result: RunEvalResult;
  written: string[];
  outDir: string | null;
}

/** Evaluate one target (new run or resumed) and write its reports. */
export async function evalOne(
  env: EvalEnv,
  input: { targetId: string; suiteRefs: string[]; tier: 'quick' | 'full'; concurrency: number; seed: number; cache: boolean; resume?: string; skipInvalid?: boolean; stopAfter?: number; outDir?: string | null; formats: ReportFormat[]; quiet?: boolean; extraGates: GateProvider[]; queue?: string },
  ctx: Ctx,
): Promise<EvalOneResult> {
  const { target } = requireTarget(env, input.targetId);
  const log = (s: string): void => void process.stderr.write(`${s}\n`);
  const suites = input.resume ? undefined : await openSuites(env, input.suiteRefs, { tier: input.tier, skipInvalid: input.skipInvalid, log });
  let progress: ReturnType<typeof createProgress> | null = null;
  // OpenTelemetry traces when OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT or PILLARS_OTLP_ENDPOINT is set (TRACEPARENT: the parent).
  const tracing = tracingFromEnv('pillars-eval');
  const result = await runEval(
    {
      store: env.store,
      target,
      targetConfig: targetRecord(env, input.targetId),
      settings: settingsFor(env, input.targetId),
      suites,
      resume: input.resume,
      judge: env.judge,
      judgeInfo: env.judgeInfo,
      tier: input.tier,
      seed: input.seed,
      concurrency: input.concurrency,
      cache: input.cache,
      gates: env.gates,
      extraGates: input.extraGates,
      probe: probeFor(env, target),
      stopAfter: input.stopAfter,
      components: { policy: { id: env.pack.id, version: env.pack.version, path: env.config.policyPath } },
      onStart: (run) => {
        progress = createProgress({ label: `${target.id} ${run.id}`, quiet: input.quiet });
      },
      onProgress: (p) => progress?.update(p),
      tracing,
      // --queue: workers (`pillars worker`) answer the items; this process stores, waits and reports.
      execute: input.queue ? queueExecutor(input.queue, { target: input.targetId }) : undefined,
    },
    ctx,
  ).finally(() => tracing.shutdown());
  (progress as ReturnType<typeof createProgress> | null)?.end();
  const outDir = input.outDir === null ? null : (input.outDir ?? join(reportsDir(env), result.runId));
  // Items carry their policy's regulations, so the report's Regulations column and filter are filled now, not only by a later `pillars report`.
  const regulations = new Map(env.pack.policies.map((p) => [p.id, p.regulations]));
  const written = outDir ? await writeReports({ data: result.report, outDir, formats: input.formats, regulations }) : [];
  return { result, written, outDir };
}

export interface EvalTargetsInput {
  /** Target ids or PROVIDER:MODEL references (default: eval.targets). */
  targets?: string[];
  /** Suites (default: eval.suites). */
  suites?: string[];
  tier?: 'quick' | 'full';
  concurrency?: number;
  seed?: number;
  /** false: do not answer from the response cache. */
  cache?: boolean;
  /** A run id (or `last`) to finish instead of starting new runs. */
  resume?: string;
  skipInvalid?: boolean;
  /** Stop after this many answered items (the run stays resumable). */
  stopAfter?: number;
  /** Reports folder (a sub-folder per target when there are several; default: the store's reports folder). */
  out?: string;
  /** Default: eval.formats. */
  formats?: ReportFormat[];
  quiet?: boolean;
  extraGates?: GateProvider[];
  /** redis:// URL: enqueue the items for `pillars worker` processes instead of answering them here. */
  queue?: string;
}

export interface TargetEvalOutcome extends EvalOneResult {
  target: string;
}

/**
 * `pillars eval`: evaluate each target on the suites (or finish one stopped run), writing reports;
 * `onResult` is called as each target finishes. Resolves every target first, so a typo fails
 * before any request.
 */
export async function evalTargets(env: EvalEnv, input: EvalTargetsInput, ctx: Ctx, onResult?: (o: TargetEvalOutcome) => void): Promise<TargetEvalOutcome[]> {
  const ev = env.section;
  let targets = input.targets?.length ? input.targets : ev.targets;
  let resume = input.resume;
  if (resume) {
    const run = await env.store.resolveRun(resume);
    if (input.targets && input.targets.length > 1) throw new UserError('a resumed run has one target: give at most one target', { code: 'usage', option: 'resume' });
    if (run.status === 'done') {
      throw new UserError(`run ${run.id} (target ${run.target}) already finished${run.finished_at ? ` at ${run.finished_at}` : ''}; nothing to resume. Its reports again: pillars report ${run.id}; a fresh run: pillars eval --target ${run.target}`, { code: 'usage', option: `resume ${resume}` });
    }
    targets = [run.target];
    resume = run.id;
  }
  for (const t of targets) requireTarget(env, t);
  const formats = input.formats?.length ? input.formats : (ev.formats as ReportFormat[]);
  const out: TargetEvalOutcome[] = [];
  for (const t of targets) {
    const outDir = input.out ? (targets.length > 1 ? join(env.config.resolve(input.out), t.replace(/[^A-Za-z0-9_.@-]+/g, '_')) : env.config.resolve(input.out)) : undefined;
    const r = await evalOne(
      env,
      {
        targetId: t,
        suiteRefs: input.suites?.length ? input.suites : configSuiteRefs(env),
        tier: input.tier ?? ev.tier,
        concurrency: input.concurrency ?? ev.concurrency,
        seed: input.seed ?? ev.seed,
        cache: input.cache !== false && ev.cache,
        resume,
        skipInvalid: input.skipInvalid,
        stopAfter: input.stopAfter,
        outDir,
        formats,
        quiet: input.quiet,
        extraGates: input.extraGates ?? [],
        queue: input.queue,
      },
      ctx,
    );
    const o = { target: t, ...r };
    out.push(o);
    onResult?.(o);
  }
  return out;
}

export interface WatchRunInput {
  /** The folder new checkpoint folders appear in (relative to the config's folder). */
  dir: string;
  suites?: string[];
  tier?: 'quick' | 'full';
  concurrency?: number;
  seed?: number;
}

export interface WatchHooks {
  onReady?: (existing: string[]) => void;
  onError?: (name: string, e: unknown) => void;
  onResult?: (name: string, result: RunEvalResult, ms: number) => void;
}

/** `pillars eval --watch`: one run per new checkpoint folder (through watch.template) until the signal aborts; returns the candidates evaluated. */
export async function watchRun(env: EvalEnv, input: WatchRunInput, ctx: Ctx, hooks: WatchHooks = {}): Promise<Candidate[]> {
  const ev = env.section;
  const { config } = env;
  const settings = loadWatchSection(config);
  const candidates: Candidate[] = [];
  await watchCheckpoints({
    dir: config.resolve(input.dir),
    settings,
    signal: ctx.signal,
    onReady: (existing) => hooks.onReady?.(existing),
    onError: (name, e) => hooks.onError?.(name, e),
    onCheckpoint: async (name, path) => {
      const { cfg, target } = checkpointTarget(settings, name, path, config);
      env.targetCfgs.set(cfg.id, cfg);
      env.targets.set(cfg.id, target);
      const t0 = performance.now();
      const { result } = await evalOne(
        env,
        { targetId: cfg.id, suiteRefs: input.suites?.length ? input.suites : configSuiteRefs(env), tier: input.tier ?? ev.tier, concurrency: input.concurrency ?? ev.concurrency, seed: input.seed ?? ev.seed, cache: false, outDir: null, formats: [], quiet: true, extraGates: [] },
        ctx,
      );
      candidates.push({ target: cfg.id, runId: result.runId, report: result.report });
      hooks.onResult?.(name, result, performance.now() - t0);
    },
  });
  return candidates;
}
