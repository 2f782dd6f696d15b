import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError, type Problem } from '../../src/core/errors.js';
import { readJsonlObjects } from '../../src/core/jsonl.js';
import { Item, type Item as ItemT } from '../../src/core/types.js';
import { importDataset } from '../../src/datasets/import.js';
import { checkRows, readItemsFile } from '../../src/datasets/read.js';
import { tempDir } from './helpers.js';

/**
 * Property tests of the dataset readers (JSONL, CSV, YAML: src/datasets/read.ts) and the core
 * JSONL object reader (src/core/jsonl.ts): any file gives items, or problems located inside the
 * file (FILE:LINE:COL); nothing else is thrown. Items written as JSONL, or as CSV and imported by
 * `dataset import` (the writer), read back equal.
 */

const RUNS = 80;

const text = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim().length > 0);
const item = fc
  .record({
    id: fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,15}$/),
    prompt: text,
    pillar: fc.constantFrom('safety', 'fairness', 'privacy_security', 'veracity_robustness'),
    kind: fc.constantFrom('model-breaking', 'benign', 'capability'),
    expected: fc.constantFrom('refuse', 'comply', 'deflect'),
    lang: fc.constantFrom('en', 'fr', 'de'),
    source: fc.constantFrom('red-team', 'generated', 'public-benchmark'),
    policy: fc.option(fc.stringMatching(/^[a-z]{1,8}\.[a-z_]{1,10}$/), { nil: undefined }),
  })
  .map((r) => Item.parse(Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined))));
const items = fc.uniqueArray(item, { selector: (i) => i.id, minLength: 1, maxLength: 12 });

/** RFC 4180: quote every cell, double the quotes. */
const csvCell = (v: unknown): string => `"${String(v ?? '').replace(/"/g, '""')}"`;
const COLS = ['id', 'prompt', 'pillar', 'kind', 'expected', 'lang', 'source', 'policy'] as const;
function toCsv(rows: ItemT[], eol: string): string {
  return [COLS.join(','), ...rows.map((r) => COLS.map((c) => csvCell(r[c])).join(','))].join(eol) + eol;
}

function lines(s: string): number {
  return s.split(/\r\n|\r|\n/).length;
}

function expectLocated(problems: Problem[], name: string, content: string): void {
  expect(problems.length).toBeGreaterThan(0);
  for (const p of problems) {
    expect(p.file.endsWith(name)).toBe(true);
    expect(p.line).toBeGreaterThanOrEqual(1);
    expect(p.line).toBeLessThanOrEqual(lines(content) + 1);
    expect(p.col).toBeGreaterThanOrEqual(1);
  }
}

/** Read a dataset file: the items, or the located problems (anything else thrown fails the property). */
async function readDataset(file: string): Promise<{ items: ItemT[] } | { problems: Problem[] }> {
  try {
    const rows: { item?: ItemT; problems: Problem[] }[] = [];
    for await (const r of checkRows(file)) rows.push(r);
    const problems = rows.flatMap((r) => r.problems);
    if (problems.length) return { problems };
    return { items: await readItemsFile(file) };
  } catch (e) {
    if (e instanceof UserError && e.problems.length) return { problems: e.problems };
    throw e;
  }
}

describe('fuzz: dataset readers', () => {
  const tmp = tempDir('pillars-fuzz-ds-');
  afterAll(() => tmp.cleanup());

  const jsonlLine = fc.oneof(
    item.map((i) => JSON.stringify(i)),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
    fc.string({ maxLength: 60 }).map((s) => s.replace(/[\r\n]/g, ' ')),
    fc.constantFrom('', '   ', '// comment', '{', '{"id":', '\ufeff{}', '{"id":"x","prompt":"p","pillar":"safety"}', 'null', '[]', '"\\ud800"'),
  );

  it('JSONL: any lines give items or located problems', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(jsonlLine, { maxLength: 12 }), fc.constantFrom('\n', '\r\n'), async (ls, eol) => {
        const content = ls.join(eol);
        const file = join(tmp.dir, 'rows.jsonl');
        writeFileSync(file, content);
        const r = await readDataset(file);
        if ('problems' in r) expectLocated(r.problems, 'rows.jsonl', content);
      }),
      { numRuns: RUNS },
    );
  });

  it('JSONL: items written one per line read back equal', async () => {
    await fc.assert(
      fc.asyncProperty(items, async (xs) => {
        const file = join(tmp.dir, 'rt.jsonl');
        writeFileSync(file, `${xs.map((x) => JSON.stringify(x)).join('\n')}\n`);
        expect(await readItemsFile(file)).toEqual(xs);
      }),
      { numRuns: RUNS },
    );
  });

  const csvText = fc.array(fc.constantFrom(',', '"', '\n', '\r\n', '\r', ' ', 'id', 'prompt', 'pillar', 'safety', 'benign', 'refuse', 'x', '\ufeff', '|', '[', '{', '\t'), { maxLength: 80 }).map((a) => a.join(''));

  it('CSV: any text gives items or located problems', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(csvText, items.map((xs) => toCsv(xs, '\n')).chain((c) => fc.nat(c.length).map((n) => c.slice(0, n)))), async (content) => {
        const file = join(tmp.dir, 'rows.csv');
        writeFileSync(file, content);
        const r = await readDataset(file);
        if ('problems' in r) expectLocated(r.problems, 'rows.csv', content);
      }),
      // Found by this property: csv-parse's INVALID_OPENING_QUOTE escaped as an internal error;
      // mixed line endings made csv-parse report a line past the end of the file.
      { numRuns: RUNS, examples: [[' "'], ['id,prompt\n a"b,"c'], ['\n\r\n\r\n,']] },
    );
  });

  it('CSV: items with commas, quotes and line breaks, written as CSV and imported by `dataset import`, read back equal', async () => {
    const tricky = fc.string({ minLength: 1, maxLength: 30, unit: fc.constantFrom('a', 'b', ' ', ',', '"', '\n', 'é', '|', '{', "'") }).filter((s) => s.trim().length > 0);
    await fc.assert(
      fc.asyncProperty(items, fc.array(tricky, { minLength: 12, maxLength: 12 }), fc.constantFrom('\n', '\r\n'), async (xs0, prompts, eol) => {
        const xs = xs0.map((x, i) => ({ ...x, prompt: prompts[i]! }));
        const src = join(tmp.dir, 'rt.csv');
        const out = join(tmp.dir, 'rt-imported.jsonl');
        writeFileSync(src, toCsv(xs, eol));
        const map = Object.fromEntries(COLS.map((c) => [c, c]));
        const r = await importDataset({ file: src, out, map });
        expect(r.problems).toEqual([]);
        expect(await readItemsFile(out)).toEqual(xs);
        expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(xs.length);
      }),
      { numRuns: 40 },
    );
  });

  it('YAML: any text gives items or located problems', async () => {
    const yamlText = fc.array(fc.constantFrom('- ', 'id: x\n', '  prompt: p\n', 'pillar: safety\n', '&a ', '*a', '[', ']', '{', '}', ':', '\n', '  ', 'items:\n', '"', "'", '#'), { maxLength: 40 }).map((a) => a.join(''));
    await fc.assert(
      fc.asyncProperty(yamlText, async (content) => {
        const file = join(tmp.dir, 'rows.yaml');
        writeFileSync(file, content);
        const r = await readDataset(file);
        if ('problems' in r) expectLocated(r.problems, 'rows.yaml', content);
      }),
      // Found by this property: an alias bomb in a YAML dataset escaped as an internal error.
      { numRuns: RUNS, examples: [[`- &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 6 }, (_, d) => `- &a${d} [${Array(10).fill(d ? `*a${d - 1}` : '*a').join(', ')}]`).join('\n')}\n`]] },
    );
  });

  it('core JSONL object reader: any text gives rows and located problems, never throws; objects round-trip', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }).map((o) => JSON.stringify(o)), jsonlLine), { maxLength: 10 }), (ls) => {
        const file = join(tmp.dir, 'objects.jsonl');
        const content = ls.join('\n');
        writeFileSync(file, content);
        const { rows, problems } = readJsonlObjects(file, 'objects');
        for (const p of problems) {
          expect(p.file).toBe(file);
          expect(p.line).toBeGreaterThanOrEqual(1);
          expect(p.line).toBeLessThanOrEqual(ls.length);
        }
        for (const r of rows) expect(r.row).toEqual(JSON.parse(ls[r.line - 1]!));
        expect(rows.length + problems.length).toBe(ls.filter((l) => l.trim() !== '').length);
      }),
      { numRuns: RUNS },
    );
  });
});
