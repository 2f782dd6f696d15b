import { Option, type Command } from 'commander';
import { startWorker } from '../../run/worker.js';
import { cliEnv, example, intOption, withConfig, type CommonOpts } from '../shared.js';

/** `pillars worker --queue URL`: answer the items that `pillars eval --queue URL` enqueues. */
export function registerWorker(program: Command): void {
  example(
    withConfig(
      program
        .command('worker')
        .description('take eval jobs from a queue (BullMQ on Redis), ask the target, judge and write the results into the store; run any number, anywhere with the config')
        .requiredOption('--queue <url>', 'redis://HOST:PORT, the same as `pillars eval --queue`')
        .addOption(intOption('--concurrency <n>', 'jobs taken at once (each asks with the eval\'s --concurrency)', 1))
        .addOption(new Option('--judge <kind>', 'judges: the configured pipeline, or assertion (must match the coordinator)').choices(['pipeline', 'assertion'])),
    ),
    ['pillars worker --queue redis://127.0.0.1:6379 --concurrency 4', 'PILLARS_STORE=postgres://pillars@db/pillars pillars worker --queue redis://redis:6379'],
  ).action(async (opts: CommonOpts & { queue: string; concurrency: number; judge?: 'pipeline' | 'assertion' }) => {
    const { config, ctx } = cliEnv(opts);
    const worker = await startWorker(config, { queue: opts.queue, concurrency: opts.concurrency, judge: opts.judge }, ctx);
    process.stderr.write(`pillars worker: taking jobs from ${opts.queue.replace(/\/\/[^@/]*@/, '//***@')} (concurrency ${opts.concurrency}); Ctrl-C stops after the running jobs\n`);
    await new Promise<void>((resolve) => {
      const stop = (): void => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await worker.stop();
  });
}
