import { z } from 'zod';
import type { Caller } from '../core/types.js';
import { isUnsafeLabel } from './evaluate.js';
import type { PolicyGuard } from './index.js';

/**
 * `pillars guard bench`: quality and latency of a guard on a labelled set. An item is
 * `{text, label: safe|unsafe}` and/or `{text, topic, level}` (topic: a topic or a policy id; null
 * or "none" for benign). "Unsafe" = the guard's action is refuse or deflect.
 */

export const BenchItem = z
  .object({
    text: z.string().min(1),
    label: z.enum(['safe', 'unsafe']).optional(),
    topic: z.string().nullable().optional(),
    policy: z.string().nullable().optional(),
    level: z.number().int().min(0).max(3).optional(),
  })
  .passthrough()
  .refine((i) => i.label !== undefined || i.topic !== undefined || i.policy !== undefined, {
    message: 'an item needs `label` (safe|unsafe) or `topic` (+ `level`)',
    path: ['label'],
  });
export type BenchItem = z.infer<typeof BenchItem>;

export interface BenchResult {
  n: number;
  safe: number;
  unsafe: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  over_refusal_rate: number | null;
  topic_accuracy: number | null;
  level_accuracy: number | null;
  confusion: { tp: number; fp: number; fn: number; tn: number };
  /** truth topic → predicted topic → count ("none" for no topic). */
  topic_confusion: Record<string, Record<string, number>>;
  latency_ms: { p50: number; p99: number; mean: number };
}

const r4 = (x: number): number => Math.round(x * 10000) / 10000;
const ratio = (a: number, b: number): number | null => (b > 0 ? r4(a / b) : null);

export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function benchGuard(input: { guard: PolicyGuard; items: BenchItem[]; caller?: Caller; now?: Date }): BenchResult {
  const { guard, items } = input;
  const pack = guard.pack;
  const today = (input.now ?? new Date()).toISOString().slice(0, 10);
  const topicOf = (t: string | null | undefined): string | null => {
    if (t === null || t === undefined || t === 'none' || t === '') return null;
    return pack.policies.find((p) => p.id === t)?.topic ?? t;
  };
  let tp = 0, fp = 0, fn = 0, tn = 0, topicN = 0, topicOk = 0, levelN = 0, levelOk = 0;
  const times: number[] = [];
  const tc: Record<string, Record<string, number>> = {};
  for (const it of items) {
    const t0 = performance.now();
    const d = guard.decide({ text: it.text, caller: input.caller ?? { tier: 'public' } });
    times.push(performance.now() - t0);
    const hasTopic = it.topic !== undefined || it.policy !== undefined;
    const truthTopic = topicOf(it.topic !== undefined ? it.topic : it.policy);
    const unsafe = it.label !== undefined ? it.label === 'unsafe' : isUnsafeLabel(pack, truthTopic, it.level ?? 0, today);
    const flagged = d.action === 'refuse' || d.action === 'deflect';
    if (unsafe && flagged) tp++;
    else if (unsafe) fn++;
    else if (flagged) fp++;
    else tn++;
    if (hasTopic) {
      topicN++;
      if (d.topic === truthTopic) topicOk++;
      const row = (tc[truthTopic ?? 'none'] ??= {});
      row[d.topic ?? 'none'] = (row[d.topic ?? 'none'] ?? 0) + 1;
      if (truthTopic !== null && it.level !== undefined) {
        levelN++;
        if (d.level === it.level) levelOk++;
      }
    }
  }
  times.sort((a, b) => a - b);
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  const f1 = precision !== null && recall !== null && precision + recall > 0 ? r4((2 * precision * recall) / (precision + recall)) : null;
  return {
    n: items.length,
    safe: fp + tn,
    unsafe: tp + fn,
    precision,
    recall,
    f1,
    over_refusal_rate: ratio(fp, fp + tn),
    topic_accuracy: ratio(topicOk, topicN),
    level_accuracy: ratio(levelOk, levelN),
    confusion: { tp, fp, fn, tn },
    topic_confusion: tc,
    latency_ms: {
      p50: r4(percentile(times, 0.5)),
      p99: r4(percentile(times, 0.99)),
      mean: r4(times.reduce((s, x) => s + x, 0) / Math.max(1, times.length)),
    },
  };
}
