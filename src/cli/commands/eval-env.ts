import { resolve } from 'node:path';
import type { LoadedConfig } from '../../config/load.js';
import { section } from '../../config/load.js';
import { UserError } from '../../core/errors.js';
import type { Ctx, Target } from '../../core/types.js';
import { openSuite, type Suite } from '../../datasets/index.js';
import { createAssertionJudge, type JudgePipelineLike } from '../../eval/assertion-judge.js';
import { loadEvalSection, type EvalSection } from '../../eval/config.js';
import { loadGates, type GateSpec } from '../../eval/gates.js';
import { createJudgePipeline, JudgesConfig } from '../../judges/index.js';
import type { ConfiguredGuard } from '../../guard/config.js';
import type { PolicyPack } from '../../policy/schema.js';
import { openDb, type Db } from '../../store/db.js';
import { createRunStore, type SqliteRunStore } from '../../store/runs.js';
import { probeTarget, publicConfig, settingsOf, targetConfigs, type TargetConfig } from '../../targets/index.js';
import { wire } from '../wiring.js';

/**
 * What `pillars eval` and `pillars select-checkpoint` share: configuration sections, the policy
 * pack, the configured guard (one, loaded on demand, shared by `guard` targets, `guard: true`
 * compositions and the judges' classifier), targets, judges, suites and the store.
 */

export interface EvalEnv {
  config: LoadedConfig;
  section: EvalSection;
  gates: GateSpec[];
  pack: PolicyPack;
  guard: ConfiguredGuard;
  targetCfgs: Map<string, TargetConfig>;
  targets: Map<string, Target>;
  judge: JudgePipelineLike;
  judgeInfo: unknown;
  db: Db;
  store: SqliteRunStore;
  close(): Promise<void>;
}

export async function prepareEval(config: LoadedConfig, opts: { judge?: 'pipeline' | 'assertion' } = {}): Promise<EvalEnv> {
  const ev = loadEvalSection(config);
  const gates = loadGates(config);
  const judgesSpec = config.raw.judges === undefined ? JudgesConfig.parse({}) : section(config, 'judges', JudgesConfig);
  const cfgList = targetConfigs(config);
  const targetCfgs = new Map(cfgList.map((c) => [c.id, c]));
  const { pack, guard, targets, judgeModel } = wire(config);
  const kind = opts.judge ?? ev.judge;
  const judge = kind === 'assertion' ? createAssertionJudge() : createJudgePipeline({ spec: judgesSpec, targets, pack, model: judgeModel() });
  const judgeInfo = kind === 'assertion' ? { name: 'assertion' } : { name: 'pipeline', ...(judge as ReturnType<typeof createJudgePipeline>).describe(), spec: judgesSpec };
  const db = openDb(config.storePath);
  return {
    config,
    section: ev,
    gates,
    pack,
    guard,
    targetCfgs,
    targets,
    judge,
    judgeInfo,
    db,
    store: createRunStore(db),
    async close() {
      for (const t of targets.values()) await t.close?.();
      db.close();
    },
  };
}

export function requireTarget(env: EvalEnv, id: string): { target: Target; cfg: TargetConfig } {
  const target = env.targets.get(id);
  const cfg = env.targetCfgs.get(id);
  if (!target || !cfg) throw new UserError(`--target: no target "${id}" (configured: ${[...env.targets.keys()].join(', ')})`, { code: 'usage' });
  return { target, cfg };
}

export async function openSuites(env: EvalEnv, refs: string[], opts: { tier: 'quick' | 'full'; skipInvalid?: boolean; log?: (s: string) => void }): Promise<Suite[]> {
  const out: Suite[] = [];
  for (const ref of refs) {
    const s = await openSuite(ref, { config: env.config, tier: opts.tier, skipInvalid: opts.skipInvalid });
    if (s.skipped) opts.log?.(`${s.id}: skipped ${s.skipped} invalid row(s) (--skip-invalid)`);
    out.push(s);
  }
  return out;
}

/** Suite refs written in pillars.yaml (eval.suites) that are paths resolve against the file's folder. */
export function configSuiteRefs(env: EvalEnv): string[] {
  return env.section.suites.map((r) => (/[\\/]|\.(jsonl|ndjson|json|csv|tsv|ya?ml)$/i.test(r) ? env.config.resolve(r) : r));
}

export function targetRecord(env: EvalEnv, id: string): Record<string, unknown> {
  const cfg = env.targetCfgs.get(id)!;
  const rec: Record<string, unknown> = publicConfig(cfg);
  if ('wraps' in cfg) rec.wrapped = targetRecord(env, cfg.wraps);
  return rec;
}

export function probeFor(env: EvalEnv, target: Target): (ctx: Ctx) => Promise<void> {
  return (ctx) => probeTarget(target, env.targetCfgs, env.targets, ctx);
}

export function settingsFor(env: EvalEnv, id: string): ReturnType<typeof settingsOf> {
  return settingsOf(env.targetCfgs.get(id)!);
}

export function reportsDir(env: EvalEnv): string {
  return env.section.outDir ? env.config.resolve(env.section.outDir) : resolve(env.config.dir, '.pillars', 'reports');
}
