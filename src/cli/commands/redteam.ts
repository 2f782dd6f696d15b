import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { LoadedConfig } from '../../config/load.js';
import { UserError } from '../../core/errors.js';
import type { Item } from '../../core/types.js';
import { openSuite } from '../../datasets/index.js';
import { listTransforms } from '../../attacks/index.js';
import {
  ADAPTIVE,
  DEFAULT_STRATEGIES,
  harvest,
  loadRedteamConfig,
  readJsonlItems,
  redteamReport,
  redteamSection,
  defendedTarget,
  resolveStrategy,
  runRedteam,
  seedsFromItems,
  seedsFromPack,
  type GuardMode,
  type RetuneKnob,
  type RedteamSummary,
  type Seed,
} from '../../redteam/index.js';
import { openDb, type Db } from '../../store/db.js';
import { createRedteamStore } from '../../store/redteam.js';
import { parseFormats, reportFormats, writeReports } from '../../reports/index.js';
import { cliEnv, example, intOption, printJson, withConfig, withJson, type CommonOpts } from '../shared.js';
import { openFeatureEnv } from '../../run/feature-env.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

function parseKnobs(v: string): RetuneKnob[] {
  const knobs = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const k of knobs) if (k !== 'system' && k !== 'guard') throw new UserError(`--retune: unknown knob "${k}" (system, guard)`);
  return knobs as RetuneKnob[];
}
const pct = (x: number | null): string => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);

async function suiteItems(refs: string[], config: LoadedConfig): Promise<Item[]> {
  const out: Item[] = [];
  for (const ref of refs) {
    const s = await openSuite(ref, { config, tier: 'full', skipInvalid: true });
    for await (const it of s.items()) out.push(it);
  }
  return out;
}

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

async function writeRunReports(db: Db, runId: string, outDir: string, format: string[] | undefined): Promise<string[]> {
  const store = createRedteamStore(db);
  return writeReports({ data: redteamReport(store.getRun(runId), store.attempts(runId)), outDir, formats: parseFormats(format) });
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
    const rc = loadRedteamConfig(config);
    const env = openFeatureEnv(config);
    try {
      const strategies = opts.strategy ?? rc.strategies ?? DEFAULT_STRATEGIES;
      for (const s of strategies) resolveStrategy(s, ADAPTIVE); // fail fast on a bad name
      const target = env.target(opts.target);
      if (opts.tier !== undefined && !env.pack.tiers.includes(opts.tier)) throw new UserError(`--tier ${opts.tier}: the pack has no such tier (${env.pack.tiers.join(', ')})`);
      const attackerId = opts.attacker ?? rc.attacker;
      const attacker = attackerId ? env.target(attackerId) : undefined;
      const known = new Set(env.pack.policies.map((p) => p.id));
      for (const p of opts.policy ?? []) if (!known.has(p)) throw new UserError(`--policy ${p}: no such policy in the pack (${[...known].slice(0, 6).join(', ')}, ...)`);
      const suites = opts.suite ?? (rc.suites.length === 1 && rc.suites[0] === 'model-breaking' ? ['model-breaking', 'benign'] : rc.suites);
      const seeds: Seed[] = [];
      if (opts.seeds !== 'suites') seeds.push(...seedsFromPack(env.pack, { policies: opts.policy, perPolicy: rc.seedsPerPolicy }));
      if (opts.seeds !== 'pack') {
        const fromSuites = seedsFromItems(await suiteItems(suites, config), env.pack, { policies: opts.policy });
        // A few per policy, so every policy is attacked within the budget.
        const per = new Map<string, number>();
        for (const s of fromSuites) {
          const k = s.policy ?? '';
          if ((per.get(k) ?? 0) >= rc.seedsPerPolicy) continue;
          per.set(k, (per.get(k) ?? 0) + 1);
          seeds.push(s);
        }
      }
      if (seeds.length === 0) throw new UserError('no seed goals: check --policy, --suite and --seeds');
      const summary = await runRedteam(
        {
          target,
          judge: env.judge(),
          // A break must violate the policy for what its turn asked: seed goals by their labels, other turns read by the guard.
          pack: env.pack,
          guard: env.guard.guard(),
          tier: opts.tier ?? 'public',
          seeds,
          strategies,
          mode: opts.mode ?? rc.mode,
          budget: { turns: opts.budget ?? rc.budget.turns, tokens: opts.maxTokens ?? rc.budget.tokens, money: opts.maxCost ?? rc.budget.money, pricePer1kTokens: rc.pricePer1kTokens },
          attacker,
          defender: { system: opts.system ?? rc.defender?.system, guard: opts.guard ?? rc.defender?.guard ?? 'off' },
          retune: opts.retune ? parseKnobs(opts.retune) : rc.retune,
          wrapDefender: (t, d) => defendedTarget(t, d, env.guard),
          onAttempt:
            !opts.json && process.stderr.isTTY
              ? (a) => process.stderr.write(`\r${a.total} attempt(s), ${a.breaks} break(s) · round ${a.round} · ${a.policy ?? '-'} · ${a.agent}${a.success ? ' BREAK' : ''}\x1b[K${a.success ? '\n' : ''}`)
              : undefined,
          rounds: opts.rounds ?? rc.rounds,
          maxSteps: opts.maxSteps ?? rc.maxSteps,
          store: createRedteamStore(env.db),
          config: { suites: opts.seeds === 'pack' ? [] : suites, policies: opts.policy ?? [], seeds: opts.seeds },
        },
        ctx,
      );
      if (!opts.json && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
      const written = opts.out ? await writeRunReports(env.db, summary.runId, resolve(opts.out), opts.format) : [];
      if (opts.json) printJson({ ...summary, section: redteamSection(createRedteamStore(env.db).attempts(summary.runId)), reports: written });
      else {
        printSummary(summary);
        for (const f of written) process.stdout.write(`wrote ${f}\n`);
      }
    } finally {
      await env.close();
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
    const db = openDb(config.storePath);
    try {
      const store = createRedteamStore(db);
      const run = store.resolveRun(ref);
      const out = resolve(opts.out);
      const against = opts.against ?? ((run.config.suites as string[] | undefined) ?? []);
      const existing = [...(await suiteItems(against, config)), ...readJsonlItems(out)];
      // Every attempt: breaks become model-breaking items, allowed openings of adaptive conversations benign ones.
      const r = harvest({ runId: run.id, target: run.target, attempts: store.attempts(run.id), existing, threshold: opts.threshold });
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
      db.close();
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
    const db = openDb(config.storePath);
    try {
      const run = createRedteamStore(db).resolveRun(ref);
      for (const f of await writeRunReports(db, run.id, resolve(opts.out), opts.format)) process.stdout.write(`wrote ${f}\n`);
    } finally {
      db.close();
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

  example(withJson(withConfig(rt.command('runs').description('list red-team runs'))), ['pillars redteam runs']).action((opts: CommonOpts) => {
    const { config } = cliEnv(opts);
    const db = openDb(config.storePath);
    try {
      const runs = createRedteamStore(db).listRuns();
      if (opts.json) return printJson(runs.map((r) => ({ id: r.id, target: r.target, mode: r.mode, status: r.status, started_at: r.started_at, attempts: r.summary?.attempts, breaks: r.summary?.breaks })));
      for (const r of runs) process.stdout.write(`${r.id}  ${r.target}  ${r.mode}  ${r.status}  ${String(r.summary?.breaks ?? '-')}/${String(r.summary?.attempts ?? '-')} breaks  ${r.started_at}\n`);
    } finally {
      db.close();
    }
  });
}
