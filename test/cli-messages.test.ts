import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { closest, editDistance } from '../src/core/suggest.js';
import { runCli } from './helpers/cli.js';

/** Messages a new user meets: typos get a suggestion, missing files are named, pipes close quietly. */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
const dir = mkdtempSync(join(tmpdir(), 'pillars-messages-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The real CLI in a child process, through bash (for pipes). */
function sh(script: string, input = ''): { code: number | null; out: string; err: string } {
  const define = `pillars() { "${process.execPath}" --import "${TSX}" "${MAIN}" "$@"; }`;
  const r = spawnSync('bash', ['-c', `${define}\n${script}`], {
    cwd: dir,
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('did you mean', () => {
  it('closest: typos within a few edits, transpositions count once, ties and far names give nothing', () => {
    expect(editDistance('openia', 'openai')).toBe(1);
    expect(closest('openia', ['openai', 'anthropic', 'bedrock'])).toBe('openai');
    expect(closest('saftey', ['safety', 'fairness'])).toBe('safety');
    expect(closest('xyz', ['openai', 'anthropic'])).toBeUndefined();
    expect(closest('ab', ['ac', 'ad'])).toBeUndefined();
  });

  it('type: openia in pillars.yaml names the line, suggests openai and lists the types (exit 2)', async () => {
    const cfg = join(dir, 'openia.yaml');
    writeFileSync(cfg, 'targets:\n  - id: mine\n    type: openia\n    model: gpt-4o-mini\n');
    const r = await runCli(['eval', '--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/openia\.yaml:3:\d+: targets\.0\.type: unknown target type "openia" \(did you mean "openai"\?\); known types: openai, anthropic, bedrock/);
    expect(r.err).not.toMatch(/Invalid input/);
  });

  it('--target openia:MODEL suggests openai:', async () => {
    writeFileSync(join(dir, 'empty.yaml'), '{}\n');
    const r = await runCli(['eval', '--config', join(dir, 'empty.yaml'), '--target', 'openia:gpt-4o']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown provider "openia" \(did you mean "openai:"\?\)/);
  });
});

describe('suites', () => {
  it('a missing --suite file says file not found, not a list of suite names', async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const r = await runCli(['eval', '--suite', 'x.jsonl']);
      expect(r.code).toBe(2);
      expect(r.err).toBe(`pillars: suite x.jsonl: file not found (${join(dir, 'x.jsonl')})\n`);
      const typo = await runCli(['eval', '--suite', 'saftey']);
      expect(typo.code).toBe(2);
      expect(typo.err).toMatch(/unknown suite "saftey" \(did you mean "safety"\?\)/);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('terminals and pipes (real processes)', () => {
  it('pillars redteam run --help | head: no EPIPE stack trace, exit 0', () => {
    const head = sh('pillars redteam run --help | head -1');
    expect(head.out).toBe('Usage: pillars redteam run [options]\n');
    expect(head.err).toBe('');
    expect(head.code).toBe(0);
    // A reader that is gone before the first write.
    const gone = sh('pillars eval --help | true; echo "pillars exit ${PIPESTATUS[0]}"');
    expect(gone.err).not.toMatch(/EPIPE|Unhandled|\n\s+at /);
    expect(gone.out).toBe('pillars exit 0\n');
  });

  it('review users add without a terminal and without a password on stdin explains how to give one', () => {
    const cfg = join(dir, 'review.yaml');
    writeFileSync(cfg, 'store: review.db\n');
    const none = sh(`pillars review users add --name ana --role reviewer --config ${cfg} < /dev/null`);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/no password for "ana": stdin is not a terminal and held no password\. Run the command in a terminal \(it asks for one\), or give it on stdin: printf/);
    const short = sh(`pillars review users add --name ana --role reviewer --config ${cfg}`, 'short\n');
    expect(short.code).toBe(2);
    expect(short.err).toMatch(/at least 8 characters \(got 5, from the first line of stdin\)/);
    const ok = sh(`pillars review users add --name ana --role reviewer --config ${cfg}`, 'correct horse battery\n');
    expect(ok.err).toBe('');
    expect(ok.out).toMatch(/reviewer ana \(reviewer\) added/);
    expect(ok.code).toBe(0);
  });
});
