import { ACTIONS, type Action, type Level } from '../core/pillars.js';
import type { PolicyPack } from '../policy/schema.js';
import { RESPONSE_LABELS, type ResponseLabel } from './model.js';

/**
 * The label vocabulary of a labelled row, shared by `pillars guard train` (corpus rows) and
 * `pillars guard bench` (items), so that a file one accepts the other accepts too:
 *   - `label`: `safe` | `unsafe` (a prompt), or `refused` | `complied` | `deflected` | `partial`
 *     (a model response: it trains the response head);
 *   - `policy` / `topic`: a policy id or a topic of the pack (either field takes either), or
 *     null / "none" / "" for a benign row;
 *   - `level`: 0-3 (specificity);
 *   - `expected`: the action the guard should take, `allow` | `deflect` | `refuse` | `redact`, or
 *     an eval item's `comply` (= allow).
 * This reads one row's fields; what they add up to (a training topic, a bench truth) is the
 * caller's business.
 */

export type BinaryLabel = 'safe' | 'unsafe';
export const BINARY_LABELS: readonly BinaryLabel[] = ['safe', 'unsafe'];

export type RowLabel =
  | { kind: 'response'; label: ResponseLabel }
  | {
      kind: 'prompt';
      /** The row's own safe/unsafe label (null: none given). */
      label: BinaryLabel | null;
      /** A pack topic, null for benign, undefined when the row names none. */
      topic: string | null | undefined;
      level: Level | undefined;
      expected: Action | undefined;
    };

/** A bad field: `field` names it (for FILE:LINE:COL), `message` says what is wrong. */
export interface LabelProblem {
  field: string;
  message: string;
}

const EXPECTED_ALIASES: Record<string, Action> = { comply: 'allow', complied: 'allow' };

export function parseRowLabel(row: Record<string, unknown>, pack: PolicyPack): { ok: true; value: RowLabel } | { ok: false; problem: LabelProblem } {
  const fail = (field: string, message: string): { ok: false; problem: LabelProblem } => ({ ok: false, problem: { field, message: `${field}: ${message}` } });
  const label = row.label;
  if (label !== undefined && label !== null) {
    const known = [...BINARY_LABELS, ...RESPONSE_LABELS] as readonly string[];
    if (typeof label !== 'string' || !known.includes(label)) return fail('label', `must be one of ${known.join(', ')}, got ${JSON.stringify(label)}`);
    if ((RESPONSE_LABELS as readonly string[]).includes(label)) return { ok: true, value: { kind: 'response', label: label as ResponseLabel } };
  }

  let level: Level | undefined;
  if (row.level !== undefined && row.level !== null) {
    if (typeof row.level !== 'number' || !Number.isInteger(row.level) || row.level < 0 || row.level > 3) return fail('level', `must be an integer 0-3, got ${JSON.stringify(row.level)}`);
    level = row.level as Level;
  }

  const topics = new Set(pack.policies.map((p) => p.topic));
  const topicOfPolicy = new Map(pack.policies.map((p) => [p.id, p.topic]));
  let topic: string | null | undefined;
  for (const field of ['policy', 'topic'] as const) {
    if (!(field in row)) continue;
    const v = row[field];
    if (v === null || v === undefined || v === 'none' || v === '') topic = null;
    else if (typeof v !== 'string') return fail(field, `must be a string or null, got ${JSON.stringify(v)}`);
    else if (topicOfPolicy.has(v)) topic = topicOfPolicy.get(v)!;
    else if (topics.has(v)) topic = v;
    else return fail(field, `unknown ${field} ${JSON.stringify(v)} (pack ${pack.id} has ${field === 'policy' ? [...topicOfPolicy.keys()].join(', ') : [...topics].join(', ')})`);
    break;
  }

  let expected: Action | undefined;
  if (row.expected !== undefined && row.expected !== null) {
    const e = typeof row.expected === 'string' ? (EXPECTED_ALIASES[row.expected] ?? row.expected) : row.expected;
    if (typeof e !== 'string' || !(ACTIONS as readonly string[]).includes(e)) return fail('expected', `must be one of ${ACTIONS.join(', ')} (or comply), got ${JSON.stringify(row.expected)}`);
    expected = e as Action;
  }

  const binary = label === 'safe' || label === 'unsafe' ? label : null;
  if (binary === 'safe' && topic) return fail('label', `a safe row cannot have topic ${topic}`);
  if (binary === null && topic === undefined && expected === undefined) {
    return fail('label', 'a row needs label (safe|unsafe, or refused|complied|deflected|partial for a response), policy/topic (+ level) or expected (allow|deflect|refuse|redact)');
  }
  return { ok: true, value: { kind: 'prompt', label: binary, topic, level, expected } };
}
