import { readFileSync } from 'node:fs';
import { UserError, type Problem } from '../core/errors.js';
import type { CorpusRow } from './contextualize.js';

/** Read a JSONL corpus: every row needs a string `field` (default `text`); bad rows are FILE:LINE:COL problems. */
export function readCorpus(file: string, field = 'text'): CorpusRow[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`${file}: corpus file not found`, { code: 'not_found' });
  }
  const rows: CorpusRow[] = [];
  const problems: Problem[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (e) {
      problems.push({ file, line: i + 1, col: 1, message: `invalid JSON: ${(e as Error).message}` });
      return;
    }
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      problems.push({ file, line: i + 1, col: 1, message: 'a row must be a JSON object' });
      return;
    }
    const v = (row as Record<string, unknown>)[field];
    if (typeof v !== 'string') {
      problems.push({ file, line: i + 1, col: Math.max(1, line.indexOf(`"${field}"`) + 1), message: `${field}: expected a string${v === undefined ? ' (missing; use --field to name the text field)' : ''}` });
      return;
    }
    rows.push({ row: row as Record<string, unknown>, text: v });
  });
  if (problems.length) throw new UserError(`${file}: ${problems.length} invalid row(s)`, { code: 'dataset_invalid', problems: problems.slice(0, 20) });
  return rows;
}

/** Texts from a file: JSONL rows with `text`, or plain text / Markdown split into paragraphs. */
export function readTexts(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`${file}: file not found`, { code: 'not_found' });
  }
  if (/\.(jsonl|ndjson)$/i.test(file)) return readCorpus(file).map((r) => r.text);
  return text
    .split(/\n\s*\n/)
    .map((p) => p.replace(/^#+\s.*$/gm, '').replace(/\s+/g, ' ').trim())
    .filter((p) => p.length >= 20);
}
