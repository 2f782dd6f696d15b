import { createHash } from 'node:crypto';
import { z } from 'zod';
import { UserError, type Problem } from '../core/errors.js';
import { readJsonlObjects } from '../core/jsonl.js';
import { Message } from '../core/types.js';

/**
 * Preference pairs: the common `{prompt, chosen, rejected}` JSONL shape (plus optional `aspect`,
 * `policy`, `level`, `id`, `messages`), other shapes through `--map field=path`, and hh-rlhf's full
 * transcripts (`chosen`/`rejected` strings with "\n\nHuman:" / "\n\nAssistant:" turns: the shared
 * conversation becomes the prompt, the last assistant turns the responses). Exports in the shapes
 * TRL, OpenRLHF and DPO read.
 */

export const ASPECTS = ['helpfulness', 'adherence'] as const;
export type Aspect = (typeof ASPECTS)[number];

export const PrefPair = z.object({
  id: z.string().optional(),
  prompt: z.string().min(1),
  /** The full conversation before the responses (multi-turn); `prompt` is then its last user turn. */
  messages: z.array(Message).min(1).optional(),
  chosen: z.string().min(1),
  rejected: z.string().min(1),
  /** What the ranking judged; absent: both (every head trains on the pair). */
  aspect: z.enum(ASPECTS).optional(),
  policy: z.string().optional(),
  level: z.number().int().min(0).max(3).optional(),
  /** `test`: held out from training (used for the accuracy report); absent: split by a hash of the prompt. */
  split: z.enum(['train', 'test']).optional(),
  /** Where the pair came from (set when a corpus is assembled; accuracy is reported per source). */
  source: z.string().optional(),
});
export type PrefPair = z.infer<typeof PrefPair>;

export const MAP_FIELDS = ['prompt', 'chosen', 'rejected', 'aspect', 'id', 'policy', 'level', 'messages', 'split'] as const;
export type FieldMap = Partial<Record<(typeof MAP_FIELDS)[number], string>>;

/** Parse `--map field=path` flags (path: dot-separated keys, numbers index arrays). */
export function parseFieldMap(specs: string[] = []): FieldMap {
  const map: FieldMap = {};
  for (const s of specs) {
    const m = /^([a-z]+)=(.+)$/.exec(s.trim());
    if (!m || !(MAP_FIELDS as readonly string[]).includes(m[1]!)) {
      throw new UserError(`expected FIELD=PATH with FIELD one of ${MAP_FIELDS.join(', ')} (e.g. chosen=responses.0)`, { code: 'usage', option: `map ${s}` });
    }
    map[m[1] as keyof FieldMap] = m[2]!;
  }
  return map;
}

export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? cur[Number(key)] : (cur as Record<string, unknown>)[key];
  }
  return cur;
}

const HUMAN = '\n\nHuman:';
const ASSISTANT = '\n\nAssistant:';

/** Turns of an hh-rlhf transcript. */
export function parseTranscript(t: string): Message[] {
  const text = t.startsWith('Human:') ? `\n\n${t}` : t;
  const out: Message[] = [];
  const re = /\n\n(Human|Assistant):/g;
  const marks: { role: 'user' | 'assistant'; at: number; end: number }[] = [];
  for (let m = re.exec(text); m; m = re.exec(text)) marks.push({ role: m[1] === 'Human' ? 'user' : 'assistant', at: m.index, end: m.index + m[0].length });
  marks.forEach((mk, i) => out.push({ role: mk.role, content: text.slice(mk.end, i + 1 < marks.length ? marks[i + 1]!.at : text.length).trim() }));
  return out;
}

/** Split two hh-rlhf transcripts into the shared prompt conversation and the two final answers. */
export function splitTranscripts(chosen: string, rejected: string): { messages: Message[]; chosen: string; rejected: string } | null {
  const norm = (s: string): string => (s.startsWith('Human:') ? `\n\n${s}` : s);
  const c = norm(chosen);
  const r = norm(rejected);
  const ci = c.lastIndexOf(ASSISTANT);
  const ri = r.lastIndexOf(ASSISTANT);
  if (ci < 0 || ri < 0 || !c.includes(HUMAN)) return null;
  const prefix = c.slice(0, ci + ASSISTANT.length);
  if (r.slice(0, ri + ASSISTANT.length) !== prefix) return null;
  const messages = parseTranscript(c.slice(0, ci)).filter((m) => m.content.length > 0);
  if (messages.length === 0) return null;
  return { messages, chosen: c.slice(ci + ASSISTANT.length).trim(), rejected: r.slice(ri + ASSISTANT.length).trim() };
}

/** A response given as a message list (OpenRLHF / TRL conversational): its last assistant turn and what came before. */
function fromMessages(v: unknown): { before: Message[]; text: string } | null {
  const r = z.array(Message).min(1).safeParse(v);
  if (!r.success) return null;
  const msgs = r.data;
  const last = msgs.at(-1)!;
  if (last.role !== 'assistant') return null;
  return { before: msgs.slice(0, -1), text: last.content };
}

/** Normalise one raw row into a PrefPair (or a problem message). */
export function toPair(row: unknown, map: FieldMap): { pair: PrefPair } | { error: string; field: string } {
  const get = (f: keyof FieldMap): unknown => getPath(row, map[f] ?? f);
  let prompt = get('prompt');
  let messages = get('messages') as unknown;
  let chosen = get('chosen');
  let rejected = get('rejected');
  if (Array.isArray(prompt)) {
    const r = z.array(Message).min(1).safeParse(prompt);
    if (!r.success) return { error: 'prompt: a list that is not a list of {role, content} messages', field: map.prompt ?? 'prompt' };
    messages = r.data;
    prompt = undefined;
  }
  const cm = fromMessages(chosen);
  const rm = fromMessages(rejected);
  if (cm && rm) {
    chosen = cm.text;
    rejected = rm.text;
    if (messages === undefined && cm.before.length) messages = cm.before;
  }
  if (prompt === undefined && messages === undefined && typeof chosen === 'string' && typeof rejected === 'string') {
    const split = splitTranscripts(chosen, rejected);
    if (split) {
      messages = split.messages;
      chosen = split.chosen;
      rejected = split.rejected;
    }
  }
  const msgs = messages === undefined ? undefined : z.array(Message).min(1).safeParse(messages);
  if (msgs && !msgs.success) return { error: 'messages: not a list of {role, content} messages', field: map.messages ?? 'messages' };
  if (prompt === undefined && msgs?.success) prompt = [...msgs.data].reverse().find((m) => m.role === 'user')?.content;
  const level = get('level');
  const candidate = {
    id: get('id') === undefined ? undefined : String(get('id')),
    prompt,
    messages: msgs?.success && msgs.data.length > 1 ? msgs.data : undefined,
    chosen,
    rejected,
    aspect: get('aspect') ?? undefined,
    policy: get('policy') ?? undefined,
    level: level === undefined || level === null ? undefined : level,
    split: get('split') ?? undefined,
  };
  const r = PrefPair.safeParse(candidate);
  if (!r.success) {
    const i = r.error.issues[0]!;
    const field = String(i.path[0] ?? 'row');
    return { error: `${field}: ${i.message}${candidate[field as keyof typeof candidate] === undefined ? ' (missing; use --map to name it)' : ''}`, field: map[field as keyof FieldMap] ?? field };
  }
  return { pair: r.data };
}

/**
 * Read a preference JSONL file: the pairs and the bad rows as FILE:LINE:COL problems (with their
 * field). Nothing is thrown for bad rows: the caller rejects the file or, with `skipInvalid`,
 * reports and skips them.
 */
export function readPrefsLenient(file: string, map: FieldMap = {}): { pairs: PrefPair[]; skipped: Problem[] } {
  const { rows, problems } = readJsonlObjects(file, 'preference file');
  const pairs: PrefPair[] = [];
  for (const { row, line, raw } of rows) {
    const r = toPair(row, map);
    if ('pair' in r) pairs.push(r.pair);
    else problems.push({ file, line, col: Math.max(1, raw.indexOf(`"${r.field.split('.')[0]}"`) + 1), message: r.error });
  }
  return { pairs, skipped: problems };
}

/** Read a preference JSONL file; every bad row is reported as FILE:LINE:COL with its field (or skipped with `skipInvalid`). */
export function readPrefs(file: string, map: FieldMap = {}, opts: { skipInvalid?: boolean } = {}): PrefPair[] {
  const { pairs, skipped } = readPrefsLenient(file, map);
  if (skipped.length && !opts.skipInvalid) throw new UserError(`${file}: ${skipped.length} invalid preference row(s)`, { code: 'dataset_invalid', problems: skipped.slice(0, 20) });
  if (pairs.length === 0) throw new UserError(`${file}: no preference pairs${skipped.length ? ` (${skipped.length} invalid row(s) skipped)` : ''}`, { code: 'dataset_invalid', problems: skipped.slice(0, 20) });
  return pairs;
}

/** Held-out split: the row's `split` when given, else by prompt (pairs of one prompt stay together) from a stable hash of the prompt and seed. */
export function isHeldOut(pair: PrefPair, seed: number, share: number): boolean {
  if (pair.split) return pair.split === 'test';
  const h = createHash('sha256').update(`${seed}\u0000${pair.prompt}`).digest();
  return h.readUInt32BE(0) / 0x100000000 < share;
}

// ---------------------------------------------------------------------------------------------
// Export formats
// ---------------------------------------------------------------------------------------------

export const EXPORT_FORMATS = ['trl', 'openrlhf', 'dpo'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const conversation = (p: PrefPair): Message[] => p.messages ?? [{ role: 'user', content: p.prompt }];

function hhPrompt(msgs: Message[]): string {
  const turns = msgs.filter((m) => m.role !== 'system').map((m) => `\n\n${m.role === 'assistant' ? 'Assistant' : 'Human'}: ${m.content}`);
  return `${turns.join('')}\n\nAssistant:`;
}

/**
 * One row per pair:
 * - trl: `{prompt, chosen, rejected}` strings (TRL "standard, explicit prompt"); a multi-turn pair is
 *   conversational instead: `prompt` a message list, `chosen`/`rejected` one-message assistant lists.
 * - openrlhf: `prompt` a message list, `chosen`/`rejected` assistant message lists (read with
 *   `--prompt_key prompt --chosen_key chosen --rejected_key rejected --apply_chat_template`).
 * - dpo: `{prompt, chosen, rejected}` strings, the prompt as an hh-style transcript ending in
 *   "\n\nAssistant:" and each response with a leading space (the original DPO code's layout).
 */
export function exportPair(p: PrefPair, format: ExportFormat): Record<string, unknown> {
  const extra = { ...(p.aspect ? { aspect: p.aspect } : {}), ...(p.policy ? { policy: p.policy } : {}) };
  switch (format) {
    case 'trl':
      return p.messages
        ? { prompt: p.messages, chosen: [{ role: 'assistant', content: p.chosen }], rejected: [{ role: 'assistant', content: p.rejected }], ...extra }
        : { prompt: p.prompt, chosen: p.chosen, rejected: p.rejected, ...extra };
    case 'openrlhf':
      return { prompt: conversation(p), chosen: [{ role: 'assistant', content: p.chosen }], rejected: [{ role: 'assistant', content: p.rejected }], ...extra };
    case 'dpo':
      return { prompt: hhPrompt(conversation(p)), chosen: ` ${p.chosen}`, rejected: ` ${p.rejected}`, ...extra };
  }
}

/** One raw row in the common shape (or hh-rlhf / message-list shapes) as a pair. */
export const toPairRow = (row: unknown): ReturnType<typeof toPair> => toPair(row, {});
