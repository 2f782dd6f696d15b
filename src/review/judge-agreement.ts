import { agreementReport, type AgreementRow, type JudgeAgreement } from '../judges/index.js';
import type { Db } from '../store/db.js';
import { createReviewStore } from '../store/review.js';
import { createRunStore } from '../store/runs.js';
import { humanLabels, majority } from './verdicts.js';

/**
 * Each judge's agreement with human labels on a run: the labels its items carried, overlaid with
 * the review verdicts given on that run's outputs (the latest verdict per task; where several
 * reviewers disagree, the most common label, ties broken by the latest). A judge that
 * disagreed with reviewers shows it here.
 */

export interface RunJudgeAgreement {
  runId: string;
  /** Items carrying a human label (from the suite or from review). */
  labelled: number;
  /** Of those, labelled through review. */
  reviewed: number;
  judges: JudgeAgreement[];
}

export function reviewLabelsForRun(db: Db, runId: string): Map<number, Record<string, string>> {
  const store = createReviewStore(db);
  const perSeq = new Map<number, Map<string, string[]>>();
  const taskCache = new Map<number, ReturnType<typeof store.task>>();
  const latest = new Map<string, string>();
  for (const v of store.verdicts({ runId })) {
    if (!v.verdict) continue;
    latest.set(`${v.taskId}:${v.userId}`, v.verdict);
  }
  for (const [key, verdict] of latest) {
    const taskId = Number(key.split(':')[0]);
    if (!taskCache.has(taskId)) taskCache.set(taskId, store.task(taskId));
    const task = taskCache.get(taskId);
    if (!task || task.itemSeq === null) continue;
    const labels = humanLabels(task, verdict);
    const m = perSeq.get(task.itemSeq) ?? new Map<string, string[]>();
    for (const [k, val] of Object.entries(labels)) m.set(k, [...(m.get(k) ?? []), val]);
    perSeq.set(task.itemSeq, m);
  }
  const out = new Map<number, Record<string, string>>();
  for (const [seq, m] of perSeq) out.set(seq, Object.fromEntries([...m].map(([k, vals]) => [k, majority(vals)])));
  return out;
}

/** `judgeAgreement(db, runId)`: run id or `last`. */
export function judgeAgreement(db: Db, runId: string): RunJudgeAgreement {
  const runs = createRunStore(db);
  const run = runs.resolveRun(runId);
  const review = reviewLabelsForRun(db, run.id);
  const rows: AgreementRow[] = [];
  let labelled = 0;
  for (const r of runs.items(run.id)) {
    const fromReview = review.get(r.seq);
    const labels = { ...(r.item.labels ?? {}), ...(fromReview ?? {}) };
    if (Object.keys(labels).length === 0) continue;
    labelled++;
    // The combined label is judged too, as `final` (compared with the human refusal label).
    const verdicts = r.label ? [...r.verdicts, { judge: 'final', label: r.label, score: 1, reasons: [] }] : r.verdicts;
    rows.push({ labels, verdicts });
  }
  return { runId: run.id, labelled, reviewed: review.size, judges: agreementReport(rows) };
}
