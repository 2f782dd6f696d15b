import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pillars-ds-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = runCli;

describe('pillars dataset', () => {
  it('validate: exit 0 on good files, exit 1 with FILE:LINE:COL lines on bad rows; --json', async () => {
    const good = join(dir, 'good.jsonl');
    writeFileSync(good, '{"id":"a","prompt":"hi","pillar":"safety","kind":"benign","expected":"comply"}\n');
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'id,prompt,pillar,kind,expected\na,hi,safety,benign,comply\nb,hi,safety,benign,\n');
    const ok = await cli(['dataset', 'validate', good]);
    expect([ok.code, ok.out.trim()]).toEqual([0, `${good}: 1 valid item`]);
    const r = await cli(['dataset', 'validate', good, bad]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/bad\.csv:3:5: expected: /);
    const j = await cli(['dataset', 'validate', bad, '--json']);
    const parsed = JSON.parse(j.out) as { valid: boolean; files: { count: number; invalid: number }[] };
    expect(parsed).toMatchObject({ valid: false, files: [{ count: 1, invalid: 1 }] });
    expect(j.code).toBe(1);
  });

  it('validate passes on every built-in suite file', async () => {
    const { loadManifest, builtinSuitesDir } = await import('../../src/datasets/index.js');
    const files = loadManifest().sets.map((s) => join(builtinSuitesDir(), s.path));
    expect(files).toHaveLength(16);
    const r = await cli(['dataset', 'validate', ...files]);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
  });

  it('import: --map/--set/--where from a CSV, without code', async () => {
    const src = join(dir, 'bench.csv');
    writeFileSync(src, 'Behavior,FunctionalCategory\nDo harm A,standard\nDo harm B,copyright\n');
    const out = join(dir, 'out.jsonl');
    const r = await cli(['dataset', 'import', src, '--map', 'Behavior=prompt', '--where', 'FunctionalCategory=standard', '--set', 'kind=model-breaking', '--set', 'expected=refuse', '--set', 'pillar=safety', '--set', 'source=public-benchmark', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('1 items written (1 rows filtered out by --where)');
    const item = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    expect(item).toMatchObject({ prompt: 'Do harm A', kind: 'model-breaking', source: 'public-benchmark' });
    const missing = await cli(['dataset', 'import', src, '--map', 'Behavior=prompt']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--out');
  });

  it('list: built-in suites with counts per tier', async () => {
    const r = await cli(['dataset', 'list', '--tier', 'quick', '--json']);
    expect(r.code).toBe(0);
    const { suites } = JSON.parse(r.out) as { suites: { name: string; count: number }[] };
    const quick = suites.find((s) => s.name === 'quick')!;
    expect(quick.count).toBeLessThanOrEqual(200);
    expect(suites.find((s) => s.name === 'safety.model-breaking')!.count).toBe(12);
  });
});

describe('pillars dataset validate on folders', () => {
  it('checks every dataset file of a folder and reports unreadable files as problems', async () => {
    const sub = join(dir, 'folder');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, 'a.jsonl'), '{"id":"a","prompt":"hi","pillar":"safety","kind":"benign","expected":"comply"}\n');
    writeFileSync(join(sub, 'b.yaml'), 'just: a mapping\n');
    const r = await cli(['dataset', 'validate', sub, '--json']);
    expect(r.code).toBe(1);
    const { files } = JSON.parse(r.out) as { files: { file: string; count: number; invalid: number }[] };
    expect(files.map((f) => [f.file.endsWith('a.jsonl') || f.file.endsWith('b.yaml'), f.count, f.invalid])).toEqual([
      [true, 1, 0],
      [true, 0, 1],
    ]);
  });
});
