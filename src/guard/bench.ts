import { parseRowLabel, type BinaryLabel } from '../classifier/index.js';
import { createCtx } from '../core/context.js';
import { UserError, type Problem } from '../core/errors.js';
import { readJsonlObjects } from '../core/jsonl.js';
import { ACTIONS, type Action, type Level } from '../core/pillars.js';
import type { Caller, Ctx, Decision } from '../core/types.js';
import type { PolicyPack } from '../policy/schema.js';
import { policyFor } from './decide.js';
import type { PolicyGuard } from './guard.js';

/**
 * `pillars guard bench`: quality and latency of the configured guard on a labelled set, with one
 * decision per item. Items use the label vocabulary of `guard train` (classifier/labels.ts):
 * `label: safe|unsafe`, `policy`/`topic` (+ `level`), or `expected` (an action). The truth of an
 * item, "should the guard flag it?":
 *   1. `label` given: unsafe rows should be flagged, safe rows not;
 *   2. else `expected` given: flagged when the expected action is one of the flagged actions;
 *   3. else the pack's ladder for the row's topic and level (level 0 when absent), for the caller.
 * The guard flags an item when its action is one of the flagged actions (`--flag`, default
 * refuse and deflect). Rows may carry `id` (or `source_id`), `category` and `source`: the figures
 * are broken down by the last two.
 */

export interface BenchItem {
  text: string;
  id?: string;
  /** The row's own safe/unsafe label (absent or null: none). */
  label?: BinaryLabel | null;
  /** A pack topic, null for benign, undefined when the row names none. */
  topic?: string | null;
  level?: Level;
  expected?: Action;
  category?: string;
  source?: string;
  /** 1-based line in the items file (0 for items built in code). */
  line?: number;
}

/** One item's decision and whether it was right (a line of `--out`). */
export interface BenchRow {
  line?: number;
  id?: string;
  text: string;
  /** Should the guard flag it? */
  expected: BinaryLabel;
  /** The action the row or the pack's ladder expects (null: a bare safe/unsafe label). */
  expected_action: Action | null;
  action: Action;
  policy: string | null;
  topic: string | null;
  level: number | null;
  score: number;
  stage: Decision['stage'];
  flagged: boolean;
  correct: boolean;
  category?: string;
  source?: string;
}

export interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/** Figures on a group of items. */
export interface BenchFigures {
  n: number;
  safe: number;
  unsafe: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  /** Share of the safe items flagged. */
  over_refusal_rate: number | null;
  accuracy: number | null;
  confusion: Confusion;
}

export interface BenchResult extends BenchFigures {
  /** The actions counted as flagged. */
  flag: Action[];
  topic_accuracy: number | null;
  level_accuracy: number | null;
  /** Share of the items with an expected action (`expected`, or topic + level) on which the action matched exactly. */
  action_accuracy: number | null;
  /** truth topic → predicted topic → count ("none" for no topic). */
  topic_confusion: Record<string, Record<string, number>>;
  /** By the items' `category` / `source` fields (absent when no item has one). */
  by_category?: Record<string, BenchFigures>;
  by_source?: Record<string, BenchFigures>;
  latency_ms: { p50: number; p99: number; mean: number };
  /** Untimed decisions made first, so the timings are of a warm process. */
  warmup: number;
  model: string;
  rows: BenchRow[];
}

export const DEFAULT_FLAG: readonly Action[] = ['refuse', 'deflect'];

const r4 = (x: number): number => Math.round(x * 10000) / 10000;
const ratio = (a: number, b: number): number | null => (b > 0 ? r4(a / b) : null);

export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function figures(c: Confusion): BenchFigures {
  const precision = ratio(c.tp, c.tp + c.fp);
  const recall = ratio(c.tp, c.tp + c.fn);
  const f1 = precision !== null && recall !== null && precision + recall > 0 ? r4((2 * precision * recall) / (precision + recall)) : null;
  const n = c.tp + c.fp + c.fn + c.tn;
  return { n, safe: c.fp + c.tn, unsafe: c.tp + c.fn, precision, recall, f1, over_refusal_rate: ratio(c.fp, c.fp + c.tn), accuracy: ratio(c.tp + c.tn, n), confusion: { ...c } };
}

function count(c: Confusion, unsafe: boolean, flagged: boolean): void {
  if (unsafe && flagged) c.tp++;
  else if (unsafe) c.fn++;
  else if (flagged) c.fp++;
  else c.tn++;
}

/** Read an items file (JSONL): every bad row is reported as FILE:LINE:COL, all at once. */
export function readBenchItems(file: string, pack: PolicyPack): BenchItem[] {
  const { rows, problems } = readJsonlObjects(file, 'items file');
  const bad: Problem[] = [...problems];
  const items: BenchItem[] = [];
  const col = (raw: string, field: string): number => Math.max(1, raw.indexOf(`"${field}"`) + 1);
  const optString = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);
  for (const { row, line, raw } of rows) {
    const text = row.text ?? row.prompt;
    if (typeof text !== 'string' || text.trim() === '') {
      bad.push({ file, line, col: col(raw, 'text'), message: 'text: must be a non-empty string (or give `prompt`)' });
      continue;
    }
    const parsed = parseRowLabel(row, pack);
    if (!parsed.ok) {
      bad.push({ file, line, col: col(raw, parsed.problem.field), message: parsed.problem.message });
      continue;
    }
    const v = parsed.value;
    if (v.kind === 'response') {
      bad.push({ file, line, col: col(raw, 'label'), message: `label: ${v.label} labels a model response; guard bench scores requests (safe|unsafe, policy/topic + level, or expected)` });
      continue;
    }
    items.push({
      text,
      id: optString(row.id) ?? optString(row.source_id),
      label: v.label,
      ...(v.topic !== undefined ? { topic: v.topic } : {}),
      ...(v.level !== undefined ? { level: v.level } : {}),
      ...(v.expected !== undefined ? { expected: v.expected } : {}),
      ...(optString(row.category) !== undefined ? { category: optString(row.category) } : {}),
      ...(optString(row.source) !== undefined ? { source: optString(row.source) } : {}),
      line,
    });
  }
  if (bad.length > 0) throw new UserError(`${file}: ${bad.length} invalid item(s)`, { code: 'dataset_invalid', problems: bad.slice(0, 20) });
  if (items.length === 0) throw new UserError(`${file}: no items`, { code: 'dataset_invalid' });
  return items;
}

export interface BenchInput {
  guard: PolicyGuard;
  items: BenchItem[];
  caller?: Caller;
  /** Actions that count as flagged (default refuse, deflect). */
  flag?: readonly Action[];
  /** Untimed decisions before timing (default: min(200, items)). */
  warmup?: number;
  now?: Date;
  ctx?: Ctx;
}

/** What the item's truth says: should it be flagged, and which action is expected (if known)? */
function truthOf(it: BenchItem, pack: PolicyPack, caller: Caller, flag: ReadonlySet<Action>, today: string): { unsafe: boolean; action: Action | null } {
  let action: Action | null = it.expected ?? null;
  if (action === null && it.topic !== undefined) {
    action = it.topic === null ? 'allow' : (policyFor(pack, it.topic, it.level ?? 0, caller, today)?.eff.action ?? 'allow');
  }
  if (it.label) return { unsafe: it.label === 'unsafe', action };
  return { unsafe: action !== null && flag.has(action), action };
}

/**
 * Decide every item with the guard (`check`: the cascade too when one is configured) and score
 * the decisions. Items are decided one after another, in order.
 */
export async function benchGuard(input: BenchInput): Promise<BenchResult> {
  const { guard, items } = input;
  const pack = guard.pack;
  const caller = input.caller ?? { tier: 'public' };
  const flagList = [...(input.flag ?? DEFAULT_FLAG)];
  const flag = new Set(flagList);
  const ctx = input.ctx ?? createCtx();
  const today = (input.now ?? new Date()).toISOString().slice(0, 10);

  // Warm up the embedded stage (JIT, caches) on the items themselves; not timed, not scored.
  const warmup = Math.min(input.warmup ?? 200, items.length);
  for (let i = 0; i < warmup; i++) guard.decide({ text: items[i]!.text, caller, role: 'input' });

  const all: Confusion = { tp: 0, fp: 0, fn: 0, tn: 0 };
  const byCategory = new Map<string, Confusion>();
  const bySource = new Map<string, Confusion>();
  const tc: Record<string, Record<string, number>> = {};
  let topicN = 0, topicOk = 0, levelN = 0, levelOk = 0, actionN = 0, actionOk = 0;
  const times: number[] = [];
  const rows: BenchRow[] = [];
  const policyTopic = new Map(pack.policies.map((p) => [p.id, p.topic]));
  for (const item of items) {
    // Items built in code may name a policy id as their topic.
    const it = typeof item.topic === 'string' && policyTopic.has(item.topic) ? { ...item, topic: policyTopic.get(item.topic)! } : item;
    const t0 = performance.now();
    const d = await guard.check({ text: it.text, caller, role: 'input' }, ctx);
    times.push(performance.now() - t0);
    const truth = truthOf(it, pack, caller, flag, today);
    const flagged = flag.has(d.action);
    count(all, truth.unsafe, flagged);
    if (it.category !== undefined) count(byCategory.get(it.category) ?? (byCategory.set(it.category, { tp: 0, fp: 0, fn: 0, tn: 0 }), byCategory.get(it.category)!), truth.unsafe, flagged);
    if (it.source !== undefined) count(bySource.get(it.source) ?? (bySource.set(it.source, { tp: 0, fp: 0, fn: 0, tn: 0 }), bySource.get(it.source)!), truth.unsafe, flagged);
    if (it.topic !== undefined) {
      topicN++;
      if (d.topic === it.topic) topicOk++;
      const row = (tc[it.topic ?? 'none'] ??= {});
      row[d.topic ?? 'none'] = (row[d.topic ?? 'none'] ?? 0) + 1;
      if (it.topic !== null && it.level !== undefined) {
        levelN++;
        if (d.level === it.level) levelOk++;
      }
    }
    if (truth.action !== null) {
      actionN++;
      if (d.action === truth.action) actionOk++;
    }
    rows.push({
      ...(it.line ? { line: it.line } : {}),
      ...(it.id !== undefined ? { id: it.id } : {}),
      text: it.text,
      expected: truth.unsafe ? 'unsafe' : 'safe',
      expected_action: truth.action,
      action: d.action,
      policy: d.policy,
      topic: d.topic,
      level: d.level,
      score: d.score,
      stage: d.stage,
      flagged,
      correct: flagged === truth.unsafe,
      ...(it.category !== undefined ? { category: it.category } : {}),
      ...(it.source !== undefined ? { source: it.source } : {}),
    });
  }
  times.sort((a, b) => a - b);
  const breakdown = (m: Map<string, Confusion>): Record<string, BenchFigures> | undefined =>
    m.size === 0 ? undefined : Object.fromEntries([...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, c]) => [k, figures(c)]));
  const byCat = breakdown(byCategory);
  const bySrc = breakdown(bySource);
  return {
    ...figures(all),
    flag: flagList,
    topic_accuracy: ratio(topicOk, topicN),
    level_accuracy: ratio(levelOk, levelN),
    action_accuracy: ratio(actionOk, actionN),
    topic_confusion: tc,
    ...(byCat ? { by_category: byCat } : {}),
    ...(bySrc ? { by_source: bySrc } : {}),
    latency_ms: {
      p50: r4(percentile(times, 0.5)),
      p99: r4(percentile(times, 0.99)),
      mean: r4(times.reduce((s, x) => s + x, 0) / Math.max(1, times.length)),
    },
    warmup,
    model: guard.modelHash,
    rows,
  };
}

/** Parse `--flag refuse` / `--flag refuse,deflect`. */
export function parseFlag(v: string): Action[] {
  const parts = v.split(',').map((s) => s.trim()).filter(Boolean);
  const known: readonly string[] = ACTIONS.filter((a) => a !== 'allow');
  const bad = parts.filter((p) => !known.includes(p));
  if (parts.length === 0 || bad.length > 0) throw new UserError(`${bad.length ? `unknown action ${bad.map((b) => JSON.stringify(b)).join(', ')}` : 'no action'} (flaggable: ${known.join(', ')}; e.g. refuse, or refuse,deflect)`, { code: 'usage', option: 'flag' });
  return [...new Set(parts)] as Action[];
}
