import { loadDefaultModel, loadModelCached, type LinearModel } from '../classifier/index.js';
import type { LoadedConfig } from '../config/load.js';
import type { Target } from '../core/types.js';
import { configuredGuard, guardSettings, type ConfiguredGuard } from '../guard/config.js';
import { loadPack } from '../policy/load.js';
import type { PolicyPack } from '../policy/schema.js';
import { buildTargets } from '../targets/index.js';

/**
 * What a command that uses the guard wires once from pillars.yaml: the pack, the ONE guard of the
 * `guard:` section, and the targets, whose `guard` targets and `guard: true` compositions use that
 * same guard (and whose models the guard's cascade may call). `pillars serve`, `guard classify`,
 * `guard bench`, `eval`, `select-checkpoint`, `redteam`, `deception` and `frontier` all start here,
 * so for the same text they all reach the same decision.
 */
export interface Wiring {
  config: LoadedConfig;
  pack: PolicyPack;
  /** The configured guard (the model loads on first use). */
  guard: ConfiguredGuard;
  /** Every configured target by id, constructed lazily. */
  targets: Map<string, Target>;
  /**
   * The classifier the judges read responses with: the guard's model when `guard.model` names one,
   * else undefined (the judges then load the shipped model, which is also the guard's).
   */
  judgeModel(): LinearModel | undefined;
}

export function wire(config: LoadedConfig, opts: { pack?: PolicyPack; stage2Default?: boolean } = {}): Wiring {
  const pack = opts.pack ?? loadPack(config.policyPath).pack;
  // The guard's cascade may call a configured target; the targets' guard is this guard.
  const guard = configuredGuard(config, { pack, targets: () => targets, stage2Default: opts.stage2Default });
  const targets: Map<string, Target> = buildTargets({ config, pack, guard });
  return {
    config,
    pack,
    guard,
    targets,
    judgeModel: () => (guard.settings.modelPath ? loadModelCached(guard.settings.modelPath) : undefined),
  };
}

/**
 * The classifier of the configured guard (`guard.model`, else the shipped model), for commands
 * that read texts with the classifier directly (`judge`, `data contextualize`, `probe sparse`).
 */
export function guardModel(config: LoadedConfig): LinearModel {
  const { modelPath } = guardSettings(config);
  return modelPath ? loadModelCached(modelPath) : loadDefaultModel();
}

/** The same, or undefined for the shipped model (the judges load it themselves, on first use). */
export function customGuardModel(config: LoadedConfig): LinearModel | undefined {
  const { modelPath } = guardSettings(config);
  return modelPath ? loadModelCached(modelPath) : undefined;
}
