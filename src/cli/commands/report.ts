import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { parseFormats, reportFormats, writeReports } from '../../reports/index.js';
import { createReportLoader, defaultReportsDir } from '../../run/reports.js';
import { cliEnv, example, printJson, withConfig, withJson, type CommonOpts } from '../shared.js';

interface ReportOpts extends CommonOpts {
  out?: string;
  format?: string[];
}

export function registerReport(program: Command): void {
  example(
    withJson(
      withConfig(
        program
          .command('report <run>')
          .description('re-render a stored run (id, unique prefix, `last`, or a report.json path) as HTML, JSON, JUnit XML and Markdown')
          .option('--out <dir>', 'output folder (default: .pillars/reports/<run id>, as pillars eval)')
          .option('--format <list>', `formats, comma separated or repeated: ${reportFormats().join(', ')} (default: all)`, (v: string, prev: string[] = []) => [...prev, v]),
      ),
    ),
    ['pillars report last --out out/ --format html,md', 'pillars report out/report.json --format junit'],
  ).action(async (ref: string, opts: ReportOpts) => {
    const formats = parseFormats(opts.format);
    const { config } = cliEnv(opts);
    const load = createReportLoader(config);
    const data = await load(ref).finally(() => load.close());
    const outDir = opts.out ? resolve(opts.out) : join(defaultReportsDir(config), data.run.id);
    const files = await writeReports({ data, outDir, formats });
    if (opts.json) printJson({ run: data.run.id, files });
    else {
      process.stdout.write(`Report for run ${data.run.id} (${data.run.target}):\n`);
      for (const f of files) process.stdout.write(`  ${f}\n`);
    }
  });
}
