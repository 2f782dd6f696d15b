import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, statSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIStub, type OpenAIStub } from '../../src/targets/testing/openai-stub.js';
import { FIXTURE_ROWS, fixtureAnswer } from '../eval/helpers.js';
import { runCli } from '../helpers/cli.js';
import { spawnCli, tempDir } from './helpers.js';

/**
 * A store that cannot be used (issue 12): a file that is not a database, random bytes written
 * into the middle of a real store, a path that cannot be opened. Each is a clear error naming
 * the file and what to do, exit 2: never "internal error" (exit 70), never a run that goes on.
 */

const lastUser = (msgs: { role: string; content: string }[]): string => msgs.filter((m) => m.role === 'user').at(-1)?.content ?? '';
const NO_STACK = /internal error|\n\s+at /;

describe('store errors', () => {
  const tmp = tempDir();
  let stub: OpenAIStub;
  let asked = 0;
  const config = (name: string, store: string): string => {
    const p = join(tmp.dir, `${name}.yaml`);
    writeFileSync(p, [`store: ${store}`, 'targets:', `  - { id: t, type: openai, baseUrl: "${stub.url}", model: m }`, 'eval:', '  targets: [t]', '  suites: [data.jsonl]', '  judge: assertion'].join('\n'));
    return p;
  };

  beforeAll(async () => {
    stub = await startOpenAIStub({
      respond: (r) => {
        asked++;
        return fixtureAnswer(lastUser(r.messages));
      },
    });
    // Enough rows that the store spans many pages.
    const rows = Array.from({ length: 40 }, (_, k) => FIXTURE_ROWS.map((r) => JSON.stringify({ ...r, id: `${String(r.id)}-${k}`, prompt: `${String(r.prompt)} (${k}) ${'x'.repeat(200)}` }))).flat();
    writeFileSync(join(tmp.dir, 'data.jsonl'), `${rows.join('\n')}\n`);
  });
  afterAll(async () => {
    await stub.close();
    tmp.cleanup();
  });

  it('a store file that is not a database: exit 2 naming the file and what to do', async () => {
    const path = join(tmp.dir, 'garbage', 'pillars.db');
    mkdirSync(join(tmp.dir, 'garbage'));
    writeFileSync(path, randomBytes(8192));
    const cfg = config('garbage', path);
    for (const args of [['runs', 'list'], ['eval', '--format', 'json'], ['audit', 'verify']]) {
      const r = await runCli([...args, '--config', cfg]);
      expect(r.code, `${args.join(' ')}: ${r.err}`).toBe(2);
      expect(r.err).toContain(`the store ${path} is damaged`);
      expect(r.err).toMatch(/SQLITE_NOTADB: file is not a database\): move it aside and let pillars create a new one, or restore it from a backup/);
      expect(r.err).not.toMatch(NO_STACK);
    }
  });

  it('random bytes written into the middle of a real store: a run refuses to start (integrity check), exit 2', async () => {
    const path = join(tmp.dir, 'mid', 'pillars.db');
    const cfg = config('mid', path);
    const first = await runCli(['eval', '--config', cfg, '--format', 'json', '--limit', '200']);
    expect(first.code, first.err).toBe(0);
    const size = statSync(path).size;
    expect(size).toBeGreaterThan(64 * 4096);
    // Overwrite 16 pages in the middle (the header and the schema on page 1 stay intact).
    const fd = openSync(path, 'r+');
    writeSync(fd, randomBytes(16 * 4096), 0, 16 * 4096, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);
    asked = 0;
    const r = await runCli(['eval', '--resume', 'last', '--config', cfg, '--format', 'json']);
    expect(r.code, r.err + r.out).toBe(2);
    expect(r.err).toContain(`the store ${path} is damaged`);
    expect(r.err).toMatch(/integrity check failed|SQLITE_CORRUPT/);
    expect(r.err).not.toMatch(NO_STACK);
    expect(asked).toBe(0);
    // Commands that read without a full check: a damaged page they touch is the same clear error.
    for (const args of [['runs', 'show', 'last', '--json'], ['runs', 'list'], ['audit', 'verify']]) {
      const x = await runCli([...args, '--config', cfg]);
      expect(x.code, `${args.join(' ')}: ${x.err}`).not.toBe(70);
      if (x.code !== 0) expect(x.err).toContain(`the store ${path} is damaged`);
      expect(x.err).not.toMatch(NO_STACK);
    }
  });

  it('a store path that cannot be opened: exit 2 with the path and the reason', async () => {
    writeFileSync(join(tmp.dir, 'a-file'), 'not a folder');
    const path = join(tmp.dir, 'a-file', 'pillars.db');
    const cfg = config('unopenable', path);
    for (const args of [['runs', 'list'], ['keys', 'list'], ['eval', '--format', 'json']]) {
      const r = await runCli([...args, '--config', cfg]);
      expect(r.code, `${args.join(' ')}: ${r.err}`).toBe(2);
      expect(r.err).toContain(`pillars: cannot open the store ${path}: ENOTDIR`);
      expect(r.err).not.toMatch(NO_STACK);
    }
  });

  it('`pillars serve` with a store path that cannot be opened exits 2 with the path, instead of staying alive not listening', async () => {
    writeFileSync(join(tmp.dir, 'b-file'), 'not a folder');
    const path = join(tmp.dir, 'b-file', 'pillars.db');
    const cfg = config('serve-unopenable', path);
    for (const workers of ['1', '2']) {
      const r = await spawnCli(['serve', '--port', '0', '--upstream', stub.url, '--workers', workers, '--config', cfg], { cwd: tmp.dir, timeoutMs: 30_000 });
      expect(r.code, `--workers ${workers}: ${r.err}`).toBe(2);
      expect(r.err).toContain(`cannot open the store ${path}: ENOTDIR`);
      expect(r.err).not.toMatch(NO_STACK);
    }
  }, 90_000);

  it('`pillars serve` whose worker cannot listen (port in use) exits instead of hanging', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const cfg = config('serve-port', join(tmp.dir, 'serve-port', 'pillars.db'));
      const r = await spawnCli(['serve', '--port', String(port), '--host', '127.0.0.1', '--upstream', stub.url, '--config', cfg], { cwd: tmp.dir, timeoutMs: 30_000 });
      expect(r.code, r.err).not.toBe(0);
      expect(r.code, r.err).not.toBe(137);
      expect(r.err).toMatch(/EADDRINUSE/);
    } finally {
      blocker.close();
    }
  }, 60_000);
});
