import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { UserError } from '../../src/core/errors.js';
import { iterateItems, openSuite, readItemsFile, validateItemsFile } from '../../src/datasets/index.js';

const dir = mkdtempSync(join(tmpdir(), 'pillars-ds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const ok = (id: string, extra = ''): string => `{"id":"${id}","prompt":"hello ${id}","pillar":"safety","kind":"benign","expected":"comply"${extra}}`;

async function thrown(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('expected a UserError');
}

describe('JSONL reader', () => {
  it('reads valid rows with defaults applied', async () => {
    const items = await readItemsFile(file('ok.jsonl', `${ok('a')}\n\n${ok('b', ',"lang":"fr"')}\n`));
    expect(items.map((i) => [i.id, i.lang, i.source])).toEqual([
      ['a', 'en', 'generated'],
      ['b', 'fr', 'generated'],
    ]);
  });

  it('names file, line, column and field of each bad row', async () => {
    const p = file('bad.jsonl', [ok('a'), '{"id":"b","prompt":"x","pillar":"moon","kind":"benign","expected":"comply"}', ok('c'), '{"id":"d", nope}', '{"id":"e","pillar":"safety","kind":"benign","expected":"comply"}'].join('\n'));
    const e = await thrown(readItemsFile(p));
    expect(e.code).toBe('dataset_invalid');
    const lines = e.problems.map((x) => [x.line, x.message.split(':')[0]]);
    expect(lines).toEqual([
      [2, 'pillar'],
      [4, 'invalid JSON'],
      [5, 'prompt'],
    ]);
    expect(e.problems[0]!.file).toContain('bad.jsonl');
    expect(e.problems[0]!.col).toBe(24); // the "pillar" key on line 2
    const v = await validateItemsFile(p);
    expect([v.count, v.invalid]).toEqual([2, 3]);
  });

  it('skipInvalid drops bad rows and reports each', async () => {
    const p = file('skip.jsonl', [ok('a'), '{"id":"b"}', ok('c')].join('\n'));
    const skipped: number[] = [];
    const got: string[] = [];
    for await (const it of iterateItems(p, { skipInvalid: true, onSkip: (ps) => skipped.push(ps[0]!.line) })) got.push(it.id);
    expect(got).toEqual(['a', 'c']);
    expect(skipped).toEqual([2]);
  });

  it('flags duplicate ids with the first line', async () => {
    const e = await thrown(readItemsFile(file('dup.jsonl', [ok('a'), ok('b'), ok('a')].join('\n'))));
    expect(e.problems[0]).toMatchObject({ line: 3, message: expect.stringContaining('duplicate id "a" (first on line 1)') });
  });

  it('a missing file is a clear UserError', async () => {
    const e = await thrown(readItemsFile(join(dir, 'nope.jsonl')));
    expect(e.message).toContain('no such dataset file');
  });
});

describe('CSV reader', () => {
  it('coerces cells to item fields (lists, numbers, dot-path columns)', async () => {
    const p = file(
      'ok.csv',
      'id,prompt,pillar,kind,expected,level,tags,choices,labels.refusal\n' +
        'q1,"Which one, A or B?",veracity_robustness,capability,B,1,quick|known-answer,"[""yes"",""no""]",complied\n' +
        'q2,"multi\nline prompt",safety,benign,comply,,,,\n',
    );
    const items = await readItemsFile(p);
    expect(items[0]).toMatchObject({ id: 'q1', level: 1, tags: ['quick', 'known-answer'], choices: ['yes', 'no'], labels: { refusal: 'complied' } });
    expect(items[1]!.prompt).toBe('multi\nline prompt');
  });

  it('reports the line and the column of the bad field (multi-line records counted)', async () => {
    const p = file('bad.csv', 'id,prompt,pillar,kind,expected\na,"two\nlines",safety,benign,comply\nb,hi,safety,weird,comply\nc,hi,safety\n');
    const e = await thrown(readItemsFile(p));
    expect(e.problems.map((x) => [x.line, x.col, x.message.split(':')[0]])).toEqual([
      [4, 4, 'kind'],
      [5, 4, 'row has 3 columns, the header has 5'],
    ]);
  });
});

describe('YAML reader', () => {
  it('reads a list or an items: mapping and points at the bad field', async () => {
    const p = file(
      'set.yaml',
      'items:\n  - id: y1\n    prompt: hi\n    pillar: safety\n    kind: benign\n    expected: comply\n  - id: y2\n    prompt: hi\n    pillar: safety\n    kind: benign\n    expected: comply\n    level: 7\n',
    );
    const e = await thrown(readItemsFile(p));
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]).toMatchObject({ line: 12, col: 12, message: expect.stringMatching(/^level: /) });
    const good = await readItemsFile(file('list.yaml', '- {id: z, prompt: hi, pillar: fairness, kind: benign, expected: comply}\n'));
    expect(good[0]!.pillar).toBe('fairness');
  });
});

describe('openSuite', () => {
  it('validates every row before handing out any item (the run does not start)', async () => {
    const p = file('late-bad.jsonl', [ok('a'), ok('b'), '{"id":"c","prompt":"x","pillar":"safety","kind":"benign"}'].join('\n'));
    const e = await thrown(openSuite(p, {}));
    expect(e.problems[0]).toMatchObject({ line: 3, message: expect.stringMatching(/^expected: /) });
    const s = await openSuite(p, { skipInvalid: true });
    expect([s.count, s.skipped]).toEqual([2, 1]);
    const ids: string[] = [];
    for await (const it of s.items()) ids.push(it.id);
    expect(ids).toEqual(['a', 'b']);
  });

  it('resolves a suite id from pillars.yaml relative to the file, and filters the quick tier by tag', async () => {
    file('mine.jsonl', [ok('a', ',"tags":["quick"]'), ok('b'), ok('c', ',"tags":["quick"]')].join('\n'));
    const cfgPath = file('pillars.yaml', 'suites:\n  - id: mine\n    path: mine.jsonl\n');
    const config = loadConfig({ config: cfgPath });
    const full = await openSuite('mine', { config, tier: 'full' });
    const quick = await openSuite('mine', { config, tier: 'quick' });
    expect([full.count, quick.count, quick.id]).toEqual([3, 2, 'mine']);
    const ids: string[] = [];
    for await (const it of quick.items()) ids.push(it.id);
    expect(ids).toEqual(['a', 'c']);
  });

  it('a folder is a suite of its files; unknown names list the built-in suites', async () => {
    const sub = join(dir, 'folder');
    rmSync(sub, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(sub);
    writeFileSync(join(sub, 'a.jsonl'), ok('f1'));
    writeFileSync(join(sub, 'b.yaml'), '- {id: f2, prompt: hi, pillar: safety, kind: benign, expected: comply}\n');
    const s = await openSuite(sub, {});
    expect(s.count).toBe(2);
    const e = await thrown(openSuite('no-such-suite', {}));
    expect(e.message).toContain('built-in');
    expect(e.message).toContain('safety, ');
    expect(e.message).toContain('PILLAR.benign');
  });
});

describe('duplicate ids', () => {
  it('are found across the files of a suite, naming where the id was first seen', async () => {
    const sub = join(dir, 'dups');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, 'a.jsonl'), [ok('x1'), ok('x2')].join('\n'));
    writeFileSync(join(sub, 'b.jsonl'), [ok('x3'), ok('x2')].join('\n'));
    const e = await thrown(openSuite(sub, {}));
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]).toMatchObject({ line: 2, message: expect.stringMatching(/duplicate id "x2" \(first on .*a\.jsonl:2\)/) });
    const s = await openSuite(sub, { skipInvalid: true });
    const ids: string[] = [];
    for await (const it of s.items()) ids.push(it.id);
    expect(ids).toEqual(['x1', 'x2', 'x3']);
  });

  it('the compact id set keeps up with many ids without false duplicates', async () => {
    const { IdSet } = await import('../../src/datasets/idset.js');
    const set = new IdSet(4);
    let fresh = 0;
    for (let i = 0; i < 200_000; i++) if (set.add(`item-${i}`, i + 1) === null) fresh++;
    expect(fresh).toBe(200_000);
    expect(set.size).toBe(200_000);
    expect(set.add('item-123', 9)).toEqual({ line: 124, file: 0 });
  });
});
