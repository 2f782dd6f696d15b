import { randomUUID } from 'node:crypto';
import type { LoadedConfig } from '../config/load.js';
import { assetPath } from '../core/paths.js';
import type { Ctx } from '../core/types.js';
import { loadScenarios, runDeception, type DeceptionReport, type Scenario } from '../deception/index.js';
import { openFeatureEnv } from './feature-env.js';

export interface DeceptionRunInput {
  config: LoadedConfig;
  target: string;
  /** Scenario files or folders (relative to the config's folder; default: the built-in scenarios). */
  scenarios?: string[];
}

/** Run the deception scenarios against a target and keep the result in the store under a new id. */
export async function deceptionRun(input: DeceptionRunInput, ctx: Ctx): Promise<DeceptionReport & { id: string }> {
  const { config } = input;
  const scenarios: Scenario[] = (input.scenarios ?? [assetPath('suites', 'deception')]).flatMap((p) => loadScenarios(config.resolve(p)));
  const env = openFeatureEnv(config);
  try {
    const rep = await runDeception({ target: env.target(input.target), scenarios }, ctx);
    const id = `dc-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}-${randomUUID().slice(0, 6)}`;
    await (await env.store()).redteam.saveDeception({ id, target: rep.target, startedAt: new Date().toISOString(), result: rep });
    return { id, ...rep };
  } finally {
    await env.close();
  }
}
