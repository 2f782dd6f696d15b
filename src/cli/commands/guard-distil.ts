import type { Command } from 'commander';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { section } from '../../config/load.js';
import { UserError } from '../../core/errors.js';
import { CategoriesConfig } from '../../guard/categories.js';
import { distilCategories, readCategoryLog } from '../../guard/distil.js';
import { loadPack } from '../../policy/load.js';
import { cliEnv, example, printJson, withConfig, withJson, type CommonOpts } from '../shared.js';

/** `pillars guard distil`: train the plain-words categories' embedded stage from the judge's logged decisions. */
export function registerGuardDistil(guard: Command): void {
  example(
    withJson(
      withConfig(
        guard
          .command('distil')
          .description("train the embedded classifier of the pack's plain-words categories from the LLM judge's logged decisions, so it decides alone when it is confident")
          .option('--log <file.jsonl>', 'decision log (default: categories.log, .pillars/categories.jsonl)')
          .option('--out <file.json>', 'model to write (default: categories.model, models/categories.json)')
          .option('--min-agreement <x>', 'agreement with the judge required outside the band, on held-out decisions (default 0.95)'),
      ),
    ),
    ['pillars guard distil', 'pillars guard distil --log .pillars/categories.jsonl --out models/categories.json --json'],
  ).action((opts: CommonOpts & { log?: string; out?: string; minAgreement?: string }) => {
    const { config } = cliEnv(opts);
    const cats = section(config, 'categories', CategoriesConfig.prefault({}));
    const pack = loadPack(config.policyPath).pack;
    const categories = pack.categories ?? [];
    if (categories.length === 0) throw new UserError(`guard distil: the pack ${config.policyPath} has no categories section`, { code: 'usage' });
    const log = opts.log ? resolve(opts.log) : config.resolve(cats.log);
    if (!existsSync(log)) throw new UserError(`guard distil: ${log}: no decision log (the gateway writes it while the categories are decided by the judge)`, { code: 'usage' });
    const minAgreement = opts.minAgreement === undefined ? undefined : Number(opts.minAgreement);
    if (minAgreement !== undefined && !(minAgreement > 0 && minAgreement <= 1)) throw new UserError('--min-agreement: a number in (0, 1]', { code: 'usage' });
    const { models, reports } = distilCategories({ categories, log: readCategoryLog(log), minAgreement });
    const out = opts.out ? resolve(opts.out) : config.resolve(cats.model);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(models)}\n`);
    if (opts.json) return printJson({ out, categories: reports });
    for (const r of reports) {
      process.stdout.write(`${r.category}: ${r.judged} judged decisions (${r.positives} in the category); held out ${r.heldOut}: decides ${(r.alone * 100).toFixed(0)}% alone, ${(r.agreement * 100).toFixed(1)}% agreement with the judge; asks the judge between ${r.band[0].toFixed(2)} and ${r.band[1].toFixed(2)}\n`);
    }
    process.stdout.write(`wrote ${out}\n`);
  });
}
