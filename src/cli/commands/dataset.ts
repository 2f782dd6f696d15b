import type { Command } from 'commander';
import { resolve } from 'node:path';
import { formatProblem, UserError } from '../../core/errors.js';
import { existsSync } from 'node:fs';
import { filesOf, importDataset, listBuiltinSuites, openSuite, parseAssignments, SuitesConfig, validateItemsFile } from '../../datasets/index.js';
import { section } from '../../config/load.js';
import { cliEnv, example, intOption, printJson, withConfig, withJson, type CommonOpts } from '../shared.js';

const repeat = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

interface ImportOpts {
  map?: string[];
  set?: string[];
  template?: string[];
  where?: string[];
  out?: string;
  idPrefix?: string;
  skipInvalid?: boolean;
  limit?: number;
  json?: boolean;
}

export function registerDataset(program: Command): void {
  const dataset = program.command('dataset').description('validate, import and list datasets and the built-in suites');

  example(
    withJson(dataset.command('validate <paths...>').description('check dataset files (JSONL, CSV, YAML; a folder: every file in it) item by item; one FILE:LINE:COL line per bad row, exit 1 when any')),
    ['pillars dataset validate suites/safety/model-breaking.jsonl my-items.csv', 'pillars dataset validate suites/safety/'],
  ).action(async (files: string[], opts: { json?: boolean }) => {
    const results = [];
    for (const f of files) {
      const p = resolve(f);
      if (!existsSync(p)) throw new UserError(`${f}: no such dataset file or folder`, { code: 'not_found' });
      for (const one of filesOf(p)) {
        try {
          results.push(await validateItemsFile(one));
        } catch (e) {
          // A file that cannot be read as rows at all (bad YAML, bad CSV quoting) is one invalid file, not the end.
          if (!(e instanceof UserError) || e.problems.length === 0) throw e;
          results.push({ file: e.problems[0]!.file, count: 0, invalid: 1, problems: e.problems });
        }
      }
    }
    const bad = results.some((r) => r.invalid > 0);
    if (opts.json) printJson({ valid: !bad, files: results });
    else {
      for (const r of results) {
        for (const p of r.problems) process.stderr.write(`${formatProblem(p)}\n`);
        process.stdout.write(`${r.file}: ${r.count} valid item${r.count === 1 ? '' : 's'}${r.invalid ? `, ${r.invalid} invalid row${r.invalid === 1 ? '' : 's'}` : ''}\n`);
      }
    }
    if (bad) process.exitCode = 1;
  });

  example(
    withJson(
      dataset
        .command('import <file>')
        .description('turn a CSV / JSONL / YAML benchmark into Pillars items (JSONL) without code')
        .option('--map <column=field>', 'send a source column (dot path for nested JSON) to an item field; repeatable', repeat)
        .option('--set <field=value>', 'give every item this value (lists: a|b|c); repeatable', repeat)
        .option('--template <field=text>', 'build a field from columns: --template "prompt={ContextString}\\n\\n{Behavior}"; repeatable', repeat)
        .option('--where <column=value>', 'keep only rows whose column equals the value; repeatable', repeat)
        .option('--out <file.jsonl>', 'where to write the items')
        .option('--id-prefix <prefix>', 'prefix of generated ids (default: the file name)')
        .option('--skip-invalid', 'drop rows that do not make a valid item (and say how many) instead of failing')
        .addOption(intOption('--limit <n>', 'stop after n items')),
    ),
    [
      'pillars dataset import harmbench_behaviors_text_all.csv --where FunctionalCategory=standard --map Behavior=prompt --map BehaviorID=id \\\n      --set kind=model-breaking --set expected=refuse --set pillar=safety --set source=public-benchmark --out harmbench.jsonl',
    ],
  ).action(async (file: string, opts: ImportOpts) => {
    if (!opts.out) throw new UserError('dataset import: --out FILE.jsonl is required', { code: 'usage' });
    const map: Record<string, string> = parseAssignments('--map', opts.map);
    const res = await importDataset({
      file: resolve(file),
      out: resolve(opts.out),
      map,
      set: parseAssignments('--set', opts.set),
      template: parseAssignments('--template', opts.template),
      where: parseAssignments('--where', opts.where),
      idPrefix: opts.idPrefix,
      skipInvalid: opts.skipInvalid,
      limit: opts.limit,
    });
    if (opts.json) printJson(res);
    else {
      if (res.skipped) {
        for (const p of res.problems.slice(0, 20)) process.stderr.write(`${formatProblem(p)}\n`);
        process.stderr.write(`skipped ${res.skipped} invalid row${res.skipped === 1 ? '' : 's'}\n`);
      }
      process.stdout.write(`${opts.out}: ${res.written} items written${res.filtered ? ` (${res.filtered} rows filtered out by --where)` : ''}\n`);
    }
  });

  example(
    withJson(withConfig(dataset.command('list').description('list the built-in suites and the suites of pillars.yaml, with item counts'))).option(
      '--tier <tier>',
      'quick or full (counts)',
      'full',
    ),
    ['pillars dataset list --tier quick'],
  ).action(async (opts: CommonOpts & { tier: string }) => {
    if (opts.tier !== 'quick' && opts.tier !== 'full') throw new UserError(`--tier: expected quick or full, got "${opts.tier}"`, { code: 'usage' });
    const { config } = cliEnv(opts);
    const rows: { name: string; source: string; count: number; description: string }[] = [];
    for (const b of listBuiltinSuites()) {
      const s = await openSuite(b.name, { tier: opts.tier });
      rows.push({ name: b.name, source: 'built-in', count: s.count, description: b.description });
    }
    for (const c of section(config, 'suites', SuitesConfig)) {
      const s = await openSuite(c.id, { config, tier: opts.tier });
      rows.push({ name: c.id, source: c.path, count: s.count, description: c.description ?? '' });
    }
    if (opts.json) printJson({ tier: opts.tier, suites: rows });
    else {
      const w = Math.max(...rows.map((r) => r.name.length));
      for (const r of rows) process.stdout.write(`${r.name.padEnd(w)}  ${String(r.count).padStart(4)}  ${r.description}\n`);
    }
  });
}
