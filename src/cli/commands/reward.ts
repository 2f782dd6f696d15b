import type { Command } from 'commander';
import { tracingFromEnv } from '../../core/trace.js';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { LoadedConfig } from '../../config/load.js';
import { UserError } from '../../core/errors.js';
import { loadPack } from '../../policy/load.js';
import {
  buildCorpus,
  builtinPrefsPath,
  createRewardScorer,
  createRubricJudge,
  createScorerPool,
  guardForRewards,
  loadRewardSection,
  parseFieldMap,
  rewardItemOf,
  RewardFeaturizer,
  rewardModelOrDefault,
  saveRewardModel,
  startRewardServer,
  trainRewardModel,
} from '../../rewards/index.js';
import { buildTargets } from '../../targets/index.js';
import { cliEnv, example, intOption, printJson, readStdin, withConfig, withJson, type CommonOpts } from '../shared.js';

interface TrainOpts extends CommonOpts {
  prefs?: string[];
  shared?: string;
  packResponses?: boolean;
  skipInvalid?: boolean;
  map?: string[];
  out?: string;
  seed?: number;
  epochs?: number;
  testShare?: string;
  guardModel?: string;
}

interface ServeOpts extends CommonOpts {
  threads?: number;
  port?: number;
  host?: string;
  model?: string;
}

interface ScoreOpts extends CommonOpts {
  in: string;
  model?: string;
}

/** The scorer as configured: reward model (file or trained at start), rubric judge target, penalty. */
function buildScorer(config: LoadedConfig, modelFlag: string | undefined, opts: { judge: boolean }) {
  const section = loadRewardSection(config);
  const pack = loadPack(config.policyPath).pack;
  const guard = guardForRewards();
  const path = modelFlag ? config.resolve(modelFlag) : section.model ? config.resolve(section.model) : undefined;
  const { model, source, warnings } = rewardModelOrDefault({ path, guard });
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  const targets = buildTargets({ config, pack });
  let judge = null;
  if (opts.judge && section.judge.target && section.judge.when !== 'never') {
    const t = targets.get(section.judge.target);
    if (!t) throw new UserError(`reward.judge.target: no target "${section.judge.target}" (configured: ${[...targets.keys()].join(', ')})`, { code: 'config' });
    judge = createRubricJudge({ target: t, retries: section.judge.retries });
  }
  const scorer = createRewardScorer({ model, featurizer: new RewardFeaturizer(guard.model, pack), config: section, judge });
  return { section, model, source, warnings, judge, scorer, close: async () => { for (const t of targets.values()) await t.close?.(); } };
}

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];
const pct = (v: number | null): string => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);

export function registerReward(program: Command): void {
  const reward = program.command('reward').description('auxiliary reward model (Bradley-Terry on preference pairs), rubric judge rewards and the reward server for RLHF');

  const train = reward
    .command('train')
    .description('train a Bradley-Terry reward model on preference pairs (ours, public preference files, pairs derived from labelled responses) with the embedded feature engine; reports held-out pairwise accuracy per source')
    .option('--prefs <file>', 'preference JSONL ({prompt, chosen, rejected}, optional aspect: helpfulness|adherence, split: train|test); repeatable (default: the built-in data/prefs/pillars-prefs.jsonl)', collect)
    .option('--shared <dir>', 'public training folder: adds its preferences/*.jsonl and pairs derived from its responses/*.jsonl (read, never copied)')
    .option('--pack-responses', "add pairs derived from the pack's labelled responses (the ladder's action for the prompt decides which response is better)")
    .option('--skip-invalid', 'report bad rows (FILE:LINE: reason) and skip them instead of rejecting the file')
    .option('--map <field=path>', 'read a field of the --prefs files from another place (repeatable): e.g. --map chosen=answers.0; hh-rlhf transcripts are split automatically', collect)
    .option('--out <file>', 'model file to write (default: .pillars/reward-model.json)')
    .addOption(intOption('--seed <n>', 'seed (same data + seed → byte-identical model file)', 1))
    .addOption(intOption('--epochs <n>', 'passes over the data (default 8)'))
    .option('--test-share <x>', 'share of prompts held out when rows carry no split (default 0.2; by a hash of the prompt, the same for every file)')
    .option('--guard-model <file>', 'classifier model the features come from (default: the shipped guard model)');
  example(withJson(withConfig(train)), [
    'pillars reward train --prefs data/prefs/pillars-prefs.jsonl --out rm.json',
    'pillars reward train --shared ../shared/training --pack-responses --out models/reward-default.json   # = npm run reward:build',
    'pillars reward train --prefs hh-rlhf.jsonl --map chosen=chosen --map rejected=rejected --skip-invalid --seed 7',
  ]).action(async (opts: TrainOpts) => {
    const { config } = cliEnv(opts);
    const pack = loadPack(config.policyPath).pack;
    const testShare = opts.testShare === undefined ? undefined : Number(opts.testShare);
    if (testShare !== undefined && !(testShare >= 0 && testShare < 1)) throw new UserError(`--test-share: ${opts.testShare} is not a share in [0, 1)`, { code: 'usage' });
    if (opts.shared !== undefined && !existsSync(resolve(opts.shared))) throw new UserError(`--shared ${opts.shared}: no such folder`, { code: 'usage' });
    const map = parseFieldMap(opts.map);
    const prefs = (opts.prefs ?? [builtinPrefsPath]).map((file) => ({ file, source: file === builtinPrefsPath ? 'ours' : undefined }));
    const seed = opts.seed ?? 1;
    const parts = buildCorpus({ prefs, map, shared: opts.shared === undefined ? undefined : resolve(opts.shared), pack: opts.packResponses ? pack : undefined, seed, skipInvalid: opts.skipInvalid });
    const skipped = parts.flatMap((p) => p.skipped);
    for (const p of skipped) process.stderr.write(`${p.file}:${p.line}: ${p.message} (skipped)\n`);
    const guard = guardForRewards(opts.guardModel);
    const { model, report } = trainRewardModel({ pairs: parts.flatMap((p) => p.pairs), guardModel: guard.model, guardSha256: guard.sha256, pack, seed, options: { epochs: opts.epochs, testShare } });
    const out = config.resolve(opts.out ?? '.pillars/reward-model.json');
    mkdirSync(dirname(out), { recursive: true });
    saveRewardModel(model, out);
    if (opts.json) {
      printJson({ model: out, heads: model.heads.map((h) => h.name), report, skipped: skipped.map((p) => `${p.file}:${p.line}: ${p.message}`) });
      return;
    }
    process.stdout.write(`reward model: ${out}\n`);
    process.stdout.write(`heads: ${model.heads.map((h) => h.name).join(', ')}\n`);
    process.stdout.write(`pairs: ${report.pairs.train} train, ${report.pairs.test} held out${skipped.length ? `; ${skipped.length} invalid row(s) skipped` : ''}\n`);
    process.stdout.write(`pairwise accuracy: held-out ${pct(report.heldOutAccuracy)} (train ${pct(report.trainAccuracy)}; guard-signal baseline ${pct(report.baselineAccuracy ?? null)})\n`);
    for (const [name, h] of Object.entries(report.perHead)) process.stdout.write(`  ${name}: held-out ${pct(h.heldOutAccuracy)} on ${h.test} pairs (train ${pct(h.trainAccuracy)} on ${h.train})\n`);
    for (const [src, h] of Object.entries(report.bySource ?? {})) process.stdout.write(`  ${src.padEnd(36)} held-out ${pct(h.heldOutAccuracy)} on ${h.test} pairs (train ${pct(h.trainAccuracy)} on ${h.train})\n`);
  });

  const serve = reward
    .command('serve')
    .description('serve rewards over HTTP: POST /get_reward (OpenRLHF remote RM), POST /v1/reward (per-component scores), GET /healthz; stops on SIGINT/SIGTERM')
    .addOption(intOption('--port <n>', 'port (default: reward.server.port, else 8700; 0 picks a free one)'))
    .option('--host <host>', 'interface to listen on (default 127.0.0.1)')
    .option('--model <file>', 'reward model file (default: reward.model, else the shipped models/reward-default.json)')
    .addOption(intOption('--threads <n>', 'scoring threads (reward model + penalty; with a judge configured, scoring stays on one thread)', 1));
  example(withConfig(serve), ['pillars reward serve --port 8700 --model rm.json', 'curl -s localhost:8700/get_reward -d \'{"query":["Q A"],"prompts":["Q "]}\'']).action(async (opts: ServeOpts) => {
    const { config, ctx } = cliEnv(opts);
    const { section, model, source, warnings, judge, scorer, close } = buildScorer(config, opts.model, { judge: true });
    const threads = opts.threads ?? 1;
    const pool = threads > 1 && !judge ? await createScorerPool({ threads, model, policyPath: config.policyPath, config: section }) : null;
    const port = opts.port ?? section.server.port;
    const host = opts.host ?? section.server.host;
    // OpenTelemetry traces when OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT or PILLARS_OTLP_ENDPOINT is set.
    const tracing = tracingFromEnv('pillars-reward');
    const srv = await startRewardServer({
      scorer: pool ?? scorer,
      model,
      ctx,
      port,
      host,
      maxBodyBytes: section.server.maxBodyBytes,
      info: { model: source, warnings, judge: judge ? `${judge.target.id} (${section.judge.when})` : null, threads: pool?.threads ?? 1 },
      tracing,
    }).catch(async (e: unknown) => {
      await pool?.close();
      const code = (e as { code?: string }).code;
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') throw new UserError(`--port: cannot listen on ${host}:${port} (${code})`, { code: 'usage' });
      throw e;
    });
    process.stderr.write(`reward server on ${srv.url} (model ${source}; judge ${judge ? judge.target.id : 'none'})\n`);
    process.stdout.write(`${JSON.stringify({ url: srv.url, port: srv.port })}\n`);
    await new Promise<void>((resolve) => {
      const stop = (): void => resolve();
      process.once('SIGTERM', stop);
      ctx.signal.addEventListener('abort', stop, { once: true });
    });
    await srv.close();
    await tracing.shutdown();
    await pool?.close();
    await close();
  });

  const score = reward
    .command('score')
    .description('score JSONL rows with the reward model (+ judge and penalty as configured); one JSON line per row. The prompt is read as /get_reward reads it: text, chat-templated text or a message list')
    .requiredOption('--in <file>', 'JSONL of {prompt, response} (prompt: text, chat-templated text or [{role, content}]), {messages, response} or OpenRLHF {query, prompt?}; - for stdin')
    .option('--model <file>', 'reward model file (default: reward.model, else the shipped models/reward-default.json)');
  example(withConfig(score), ['pillars reward score --in samples.jsonl --model rm.json', 'echo \'{"prompt":"<|im_start|>user\\nHi<|im_end|>\\n","response":"Hello!"}\' | pillars reward score --in -']).action(async (opts: ScoreOpts) => {
    const { config, ctx } = cliEnv(opts);
    let text: string;
    try {
      text = opts.in === '-' ? await readStdin() : readFileSync(opts.in, 'utf8');
    } catch {
      throw new UserError(`${opts.in}: file not found`, { code: 'not_found' });
    }
    const items = text
      .split('\n')
      .map((l, i) => ({ l, i }))
      .filter(({ l }) => l.trim())
      .map(({ l, i }) => {
        let row: unknown;
        try {
          row = JSON.parse(l);
        } catch (e) {
          throw new UserError(`${opts.in}:${i + 1}:1: invalid JSON: ${(e as Error).message}`, { code: 'dataset_invalid' });
        }
        const r = rewardItemOf(row);
        if ('error' in r) throw new UserError(`${opts.in}:${i + 1}:1: ${r.error}`, { code: 'dataset_invalid' });
        return r;
      });
    const { scorer, close } = buildScorer(config, opts.model, { judge: true });
    const out = await scorer.score(items, ctx);
    await close();
    process.stdout.write(out.map((r) => JSON.stringify(r)).join('\n') + (out.length ? '\n' : ''));
  });
}
