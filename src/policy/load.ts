import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { UserError, type Problem } from '../core/errors.js';
import { readParsed, writeParsed } from './parse-cache.js';
import { yamlToJs } from '../core/yaml-js.js';
import { PolicyPack } from './schema.js';

/**
 * Loading a policy pack: one YAML file, or a folder of them merged (the file with `id` is the
 * header; `policies`, `examples` and `responses` of every file are concatenated). Every problem
 * is reported as FILE:LINE:COL, found through the YAML node of the offending path.
 */

export interface PackProblem extends Problem {
  /** Warnings (e.g. an expired exception) fail `policy validate` but do not stop a pack loading. */
  severity: 'error' | 'warning';
}

interface ParsedFile {
  file: string;
  text: string;
  data: Record<string, unknown>;
  /** The YAML document with positions: built on demand (only problems need it). */
  parsed?: { doc: Document.Parsed; lines: LineCounter };
}

function parseWithPositions(text: string): { doc: Document.Parsed; lines: LineCounter } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  return { doc, lines };
}

function docOf(pf: ParsedFile): { doc: Document.Parsed; lines: LineCounter } {
  pf.parsed ??= parseWithPositions(pf.text);
  return pf.parsed;
}

/** Where an element of a merged array came from. */
export interface Origin {
  file: ParsedFile;
  path: (string | number)[];
}

export interface LoadedPack {
  pack: PolicyPack;
  files: string[];
  /** Position of a path in the merged pack (e.g. ['policies', 3, 'levels']). */
  locate(path: readonly PropertyKey[], opts?: { key?: boolean }): { file: string; line: number; col: number };
}

const MERGED = ['policies', 'examples', 'responses'] as const;

function displayName(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

function listFiles(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new UserError(`${path}: no such policy file or folder`, { code: 'not_found' });
  }
  if (!st.isDirectory()) return [path];
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/i.test(name)) out.push(p);
    }
  };
  walk(path);
  if (out.length === 0) throw new UserError(`${path}: folder holds no .yaml files`, { code: 'not_found' });
  return out;
}

/**
 * Position of a path in a file: the deepest node the path reaches (a map key matches by its string
 * form, so `levels.2` finds the YAML key `2`). `key: true` points at the last key instead of its value.
 */
function posOf(pf: ParsedFile, path: readonly PropertyKey[], opts: { key?: boolean } = {}): { line: number; col: number } {
  const { doc, lines } = docOf(pf);
  let node: unknown = doc.contents;
  let best: [number, number, number] | undefined = isNode(node) ? node.range ?? undefined : undefined;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === String(seg));
      if (!pair) break;
      const keyRange = isNode(pair.key) ? pair.key.range ?? undefined : undefined;
      if ((last && opts.key) || !isNode(pair.value) || !pair.value.range) {
        best = keyRange ?? best;
        if (last && opts.key) break;
      }
      if (isNode(pair.value) && pair.value.range) best = pair.value.range;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (!isNode(item)) break;
      if (item.range) best = item.range;
      node = item;
    } else break;
  }
  if (!best) return { line: 1, col: 1 };
  return lines.linePos(best[0]);
}

function parseFile(file: string, problems: PackProblem[]): ParsedFile | null {
  const text = readFileSync(file, 'utf8');
  const name = displayName(file);
  let data = readParsed(text);
  let parsed: ParsedFile['parsed'];
  if (data === undefined) {
    parsed = parseWithPositions(text);
    const { doc, lines } = parsed;
    if (doc.errors.length > 0) {
      // The first error only: later ones are usually the parser losing its footing after it.
      const e = doc.errors[0]!;
      const { line, col } = lines.linePos(e.pos[0]);
      problems.push({ file: name, line, col, message: `YAML syntax error: ${e.message.split('\n')[0]}`, severity: 'error' });
      return null;
    }
    const js = yamlToJs(doc, lines, name);
    if (!js.ok) {
      problems.push({ ...js.problem, severity: 'error' });
      return null;
    }
    data = js.value;
    writeParsed(text, data);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    problems.push({ file: name, line: 1, col: 1, message: 'a policy file must be a YAML mapping', severity: 'error' });
    return null;
  }
  return { file: name, text, data: data as Record<string, unknown>, parsed };
}

/** Levenshtein distance, for "did you mean" hints on misspelt pillars, actions and tiers. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

export function suggest(value: string, options: readonly string[]): string {
  let best: string | null = null;
  let bestD = Infinity;
  for (const o of options) {
    const d = distance(value.toLowerCase(), o.toLowerCase());
    if (d < bestD) [best, bestD] = [o, d];
  }
  return best !== null && bestD <= Math.max(2, Math.floor(value.length / 3)) ? ` (did you mean "${best}"?)` : '';
}

function issueMessage(issue: z.core.$ZodIssue): string {
  const field = issue.path.length ? String(issue.path[issue.path.length - 1]) : '';
  const parent = issue.path.length > 1 ? String(issue.path[issue.path.length - 2]) : '';
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_value': {
      const values = issue.values.map(String);
      const got = typeof input === 'string' ? input : JSON.stringify(input);
      const hint = typeof input === 'string' ? suggest(input, values) : '';
      if (field === 'pillar') return `unknown pillar "${got}"${hint}; pillars: ${values.join(', ')}`;
      if (parent === 'levels') return `levels.${field}: unknown action "${got}"${hint}; actions: ${values.join(', ')}`;
      if (field === 'severity') return `unknown severity "${got}"${hint}; severities: ${values.join(', ')}`;
      return `${field}: "${got}" is not one of ${values.join(', ')}${hint}`;
    }
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_type':
      return `${field || 'value'}: expected ${issue.expected}${input === undefined ? ' (missing)' : ''}`;
    case 'invalid_union':
      if (field === 'upTo' || field === 'level' || /level/i.test(field)) {
        return typeof input === 'number'
          ? `${field}: level ${input} is outside 0-3 (0 awareness, 1 educational, 2 technical, 3 operational)`
          : `${field}: expected a level 0, 1, 2 or 3, got ${JSON.stringify(input)}`;
      }
      return `${field}: ${issue.message}`;
    case 'custom':
      return parent === 'levels' || field === 'levels' ? `levels: ${issue.message}` : field ? `${field}: ${issue.message}` : issue.message;
    default:
      return field ? `${field}: ${issue.message}` : issue.message;
  }
}

/** Parse, merge and validate. Returns the pack (when it loads) and every problem found. */
export function checkPack(path: string, opts: { today?: string } = {}): { loaded?: LoadedPack; problems: PackProblem[] } {
  const problems: PackProblem[] = [];
  const files = listFiles(path);
  const parsed = files.map((f) => parseFile(f, problems)).filter((p): p is ParsedFile => p !== null);
  if (problems.length > 0) return { problems };

  const headers = parsed.filter((p) => 'id' in p.data);
  if (headers.length !== 1) {
    const at = parsed[0]!;
    problems.push({
      file: headers[1]?.file ?? at.file,
      line: 1,
      col: 1,
      message: headers.length === 0 ? 'no file of the pack has the header fields (id, version, owners, tiers)' : 'two files of the pack both declare `id`',
      severity: 'error',
    });
    return { problems };
  }
  const header = headers[0]!;
  const merged: Record<string, unknown> = { ...header.data };
  const origins: Record<string, Origin[]> = {};
  for (const key of MERGED) {
    const all: unknown[] = [];
    origins[key] = [];
    for (const pf of [header, ...parsed.filter((p) => p !== header)]) {
      const arr = pf.data[key];
      if (arr === undefined || arr === null) continue;
      if (!Array.isArray(arr)) {
        const { line, col } = posOf(pf, [key]);
        problems.push({ file: pf.file, line, col, message: `${key}: expected a list`, severity: 'error' });
        continue;
      }
      arr.forEach((v, i) => {
        all.push(v);
        origins[key]!.push({ file: pf, path: [key, i] });
      });
    }
    if (all.length > 0 || key in header.data) merged[key] = all;
  }
  for (const pf of parsed) {
    if (pf === header) continue;
    const extra = Object.keys(pf.data).filter((k) => !(MERGED as readonly string[]).includes(k));
    for (const k of extra) {
      const { line, col } = posOf(pf, [k], { key: true });
      problems.push({ file: pf.file, line, col, message: `unknown field "${k}" (only the header file may set it)`, severity: 'error' });
    }
  }

  const locate = (path: readonly PropertyKey[], opts: { key?: boolean } = {}): { file: string; line: number; col: number } => {
    const [head, idx, ...rest] = path;
    if (typeof head === 'string' && (MERGED as readonly string[]).includes(head) && typeof idx === 'number') {
      const o = origins[head]?.[idx];
      if (o) return { file: o.file.file, ...posOf(o.file, [...o.path, ...rest], opts) };
    }
    return { file: header.file, ...posOf(header, path, opts) };
  };

  const today = opts.today ?? new Date().toISOString().slice(0, 10);
  const result = PolicyPack.safeParse(merged, { reportInput: true });
  if (!result.success) {
    for (const issue of result.error.issues) {
      // A misplaced key (level 4, an unknown field) is shown at the key; a bad value at the value.
      const atKey = issue.code === 'custom' && issue.path[issue.path.length - 2] === 'levels';
      const path = issue.code === 'unrecognized_keys' && issue.keys.length > 0 ? [...issue.path, issue.keys[0]!] : issue.path;
      problems.push({ ...locate(path, { key: atKey || issue.code === 'unrecognized_keys' }), message: issueMessage(issue), severity: 'error' });
    }
  }
  // Cross-field rules run on the raw merged data, so they are reported even when the schema fails.
  problems.push(...crossCheck(merged, locate, today));
  const all = sortProblems(dedupe(problems));
  if (!result.success || all.some((p) => p.severity === 'error')) return { problems: all };
  const loaded: LoadedPack = { pack: result.data, files: parsed.map((p) => p.file), locate };
  return { loaded, problems: all };
}

/** Order by file, then line, then column: the order an editor shows them. */
function sortProblems(ps: PackProblem[]): PackProblem[] {
  return [...ps].sort((a, b) => (a.file === b.file ? a.line - b.line || a.col - b.col : a.file < b.file ? -1 : 1));
}

function dedupe(ps: PackProblem[]): PackProblem[] {
  const seen = new Set<string>();
  return ps.filter((p) => {
    const k = `${p.file}:${p.line}:${p.col}:${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asDate = (v: unknown): string | null =>
  v instanceof Date ? v.toISOString().slice(0, 10) : typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : null;

/**
 * Rules across fields: duplicate ids, unknown tiers, expired exceptions, dangling example policies,
 * and (when the pack declares them) unknown contexts and regulation references.
 * Works on the raw (unvalidated) data and skips whatever has the wrong shape (the schema reports that).
 */
function crossCheck(merged: Record<string, unknown>, locate: LoadedPack['locate'], today: string): PackProblem[] {
  const out: PackProblem[] = [];
  const at = (path: PropertyKey[], message: string, severity: PackProblem['severity'] = 'error'): void => {
    out.push({ ...locate(path), message, severity });
  };
  const seen = new Map<string, number>();
  const tierList = Array.isArray(merged.tiers) ? merged.tiers.filter((t): t is string => typeof t === 'string') : null;
  const tiers = tierList ? new Set(tierList) : null;
  const names = (v: unknown, key: 'id'): string[] | null =>
    Array.isArray(v) ? v.filter(isObj).map((x) => x[key]).filter((x): x is string => typeof x === 'string') : null;
  // Declared contexts and a regulation catalog are optional; when present, references must match them.
  const contexts = names(merged.contexts, 'id');
  const catalog = names(merged.regulations, 'id');
  asArray(merged.policies).forEach((p, i) => {
    if (!isObj(p)) return;
    if (catalog) {
      asArray(p.regulations).forEach((r, k) => {
        if (typeof r === 'string' && !catalog.includes(r)) at(['policies', i, 'regulations', k], `regulation "${r}" is not in the pack's regulations catalog${suggest(r, catalog)}`);
      });
    }
    const id = typeof p.id === 'string' ? p.id : null;
    if (id !== null) {
      const first = seen.get(id);
      if (first !== undefined) at(['policies', i, 'id'], `duplicate policy id "${id}" (first defined as policy #${first + 1})`);
      else seen.set(id, i);
    }
    asArray(p.exceptions).forEach((ex, j) => {
      if (!isObj(ex)) return;
      const context = typeof ex.context === 'string' ? ex.context : `#${j + 1}`;
      if (contexts && typeof ex.context === 'string' && !contexts.includes(ex.context)) {
        at(['policies', i, 'exceptions', j, 'context'], `exception names unknown context "${ex.context}"${suggest(ex.context, contexts)}; contexts: ${contexts.join(', ')}`);
      }
      if (tiers && tierList) {
        asArray(ex.tiers).forEach((t, k) => {
          if (typeof t === 'string' && !tiers.has(t)) {
            at(['policies', i, 'exceptions', j, 'tiers', k], `exception "${context}" names unknown tier "${t}"${suggest(t, tierList)}; tiers: ${tierList.join(', ')}`);
          }
        });
      }
      const expires = asDate(ex.expires);
      if (expires && expires < today) {
        at(['policies', i, 'exceptions', j, 'expires'], `exception "${context}" of ${id ?? `policy #${i + 1}`} expired on ${expires}`, 'warning');
      }
    });
  });
  asArray(merged.examples).forEach((e, i) => {
    if (isObj(e) && typeof e.policy === 'string' && !seen.has(e.policy)) at(['examples', i, 'policy'], `example names unknown policy "${e.policy}"`);
  });
  return out;
}

/** Load a pack for use; throws a UserError listing every error (warnings do not stop it). */
export function loadPack(path: string): LoadedPack {
  const { loaded, problems } = checkPack(path);
  if (!loaded) {
    const errs = problems.filter((p) => p.severity === 'error');
    throw new UserError(`policy pack ${basename(path)} is invalid`, { code: 'policy_invalid', problems: errs });
  }
  return loaded;
}
