import { resolve } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { section } from '../config/load.js';
import { UserError } from '../core/errors.js';
import type { Ctx, Target } from '../core/types.js';
import { openSuite, type Suite } from '../datasets/index.js';
import { createAssertionJudge, phraseRefusal, withAssertions, type JudgePipelineLike } from '../eval/assertion-judge.js';
import { loadEvalSection, type EvalSection } from '../eval/config.js';
import { loadGates, type GateSpec } from '../eval/gates.js';
import { classifyRefusal, createJudgePipeline, engineProvider, JudgesConfig } from '../judges/index.js';
import type { ConfiguredGuard } from '../guard/config.js';
import type { PolicyPack } from '../policy/schema.js';
import type { Db } from '../store/db.js';
import { openStore, type OpenStore } from '../store/open.js';
import type { RunStore } from '../store/runs.js';
import { createTarget, looksLikeShorthand, parseTargetShorthand, probeTarget, publicConfig, settingsOf, SHORTHAND_PROVIDERS, targetConfigs, type TargetConfig } from '../targets/index.js';
import { wire } from './wiring.js';

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
  /** The SQLite handle for features not yet on PostgreSQL (null when `store:` is a postgres:// URL). */
  db: Db | null;
  store: RunStore;
  /** The open store (backend, location). */
  storeHandle: OpenStore;
  /** `--base-url` for `--target PROVIDER:MODEL` shorthands. */
  baseUrl?: string;
  close(): Promise<void>;
}

export async function prepareEval(config: LoadedConfig, opts: { judge?: 'pipeline' | 'assertion'; baseUrl?: string } = {}): Promise<EvalEnv> {
  const ev = loadEvalSection(config);
  const gates = loadGates(config);
  const judgesSpec = config.raw.judges === undefined ? JudgesConfig.parse({}) : section(config, 'judges', JudgesConfig);
  const cfgList = targetConfigs(config);
  const targetCfgs = new Map(cfgList.map((c) => [c.id, c]));
  const { pack, guard, targets, judgeModel } = wire(config);
  const kind = opts.judge ?? ev.judge;
  const inner = kind === 'assertion' ? createAssertionJudge() : createJudgePipeline({ spec: judgesSpec, targets, pack, model: judgeModel() });
  const judgeInfo = kind === 'assertion' ? { name: 'assertion' } : { name: 'pipeline', ...(inner as ReturnType<typeof createJudgePipeline>).describe(), spec: judgesSpec };
  // Items with `assert:` are decided by their assertions (is-refusal reads with the same refusal judge).
  const engine = engineProvider(judgeModel());
  const judge = withAssertions(inner, {
    refusal: async (response) => (kind === 'assertion' ? phraseRefusal(response) : classifyRefusal(await engine(), response, judgesSpec.unsure)),
    rubricTarget: (id) => {
      const ref = id ?? judgesSpec.llm?.target;
      if (!ref) return undefined;
      if (targets.has(ref) || !looksLikeShorthand(ref)) return targets.get(ref);
      try {
        return requireTarget(env, ref).target;
      } catch {
        return undefined;
      }
    },
  });
  const opened = await openStore(config.storePath);
  const env: EvalEnv = {
    config,
    section: ev,
    gates,
    pack,
    guard,
    targetCfgs,
    targets,
    judge,
    judgeInfo,
    db: opened.db,
    store: opened.runs,
    storeHandle: opened,
    baseUrl: opts.baseUrl,
    async close() {
      for (const t of targets.values()) await t.close?.();
      await opened.close();
    },
  };
  return env;
}

export function requireTarget(env: EvalEnv, id: string): { target: Target; cfg: TargetConfig } {
  if (!env.targets.has(id) && looksLikeShorthand(id)) addShorthandTarget(env, id);
  const target = env.targets.get(id);
  const cfg = env.targetCfgs.get(id);
  if (!target || !cfg) {
    throw new UserError(`--target: no target "${id}" (configured: ${[...env.targets.keys()].join(', ')}; or PROVIDER:MODEL with ${SHORTHAND_PROVIDERS.map((p) => `${p}:`).join(', ')})`, { code: 'usage' });
  }
  return { target, cfg };
}

/** `--target PROVIDER:MODEL` (src/targets/shorthand.ts): a target built from the reference alone, no config needed. */
function addShorthandTarget(env: EvalEnv, ref: string): void {
  const cfg = parseTargetShorthand(ref, { baseUrl: env.baseUrl, env: process.env, cwd: process.cwd() });
  const target = createTarget(cfg, {
    resolve: (p) => resolve(process.cwd(), p),
    lookup: (id) => requireTarget(env, id).target,
  });
  env.targetCfgs.set(ref, cfg);
  env.targets.set(ref, target);
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
