import { createHash } from 'node:crypto';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import { UserError, type Problem } from '../core/errors.js';
import { checkItem, coerceCell, fieldMessage, getPath, setPath } from './fields.js';
import { invalidDatasetError } from './read.js';
import { readRows, shownName } from './rows.js';

/**
 * `pillars dataset import`: turn a public benchmark's CSV / JSONL / YAML into Pillars items
 * without code. `map` sends a source column (a dot path for nested JSON) to an item field,
 * `template` builds a field from several columns (`{Context}\n\n{Behavior}`), `set` gives every
 * item a constant, `where` keeps only rows whose column equals a value. Ids, when not mapped, are
 * derived from the prompt (sha-256), so a re-import gives the same ids.
 */

export interface ImportSpec {
  file: string;
  out: string;
  /** source column (or dot path) → item field (or dot path, e.g. labels.refusal). */
  map: Record<string, string>;
  /** item field → constant value (coerced like a CSV cell: `tags=a|b`, `level=3`). */
  set?: Record<string, string>;
  /** item field → template with {Column} placeholders. */
  template?: Record<string, string>;
  /** column → value: keep only rows that match all. */
  where?: Record<string, string>;
  /** Prefix of generated ids (default: the source file's name). */
  idPrefix?: string;
  skipInvalid?: boolean;
  /** Stop after this many items. */
  limit?: number;
}

export interface ImportResult {
  out: string;
  written: number;
  /** Rows dropped by `where`. */
  filtered: number;
  /** Invalid rows dropped by skipInvalid. */
  skipped: number;
  problems: Problem[];
}

/** Parse `a=b` flags into a record (the first `=` splits; the key must be non-empty). */
export function parseAssignments(flag: string, values: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const i = v.indexOf('=');
    if (i <= 0) throw new UserError(`${flag} ${JSON.stringify(v)}: expected NAME=VALUE`, { code: 'usage' });
    out[v.slice(0, i).trim()] = v.slice(i + 1);
  }
  return out;
}

function slug(s: string): string {
  return s.toLowerCase().replace(/\.[a-z]+$/, '').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'item';
}

function fill(template: string, row: unknown): string {
  return template
    .replace(/\\n/g, '\n')
    .replace(/\{([^{}]+)\}/g, (_, col: string) => {
      const v = getPath(row, col);
      return v === undefined || v === null ? '' : String(v);
    })
    .trim();
}

export async function importDataset(spec: ImportSpec): Promise<ImportResult> {
  if (Object.keys(spec.map).length === 0 && Object.keys(spec.template ?? {}).length === 0) {
    throw new UserError('give at least one COLUMN=FIELD mapping (e.g. Behavior=prompt)', { code: 'usage', option: 'map' });
  }
  const shown = shownName(spec.file);
  const prefix = spec.idPrefix ?? slug(basename(spec.file));
  const fieldToColumn = new Map<string, string>();
  for (const [col, field] of Object.entries(spec.map)) fieldToColumn.set(field.split('.')[0]!, col);
  const tmp = `${spec.out}.tmp-${process.pid}`;
  const ws = createWriteStream(tmp, { encoding: 'utf8' });
  const write = (s: string): Promise<void> => (ws.write(s) ? Promise.resolve() : new Promise((res) => ws.once('drain', () => res())));
  const ids = new Map<string, number>();
  const problems: Problem[] = [];
  let written = 0;
  let filtered = 0;
  let invalid = 0;
  try {
    for await (const row of readRows(spec.file, { coerce: false })) {
      if (spec.limit !== undefined && written >= spec.limit) break;
      if (row.problem) {
        invalid++;
        if (problems.length < 200) problems.push(row.problem);
        continue;
      }
      const src = row.data;
      if (spec.where && !Object.entries(spec.where).every(([c, v]) => String(getPath(src, c) ?? '') === v)) {
        filtered++;
        continue;
      }
      const item: Record<string, unknown> = {};
      for (const [col, field] of Object.entries(spec.map)) {
        const v = coerceCell(field, getPath(src, col));
        if (v !== undefined) setPath(item, field, v);
      }
      for (const [field, tpl] of Object.entries(spec.template ?? {})) {
        const v = fill(tpl, src);
        if (v !== '') setPath(item, field, coerceCell(field, v));
      }
      for (const [field, value] of Object.entries(spec.set ?? {})) setPath(item, field, coerceCell(field, value));
      if (item.id === undefined || item.id === '') {
        const basis = typeof item.prompt === 'string' ? item.prompt : JSON.stringify(item.messages ?? item);
        item.id = `${prefix}-${createHash('sha256').update(basis).digest('hex').slice(0, 12)}`;
      } else item.id = String(item.id);
      const seen = ids.get(item.id as string) ?? 0;
      ids.set(item.id as string, seen + 1);
      if (seen > 0) item.id = `${String(item.id)}-${seen + 1}`;
      const r = checkItem(item);
      if (!r.ok) {
        invalid++;
        for (const i of r.issues) {
          const col = fieldToColumn.get(String(i.path[0] ?? ''));
          const at = col ? row.locate([col]) : { line: row.line, col: 1 };
          if (problems.length < 200) problems.push({ file: shown, ...at, message: fieldMessage(i.path, i.message) + (col ? ` (from column ${col})` : '') });
        }
        continue;
      }
      await write(`${JSON.stringify(r.item)}\n`);
      written++;
    }
    await new Promise<void>((res, rej) => ws.end((e?: Error | null) => (e ? rej(e) : res())));
  } catch (e) {
    ws.destroy();
    rmSync(tmp, { force: true });
    throw e;
  }
  if (invalid > 0 && !spec.skipInvalid) {
    rmSync(tmp, { force: true });
    throw invalidDatasetError(shown, problems, invalid);
  }
  renameSync(tmp, spec.out);
  return { out: spec.out, written, filtered, skipped: invalid, problems };
}
