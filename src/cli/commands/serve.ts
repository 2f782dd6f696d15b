import cluster from 'node:cluster';
import type { Command } from 'commander';
import { section } from '../../config/load.js';
import { UserError } from '../../core/errors.js';
import { createLogger } from '../../core/context.js';
import { GatewayConfig } from '../../gateway/config.js';
import { createGateway } from '../../gateway/server.js';
import { redactPii } from '../../guard/index.js';
import { loadPack } from '../../policy/load.js';
import { describeStore, openStore } from '../../store/open.js';
import { redactUrl } from '../../store/pg/connect.js';
import { openGatewayBackend } from '../../gateway/backend.js';
import { createReviewApp, mountReviewApp } from '../../review/web/app.js';
import { cliEnv, example, intOption, withConfig, type CommonOpts } from '../shared.js';
import { wire } from '../../run/wiring.js';
import { wireRag } from '../rag.js';

/** `pillars serve`: the guardrail gateway in front of an OpenAI-compatible server. */
export function registerServe(program: Command): void {
  example(
    withConfig(
      program
        .command('serve')
        .description('run the guardrail gateway: an OpenAI-compatible proxy that checks input and output against the policy')
        .addOption(intOption('--port <port>', 'port to listen on (default: gateway.port, 8787)'))
        .option('--host <host>', 'address to listen on (default: gateway.host, 127.0.0.1)')
        .option('--upstream <url>', 'OpenAI-compatible base URL to forward to, e.g. http://127.0.0.1:8000/v1 (default: gateway.upstream)')
        .addOption(intOption('--workers <n>', 'processes sharing the port (default: gateway.workers, 1); one per core for throughput'))
        .option('--redis <url>', 'Redis shared by gateway instances, so per-key rate limits hold across all of them (default: gateway.redis)')
        .option('--no-ui', 'do not serve the review web app under /ui/'),
    ),
    [
      'pillars serve --upstream http://127.0.0.1:8000/v1 --port 8787',
      'pillars serve --config pillars.yaml --workers 2',
      'PILLARS_STORE=postgres://pillars@db/pillars pillars serve --redis redis://cache:6379 --port 8787   # one of several instances',
    ],
  ).action(async (opts: CommonOpts & { port?: number; host?: string; upstream?: string; workers?: number; ui?: boolean; redis?: string }) => {
    const { config } = cliEnv(opts);
    const gw = section(config, 'gateway', GatewayConfig.prefault({}));
    // The audit signing key path is relative to pillars.yaml, like every path in it.
    if (gw.audit.anchor && gw.audit.anchor.keyFile) gw.audit.anchor.keyFile = config.resolve(gw.audit.anchor.keyFile);
    if (opts.redis !== undefined) {
      if (!/^rediss?:\/\//.test(opts.redis)) throw new UserError(`--redis: "${opts.redis}" is not a redis:// URL (e.g. redis://127.0.0.1:6379)`);
      gw.redis = opts.redis;
    }
    const workers = opts.workers ?? gw.workers;
    if (workers < 1) throw new UserError('--workers: at least 1');
    const upstream = opts.upstream ?? gw.upstream;
    if (!upstream) throw new UserError('no upstream: pass --upstream URL or set gateway.upstream in pillars.yaml');
    try {
      new URL(upstream);
    } catch {
      throw new UserError(`--upstream: "${upstream}" is not a URL (e.g. http://127.0.0.1:8000/v1)`);
    }
    const upstreamApiKey = gw.upstreamApiKeyEnv ? process.env[gw.upstreamApiKeyEnv] : undefined;
    if (gw.upstreamApiKeyEnv && !upstreamApiKey) throw new UserError(`gateway.upstreamApiKeyEnv: the environment variable ${gw.upstreamApiKeyEnv} is not set`);

    const pack = loadPack(config.policyPath).pack;
    for (const t of gw.trustedTiers ?? []) {
      if (!pack.tiers.includes(t)) throw new UserError(`gateway.trustedTiers: unknown tier "${t}" (the pack defines: ${pack.tiers.join(', ')})`);
    }
    // Configuration is checked above (exit 2 from here); the gateway itself runs in worker
    // processes, even one, so it starts with a larger young generation: the classifier
    // allocates per call, and this saves ~15% of CPU per request.
    // The store must open (path, permissions, a damaged file) before any worker starts: exit 2 here.
    // (PostgreSQL: it answers, and its migrations are applied once, here.)
    if (cluster.isPrimary) await (await openStore(config.storePath)).close();
    if (cluster.isPrimary && (workers > 1 || !hasHeapFlag())) return supervise(workers);
    // The one configured guard (the same `guard classify`, eval and the red team use).
    // Stage 2 (sentence encoder) is opt-in here (guard.stage2: true); when on, its weights load
    // before the first request so that no request waits for them.
    const configured = wire(config, { pack, stage2Default: false }).guard;
    const base = configured.guard();
    await base.stage2?.warm();
    // Issue 18: plain-words categories behind the guard, grounding and scope on the chat route.
    const rag = wireRag(config, pack);
    const guard = rag.wrapGuard(base);
    await rag.warm();
    // The PII types the guard redacts (guard.redact) also apply to the rest of the conversation.
    const redactTypes = configured.settings.redact;
    const log = createLogger({ level: process.env.PILLARS_LOG ?? 'info' });
    const store = await openStore(config.storePath);
    const gateway = createGateway({
      guard,
      pack,
      backend: await openGatewayBackend(store),
      config: gw,
      upstream,
      upstreamApiKey,
      log,
      extensions: rag.extensions,
      redact: redactTypes.length === 0 ? undefined : (text) => redactPii(text, { types: redactTypes }),
    });
    // The review web app (src/review) answers under /ui/; every other path stays the gateway's.
    // On PostgreSQL every gateway instance serves the same reviewers (sessions live in the store).
    const ui = opts.ui !== false;
    if (ui) mountReviewApp(gateway.server, createReviewApp({ store, pack, log }));
    const { url } = await gateway.listen({ port: opts.port ?? gw.port, host: opts.host ?? gw.host });
    const where = describeStore(config.storePath);
    log.info({ url, upstream, store: where, redis: gw.redis ? redactUrl(gw.redis) : undefined, pack: `${pack.id}@${pack.version}` }, 'gateway listening');
    const banner = `pillars gateway on ${url} -> ${upstream} (pack ${pack.id} ${pack.version}, audit ${where}${gw.redis ? ', rate limits shared on Redis' : ''})${ui ? `; review app on ${url}/ui/` : ''}`;
    if (cluster.isWorker) process.send?.({ listening: banner });
    else process.stderr.write(`${banner}\n`);

    await new Promise<void>((resolve) => {
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        process.stderr.write(`pillars gateway: ${signal}, finishing requests and flushing the audit log\n`);
        gateway
          .close()
          .catch((e: unknown) => log.error({ err: (e as Error)?.message }, 'error while closing'))
          .finally(() => {
            // Records that could not be written are lost: say so loudly, and exit non-zero.
            const lost = gateway.audit?.pending ?? 0;
            if (lost > 0) {
              process.stderr.write(`pillars gateway: ERROR: ${lost} audit record${lost === 1 ? '' : 's'} could not be written to ${where} (${gateway.audit?.error ?? 'unknown error'}) and are lost; exit 1\n`);
              process.exitCode = 1;
            }
            store
              .close()
              .catch(() => {})
              .finally(resolve);
          });
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
    // A worker's IPC channel to the primary would keep it alive: let go once the audit is flushed.
    // (A worker's disconnect exits 0: with lost audit records it only lets go of the channel, keeping exit 1.)
    if (cluster.isWorker) {
      if (process.exitCode) process.channel?.unref();
      else process.disconnect?.();
    }
  });
}

/**
 * The primary of `--workers N`: forks N gateway processes sharing the port (node:cluster),
 * prints the banner once they all listen, forwards SIGINT/SIGTERM and waits for every worker
 * to finish its requests and flush its audit queue. The audit chain stays one chain: each
 * worker appends inside an IMMEDIATE transaction that reads the head first.
 */
const HEAP_FLAG = '--max-semi-space-size=32';
const hasHeapFlag = (): boolean => [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => a.includes('--max-semi-space-size'));

async function supervise(n: number): Promise<void> {
  let listening = 0;
  let stopping = false;
  if (!hasHeapFlag()) cluster.setupPrimary({ execArgv: [...process.execArgv, HEAP_FLAG] });
  const all = Array.from({ length: n }, () => cluster.fork());
  await new Promise<void>((resolve) => {
    let alive = n;
    for (const w of all) {
      w.on('message', (m: { listening?: string }) => {
        if (m?.listening && ++listening === n) process.stderr.write(`${m.listening} [${n} worker${n === 1 ? '' : 's'}]\n`);
      });
      w.on('exit', (code) => {
        alive -= 1;
        if (!stopping && code !== 0) {
          process.stderr.write(`pillars gateway: a worker exited (${code}); stopping\n`);
          stop('worker exit');
        }
        if (alive === 0) resolve();
      });
    }
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`pillars gateway: ${signal}, finishing requests and flushing the audit log\n`);
      for (const w of all) if (!w.isDead()) w.process.kill('SIGTERM');
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  // A worker that could not start exits with its own code (2: configuration): the primary says the same.
  const failed = all.map((w) => w.process.exitCode).find((c) => c !== 0);
  if (failed !== undefined) process.exitCode = failed === 2 ? 2 : 1;
}
