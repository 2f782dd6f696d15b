import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { compareReports, renderComparison } from '../../compare/index.js';
import type { ReportData } from '../../core/report.js';
import { cliEnv, example, printJson, withConfig, withJson, type CommonOpts } from '../shared.js';
import { createReportLoader } from '../../run/reports.js';

interface CompareOpts extends CommonOpts {
  alpha: number;
  failOnRegression?: boolean;
  all?: boolean;
}

/** `pillars compare RUN_A RUN_B`: per-metric deltas with a two-proportion test, regressions and flipped items. */
export function registerCompare(program: Command): void {
  example(
    withJson(
      withConfig(
        program
          .command('compare <runA> <runB>')
          .description('compare two runs (ids, prefixes, `last`, or report.json paths): deltas with p-values, significant regressions, flipped items')
          .addOption(
            new Option('--alpha <p>', 'significance level of the two-proportion z-test').default(0.05).argParser((v: string) => {
              const n = Number(v);
              if (!(n > 0 && n < 1)) throw new InvalidArgumentError(`--alpha expects a number between 0 and 1, got "${v}"`);
              return n;
            }),
          )
          .option('--fail-on-regression', 'exit 1 when B has a significant regression against A')
          .option('--all', 'list every policy, not only the ones that changed'),
      ),
    ),
    ['pillars compare run-20261120-0912 last', 'pillars compare old/report.json new/report.json --fail-on-regression'],
  ).action(async (refA: string, refB: string, opts: CompareOpts) => {
    const { config } = cliEnv(opts);
    const load = createReportLoader(config);
    let a: ReportData, b: ReportData;
    try {
      a = await load(refA);
      b = await load(refB);
    } finally {
      await load.close();
    }
    const c = compareReports(a, b, { alpha: opts.alpha });
    if (opts.json) printJson(c);
    else process.stdout.write(renderComparison(c, { allRows: opts.all }));
    if (opts.failOnRegression && c.regressions.length > 0) {
      if (!opts.json) process.stderr.write(`pillars: ${c.regressions.length} significant regression(s) (--fail-on-regression)\n`);
      process.exitCode = 1;
    }
  });
}
