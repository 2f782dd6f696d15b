import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { UserError } from '../../src/core/errors.js';
import { checkPack } from '../../src/policy/load.js';
import { loadScenario } from '../../src/deception/scenario.js';
import { readParsed } from '../../src/policy/parse-cache.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from './helpers.js';

/**
 * YAML alias bombs (issue 12): a few lines whose aliases expand to ~48 million nodes. Blocked
 * before, but as "internal error: Excessive alias count", exit 70, no file. Now a located error.
 */

const BOMB = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
  'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
  'h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]',
  'i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]',
  '',
].join('\n');
const LOCATED = /bomb\.yaml:9:8: YAML alias \*h expands to 48,427,561 nodes: too many aliases/;

describe('YAML alias bombs', () => {
  const tmp = tempDir();
  const bomb = join(tmp.dir, 'bomb.yaml');
  writeFileSync(bomb, BOMB);
  afterAll(() => tmp.cleanup());

  it('in pillars.yaml: FILE:LINE:COL at the alias, exit 2', async () => {
    expect(() => loadConfig({ config: bomb })).toThrow(UserError);
    const r = await runCli(['runs', 'list', '--config', bomb]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(LOCATED);
    expect(r.err).not.toMatch(/internal error|Excessive alias count/);
  });

  it('in a policy pack: FILE:LINE:COL, exit 2 from a command that loads it (policy validate: exit 1, the check failed)', async () => {
    const cfg = join(tmp.dir, 'pillars.yaml');
    writeFileSync(cfg, 'policy: bomb.yaml\n');
    const r = await runCli(['guard', 'classify', '--config', cfg, 'hello']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(LOCATED);
    expect(r.err).not.toMatch(/internal error/);
    const v = await runCli(['policy', 'validate', bomb]);
    expect(v.code).toBe(1);
    expect(v.out + v.err).toMatch(LOCATED);
    expect(checkPack(bomb).problems).toEqual([expect.objectContaining({ line: 9, col: 8, severity: 'error' })]);
  });

  it('in a deception scenario file: FILE:LINE:COL', () => {
    let err: unknown;
    try {
      loadScenario(bomb);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).problems).toEqual([expect.objectContaining({ line: 9, col: 8, message: expect.stringMatching(/YAML alias \*h expands to 48,427,561 nodes/) as unknown })]);
  });

  it('ordinary aliases still load', () => {
    const ok = join(tmp.dir, 'ok.yaml');
    writeFileSync(ok, 'store: &s x.db\nx-copy: *s\n');
    expect(loadConfig({ config: ok }).raw['x-copy']).toBe('x.db');
  });
});

describe('the parsed-YAML cache', () => {
  const tmp = tempDir();
  const saved = process.env.TMPDIR;
  afterEach(() => {
    process.env.TMPDIR = saved;
  });
  afterAll(() => tmp.cleanup());

  it('is not read from a folder other users can write to (a planted "parsed" pack would be trusted)', () => {
    const text = 'id: planted\n';
    const key = createHash('sha256').update('yaml2-core-v1').update(text).digest('hex');
    process.env.TMPDIR = tmp.dir;
    const dir = join(tmp.dir, 'pillars-yaml-cache');
    mkdirSync(dir);
    writeFileSync(join(dir, `${key}.json`), JSON.stringify({ planted: true }));
    chmodSync(dir, 0o777);
    expect(readParsed(text)).toBeUndefined();
    chmodSync(dir, 0o700);
    expect(readParsed(text)).toEqual({ planted: true });
  });
});
