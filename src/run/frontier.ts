import type { LoadedConfig } from '../config/load.js';
import { UserError } from '../core/errors.js';
import type { Ctx } from '../core/types.js';
import type { GateProvider } from '../eval/gates.js';
import { frontierDomains, frontierGates, frontierSection, runFrontier, type FrontierRunOutput } from '../frontier/index.js';
import type { EvalEnv } from './eval-env.js';
import { openFeatureEnv } from './feature-env.js';

export interface FrontierRunInput {
  config: LoadedConfig;
  target: string;
  modelVersion?: string;
  /** Only these domains (each must be configured). */
  domains?: string[];
  concurrency: number;
}

/** Score the target on each configured domain; results and review cases go to the store. */
export async function frontierRun(input: FrontierRunInput, ctx: Ctx): Promise<FrontierRunOutput> {
  let domains = frontierDomains(input.config);
  if (input.domains?.length) {
    const unknown = input.domains.filter((d) => !domains.some((x) => x.domain === d));
    if (unknown.length) throw new UserError(`not configured (domains: ${domains.map((d) => d.domain).join(', ')})`, { option: `domain ${unknown.join(', ')}` });
    domains = domains.filter((d) => input.domains!.includes(d.domain));
  }
  const env = openFeatureEnv(input.config);
  try {
    const target = env.target(input.target);
    // Results and cases go to the configured store, SQLite or PostgreSQL.
    const store = await env.store();
    return await runFrontier({ target, domains, store: store.frontier, modelVersion: input.modelVersion, concurrency: Math.max(1, input.concurrency) }, ctx);
  } finally {
    await env.close();
  }
}

/**
 * The frontier release gate for `pillars eval`: fails while a domain of the evaluated target is over
 * threshold and its review case is open or rejected (passes once approved for that model version).
 * It also adds `sections.frontier` (scores, thresholds, cases) to the eval's report.
 */
export function frontierGateProvider(env: EvalEnv): GateProvider | null {
  // The eval's store holds the frontier results and cases, on either backend.
  const store = env.storeHandle.frontier;
  return async (report) => {
    const sec = await frontierSection(store, report.run.target);
    if (sec) report.sections = { ...(report.sections ?? {}), frontier: sec };
    return frontierGates(store, report.run.target);
  };
}
