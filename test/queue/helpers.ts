import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { REDIS_HOST } from '../helpers/services.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

/**
 * A queue URL on a Redis database from `dbs` (each queue test file has its own range, so files
 * running at once never take each other's jobs; the random pick keeps two test runs apart).
 */
export function queueUrl(dbs: number[]): string {
  return `redis://${REDIS_HOST}/${dbs[randomBytes(1)[0]! % dbs.length]!}`;
}

/** Starts a `pillars worker` process (tsx, from the sources) and resolves once it takes jobs. */
export function startWorkerProcess(args: { queue: string; config: string; cwd: string; extra?: string[] }, workers: ChildProcess[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const w = spawn(process.execPath, ['--import', TSX, join(ROOT, 'src', 'cli', 'main.ts'), 'worker', '--queue', args.queue, '--config', args.config, '--judge', 'assertion', ...(args.extra ?? [])], {
      cwd: args.cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    workers.push(w);
    let err = '';
    w.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('taking jobs')) resolve(w);
    });
    w.once('exit', (code) => reject(new Error(`worker exited ${code}: ${err}`)));
  });
}

/** Stops worker processes: SIGTERM (running jobs finish), SIGKILL after `graceMs`. */
export async function stopWorkers(workers: ChildProcess[], graceMs = 5000): Promise<void> {
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.exitCode !== null || w.signalCode !== null) return resolve();
          const t = setTimeout(() => w.kill('SIGKILL'), graceMs);
          w.once('exit', () => (clearTimeout(t), resolve()));
          w.kill('SIGTERM');
        }),
    ),
  );
}

/** The most timestamps (ms) falling in any window [t, t + windowMs). */
export function maxInWindow(times: number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  let j = 0;
  for (let i = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}
