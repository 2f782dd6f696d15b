import type { ClassifierModel } from '../classifier/index.js';
import { LEVEL_NAMES, type Action, type Level } from '../core/pillars.js';
import { actionAt, type Policy, type PolicyPack } from '../policy/schema.js';

/**
 * Contextualization of a pretraining corpus: the guard's classifier reads each passage. A passage
 * no policy covers is kept unchanged (byte for byte). A flagged passage whose level the policy
 * ladder refuses (operational detail, or whatever the ladder refuses for that topic) is dropped;
 * any other flagged passage (awareness, education, and the levels the ladder deflects unless
 * `dropActions` includes `deflect`) is wrapped with educational context taken from the policy:
 * what the harm is, why it is harmful, and what the policy says.
 */

export type Disposition = 'kept' | 'wrapped' | 'dropped';

export interface PassageResult {
  disposition: Disposition;
  text: string;
  topic: string | null;
  level: Level | null;
  policy: string | null;
  action: Action | null;
}

export interface TopicCounts {
  kept: number;
  wrapped: number;
  dropped: number;
}

export interface ContextualizeReport {
  total: TopicCounts & { passages: number };
  /** Per topic (`none` for passages no policy covers). */
  byTopic: Record<string, TopicCounts>;
  dropActions: Action[];
  minScore: number;
}

const STRICT: Record<Action, number> = { allow: 0, redact: 1, deflect: 2, refuse: 3 };

function strictestPolicy(pack: PolicyPack, topic: string, level: Level): Policy | null {
  let best: Policy | null = null;
  for (const p of pack.policies) if (p.topic === topic && (!best || STRICT[actionAt(p, level)] > STRICT[actionAt(best, level)])) best = p;
  return best;
}

const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** The educational frame around a passage. */
export function educationalContext(policy: Policy, level: Level, text: string): string {
  const action = actionAt(policy, level);
  const what = oneLine(policy.description ?? policy.title);
  const says = `At the ${LEVEL_NAMES[level]} level the policy's answer is "${action}". It allows: ${oneLine(policy.boundary.allowed)}`;
  return [
    `[Educational context: ${policy.title} (${policy.id})]`,
    `What the harm is: ${what}`,
    `Why it is harmful: this is a ${policy.severity}-severity area. Content that gives ${oneLine(policy.boundary.disallowed).replace(/^./, (c) => c.toLowerCase())}`,
    `What the policy says: ${says}${policy.deflection ? ` Responsible answer: ${oneLine(policy.deflection)}` : ''}`,
    '[Passage]',
    text,
    '[End of passage]',
  ].join('\n');
}

/**
 * Passages are flagged at a stricter topic score than requests (default 0.8, vs the guard's
 * recall-first threshold): the classifier is trained on requests, and a corpus is mostly
 * declarative text where a false flag would rewrite benign data.
 */
export const DEFAULT_MIN_SCORE = 0.8;

export function contextualizePassage(input: { text: string; model: ClassifierModel; pack: PolicyPack; dropActions?: Action[]; minScore?: number }): PassageResult {
  const drop = input.dropActions ?? ['refuse'];
  const pred = input.model.predict(input.text);
  if (pred.topic === null || pred.topicScore < (input.minScore ?? DEFAULT_MIN_SCORE)) return { disposition: 'kept', text: input.text, topic: null, level: null, policy: null, action: null };
  const level = pred.level;
  const policy = strictestPolicy(input.pack, pred.topic, level);
  if (!policy) return { disposition: 'kept', text: input.text, topic: null, level: null, policy: null, action: null };
  const action = actionAt(policy, level);
  if (drop.includes(action)) return { disposition: 'dropped', text: '', topic: pred.topic, level, policy: policy.id, action };
  return { disposition: 'wrapped', text: educationalContext(policy, level, input.text), topic: pred.topic, level, policy: policy.id, action };
}

export interface CorpusRow {
  /** The whole row (other fields pass through). */
  row: Record<string, unknown>;
  text: string;
}

/** Contextualize rows; kept rows come back identical, wrapped rows with `text` replaced and a `contextualized` note. */
export function contextualizeRows(input: { rows: Iterable<CorpusRow>; field: string; model: ClassifierModel; pack: PolicyPack; dropActions?: Action[]; minScore?: number }): {
  out: Record<string, unknown>[];
  results: PassageResult[];
  report: ContextualizeReport;
} {
  const dropActions = input.dropActions ?? ['refuse'];
  const report: ContextualizeReport = { total: { passages: 0, kept: 0, wrapped: 0, dropped: 0 }, byTopic: {}, dropActions, minScore: input.minScore ?? DEFAULT_MIN_SCORE };
  const out: Record<string, unknown>[] = [];
  const results: PassageResult[] = [];
  for (const { row, text } of input.rows) {
    const r = contextualizePassage({ text, model: input.model, pack: input.pack, dropActions, minScore: input.minScore });
    results.push(r);
    report.total.passages++;
    report.total[r.disposition]++;
    const t = (report.byTopic[r.topic ?? 'none'] ??= { kept: 0, wrapped: 0, dropped: 0 });
    t[r.disposition]++;
    if (r.disposition === 'kept') out.push(row);
    else if (r.disposition === 'wrapped') out.push({ ...row, [input.field]: r.text, contextualized: { policy: r.policy, topic: r.topic, level: r.level, action: r.action } });
  }
  return { out, results, report };
}

export function reportMarkdown(r: ContextualizeReport): string {
  const lines = ['| topic | kept | wrapped | dropped |', '|---|---:|---:|---:|'];
  for (const [topic, c] of Object.entries(r.byTopic).sort((a, b) => a[0].localeCompare(b[0]))) lines.push(`| ${topic} | ${c.kept} | ${c.wrapped} | ${c.dropped} |`);
  lines.push(`| **total** (${r.total.passages}) | ${r.total.kept} | ${r.total.wrapped} | ${r.total.dropped} |`);
  return lines.join('\n');
}
