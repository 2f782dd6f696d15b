import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/db.js';
import { createRunStore } from '../../src/store/runs.js';
import { startOpenAIStub, type OpenAIStub } from '../../src/targets/testing/openai-stub.js';
import { FIXTURE_ROWS, fixtureAnswer } from '../eval/helpers.js';
import { runCli } from '../helpers/cli.js';
import { spawnCli, startCli, tempDir, waitFor } from './helpers.js';

/**
 * Run lifecycle (issue 12): a killed eval must not stay `running` forever (a lease that expires),
 * and two `pillars eval --resume last` at once must not both ask every missing item (a run lock).
 */

const lastUser = (msgs: { role: string; content: string }[]): string => msgs.filter((m) => m.role === 'user').at(-1)?.content ?? '';
const PROMPTS = new Set(FIXTURE_ROWS.map((r) => String(r.prompt)));

describe('eval run lifecycle', () => {
  const tmp = tempDir();
  let slow: OpenAIStub;
  let hang: OpenAIStub;
  let asked: string[] = [];
  let hangAfter = Infinity;
  let answered = 0;

  const config = (name: string, url: string): string => {
    const p = join(tmp.dir, `${name}.yaml`);
    writeFileSync(p, [`store: ${name}/pillars.db`, 'targets:', `  - { id: t, type: openai, baseUrl: "${url}", model: m }`, 'eval:', '  targets: [t]', '  suites: [data.jsonl]', '  judge: assertion', '  concurrency: 1'].join('\n'));
    return p;
  };

  beforeAll(async () => {
    writeFileSync(join(tmp.dir, 'data.jsonl'), `${FIXTURE_ROWS.map((r) => JSON.stringify(r)).join('\n')}\n`);
    // Answers every item, 150 ms each: a resume of 10 items takes ~1.5 s.
    slow = await startOpenAIStub({
      respond: (r) => {
        const p = lastUser(r.messages);
        if (PROMPTS.has(p)) asked.push(p);
        return { content: fixtureAnswer(p), delayMs: 150 };
      },
    });
    // Answers the first few items, then never.
    hang = await startOpenAIStub({
      respond: (r) => (++answered > hangAfter ? { content: 'late', delayMs: 120_000 } : fixtureAnswer(lastUser(r.messages))),
    });
  });
  afterAll(async () => {
    await slow.close();
    await hang.close();
    tmp.cleanup();
  });

  it('a killed eval (SIGKILL mid-run) reads as interrupted in `runs list`, not running forever, and resumes', async () => {
    const cfg = config('killed', hang.url);
    const dbPath = join(tmp.dir, 'killed', 'pillars.db');
    hangAfter = 3;
    answered = 0;
    const child = startCli(['eval', '--config', cfg, '--format', 'json'], { cwd: tmp.dir });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    try {
      // Wait until the run is stored and running with answers in (the writer flushes every 200 ms).
      await waitFor(() => {
        try {
          const db = new Database(dbPath, { readonly: true, fileMustExist: true });
          try {
            const row = db.prepare("SELECT r.id FROM eval_runs r WHERE r.status = 'running' AND (SELECT COUNT(*) FROM eval_responses x WHERE x.run_id = r.id) >= 3").get();
            return row !== undefined;
          } finally {
            db.close();
          }
        } catch {
          return false;
        }
      }, 45_000);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    const list = await runCli(['runs', 'list', '--json', '--config', cfg]);
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.out) as { status: string; items: number }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status).toBe('interrupted');
    const show = await runCli(['runs', 'show', 'last', '--config', cfg]);
    expect(show.out).toMatch(/this run is interrupted: finish it with `pillars eval --resume/);

    // The killed run's lease is dead: it resumes at once (no wait, no refusal).
    hangAfter = Infinity;
    const resumed = await runCli(['eval', '--resume', 'last', '--config', cfg, '--format', 'json']);
    expect(resumed.code, resumed.err).toBe(0);
    const after = JSON.parse((await runCli(['runs', 'list', '--json', '--config', cfg])).out) as { status: string }[];
    expect(after[0]!.status).toBe('done');
  }, 90_000);

  it('a run whose lease holder is on another host reads as running while its heartbeat is fresh, interrupted once it expires', () => {
    const db = openDb(join(tmp.dir, 'lease', 'pillars.db'));
    try {
      const store = createRunStore(db);
      const now = new Date().toISOString();
      const base = { created_at: now, started_at: now, status: 'running' as const, target: 't', target_fingerprint: 'f', suites: ['s'], tier: 'quick', seed: 0, samples: 1, config: {} };
      store.createRun({ ...base, id: 'fresh', owner: 'elsewhere.example:4242:abcd' });
      store.createRun({ ...base, id: 'stale', owner: 'elsewhere.example:4242:beef' });
      db.prepare('UPDATE eval_runs SET heartbeat_at = ? WHERE id = ?').run(new Date(Date.now() - 120_000).toISOString(), 'stale');
      expect(store.getRun('fresh')!.status).toBe('running');
      expect(store.getRun('stale')!.status).toBe('interrupted');
      // The run lock: a live holder refuses a second claimant; a dead one is taken over.
      expect(store.claimRun('fresh', 'here:1:0001')).toMatchObject({ ok: false, holder: expect.stringMatching(/pid 4242 on elsewhere\.example, heartbeat \d+ s ago/) as unknown });
      expect(store.claimRun('stale', 'here:1:0001')).toEqual({ ok: true });
      expect(store.getRun('stale')!.owner).toBe('here:1:0001');
    } finally {
      db.close();
    }
  });

  it('two `eval --resume last` at once: one finishes the run, the other refuses (exit 2); every missing item is asked once', async () => {
    const cfg = config('twice', slow.url);
    // A partial run: 4 of 14 items answered, 10 missing.
    const first = await runCli(['eval', '--config', cfg, '--limit', '4', '--format', 'json']);
    expect(first.code, first.err).toBe(0);
    asked = [];
    const [a, b] = await Promise.all([
      spawnCli(['eval', '--resume', 'last', '--config', cfg, '--format', 'json'], { cwd: tmp.dir }),
      spawnCli(['eval', '--resume', 'last', '--config', cfg, '--format', 'json'], { cwd: tmp.dir }),
    ]);
    const codes = [a.code, b.code].sort();
    expect(codes, `${a.err}\n${b.err}`).toEqual([0, 2]);
    const refused = a.code === 2 ? a : b;
    // The other is refused while the run is leased, or (had it started later) told the run finished.
    expect(refused.err).toMatch(/pillars: run \S+ is already running \(pid \d+ on .+\): wait for it to finish|pillars: --resume last: run \S+ \(target \S+\) already finished/);
    expect(refused.err).not.toMatch(/internal error|\n\s+at /);
    // Before the lock: 20 requests (both processes asked all 10).
    expect(asked).toHaveLength(10);
    expect(new Set(asked).size).toBe(10);
  }, 90_000);
});
