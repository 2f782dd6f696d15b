import { join } from 'node:path';
import { tracingFromEnv } from '../core/trace.js';
import type { Ctx } from '../core/types.js';
import type { GateProvider } from '../eval/gates.js';
import { createProgress } from '../eval/progress.js';
import { runEval, type RunEvalResult } from '../eval/run.js';
import { writeReports, type ReportFormat } from '../reports/index.js';
import { openSuites, probeFor, reportsDir, requireTarget, settingsFor, targetRecord, type EvalEnv } from './eval-env.js';

export interface EvalOneResult {
  result: RunEvalResult;
  written: string[];
  outDir: string | null;
}

/** Evaluate one target (new run or resumed) and write its reports. */
export async function evalOne(
  env: EvalEnv,
  input: { targetId: string; suiteRefs: string[]; tier: 'quick' | 'full'; concurrency: number; seed: number; cache: boolean; resume?: string; skipInvalid?: boolean; stopAfter?: number; outDir?: string | null; formats: ReportFormat[]; quiet?: boolean; extraGates: GateProvider[] },
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
