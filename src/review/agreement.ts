import { cohensKappa } from '../judges/index.js';
import type { ReviewStore, ReviewTask, VerdictRecord } from '../store/review.js';
import { humanLabels } from './verdicts.js';

/**
 * Inter-annotator agreement on double-reviewed tasks: Cohen's kappa (first two reviewers of each
 * task as raters A and B) and Krippendorff's alpha (nominal; any number of reviewers per task),
 * per queue and per reviewer (each reviewer against the others on the tasks they share, and
 * against the judges' `violation` label).
 */

/** Krippendorff's alpha for nominal data. `units`: the labels each unit received (units with < 2 are ignored). */
export function krippendorffAlpha(units: readonly (readonly string[])[]): number {
  const o = new Map<string, Map<string, number>>();
  const add = (c: string, k: string, w: number): void => {
    const row = o.get(c) ?? new Map<string, number>();
    row.set(k, (row.get(k) ?? 0) + w);
    o.set(c, row);
  };
  for (const u of units) {
    const m = u.length;
    if (m < 2) continue;
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) if (i !== j) add(u[i]!, u[j]!, 1 / (m - 1));
  }
  const nc = new Map<string, number>();
  let n = 0;
  let disagreeObserved = 0;
  for (const [c, row] of o) {
    for (const [k, w] of row) {
      nc.set(c, (nc.get(c) ?? 0) + w);
      n += w;
      if (c !== k) disagreeObserved += w;
    }
  }
  if (n <= 1) return Number.NaN;
  let expectedPairs = 0;
  for (const [c, a] of nc) for (const [k, b] of nc) if (c !== k) expectedPairs += a * b;
  if (expectedPairs === 0) return disagreeObserved === 0 ? 1 : Number.NaN;
  return 1 - ((n - 1) * disagreeObserved) / expectedPairs;
}

/** The label a verdict contributes to agreement: the verdict, or the top choice of a ranking. */
export function agreementLabel(v: VerdictRecord): string | null {
  if (v.verdict) return v.verdict;
  if (v.ranking && v.ranking.length) return `#${v.ranking[0]}`;
  return null;
}

export interface PairStats {
  /** Tasks with at least two reviews. */
  units: number;
  /** Raw agreement of raters A and B. */
  agreement: number | null;
  kappa: number | null;
  alpha: number | null;
}

export interface ReviewerAgreement {
  reviewer: string;
  reviews: number;
  /** Against other reviewers on shared tasks. */
  peers: { n: number; agreement: number | null; kappa: number | null };
  /** Against the `violation` judge on output tasks. */
  judge: { n: number; agreement: number | null; kappa: number | null };
}

export interface QueueAgreement {
  queue: string;
  kind: string;
  tasks: number;
  reviews: number;
  double: PairStats;
  reviewers: ReviewerAgreement[];
}

const finite = (x: number): number | null => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : null);

export function pairStats(units: string[][]): PairStats {
  const multi = units.filter((u) => u.length >= 2);
  if (multi.length === 0) return { units: 0, agreement: null, kappa: null, alpha: null };
  const a = multi.map((u) => u[0]!);
  const b = multi.map((u) => u[1]!);
  const same = a.filter((x, i) => x === b[i]).length;
  return { units: multi.length, agreement: finite(same / multi.length), kappa: finite(cohensKappa(a, b)), alpha: finite(krippendorffAlpha(multi)) };
}

function kappaOf(a: string[], b: string[]): { n: number; agreement: number | null; kappa: number | null } {
  if (a.length === 0) return { n: 0, agreement: null, kappa: null };
  const same = a.filter((x, i) => x === b[i]).length;
  return { n: a.length, agreement: finite(same / a.length), kappa: finite(cohensKappa(a, b)) };
}

/** Agreement for one queue from its effective verdicts. */
export async function queueAgreement(store: ReviewStore, queueId: number): Promise<QueueAgreement> {
  const q = await store.queue(queueId);
  if (!q) throw new Error(`no queue ${queueId}`);
  const tasks = new Map<number, ReviewTask>((await store.tasks(queueId)).map((t) => [t.id, t]));
  const verdicts = await store.verdicts({ queueId });
  // Latest effective verdict per (task, reviewer), in the order reviewers first answered.
  const byTask = new Map<number, Map<number, VerdictRecord>>();
  for (const v of verdicts) {
    const m = byTask.get(v.taskId) ?? new Map<number, VerdictRecord>();
    m.set(v.userId, v);
    byTask.set(v.taskId, m);
  }
  const units: string[][] = [];
  for (const m of byTask.values()) units.push([...m.values()].map(agreementLabel).filter((x): x is string => x !== null));
  const names = new Map<number, string>();
  for (const v of verdicts) names.set(v.userId, v.reviewer);
  const reviewers: ReviewerAgreement[] = [];
  for (const [userId, reviewer] of names) {
    const mine: string[] = [];
    const theirs: string[] = [];
    const human: string[] = [];
    const judged: string[] = [];
    let reviews = 0;
    for (const [taskId, m] of byTask) {
      const own = m.get(userId);
      if (!own) continue;
      reviews++;
      const label = agreementLabel(own);
      if (label === null) continue;
      for (const [other, v] of m) {
        const l = other === userId ? null : agreementLabel(v);
        if (l !== null) {
          mine.push(label);
          theirs.push(l);
        }
      }
      const task = tasks.get(taskId);
      const judge = task?.payload.judges.find((j) => j.judge === 'violation');
      const h = task && own.verdict ? humanLabels(task, own.verdict).violation : undefined;
      if (judge && h && judge.label !== 'error') {
        human.push(h);
        judged.push(judge.label);
      }
    }
    reviewers.push({ reviewer, reviews, peers: kappaOf(mine, theirs), judge: kappaOf(human, judged) });
  }
  reviewers.sort((a, b) => a.reviewer.localeCompare(b.reviewer));
  const reviews = [...byTask.values()].reduce((n, m) => n + m.size, 0);
  return { queue: q.name, kind: q.kind, tasks: tasks.size, reviews, double: pairStats(units), reviewers };
}
