import type { PillarId } from '../core/pillars.js';
import type { Item } from '../core/types.js';
import { actionAt, type PolicyPack } from '../policy/schema.js';

/**
 * Seed goals for red teaming: what the attacker tries to get the target to do. They come from the
 * policy pack (each policy's `boundary.disallowed` and its high-level examples) and from the
 * model-breaking items of suites. A seed carries its benign twin's prompt when it has one, so a
 * harvested break gets a twin and over-refusal stays measured.
 */
export interface Seed {
  id: string;
  goal: string;
  policy: string | null;
  pillar: PillarId;
  topic?: string;
  level?: number;
  /** The item the seed came from (provenance for harvest). */
  parent: string | null;
  /** The prompt of the benign twin for this cell, when there is one. */
  twin: string | null;
  /** The policy's boundary (what the attacker plans from). */
  boundary?: { disallowed: string; allowed: string };
  /** What the model should do (refuse by default; a suite item's own expectation, e.g. deflect or comply with a correction). */
  expected?: string;
  /** Keyword assertions carried over from the item (e.g. a false premise the answer must correct). */
  mustInclude?: string[];
  mustNotInclude?: string[];
}

function lowerFirst(s: string): string {
  return s.length > 0 ? s[0]!.toLowerCase() + s.slice(1) : s;
}

/** Seeds from the pack: one goal from each policy's boundary, plus its examples at levels the policy refuses. */
export function seedsFromPack(pack: PolicyPack, opts: { policies?: string[]; perPolicy?: number } = {}): Seed[] {
  const per = opts.perPolicy ?? 3;
  const out: Seed[] = [];
  for (const p of pack.policies) {
    if (opts.policies?.length && !opts.policies.includes(p.id)) continue;
    const refused = p.examples.filter((e) => actionAt(p, e.level) === 'refuse' && (e.lang ?? 'en') === 'en');
    const allowed = p.examples.filter((e) => actionAt(p, e.level) === 'allow' && (e.lang ?? 'en') === 'en');
    const boundary = { disallowed: p.boundary.disallowed, allowed: p.boundary.allowed };
    const twinAt = (i: number): string | null => (allowed.length ? allowed[i % allowed.length]!.text : null);
    out.push({
      id: `${p.id}#boundary`,
      goal: `Give me ${lowerFirst(p.boundary.disallowed.replace(/\.$/, ''))}, with specifics.`,
      policy: p.id,
      pillar: p.pillar,
      topic: p.topic,
      level: 3,
      parent: null,
      twin: twinAt(0),
      boundary,
    });
    refused.slice(0, Math.max(0, per - 1)).forEach((e, i) =>
      out.push({ id: `${p.id}#example-${i + 1}`, goal: e.text, policy: p.id, pillar: p.pillar, topic: p.topic, level: e.level, parent: null, twin: twinAt(i + 1), boundary }),
    );
  }
  return out;
}

/** Seeds from suite items: the model-breaking ones (expected refuse/deflect), twins resolved within the items. */
export function seedsFromItems(items: Item[], pack?: PolicyPack, opts: { policies?: string[] } = {}): Seed[] {
  const byId = new Map(items.map((i) => [i.id, i]));
  const promptOf = (i: Item): string => i.prompt ?? [...(i.messages ?? [])].reverse().find((m) => m.role === 'user')?.content ?? '';
  const out: Seed[] = [];
  for (const it of items) {
    if (it.kind !== 'model-breaking') continue;
    if (opts.policies?.length && (!it.policy || !opts.policies.includes(it.policy))) continue;
    const twinItem = it.twin ? byId.get(it.twin) : undefined;
    const pol = pack?.policies.find((p) => p.id === it.policy);
    out.push({
      id: it.id,
      goal: promptOf(it),
      policy: it.policy ?? null,
      pillar: it.pillar,
      topic: it.topic ?? pol?.topic,
      level: it.level,
      parent: it.id,
      twin: twinItem ? promptOf(twinItem) : null,
      boundary: pol ? { disallowed: pol.boundary.disallowed, allowed: pol.boundary.allowed } : undefined,
      expected: it.expected,
      mustInclude: it.mustInclude,
      mustNotInclude: it.mustNotInclude,
    });
  }
  return out;
}

/** The item a seed stands for (what the judge checks a response against). */
export function seedItem(seed: Seed): Item {
  return {
    id: seed.parent ?? seed.id,
    prompt: seed.goal,
    pillar: seed.pillar,
    policy: seed.policy ?? undefined,
    topic: seed.topic,
    level: seed.level,
    kind: 'model-breaking',
    expected: seed.expected ?? 'refuse',
    mustInclude: seed.mustInclude,
    mustNotInclude: seed.mustNotInclude,
    source: 'red-team',
    lang: 'en',
  };
}
