import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { UserError, type Problem } from './errors.js';

/** One JSON object of a JSONL file, with where it came from. */
export interface JsonlRow {
  row: Record<string, unknown>;
  /** 1-based line number. */
  line: number;
  /** The line's raw text (to point a column at a field). */
  raw: string;
}

/**
 * Reads a small JSONL file whole: every non-empty line must be a JSON object. Lines that are not
 * become problems (FILE:LINE:COL) for the caller to report with its own field checks.
 */
export function readJsonlObjects(file: string, what: string): { rows: JsonlRow[]; problems: Problem[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`${file}: ${what} not found`, { code: 'not_found' });
  }
  const rows: JsonlRow[] = [];
  const problems: Problem[] = [];
  text.split('\n').forEach((raw, i) => {
    if (!raw.trim()) return;
    let row: unknown;
    try {
      row = JSON.parse(raw);
    } catch (e) {
      problems.push({ file, line: i + 1, col: 1, message: `invalid JSON: ${(e as Error).message}` });
      return;
    }
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      problems.push({ file, line: i + 1, col: 1, message: 'a row must be a JSON object' });
      return;
    }
    rows.push({ row: row as Record<string, unknown>, line: i + 1, raw });
  });
  return { rows, problems };
}

/**
 * Reads a small JSONL file whole and validates each row with `schema`. Bad lines and failed fields
 * are thrown together as one `UserError` (code `dataset_invalid`) with a FILE:LINE problem each;
 * an empty file is an error too.
 */
export function readJsonlRows<S extends z.ZodType>(file: string, schema: S, what = 'file'): z.infer<S>[] {
  const { rows, problems } = readJsonlObjects(file, what);
  const out: z.infer<S>[] = [];
  for (const { row, line } of rows) {
    const r = schema.safeParse(row);
    if (r.success) out.push(r.data);
    else for (const iss of r.error.issues) problems.push({ file, line, col: 1, message: `${iss.path.map(String).join('.') || '(row)'}: ${iss.message}` });
  }
  if (problems.length) throw new UserError(`${file}: ${problems.length} invalid row(s)`, { code: 'dataset_invalid', problems: problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)).slice(0, 50) });
  if (out.length === 0) throw new UserError(`${file}: no rows`, { code: 'dataset_invalid' });
  return out;
}
