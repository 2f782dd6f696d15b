import type { ReviewStore, ReviewTask } from '../store/review.js';
import { humanLabels, majority } from './verdicts.js';

/**
 * Exports, as JSONL rows: `verdicts` (every effective verdict with who and when), `preferences`
 * ({prompt, chosen, rejected} pairs from rankings: best vs each lower-ranked response), `items`
 * (confirmed breaks as dataset items, `source: review`, readable by `pillars eval --suite FILE`),
 * `labels` ({id, prompt, response, expected, labels} per reviewed output: the rows `pillars judge --in`
 * scores any judge against).
 */

export type ExportKind = 'verdicts' | 'preferences' | 'items' | 'labels';

/** Tasks by id, each read once (a PostgreSQL store answers over the network). */
function taskLookup(store: ReviewStore): (id: number) => Promise<ReviewTask> {
  const cache = new Map<number, ReviewTask>();
  return async (id) => {
    let t = cache.get(id);
    if (!t) {
      t = (await store.task(id))!;
      cache.set(id, t);
    }
    return t;
  };
}

async function labelRows(store: ReviewStore): Promise<Record<string, unknown>[]> {
  const perTask = new Map<number, Map<string, string[]>>();
  const taskOf = taskLookup(store);
  for (const v of await store.verdicts()) {
    if (!v.verdict) continue;
    const t = await taskOf(v.taskId);
    const labels = humanLabels(t, v.verdict);
    if (Object.keys(labels).length === 0) continue;
    const m = perTask.get(t.id) ?? new Map<string, string[]>();
    for (const [k, val] of Object.entries(labels)) m.set(k, [...(m.get(k) ?? []), val]);
    perTask.set(t.id, m);
  }
  const rows: Record<string, unknown>[] = [];
  for (const [taskId, m] of perTask) {
    const t = await taskOf(taskId);
    const prompt = [...t.payload.conversation].reverse().find((x) => x.role === 'user')?.content ?? '';
    rows.push({
      id: t.payload.item?.id ?? `task-${t.id}`,
      prompt,
      response: t.payload.response ?? '',
      ...(t.payload.expected ? { expected: t.payload.expected } : {}),
      labels: Object.fromEntries([...m].map(([k, vals]) => [k, majority(vals)])),
    });
  }
  return rows;
}

export async function exportRows(store: ReviewStore, kind: ExportKind): Promise<Record<string, unknown>[]> {
  if (kind === 'items') return (await store.datasetItems()) as unknown as Record<string, unknown>[];
  if (kind === 'labels') return labelRows(store);
  const queues = new Map((await store.listQueues()).map((q) => [q.id, q]));
  const verdicts = await store.verdicts();
  const taskOf = taskLookup(store);
  if (kind === 'verdicts') {
    const rows: Record<string, unknown>[] = [];
    for (const v of verdicts) {
      const t = await taskOf(v.taskId);
      rows.push({
        id: v.id,
        queue: queues.get(v.queueId)?.name ?? null,
        task: v.taskId,
        kind: t.kind,
        run: t.runId,
        item: t.payload.item?.id ?? null,
        frontier_case: t.frontierCase,
        policy: t.payload.policy ?? null,
        reviewer: v.reviewer,
        verdict: v.verdict,
        ...(v.ranking ? { ranking: v.ranking } : {}),
        ...(v.note ? { note: v.note } : {}),
        judges: t.payload.judges.map((j) => ({ judge: j.judge, label: j.label })),
        at: v.createdAt,
      });
    }
    return rows;
  }
  const out: Record<string, unknown>[] = [];
  for (const v of verdicts) {
    if (!v.ranking) continue;
    const t = await taskOf(v.taskId);
    const responses = t.payload.responses ?? [];
    const conv = t.payload.conversation;
    const prompt = [...conv].reverse().find((m) => m.role === 'user')?.content ?? '';
    const best = responses[v.ranking[0]! - 1]!;
    for (const r of v.ranking.slice(1)) {
      out.push({
        prompt,
        ...(conv.length > 1 ? { messages: conv } : {}),
        chosen: best,
        rejected: responses[r - 1]!,
        ...(t.payload.policy ? { policy: t.payload.policy } : {}),
        meta: { task: t.id, reviewer: v.reviewer, ranking: v.ranking, at: v.createdAt },
      });
    }
  }
  return out;
}

export function toJsonl(rows: unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
}

