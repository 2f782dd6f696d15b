import { Option, type Command } from 'commander';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { UserError, type Problem } from '../../core/errors.js';
import { Message } from '../../core/types.js';
import { openSuite } from '../../datasets/index.js';
import { loadPack } from '../../policy/load.js';
import { exportRows } from '../../review/export.js';
import { EXPORT_FORMATS, exportPair, generatePreferences, pairsFromRanking, PrefPair, toPairRow, type ExportFormat } from '../../rewards/index.js';
import { openStore } from '../../store/open.js';
import type { NewTask } from '../../store/review.js';
import { buildTargets } from '../../targets/index.js';
import { cliEnv, example, intOption, printJson, withConfig, withJson, type CommonOpts } from '../shared.js';

interface GenOpts extends CommonOpts {
  target: string;
  suite: string;
  n: number;
  out?: string;
  queue?: string;
  temperature: string;
  tier: 'quick' | 'full';
  limit?: number;
  concurrency: number;
}

interface ExportOpts extends CommonOpts {
  in?: string;
  fromReview?: boolean;
  queue?: string;
  format: ExportFormat;
  out: string;
}

const RankedRow = z.object({
  prompt: z.string().min(1),
  messages: z.array(Message).optional(),
  responses: z.array(z.string().min(1)).min(2),
  ranking: z.array(z.number().int().min(1)).min(2),
  policy: z.string().optional(),
  aspect: z.string().optional(),
});

/** Pairs from a file of pairs ({prompt, chosen, rejected}) or of ranked rows ({prompt, responses, ranking}). */
function pairsFromFile(file: string): PrefPair[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`${file}: file not found`, { code: 'not_found' });
  }
  const out: PrefPair[] = [];
  const problems: Problem[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (e) {
      problems.push({ file, line: i + 1, col: 1, message: `invalid JSON: ${(e as Error).message}` });
      return;
    }
    const ranked = RankedRow.safeParse(raw);
    if (ranked.success) {
      const bad = ranked.data.ranking.find((r) => r > ranked.data.responses.length);
      if (bad !== undefined) problems.push({ file, line: i + 1, col: 1, message: `ranking: position ${bad} but only ${ranked.data.responses.length} responses` });
      else for (const p of pairsFromRanking(ranked.data)) out.push(PrefPair.parse({ ...p, aspect: p.aspect === 'helpfulness' || p.aspect === 'adherence' ? p.aspect : undefined }));
      return;
    }
    const r = toPairRow(raw);
    if ('pair' in r) out.push(r.pair);
    else problems.push({ file, line: i + 1, col: 1, message: `${r.error} (expected {prompt, chosen, rejected} or {prompt, responses, ranking})` });
  });
  if (problems.length) throw new UserError(`${file}: ${problems.length} invalid row(s)`, { code: 'dataset_invalid', problems: problems.slice(0, 20) });
  return out;
}

function writeOut(file: string, rows: unknown[]): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : ''));
}

export function registerPrefs(program: Command): void {
  const prefs = program.command('prefs').description('preference data for reward models: sample responses for ranking, export ranked pairs for TRL, OpenRLHF and DPO');

  const gen = prefs
    .command('generate')
    .description('sample n responses (temperature > 0) per unsafe or borderline prompt of a suite; create ranking tasks in the review queue, or write them as JSONL with --out')
    .requiredOption('--target <id>', 'the model being trained (target id from pillars.yaml)')
    .requiredOption('--suite <name>', 'suite name, suite id from pillars.yaml, or dataset path')
    .addOption(intOption('--n <n>', 'responses per prompt (2-4)', 4))
    .option('--out <file>', 'write ranking rows ({id, prompt, responses, policy, level}) here instead of creating a review queue')
    .option('--queue <name>', 'review queue name (default: prefs-<suite>-<date>)')
    .option('--temperature <t>', 'sampling temperature (> 0)', '0.9')
    .addOption(new Option('--tier <tier>', 'quick or full').choices(['quick', 'full']).default('full'))
    .addOption(intOption('--limit <n>', 'at most n prompts'))
    .addOption(intOption('--concurrency <n>', 'prompts in flight', 4));
  example(withJson(withConfig(gen)), ['pillars prefs generate --target policy-model --suite safety --n 4', 'pillars prefs generate --target policy-model --suite safety --n 4 --out to-rank.jsonl']).action(async (opts: GenOpts) => {
    const { config, ctx } = cliEnv(opts);
    if (opts.n < 2 || opts.n > 4) throw new UserError(`--n: ${opts.n} responses; a ranking task takes 2 to 4`, { code: 'usage' });
    const temperature = Number(opts.temperature);
    if (!(temperature > 0 && temperature <= 2)) throw new UserError(`--temperature: ${opts.temperature} must be above 0 (and at most 2) so samples differ`, { code: 'usage' });
    const pack = loadPack(config.policyPath).pack;
    const targets = buildTargets({ config, pack });
    const target = targets.get(opts.target);
    if (!target) throw new UserError(`--target: no target "${opts.target}" (configured: ${[...targets.keys()].join(', ')})`, { code: 'usage' });
    try {
      const suite = await openSuite(opts.suite, { config, tier: opts.tier });
      const { rows, skipped, requests } = await generatePreferences({ target, items: suite.items(), n: opts.n, temperature, limit: opts.limit, concurrency: opts.concurrency }, ctx);
      let where: string;
      if (opts.out) {
        writeOut(opts.out, rows);
        where = opts.out;
      } else {
        const opened = await openStore(config.storePath);
        try {
          const store = opened.review;
          const name = opts.queue ?? `prefs-${suite.id}-${new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-')}`;
          const tasks: NewTask[] = rows.map((r) => ({
            kind: 'preference',
            payload: { title: r.id, conversation: r.messages ?? [{ role: 'user', content: r.prompt }], responses: r.responses, policy: r.policy ?? null, level: r.level ?? null, expected: r.expected, itemKind: r.kind, judges: [] },
          }));
          if (tasks.length === 0) throw new UserError('no prompt gave 2 or more distinct responses: nothing to rank', { code: 'not_found' });
          const q = await store.createQueue({ name, kind: 'preference', source: { suite: suite.id, target: opts.target, n: opts.n, temperature }, tasks });
          where = `review queue ${q.name} (${tasks.length} ranking tasks; rank them in \`pillars serve\` review app, then \`pillars prefs export --from-review\`)`;
        } finally {
          await opened.close();
        }
      }
      if (opts.json) printJson({ rows: rows.length, skipped, requests, written: where });
      else {
        process.stdout.write(`${rows.length} prompt(s) with ${opts.n} samples each (${requests} requests) → ${where}\n`);
        if (skipped.length) process.stdout.write(`skipped ${skipped.length}: ${skipped.slice(0, 5).map((s) => `${s.id} (${s.reason})`).join('; ')}${skipped.length > 5 ? ' ...' : ''}\n`);
      }
    } finally {
      for (const t of targets.values()) await t.close?.();
    }
  });

  const exp = prefs
    .command('export')
    .description('write chosen/rejected pairs in the format a trainer reads: trl {prompt, chosen, rejected}, openrlhf (message lists), dpo (hh-style prompt)')
    .option('--in <file>', 'pairs ({prompt, chosen, rejected}) or ranked rows ({prompt, responses, ranking})')
    .option('--from-review', 'the rankings made in the review queue')
    .option('--queue <name>', 'with --from-review: only this queue')
    .addOption(new Option('--format <fmt>', 'trl, openrlhf or dpo').choices([...EXPORT_FORMATS]).makeOptionMandatory())
    .requiredOption('--out <file>', 'JSONL to write');
  example(withJson(withConfig(exp)), ['pillars prefs export --from-review --format trl --out prefs.trl.jsonl', 'pillars prefs export --in data/prefs/pillars-prefs.jsonl --format openrlhf --out prefs.openrlhf.jsonl']).action(async (opts: ExportOpts) => {
    const { config } = cliEnv(opts);
    if (!!opts.in === !!opts.fromReview) throw new UserError('give exactly one of --in FILE or --from-review', { code: 'usage' });
    let pairs: PrefPair[];
    if (opts.in) pairs = pairsFromFile(opts.in);
    else {
      const opened = await openStore(config.storePath);
      try {
        const store = opened.review;
        const q = opts.queue ? await store.queueByName(opts.queue) : null;
        if (opts.queue && !q) throw new UserError(`--queue: no review queue "${opts.queue}"`, { code: 'not_found' });
        const inQueue = q ? new Set((await store.tasks(q.id)).map((t) => t.id)) : null;
        pairs = (await exportRows(store, 'preferences'))
          .filter((r) => !inQueue || inQueue.has(Number((r.meta as { task: number }).task)))
          .map((r) => PrefPair.parse({ prompt: r.prompt, chosen: r.chosen, rejected: r.rejected, ...(Array.isArray(r.messages) && r.messages.length > 1 ? { messages: r.messages } : {}), ...(typeof r.policy === 'string' ? { policy: r.policy } : {}) }));
      } finally {
        await opened.close();
      }
    }
    if (pairs.length === 0) throw new UserError('no ranked pairs to export', { code: 'not_found' });
    writeOut(opts.out, pairs.map((p) => exportPair(p, opts.format)));
    if (opts.json) printJson({ out: opts.out, format: opts.format, pairs: pairs.length });
    else process.stdout.write(`${pairs.length} pair(s) in ${opts.format} format → ${opts.out}\n`);
  });
}
