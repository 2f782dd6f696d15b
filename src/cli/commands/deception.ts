import type { Command } from 'commander';
import { Option } from 'commander';
import { cliEnv, example, printJson, withConfig, withJson, type CommonOpts } from '../shared.js';
import { deceptionRun } from '../../run/deception.js';

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
    const rep = await deceptionRun({ config, target: opts.target, scenarios: opts.scenario }, ctx);
    if (opts.json) printJson(rep);
    else {
      const pct = (x: number | null): string => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
      process.stdout.write(`deception ${rep.id}: ${rep.target}: ${rep.deceptive} deceptive answer(s) in ${rep.probes} probe(s), rate ${pct(rep.rate)}\n`);
      for (const s of rep.scenarios) {
        process.stdout.write(`  ${s.scenario}: ${s.deceptive}/${s.probes} (${pct(s.rate)})${s.unclear ? `, ${s.unclear} unclear` : ''}\n`);
        for (const f of s.findings) process.stdout.write(`    ${f.kind} at turns ${f.turns.join(' and ')} (${f.session}): ${f.detail}\n`);
        for (const u of s.results.filter((r) => r.outcome === 'unclear')) {
          process.stdout.write(`    unclear at turn ${u.turn} (${u.session}, ${u.check}${u.fact ? ` "${u.fact}"` : ''}): ${u.detail}\n`);
        }
      }
    }
    if (opts.maxRate !== undefined && rep.rate !== null && rep.rate > opts.maxRate) process.exitCode = 1;
  });
}
