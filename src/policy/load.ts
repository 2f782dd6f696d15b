import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { UserError, type Problem } from '../core/errors.js';
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
  doc: Document.Parsed;
  lines: LineCounter;
  data: Record<string, unknown>;
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
  locate(path: readonly PropertyKey[]): { file: string; line: number; col: number };
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

function posOf(pf: ParsedFile, path: readonly PropertyKey[]): { line: number; col: number } {
  // Walk down as far as the path exists; point at the deepest node found.
  for (let n = path.length; n >= 0; n--) {
    const node = pf.doc.getIn(path.slice(0, n) as (string | number)[], true);
    if (isNode(node) && node.range) {
      const { line, col } = pf.lines.linePos(node.range[0]);
      return { line, col };
    }
    // A key whose value is null: find the pair's key.
    if (n > 0) {
      const parent = pf.doc.getIn(path.slice(0, n - 1) as (string | number)[], true) as unknown;
      const key = path[n - 1];
      if (parent && typeof parent === 'object' && 'items' in parent) {
        const items = (parent as { items: unknown[] }).items;
        for (const it of items) {
          const k = (it as { key?: { value?: unknown; range?: [number, number, number] } }).key;
          if (k && String(k.value) === String(key) && k.range) return pf.lines.linePos(k.range[0]);
        }
      }
    }
  }
  return { line: 1, col: 1 };
}

function parseFile(file: string, problems: PackProblem[]): ParsedFile | null {
  const text = readFileSync(file, 'utf8');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const name = displayName(file);
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const { line, col } = lines.linePos(e.pos[0]);
      problems.push({ file: name, line, col, message: `YAML syntax error: ${e.message.split('\n')[0]}`, severity: 'error' });
    }
    return null;
  }
  const data = doc.toJS({ maxAliasCount: 100 }) as unknown;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    problems.push({ file: name, line: 1, col: 1, message: 'a policy file must be a YAML mapping', severity: 'error' });
    return null;
  }
  return { file: name, doc, lines, data: data as Record<string, unknown> };
}

function issueMessage(issue: z.core.$ZodIssue): string {
  const field = issue.path.length ? String(issue.path[issue.path.length - 1]) : '';
  switch (issue.code) {
    case 'invalid_value':
      return `${field}: must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_type':
      return `${field || 'value'}: expected ${issue.expected}${issue.input === undefined ? ' (missing)' : ''}`;
    case 'invalid_union':
      if (field === 'upTo' || /level/i.test(field)) return `${field}: level must be 0, 1, 2 or 3`;
      return `${field}: ${issue.message}`;
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
      const { line, col } = posOf(pf, [k]);
      problems.push({ file: pf.file, line, col, message: `unknown field "${k}" (only the header file may set it)`, severity: 'error' });
    }
  }

  const locate = (path: readonly PropertyKey[]): { file: string; line: number; col: number } => {
    const [head, idx, ...rest] = path;
    if (typeof head === 'string' && (MERGED as readonly string[]).includes(head) && typeof idx === 'number') {
      const o = origins[head]?.[idx];
      if (o) return { file: o.file.file, ...posOf(o.file, [...o.path, ...rest]) };
    }
    return { file: header.file, ...posOf(header, path) };
  };

  const result = PolicyPack.safeParse(merged);
  if (!result.success) {
    for (const issue of result.error.issues) {
      problems.push({ ...locate(issue.path), message: issueMessage(issue), severity: 'error' });
    }
    return { problems: dedupe(problems) };
  }
  const pack = result.data;
  problems.push(...crossCheck(pack, locate, opts.today ?? new Date().toISOString().slice(0, 10)));
  const loaded: LoadedPack = { pack, files: parsed.map((p) => p.file), locate };
  return { loaded: problems.some((p) => p.severity === 'error') ? undefined : loaded, problems };
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

/** Rules across fields: duplicate ids, unknown tiers, expired exceptions, dangling example policies. */
function crossCheck(
  pack: PolicyPack,
  locate: LoadedPack['locate'],
  today: string,
): PackProblem[] {
  const out: PackProblem[] = [];
  const at = (path: PropertyKey[], message: string, severity: PackProblem['severity'] = 'error'): void => {
    out.push({ ...locate(path), message, severity });
  };
  const seen = new Map<string, number>();
  const tiers = new Set(pack.tiers);
  pack.policies.forEach((p, i) => {
    const first = seen.get(p.id);
    if (first !== undefined) at(['policies', i, 'id'], `duplicate policy id "${p.id}" (first defined as policy #${first + 1})`);
    else seen.set(p.id, i);
    p.exceptions.forEach((ex, j) => {
      ex.tiers.forEach((t, k) => {
        if (!tiers.has(t)) at(['policies', i, 'exceptions', j, 'tiers', k], `exception "${ex.context}" names unknown tier "${t}" (tiers: ${pack.tiers.join(', ')})`);
      });
      if (ex.expires && ex.expires < today) at(['policies', i, 'exceptions', j, 'expires'], `exception "${ex.context}" of ${p.id} expired on ${ex.expires}`, 'warning');
    });
  });
  pack.examples.forEach((e, i) => {
    if (e.policy !== null && !seen.has(e.policy)) at(['examples', i, 'policy'], `example names unknown policy "${e.policy}"`);
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
