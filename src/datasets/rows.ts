import { CsvError, parse as parseCsv } from 'csv-parse';
import { createReadStream, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { createInterface } from 'node:readline';
import { isMap, isNode, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { UserError, type Problem } from '../core/errors.js';
import { coerceCell, setPath } from './fields.js';

/**
 * Row readers: JSONL and CSV stream (memory stays flat on any size), YAML is read whole (it is
 * for small hand-written sets). Every row knows its line, and where in the file a field sits, so
 * a bad row is reported as FILE:LINE:COL.
 */

export type DatasetFormat = 'jsonl' | 'csv' | 'yaml';

export interface RawRow {
  /** 1-based line where the row starts. */
  line: number;
  /** The row as an object (CSV cells coerced to item field types), when it parsed. */
  data?: unknown;
  /** Set when the row could not be parsed at all (bad JSON, bad CSV quoting). */
  problem?: Problem;
  /** Line and column of a field of this row (for zod problems). */
  locate(path: readonly PropertyKey[]): { line: number; col: number };
}

export function formatOf(file: string): DatasetFormat {
  const f = file.toLowerCase();
  if (f.endsWith('.jsonl') || f.endsWith('.ndjson') || f.endsWith('.json')) return 'jsonl';
  if (f.endsWith('.csv') || f.endsWith('.tsv')) return 'csv';
  if (f.endsWith('.yaml') || f.endsWith('.yml')) return 'yaml';
  throw new UserError(`${file}: unknown dataset format (use .jsonl, .csv or .yaml)`, { code: 'dataset_invalid' });
}

/** The name a file is shown by in problems: relative to the working folder when inside it. */
export function shownName(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel === '' || rel.startsWith('..') ? file : rel;
}

export function readRows(file: string, opts: { coerce?: boolean } = {}): AsyncIterable<RawRow> {
  const fmt = formatOf(file);
  if (fmt === 'jsonl') return readJsonlRows(file);
  if (fmt === 'csv') return readCsvRows(file, opts.coerce ?? true);
  return readYamlRows(file);
}

function openError(file: string, e: unknown): UserError {
  const code = (e as NodeJS.ErrnoException).code;
  return new UserError(code === 'ENOENT' ? `${file}: no such dataset file` : `${file}: cannot read (${(e as Error).message})`, {
    code: code === 'ENOENT' ? 'not_found' : 'dataset_invalid',
  });
}

/** Column (1-based) where a JSON parse error sits, from V8's message. */
function jsonErrorCol(msg: string, text: string): number {
  const m = /position (\d+)/.exec(msg);
  if (m) return Number(m[1]) + 1;
  if (/Unexpected end/.test(msg)) return text.length + 1;
  return 1;
}

export async function* readJsonlRows(file: string): AsyncIterable<RawRow> {
  const shown = shownName(file);
  const stream = createReadStream(file, { encoding: 'utf8' });
  const opened = new Promise<void>((res, rej) => {
    stream.once('open', () => res());
    stream.once('error', rej);
  });
  try {
    await opened;
  } catch (e) {
    throw openError(file, e);
  }
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const raw of rl) {
      line++;
      const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (text.trim() === '' || text.trimStart().startsWith('//')) continue;
      const at = line;
      const locate = (path: readonly PropertyKey[]): { line: number; col: number } => {
        const key = path.find((p) => typeof p === 'string');
        const idx = key === undefined ? -1 : text.indexOf(`"${String(key)}"`);
        return { line: at, col: idx >= 0 ? idx + 1 : 1 };
      };
      try {
        yield { line: at, data: JSON.parse(text) as unknown, locate };
      } catch (e) {
        const msg = (e as Error).message;
        yield { line: at, locate, problem: { file: shown, line: at, col: jsonErrorCol(msg, text), message: `invalid JSON: ${msg}` } };
      }
    }
  } finally {
    rl.close();
    stream.destroy();
  }
}

/** Counts line breaks (CRLF as one) in what a stream emits, as it emits it. */
function countLineBreaks(stream: NodeJS.ReadableStream): { breaks: number } {
  const seen = { breaks: 0 };
  let lastCr = false;
  stream.on('data', (chunk: Buffer | string) => {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (let i = 0; i < b.length; i++) {
      const c = b[i];
      if (c === 0x0d) seen.breaks++;
      else if (c === 0x0a && !lastCr) seen.breaks++;
      lastCr = c === 0x0d;
    }
  });
  return seen;
}

interface CsvRecord {
  record: string[];
  info: { lines: number };
}

export async function* readCsvRows(file: string, coerce: boolean): AsyncIterable<RawRow> {
  const shown = shownName(file);
  const stream = createReadStream(file);
  const opened = new Promise<void>((res, rej) => {
    stream.once('open', () => res());
    stream.once('error', rej);
  });
  try {
    await opened;
  } catch (e) {
    throw openError(file, e);
  }
  const parser = stream.pipe(
    parseCsv({
      bom: true,
      delimiter: file.toLowerCase().endsWith('.tsv') ? '\t' : ',',
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }),
  );
  // Line breaks (CRLF, CR or LF) seen so far. csv-parse counts lines by its detected record
  // delimiter and over-counts mixed endings ("\n\r\n\r\n," gave line 6 of 4): a reported line is
  // never past the lines the file has shown so far.
  const seen = countLineBreaks(stream);
  const clampLine = (line: number): number => Math.max(1, Math.min(line, seen.breaks + 1));
  let header: string[] | null = null;
  let prevEnd = 0;
  try {
    for await (const rec of parser as AsyncIterable<CsvRecord>) {
      const start = clampLine(prevEnd + 1);
      prevEnd = rec.info.lines;
      if (!header) {
        header = rec.record.map((h) => h.trim());
        continue;
      }
      const cols = header;
      const obj: Record<string, unknown> = {};
      const width = rec.record.length;
      for (let i = 0; i < cols.length; i++) {
        const name = cols[i]!;
        if (name === '') continue;
        const cell = rec.record[i];
        const v = coerce ? coerceCell(name, cell) : cell;
        if (v !== undefined) {
          if (coerce) setPath(obj, name, v);
          else obj[name] = v;
        }
      }
      const locate = (path: readonly PropertyKey[]): { line: number; col: number } => {
        const top = path.length ? String(path[0]) : '';
        const full = path.map(String).join('.');
        let idx = cols.indexOf(full);
        if (idx < 0) idx = cols.findIndex((c) => c === top || c.startsWith(`${top}.`));
        return { line: start, col: idx >= 0 ? idx + 1 : 1 };
      };
      if (width !== cols.length) {
        yield {
          line: start,
          locate,
          problem: { file: shown, line: start, col: Math.min(width, cols.length) + 1, message: `row has ${width} columns, the header has ${cols.length}` },
        };
        continue;
      }
      yield { line: start, data: obj, locate };
    }
  } catch (e) {
    const err = e as { code?: string; lines?: number; message: string };
    // Every csv-parse error (INVALID_OPENING_QUOTE, CSV_QUOTE_NOT_CLOSED, ...) is a located problem.
    if (e instanceof CsvError || (typeof err.code === 'string' && err.code.startsWith('CSV_'))) {
      throw new UserError(`${shown}: invalid CSV`, {
        code: 'dataset_invalid',
        problems: [{ file: shown, line: clampLine(err.lines ?? prevEnd + 1), col: 1, message: `invalid CSV: ${err.message}` }],
      });
    }
    throw e;
  } finally {
    stream.destroy();
  }
}

export async function* readYamlRows(file: string): AsyncIterable<RawRow> {
  const shown = shownName(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw openError(file, e);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new UserError(`${shown}: invalid YAML`, {
      code: 'dataset_invalid',
      problems: doc.errors.map((e) => ({ file: shown, ...lines.linePos(e.pos[0]), message: `YAML syntax error: ${e.message.split('\n')[0]}` })),
    });
  }
  let seq: Node | null = doc.contents as Node | null;
  if (isMap(seq)) seq = (seq.get('items', true) as Node | undefined) ?? null;
  if (!isSeq(seq)) {
    throw new UserError(`${shown}: a YAML dataset is a list of items (or a mapping with an \`items:\` list)`, {
      code: 'dataset_invalid',
      problems: [{ file: shown, line: 1, col: 1, message: '(root): expected a list of items or `items:`' }],
    });
  }
  for (const node of seq.items) {
    const n = node as Node;
    const pos = n.range ? lines.linePos(n.range[0]) : { line: 1, col: 1 };
    const locate = (path: readonly PropertyKey[]): { line: number; col: number } => {
      for (let k = path.length; k > 0; k--) {
        const sub = isNode(n) && (isMap(n) || isSeq(n)) ? n.getIn(path.slice(0, k) as (string | number)[], true) : undefined;
        if (isNode(sub) && sub.range) return lines.linePos(sub.range[0]);
      }
      return pos;
    };
    let data: unknown;
    try {
      data = isNode(n) ? (n.toJS(doc, { maxAliasCount: 100 }) as unknown) : n;
    } catch (e) {
      // An alias bomb (or an alias to nothing) is this row's problem, not a crash.
      yield { line: pos.line, locate, problem: { file: shown, ...pos, message: `YAML: ${(e as Error).message}` } };
      continue;
    }
    yield { line: pos.line, data, locate };
  }
}
