import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { listTransforms } from '../../attacks/index.js';
import { ADAPTIVE, DEFAULT_STRATEGIES, harvest, readJsonlItems, type GuardMode, type RetuneKnob, type RedteamSummary } from '../../redteam/index.js';
import { openStore } from '../../store/open.js';
import { parseFormats, reportFormats } from '../../reports/index.js';
import { redteamRun, suiteItems, writeRedteamReports } from '../../run/redteam.js';
import { cliEnv, example, intOption, printJson, withConfig, withJson, type CommonOpts } from '../shared.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

function parseKnobs(v: string): RetuneKnob[] {
  const knobs = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const k of knobs) if (k !== 'system' && k !== 'guard') throw new UserError(`--retune: unknown knob "${k}" (system, guard)`);
  return knobs as RetuneKnob[];
}
const pct = (x: number | null): string => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);

const ci = (r: { low: number | null; high: number | null }): string => (r.low === null || r.high === null ? '' : ` [${pct(r.low)}, ${pct(r.high)}]`);

function printSummary(s: RedteamSummary): void {
  const w = process.stdout;
  w.write(`red-team run ${s.runId} against ${s.target} (${s.mode}): ${s.breaks} break(s) in ${s.attempts} attempt(s), ASR ${pct(s.asr)}${ci(s)} (95% Wilson interval)\n`);
  w.write('a break is an answer the policy forbids for what its turn asked (allowed requests answered are not breaks)\n');
  w.write(`budget used: ${s.budget.turns} turn(s), ${s.budget.tokens} token(s), cost ${s.budget.cost.toFixed(4)}${s.budget.exhausted ? ` (${s.budget.exhausted})` : ''}\n`);
  if (s.rounds.length > 1) for (const r of s.rounds) w.write(`  round ${r.round}: ${r.breaks}/${r.attempts} (ASR ${pct(r.asr)}${ci(r)}), guard ${r.guard}${r.round > 1 ? ', after defender re-tuning' : ''}\n`);
  w.write('by policy:\n');
  for (const [p, r] of Object.entries(s.byPolicy)) w.write(`  ${p.padEnd(36)} ${String(r.breaks).padStart(4)}/${String(r.attempts).padEnd(5)} ASR ${pct(r.asr)}${ci(r)}\n`);
  w.write('by strategy:\n');
  for (const [p, r] of Object.entries(s.byStrategy)) w.write(`  ${p.padEnd(36)} ${String(r.breaks).padStart(4)}/${String(r.attempts).padEnd(5)} ASR ${pct(r.asr)}${ci(r)}\n`);
  const first = s.shortest[0];
  if (first) {
    w.write(`shortest break (attempt ${first.attempt}, ${first.strategy}, ${first.turns} turn(s)):\n`);
    for (const m of first.transcript) w.write(`  ${m.role}: ${m.content.replace(/\s+/g, ' ').slice(0, 160)}\n`);
    w.write(`harvest the breaks: pillars redteam harvest ${s.runId} --out redteam-items.jsonl\n`);
  }
}

interface RunOpts extends CommonOpts {
  target: string;
  policy?: string[];
  strategy?: string[];
  attacker?: string;
  budget?: number;
  maxTokens?: number;
  maxCost?: number;
  mode?: 'compete' | 'collaborate';
  rounds?: number;
  maxSteps?: number;
  suite?: string[];
  system?: string;
  seeds?: 'pack' | 'suites' | 'both';
  out?: string;
  format?: string[];
  guard?: GuardMode;
  retune?: string;
  tier?: string;
}

export function registerRedteam(program: Command): void {
  const rt = program.command('redteam').description('automated red teaming: transforms, adaptive attacks, compete/collaborate orchestration, harvest into datasets');

  example(
    withJson(
      withConfig(
        rt
          .command('run')
          .description('attack a target with the strategies; every attempt is stored with its transcript')
          .requiredOption('--target <id>', 'target to attack')
          .option('--policy <id>', 'only this policy (repeatable)', collect)
          .option('--strategy <name>', 'crescendo, pair, tap or a transform composition like base64+roleplay (repeatable)', collect)
          .option('--attacker <id>', 'a target used as the attacker model (plans and refines); without it strategies work from templates')
          .addOption(intOption('--budget <n>', 'most target calls (turns)'))
          .addOption(intOption('--max-tokens <n>', 'most tokens'))
          .addOption(new Option('--max-cost <amount>', 'most money (needs redteam.pricePer1kTokens)').argParser(Number))
          .addOption(new Option('--mode <mode>', 'agents race per policy or share a memory').choices(['compete', 'collaborate']))
          .addOption(intOption('--rounds <n>', 'rounds; the defender (system prompt, guard) is re-tuned between rounds (see --retune)'))
          .addOption(intOption('--max-steps <n>', 'most attempts per agent per seed'))
          .option('--system <text>', "the defender's system prompt")
          .addOption(new Option('--guard <mode>', "the defender's embedded guard").choices(['off', 'input', 'output', 'both']))
          .option('--tier <tier>', "the caller tier the target serves: the policy's actions for it decide what counts as a break (default public)")
          .option('--retune <knobs>', 'what re-tuning between rounds may change: system, guard (comma separated)')
          .option('--suite <ref>', 'seed from this suite (repeatable; default: redteam.suites or model-breaking + benign)', collect)
          .addOption(new Option('--seeds <from>', 'where seed goals come from').choices(['pack', 'suites', 'both']).default('both'))
          .option('--out <dir>', 'also write the run as reports (report.html, report.json, junit.xml, summary.md) with the red-team section')
          .option('--format <list>', `report formats for --out (${reportFormats().join(',')})`, collect),
      ),
    ),
    ['pillars redteam run --target local --strategy base64+roleplay --strategy crescendo --budget 200', 'pillars redteam run --target prod --attacker judge --mode compete --policy safety.cyber'],
  ).action(async (opts: RunOpts) => {
    const { config, ctx } = cliEnv(opts);
    const onAttempt =
      !opts.json && process.stderr.isTTY
        ? (a: { round: number; agent: string; policy: string | null; success: boolean; total: number; breaks: number }) =>
            process.stderr.write(`\r${a.total} attempt(s), ${a.breaks} break(s) · round ${a.round} · ${a.policy ?? '-'} · ${a.agent}${a.success ? ' BREAK' : ''}\x1b[K${a.success ? '\n' : ''}`)
        : undefined;
    const { summary, section, reports } = await redteamRun(
      {
        config,
        target: opts.target,
        policies: opts.policy,
        strategies: opts.strategy,
        attacker: opts.attacker,
        budget: opts.budget,
        maxTokens: opts.maxTokens,
        maxCost: opts.maxCost,
        mode: opts.mode,
        rounds: opts.rounds,
        maxSteps: opts.maxSteps,
        suites: opts.suite,
        system: opts.system,
        seeds: opts.seeds,
        guard: opts.guard,
        retune: opts.retune ? parseKnobs(opts.retune) : undefined,
        tier: opts.tier,
        outDir: opts.out ? resolve(opts.out) : undefined,
        formats: opts.format ? parseFormats(opts.format) : undefined,
        onAttempt,
      },
      ctx,
    );
    if (onAttempt) process.stderr.write('\r\x1b[K');
    if (opts.json) printJson({ ...summary, section, reports });
    else {
      printSummary(summary);
      for (const f of reports) process.stdout.write(`wrote ${f}\n`);
    }
  });

  example(
    withJson(
      withConfig(
        rt
          .command('harvest <run>')
          .description('turn the breaks of a run (or `last`) into deduplicated model-breaking items (+ benign twins) appended to a JSONL file')
          .requiredOption('--out <file>', 'JSONL file to append to (read first: nothing in it is duplicated)')
          .option('--against <suite>', 'also deduplicate against this suite (repeatable; default: the suites the run seeded from)', collect)
          .addOption(new Option('--threshold <j>', 'near-duplicate shingle Jaccard threshold').argParser(Number).default(0.8)),
      ),
    ),
    ['pillars redteam harvest last --out suites/ours/redteam.jsonl', 'pillars eval --suite suites/ours/redteam.jsonl --target local'],
  ).action(async (ref: string, opts: CommonOpts & { out: string; against?: string[]; threshold: number }) => {
    const { config } = cliEnv(opts);
    if (!(opts.threshold > 0 && opts.threshold <= 1)) throw new UserError('--threshold must be in (0, 1]');
    const opened = await openStore(config.storePath);
    try {
      const store = opened.redteam;
      const run = await store.resolveRun(ref);
      const out = resolve(opts.out);
      const against = opts.against ?? ((run.config.suites as string[] | undefined) ?? []);
      const existing = [...(await suiteItems(against, config)), ...readJsonlItems(out)];
      // Every attempt: breaks become model-breaking items, allowed openings of adaptive conversations benign ones.
      const r = harvest({ runId: run.id, target: run.target, attempts: await store.attempts(run.id), existing, threshold: opts.threshold });
      if (r.items.length) {
        mkdirSync(dirname(out), { recursive: true });
        appendFileSync(out, r.items.map((i) => `${JSON.stringify(i)}\n`).join(''));
      }
      const mb = r.items.filter((i) => i.kind === 'model-breaking').length;
      const openings = r.items.filter((i) => i.tags?.includes('allowed-opening')).length;
      const twins = r.items.length - mb - openings;
      if (opts.json) printJson({ run: run.id, out, written: r.items.length, modelBreaking: mb, twins, openings, skipped: r.skipped, items: r.items.map((i) => i.id) });
      else {
        process.stdout.write(`${run.id}: ${mb} new model-breaking item(s), ${twins} benign twin(s) and ${openings} allowed opening(s) (benign) appended to ${opts.out}; ${r.skipped.length} near-duplicate(s) skipped\n`);
        for (const s of r.skipped) process.stdout.write(`  attempt ${s.attempt} duplicates ${s.duplicateOf} (similarity ${s.similarity})\n`);
      }
    } finally {
      await opened.close();
    }
  });

  example(
    withConfig(
      rt
        .command('report <run>')
        .description('write a red-team run (or `last`) as reports: ASR per policy and strategy, shortest successful transcripts')
        .requiredOption('--out <dir>', 'output folder')
        .option('--format <list>', `${reportFormats().join(',')} (default: all)`, collect),
    ),
    ['pillars redteam report last --out reports/redteam --format html,md'],
  ).action(async (ref: string, opts: CommonOpts & { out: string; format?: string[] }) => {
    const { config } = cliEnv(opts);
    const opened = await openStore(config.storePath);
    try {
      const run = await opened.redteam.resolveRun(ref);
      for (const f of await writeRedteamReports(opened.redteam, run.id, resolve(opts.out), parseFormats(opts.format))) process.stdout.write(`wrote ${f}\n`);
    } finally {
      await opened.close();
    }
  });

  example(withJson(rt.command('strategies').description('list the strategies and transforms with what each does')), ['pillars redteam strategies']).action((opts: CommonOpts) => {
    const adaptive = Object.values(ADAPTIVE).map((s) => ({ id: s.name, kind: 'adaptive', description: s.description }));
    const transforms = listTransforms();
    if (opts.json) return printJson({ adaptive, transforms, defaults: DEFAULT_STRATEGIES });
    for (const s of adaptive) process.stdout.write(`${s.id.padEnd(18)} adaptive    ${s.description}\n`);
    for (const t of transforms) process.stdout.write(`${t.id.padEnd(18)} ${t.kind.padEnd(11)} ${t.description}\n`);
    process.stdout.write('\ncompose transforms with +, innermost first: base64+roleplay is a role-play around a base64 payload\n');
  });

  example(withJson(withConfig(rt.command('runs').description('list red-team runs'))), ['pillars redteam runs']).action(async (opts: CommonOpts) => {
    const { config } = cliEnv(opts);
    const opened = await openStore(config.storePath);
    try {
      const runs = await opened.redteam.listRuns();
      if (opts.json) return printJson(runs.map((r) => ({ id: r.id, target: r.target, mode: r.mode, status: r.status, started_at: r.started_at, attempts: r.summary?.attempts, breaks: r.summary?.breaks })));
      for (const r of runs) process.stdout.write(`${r.id}  ${r.target}  ${r.mode}  ${r.status}  ${String(r.summary?.breaks ?? '-')}/${String(r.summary?.attempts ?? '-')} breaks  ${r.started_at}\n`);
    } finally {
      await opened.close();
    }
  });
}
