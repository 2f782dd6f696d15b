import { z } from 'zod';
import { UserError } from '../core/errors.js';
import { readJsonlRows } from '../core/jsonl.js';
import { itemMessages, Message } from '../core/types.js';
import type { Db } from '../store/db.js';
import type { AuditStore } from '../store/audit-log.js';
import { createAuditReader, type AuditDecisionRow, type AuditRow } from '../store/audit-read.js';
import { createFrontierStore, type FrontierCase, type FrontierStore } from '../store/frontier.js';
import type { NewTask, QueueKind, TaskPayload } from '../store/review.js';
import { createRunStore, type ItemRow, type RunStore } from '../store/runs.js';

/**
 * Builders for review tasks: (a) a random sample of a run's outputs or of gateway traffic,
 * (b) borderline cases (judges disagree or are unsure), (c) open frontier escalations,
 * (d) preference tasks from a JSONL file, (e) appeals against guard decisions.
 */

import { prng as seededRandom, shuffle } from '../core/random.js';


/** Mark round(share × n) tasks, drawn with the seed, for double review. */
export function applyDoubleShare(tasks: NewTask[], share: number, seed: number): NewTask[] {
  const k = Math.round(share * tasks.length);
  const chosen = new Set(shuffle([...tasks.keys()], seededRandom(seed ^ 0x9e3779b9)).slice(0, k));
  return tasks.map((t, i) => ({ ...t, requiredReviews: chosen.has(i) ? 2 : (t.requiredReviews ?? 1) }));
}

function outputTask(kind: QueueKind, runId: string, r: ItemRow): NewTask {
  const it = r.item;
  const payload: TaskPayload = {
    title: `${it.id}${r.sample ? ` #${r.sample}` : ''}`,
    conversation: itemMessages(it),
    response: r.text ?? '',
    policy: it.policy ?? null,
    pillar: it.pillar,
    topic: it.topic ?? null,
    level: it.level ?? null,
    expected: it.expected,
    itemKind: it.kind,
    judges: r.verdicts.map((v) => ({ judge: v.judge, label: v.label, score: v.score, reasons: v.reasons, ...(v.unsure ? { unsure: true } : {}) })),
    item: it,
  };
  return { kind, runId, itemSeq: r.seq, payload };
}

/** Where a run's outputs come from: a RunStore of either backend, or a SQLite handle. */
export type RunSource = { runs: RunStore; db?: undefined } | { db: Db; runs?: undefined };

const runsOf = (input: RunSource): RunStore => input.runs ?? createRunStore(input.db!);

/** (a) A seeded random sample of a run's answered outputs. */
export async function sampleFromRun(input: RunSource & { runId: string; n: number; seed?: number }): Promise<{ runId: string; tasks: NewTask[] }> {
  const runs = runsOf(input);
  const run = await runs.resolveRun(input.runId);
  const rows: ItemRow[] = [];
  for await (const r of runs.items(run.id)) if (r.text !== null && r.error === null && r.item.kind !== 'capability') rows.push(r);
  if (rows.length === 0) throw new UserError(`run ${run.id} has no answered items to review`, { code: 'not_found' });
  const picked = shuffle(rows, seededRandom(input.seed ?? 1)).slice(0, input.n).sort((a, b) => a.seq - b.seq);
  return { runId: run.id, tasks: picked.map((r) => outputTask('sample', run.id, r)) };
}

/** Why an output is borderline, or null: judges disagree on pass/fail or label, or one is unsure. */
export function borderlineReason(r: ItemRow): string | null {
  const vs = r.verdicts.filter((v) => v.label !== 'error');
  if (vs.some((v) => v.unsure)) return `unsure: ${vs.filter((v) => v.unsure).map((v) => v.judge).join(', ')}`;
  const passed = new Set(vs.filter((v) => v.passed !== undefined).map((v) => v.passed));
  if (r.passed !== null) passed.add(r.passed);
  if (passed.size > 1) return `judges disagree: ${vs.filter((v) => v.passed !== undefined).map((v) => `${v.judge} ${v.passed ? 'pass' : 'fail'}`).join(', ')}, combined ${r.passed ? 'pass' : 'fail'}`;
  if (r.label === 'partial') return 'partial compliance';
  return null;
}

/** (b) Borderline outputs of a run. */
export async function borderlineFromRun(input: RunSource & { runId: string; limit?: number }): Promise<{ runId: string; tasks: NewTask[] }> {
  const runs = runsOf(input);
  const run = await runs.resolveRun(input.runId);
  const tasks: NewTask[] = [];
  for await (const r of runs.items(run.id)) {
    if (r.text === null || r.error !== null) continue;
    const why = borderlineReason(r);
    if (!why) continue;
    const t = outputTask('borderline', run.id, r);
    t.payload.note = why;
    tasks.push(t);
    if (input.limit !== undefined && tasks.length >= input.limit) break;
  }
  return { runId: run.id, tasks };
}

/** (c) Open frontier review cases (a verdict signs the case off through the frontier repository). */
export function frontierTasks(input: { db: Db; target?: string }): NewTask[] {
  return createFrontierStore(input.db).listCases({ status: 'open', ...(input.target ? { target: input.target } : {}) }).map(frontierTask);
}

/** `frontierTasks` from a frontier store of either backend. */
export async function frontierTasksOf(store: FrontierStore, target?: string): Promise<NewTask[]> {
  return (await store.listCases({ status: 'open', ...(target ? { target } : {}) })).map(frontierTask);
}

function frontierTask(c: FrontierCase): NewTask {
  return {
    kind: 'frontier' as const,
    frontierCase: c.id,
    payload: {
      title: `${c.id}: ${c.domain} capability of ${c.target} ${c.modelVersion}`,
      conversation: [],
      policy: null,
      pillar: 'safety',
      topic: c.domain,
      level: null,
      judges: [],
      evidence: c.evidence,
    },
  };
}

export const PreferenceRow = z
  .object({
    id: z.string().optional(),
    prompt: z.string().min(1).optional(),
    messages: z.array(Message).min(1).optional(),
    responses: z.array(z.string().min(1)).min(2).max(4),
    policy: z.string().optional(),
    level: z.number().int().min(0).max(3).optional(),
  })
  .refine((r) => r.prompt !== undefined || r.messages !== undefined, { message: 'give `prompt` or `messages`', path: ['prompt'] });

/** (d) Preference tasks: rank 2-4 responses to one prompt. */
export function preferenceTasks(file: string): NewTask[] {
  return readJsonlRows(file, PreferenceRow, 'preference file').map((r, i) => ({
    kind: 'preference' as const,
    payload: {
      title: r.id ?? `preference ${i + 1}`,
      conversation: r.messages ?? [{ role: 'user' as const, content: r.prompt! }],
      responses: r.responses,
      policy: r.policy ?? null,
      level: r.level ?? null,
      judges: [],
    },
  }));
}

export const AppealRow = z
  .object({
    requestId: z.string().optional(),
    text: z.string().min(1).optional(),
    note: z.string().optional(),
    action: z.string().optional(),
    policy: z.string().optional(),
    level: z.number().int().min(0).max(3).optional(),
  })
  .refine((r) => r.requestId !== undefined || r.text !== undefined, { message: 'give `requestId` (from the audit log) or `text`', path: ['requestId'] });

function auditReasons(detail: Record<string, unknown>): string[] {
  const input = detail.input as { reasons?: unknown } | undefined;
  return Array.isArray(input?.reasons) ? input.reasons.map(String) : [];
}

/** (e) Appeals against guard decisions: rows naming an audited request, or carrying the text. */
export function appealTasks(input: { db: Db; file: string }): NewTask[] {
  const reader = createAuditReader(input.db);
  return appealsFrom(input.file, (id) => reader.byRequest(id));
}

/** `appealTasks` from an audit store of either backend: one pass over the log finds the requests named. */
export async function appealTasksOf(input: { audit: AuditStore; file: string }): Promise<NewTask[]> {
  const wanted = new Set(readJsonlRows(input.file, AppealRow, 'appeals file').flatMap((r) => (r.requestId ? [r.requestId] : [])));
  const found = new Map<string, AuditDecisionRow>();
  if (wanted.size) for await (const row of input.audit.rows()) if (wanted.has(row.request_id) && !found.has(row.request_id)) found.set(row.request_id, row);
  return appealsFrom(input.file, (id) => found.get(id) ?? null);
}

function appealsFrom(file: string, byRequest: (requestId: string) => AuditDecisionRow | null): NewTask[] {
  return readJsonlRows(file, AppealRow, 'appeals file').map((r, i) => {
    const a = r.requestId ? byRequest(r.requestId) : null;
    if (r.requestId && !a && !r.text) throw new UserError(`${file}:${i + 1}:1: request ${r.requestId} is not in the audit log and the row has no \`text\``);
    const detail = a ? (JSON.parse(a.detail) as Record<string, unknown>) : {};
    const text = r.text ?? (typeof detail.prompt === 'string' ? detail.prompt : '(the prompt was not captured: standard monitoring keeps hashes only)');
    return {
      kind: 'appeal' as const,
      payload: {
        title: r.requestId ? `appeal ${r.requestId}` : `appeal ${i + 1}`,
        conversation: [{ role: 'user' as const, content: text }],
        policy: a?.policy ?? r.policy ?? null,
        pillar: a?.pillar ?? null,
        topic: a?.topic ?? null,
        level: a?.level ?? r.level ?? null,
        judges: a ? [{ judge: `guard (${a.stage ?? 'embedded'})`, label: a.action, score: a.score ?? 0, reasons: auditReasons(detail) }] : [],
        decision: { action: a?.action ?? r.action ?? 'refuse', policy: a?.policy ?? r.policy ?? null, level: a?.level ?? r.level ?? null, reasons: auditReasons(detail), ...(r.requestId ? { requestId: r.requestId } : {}) },
        ...(r.note ? { note: r.note } : {}),
      },
    };
  });
}

/** (a') A seeded random sample of gateway traffic whose prompts were captured (full monitoring). */
export function trafficSample(input: { db: Db; n: number; seed?: number }): NewTask[] {
  return trafficFrom(createAuditReader(input.db).fullMonitoring(), input);
}

/** `trafficSample` from an audit store of either backend. */
export async function trafficSampleOf(input: { audit: AuditStore; n: number; seed?: number }): Promise<NewTask[]> {
  const rows: AuditRow[] = [];
  for await (const row of input.audit.rows()) if (row.monitoring === 'full') rows.push(row);
  return trafficFrom(rows, input);
}

function trafficFrom(rows: AuditDecisionRow[], input: { n: number; seed?: number }): NewTask[] {
  const usable = rows
    .map((a) => ({ a, d: JSON.parse(a.detail) as Record<string, unknown> }))
    .filter((x) => typeof x.d.prompt === 'string');
  if (usable.length === 0) throw new UserError('no gateway traffic with captured prompts (full monitoring) in the store');
  return shuffle(usable, seededRandom(input.seed ?? 1))
    .slice(0, input.n)
    .map(({ a, d }) => ({
      kind: 'traffic' as const,
      payload: {
        title: `request ${a.request_id}`,
        conversation: Array.isArray(d.messages) ? (d.messages as Message[]) : [{ role: 'user' as const, content: String(d.prompt) }],
        response: typeof d.response === 'string' ? d.response : '',
        policy: a.policy,
        pillar: a.pillar,
        topic: a.topic,
        level: a.level,
        judges: [{ judge: `guard (${a.stage ?? 'embedded'})`, label: a.action, score: a.score ?? 0, reasons: auditReasons(d) }],
        decision: { action: a.action, policy: a.policy, level: a.level, reasons: auditReasons(d), requestId: a.request_id },
      },
    }));
}

