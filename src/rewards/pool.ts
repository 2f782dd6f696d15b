import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Ctx } from '../core/types.js';
import type { RewardSection } from './config.js';
import type { RewardModel } from './model.js';
import type { RewardItem, RewardResult, RewardScorer, ScoreOptions } from './scorer.js';

/**
 * A pool of scoring threads (reward model + penalty, no judge): a batch is cut into one slice per
 * thread and scored in parallel; results come back in order. Each thread holds its own copy of the
 * models (about 60 MB). Used by `pillars reward serve --threads N` when no judge is configured.
 */

/** tsx's loader API, resolved from this package (only when running from sources). */
function tsxApi(): string {
  const meta = import.meta as ImportMeta & { resolve?: (s: string) => string };
  if (typeof meta.resolve === 'function') return meta.resolve('tsx/esm/api');
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
}

export interface ScorerPool extends RewardScorer {
  readonly threads: number;
  close(): Promise<void>;
}

interface Pending {
  resolve: (r: RewardResult[]) => void;
  reject: (e: Error) => void;
}

export async function createScorerPool(input: { threads: number; model: RewardModel; policyPath: string; guardModelPath?: string; config: RewardSection; minSlice?: number }): Promise<ScorerPool> {
  const isTs = import.meta.url.endsWith('.ts');
  const file = new URL(isTs ? './pool-worker.ts' : './pool-worker.js', import.meta.url);
  const data = { model: input.model.serialize(), policyPath: input.policyPath, guardModelPath: input.guardModelPath, config: input.config };
  const pending = new Map<number, Pending>();
  let seq = 0;
  const workers = await Promise.all(
    Array.from(
      { length: Math.max(1, input.threads) },
      () =>
        new Promise<Worker>((resolve, reject) => {
          // From sources (tests, benchmarks under tsx) the thread registers tsx's loader first.
          const w = isTs
            ? new Worker(`import(${JSON.stringify(tsxApi())}).then((m) => { m.register(); return import(${JSON.stringify(file.href)}); });`, { eval: true, workerData: data })
            : new Worker(file, { workerData: data });
          w.once('error', reject);
          w.on('message', (m: { ready?: boolean; id?: number; results?: RewardResult[]; error?: string }) => {
            if (m.ready) {
              w.off('error', reject);
              w.on('error', (e) => {
                for (const p of pending.values()) p.reject(e);
                pending.clear();
              });
              resolve(w);
              return;
            }
            const p = pending.get(m.id!);
            if (!p) return;
            pending.delete(m.id!);
            if (m.error !== undefined) p.reject(new Error(m.error));
            else p.resolve(m.results!);
          });
        }),
    ),
  );
  const minSlice = input.minSlice ?? 32;
  const send = (w: Worker, items: RewardItem[], reasons: boolean): Promise<RewardResult[]> =>
    new Promise((resolve, reject) => {
      const id = ++seq;
      pending.set(id, { resolve, reject });
      w.postMessage({ id, items, reasons });
    });
  let rr = 0;
  const score = async (items: RewardItem[], reasons: boolean): Promise<RewardResult[]> => {
    const k = Math.max(1, Math.min(workers.length, Math.ceil(items.length / minSlice)));
    const size = Math.ceil(items.length / k);
    const parts = await Promise.all(Array.from({ length: k }, (_, i) => send(workers[(rr + i) % workers.length]!, items.slice(i * size, (i + 1) * size), reasons)));
    rr = (rr + k) % workers.length;
    return parts.flat();
  };
  return {
    threads: workers.length,
    scoreSync() {
      throw new Error('a scorer pool is asynchronous: use score()');
    },
    score: (items: RewardItem[], _ctx: Ctx, opts?: ScoreOptions) => score(items, opts?.reasons !== false),
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
