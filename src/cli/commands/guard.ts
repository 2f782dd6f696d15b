import { Option, type Command } from 'commander';
import { statSync } from 'node:fs';
import { defaultModelPath, loadDefaultModel, saveModel, type SparseVector } from '../../classifier/index.js';
import { readTrainingCorpus, trainWithRecipe } from '../../classifier/recipe.js';
import { flagRows, sourceFigures } from '../../guard/corpus-figures.js';
import { existsSync } from 'node:fs';
import { UserError } from '../../core/errors.js';
import { evaluateGuard } from '../../guard/evaluate.js';
import { loadPack } from '../../policy/load.js';
import { cliEnv, example, intOption, printJson, readStdin, withConfig, withJson, type CommonOpts } from '../shared.js';
import { registerGuardBench, runClassifyBatch } from './guard-tools.js';
import { registerGuardDistil } from './guard-distil.js';
import { wireRag } from '../rag.js';
import { wire } from '../../run/wiring.js';

interface ClassifyOpts extends CommonOpts {
  tier: string;
  context?: string;
  role: 'input' | 'output';
  batch?: boolean;
}

interface TrainOpts extends CommonOpts {
  policy?: string;
  data: string[];
  out?: string;
  seed: number;
}

export function registerGuard(program: Command): void {
  const guard = program.command('guard').description('the embedded guard: classify texts, retrain the classifier, benchmark it');

  example(
    withJson(
      withConfig(
        guard
          .command('classify [text]')
          .description('decide allow | deflect | refuse | redact for a text (use - or no text to read stdin); --batch: one JSONL decision per stdin line')
          .option('--tier <tier>', 'caller access tier (with --batch: the default of each line)', 'public')
          .option('--context <context>', 'declared context (e.g. vetted-research)')
          .addOption(new Option('--role <role>', 'input: a user request; output: a model response').choices(['input', 'output']).default('input'))
          .option('--batch', 'read JSONL on stdin ({text, id?, role?, tier?, context?}, a JSON string or plain text per line) and write one JSONL decision per line'),
      ),
    ),
    [
      'pillars guard classify "How do I kill a Python process that hangs?" --json',
      'echo "..." | pillars guard classify - --tier trusted-researcher --context vetted-research',
      'pillars guard classify --batch < texts.jsonl > decisions.jsonl',
    ],
  ).action(async (text: string | undefined, opts: ClassifyOpts) => {
    const { config, ctx } = cliEnv(opts);
    // The one configured guard (pillars.yaml `guard:`), as `pillars serve`, eval and the red team build it.
    const w = wire(config);
    // The pack's plain-words categories (issue 18) stand behind it, as in `pillars serve`.
    const g = wireRag(config, w.pack).wrapGuard(w.guard.guard());
    if (opts.batch) {
      if (text !== undefined && text !== '-') throw new UserError('guard classify --batch reads stdin: give no TEXT argument', { code: 'usage' });
      await runClassifyBatch(g, { tier: opts.tier, context: opts.context, role: opts.role }, ctx);
      return;
    }
    const input = text === undefined || text === '-' ? await readStdin() : text;
    if (input.trim() === '') throw new UserError('guard classify: no text given (pass TEXT or pipe it on stdin with -)');
    const d = await g.check({ text: input, caller: { tier: opts.tier, ...(opts.context ? { context: opts.context } : {}) }, role: opts.role }, ctx);
    if (opts.json) {
      printJson(d);
      return;
    }
    const where = d.policy ? ` ${d.policy} (${d.pillar}, topic ${d.topic}, level ${d.level})` : '';
    process.stdout.write(`${d.action}${where} score ${d.score.toFixed(2)} [${d.stage}]\n`);
    for (const r of d.reasons) process.stdout.write(`  - ${r}\n`);
    if (d.exception) process.stdout.write(`  exception: ${d.exception.context}${d.exception.adapter ? ` → adapter ${d.exception.adapter}` : ''}\n`);
    if (d.message) process.stdout.write(`  message: ${d.message}\n`);
    if (d.redacted !== undefined) process.stdout.write(`  redacted: ${d.redacted}\n`);
  });

  example(
    withJson(
      withConfig(
        guard
          .command('train')
          .description("retrain the classifier from a pack's examples plus your own JSONL rows; prints held-out figures")
          .option('--policy <pack>', 'policy pack (file or folder; default: the configured pack)')
          .option(
            '--data <file-or-dir>',
            'extra rows: JSONL files or folders ({text, policy|topic, level}, {text, label: safe|unsafe}, {text, label: refused|complied|deflected|partial}; the shared layout prompts/ + responses/); 20% of each source with 20+ rows is held out (repeatable)',
            (v: string, acc: string[]) => [...acc, v],
            [] as string[],
          )
          .option('--out <file>', 'where to write the model', 'guard-model.json')
          .addOption(intOption('--seed <n>', 'random seed (training is deterministic for a seed)', 1)),
      ),
    ),
    ['pillars guard train --data ours.jsonl --out models/acme-guard.json', 'pillars guard train --data ../shared/training --data ours/ --out guard.json', 'pillars guard train --policy policies/acme --seed 3'],
  ).action((opts: TrainOpts) => {
    const { config } = cliEnv(opts);
    const { pack } = loadPack(opts.policy ?? config.policyPath);
    const t0 = performance.now();
    // Semantic word vectors: the compacted set shipped inside the default model (none if it is missing).
    const vectors = existsSync(defaultModelPath) ? loadDefaultModel().vectors : null;
    const cache = new Map<string, SparseVector>();
    // Files and folders (the shared public layout or *.jsonl), every row checked (FILE:LINE:COL).
    const corpus = opts.data.length > 0 ? readTrainingCorpus(opts.data, pack, { vectors, cache }) : null;
    const run = trainWithRecipe({ pack, corpus, seed: opts.seed, vectors, cache });
    const model = run.model;
    const trainMs = Math.round(performance.now() - t0);
    const figures = evaluateGuard({ pack, model, split: 'test' });
    model.meta.report.guardHeldOut = figures;
    const perSource = corpus && run.heldOut.length > 0 ? sourceFigures(flagRows(pack, model, run.heldOut)) : null;
    if (perSource) model.meta.report.publicHeldOut = perSource;
    const out = opts.out ?? 'guard-model.json';
    saveModel(model, out);
    const summary = {
      out,
      bytes: statSync(out).size,
      trainMs,
      threshold: model.meta.threshold,
      counts: model.meta.counts,
      data: corpus ? { prompts: corpus.prompts.length, responses: corpus.responses.length, skipped: corpus.skipped, heldOut: run.heldOut.length } : null,
      heldOut: model.meta.report.heldOut,
      guard: figures,
      dataHeldOut: perSource,
    };
    if (opts.json) printJson(summary);
    else {
      process.stdout.write(`wrote ${out} (${(summary.bytes / 1e6).toFixed(1)} MB) in ${(trainMs / 1000).toFixed(1)} s, topic threshold ${model.meta.threshold}\n`);
      process.stdout.write(`rows: ${JSON.stringify(model.meta.counts)}\n`);
      if (figures.n > 0) {
        process.stdout.write(
          `pack held-out (${figures.n} rows): F1 ${figures.f1}, precision ${figures.precision}, recall ${figures.recall}, over-refusal ${figures.over_refusal_rate}, topic accuracy ${figures.topic_accuracy}, level accuracy ${figures.level_accuracy}\n`,
        );
      } else process.stdout.write('no held-out pack rows (mark some with split: test to get figures)\n');
      for (const [source, f] of Object.entries(perSource ?? {})) {
        process.stdout.write(`data held-out ${source} (${f.n} rows): recall ${f.recall ?? 'n/a'}, over-refusal ${f.over_refusal ?? 'n/a'}, F1 ${f.f1 ?? 'n/a'}\n`);
      }
      process.stdout.write(`use it with:  guard: {model: ${out}}  in pillars.yaml (default model: ${defaultModelPath})\n`);
    }
  });

  registerGuardBench(guard);
  registerGuardDistil(guard);
}
