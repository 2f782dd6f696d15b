import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { UserError } from '../../core/errors.js';
import { loadPack } from '../../policy/load.js';
import { VIEW_DEFAULT_PORT } from '../../reports/html.js';
import { startViewServer, type ViewServer } from '../../review/web/view-app.js';
import { describeStore, openStore, storeBackend } from '../../store/open.js';
import { cliEnv, example, intOption, printJson, withConfig, withJson, type CommonOpts } from '../shared.js';

/** `pillars view [RUN...]`: the local, read-only run viewer (src/review/web/view-app.ts). */

interface ViewOpts extends CommonOpts {
  port: number;
  host: string;
}

/** policy id → regulations from the configured pack (best effort: the viewer works without a pack). */
function packRegulations(policyPath: string): Map<string, string[]> | null {
  try {
    return new Map(loadPack(policyPath).pack.policies.map((p) => [p.id, p.regulations.map(String)]));
  } catch {
    return null;
  }
}

export function registerView(program: Command): void {
  const cmd = program
    .command('view')
    .argument('[runs...]', 'run ids (or `last`): one opens that run, two or more open them side by side; none lists every run')
    .description('browse runs in a local web viewer: every item with prompt, answer and judges; filters by pillar, policy, regulation, verdict and judge; runs side by side with flips highlighted (read-only, no sign-in; Ctrl-C stops)')
    .addOption(intOption('--port <n>', `port to listen on (0 picks a free one)`, VIEW_DEFAULT_PORT))
    .option('--host <host>', 'address to listen on (the viewer has no sign-in: keep it local)', '127.0.0.1');
  example(withJson(withConfig(cmd)), ['pillars view', 'pillars view last', 'pillars view 20260101-120000-ab12 20260102-090000-cd34 --port 7601']).action(async (runs: string[], opts: ViewOpts) => {
    const { config, ctx } = cliEnv(opts);
    if (storeBackend(config.storePath) === 'sqlite' && !existsSync(config.storePath)) throw new UserError(`no store at ${config.storePath}: run \`npx pillars eval\` first`, { code: 'not_found' });
    const store = await openStore(config.storePath);
    let srv: ViewServer;
    try {
      const ids: string[] = [];
      for (const r of runs) ids.push((await store.runs.resolveRun(r)).id);
      srv = await startViewServer({ store, regulations: packRegulations(config.policyPath), host: opts.host, port: opts.port }).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'EADDRINUSE') throw new UserError(`port ${opts.port} is in use: pass --port N (0 picks a free one)`, { code: 'usage' });
        if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') throw new UserError(`--host ${opts.host}: cannot listen on that address`, { code: 'usage' });
        throw e;
      });
      const path = ids.length === 0 ? '/' : ids.length === 1 ? `/runs/${encodeURIComponent(ids[0]!)}` : `/compare?${ids.map((id) => `run=${encodeURIComponent(id)}`).join('&')}`;
      const url = `${srv.origin}${path}`;
      if (opts.json) printJson({ url, runs: ids });
      else process.stdout.write(`pillars view: ${url}\n(read-only, store ${describeStore(config.storePath)}; Ctrl-C stops)\n`);
    } catch (e) {
      await store.close();
      throw e;
    }
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGTERM', stop);
        void srv
          .close()
          .then(() => store.close())
          .catch(() => undefined)
          .finally(() => resolve());
      };
      if (ctx.signal.aborted) return stop();
      ctx.signal.addEventListener('abort', stop, { once: true });
      process.once('SIGTERM', stop);
    });
  });
}
