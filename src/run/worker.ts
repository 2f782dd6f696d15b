import type { LoadedConfig } from '../config/load.js';
import type { Ctx } from '../core/types.js';
import { startEvalWorker } from '../eval/queue.js';
import { prepareEval, requireTarget, settingsFor } from './eval-env.js';

/**
 * `pillars worker --queue URL`: the eval environment from the config (targets, judges, store), and
 * a BullMQ worker answering eval jobs into the store until `stop()`.
 */
export interface RunningWorker {
  stop(): Promise<void>;
}

export async function startWorker(config: LoadedConfig, input: { queue: string; concurrency: number; judge?: 'pipeline' | 'assertion' }, ctx: Ctx): Promise<RunningWorker> {
  const env = await prepareEval(config, { judge: input.judge });
  const { worker, close } = startEvalWorker(
    input.queue,
    {
      store: env.store,
      resolve: (id) => ({ target: requireTarget(env, id).target, settings: settingsFor(env, id), judge: env.judge }),
    },
    ctx,
    { concurrency: input.concurrency },
  );
  // Each distinct error once (a Redis that does not answer would otherwise log in a tight loop).
  const seen = new Set<string>();
  worker.on('error', (e) => {
    if (seen.has(e.message)) return;
    seen.add(e.message);
    ctx.log.error({ err: e.message }, 'queue worker error');
  });
  await worker.waitUntilReady();
  return {
    async stop() {
      await close();
      await env.close();
    },
  };
}
