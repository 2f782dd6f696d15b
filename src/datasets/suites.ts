import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { section, type LoadedConfig } from '../config/load.js';
import { UserError, type Problem } from '../core/errors.js';
import { assetPath } from '../core/paths.js';
import { closest } from '../core/suggest.js';
import { PillarId } from '../core/pillars.js';
import { Assertions, type Assertion } from '../core/assertion.js';
import type { Item } from '../core/types.js';
import { IdSet } from './idset.js';
import { invalidDatasetError, checkRows } from './read.js';
import { formatOf } from './rows.js';

/**
 * Suites: a named, validated set of items. `openSuite(ref)` resolves, in order, a suite id from
 * pillars.yaml (`suites: [{id, path}]`), a built-in suite name (`all`, `quick`, `safety`,
 * `safety.benign` ...), or a dataset path (a file, or a folder of them). All rows are validated
 * before any item is handed out, so a run never starts on a bad file.
 */

export type Tier = 'quick' | 'full';

export interface Suite {
  id: string;
  /** The file or folder the items come from. */
  path: string;
  /** Files read, in order. */
  files: string[];
  tier: Tier;
  /** Items `items()` yields (after the tier filter and dropped rows). */
  count: number;
  /** Rows dropped by `skipInvalid`. */
  skipped: number;
  /** Problems of the dropped rows (first 100). */
  skippedProblems: Problem[];
  items(): AsyncIterable<Item>;
}

export interface OpenSuiteOptions {
  config?: LoadedConfig;
  tier?: Tier;
  skipInvalid?: boolean;
}

/** `suites:` in pillars.yaml. */
export const SuiteRef = z
  .object({
    id: z.string().min(1),
    path: z.string().min(1).describe('A dataset file (.jsonl, .csv, .yaml) or a folder of them; relative to pillars.yaml'),
    description: z.string().optional(),
    /** Assertions every item of the suite gets (after its own `assert:`). */
    assert: Assertions.optional(),
    /** Default pass threshold of the suite's items (an item's own `threshold` wins). */
    threshold: z.number().min(0).max(1).optional(),
  })
  .strict();
export const SuitesConfig = z.array(SuiteRef).default([]);
export type SuitesConfig = z.infer<typeof SuitesConfig>;

// ----------------------------------------------------------------------------------------------
// Built-in manifest (suites/index.yaml)
// ----------------------------------------------------------------------------------------------

export const SetKind = z.enum(['model-breaking', 'benign']);
export const SuiteManifest = z
  .object({
    version: z.literal(1),
    quickTag: z.string().default('quick'),
    sets: z.array(
      z
        .object({
          id: z.string().regex(/^[a-z_]+\.(model-breaking|benign)$/),
          pillar: PillarId,
          kind: SetKind,
          path: z.string(),
          description: z.string(),
        })
        .strict(),
    ),
  })
  .strict();
export type SuiteManifest = z.infer<typeof SuiteManifest>;

export const builtinSuitesDir = (): string => assetPath('suites');

export function loadManifest(dir = builtinSuitesDir()): SuiteManifest {
  const file = join(dir, 'index.yaml');
  if (!existsSync(file)) throw new UserError(`${file}: the built-in suites manifest is missing`, { code: 'not_found' });
  const r = SuiteManifest.safeParse(parseYaml(readFileSync(file, 'utf8')));
  if (!r.success) throw new UserError(`${file}: invalid manifest: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, { code: 'config' });
  return r.data;
}

export interface BuiltinSuiteInfo {
  name: string;
  description: string;
  files: string[];
  /** Tier forced by the name (`quick`), if any. */
  tier?: Tier;
}

/** Built-in suite names: `all`, `quick`, `model-breaking`, `benign`, each pillar, and each set. */
export function listBuiltinSuites(dir = builtinSuitesDir()): BuiltinSuiteInfo[] {
  const m = loadManifest(dir);
  const abs = (p: string): string => resolve(dir, p);
  const all = m.sets.map((s) => abs(s.path));
  const out: BuiltinSuiteInfo[] = [
    { name: 'all', description: 'every built-in set of the eight pillars', files: all },
    { name: 'quick', description: `the quick tier of all pillars (items tagged "${m.quickTag}", at most 200)`, files: all, tier: 'quick' },
    { name: 'model-breaking', description: 'every model-breaking set (violation rate)', files: m.sets.filter((s) => s.kind === 'model-breaking').map((s) => abs(s.path)) },
    { name: 'benign', description: 'every benign look-alike set (over-refusal rate)', files: m.sets.filter((s) => s.kind === 'benign').map((s) => abs(s.path)) },
  ];
  const pillars = [...new Set(m.sets.map((s) => s.pillar))];
  for (const p of pillars) {
    const sets = m.sets.filter((s) => s.pillar === p);
    out.push({ name: p, description: `${p}: model-breaking set and its benign twins`, files: sets.map((s) => abs(s.path)) });
  }
  for (const s of m.sets) out.push({ name: s.id, description: s.description, files: [abs(s.path)] });
  return out;
}

// ----------------------------------------------------------------------------------------------
// openSuite
// ----------------------------------------------------------------------------------------------

const DATA_EXT = /\.(jsonl|ndjson|json|csv|tsv|ya?ml)$/i;

/** A dataset file, or every dataset file under a folder (sorted; the suites manifest excluded). */
export function filesOf(path: string): string[] {
  const st = statSync(path);
  if (!st.isDirectory()) {
    formatOf(path); // throws on an unknown extension
    return [path];
  }
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (DATA_EXT.test(name) && name !== 'index.yaml') out.push(p);
    }
  };
  walk(path);
  if (out.length === 0) throw new UserError(`${path}: folder holds no dataset files (.jsonl, .csv, .yaml)`, { code: 'not_found' });
  return out;
}

interface Resolved {
  id: string;
  path: string;
  files: string[];
  tier?: Tier;
  quickTag: string;
  assert?: Assertion[];
  threshold?: number;
}

function resolveRef(ref: string, config: LoadedConfig | undefined): Resolved {
  if (config) {
    const configured = section(config, 'suites', SuitesConfig);
    const hit = configured.find((s) => s.id === ref);
    if (hit) {
      const p = config.resolve(hit.path);
      if (!existsSync(p)) {
        const idx = configured.indexOf(hit);
        const at = config.locate(['suites', idx, 'path']);
        throw new UserError(`suite ${hit.id}: ${hit.path} not found`, { code: 'not_found', problems: [{ ...at, message: `suites.${idx}.path: ${hit.path} not found` }] });
      }
      return { id: hit.id, path: p, files: filesOf(p), quickTag: 'quick', assert: hit.assert, threshold: hit.threshold };
    }
  }
  const dir = builtinSuitesDir();
  const alias = ref.replace('/', '.');
  if (existsSync(join(dir, 'index.yaml'))) {
    const b = listBuiltinSuites(dir).find((s) => s.name === alias);
    if (b) return { id: b.name, path: b.files.length === 1 ? b.files[0]! : dir, files: b.files, tier: b.tier, quickTag: loadManifest(dir).quickTag };
  }
  const p = resolve(process.cwd(), ref);
  if (existsSync(p)) return { id: ref, path: p, files: filesOf(p), quickTag: 'quick' };
  // Something that looks like a path (a folder separator or a dataset extension) is a missing file.
  if (/[\\/]/.test(ref) || DATA_EXT.test(ref)) {
    throw new UserError(`suite ${ref}: file not found (${p})`, { code: 'not_found' });
  }
  let names: string[] = [];
  try {
    names = listBuiltinSuites(dir).map((s) => s.name);
  } catch {
    // no manifest: nothing to suggest
  }
  const configured = config ? section(config, 'suites', SuitesConfig).map((s) => s.id) : [];
  const near = closest(ref, [...configured, ...names]);
  const top = names.filter((n) => !n.includes('.'));
  throw new UserError(`unknown suite "${ref}"${near ? ` (did you mean "${near}"?)` : ''}: not a suite id in pillars.yaml${configured.length ? ` (${configured.join(', ')})` : ''}, a built-in suite (${top.join(', ')}, or PILLAR.model-breaking / PILLAR.benign) or a dataset path`, {
    code: 'not_found',
  });
}

/** Open a suite; validates every row of every file first (throws UserError with FILE:LINE problems). */
export async function openSuite(ref: string, opts: OpenSuiteOptions = {}): Promise<Suite> {
  const r = resolveRef(ref, opts.config);
  const tier: Tier = r.tier ?? opts.tier ?? 'full';
  const skipInvalid = opts.skipInvalid ?? false;
  const problems: Problem[] = [];
  let invalid = 0;
  let total = 0;
  let quick = 0;
  // Pass 1: validate every row of every file (ids checked for duplicates across the suite).
  const ids = new IdSet();
  const badLines = r.files.map(() => new Set<number>());
  for (let fi = 0; fi < r.files.length; fi++) {
    for await (const row of checkRows(r.files[fi]!, { ids, fileIndex: fi, files: r.files })) {
      if (!row.item) {
        invalid++;
        badLines[fi]!.add(row.line);
        if (problems.length < 100) problems.push(...row.problems);
        continue;
      }
      total++;
      if (row.item.tags?.includes(r.quickTag)) quick++;
    }
  }
  if (invalid > 0 && !skipInvalid) throw invalidDatasetError(r.id, problems, invalid);
  // Quick tier: items tagged `quick` (all items when a user dataset tags none).
  const filterQuick = tier === 'quick' && quick > 0;
  const keep = (item: Item): boolean => !filterQuick || (item.tags?.includes(r.quickTag) ?? false);
  return {
    id: r.id,
    path: r.path,
    files: r.files,
    tier,
    count: filterQuick ? quick : total,
    skipped: invalid,
    skippedProblems: problems,
    // Pass 2 (each call): rows were validated above; skip the lines found bad, keep no per-item state.
    async *items(): AsyncIterable<Item> {
      for (let fi = 0; fi < r.files.length; fi++) {
        const bad = badLines[fi]!;
        for await (const row of checkRows(r.files[fi]!, { ids: null })) {
          if (!row.item || bad.has(row.line)) continue;
          if (keep(row.item)) yield withSuiteAssertions(row.item, r);
        }
      }
    },
  };
}

/** An item with the assertions and threshold its suite's entry in pillars.yaml adds. */
function withSuiteAssertions(item: Item, r: Resolved): Item {
  if (!r.assert?.length && r.threshold === undefined) return item;
  const assert = [...(item.assert ?? []), ...(r.assert ?? [])];
  return { ...item, ...(assert.length ? { assert } : {}), ...(item.threshold === undefined && r.threshold !== undefined ? { threshold: r.threshold } : {}) };
}
