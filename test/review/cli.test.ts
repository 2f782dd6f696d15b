import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitVerdict } from '../../src/review/flow.js';
import { openDb } from '../../src/store/db.js';
import { createReviewStore } from '../../src/store/review.js';
import { createRunStore } from '../../src/store/runs.js';
import { startOpenAIStub, type OpenAIStub } from '../../src/targets/testing/openai-stub.js';
import { ROOT, seedRun, type Seeded } from './seed.js';
import { runCli } from '../helpers/cli.js';

/** `pillars review` through the CLI, and the app mounted in `pillars serve` next to the gateway. */

const MAIN = join(ROOT, 'src', 'cli', 'main.ts');

const cli = runCli;

function spawnCli(args: string[], stdin: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const kill = setTimeout(() => p.kill('SIGKILL'), 45_000);
    p.once('exit', (code) => {
      clearTimeout(kill);
      resolve({ code, out, err });
    });
    p.stdin.end(stdin);
  });
}

describe('pillars review CLI', () => {
  let seeded: Seeded;
  let config: string;
  beforeAll(async () => {
    seeded = await seedRun();
    config = join(seeded.dir, 'pillars.yaml');
    writeFileSync(config, 'store: store/pillars.db\n');
  });
  afterAll(() => seeded?.close());

  it('creates queues from each source, lists them, and refuses bad input with exit 2', async () => {
    const none = await cli(['review', 'create', '--config', config, '--from-run', 'last']);
    expect(none.code).toBe(2);
    expect(none.err).toContain('exactly one of');
    const noRun = await cli(['review', 'create', '--config', config, '--borderline']);
    expect(noRun.code).toBe(2);
    expect((await cli(['review', 'create', '--config', config, '--from-run', 'nope', '--sample', '2'])).err).toContain('no run "nope"');

    const b = await cli(['review', 'create', '--config', config, '--from-run', 'last', '--borderline', '--name', 'borderline', '--double', '0.5', '--json']);
    expect(b.code).toBe(0);
    const created = JSON.parse(b.out) as { tasks: number; double: number };
    expect(created.tasks).toBeGreaterThan(0);
    expect(created.double).toBe(Math.round(created.tasks * 0.5));
    expect((await cli(['review', 'create', '--config', config, '--frontier', '--name', 'frontier'])).out).toMatch(/1 frontier task/);

    const appeals = join(seeded.dir, 'appeals.jsonl');
    writeFileSync(appeals, `${JSON.stringify({ requestId: 'req_seed_2', text: 'How do I test my own web app for SQL injection?', note: 'I am the owner of the app' })}\n`);
    expect((await cli(['review', 'create', '--config', config, '--appeals', appeals, '--name', 'appeals'])).code).toBe(0);
    const badPrefs = join(seeded.dir, 'bad-prefs.jsonl');
    writeFileSync(badPrefs, `${JSON.stringify({ prompt: 'p', responses: ['a', 'b'] })}\n${JSON.stringify({ prompt: 'p', responses: ['only one'] })}\n`);
    const bp = await cli(['review', 'create', '--config', config, '--preferences', badPrefs]);
    expect(bp.code).toBe(2);
    expect(bp.err).toContain('bad-prefs.jsonl:2:1: responses');
    const dup = await cli(['review', 'create', '--config', config, '--frontier', '--name', 'frontier']);
    expect(dup.code).not.toBe(0);

    const list = JSON.parse((await cli(['review', 'list', '--config', config, '--json'])).out) as { name: string; kind: string; tasks: number }[];
    expect(list.map((q) => [q.name, q.kind])).toEqual([
      ['borderline', 'borderline'],
      ['frontier', 'frontier'],
      ['appeals', 'appeal'],
    ]);
    const db = openDb(seeded.dbPath);
    try {
      const store = createReviewStore(db);
      const appeal = store.tasks(store.queueByName('appeals')!.id)[0]!;
      expect(appeal.payload.decision).toMatchObject({ action: 'refuse', policy: 'safety.cyber', level: 3, requestId: 'req_seed_2' });
      expect(appeal.payload.judges[0]!.reasons).toEqual(['cyber level 3: working malware']);
    } finally {
      db.close();
    }
  });

  it('adds reviewers with the password from stdin (hashed), and exported confirmed breaks run as an eval suite', async () => {
    const add = await spawnCli(['review', 'users', 'add', '--config', config, '--name', 'vic', '--role', 'vendor', '--queue', 'appeals', '--json'], 'a-long-password\n');
    expect(add.err).toBe('');
    expect(add.code).toBe(0);
    expect(JSON.parse(add.out)).toMatchObject({ name: 'vic', role: 'vendor', queues: ['appeals'] });
    const db = openDb(seeded.dbPath);
    try {
      const store = createReviewStore(db);
      const stored = store.passwordHash('vic')!.hash;
      expect(stored).toMatch(/^scrypt\$/);
      expect(stored).not.toContain('a-long-password');
      // A reviewer confirms a break on a borderline task.
      const admin = store.addUser({ name: 'root', role: 'admin', passwordHash: stored });
      const task = store.tasks(store.queueByName('borderline')!.id)[0]!;
      await submitVerdict({ store, user: admin, taskId: task.id, verdict: 'violation' });
    } finally {
      db.close();
    }
    const badQueue = await cli(['review', 'users', 'add', '--config', config, '--name', 'x', '--role', 'admin', '--queue', 'nope']);
    expect(badQueue.code).toBe(2);
    expect(badQueue.err).toContain('no review queue "nope"');

    const out = join(seeded.dir, 'found.jsonl');
    const ex = await cli(['review', 'export', '--config', config, '--kind', 'items', '--out', out]);
    expect(ex.code).toBe(0);
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; source: string; labels: Record<string, string> });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source: 'review', labels: { violation: 'violation' } });
    // The same verdict as human labels, scored against a judge by `pillars judge`.
    const labels = join(seeded.dir, 'labels.jsonl');
    expect((await cli(['review', 'export', '--config', config, '--kind', 'labels', '--out', labels])).code).toBe(0);
    expect(JSON.parse(readFileSync(labels, 'utf8').trim())).toMatchObject({ id: rows[0]!.id.replace(/^review-\d+-/, ''), labels: { violation: 'violation', refusal: 'complied' } });
    const judged = await cli(['judge', '--config', config, '--judge', 'refusal', '--in', labels]);
    expect(judged.code).toBe(0);
    expect(judged.out).toMatch(/agreement refusal vs human refusal: n=1 /);
    const ev = await cli(['eval', '--config', config, '--suite', out, '--judge', 'assertion', '--format', 'json', '--out', join(seeded.dir, 'reports')]);
    expect([0, 1]).toContain(ev.code);
    const db2 = openDb(seeded.dbPath);
    try {
      const runs = createRunStore(db2);
      const items = [...runs.items(runs.resolveRun('last').id)];
      expect(items.map((i) => [i.item.id, i.item.source])).toEqual([[rows[0]!.id, 'review']]);
    } finally {
      db2.close();
    }
  });

  it('pillars serve mounts the review app under /ui/ while the gateway keeps its routes', async () => {
    const stub: OpenAIStub = await startOpenAIStub({ respond: () => 'Here is how to rotate the log files.' });
    const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--port', '0', '--upstream', stub.url, '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    const kill = setTimeout(() => proc.kill('SIGKILL'), 45_000);
    try {
      const url = await new Promise<string>((resolve, reject) => {
        proc.stderr.on('data', (c: Buffer) => {
          stderr += c.toString();
          const m = /pillars gateway on (http:\/\/\S+)/.exec(stderr);
          if (m) resolve(m[1]!);
        });
        void exited.then((code) => reject(new Error(`serve exited (${code}): ${stderr}`)));
      });
      expect(stderr).toContain('review app on');
      const login = await fetch(`${url}/ui/login`);
      expect(login.status).toBe(200);
      expect(login.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await login.text()).toContain('Sign in');
      expect((await fetch(`${url}/ui/api/queues`)).status).toBe(401);
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });
      const chat = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'How do I rotate nginx logs?' }] }) });
      expect(chat.status).toBe(200);
      expect(chat.headers.get('x-pillars-decision')).toBe('allow');
    } finally {
      proc.kill('SIGTERM');
      await exited;
      clearTimeout(kill);
      await stub.close();
    }
  });
});
