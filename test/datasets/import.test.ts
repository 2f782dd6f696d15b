import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { importDataset, parseAssignments, readItemsFile } from '../../src/datasets/index.js';
import { requirePrereq, skipUnless } from '../helpers/prereq.js';

const dir = mkdtempSync(join(tmpdir(), 'pillars-imp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const BENCH = resolve(__dirname, '..', '..', '..', 'shared', 'benchmarks');
const SAFETY = { kind: 'model-breaking', expected: 'refuse', pillar: 'safety', source: 'public-benchmark' };

describe('dataset import', () => {
  it('maps CSV columns, sets constants, generates deterministic ids and validates the result', async () => {
    const src = join(dir, 'bench.csv');
    writeFileSync(src, 'Behavior,Category,Lang\nDo a bad thing,chem,en\nDo another bad thing,cyber,fr\nDo a bad thing,chem,en\n');
    const out = join(dir, 'out.jsonl');
    const r1 = await importDataset({ file: src, out, map: { Behavior: 'prompt', Category: 'meta.category', Lang: 'lang' }, set: { ...SAFETY, tags: 'imported|bench' } });
    expect(r1.written).toBe(3);
    const items = await readItemsFile(out);
    expect(items[0]).toMatchObject({ prompt: 'Do a bad thing', pillar: 'safety', kind: 'model-breaking', expected: 'refuse', source: 'public-benchmark', meta: { category: 'chem' }, tags: ['imported', 'bench'] });
    expect(items[1]!.lang).toBe('fr');
    expect(items[0]!.id).toMatch(/^bench-[0-9a-f]{12}$/);
    expect(items[2]!.id).toBe(`${items[0]!.id}-2`); // same prompt twice: still unique
    const first = readFileSync(out, 'utf8');
    await importDataset({ file: src, out, map: { Behavior: 'prompt', Category: 'meta.category', Lang: 'lang' }, set: { ...SAFETY, tags: 'imported|bench' } });
    expect(readFileSync(out, 'utf8')).toBe(first); // deterministic
  });

  it('reads nested JSONL columns through dot paths, with templates and filters', async () => {
    const src = join(dir, 'nested.jsonl');
    writeFileSync(
      src,
      [
        { q: { text: 'Which is larger?', options: ['one', 'two'] }, gold: 'B', split: 'test', ctx: 'Numbers' },
        { q: { text: 'Skip me', options: ['a', 'b'] }, gold: 'A', split: 'train', ctx: 'x' },
      ]
        .map((o) => JSON.stringify(o))
        .join('\n'),
    );
    const out = join(dir, 'nested-out.jsonl');
    const r = await importDataset({
      file: src,
      out,
      map: { 'q.options': 'choices', gold: 'expected' },
      template: { prompt: '{ctx}: {q.text}' },
      where: { split: 'test' },
      set: { kind: 'capability', pillar: 'veracity_robustness' },
      idPrefix: 'mc',
    });
    expect([r.written, r.filtered]).toEqual([1, 1]);
    const [it] = await readItemsFile(out);
    expect(it).toMatchObject({ prompt: 'Numbers: Which is larger?', choices: ['one', 'two'], expected: 'B', kind: 'capability' });
    expect(it!.id.startsWith('mc-')).toBe(true);
  });

  it('a row that makes no valid item names its line and source column; nothing is written', async () => {
    const src = join(dir, 'bad.csv');
    writeFileSync(src, 'goal,pillar\nfine,safety\nbad,planet\n');
    const out = join(dir, 'bad-out.jsonl');
    await expect(importDataset({ file: src, out, map: { goal: 'prompt', pillar: 'pillar' }, set: { kind: 'benign', expected: 'comply' } })).rejects.toSatisfy((e: unknown) => {
      const u = e as UserError;
      return u instanceof UserError && u.problems[0]!.line === 3 && u.problems[0]!.col === 2 && u.problems[0]!.message.includes('from column pillar');
    });
    expect(existsSync(out)).toBe(false);
    const r = await importDataset({ file: src, out, map: { goal: 'prompt', pillar: 'pillar' }, set: { kind: 'benign', expected: 'comply' }, skipInvalid: true });
    expect([r.written, r.skipped]).toEqual([1, 1]);
  });

  it('parses NAME=VALUE flags', () => {
    expect(parseAssignments('--map', ['a=b', 'c=d=e'])).toEqual({ a: 'b', c: 'd=e' });
    expect(() => parseAssignments('--map', ['nope'])).toThrow(UserError);
  });

  it.skipIf(skipUnless(existsSync(join(BENCH, 'harmbench'))))('imports HarmBench (standard and contextual behaviours) into valid items', async () => {
    requirePrereq(existsSync(join(BENCH, 'harmbench')), `${join(BENCH, 'harmbench')} is missing (the public HarmBench files)`);
    const file = join(BENCH, 'harmbench', 'harmbench_behaviors_text_all.csv');
    const out = join(dir, 'harmbench.jsonl');
    const std = await importDataset({ file, out, where: { FunctionalCategory: 'standard' }, map: { Behavior: 'prompt', BehaviorID: 'id', SemanticCategory: 'meta.category' }, set: SAFETY });
    expect(std.written).toBe(200);
    const items = await readItemsFile(out);
    expect(items).toHaveLength(200);
    expect(items.every((i) => i.kind === 'model-breaking' && i.source === 'public-benchmark' && i.meta?.category)).toBe(true);
    const ctx = await importDataset({ file, out, where: { FunctionalCategory: 'contextual' }, template: { prompt: '{ContextString}\\n\\n{Behavior}' }, map: { BehaviorID: 'id' }, set: SAFETY });
    expect(ctx.written).toBe(100);
    expect((await readItemsFile(out))[0]!.prompt).toContain('\n\n');
  });

  it.skipIf(skipUnless(existsSync(join(BENCH, 'advbench'))))('imports AdvBench harmful behaviours', async () => {
    requirePrereq(existsSync(join(BENCH, 'advbench')), `${join(BENCH, 'advbench')} is missing (the public AdvBench files)`);
    const out = join(dir, 'advbench.jsonl');
    const r = await importDataset({ file: join(BENCH, 'advbench', 'harmful_behaviors.csv'), out, map: { goal: 'prompt' }, set: SAFETY });
    expect(r.written).toBe(520);
    const items = await readItemsFile(out);
    expect(new Set(items.map((i) => i.id)).size).toBe(520);
  });
});
