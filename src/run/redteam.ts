import type { LoadedConfig } from '../config/load.js';
import { UserError } from '../core/errors.js';
import type { Ctx, Item } from '../core/types.js';
import { openSuite } from '../datasets/index.js';
import {
  ADAPTIVE,
  DEFAULT_STRATEGIES,
  defendedTarget,
  loadRedteamConfig,
  redteamReport,
  redteamSection,
  resolveStrategy,
  runRedteam,
  seedsFromItems,
  seedsFromPack,
  type GuardMode,
  type RedteamOptions,
  type RedteamSummary,
  type RetuneKnob,
  type Seed,
} from '../redteam/index.js';
import { writeReports } from '../reports/index.js';
import type { RedteamStore } from '../store/redteam.js';
import { openFeatureEnv } from './feature-env.js';

/** A red-team run: what `pillars redteam run` passes after parsing its flags (unset fields come from `redteam:` in pillars.yaml). */
export interface RedteamRunInput {
  config: LoadedConfig;
  target: string;
  policies?: string[];
  strategies?: string[];
  attacker?: string;
  budget?: number;
  maxTokens?: number;
  maxCost?: number;
  mode?: 'compete' | 'collaborate';
  rounds?: number;
  maxSteps?: number;
  suites?: string[];
  system?: string;
  seeds?: 'pack' | 'suites' | 'both';
  guard?: GuardMode;
  retune?: RetuneKnob[];
  tier?: string;
  /** Also write the run as reports into this folder. */
  outDir?: string;
  formats?: string[];
  onAttempt?: RedteamOptions['onAttempt'];
}

export interface RedteamRunResult {
  summary: RedteamSummary;
  section: ReturnType<typeof redteamSection>;
  /** Report files written (empty without `outDir`). */
  reports: string[];
}

/** The items of suites (built-in names, suite ids or paths), for seeding and deduplication. */
export async function suiteItems(refs: string[], config: LoadedConfig): Promise<Item[]> {
  const out: Item[] = [];
  for (const ref of refs) {
    const s = await openSuite(ref, { config, tier: 'full', skipInvalid: true });
    for await (const it of s.items()) out.push(it);
  }
  return out;
}

/** Write a stored red-team run as reports (with its red-team section). */
export async function writeRedteamReports(store: RedteamStore, runId: string, outDir: string, formats: string[] | undefined): Promise<string[]> {
  return writeReports({ data: redteamReport(await store.getRun(runId), await store.attempts(runId)), outDir, formats });
}

/** Attack a target with the strategies; every attempt is stored with its transcript. */
export async function redteamRun(input: RedteamRunInput, ctx: Ctx): Promise<RedteamRunResult> {
  const { config } = input;
  const rc = loadRedteamConfig(config);
  const env = openFeatureEnv(config);
  try {
    const strategies = input.strategies ?? rc.strategies ?? DEFAULT_STRATEGIES;
    for (const s of strategies) resolveStrategy(s, ADAPTIVE); // fail fast on a bad name
    const target = env.target(input.target);
    if (input.tier !== undefined && !env.pack.tiers.includes(input.tier)) throw new UserError(`the pack has no such tier (${env.pack.tiers.join(', ')})`, { option: `tier ${input.tier}` });
    const attackerId = input.attacker ?? rc.attacker;
    const attacker = attackerId ? env.target(attackerId) : undefined;
    const known = new Set(env.pack.policies.map((p) => p.id));
    for (const p of input.policies ?? []) if (!known.has(p)) throw new UserError(`no such policy in the pack (${[...known].slice(0, 6).join(', ')}, ...)`, { option: `policy ${p}` });
    const suites = input.suites ?? (rc.suites.length === 1 && rc.suites[0] === 'model-breaking' ? ['model-breaking', 'benign'] : rc.suites);
    const seeds: Seed[] = [];
    if (input.seeds !== 'suites') seeds.push(...seedsFromPack(env.pack, { policies: input.policies, perPolicy: rc.seedsPerPolicy }));
    if (input.seeds !== 'pack') {
      const fromSuites = seedsFromItems(await suiteItems(suites, config), env.pack, { policies: input.policies });
      // A few per policy, so every policy is attacked within the budget.
      const per = new Map<string, number>();
      for (const s of fromSuites) {
        const k = s.policy ?? '';
        if ((per.get(k) ?? 0) >= rc.seedsPerPolicy) continue;
        per.set(k, (per.get(k) ?? 0) + 1);
        seeds.push(s);
      }
    }
    if (seeds.length === 0) throw new UserError('no seed goals: check the policies, suites and seed sources');
    const store = await env.store();
    const summary = await runRedteam(
      {
        target,
        judge: env.judge(),
        // A break must violate the policy for what its turn asked: seed goals by their labels, other turns read by the guard.
        pack: env.pack,
        guard: env.guard.guard(),
        tier: input.tier ?? 'public',
        seeds,
        strategies,
        mode: input.mode ?? rc.mode,
        budget: { turns: input.budget ?? rc.budget.turns, tokens: input.maxTokens ?? rc.budget.tokens, money: input.maxCost ?? rc.budget.money, pricePer1kTokens: rc.pricePer1kTokens },
        attacker,
        defender: { system: input.system ?? rc.defender?.system, guard: input.guard ?? rc.defender?.guard ?? 'off' },
        retune: input.retune ?? rc.retune,
        wrapDefender: (t, d) => defendedTarget(t, d, env.guard),
        onAttempt: input.onAttempt,
        rounds: input.rounds ?? rc.rounds,
        maxSteps: input.maxSteps ?? rc.maxSteps,
        store: store.redteam,
        config: { suites: input.seeds === 'pack' ? [] : suites, policies: input.policies ?? [], seeds: input.seeds },
      },
      ctx,
    );
    const reports = input.outDir ? await writeRedteamReports(store.redteam, summary.runId, input.outDir, input.formats) : [];
    return { summary, section: redteamSection(await store.redteam.attempts(summary.runId)), reports };
  } finally {
    await env.close();
  }
}
