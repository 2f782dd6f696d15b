import type { LoadedConfig } from '../config/load.js';
import { section } from '../config/load.js';
import { UserError } from '../core/errors.js';
import type { Target } from '../core/types.js';
import type { ConfiguredGuard } from '../guard/config.js';
import { createJudgePipeline, JudgesConfig } from '../judges/index.js';
import type { PolicyPack } from '../policy/schema.js';
import type { JudgeFn } from '../redteam/index.js';
import { openStore, type OpenStore } from '../store/open.js';
import { wire } from './wiring.js';

/** What the red-team, deception and frontier commands share: targets, pack, the configured guard, judge, store. */
export interface FeatureEnv {
  pack: PolicyPack;
  /** The one guard of pillars.yaml: the defender's, and that of `guard` targets and compositions. */
  guard: ConfiguredGuard;
  targets: Map<string, Target>;
  /** The configured store (SQLite or PostgreSQL), opened on first use and closed with the env. */
  store(): Promise<OpenStore>;
  target(id: string): Target;
  judge(): JudgeFn;
  close(): Promise<void>;
}

/** A configured target by id, or a clear error naming the configured ones. */
export function configuredTarget(targets: Map<string, Target>, id: string): Target {
  const t = targets.get(id);
  if (!t) throw new UserError(`unknown target "${id}" (configured: ${[...targets.keys()].join(', ')})`, { code: 'config' });
  return t;
}

export function openFeatureEnv(config: LoadedConfig): FeatureEnv {
  const { pack, guard, targets, judgeModel } = wire(config);
  let store: Promise<OpenStore> | null = null;
  return {
    pack,
    guard,
    targets,
    store: () => (store ??= openStore(config.storePath)),
    target: (id) => configuredTarget(targets, id),
    judge() {
      const spec = config.raw.judges === undefined ? undefined : section(config, 'judges', JudgesConfig);
      const p = createJudgePipeline({ spec, targets, pack, model: judgeModel() });
      return async (input, ctx) => (await p.judge(input, ctx)).final;
    },
    async close() {
      for (const t of targets.values()) await t.close?.();
      const s = store;
      store = null;
      if (s) await (await s.catch(() => null))?.close();
    },
  };
}

