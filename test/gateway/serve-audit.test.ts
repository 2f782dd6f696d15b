import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/gateway/audit.js';
import { openDb } from '../../src/store/db.js';
import { post, tempDir } from './helpers.js';
import { startUpstreamStub, type UpstreamStub } from './stub.js';

/**
 * `pillars serve` whose store stops taking audit records while it serves (issue 12): requests
 * are refused 503 once a write fails, and records that are still unwritten at SIGTERM make the
 * exit non-zero with a loud message (they used to be dropped with exit 0 and an intact chain).
 * The store is made to refuse writes from outside with a trigger (chmod does not stop a process
 * that already holds the file open, nor root).
 */

const MAIN = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');

describe('pillars serve with a store that stops taking audit records', () => {
  const tmp = tempDir();
  let stub: UpstreamStub;
  beforeAll(async () => {
    stub = await startUpstreamStub({ respond: () => 'Use kill PID.' });
  });
  afterAll(async () => {
    await stub.close();
    tmp.cleanup();
  });

  it('answers 503 once audit writes fail, and exits non-zero naming the lost records on SIGTERM', async () => {
    const store = join(tmp.dir, 'store.db');
    const config = join(tmp.dir, 'pillars.yaml');
    writeFileSync(config, `store: store.db\ngateway:\n  audit: {flushMs: 20, batchSize: 256, anchor: false}\n`);
    openDb(store).close();
    const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--port', '0', '--upstream', stub.url, '--config', config, '--no-ui'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    const kill = setTimeout(() => proc.kill('SIGKILL'), 50_000);
    const ask = (): ReturnType<typeof post> => post(`${url}/v1/chat/completions`, { messages: [{ role: 'user', content: 'How do I kill a Python process that hangs?' }] });
    let url = '';
    try {
      url = await new Promise<string>((resolve, reject) => {
        proc.stderr!.on('data', (c: Buffer) => {
          stderr += c.toString();
          const m = /pillars gateway on (http:\/\/\S+)/.exec(stderr);
          if (m) resolve(m[1]!);
        });
        void exited.then((code) => reject(new Error(`serve exited (${code}): ${stderr}`)));
      });
      expect((await ask()).status).toBe(200);
      await new Promise((r) => setTimeout(r, 200));
      // From now on the store refuses audit records.
      const db = openDb(store);
      db.exec("CREATE TRIGGER no_audit BEFORE INSERT ON gateway_audit BEGIN SELECT RAISE(ABORT, 'the store is read-only'); END");
      db.close();
      expect((await ask()).status).toBe(200); // decided before the write failed; its record is pending
      let refused = 0;
      for (let i = 0; i < 40 && refused === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        const r = await ask();
        if (r.status === 503) {
          refused++;
          expect(r.json()).toMatchObject({ error: { code: 'audit_unavailable' } });
        } else expect(r.status).toBe(200);
      }
      expect(refused, stderr).toBe(1);
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(503);
      expect((await fetch(`${url}/livez`)).status).toBe(200);
      proc.kill('SIGTERM');
      expect(await exited, stderr).toBe(1);
    } finally {
      clearTimeout(kill);
      proc.kill('SIGKILL');
    }
    expect(stderr).toMatch(/ERROR: \d+ audit records? could not be written to .*store\.db \(.*read-only.*\) and are lost/);
    const db = openDb(store);
    try {
      // What was written still verifies; the chain is short of the lost records, and the exit said so.
      expect(verifyAudit(db)).toMatchObject({ ok: true });
    } finally {
      db.close();
    }
  });
});
