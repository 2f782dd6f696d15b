import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { UserError, type Problem } from '../../core/errors.js';
import type { Ctx } from '../../core/types.js';
import { classifyBatch, type BatchDefaults } from '../../guard/batch.js';
import { benchGuard, DEFAULT_FLAG, parseFlag, readBenchItems, type BenchFigures, type BenchResult } from '../../guard/bench.js';
import type { PolicyGuard } from '../../guard/index.js';
import { cliEnv, example, intOption, printJson, withConfig, withJson, type CommonOpts } from '../shared.js';
import { wire } from '../../run/wiring.js';

/** `pillars guard bench` and the `--batch` mode of `pillars guard classify` (the tools to check the configured guard). */

/** Decide stdin line by line with one guard; bad lines are reported at the end as `stdin:LINE:COL` (exit 2). */
export async function runClassifyBatch(guard: PolicyGuard, defaults: BatchDefaults, ctx: Ctx): Promise<void> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  const problems: Problem[] = [];
  let buf: string[] = [];
  const flush = (): void => {
    if (buf.length > 0) process.stdout.write(buf.join(''));
    buf = [];
  };
  let decided = 0;
  for await (const r of classifyBatch(lines, guard, defaults, ctx)) {
    if ('error' in r) {
      problems.push({ file: 'stdin', line: r.line, col: r.col, message: r.error });
      buf.push(`${JSON.stringify({ line: r.line, error: r.error })}\n`);
    } else {
      decided++;
      buf.push(`${JSON.stringify({ line: r.line, ...(r.id !== undefined ? { id: r.id } : {}), ...r.decision })}\n`);
    }
    if (buf.length >= 256) flush();
  }
  flush();
  if (problems.length > 0) {
    throw new UserError(`guard classify --batch: ${problems.length} invalid line(s), ${decided} decided`, { code: 'dataset_invalid', problems: problems.slice(0, 20) });
  }
  if (decided === 0) throw new UserError('guard classify --batch: no lines on stdin', { code: 'usage' });
}

interface BenchOpts extends CommonOpts {
  items?: string;
  dataset?: string;
  out?: string;
  flag?: string;
  warmup?: number;
  tier: string;
  context?: string;
}

const pct = (x: number | null): string => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);

function groupLines(title: string, groups: Record<string, BenchFigures> | undefined): string[] {
  if (!groups) return [];
  const width = Math.min(40, Math.max(...Object.keys(groups).map((k) => k.length), 8));
  const out = [`by ${title}:`, `  ${''.padEnd(width)}      n  unsafe  recall  over-refusal     F1`];
  for (const [k, f] of Object.entries(groups)) {
    out.push(`  ${k.slice(0, width).padEnd(width)} ${String(f.n).padStart(6)} ${String(f.unsafe).padStart(7)} ${pct(f.recall).padStart(7)} ${pct(f.over_refusal_rate).padStart(13)} ${pct(f.f1).padStart(6)}`);
  }
  return out;
}

function summaryLines(r: BenchResult, out: string | undefined): string[] {
  return [
    `${r.n} items (${r.unsafe} unsafe, ${r.safe} safe); flagged = ${r.flag.join(' or ')}`,
    `precision ${pct(r.precision)}  recall ${pct(r.recall)}  F1 ${pct(r.f1)}  over-refusal ${pct(r.over_refusal_rate)}  accuracy ${pct(r.accuracy)}`,
    `topic accuracy ${pct(r.topic_accuracy)}  level accuracy ${pct(r.level_accuracy)}  exact action ${pct(r.action_accuracy)}`,
    `confusion (rows: truth, cols: guard)   flagged  allowed`,
    `  unsafe                               ${String(r.confusion.tp).padStart(7)}  ${String(r.confusion.fn).padStart(7)}`,
    `  safe                                 ${String(r.confusion.fp).padStart(7)}  ${String(r.confusion.tn).padStart(7)}`,
    ...groupLines('category', r.by_category),
    ...groupLines('source', r.by_source),
    `latency per call (after ${r.warmup} warm-up calls): p50 ${r.latency_ms.p50.toFixed(3)} ms, p99 ${r.latency_ms.p99.toFixed(3)} ms`,
    `model sha256 ${r.model.slice(0, 16)}…`,
    ...(out ? [`per-item decisions: ${out}`] : []),
  ];
}

export function registerGuardBench(guard: Command): void {
  example(
    withJson(
      withConfig(
        guard
          .command('bench')
          .description('precision, recall, F1, over-refusal, per-category/per-source figures, topic/level accuracy and latency of the configured guard on a labelled JSONL set')
          .option('--items <file.jsonl>', 'rows {text, label: safe|unsafe}, {text, policy|topic, level} or {text, expected: allow|deflect|refuse|redact}; optional id, category, source')
          .option('--dataset <file.jsonl>', 'same as --items (older name)')
          .option('--out <file.jsonl>', 'write one decision per item: id, text, expected, expected_action, action, policy, topic, level, score, stage, flagged, correct')
          .option('--flag <actions>', `actions that count as flagged: refuse, or refuse,deflect (default ${DEFAULT_FLAG.join(',')})`)
          .addOption(intOption('--warmup <n>', 'untimed decisions before timing (default: min(200, items))'))
          .option('--tier <tier>', 'caller access tier', 'public')
          .option('--context <context>', 'declared context'),
      ),
    ),
    ['pillars guard bench --items lookalikes.jsonl --out decisions.jsonl', 'pillars guard bench --items ../shared/benchmarks/x.jsonl --flag refuse --json'],
  ).action(async (opts: BenchOpts) => {
    const file = opts.items ?? opts.dataset;
    if (!file) throw new UserError('guard bench: --items FILE is required (a JSONL file of labelled texts)', { code: 'usage' });
    const flag = opts.flag === undefined ? [...DEFAULT_FLAG] : parseFlag(opts.flag);
    const { config, ctx } = cliEnv(opts);
    const { pack, guard: configured } = wire(config);
    const items = readBenchItems(file, pack);
    const r = await benchGuard({ guard: configured.guard(), items, flag, warmup: opts.warmup, caller: { tier: opts.tier, ...(opts.context ? { context: opts.context } : {}) }, ctx });
    if (opts.out) writeFileSync(opts.out, r.rows.map((row) => JSON.stringify(row)).join('\n') + '\n');
    const { rows: _rows, ...summary } = r;
    if (opts.json) {
      printJson({ ...summary, ...(opts.out ? { out: opts.out } : {}) });
      return;
    }
    process.stdout.write(`${summaryLines(r, opts.out).join('\n')}\n`);
  });
}
