import { Option, type Command } from 'commander';
import { relative } from 'node:path';
import type { GateProvider } from '../../eval/gates.js';
import { loadCheckpointsSection } from '../../eval/config.js';
import { checkpointLine, watchSelection } from '../../eval/watch.js';
import { summaryJson, summaryTable } from '../../eval/summary.js';
import { parseFormats, reportFormats } from '../../reports/index.js';
import { cliEnv, example, intOption, printJson, withConfig, withJson, type CommonOpts } from '../shared.js';
import { evalTargets, watchRun } from '../../run/eval.js';
import { prepareEval, type EvalEnv } from '../../run/eval-env.js';

/** Extra gate providers (e.g. the frontier release gate), given by program.ts. */
export interface EvalCommandDeps {
  gateProviders?: ((env: EvalEnv) => GateProvider | null)[];
}

interface EvalOpts extends CommonOpts {
  target?: string[];
  suite?: string[];
  tier?: 'quick' | 'full';
  concurrency?: number;
  out?: string;
  format?: string[];
  resume?: string;
  skipInvalid?: boolean;
  cache?: boolean;
  seed?: number;
  judge?: 'pipeline' | 'assertion';
  limit?: number;
  watch?: string;
  baseUrl?: string;
  queue?: string;
}

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), ...v.split(',').map((s) => s.trim()).filter(Boolean)];

const shown = (p: string): string => {
  const r = relative(process.cwd(), p);
  return r.startsWith('..') ? p : r;
};

export function registerEval(program: Command, deps: EvalCommandDeps = {}): void {
  const cmd = program
    .command('eval')
    .description('evaluate targets on suites: violation and over-refusal rates per pillar with 95% intervals, gates, reports (exit 1 when a gate fails)')
    .option('--target <id>', 'target id from pillars.yaml, or PROVIDER:MODEL (openai:, anthropic:, bedrock:, ollama:, vllm:, openai-compatible:, gguf:PATH) with no config needed (repeatable, or comma separated; default: eval.targets, else the built-in guard)', collect)
    .option('--base-url <url>', 'base URL for PROVIDER:MODEL targets (default: OPENAI_BASE_URL, OLLAMA_HOST, VLLM_BASE_URL, ANTHROPIC_BASE_URL)')
    .option('--suite <name>', 'built-in suite name, suite id from pillars.yaml, or dataset path (repeatable; default: eval.suites, else quick)', collect)
    .addOption(new Option('--tier <tier>', 'quick (at most 200 items per suite) or full').choices(['quick', 'full']))
    .addOption(intOption('--concurrency <n>', 'requests in flight at once (default: eval.concurrency, else 8)'))
    .option('--out <dir>', 'write the reports here (default: .pillars/reports/<run>/)')
    .option('--format <list>', `report formats: ${reportFormats().join(',')} (default: all)`, collect)
    .option('--resume <run>', 'finish a stopped run (its id, or `last`) without asking again for answered items')
    .option('--queue <url>', 'redis://HOST:PORT: store the run and enqueue its items for `pillars worker` processes (BullMQ); this process waits, gates and writes the reports')
    .option('--skip-invalid', 'drop invalid dataset rows (says how many) instead of refusing to start')
    .option('--no-cache', 'do not answer from the response cache')
    .addOption(intOption('--seed <n>', 'seed sent with every request (default: eval.seed, else 0)'))
    .addOption(new Option('--judge <kind>', 'pipeline (the judges: section) or assertion (keywords and refusal phrases only)').choices(['pipeline', 'assertion']))
    .addOption(intOption('--limit <n>', 'answer the first n pending items in run order, then stop (the run stays resumable; with --queue the same items)').hideHelp())
    .option('--watch <dir>', 'evaluate each new checkpoint folder that appears in DIR through the target template in watch.template (Ctrl-C stops)');
  example(withJson(withConfig(cmd)), [
    'pillars eval',
    'pillars eval --target my-model --suite safety --suite fairness --tier full --out reports/',
    'pillars eval --target openai:gpt-4o-mini --target anthropic:claude-3-5-haiku-latest --suite quick',
    'OPENAI_BASE_URL=http://127.0.0.1:8000/v1 pillars eval --target openai-compatible:my-model',
    'pillars eval --resume last',
    'pillars eval --queue redis://127.0.0.1:6379   # with `pillars worker --queue redis://127.0.0.1:6379` running elsewhere',
    'pillars eval --watch checkpoints/ --tier quick',
  ]).action(async (opts: EvalOpts) => {
    const { config, ctx } = cliEnv(opts);
    const env = await prepareEval(config, { judge: opts.judge, baseUrl: opts.baseUrl });
    try {
      if (opts.watch) {
        // Training-time evaluation (src/eval/watch.ts): one run per new checkpoint folder.
        const candidates = await watchRun(env, { dir: opts.watch, suites: opts.suite, tier: opts.tier, concurrency: opts.concurrency, seed: opts.seed }, ctx, {
          onReady: (existing) => process.stderr.write(`watching ${opts.watch} (${existing.length} existing folder(s) skipped); Ctrl-C stops\n`),
          onError: (name, e) => process.stderr.write(`${name}: evaluation failed: ${(e as Error)?.message ?? String(e)}\n`),
          onResult: (name, result, ms) =>
            process.stdout.write(`${opts.json ? JSON.stringify({ checkpoint: name, ...summaryJson(result.report, { reports: [], execution: result.execution }) }) : checkpointLine(name, result.runId, result.report, ms)}\n`),
        });
        if (!opts.json) process.stdout.write(`${watchSelection(candidates, loadCheckpointsSection(config).objective).join('\n')}\n`);
        return;
      }
      const extraGates = (deps.gateProviders ?? []).map((f) => f(env)).filter((g): g is GateProvider => g !== null);
      const several = (opts.target?.length ?? env.section.targets.length) > 1 && !opts.resume;
      const outcomes = await evalTargets(
        env,
        {
          targets: opts.target,
          suites: opts.suite,
          tier: opts.tier,
          concurrency: opts.concurrency,
          seed: opts.seed,
          cache: opts.cache,
          resume: opts.resume,
          skipInvalid: opts.skipInvalid,
          stopAfter: opts.limit,
          out: opts.out,
          formats: opts.format?.length ? parseFormats(opts.format) : undefined,
          quiet: opts.json,
          extraGates,
          queue: opts.queue,
        },
        ctx,
        ({ target: t, result, written }) => {
          if (opts.json) return;
          process.stdout.write(`${summaryTable(result.report)}\n\n`);
          if (result.status === 'interrupted') process.stdout.write(`stopped before the end: finish with \`pillars eval --resume ${result.runId}\`\n`);
          const html = written.find((w) => w.endsWith('.html'));
          if (written.length) process.stdout.write(`report: ${shown(html ?? written[0]!)}${written.length > 1 ? ` (+ ${written.filter((w) => w !== (html ?? written[0])).map((w) => w.split('/').pop()).join(', ')})` : ''}\n`);
          if (!result.gatesPassed) {
            const bad = result.report.gates.filter((g) => !g.passed);
            process.stdout.write(`${bad.length} gate(s) failed for ${t}\n`);
          }
          if (several) process.stdout.write('\n');
        },
      );
      if (opts.json) {
        const outputs = outcomes.map((o) => summaryJson(o.result.report, { reports: o.written, execution: o.result.execution }));
        printJson(outputs.length === 1 ? outputs[0] : outputs);
      } else if (outcomes.length > 1) process.stdout.write(`side by side: npx pillars view ${outcomes.map((o) => o.result.runId).join(' ')}\n`);
      // A run in which no item got an answer measured nothing: its gates pass vacuously, so say so and fail.
      const unanswered = outcomes.filter((o) => o.result.report.items.length > 0 && o.result.report.items.every((i) => i.verdict === 'error'));
      for (const o of unanswered) process.stderr.write(`no item was answered by ${o.target}: every request failed after retries (see the log); nothing was measured\n`);
      if (unanswered.length || outcomes.some((o) => !o.result.gatesPassed)) process.exitCode = 1;
    } finally {
      await env.close();
    }
  });
}
