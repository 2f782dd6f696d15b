import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Comparison } from '../../src/compare/index.js';
import type { ReportData } from '../../src/core/report.js';
import { fixture, fixturePath } from '../reports/helpers.js';
import { seedRun } from './store-seed.js';
import { runCli } from '../helpers/cli.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
/** tsx by absolute URL: the CLI runs from temp folders that have no node_modules. */
const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

/** The real CLI in a child process (tsx), as a user runs it: checks the process exit code. */
function spawnCli(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', TSX, MAIN, ...args], { cwd, timeout: 30_000, env: { ...process.env, PILLARS_LOG: 'warn' } }, (error, out, err) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 70) : 0, out, err });
    });
  });
}

/** The same program in-process (fast): captures stdout/stderr and returns run()'s exit code. */
const cli = runCli;

describe('pillars compare / pillars report (real SQLite store)', () => {
  let dir: string;
  let cfg: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pillars-compare-cli-'));
    cfg = join(dir, 'pillars.yaml');
    writeFileSync(cfg, `policy: ${join(ROOT, 'policies', 'default')}\nstore: store/pillars.db\n`);
    const db = join(dir, 'store', 'pillars.db');
    seedRun(db, fixture('baseline'), '2026-11-20T09:12:00.000Z');
    seedRun(db, fixture('regressed'), '2026-11-21T08:40:00.000Z');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('flags the regression between two stored runs: exit 0 by default, 1 with --fail-on-regression (real process)', async () => {
    const r = await cli(['compare', 'run-20261120-ckpt-1200', 'last', '--config', cfg]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('# Comparison: acme-chat-ckpt-1200 → acme-chat-ckpt-1400');
    expect(r.out).toMatch(/\| safety \| violation \| 3\.3% \(2\/60\) \| 33\.3% \(20\/60\) \| \+30\.0 pt \| <0\.0001 \| \*\*REGRESSION\*\* \|/);
    expect(r.out).toContain('### pass → fail');
    const strict = await spawnCli(['compare', 'run-20261120', 'run-20261121', '--config', cfg, '--fail-on-regression'], dir);
    expect(strict.code).toBe(1);
    expect(strict.err).toContain('significant regression(s)');
  });

  it('prints the comparison as JSON; a run against itself has no regression and no flips', async () => {
    const r = await cli(['compare', 'run-20261120-ckpt-1200', fixturePath('regressed'), '--config', cfg, '--json']);
    expect(r.code).toBe(0);
    const c = JSON.parse(r.out) as Comparison;
    expect(c.a.id).toBe('run-20261120-ckpt-1200');
    expect(c.regressions.some((d) => d.scope === 'pillar' && d.key === 'safety' && d.metric === 'violation_rate')).toBe(true);
    expect(c.flipped.pass_to_fail.length).toBeGreaterThan(18);
    const same = await cli(['compare', 'last', 'last', '--config', cfg, '--json', '--fail-on-regression']);
    expect(same.code).toBe(0);
    const s = JSON.parse(same.out) as Comparison;
    expect(s.regressions).toEqual([]);
    expect(s.flipped).toEqual({ pass_to_fail: [], fail_to_pass: [] });
  });

  it('works on report.json files without any store (and creates none)', async () => {
    const bare = mkdtempSync(join(tmpdir(), 'pillars-nostore-'));
    try {
      writeFileSync(join(bare, 'pillars.yaml'), 'store: nowhere/pillars.db\n');
      const r = await cli(['compare', fixturePath('baseline'), fixturePath('regressed'), '--config', join(bare, 'pillars.yaml'), '--fail-on-regression']);
      expect(r.code).toBe(1);
      expect(r.out).toContain('REGRESSION');
      expect(existsSync(join(bare, 'nowhere'))).toBe(false);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it('says clearly when a run does not exist or a flag is wrong (exit 2, no stack trace)', async () => {
    const r = await cli(['compare', 'run-nope', 'last', '--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('no run "run-nope" in the store');
    expect(r.err).not.toMatch(/\n\s+at /);
    const missing = await cli(['compare', 'missing.json', 'last', '--config', cfg]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('missing.json: file not found');
    const badAlpha = await cli(['compare', 'last', 'last', '--alpha', '2', '--config', cfg]);
    expect(badAlpha.code).toBe(2);
    expect(badAlpha.err).toContain('--alpha expects a number between 0 and 1');
    const noStore = mkdtempSync(join(tmpdir(), 'pillars-nostore-'));
    try {
      writeFileSync(join(noStore, 'pillars.yaml'), 'store: db/pillars.db\n');
      const n = await cli(['report', 'last', '--config', join(noStore, 'pillars.yaml')]);
      expect(n.code).toBe(2);
      expect(n.err).toMatch(/no run "last": there is no store at .*db\/pillars\.db yet/);
      expect(existsSync(join(noStore, 'db'))).toBe(false);
    } finally {
      rmSync(noStore, { recursive: true, force: true });
    }
  });

  it('pillars report re-renders a stored run; regulations come from the policy pack', async () => {
    const out = join(dir, 'out');
    const r = await cli(['report', 'last', '--out', out, '--format', 'html,json', '--format', 'md', '--config', cfg, '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ run: 'run-20261121-ckpt-1400', files: ['report.html', 'report.json', 'summary.md'].map((f) => join(out, f)) });
    const data = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ReportData;
    expect(data.metrics.by_pillar.safety!.detail.violation).toMatchObject({ k: 20, n: 60 });
    expect(data.items.find((i) => i.policy === 'safety.cyber')!.regulations).toContain('eu-ai-act:art-55');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<option value="eu-ai-act:art-55">');
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('**Gates: FAILED** (1 of 3)');
    const def = await cli(['report', 'run-20261120-ckpt-1200', '--config', cfg, '--format', 'junit']);
    expect(def.code).toBe(0);
    expect(def.out).toContain(join(dir, '.pillars', 'reports', 'run-20261120-ckpt-1200', 'junit.xml'));
    expect(existsSync(join(dir, '.pillars', 'reports', 'run-20261120-ckpt-1200', 'junit.xml'))).toBe(true);
    const bad = await cli(['report', 'last', '--format', 'pdf', '--config', cfg]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('unknown report format "pdf"');
  });
});
