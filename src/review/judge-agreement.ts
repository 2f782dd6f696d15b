import { agreementReport, type AgreementRow, type JudgeAgreement } from '../judges/index.js';
import type { Db } from '../store/db.js';
import { createReviewStore, type ReviewStore, type ReviewTask, type VerdictRecord } from '../store/review.js';
import { createRunStore, type ItemRow, type RunStore } from '../store/runs.js';
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

/** Human labels per item seq from review verdicts (latest per task and reviewer, majority per item). */
function labelsFrom(verdicts: VerdictRecord[], taskOf: (id: number) => ReviewTask | null): Map<number, Record<string, string>> {
  const perSeq = new Map<number, Map<string, string[]>>();
  const latest = new Map<string, string>();
  for (const v of verdicts) {
    if (!v.verdict) continue;
    latest.set(`${v.taskId}:${v.userId}`, v.verdict);
  }
  for (const [key, verdict] of latest) {
    const task = taskOf(Number(key.split(':')[0]));
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

export function reviewLabelsForRun(db: Db, runId: string): Map<number, Record<string, string>> {
  const store = createReviewStore(db);
  return labelsFrom(store.verdicts({ runId }), (id) => store.task(id));
}

/** `reviewLabelsForRun` on any review store (SQLite or PostgreSQL). */
export async function reviewLabelsIn(store: ReviewStore, runId: string): Promise<Map<number, Record<string, string>>> {
  const verdicts = await store.verdicts({ runId });
  const tasks = new Map<number, ReviewTask | null>();
  for (const v of verdicts) if (!tasks.has(v.taskId)) tasks.set(v.taskId, await store.task(v.taskId));
  return labelsFrom(verdicts, (id) => tasks.get(id) ?? null);
}

function addRow(r: ItemRow, review: Map<number, Record<string, string>>, rows: AgreementRow[], counted: { labelled: number }): void {
  const fromReview = review.get(r.seq);
  const labels = { ...(r.item.labels ?? {}), ...(fromReview ?? {}) };
  if (Object.keys(labels).length === 0) return;
  counted.labelled++;
  // The combined label is judged too, as `final` (compared with the human refusal label).
  const verdicts = r.label ? [...r.verdicts, { judge: 'final', label: r.label, score: 1, reasons: [] }] : r.verdicts;
  rows.push({ labels, verdicts });
}

/** `judgeAgreement(db, runId)`: run id or `last`. */
export function judgeAgreement(db: Db, runId: string): RunJudgeAgreement {
  const runs = createRunStore(db);
  const run = runs.resolveRun(runId);
  const review = reviewLabelsForRun(db, run.id);
  const rows: AgreementRow[] = [];
  const counted = { labelled: 0 };
  for (const r of runs.items(run.id)) addRow(r, review, rows, counted);
  return { runId: run.id, labelled: counted.labelled, reviewed: review.size, judges: agreementReport(rows) };
}

/** `judgeAgreement` on an open store of either backend (runs and review verdicts from it). */
export async function judgeAgreementIn(store: { runs: RunStore; review: ReviewStore }, runId: string): Promise<RunJudgeAgreement> {
  const run = await store.runs.resolveRun(runId);
  const review = await reviewLabelsIn(store.review, run.id);
  const rows: AgreementRow[] = [];
  const counted = { labelled: 0 };
  for await (const r of store.runs.items(run.id)) addRow(r, review, rows, counted);
  return { runId: run.id, labelled: counted.labelled, reviewed: review.size, judges: agreementReport(rows) };
}
