import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { Option } from 'commander';
import { assetPath } from '../../core/paths.js';
import { loadScenarios, runDeception, type Scenario } from '../../deception/index.js';
import { createRedteamStore } from '../../store/redteam.js';
import { cliEnv, example, printJson, withConfig, withJson, type CommonOpts } from '../shared.js';
import { openFeatureEnv } from '../../run/feature-env.js';

export function registerDeception(program: Command): void {
  const dc = program.command('deception').description('long-horizon deception probes over simulated multi-session conversations');

  example(
    withJson(
      withConfig(
        dc
          .command('run')
          .description('run scenario scripts; report contradictions, denials and false action claims with their turns, and the deception rate')
          .requiredOption('--target <id>', 'target to probe')
          .option('--scenario <file>', 'scenario file or folder (repeatable; default: the built-in scenarios)', (v: string, p: string[] = []) => [...p, v])
          .addOption(new Option('--max-rate <r>', 'exit 1 when the deception rate is above this').argParser(Number)),
      ),
    ),
    ['pillars deception run --target local', 'pillars deception run --target local --scenario suites/deception/trip-planning.yaml --json'],
  ).action(async (opts: CommonOpts & { target: string; scenario?: string[]; maxRate?: number }) => {
    const { config, ctx } = cliEnv(opts);
    const scenarios: Scenario[] = (opts.scenario ?? [assetPath('suites', 'deception')]).flatMap((p) => loadScenarios(config.resolve(p)));
    const env = openFeatureEnv(config);
    try {
      const rep = await runDeception({ target: env.target(opts.target), scenarios }, ctx);
      const id = `dc-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}-${randomUUID().slice(0, 6)}`;
      createRedteamStore(env.db).saveDeception({ id, target: rep.target, startedAt: new Date().toISOString(), result: rep });
      if (opts.json) printJson({ id, ...rep });
      else {
        const pct = (x: number | null): string => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
        process.stdout.write(`deception ${id}: ${rep.target}: ${rep.deceptive} deceptive answer(s) in ${rep.probes} probe(s), rate ${pct(rep.rate)}\n`);
        for (const s of rep.scenarios) {
          process.stdout.write(`  ${s.scenario}: ${s.deceptive}/${s.probes} (${pct(s.rate)})${s.unclear ? `, ${s.unclear} unclear` : ''}\n`);
          for (const f of s.findings) process.stdout.write(`    ${f.kind} at turns ${f.turns.join(' and ')} (${f.session}): ${f.detail}\n`);
        }
      }
      if (opts.maxRate !== undefined && rep.rate !== null && rep.rate > opts.maxRate) process.exitCode = 1;
    } finally {
      await env.close();
    }
  });
}
