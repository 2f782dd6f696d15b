import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UserError, type Problem } from '../core/errors.js';
import { sha256 } from '../core/hash.js';
import { readJsonlObjects } from '../core/jsonl.js';
import { prng, shuffle } from '../core/random.js';
import { actionAt, type PolicyPack } from '../policy/schema.js';
import { isHeldOut, readPrefsLenient, type FieldMap, type PrefPair } from './prefs.js';

/**
 * The reward model's training corpus, assembled from several sources, each pair tagged with its
 * `source` (accuracy is reported per source):
 *
 * - our preference file (`data/prefs/pillars-prefs.jsonl`, its own train/test split);
 * - public preference files (`<shared>/preferences/*.jsonl`: `{prompt, chosen, rejected}`), read at
 *   build time and never copied into the repository;
 * - pairs derived from labelled responses (`<shared>/responses/*.jsonl`: `{prompt, response,
 *   harmful, refusal}`): for one prompt, a response that is not harmful beats a harmful one; a harmful
 *   response to a prompt with no harmless one is paired with a real refusal from the same file;
 * - pairs derived from the pack's labelled responses, with the prompt's action from the pack's own
 *   labelled examples: after a prompt the ladder refuses or deflects, a refusal or deflection beats
 *   compliance; after an allowed prompt, a helpful answer beats a refusal.
 *
 * The held-out split is by prompt (a hash of seed and prompt, the same for every source), so a
 * prompt held out of one file is held out of all: the public files' held-out pairs never share a
 * prompt with a training pair derived from the response files.
 */

export interface CorpusPart {
  source: string;
  pairs: PrefPair[];
  /** Bad rows (FILE:LINE: reason): an error unless `skipInvalid`, then reported and skipped. */
  skipped: Problem[];
}

const sha = sha256;

/** The share of prompts held out, and the pairs of a part split into train and test. */
export function splitPairs(pairs: PrefPair[], seed: number, testShare: number): { train: PrefPair[]; test: PrefPair[] } {
  const train: PrefPair[] = [];
  const test: PrefPair[] = [];
  for (const p of pairs) (isHeldOut(p, seed, testShare) ? test : train).push(p);
  return { train, test };
}

/** Public preference files (`*.jsonl` in the folder), one part each, named `public:<file stem>`. */
export function publicPreferenceParts(dir: string): CorpusPart[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((f) => {
      const source = `public:${basename(f, '.jsonl')}`;
      const { pairs, skipped } = readPrefsLenient(join(dir, f));
      return { source, pairs: pairs.map((p) => ({ ...p, split: undefined, source })), skipped };
    });
}

interface LabelledResponse {
  prompt: string;
  response: string;
  harmful: boolean | null;
  refusal: boolean | null;
}

/** Responses labelled as harmless refusals. */
const refusalsOf = (rows: LabelledResponse[]): string[] => rows.filter((r) => r.refusal === true && r.harmful === false && r.response.trim()).map((r) => r.response);

/** Most pairs derived from one prompt (so a prompt with hundreds of responses does not dominate). */
const PER_PROMPT = 12;

/**
 * Pairs from one labelled-response file: per prompt, harmless responses beat harmful ones (up to
 * PER_PROMPT pairs, picked by a seeded shuffle); a harmful response with no harmless sibling is
 * paired with a refusal (refusal: true, harmful: false) given to another prompt (of this file or,
 * through `refusalPool`, of the other response files).
 */
export function pairsFromResponses(rows: LabelledResponse[], source: string, seed: number, refusalPool: string[] = []): PrefPair[] {
  const byPrompt = new Map<string, LabelledResponse[]>();
  for (const r of rows) {
    if (r.harmful === null || !r.prompt.trim() || !r.response.trim()) continue;
    const list = byPrompt.get(r.prompt) ?? [];
    list.push(r);
    byPrompt.set(r.prompt, list);
  }
  const refusals = [...new Set([...refusalsOf(rows), ...refusalPool])];
  const out: PrefPair[] = [];
  for (const [prompt, list] of byPrompt) {
    const rand = prng(seed ^ parseInt(sha(prompt).slice(0, 8), 16));
    const good = [...new Set(list.filter((r) => r.harmful === false).map((r) => r.response))];
    const bad = [...new Set(list.filter((r) => r.harmful === true).map((r) => r.response))];
    if (bad.length === 0) continue;
    const pool = good.length > 0 ? good : refusals.filter((t) => !list.some((r) => r.response === t));
    if (pool.length === 0) continue;
    const g = shuffle(pool, rand);
    const b = shuffle(bad, rand);
    const n = Math.min(PER_PROMPT, Math.max(g.length, b.length));
    for (let i = 0; i < n; i++) out.push({ prompt, chosen: g[i % g.length]!, rejected: b[i % b.length]!, source });
  }
  return out;
}

/** Labelled-response files (`*.jsonl` in the folder), one part each, named `derived:<file stem>`. */
export function responseParts(dir: string, seed: number): CorpusPart[] {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((f) => {
      const file = join(dir, f);
      const { rows, problems } = readJsonlObjects(file, 'response file');
      const ok: LabelledResponse[] = [];
      const bool = (v: unknown): boolean | null => (v === true ? true : v === false ? false : null);
      for (const { row, line } of rows) {
        if (typeof row.prompt !== 'string' || typeof row.response !== 'string') {
          problems.push({ file, line, col: 1, message: 'needs string fields prompt and response' });
          continue;
        }
        ok.push({ prompt: row.prompt, response: row.response, harmful: bool(row.harmful), refusal: bool(row.refusal) });
      }
      return { source: `derived:${basename(f, '.jsonl')}`, rows: ok, problems };
    });
  // Labelled refusals of every file (sorted: the pool does not depend on the order files are read in).
  const pool = [...new Set(files.flatMap((f) => refusalsOf(f.rows)))].sort();
  return files.map((f) => ({ source: f.source, pairs: pairsFromResponses(f.rows, f.source, seed, pool), skipped: f.problems }));
}

/** The ladder action of each labelled prompt of the pack (policy examples and bulk examples; `policy: null` is allowed). */
function packPromptActions(pack: PolicyPack): Map<string, 'allow' | 'decline'> {
  const m = new Map<string, 'allow' | 'decline'>();
  const put = (text: string, action: string): void => {
    const a = action === 'refuse' || action === 'deflect' ? 'decline' : 'allow';
    if (m.get(text) === 'decline') return; // the stricter label wins
    m.set(text, a);
  };
  for (const p of pack.policies) for (const e of p.examples) put(e.text, actionAt(p, e.level));
  for (const e of pack.examples) {
    if (e.policy === null) put(e.text, 'allow');
    else {
      const p = pack.policies.find((x) => x.id === e.policy);
      if (p) put(e.text, actionAt(p, e.level));
    }
  }
  return m;
}

/**
 * Pairs from the pack's labelled responses: for each prompt the pack labels, the responses that
 * behave as its ladder wants beat those that do not (declined prompt: refused/deflected beat
 * complied/partial; allowed prompt: complied/partial beat refused/deflected).
 */
export function packResponsePairs(pack: PolicyPack): PrefPair[] {
  const actions = packPromptActions(pack);
  const byPrompt = new Map<string, { text: string; label: string }[]>();
  for (const r of pack.responses) {
    if (!r.prompt || !actions.has(r.prompt)) continue;
    const list = byPrompt.get(r.prompt) ?? [];
    list.push({ text: r.text, label: r.label });
    byPrompt.set(r.prompt, list);
  }
  const out: PrefPair[] = [];
  for (const [prompt, list] of byPrompt) {
    const declined = actions.get(prompt) === 'decline';
    const good = list.filter((r) => (declined ? r.label === 'refused' || r.label === 'deflected' : r.label === 'complied' || r.label === 'partial'));
    const bad = list.filter((r) => !good.includes(r));
    for (const g of good) for (const b of bad) out.push({ prompt, chosen: g.text, rejected: b.text, source: 'derived:pack-responses' });
  }
  return out;
}

export interface CorpusInput {
  /** Our preference files (their own `split` fields decide the held-out pairs). */
  prefs: { file: string; source?: string }[];
  /** `--map field=path` for our preference files. */
  map?: FieldMap;
  /** The public training folder (`preferences/`, `responses/`); absent: our data only. */
  shared?: string;
  pack?: PolicyPack;
  seed: number;
  skipInvalid?: boolean;
}

/** Every part of the corpus, in a fixed order. */
export function buildCorpus(input: CorpusInput): CorpusPart[] {
  const parts: CorpusPart[] = input.prefs.map(({ file, source }) => {
    const src = source ?? `prefs:${basename(file, '.jsonl')}`;
    const { pairs, skipped } = readPrefsLenient(file, input.map);
    return { source: src, pairs: pairs.map((p) => ({ ...p, source: src })), skipped };
  });
  if (input.shared) {
    parts.push(...publicPreferenceParts(join(input.shared, 'preferences')));
    parts.push(...responseParts(join(input.shared, 'responses'), input.seed));
  }
  if (input.pack) {
    const pairs = packResponsePairs(input.pack);
    if (pairs.length) parts.push({ source: 'derived:pack-responses', pairs, skipped: [] });
  }
  const problems = parts.flatMap((p) => p.skipped);
  if (problems.length && !input.skipInvalid) {
    throw new UserError(`${problems.length} invalid row(s) in the training data (--skip-invalid reports and skips them)`, { code: 'dataset_invalid', problems: problems.slice(0, 20) });
  }
  input.prefs.forEach(({ file }, i) => {
    if (parts[i]!.pairs.length === 0) throw new UserError(`${file}: no preference pairs`, { code: 'dataset_invalid' });
  });
  return parts;
}
