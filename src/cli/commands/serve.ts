import type { Command } from 'commander';
import { section } from '../../config/load.js';
import { UserError } from '../../core/errors.js';
import { createLogger } from '../../core/context.js';
import { GatewayConfig } from '../../gateway/config.js';
import { createGateway } from '../../gateway/server.js';
import { DEFAULT_REDACT, guardFromConfig, redactPii } from '../../guard/index.js';
import { loadPack } from '../../policy/load.js';
import { openDb } from '../../store/db.js';
import { buildTargets } from '../../targets/index.js';
import { cliEnv, example, intOption, withConfig, type CommonOpts } from '../shared.js';

/** `pillars serve`: the guardrail gateway in front of an OpenAI-compatible server. */
export function registerServe(program: Command): void {
  example(
    withConfig(
      program
        .command('serve')
        .description('run the guardrail gateway: an OpenAI-compatible proxy that checks input and output against the policy')
        .addOption(intOption('--port <port>', 'port to listen on (default: gateway.port, 8787)'))
        .option('--host <host>', 'address to listen on (default: gateway.host, 127.0.0.1)')
        .option('--upstream <url>', 'OpenAI-compatible base URL to forward to, e.g. http://127.0.0.1:8000/v1 (default: gateway.upstream)'),
    ),
    ['pillars serve --upstream http://127.0.0.1:8000/v1 --port 8787', 'pillars serve --config pillars.yaml'],
  ).action(async (opts: CommonOpts & { port?: number; host?: string; upstream?: string }) => {
    const { config } = cliEnv(opts);
    const gw = section(config, 'gateway', GatewayConfig.prefault({}));
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
    const guardRaw = config.raw.guard as { cascade?: unknown } | undefined;
    const guard = guardFromConfig(config, guardRaw?.cascade ? buildTargets({ config }) : undefined);
    const log = createLogger({ level: process.env.PILLARS_LOG ?? 'info' });
    const db = openDb(config.storePath);
    const gateway = createGateway({
      guard,
      pack,
      db,
      config: gw,
      upstream,
      upstreamApiKey,
      log,
      redact: (text) => redactPii(text, { types: DEFAULT_REDACT }),
    });
    const { url } = await gateway.listen({ port: opts.port ?? gw.port, host: opts.host ?? gw.host });
    log.info({ url, upstream, store: config.storePath, pack: `${pack.id}@${pack.version}` }, 'gateway listening');
    process.stderr.write(`pillars gateway on ${url} -> ${upstream} (pack ${pack.id} ${pack.version}, audit ${config.storePath})\n`);

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
            db.close();
            resolve();
          });
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
  });
}
