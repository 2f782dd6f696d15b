import { Option, type Command } from 'commander';
import { runSparseProbes, SPARSE_PROBES } from '../../data/sparse.js';
import { UserError } from '../../core/errors.js';
import { readTexts } from '../../data/corpus.js';
import { domainTexts, probePerplexity, type PerplexityMode } from '../../data/perplexity.js';
import { loadPack } from '../../policy/load.js';
import { openStore } from '../../store/open.js';
import { buildTargets, targetConfigs, type TargetConfig } from '../../targets/index.js';
import { readKey } from '../../targets/util.js';
import { cliEnv, example, printJson, withConfig, withJson, type CommonOpts } from '../shared.js';
import { guardModel } from '../../run/wiring.js';

interface PplOpts extends CommonOpts {
  target: string;
  domain: string;
  file?: string;
  mode?: PerplexityMode;
  version?: string;
}

/** The echo endpoint of an OpenAI-compatible target (with its key), or undefined. */
export function echoInfo(cfg: TargetConfig | undefined): { baseUrl: string; model: string; headers?: Record<string, string> } | undefined {
  if (!cfg || !('type' in cfg) || cfg.type !== 'openai') return undefined;
  const key = readKey(cfg.id, cfg.apiKeyEnv, false);
  return { baseUrl: cfg.baseUrl, model: cfg.model, headers: { ...(cfg.headers ?? {}), ...(key ? { authorization: `Bearer ${key}` } : {}) } };
}

export function versionOf(cfg: TargetConfig | undefined, id: string): string {
  return cfg && 'model' in cfg && typeof cfg.model === 'string' ? cfg.model : id;
}

export function registerProbe(program: Command): void {
  const probe = program.command('probe').description('pretraining probes: perplexity on RAI domains from token log-probabilities, and sparse refusal/deflection probes');

  const ppl = probe
    .command('perplexity')
    .description('perplexity exp(-mean logprob) of a target on RAI-domain text; stored per model version and compared with earlier versions')
    .requiredOption('--target <id>', 'target id from pillars.yaml (must return log-probabilities)')
    .requiredOption('--domain <topic>', 'policy topic (e.g. cyber) or policy id; names the result and, without --file, picks the built-in text')
    .option('--file <file>', 'text to score: JSONL rows with `text`, or plain text / Markdown (paragraphs)')
    .addOption(new Option('--mode <mode>', 'echo (score the text itself), continuation (forced repeat), auto').choices(['auto', 'echo', 'continuation']).default('auto'))
    .option('--version <name>', 'model version label stored with the result (default: the target\'s model name)');
  example(withJson(withConfig(ppl)), ['pillars probe perplexity --target ckpt-2000 --domain cyber', 'pillars probe perplexity --target local --domain self_harm --file rai-texts.md --version v3']).action(async (opts: PplOpts) => {
    const { config, ctx } = cliEnv(opts);
    const pack = loadPack(config.policyPath).pack;
    const targets = buildTargets({ config, pack });
    const target = targets.get(opts.target);
    if (!target) throw new UserError(`--target: no target "${opts.target}" (configured: ${[...targets.keys()].join(', ')})`, { code: 'usage' });
    const cfg = targetConfigs(config).find((c) => c.id === opts.target);
    const texts = opts.file ? readTexts(opts.file) : domainTexts(pack, opts.domain);
    if (texts.length === 0) throw new UserError(opts.file ? `${opts.file}: no text to score` : `--domain: no policy of pack ${pack.id} has topic or id "${opts.domain}" (give --file)`, { code: 'usage' });
    const opened = await openStore(config.storePath);
    try {
      const result = await probePerplexity({ target, domain: opts.domain, texts, mode: opts.mode, echo: echoInfo(cfg) }, ctx);
      if (!Number.isFinite(result.perplexity)) throw new UserError(`target ${opts.target}: no scored tokens`, { code: 'target_unreachable' });
      const store = opened.probes;
      const version = opts.version ?? versionOf(cfg, opts.target);
      await store.add({ kind: 'perplexity', target: opts.target, version, domain: opts.domain, value: result.perplexity, n: result.tokens, detail: { mode: result.mode, texts: result.texts.map((t) => ({ tokens: t.tokens, perplexity: t.perplexity, mode: t.mode })) } });
      const history = await store.latestByVersion('perplexity', opts.domain);
      if (opts.json) {
        printJson({ target: opts.target, version, ...result, history: history.map((h) => ({ version: h.version, target: h.target, perplexity: h.value, tokens: h.n, at: h.createdAt })) });
        return;
      }
      process.stdout.write(`perplexity of ${opts.target} (${version}) on ${opts.domain}: ${result.perplexity.toFixed(4)} over ${result.tokens} tokens in ${texts.length} text(s) [${result.mode}]\n`);
      if (history.length > 1) {
        process.stdout.write('\nversion comparison (latest result per version):\n');
        const base = history[0]!.value;
        for (const h of history) process.stdout.write(`  ${h.version.padEnd(24)} ${h.value.toFixed(4).padStart(10)}  ${h === history[0] ? '' : `${h.value <= base ? '' : '+'}${(((h.value - base) / base) * 100).toFixed(1)}% vs ${history[0]!.version}`}\n`);
      }
    } finally {
      await opened.close();
      for (const t of targets.values()) await t.close?.();
    }
  });

  const sparse = probe
    .command('sparse')
    .description('refusal/deflection probes in unseen phrasings with 0, 1 or 3 worked examples, scored by the refusal judge (generalisation of RAI behaviour)')
    .requiredOption('--target <id>', 'target id from pillars.yaml')
    .addOption(new Option('--shots <n>', 'worked examples before each probe: 0, 1, 3, or all (runs each)').choices(['0', '1', '3', 'all']).default('all'))
    .option('--version <name>', 'model version label stored with the result (default: the target\'s model name)');
  example(withJson(withConfig(sparse)), ['pillars probe sparse --target ckpt-2000', 'pillars probe sparse --target local --shots 0 --json']).action(async (opts: CommonOpts & { target: string; shots: string; version?: string }) => {
    const { config, ctx } = cliEnv(opts);
    const pack = loadPack(config.policyPath).pack;
    const targets = buildTargets({ config, pack });
    const target = targets.get(opts.target);
    if (!target) throw new UserError(`--target: no target "${opts.target}" (configured: ${[...targets.keys()].join(', ')})`, { code: 'usage' });
    const cfg = targetConfigs(config).find((c) => c.id === opts.target);
    const version = opts.version ?? versionOf(cfg, opts.target);
    const shotList = (opts.shots === 'all' ? [0, 1, 3] : [Number(opts.shots)]) as (0 | 1 | 3)[];
    const model = guardModel(config);
    const opened = await openStore(config.storePath);
    try {
      const store = opened.probes;
      const results = [];
      for (const shots of shotList) {
        const r = await runSparseProbes({ target, model, shots }, ctx);
        await store.add({ kind: 'sparse', target: opts.target, version, domain: `shots-${shots}`, value: r.passRate, n: r.total, detail: { byExpected: r.byExpected, rows: r.rows.map(({ response: _r, ...rest }) => rest) } });
        results.push(r);
      }
      if (opts.json) {
        printJson({ target: opts.target, version, probes: SPARSE_PROBES.length, results });
        return;
      }
      process.stdout.write(`sparse probes for ${opts.target} (${version}): ${SPARSE_PROBES.length} held-out requests in unseen phrasings\n`);
      for (const r of results) {
        const parts = Object.entries(r.byExpected).map(([e, b]) => `${e} ${b.passed}/${b.total}`).join(', ');
        process.stdout.write(`  ${r.shots}-shot: ${(r.passRate * 100).toFixed(1)}% pass (${parts})\n`);
      }
      const zero = results.find((r) => r.shots === 0);
      const most = results.at(-1)!;
      if (zero && most !== zero) process.stdout.write(`generalisation: ${(zero.passRate * 100).toFixed(1)}% with nothing taught in context; ${most.shots} examples ${most.passRate >= zero.passRate ? 'add' : 'lose'} ${Math.abs((most.passRate - zero.passRate) * 100).toFixed(1)} points\n`);
      const failed = results.flatMap((r) => r.rows.filter((x) => !x.passed).map((x) => `${r.shots}-shot ${x.id} (${x.style}): expected ${x.expected}, got ${x.label}`));
      if (failed.length) process.stdout.write(`failures:\n${failed.map((f) => `  ${f}`).join('\n')}\n`);
    } finally {
      await opened.close();
      for (const t of targets.values()) await t.close?.();
    }
  });
}
