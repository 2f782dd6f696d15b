import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { UserError, type Problem } from '../../src/core/errors.js';
import { checkPack } from '../../src/policy/load.js';
import { STARTER_PACK } from '../../src/policy/starter.js';
import { tempDir } from './helpers.js';

/**
 * Property tests of the YAML loaders that read outside input: pillars.yaml (`loadConfig`) and
 * policy packs (`checkPack`). Each input either loads or gives located problems (FILE:LINE:COL
 * inside the file); nothing else is thrown, nothing hangs. Valid values round-trip through the
 * YAML writer. Runs are bounded (the whole fuzz suite stays within seconds).
 */

const RUNS = 100;

/** YAML-ish text: the characters that matter to the grammar, in lines. */
const yamlChar = fc.constantFrom(...' \t:-?[]{},&*!|>\'"%@`#\\\n\nabcxyz019.'.split(''), 'id', 'policies', ': ', '- ', '  ', '&a ', '*a', '<<: ', '---\n', '...\n', '\ufeff', '\u0000', 'é');
const yamlText = fc.array(yamlChar, { maxLength: 200 }).map((a) => a.join(''));

/** A small alias bomb: `depth` levels of `fan` aliases each. */
const aliasDoc = fc.record({ depth: fc.integer({ min: 1, max: 12 }), fan: fc.integer({ min: 1, max: 12 }) }).map(({ depth, fan }) => {
  const lines = ['a0: &a0 [x, y]'];
  for (let d = 1; d <= depth; d++) lines.push(`a${d}: &a${d} [${Array.from({ length: fan }, () => `*a${d - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\n`;
});

function lineCount(text: string): number {
  return text.split(/\r\n|\r|\n/).length;
}

function expectLocated(problems: Problem[], file: string, text: string): void {
  expect(problems.length).toBeGreaterThan(0);
  for (const p of problems) {
    expect(p.file.endsWith(file)).toBe(true);
    expect(p.line).toBeGreaterThanOrEqual(1);
    expect(p.line).toBeLessThanOrEqual(lineCount(text) + 1);
    expect(p.col).toBeGreaterThanOrEqual(1);
    expect(p.message.length).toBeGreaterThan(0);
  }
}

describe('fuzz: YAML loaders', () => {
  const tmp = tempDir('pillars-fuzz-');
  const saved = process.env.PILLARS_NO_CACHE;
  beforeAll(() => {
    process.env.PILLARS_NO_CACHE = '1';
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.PILLARS_NO_CACHE;
    else process.env.PILLARS_NO_CACHE = saved;
    tmp.cleanup();
  });

  const loadConfigText = (text: string): { ok: true; raw: Record<string, unknown> } | { ok: false; problems: Problem[]; message: string } => {
    const file = join(tmp.dir, 'pillars.yaml');
    writeFileSync(file, text);
    try {
      return { ok: true, raw: loadConfig({ config: file }).raw };
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      return { ok: false, problems: e.problems, message: e.message };
    }
  };

  it('pillars.yaml: any text loads or is a located UserError', () => {
    fc.assert(
      fc.property(fc.oneof(yamlText, aliasDoc, fc.string({ maxLength: 300 })), (text) => {
        const r = loadConfigText(text);
        if (!r.ok) {
          if (r.problems.length) expectLocated(r.problems, 'pillars.yaml', text);
          else expect(r.message).toMatch(/pillars\.yaml:1:1: configuration must be a YAML mapping/);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('pillars.yaml: a mapping written by the YAML writer reads back equal', () => {
    const key = fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !['policy', 'store', '$schema', '__proto__'].includes(k));
    const value = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 6 }), fc.integer({ min: 2, max: 8 }), (obj, indent) => {
        const r = loadConfigText(stringify(obj, { indent }));
        expect(r.ok).toBe(true);
        if (r.ok) expect(r.raw).toEqual(obj);
      }),
      { numRuns: RUNS },
    );
  });

  const checkPackText = (text: string): ReturnType<typeof checkPack> => {
    const file = join(tmp.dir, 'pack.yaml');
    writeFileSync(file, text);
    return checkPack(file, { today: '2026-01-01' });
  };

  it('policy pack: any text loads or gives located problems (never throws)', () => {
    fc.assert(
      fc.property(fc.oneof(yamlText, aliasDoc, fc.string({ maxLength: 300 })), (text) => {
        const r = checkPackText(text);
        if (!r.loaded) expectLocated(r.problems, 'pack.yaml', text);
      }),
      { numRuns: RUNS },
    );
  });

  it('policy pack: the starter pack with lines deleted, duplicated, swapped or edited loads or gives located problems', () => {
    const lines = STARTER_PACK.split('\n');
    const edit = fc.oneof(
      fc.record({ op: fc.constant('delete' as const), at: fc.nat(lines.length - 1) }),
      fc.record({ op: fc.constant('dup' as const), at: fc.nat(lines.length - 1) }),
      fc.record({ op: fc.constant('swap' as const), at: fc.nat(lines.length - 2) }),
      fc.record({ op: fc.constant('indent' as const), at: fc.nat(lines.length - 1), by: fc.integer({ min: -4, max: 4 }) }),
      fc.record({ op: fc.constant('char' as const), at: fc.nat(lines.length - 1), pos: fc.nat(80), ch: yamlChar }),
    );
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        const ls = [...lines];
        for (const e of edits) {
          const at = Math.min(e.at, ls.length - 1);
          if (at < 0) break;
          if (e.op === 'delete') ls.splice(at, 1);
          else if (e.op === 'dup') ls.splice(at, 0, ls[at]!);
          else if (e.op === 'swap' && at + 1 < ls.length) [ls[at], ls[at + 1]] = [ls[at + 1]!, ls[at]!];
          else if (e.op === 'indent') ls[at] = e.by >= 0 ? ' '.repeat(e.by) + ls[at]! : ls[at]!.replace(new RegExp(`^ {0,${-e.by}}`), '');
          else if (e.op === 'char') {
            const l = ls[at]!;
            const p = Math.min(e.pos, l.length);
            ls[at] = l.slice(0, p) + e.ch + l.slice(p + 1);
          }
        }
        const text = ls.join('\n');
        const r = checkPackText(text);
        if (!r.loaded) expectLocated(r.problems, 'pack.yaml', text);
      }),
      { numRuns: RUNS },
    );
  });

  // Block style only: the yaml library's own writer does not round-trip flow collections folded at
  // a narrow lineWidth (e.g. indent 3, lineWidth 20: `parse(stringify(x))` fails on its own output).
  it('policy pack: the starter pack rewritten by the YAML writer (any indent, line width, key order) loads to the same pack', () => {
    const original = checkPackText(STARTER_PACK).loaded!.pack;
    const data = parse(STARTER_PACK) as unknown;
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 0, max: 200 }), fc.boolean(), (indent, lineWidth, sortMapEntries) => {
        const r = checkPackText(stringify(data, { indent, lineWidth, sortMapEntries }));
        expect(r.problems.filter((p) => p.severity === 'error')).toEqual([]);
        expect(r.loaded!.pack).toEqual(original);
      }),
      { numRuns: 25 },
    );
  });
});
