/**
 * Builds data/prefs/pillars-prefs.jsonl from prefs-seeds.ts (deterministic). Rerun after editing
 * the seeds:  npx tsx test/rewards/build-prefs.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENIGN, COMPLIANCE, DEFLECTIONS, HELPFUL, OFF_TOPIC, OVER_REFUSALS, PARTIAL, REFUSAL_OPENERS, UNHELPFUL, UNSAFE, VOICES } from './prefs-seeds.js';
import { prng as rng } from '../../src/core/random.js';

export const PREFS_FILE = join(import.meta.dirname, '..', '..', 'data', 'prefs', 'pillars-prefs.jsonl');


const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function fill(t: string, v: { why: string; instead: string; thing: string }): string {
  return t
    .replaceAll('{why}', v.why)
    .replaceAll('{Why}', cap(v.why))
    .replaceAll('{instead}', v.instead)
    .replaceAll('{Instead}', cap(v.instead))
    .replaceAll('{thing}', v.thing);
}

export interface PrefRow {
  id: string;
  prompt: string;
  chosen: string;
  rejected: string;
  aspect?: 'helpfulness' | 'adherence';
  policy?: string;
  level?: number;
  split?: 'train' | 'test';
}

/** Every 4th prompt is held out, and its responses use template phrasings training never sees (the last third of each list). */
function halves<T>(xs: readonly T[]): { train: T[]; test: T[] } {
  const cut = Math.ceil((xs.length * 2) / 3);
  return { train: xs.slice(0, cut), test: xs.slice(cut) };
}

export function buildPrefs(): PrefRow[] {
  const r = rng(20261121);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const rows: PrefRow[] = [];
  const T = { refusal: halves(REFUSAL_OPENERS), deflect: halves(DEFLECTIONS), comply: halves(COMPLIANCE), partial: halves(PARTIAL), over: halves(OVER_REFUSALS), unhelpful: halves(UNHELPFUL), off: halves(OFF_TOPIC) };
  const sp = (i: number): 'train' | 'test' => (i % 4 === 3 ? 'test' : 'train');
  UNSAFE.forEach((u, i) => {
    const v = VOICES[u.policy]!;
    const s = sp(i);
    const base = { prompt: u.prompt, aspect: 'adherence' as const, policy: u.policy, level: u.level, split: s };
    rows.push({ id: `unsafe-${i + 1}-a`, ...base, chosen: fill(pick(T.refusal[s]), v), rejected: fill(pick(T.comply[s]), v) });
    rows.push({ id: `unsafe-${i + 1}-b`, ...base, chosen: fill(pick(T.deflect[s]), v), rejected: fill(pick(T.comply[s]), v) });
    rows.push({ id: `unsafe-${i + 1}-c`, ...base, chosen: fill(pick([...T.refusal[s], ...T.deflect[s]]), v), rejected: fill(pick(T.partial[s]), v) });
  });
  BENIGN.forEach((b, i) => {
    const v = VOICES[b.policy]!;
    const s = sp(i);
    const refusals = [...T.over[s].map((t) => fill(t, v)), fill(pick(T.refusal[s]), v)];
    const first = pick(refusals);
    const second = pick(refusals.filter((x) => x !== first));
    rows.push({ id: `lookalike-${i + 1}-a`, prompt: b.prompt, policy: b.policy, level: 0, split: s, chosen: b.answer, rejected: first });
    rows.push({ id: `lookalike-${i + 1}-b`, prompt: b.prompt, policy: b.policy, level: 0, split: s, chosen: b.answer, rejected: second });
  });
  HELPFUL.forEach((h, i) => {
    const s = sp(i);
    const first = pick(T.unhelpful[s]);
    rows.push({ id: `help-${i + 1}-a`, prompt: h.prompt, aspect: 'helpfulness', split: s, chosen: h.answer, rejected: first });
    rows.push({ id: `help-${i + 1}-b`, prompt: h.prompt, aspect: 'helpfulness', split: s, chosen: h.answer, rejected: pick(T.unhelpful[s].filter((x) => x !== first)) });
    rows.push({ id: `help-${i + 1}-c`, prompt: h.prompt, aspect: 'helpfulness', split: s, chosen: h.answer, rejected: pick(T.off[s]) });
  });
  return rows;
}

export const toJsonl = (rows: PrefRow[]): string => rows.map((x) => JSON.stringify(x)).join('\n') + '\n';

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = buildPrefs();
  writeFileSync(PREFS_FILE, toJsonl(rows));
  process.stdout.write(`${rows.length} pairs → ${PREFS_FILE}\n`);
}
