import { readFileSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { UserError, type Problem } from '../core/errors.js';
import type { Item } from '../core/types.js';
import { checkItem, fieldMessage } from './fields.js';
import { IdSet } from './idset.js';
import { readRows, shownName } from './rows.js';

/**
 * Items from a dataset file (JSONL, CSV or YAML), validated with the core `Item` schema.
 * A bad row is a `Problem` {file, line, col, message: 'field: ...'}.
 */

export interface CheckedRow {
  line: number;
  item?: Item;
  problems: Problem[];
}

export interface CheckRowsOptions {
  /** Duplicate-id detection across calls (a suite of several files); `null` turns it off. Default: one set per file. */
  ids?: IdSet | null;
  /** Index of this file in `files` (for duplicate messages across files). */
  fileIndex?: number;
  files?: string[];
}

/** Every row of a file, checked (bad rows carry their problems; nothing is thrown for them). */
export async function* checkRows(file: string, opts: CheckRowsOptions = {}): AsyncIterable<CheckedRow> {
  const shown = shownName(file);
  const seen = opts.ids === undefined ? new IdSet() : opts.ids;
  const fileIndex = opts.fileIndex ?? 0;
  for await (const row of readRows(file)) {
    if (row.problem) {
      yield { line: row.line, problems: [row.problem] };
      continue;
    }
    const r = checkItem(row.data);
    if (!r.ok) {
      yield {
        line: row.line,
        problems: r.issues.map((i) => ({ file: shown, ...row.locate(i.path), message: fieldMessage(i.path, i.message) })),
      };
      continue;
    }
    const mediaProblems = loadMedia(file, r.item);
    if (mediaProblems.length) {
      yield { line: row.line, problems: mediaProblems.map((m) => ({ file: shown, ...row.locate(m.path), message: fieldMessage(m.path, m.message) })) };
      continue;
    }
    const first = seen ? seen.add(r.item.id, row.line, fileIndex) : null;
    if (first !== null) {
      const where = first.file === fileIndex ? `line ${first.line}` : `${shownName(opts.files?.[first.file] ?? '?')}:${first.line}`;
      yield {
        line: row.line,
        problems: [{ file: shown, ...row.locate(['id']), message: `id: duplicate id "${r.item.id}" (first on ${where})` }],
      };
      continue;
    }
    yield { line: row.line, item: r.item, problems: [] };
  }
}

const MIME: Record<string, string> = {
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp', '.bmp': 'image/bmp',
  '.wav': 'audio/wav', '.mp3': 'audio/mpeg', '.ogg': 'audio/ogg', '.flac': 'audio/flac', '.m4a': 'audio/mp4', '.webm': 'audio/webm',
};
/** Largest media file an item may carry. */
const MAX_MEDIA_BYTES = 25 * 1024 * 1024;

/**
 * An item's media files (`media[].path`, relative to the suite file, never outside its folder)
 * read into `data` (base64), with the type from the extension when not given. Returns problems.
 */
function loadMedia(file: string, item: Item): { path: PropertyKey[]; message: string }[] {
  const problems: { path: PropertyKey[]; message: string }[] = [];
  const dir = dirname(resolve(file));
  item.media?.forEach((m, i) => {
    if (m.path === undefined || m.data !== undefined) return;
    const at = ['media', i, 'path'];
    const p = resolve(dir, m.path);
    if (isAbsolute(m.path) || !(p === dir || p.startsWith(`${dir}/`))) return void problems.push({ path: at, message: `"${m.path}" must be a file next to the suite (a relative path inside its folder)` });
    let size: number;
    try {
      size = statSync(p).size;
    } catch {
      return void problems.push({ path: at, message: `file not found: ${m.path} (looked in ${dir})` });
    }
    if (size > MAX_MEDIA_BYTES) return void problems.push({ path: at, message: `${m.path} is ${size} bytes; media files may be at most ${MAX_MEDIA_BYTES}` });
    const mime = m.mime ?? MIME[extname(p).toLowerCase()];
    if (!mime) return void problems.push({ path: at, message: `unknown media type of ${m.path}: give \`mime\` (e.g. image/png, audio/wav)` });
    if (!mime.startsWith(`${m.type}/`)) return void problems.push({ path: ['media', i, 'type'], message: `${m.path} is ${mime}, not ${m.type}` });
    m.data = readFileSync(p).toString('base64');
    m.mime = mime;
  });
  return problems;
}

export interface ValidationResult {
  file: string;
  /** Valid rows. */
  count: number;
  /** Rows with problems. */
  invalid: number;
  problems: Problem[];
}

/** Check a whole file; collects up to `maxProblems` problems (all rows are still counted). */
export async function validateItemsFile(file: string, opts: { maxProblems?: number } = {}): Promise<ValidationResult> {
  const max = opts.maxProblems ?? 1000;
  const problems: Problem[] = [];
  let count = 0;
  let invalid = 0;
  for await (const r of checkRows(file)) {
    if (r.item) count++;
    else {
      invalid++;
      for (const p of r.problems) if (problems.length < max) problems.push(p);
    }
  }
  return { file: shownName(file), count, invalid, problems };
}

export interface ReadItemsOptions {
  /** Drop bad rows instead of failing; `onSkip` hears about each. */
  skipInvalid?: boolean;
  onSkip?: (problems: Problem[]) => void;
}

export function invalidDatasetError(file: string, problems: Problem[], invalid: number): UserError {
  const more = invalid > problems.length ? ` (first ${problems.length} shown)` : '';
  return new UserError(`${file}: ${invalid} invalid row${invalid === 1 ? '' : 's'}${more}; fix them or pass --skip-invalid`, {
    code: 'dataset_invalid',
    problems,
  });
}

/**
 * Stream the items of a file. A bad row throws a UserError naming file:line:field, unless
 * `skipInvalid`. Note: rows before the bad one have already been yielded; use `openSuite`
 * (which validates everything first) when nothing may start on a bad file.
 */
export async function* iterateItems(file: string, opts: ReadItemsOptions = {}): AsyncIterable<Item> {
  for await (const r of checkRows(file)) {
    if (r.item) yield r.item;
    else if (opts.skipInvalid) opts.onSkip?.(r.problems);
    else throw invalidDatasetError(shownName(file), r.problems, 1);
  }
}

/** All items of a (small) file, validated first: any bad row throws with every problem found. */
export async function readItemsFile(file: string, opts: ReadItemsOptions = {}): Promise<Item[]> {
  const items: Item[] = [];
  const problems: Problem[] = [];
  let invalid = 0;
  for await (const r of checkRows(file)) {
    if (r.item) items.push(r.item);
    else {
      invalid++;
      if (opts.skipInvalid) opts.onSkip?.(r.problems);
      else if (problems.length < 200) problems.push(...r.problems);
    }
  }
  if (invalid > 0 && !opts.skipInvalid) throw invalidDatasetError(shownName(file), problems, invalid);
  return items;
}
