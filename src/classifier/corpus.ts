import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readJsonlObjects, type JsonlRow } from '../core/jsonl.js';
import { UserError, type Problem } from '../core/errors.js';
import { actionAt, type PolicyPack } from '../policy/schema.js';
import { categoryRule, keywordTopic, NOT_A_HARM_FALLBACK, type CategoryRule } from './corpus-topics.js';
import { NONE, RESPONSE_LABELS, type ClassifierModel, type ResponseLabel } from './model.js';

/**
 * Training corpora for the guard: the shared public layout (`prompts/*.jsonl` rows
 * `{text, label: safe|unsafe, category, lang, source, source_id}`, `responses/*.jsonl` rows
 * `{prompt, response, refusal, harmful}`, `category_map.jsonl`) and our own JSONL rows
 * (`{text, policy|topic, level}`, `{text, label: safe|unsafe}`, `{text, label: refused|complied|deflected|partial}`).
 * Every prompt row comes out with a pack topic (or none) and a level:
 * - safe → topic none, level 0;
 * - unsafe → the topic its category, keywords or the labeller give (corpus-topics.ts) at the lowest
 *   level the pack's ladder deflects or refuses for the public tier: 3 for a request, 2 for content
 *   (a hateful statement is hate_harassment level 2) when level 2 is already blocked;
 * - AILuminate specialized advice (spc_*) → specialized_advice at level 2 (answered with care, not
 *   blocked) and `binary: false`: these rows are left out of the safe/unsafe figures.
 * Rows that share a group (translations of one prompt, a jailbreak wrapper around a question of
 * another file) share the topic of the group's English original and land on the same side of a split.
 */

export type Label = 'safe' | 'unsafe';
export const BINARY_LABELS: readonly Label[] = ['safe', 'unsafe'];

export interface CorpusPrompt {
  text: string;
  topic: string | null;
  level: 0 | 1 | 2 | 3;
  /** Safe/unsafe truth: the source's label, or for topic+level rows whether the ladder blocks them. */
  label: Label;
  /** Counts in the binary safe/unsafe figures (false for specialized advice). */
  binary: boolean;
  lang: string;
  /** The file's name without `.jsonl` (for the shared layout: the source name, e.g. `harmfulqa`). */
  source: string;
  /** Rows with one group are translations / wrappers of one prompt: split and topic go together. */
  group: string;
  category: string | null;
  /** How the topic was found. */
  how: 'benign' | 'given' | 'category' | 'keyword' | 'group' | 'labeller';
  split?: 'train' | 'test';
  file: string;
  line: number;
}

export interface CorpusResponse {
  text: string;
  label: ResponseLabel;
  source: string;
  split?: 'train' | 'test';
  file: string;
  line: number;
}

export interface Corpus {
  prompts: CorpusPrompt[];
  responses: CorpusResponse[];
  /** Rows read but not used, by reason (e.g. an unsafe row whose topics the pack lacks). */
  skipped: Record<string, number>;
  files: string[];
}

export interface CorpusContext {
  pack: PolicyPack;
  /**
   * Picks a topic for unsafe rows that category, keywords and groups leave open: a model, or a
   * function that builds one from the rows decided so far (called once, only when needed).
   */
  labeller?: ClassifierModel | ((decided: CorpusPrompt[]) => ClassifierModel | null) | null;
}

/** Is (topic, level) deflected or refused by the pack's ladder for the public tier (no context)? */
export function ladderBlocks(pack: PolicyPack, topic: string, level: number): boolean {
  return pack.policies.some((p) => p.topic === topic && (actionAt(p, level) === 'refuse' || actionAt(p, level) === 'deflect'));
}

/** Sources (file names) and categories whose unsafe rows are content (statements, tweets, passages), not requests. */
const CONTENT_SOURCES = /hatecheck|davidson|openai_moderation/;
const CONTENT_CATEGORIES = /\b(tweets?|statements?|comments?|posts?|passages?)\b/i;

/** The files a path names: a file, a folder of `*.jsonl`, or the shared layout (prompts/, responses/). */
export function corpusFiles(path: string): string[] {
  if (!existsSync(path)) throw new UserError(`${path}: file or folder not found`, { code: 'not_found' });
  if (!statSync(path).isDirectory()) return [path];
  const layout = ['prompts', 'responses'].map((d) => join(path, d)).filter((d) => existsSync(d) && statSync(d).isDirectory());
  const dirs = layout.length > 0 ? layout : [path];
  const files = dirs.flatMap((d) =>
    readdirSync(d)
      .filter((f) => f.endsWith('.jsonl') && f !== 'category_map.jsonl')
      .sort()
      .map((f) => join(d, f)),
  );
  if (files.length === 0) throw new UserError(`${path}: no .jsonl files in this folder`, { code: 'dataset_invalid' });
  return files;
}

const colOf = (r: JsonlRow, field: string): number => Math.max(1, r.raw.indexOf(`"${field}"`) + 1);

interface Pending {
  row: CorpusPrompt;
  /** English and not wrapped: the row whose topic its group follows. */
  anchor: boolean;
  rule: CategoryRule;
  content: boolean;
}

interface Raw {
  r: JsonlRow;
  file: string;
  source: string;
}

/** Read prompt and response rows from files and folders, with a topic and level for every prompt. */
export function readCorpus(paths: string[], ctx: CorpusContext): Corpus {
  const { pack } = ctx;
  const topics = new Set(pack.policies.map((p) => p.topic));
  const topicOfPolicy = new Map(pack.policies.map((p) => [p.id, p.topic]));
  const problems: Problem[] = [];
  const skipped: Record<string, number> = {};
  const skip = (why: string): void => {
    skipped[why] = (skipped[why] ?? 0) + 1;
  };
  const prompts: CorpusPrompt[] = [];
  const responses: CorpusResponse[] = [];
  const pending: Pending[] = [];
  const files = [...new Set(paths.flatMap(corpusFiles))];

  for (const file of files) {
    const { rows, problems: bad } = readJsonlObjects(file, 'data file');
    problems.push(...bad);
    const source = basename(file).replace(/\.jsonl$/, '');
    for (const r of rows) readRow({ r, file, source });
  }

  function bad(r: Raw, field: string, message: string): void {
    problems.push({ file: r.file, line: r.r.line, col: colOf(r.r, field), message: `${field}: ${message}` });
  }

  function optString(r: Raw, field: string): string | null | undefined {
    const v = r.r.row[field];
    if (v === undefined || v === null) return v as null | undefined;
    if (typeof v === 'number') return String(v);
    if (typeof v !== 'string') {
      bad(r, field, `must be a string, got ${JSON.stringify(v)}`);
      return undefined;
    }
    return v;
  }

  function readRow(r: Raw): void {
    const o = r.r.row;
    const split = optString(r, 'split');
    if (split !== undefined && split !== null && split !== 'train' && split !== 'test') return bad(r, 'split', `must be train or test, got ${JSON.stringify(split)}`);
    const sp: 'train' | 'test' | undefined = split === 'train' || split === 'test' ? split : undefined;
    // Shared response rows: {prompt, response, refusal, harmful}.
    if ('response' in o) {
      if (typeof o.response !== 'string' || o.response.trim() === '') return bad(r, 'response', 'must be a non-empty string');
      for (const f of ['refusal', 'harmful'] as const) {
        if (o[f] !== undefined && o[f] !== null && typeof o[f] !== 'boolean') return bad(r, f, `must be true, false or null, got ${JSON.stringify(o[f])}`);
      }
      const label: ResponseLabel | null = o.refusal === true ? 'refused' : o.harmful === true || o.refusal === false ? 'complied' : null;
      if (label === null) return skip('response without a refusal or harmful label');
      responses.push({ text: o.response, label, source: r.source, split: sp, file: r.file, line: r.r.line });
      return;
    }
    if (typeof o.text !== 'string' || o.text.trim() === '') return bad(r, 'text', 'must be a non-empty string');
    const text = o.text;
    const label = o.label;
    if (label !== undefined && label !== null && (typeof label !== 'string' || ![...BINARY_LABELS, ...RESPONSE_LABELS].includes(label as Label))) {
      return bad(r, 'label', `must be one of ${[...BINARY_LABELS, ...RESPONSE_LABELS].join(', ')}, got ${JSON.stringify(label)}`);
    }
    if (typeof label === 'string' && (RESPONSE_LABELS as readonly string[]).includes(label)) {
      responses.push({ text, label: label as ResponseLabel, source: r.source, split: sp, file: r.file, line: r.r.line });
      return;
    }
    const lang = optString(r, 'lang') ?? 'en';
    const category = optString(r, 'category') ?? null;
    let level: number | undefined;
    if (o.level !== undefined && o.level !== null) {
      if (typeof o.level !== 'number' || !Number.isInteger(o.level) || o.level < 0 || o.level > 3) return bad(r, 'level', `must be an integer 0-3, got ${JSON.stringify(o.level)}`);
      level = o.level;
    }
    // An explicit topic: a policy id, a topic name, or null / "none" for benign.
    let given: string | null | undefined;
    for (const field of ['policy', 'topic'] as const) {
      if (!(field in o)) continue;
      const v = o[field];
      if (v === null || v === 'none' || v === '') given = null;
      else if (typeof v !== 'string') return bad(r, field, `must be a string or null, got ${JSON.stringify(v)}`);
      else if (field === 'policy' && topicOfPolicy.has(v)) given = topicOfPolicy.get(v)!;
      else if (topics.has(v)) given = v;
      else if (topicOfPolicy.has(v)) given = topicOfPolicy.get(v)!;
      else return bad(r, field, `unknown ${field} ${JSON.stringify(v)} (pack ${pack.id} has ${field === 'policy' ? [...topicOfPolicy.keys()].join(', ') : [...topics].join(', ')})`);
      break;
    }
    if (given === undefined && (label === undefined || label === null)) {
      return bad(r, 'label', 'a row needs label (safe|unsafe, or refused|complied|deflected|partial for a response) or policy/topic (+ level)');
    }
    const sourceName = optString(r, 'source') ?? r.source;
    const group = groupKey(sourceName, optString(r, 'source_id') ?? null, lang) ?? `${r.file}#${r.r.line}`;
    const base = { text, lang, source: r.source, group, category, split: sp, file: r.file, line: r.r.line };
    if (label === 'safe' || given === null) {
      if (label === 'safe' && given) return bad(r, 'label', `a safe row cannot have topic ${given}`);
      prompts.push({ ...base, topic: null, level: 0, label: 'safe', binary: true, how: 'benign' });
      return;
    }
    if (given) {
      const lv = (level ?? (label === 'unsafe' ? lowestBlocked(given, 3) : 0)) as CorpusPrompt['level'];
      const blocks = ladderBlocks(pack, given, lv);
      if (label === 'unsafe' && !blocks && given !== 'specialized_advice') return bad(r, 'level', `unsafe row at ${given} level ${lv}, which the pack's ladder allows for the public tier`);
      prompts.push({ ...base, topic: given, level: lv, label: label === 'unsafe' || blocks ? 'unsafe' : 'safe', binary: given !== 'specialized_advice', how: 'given' });
      return;
    }
    // Unsafe without a topic: decided once every row is read (groups share their English original's topic).
    const rule = categoryRule(category);
    const row: CorpusPrompt = { ...base, topic: null, level: (level ?? 3) as CorpusPrompt['level'], label: 'unsafe', binary: !rule.specialized, how: 'category' };
    const wrapped = /jailbreak/i.test(category ?? '') || / \+ /.test(sourceName);
    pending.push({ row, anchor: lang === 'en' && !wrapped, rule, content: level === undefined && (CONTENT_SOURCES.test(r.source) || CONTENT_CATEGORIES.test(category ?? '')) });
  }

  /** The level an unsafe row gets: `want` when the ladder blocks it there, else the first blocked level above. */
  function lowestBlocked(topic: string, want: number): number {
    for (let l = want; l <= 3; l++) if (ladderBlocks(pack, topic, l)) return l;
    return 3;
  }

  if (problems.length > 0) {
    throw new UserError(`invalid training rows (${problems.length})`, { code: 'dataset_invalid', problems: problems.slice(0, 20) });
  }

  // Topics of unsafe rows. Category, keywords and groups first (anchors, i.e. English unwrapped
  // rows, before the rest of their group); what is left goes to the labeller, which may be built
  // from the rows decided so far (so topics the pack has few examples of still get a good labeller).
  const groupTopic = new Map<string, string>();
  const unresolved: Pending[] = [];
  const accept = (p: Pending, topic: string): void => {
    const row = p.row;
    row.topic = topic;
    if (p.anchor && !groupTopic.has(row.group)) groupTopic.set(row.group, topic);
    if (topic === 'specialized_advice') row.level = 2;
    else row.level = lowestBlocked(topic, p.content ? 2 : row.level) as CorpusPrompt['level'];
    if (!ladderBlocks(pack, topic, row.level) && topic !== 'specialized_advice') {
      skip(`unsafe row on ${topic}, which the ladder never blocks`);
      return;
    }
    prompts.push(row);
  };
  const candidatesOf = (p: Pending): string[] => (p.rule.candidates ?? [...topics].filter((t) => !NOT_A_HARM_FALLBACK.has(t))).filter((t) => topics.has(t));
  const byRules = (p: Pending): string | null | undefined => {
    const { row } = p;
    if (!p.anchor) {
      const g = groupTopic.get(row.group);
      if (g) {
        row.how = 'group';
        return g;
      }
    }
    const candidates = candidatesOf(p);
    if (candidates.length === 0) return null;
    if (p.rule.fixed || candidates.length === 1) {
      row.how = 'category';
      return candidates[0]!;
    }
    if (row.lang === 'en' || /^[\x20-\x7e\s]*$/.test(row.text)) {
      const k = keywordTopic(row.text, new Set(candidates));
      if (k) {
        row.how = 'keyword';
        return k;
      }
    }
    return undefined;
  };
  const settle = (p: Pending, topic: string | null | undefined): void => {
    if (topic === null) skip(`unsafe row whose candidate topics (${(p.rule.candidates ?? []).join(', ') || 'any'}) the pack lacks`);
    else if (topic === undefined) unresolved.push(p);
    else accept(p, topic);
  };
  for (const p of pending) if (p.anchor) settle(p, byRules(p));
  for (const p of pending) if (!p.anchor) settle(p, byRules(p));
  if (unresolved.length > 0) {
    const labeller = typeof ctx.labeller === 'function' ? ctx.labeller(prompts) : ctx.labeller;
    for (const pass of [true, false]) {
      for (const p of unresolved) {
        if (p.anchor !== pass) continue;
        const g = pass ? undefined : groupTopic.get(p.row.group);
        if (g) {
          p.row.how = 'group';
          accept(p, g);
          continue;
        }
        const candidates = candidatesOf(p);
        let topic = candidates[0]!;
        if (labeller) {
          const allowed = new Set(candidates);
          const best = labeller
            .predict(p.row.text)
            .topics.filter((t) => t.topic !== NONE && allowed.has(t.topic))
            .sort((a, b) => b.p - a.p)[0];
          if (best) topic = best.topic;
          p.row.how = 'labeller';
        }
        accept(p, topic);
      }
    }
  }
  return { prompts, responses, skipped, files };
}

/**
 * The group of a row: `source#id`, where translations share the id (a `-xx` language suffix is
 * dropped) and a jailbreak wrapper (`"T (templates) + Q (question)"`, id `template=N;q=ID`) joins
 * the group of its question in Q.
 */
export function groupKey(source: string | null, sourceId: string | null, lang: string): string | null {
  if (!source || sourceId === null || sourceId === '') return null;
  const wrapped = /^(.*) \(templates\) \+ (.*) \(question\)$/.exec(source);
  const q = /(?:^|;)q=(.+)$/.exec(sourceId);
  if (wrapped && q) return `${wrapped[2]}#${q[1]}`;
  const id = sourceId.endsWith(`-${lang}`) ? sourceId.slice(0, -lang.length - 1) : sourceId;
  return `${source}#${id}`;
}
