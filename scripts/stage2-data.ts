/**
 * The rows stage 2 is trained and measured on (shared by scripts/train-stage2.ts and
 * bench/guard-stage2.ts, so both see the same split):
 *   - the default pack's labelled prompts (collectRows): `unsafe` when the pack's ladder blocks
 *     (refuse or deflect) the row's topic at its level for the public tier; pack `split: test` rows
 *     are held out;
 *   - ../shared/training/prompts/*.jsonl, English rows only (the encoder's vocabulary is English),
 *     at most CAP rows per source (seeded sample), labels as given (safe / unsafe). 20% of each
 *     source is held out with the split stage 1 is trained with (src/classifier/corpus-split.ts:
 *     by group, so translations and jailbreak wrappers of a question fall on its side), so neither
 *     stage has seen the rows the bench reports on.
 * Rows are read from ../shared at run time and never copied into the repository. Nothing here reads
 * ../shared/benchmarks (the bench reads those itself, to measure only).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { groupKey } from '../src/classifier/corpus.js';
import { groupDraw, isHeldOut } from '../src/classifier/corpus-split.js';
import { collectRows } from '../src/classifier/train.js';
import { asciiLetterShare } from '../src/classifier/encoder.js';
import { readJsonlObjects } from '../src/core/jsonl.js';
import { packageRoot } from '../src/core/paths.js';
import { prng, shuffle } from '../src/core/random.js';
import { effectiveAction } from '../src/policy/effective.js';
import type { PolicyPack } from '../src/policy/schema.js';

export const TRAINING_DIR = join(packageRoot, '..', 'shared', 'training', 'prompts');
export const BENCH_DIR = join(packageRoot, '..', 'shared', 'benchmarks');
export const CACHE_DIR = join(packageRoot, '.cache', 'stage2');

/**
 * Rows per public source at most (sampled with a fixed seed) in the bench's held-out set (and the
 * training default before 2026-12-04): the held-out rows the figures are reported on stay the same.
 */
export const CAP = 1500;
/** Training reads every English row (31k texts to embed once, ~17 minutes with 2 processes here). */
export const TRAIN_CAP = 100000;
/** Shadow stage-1 scores of the calibration slice (scripts/stage2-shadow.ts). */
export const SHADOW_FILE = join(CACHE_DIR, 'shadow-stage1.json');

export interface Stage2Row {
  text: string;
  unsafe: boolean;
  /** Pack topic (pack rows with a topic only). */
  topic: string | null;
  /** `pack` or the public file's name without .jsonl. */
  source: string;
  split: 'train' | 'calib' | 'test';
}

/** Held-out share of each source (the same as stage 1's recipe). */
export const HOLDOUT = 0.2;

/** Stage 1's held-out split by group; of the rest, a seeded ~19% of groups calibrates (15% of all rows). */
function splitOf(group: string): Stage2Row['split'] {
  if (isHeldOut({ group }, HOLDOUT)) return 'test';
  return groupDraw(group, 1) < 0.19 ? 'calib' : 'train';
}

export function packRows(pack: PolicyPack): Stage2Row[] {
  const byTopic = new Map<string, PolicyPack['policies']>();
  for (const p of pack.policies) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p]);
  const out: Stage2Row[] = [];
  for (const r of collectRows(pack).prompts) {
    if (asciiLetterShare(r.text) < 0.9) continue;
    let unsafe = false;
    if (r.topic !== null) {
      for (const policy of byTopic.get(r.topic) ?? []) {
        const a = effectiveAction({ policy, cell: { level: r.level as 0 | 1 | 2 | 3, tier: 'public', context: null } }).action;
        if (a === 'refuse' || a === 'deflect') unsafe = true;
      }
    }
    // Pack test rows stay held out; the training rows are split into train and calibration.
    out.push({ text: r.text, unsafe, topic: unsafe ? r.topic : null, source: 'pack', split: r.split === 'test' ? 'test' : groupDraw(`pack#${r.text}`, 1) < 0.15 ? 'calib' : 'train' });
  }
  return out;
}

/** English rows of the public training prompts (empty when ../shared is absent). */
export function publicRows(cap: number = CAP, dir: string = TRAINING_DIR): Stage2Row[] {
  if (!existsSync(dir)) return [];
  const out: Stage2Row[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort()) {
    const source = f.replace(/\.jsonl$/, '');
    const { rows } = readJsonlObjects(join(dir, f), 'training prompts');
    const en = rows
      .map((r) => r.row)
      .filter((r) => r.lang === 'en' && typeof r.text === 'string' && (r.label === 'safe' || r.label === 'unsafe'))
      .map((r) => ({
        text: (r.text as string).trim(),
        unsafe: r.label === 'unsafe',
        group: groupKey(typeof r.source === 'string' ? r.source : source, r.source_id === undefined || r.source_id === null ? null : String(r.source_id), 'en') ?? `${source}#${String(r.text)}`,
      }))
      .filter((r) => r.text.length > 0);
    const picked = en.length > cap ? shuffle(en, prng(7)).slice(0, cap) : en;
    for (const r of picked) out.push({ text: r.text, unsafe: r.unsafe, topic: null, source, split: splitOf(r.group) });
  }
  return out;
}

/** Minimal RFC 4180 CSV reader (quoted fields, doubled quotes, newlines in quotes). */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (q) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') q = false;
      else field += c;
    } else if (c === '"') q = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  const [head, ...body] = rows;
  if (!head) return [];
  return body.filter((r) => r.length === head.length).map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]!])));
}
