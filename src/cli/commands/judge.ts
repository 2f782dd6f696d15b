import { createAnswerRelevanceJudge, createFaithfulnessJudge } from '../../grounding/index.js';
import { Option, type Command } from 'commander';
import { resolve } from 'node:path';
import { z } from 'zod';
import { section } from '../../config/load.js';
import { UserError, type Problem } from '../../core/errors.js';
import { Item, itemMessages, type Judge, type Verdict } from '../../core/types.js';
import { loadModel } from '../../classifier/index.js';
import { readRows } from '../../datasets/index.js';
import {
  agreementReport,
  binaryAgreement,
  createChoiceJudge,
  createHarmJudge,
  createJudgePipeline,
  createKeywordJudge,
  createLlmJudge,
  createRefusalJudge,
  createViolationJudge,
  engineProvider,
  JudgesConfig,
  LABEL_KEYS,
  normalizeHumanLabel,
  pairConsistency,
  type AgreementRow,
  type JudgeAgreement,
} from '../../judges/index.js';
import { loadPack } from '../../policy/load.js';
import { buildTargets } from '../../targets/index.js';
import { cliEnv, example, withConfig, withJson, type CommonOpts } from '../shared.js';
import { customGuardModel } from '../../run/wiring.js';

const JUDGES = ['refusal', 'violation', 'harm', 'choice', 'keyword', 'llm', 'pipeline', 'pair', 'faithfulness', 'answer-relevance'] as const;
type JudgeName = (typeof JUDGES)[number];

/** A row of `pillars judge --in`: an item's fields (all optional but the response) plus a human label. */
const JudgeRow = z
  .object({
    id: z.union([z.string(), z.number()]).optional(),
    prompt: z.string().optional(),
    messages: z.array(z.object({ role: z.enum(['system', 'user', 'assistant', 'tool']), content: z.string() })).optional(),
    response: z.string(),
    expected: z.string().optional(),
    /** The human label for the judge being run (shorthand for labels.<key>); booleans (harmful: true) are read as text. */
    label: z.union([z.string(), z.boolean()]).transform(String).optional(),
    labels: z.record(z.string(), z.string()).optional(),
    /** Fairness twins (for --judge pair). */
    pair: z.string().optional(),
    /** Retrieved sources the answer should rest on (for --judge faithfulness / answer-relevance). */
    sources: z.array(z.string()).optional(),
  })
  .passthrough();

interface JudgeOpts extends CommonOpts {
  judge: JudgeName;
  in?: string;
  target?: string;
  map: string[];
  model?: string;
}

/** The labels each judge gives (a human label outside them is a row error). */
const VOCAB: Partial<Record<JudgeName, readonly string[]>> = {
  refusal: ['refused', 'complied', 'deflected', 'partial'],
  llm: ['refused', 'complied', 'deflected', 'partial'],
  pipeline: ['refused', 'complied', 'deflected', 'partial'],
  violation: ['violation', 'ok'],
  harm: ['harmful', 'ok'],
  keyword: ['pass', 'fail'],
  faithfulness: ['grounded', 'ungrounded'],
  'answer-relevance': ['relevant', 'irrelevant'],
};

/** `--map FROM=TO` (repeatable): foreign label names to ours. */
function parseMaps(maps: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of maps) {
    const i = m.indexOf('=');
    if (i <= 0 || i === m.length - 1) throw new UserError(`judge --map: expected FROM=TO (e.g. partial_refusal=refused), got "${m}"`, { code: 'usage' });
    out.set(m.slice(0, i).trim().toLowerCase(), m.slice(i + 1).trim());
  }
  return out;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

function pct(x: number): string {
  return Number.isNaN(x) ? 'n/a' : `${(x * 100).toFixed(1)}%`;
}

/** A confusion matrix as aligned text (rows: human, columns: judge). */
function confusionTable(c: Record<string, Record<string, number>>): string {
  const rows = Object.keys(c).sort();
  const cols = [...new Set(rows.flatMap((r) => Object.keys(c[r]!)))].sort();
  const w = Math.max(10, ...rows.map((r) => r.length + 2), ...cols.map((x) => x.length + 2));
  const head = `${'human \\ judge'.padEnd(w)}${cols.map((x) => x.padStart(w)).join('')}`;
  return [head, ...rows.map((r) => `${r.padEnd(w)}${cols.map((x) => String(c[r]![x] ?? 0).padStart(w)).join('')}`)].join('\n');
}

function fmtAgreement(a: JudgeAgreement): string {
  const k = Number.isNaN(a.kappa) ? 'n/a' : a.kappa.toFixed(3);
  return `agreement ${a.judge} vs human ${a.labelKey}: n=${a.n} raw=${(a.agreement * 100).toFixed(1)}% kappa=${k}${a.errors ? ` (${a.errors} judge errors excluded)` : ''}`;
}

export function registerJudge(program: Command): void {
  example(
    withJson(
      withConfig(
        program
          .command('judge')
          .description('run one judge over {prompt, response} rows (JSONL/CSV/YAML); prints {id, label, score, reasons} and, where rows carry a human label, Cohen\'s kappa')
          .addOption(new Option('--judge <name>', 'judge to run').choices([...JUDGES]).default('refusal'))
          .option('--in <file>', 'rows: {id?, prompt, response, expected?, label?, labels?}')
          .option('--target <id>', 'judge model for --judge llm (default: judges.llm.target of the configuration)')
          .option('--model <file>', 'classifier model file for the embedded judges (default: the shipped model)')
          .option('--map <from=to>', 'map a foreign human label to ours (repeatable), e.g. --map full_compliance=complied --map partial_refusal=refused', collect, [] as string[]),
      ),
    ),
    [
      'pillars judge --judge refusal --in responses.jsonl --json > verdicts.jsonl',
      'pillars judge --in xstest.jsonl --map full_compliance=complied --map full_refusal=refused --map partial_refusal=partial',
    ],
  ).action(async (opts: JudgeOpts) => {
    if (!opts.in) throw new UserError('judge: --in FILE is required', { code: 'usage' });
    const maps = parseMaps(opts.map ?? []);
    const vocab = VOCAB[opts.judge];
    const { config, ctx } = cliEnv(opts);
    const spec = section(config, 'judges', JudgesConfig.optional()) ?? JudgesConfig.parse({});
    const pack = loadPack(config.policyPath).pack;
    // Read and check every row first: nothing is judged on a bad file.
    const file = resolve(opts.in);
    const rows: { line: number; item: Item; response: string; human?: string }[] = [];
    const problems: Problem[] = [];
    const labelKey = LABEL_KEYS[opts.judge === 'pipeline' ? 'final' : opts.judge] ?? opts.judge;
    for await (const raw of readRows(file)) {
      if (raw.problem) {
        problems.push(raw.problem);
        continue;
      }
      const r = JudgeRow.safeParse(raw.data);
      if (!r.success) {
        for (const i of r.error.issues) problems.push({ file: opts.in, ...raw.locate(i.path), message: `${i.path.join('.') || '(row)'}: ${i.message}` });
        continue;
      }
      const row = r.data;
      const expected = row.expected ?? 'refuse';
      const it = Item.safeParse({
        pillar: 'safety',
        kind: expected === 'comply' ? 'benign' : 'model-breaking',
        ...row,
        id: String(row.id ?? `line-${raw.line}`),
        prompt: row.prompt ?? (row.messages ? undefined : '(no prompt given)'),
        expected,
        ...(row.sources ? { meta: { ...((row as { meta?: Record<string, unknown> }).meta ?? {}), sources: row.sources } } : {}),
      });
      if (!it.success) {
        for (const i of it.error.issues) problems.push({ file: opts.in, ...raw.locate(i.path), message: `${i.path.join('.') || '(row)'}: ${i.message}` });
        continue;
      }
      const given = row.label ?? row.labels?.[labelKey];
      let human: string | undefined;
      if (given !== undefined) {
        const mapped = maps.get(given.trim().toLowerCase()) ?? given;
        human = normalizeHumanLabel(labelKey, mapped);
        if (vocab && !vocab.includes(human)) {
          const field = row.label !== undefined ? ['label'] : ['labels', labelKey];
          problems.push({ file: opts.in, ...raw.locate(field), message: `${field.join('.')}: "${given}" is not a ${opts.judge} label (${vocab.join(', ')}); map it with --map ${given}=<label>` });
          continue;
        }
      }
      rows.push({ line: raw.line, item: it.data, response: row.response, human });
    }
    if (problems.length) throw new UserError(`${opts.in}: ${problems.length} bad row(s)`, { code: 'dataset_invalid', problems });

    const band = spec.unsure;
    // The classifier of the configured guard (guard.model), as eval's judges use it.
    const guardModel = opts.model ? loadModel(resolve(opts.model)) : customGuardModel(config);
    const engine = engineProvider(guardModel);
    let single: Judge | null = null;
    let pipeline: ReturnType<typeof createJudgePipeline> | null = null;
    if (opts.judge === 'refusal') single = createRefusalJudge({ engine, band });
    else if (opts.judge === 'violation') single = createViolationJudge({ engine, pack, band });
    else if (opts.judge === 'harm') single = createHarmJudge({ engine, pack, band });
    else if (opts.judge === 'choice') single = createChoiceJudge();
    else if (opts.judge === 'keyword') single = createKeywordJudge();
    // The grounding scorers the gateway enforces (src/grounding), as judges: sources from each row's `sources`.
    else if (opts.judge === 'faithfulness') single = createFaithfulnessJudge();
    else if (opts.judge === 'answer-relevance') single = createAnswerRelevanceJudge();
    else if (opts.judge === 'llm') {
      const id = opts.target ?? spec.llm?.target;
      if (!id) throw new UserError('judge --judge llm: give --target ID or set judges.llm.target in the configuration', { code: 'usage' });
      const targets = buildTargets({ config, pack });
      const target = targets.get(id);
      if (!target) throw new UserError(`judge: unknown target "${id}" (configured: ${[...targets.keys()].join(', ') || 'none'})`, { code: 'config' });
      single = createLlmJudge({ target, pack, retries: spec.llm?.retries ?? 2, temperature: spec.llm?.temperature ?? 0, maxTokens: spec.llm?.maxTokens ?? 400 });
    } else if (opts.judge === 'pipeline') {
      const needsTargets = spec.combine !== 'embedded';
      pipeline = createJudgePipeline({ spec, pack, model: guardModel, targets: needsTargets ? buildTargets({ config, pack }) : undefined });
    }

    if (opts.judge === 'pair') {
      // Fairness twins: label each row with the refusal judge, then check each `pair` group.
      const members = [];
      for (const r of rows) {
        const v = await createRefusalJudge({ engine, band }).judge({ item: r.item, transcript: itemMessages(r.item), response: r.response }, ctx);
        members.push({ item: r.item, label: v.label, response: r.response });
      }
      const rep = pairConsistency(members, { minSimilarity: spec.pair.minSimilarity });
      for (const p of rep.pairs) {
        const out = { id: p.pair, label: p.consistent ? 'consistent' : 'inconsistent', score: p.similarity, reasons: p.reasons, members: p.ids, labels: p.labels };
        if (opts.json) process.stdout.write(`${JSON.stringify(out)}\n`);
        else process.stdout.write(`${p.pair}\t${out.label}\t${p.similarity.toFixed(3)}\t${p.reasons[0] ?? ''}\n`);
      }
      const summary = `pairs: ${rep.consistent}/${rep.total} consistent (${(rep.rate * 100).toFixed(1)}%)${rep.incomplete.length ? `; ${rep.incomplete.length} row(s) without their twin` : ''}`;
      (opts.json ? process.stderr : process.stdout).write(`${summary}\n`);
      return;
    }

    const agreeRows: AgreementRow[] = [];
    let errors = 0;
    for (const r of rows) {
      const input = { item: r.item, transcript: itemMessages(r.item), response: r.response };
      let v: Verdict;
      if (pipeline) v = (await pipeline.judge(input, ctx)).final;
      else v = await single!.judge(input, ctx);
      if (v.label === 'error') errors++;
      const out = { id: r.item.id, label: v.label, score: v.score, reasons: v.reasons, ...(v.passed === undefined ? {} : { passed: v.passed }), ...(v.unsure ? { unsure: true } : {}) };
      if (opts.json) process.stdout.write(`${JSON.stringify(out)}\n`);
      else process.stdout.write(`${r.item.id}\t${v.label}\t${v.score.toFixed(3)}\t${v.reasons[0] ?? ''}\n`);
      if (r.human !== undefined) agreeRows.push({ labels: { [labelKey]: r.human }, verdicts: [{ ...v, judge: opts.judge === 'pipeline' ? 'final' : v.judge }] });
    }
    const report = agreementReport(agreeRows);
    const sink = opts.json ? process.stderr : process.stdout;
    const refusalKind = opts.judge === 'refusal' || opts.judge === 'llm' || opts.judge === 'pipeline';
    for (const a of report) {
      const binary = refusalKind ? binaryAgreement(a.confusion) : null;
      if (opts.json) {
        sink.write(`${JSON.stringify({ agreement: a, ...(binary ? { binary } : {}) })}\n`);
        continue;
      }
      sink.write(`${fmtAgreement(a)}\n${confusionTable(a.confusion)}\n`);
      if (binary) {
        const k = Number.isNaN(binary.kappa) ? 'n/a' : binary.kappa.toFixed(3);
        sink.write(`binary (complied vs any refusal): n=${binary.n} agreement=${pct(binary.agreement)} kappa=${k}\n${confusionTable(binary.confusion)}\n`);
      }
    }
    if (errors) process.stderr.write(`${errors} row(s) ended as judge errors (counted, not scored)\n`);
  });
}
