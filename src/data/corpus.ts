import { readFileSync } from 'node:fs';
import { UserError } from '../core/errors.js';
import { readJsonlObjects } from '../core/jsonl.js';
import type { CorpusRow } from './contextualize.js';

/** Read a JSONL corpus: every row needs a string `field` (default `text`); bad rows are FILE:LINE:COL problems. */
export function readCorpus(file: string, field = 'text'): CorpusRow[] {
  const { rows: objects, problems } = readJsonlObjects(file, 'corpus file');
  const rows: CorpusRow[] = [];
  for (const { row, line, raw } of objects) {
    const v = row[field];
    if (typeof v !== 'string') {
      problems.push({ file, line, col: Math.max(1, raw.indexOf(`"${field}"`) + 1), message: `${field}: expected a string${v === undefined ? ' (missing; use --field to name the text field)' : ''}` });
      continue;
    }
    rows.push({ row, text: v });
  }
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
