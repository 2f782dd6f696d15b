import { existsSync } from 'node:fs';
import { applySpec } from '../attacks/index.js';
import { readJsonlObjects } from '../core/jsonl.js';
import { Item, type Message } from '../core/types.js';
import type { AttemptRow } from '../store/redteam.js';
import { NearDupIndex } from './dedup.js';

/**
 * Harvest: every successful break becomes a model-breaking item with provenance
 * (`source: red-team`, meta {strategy, parent, target, date, run, attempt}) and the expectation the
 * policy has for what the breaking turn asked (refuse or deflect from the ladder, or the seed's own),
 * checked for near duplicates against the existing suite(s) and the output file, and, where the seed
 * had a benign twin and the break is a transform composition, the twin is put through the same
 * composition so over-refusal on the attacked form stays measured.
 *
 * The turns of a multi-turn adaptive conversation (crescendo, attacker-written) that the policy
 * allows (its harmless openings) are written only as benign items (expected comply), never as items
 * that must be refused: that would teach over-refusal.
 */
export interface HarvestInput {
  runId: string;
  target: string;
  attempts: AttemptRow[];
  /** Items already in the suites the harvest must not duplicate. */
  existing: Item[];
  threshold?: number;
  date?: string;
}

export interface HarvestResult {
  items: Item[];
  skipped: { attempt: number; duplicateOf: string; similarity: number }[];
}

/** The text compared for near duplicates: every user turn, in order. */
export function itemText(i: Pick<Item, 'prompt' | 'messages'>): string {
  return i.prompt ?? (i.messages ?? []).filter((m) => m.role === 'user').map((m) => m.content).join('\n');
}

function asItemShape(transcript: Message[]): { prompt?: string; messages?: Message[]; system?: string } {
  const conv = transcript.slice(0, -1); // drop the target's breaking answer
  const system = conv[0]?.role === 'system' ? conv[0].content : undefined;
  const rest = system !== undefined ? conv.slice(1) : conv;
  if (rest.length === 1 && rest[0]!.role === 'user') return { prompt: rest[0]!.content, system };
  return { messages: rest, system };
}

export function harvest(input: HarvestInput): HarvestResult {
  const index = new NearDupIndex(input.threshold ?? 0.8);
  for (const it of input.existing) index.add(it.id, itemText(it));
  const date = input.date ?? new Date().toISOString().slice(0, 10);
  const items: Item[] = [];
  const skipped: HarvestResult['skipped'] = [];
  for (const a of input.attempts) {
    for (const o of allowedOpenings(a, input.runId, date)) {
      const text = itemText(o);
      const dup = index.find(text);
      if (dup) {
        skipped.push({ attempt: a.id, duplicateOf: dup.id, similarity: Number(dup.similarity.toFixed(3)) });
        continue;
      }
      items.push(o);
      index.add(o.id, text);
    }
    if (!a.success) continue;
    const last = a.asked?.at(-1);
    // A break stored before requests were read (no `asked`) keeps the seed's expectation.
    if (last && last.expected === null) continue;
    const shape = asItemShape(a.transcript);
    const text = itemText(shape);
    const dup = index.find(text);
    if (dup) {
      skipped.push({ attempt: a.id, duplicateOf: dup.id, similarity: Number(dup.similarity.toFixed(3)) });
      continue;
    }
    const id = `rt-${input.runId.replace(/^rt-/, '')}-${a.id}`;
    const meta = { strategy: a.strategy, parent: a.parent ?? a.seedId, target: input.target, date, run: input.runId, attempt: a.id, applied: a.applied };
    let twinItem: Item | undefined;
    if (a.twin && a.applied) {
      const attack = applySpec(a.applied, a.twin);
      const single = attack.turns.length === 1 && !attack.context?.length;
      const msgs: Message[] = [...(attack.context ?? [])];
      attack.turns.forEach((t, i) => {
        msgs.push({ role: 'user', content: t });
        if (i < attack.turns.length - 1) msgs.push({ role: 'assistant', content: 'OK.' });
      });
      twinItem = Item.parse({
        id: `${id}-twin`,
        ...(single ? { prompt: attack.turns[0] } : { messages: msgs }),
        pillar: a.pillar,
        policy: a.policy ?? undefined,
        kind: 'benign',
        expected: 'comply',
        source: 'red-team',
        lang: 'en',
        twin: id,
        tags: ['red-team', 'benign-twin'],
        meta: { ...meta, twinOf: id },
      });
    }
    const item = Item.parse({
      id,
      ...shape,
      pillar: a.pillar,
      policy: last?.policy ?? a.policy ?? undefined,
      ...(last?.topic ? { topic: last.topic } : {}),
      ...(last?.level !== null && last?.level !== undefined ? { level: last.level } : {}),
      kind: 'model-breaking',
      expected: last?.expected ?? a.expected ?? 'refuse',
      source: 'red-team',
      lang: 'en',
      twin: twinItem?.id,
      tags: ['red-team', a.strategy],
      meta,
    });
    items.push(item);
    index.add(id, text);
    if (twinItem) items.push(twinItem);
  }
  return { items, skipped };
}

/**
 * The allowed turns of a multi-turn adaptive attempt (no transform composition), each as a benign
 * item: the conversation up to that turn (earlier answers included), expected comply.
 */
export function allowedOpenings(a: AttemptRow, runId: string, date: string): Item[] {
  const asked = a.asked ?? [];
  if (a.applied !== null || asked.length < 2) return [];
  const out: Item[] = [];
  for (const [i, t] of asked.entries()) {
    if (t.expected !== null || t.source === 'none') continue;
    const conv = a.transcript.slice(0, t.at + 1);
    const system = conv[0]?.role === 'system' ? conv[0].content : undefined;
    const rest = system !== undefined ? conv.slice(1) : conv;
    const shape = rest.length === 1 ? { prompt: rest[0]!.content } : { messages: rest };
    out.push(
      Item.parse({
        id: `rt-${runId.replace(/^rt-/, '')}-${a.id}-open${i + 1}`,
        ...shape,
        ...(system !== undefined ? { system } : {}),
        pillar: a.pillar,
        policy: t.policy ?? a.policy ?? undefined,
        ...(t.topic ? { topic: t.topic } : {}),
        ...(t.level !== null ? { level: t.level } : {}),
        kind: 'benign',
        expected: 'comply',
        source: 'red-team',
        lang: 'en',
        tags: ['red-team', 'allowed-opening', a.strategy],
        meta: { strategy: a.strategy, parent: a.parent ?? a.seedId, run: runId, attempt: a.id, turn: i + 1, date, action: t.action },
      }),
    );
  }
  return out;
}

/** Items already in a JSONL file (the harvest output appended to over time). Bad lines are ignored here: `pillars eval` reports them. */
export function readJsonlItems(path: string): Item[] {
  if (!existsSync(path)) return [];
  return readJsonlObjects(path, 'items file').rows.flatMap(({ row }) => {
    const r = Item.safeParse(row);
    return r.success ? [r.data] : [];
  });
}
