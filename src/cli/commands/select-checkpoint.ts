import { Option, type Command } from 'commander';
import { cliEnv, example, intOption, printJson, withConfig, withJson, type CommonOpts } from '../shared.js';
import { selectCheckpointRun } from '../../run/select-checkpoint.js';

interface SelectOpts extends CommonOpts {
  targets: string;
  suite?: string[];
  tier?: 'quick' | 'full';
  concurrency?: number;
  judge?: 'pipeline' | 'assertion';
}

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), ...v.split(',').map((s) => s.trim()).filter(Boolean)];

export function registerSelectCheckpoint(program: Command): void {
  const cmd = program
    .command('select-checkpoint')
    .description('evaluate several checkpoints and pick the best by a weighted objective among those that pass the gates (exit 1 when none passes)')
    .requiredOption('--targets <ids>', 'comma-separated target ids (one per checkpoint)')
    .option('--suite <name>', 'suites (repeatable; default: eval.suites)', collect)
    .addOption(new Option('--tier <tier>', 'quick or full (default: checkpoints.tier, else full)').choices(['quick', 'full']))
    .addOption(intOption('--concurrency <n>', 'requests in flight at once'))
    .addOption(new Option('--judge <kind>', 'pipeline or assertion').choices(['pipeline', 'assertion']));
  example(withJson(withConfig(cmd)), ['pillars select-checkpoint --targets ckpt-1000,ckpt-2000,ckpt-3000 --tier full']).action(async (opts: SelectOpts) => {
    const { config, ctx } = cliEnv(opts);
    const ids = opts.targets.split(',').map((s) => s.trim()).filter(Boolean);
    const sel = await selectCheckpointRun({ config, targets: ids, suites: opts.suite, tier: opts.tier, concurrency: opts.concurrency, judge: opts.judge, quiet: opts.json }, ctx);
    if (opts.json) printJson(sel);
    else {
      for (const line of sel.reasoning) process.stdout.write(`${line}\n`);
      process.stdout.write(sel.best ? `\nselected: ${sel.best} (run ${sel.bestRun})\n` : '\nselected: none\n');
    }
    if (!sel.best) process.exitCode = 1;
  });
}
