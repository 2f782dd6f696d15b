import { Option, type Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../../core/errors.js';
import type { Action } from '../../core/pillars.js';
import { contextualizeRows, DEFAULT_MIN_SCORE, reportMarkdown } from '../../data/contextualize.js';
import { readCorpus } from '../../data/corpus.js';
import { buildExercises, EXERCISE_LANGS, llmExercises, readPolicyDocs, type ExerciseLang } from '../../data/exercises.js';
import { loadPack } from '../../policy/load.js';
import { buildTargets } from '../../targets/index.js';
import { cliEnv, example, printJson, withConfig, withJson, type CommonOpts } from '../shared.js';
import { guardModel } from '../../run/wiring.js';

interface CtxOpts extends CommonOpts {
  in: string;
  out: string;
  report?: string;
  field: string;
  drop: string;
  minScore?: string;
}

interface ExOpts extends CommonOpts {
  policy?: string;
  target?: string;
  docs?: string[];
  lang: string;
  out: string;
}

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

function write(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

export function registerData(program: Command): void {
  const data = program.command('data').description('pretraining data tools: policy exercises and contextualization of harmful passages');

  const ctxCmd = data
    .command('contextualize')
    .description('guard-read a JSONL corpus: benign passages unchanged, educational-level harmful passages wrapped with educational context, passages at a level the ladder refuses dropped; report per topic')
    .requiredOption('--in <file>', 'corpus JSONL (one passage per row)')
    .requiredOption('--out <file>', 'contextualized JSONL')
    .option('--report <file>', 'write the counts report (.json, or Markdown for any other extension)')
    .option('--field <name>', 'the text field of each row', 'text')
    .addOption(new Option('--drop <actions>', 'ladder actions whose passages are dropped').choices(['refuse', 'refuse,deflect']).default('refuse'))
    .option('--min-score <p>', `topic score from which a passage counts as flagged (default ${DEFAULT_MIN_SCORE})`);
  example(withJson(withConfig(ctxCmd)), ['pillars data contextualize --in corpus.jsonl --out corpus.ctx.jsonl --report ctx-report.md']).action(async (opts: CtxOpts) => {
    const { config } = cliEnv(opts);
    const pack = loadPack(config.policyPath).pack;
    const minScore = opts.minScore === undefined ? undefined : Number(opts.minScore);
    if (minScore !== undefined && !(minScore >= 0 && minScore <= 1)) throw new UserError(`--min-score: ${opts.minScore} is not a probability`, { code: 'usage' });
    const rows = readCorpus(opts.in, opts.field);
    const { out, report } = contextualizeRows({ rows, field: opts.field, model: guardModel(config), pack, dropActions: opts.drop.split(',') as Action[], minScore });
    write(opts.out, out.map((r) => JSON.stringify(r)).join('\n') + (out.length ? '\n' : ''));
    if (opts.report) write(opts.report, opts.report.endsWith('.json') ? `${JSON.stringify(report, null, 2)}\n` : `${reportMarkdown(report)}\n`);
    if (opts.json) printJson({ out: opts.out, report });
    else process.stdout.write(`${reportMarkdown(report)}\n\nwrote ${out.length} passage(s) to ${opts.out}\n`);
  });

  const ex = data
    .command('exercises')
    .description('turn every policy (and policy documents) into learning exercises: explain the concept, answer a compliance question, judge whether an action violates the policy, each with its answer')
    .option('--policy <pack>', 'policy pack (default: the configured one)')
    .option('--target <id>', 'write the exercises with this LLM target (default: offline templates)')
    .option('--docs <file>', 'policy document (Markdown or text, split into sections; repeatable)', collect)
    .option('--lang <list>', `languages (${EXERCISE_LANGS.join(', ')})`, 'en')
    .requiredOption('--out <file>', 'exercises JSONL');
  example(withJson(withConfig(ex)), ['pillars data exercises --out exercises.jsonl --lang en,es,fr', 'pillars data exercises --policy policies/acme.yaml --docs handbook.md --target writer --out ex.jsonl']).action(async (opts: ExOpts) => {
    const { config, ctx } = cliEnv(opts);
    const pack = loadPack(opts.policy ?? config.policyPath).pack;
    const langs = opts.lang.split(',').map((s) => s.trim()).filter(Boolean);
    for (const l of langs) if (!(EXERCISE_LANGS as readonly string[]).includes(l)) throw new UserError(`--lang: "${l}" has no templates (${EXERCISE_LANGS.join(', ')})`, { code: 'usage' });
    const docs = (opts.docs ?? []).flatMap((f) => readPolicyDocs(f));
    let rows = buildExercises({ pack, docs, langs: langs as ExerciseLang[] });
    let mode = 'templates';
    if (opts.target) {
      const targets = buildTargets({ config, pack });
      const t = targets.get(opts.target);
      if (!t) throw new UserError(`--target: no target "${opts.target}" (configured: ${[...targets.keys()].join(', ')})`, { code: 'usage' });
      try {
        const r = await llmExercises({ target: t, pack, docs, langs: langs as ExerciseLang[] }, ctx);
        rows = r.rows;
        mode = `llm ${t.id} (${r.fallbacks} section(s) fell back to templates)`;
      } finally {
        for (const x of targets.values()) await x.close?.();
      }
    }
    write(opts.out, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const kinds: Record<string, number> = {};
    for (const r of rows) kinds[r.kind] = (kinds[r.kind] ?? 0) + 1;
    if (opts.json) printJson({ out: opts.out, count: rows.length, kinds, mode });
    else process.stdout.write(`${rows.length} exercises (${Object.entries(kinds).map(([k, n]) => `${n} ${k}`).join(', ')}) in ${langs.join(', ')} via ${mode} → ${opts.out}\n`);
  });
}
