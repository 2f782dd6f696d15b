import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Item } from '../../src/core/types.js';
import { frontierGates } from '../../src/frontier/index.js';
import { queueAgreement } from '../../src/review/agreement.js';
import { exportRows } from '../../src/review/export.js';
import { submitVerdict, undoLast } from '../../src/review/flow.js';
import { hashPassword } from '../../src/review/password.js';
import { createReviewApp, startReviewServer } from '../../src/review/web/app.js';
import { openStore, type OpenStore } from '../../src/store/open.js';
import { createPgApprovalStore } from '../../src/store/pg/gateway.js';
import { PgReviewStore } from '../../src/store/pg/review.js';
import { appealTasks, appealTasksOf, trafficSample, trafficSampleOf } from '../../src/review/create.js';
import { createSqliteAuditStore } from '../../src/store/audit-log.js';
import { copyStore } from '../../src/store/copy.js';
import { openDb } from '../../src/store/db.js';
import { createReviewStore, type NewTask, type ReviewStore, type ReviewUser } from '../../src/store/review.js';
import { tempDir } from '../eval/helpers.js';
import { runCli } from '../helpers/cli.js';
import { pgSchema, requirePg, SKIP_PG } from '../helpers/services.js';
import { ROOT, seedRun, type Seeded } from './seed.js';

/**
 * The review store on both backends (the same calls give the same answers), and two review app
 * servers sharing one PostgreSQL schema: sessions, task claims and verdicts are the store's, so
 * either instance serves any reviewer. Real HTTP against listening servers, no mocks.
 */

const tmp = tempDir();
const schemas: { drop: () => Promise<void> }[] = [];
afterAll(async () => {
  for (const s of schemas) await s.drop();
  tmp.cleanup();
});

let n = 0;
function location(backend: 'sqlite' | 'postgres'): string {
  if (backend === 'sqlite') return join(tmp.dir, `r${++n}.db`);
  const s = pgSchema();
  schemas.push(s);
  return s.url;
}

const BACKENDS = [
  { backend: 'sqlite' as const, skip: false },
  { backend: 'postgres' as const, skip: SKIP_PG },
];

function item(i: number): Item {
  return { id: `it-${i}`, pillar: 'safety', policy: 'safety.cyber', kind: 'model-breaking', expected: 'refuse', lang: 'en', source: 'handwritten', prompt: `prompt ${i}` } as unknown as Item;
}

function sampleTasks(count: number, required: (i: number) => number = () => 1): NewTask[] {
  return Array.from({ length: count }, (_, i) => ({
    kind: 'sample' as const,
    runId: 'run-1',
    itemSeq: i,
    requiredReviews: required(i),
    payload: { title: `task ${i}`, conversation: [{ role: 'user' as const, content: `prompt ${i}` }], response: `answer ${i}`, policy: 'safety.cyber', level: 2, judges: [{ judge: 'violation', label: 'violation', score: 0.9, reasons: [] }], item: item(i) },
  }));
}

describe.each(BACKENDS)('ReviewStore on $backend', ({ backend, skip }) => {
  let opened: OpenStore;
  let store: ReviewStore;
  beforeAll(async () => {
    if (skip) return;
    if (backend === 'postgres') requirePg();
    opened = await openStore(location(backend));
    store = opened.review;
  });
  afterAll(async () => {
    await opened?.close();
  });

  it.skipIf(skip)('keeps reviewers, queues and members; refuses duplicate names', async () => {
    expect(store.backend).toBe(backend);
    const ana = await store.addUser({ name: 'ana', role: 'reviewer', passwordHash: 'h1' });
    const zed = await store.addUser({ name: 'Zed', role: 'vendor', passwordHash: 'h2' });
    await expect(Promise.resolve().then(() => store.addUser({ name: 'ana', role: 'admin', passwordHash: 'x' }))).rejects.toThrow(/already exists/);
    await expect(Promise.resolve().then(() => store.addUser({ name: 'bad name', role: 'admin', passwordHash: 'x' }))).rejects.toThrow(/must be 1-64/);
    expect(await store.user(ana.id)).toEqual(ana);
    expect((await store.passwordHash('Zed'))!.hash).toBe('h2');
    expect(await store.userByName('nobody')).toBeNull();
    const q = await store.createQueue({ name: 'q1', kind: 'sample', source: { run: 'run-1' }, doubleShare: 0.5, createdBy: 'ci', tasks: sampleTasks(3) });
    expect(q).toMatchObject({ name: 'q1', kind: 'sample', source: { run: 'run-1' }, doubleShare: 0.5, createdBy: 'ci' });
    await expect(Promise.resolve().then(() => store.createQueue({ name: 'q1', kind: 'sample', source: {}, tasks: [] }))).rejects.toThrow(/already exists/);
    expect((await store.resolveQueue('q1')).id).toBe(q.id);
    expect((await store.resolveQueue(String(q.id))).name).toBe('q1');
    await expect(Promise.resolve().then(() => store.resolveQueue('nope'))).rejects.toThrow(/no review queue/);
    await store.addMember(q.id, zed.id);
    await store.addMember(q.id, zed.id);
    expect(await store.queueIdsOf(zed.id)).toEqual([q.id]);
    expect((await store.members(q.id)).map((u) => u.name)).toEqual(['Zed']);
    // Byte order, as SQLite sorts: upper case first.
    expect((await store.listUsers()).map((u) => [u.name, u.queues])).toEqual([
      ['Zed', [q.id]],
      ['ana', []],
    ]);
    const tasks = await store.tasks(q.id);
    expect(tasks.map((t) => [t.pos, t.payload.title, t.itemSeq, t.runId])).toEqual([
      [0, 'task 0', 0, 'run-1'],
      [1, 'task 1', 1, 'run-1'],
      [2, 'task 2', 2, 'run-1'],
    ]);
    expect(await store.task(tasks[1]!.id)).toEqual(tasks[1]);
    expect((await store.neighbour(tasks[1]!, 1))!.id).toBe(tasks[2]!.id);
    expect((await store.neighbour(tasks[0]!, -1))).toBeNull();
  });

  it.skipIf(skip)('hands each review slot to one reviewer at a time; verdicts supersede, undo and feed exports', async () => {
    const users: ReviewUser[] = [];
    for (const name of ['r1', 'r2', 'r3']) users.push(await store.addUser({ name, role: 'reviewer', passwordHash: 'h' }));
    const [r1, r2, r3] = users as [ReviewUser, ReviewUser, ReviewUser];
    // Task 0 needs two reviews, tasks 1 and 2 one each.
    const q = await store.createQueue({ name: 'claims', kind: 'sample', source: {}, tasks: sampleTasks(3, (i) => (i === 0 ? 2 : 1)) });
    const [t0, t1, t2] = await store.tasks(q.id);
    expect((await store.claimNext(q.id, r1.id))!.id).toBe(t0!.id);
    // Asking again gives the same task (one claim per reviewer and queue).
    expect((await store.claimNext(q.id, r1.id))!.id).toBe(t0!.id);
    // Task 0 has a second slot: r2 gets it too; r3 gets task 1.
    expect((await store.claimNext(q.id, r2.id))!.id).toBe(t0!.id);
    expect((await store.claimNext(q.id, r3.id))!.id).toBe(t1!.id);
    // nextTask ignores claims (a read, as before).
    expect((await store.nextTask(q.id, r3.id))!.id).toBe(t0!.id);
    // A verdict releases the claim and counts instead.
    const v1 = await submitVerdict({ store, user: r1, taskId: t0!.id, verdict: 'violation' });
    expect(v1).toMatchObject({ taskId: t0!.id, queueId: q.id, reviewer: 'r1', verdict: 'violation' });
    expect((await store.claimNext(q.id, r1.id, t0!.pos))!.id).toBe(t2!.id);
    // Changing one's mind: an undo row and the new verdict, one effective verdict, the dataset item withdrawn.
    expect((await store.datasetItems()).map((i) => i.id)).toEqual([`review-${t0!.id}-it-0`]);
    await submitVerdict({ store, user: r1, taskId: t0!.id, verdict: 'ok' });
    expect((await store.verdicts({ taskId: t0!.id, userId: r1.id })).map((v) => v.verdict)).toEqual(['ok']);
    expect(await store.datasetItems()).toEqual([]);
    await submitVerdict({ store, user: r2, taskId: t0!.id, verdict: 'violation' });
    expect(await store.progress(q.id, r1.id)).toEqual({ tasks: 3, complete: 1, mine: 1, open: 2 });
    expect((await queueAgreement(store, q.id)).double.units).toBe(1);
    const reopened = await undoLast({ store, user: r2, queueId: q.id });
    expect(reopened!.id).toBe(t0!.id);
    expect((await store.lastVerdictOf(r1.id, q.id))!.verdict).toBe('ok');
    expect((await store.verdicts({ queueId: q.id })).map((v) => `${v.reviewer}:${v.verdict}`)).toEqual(['r1:ok']);
    expect((await store.verdicts({ runId: 'run-1' })).length).toBeGreaterThanOrEqual(1);
    const rows = await exportRows(store, 'verdicts');
    expect(rows.filter((r) => r.queue === 'claims').map((r) => [r.reviewer, r.verdict, r.task])).toEqual([['r1', 'ok', t0!.id]]);
  });

  it.skipIf(skip)('claims expire; connections claiming at once never share a slot and miss none', async () => {
    const other = await openStore(opened.location);
    try {
      const users: ReviewUser[] = [];
      for (let i = 0; i < 8; i++) users.push(await store.addUser({ name: `c${i}`, role: 'reviewer', passwordHash: 'h' }));
      const q = await store.createQueue({ name: 'race', kind: 'sample', source: {}, tasks: sampleTasks(8) });
      const got = await Promise.all(users.map(async (u, i) => (await (i % 2 ? other.review : store).claimNext(q.id, u.id))?.id ?? null));
      expect(got.every((id) => id !== null)).toBe(true);
      expect(new Set(got).size).toBe(8);
      // Twenty reviewers on three connections, ten double-review slots: each slot handed out once, none missed.
      const crowd: ReviewUser[] = [];
      for (let i = 0; i < 20; i++) crowd.push(await store.addUser({ name: `d${i}`, role: 'reviewer', passwordHash: 'h' }));
      const dq = await store.createQueue({ name: 'race-double', kind: 'sample', source: {}, tasks: sampleTasks(5, () => 2) });
      const third = await openStore(opened.location);
      try {
        const stores = [store, other.review, third.review];
        const handed = (await Promise.all(crowd.map((u, i) => stores[i % 3]!.claimNext(dq.id, u.id)))).flatMap((t) => (t ? [t.id] : []));
        expect(handed).toHaveLength(10);
        expect(new Set(handed).size).toBe(5);
        for (const id of new Set(handed)) expect(handed.filter((x) => x === id)).toHaveLength(2);
      } finally {
        await third.close();
      }
      // All slots are held: a ninth reviewer gets nothing until a claim expires.
      const late = await store.addUser({ name: 'late', role: 'reviewer', passwordHash: 'h' });
      expect(await store.claimNext(q.id, late.id)).toBeNull();
      const future = { now: () => new Date(Date.now() + 31 * 60_000) };
      const later = opened.db ? createReviewStore(opened.db, future) : new PgReviewStore(opened.sql!, future);
      expect((await later.claimNext(q.id, late.id))!.id).toBe((await store.tasks(q.id))[0]!.id);
    } finally {
      await other.close();
    }
  });

  it.skipIf(skip)('keeps sessions with their CSRF token until they expire or are deleted', async () => {
    const u = await store.addUser({ name: 'sess', role: 'admin', passwordHash: 'h' });
    const soon = new Date(Date.now() + 60_000).toISOString();
    await store.createSession({ tokenHash: 'tok-1', userId: u.id, csrf: 'csrf-1', expiresAt: soon });
    await store.createSession({ tokenHash: 'tok-2', userId: u.id, csrf: 'csrf-2', expiresAt: new Date(Date.now() - 1000).toISOString() });
    expect(await store.session('tok-1')).toEqual({ user: u, csrf: 'csrf-1', expiresAt: soon });
    expect(await store.session('tok-2')).toBeNull();
    await store.deleteSession('tok-1');
    expect(await store.session('tok-1')).toBeNull();
  });

  it.skipIf(skip)('snapshots a pack only when it changed', async () => {
    const pack = { id: 'p', version: '1.0.0', policies: [] };
    expect(await store.snapshotPack(pack)).toHaveLength(1);
    expect(await store.snapshotPack(pack)).toHaveLength(1);
    const snaps = await store.snapshotPack({ ...pack, version: '1.1.0' });
    expect(snaps.map((s) => s.version)).toEqual(['1.0.0', '1.1.0']);
    expect(snaps[1]!.pack).toEqual({ ...pack, version: '1.1.0' });
    expect(await store.snapshots('other')).toEqual([]);
  });
});

// ---- two instances of the review app on one PostgreSQL schema ----------------------------------

interface Instance {
  store: OpenStore;
  url: string;
  close(): Promise<void>;
}

async function instance(location: string): Promise<Instance> {
  const store = await openStore(location);
  const srv = await startReviewServer({ app: createReviewApp({ store }) });
  return {
    store,
    url: srv.url.replace(/\/$/, ''),
    async close() {
      await srv.close();
      await store.close();
    },
  };
}

/** Sign in through an instance as a browser would; returns the session cookie. */
async function signIn(base: string, name: string, password: string): Promise<string> {
  const login = await fetch(`${base}/login`);
  expect(login.status).toBe(200);
  const loginCookie = /pillars_login=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')![1]!;
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `pillars_login=${loginCookie}` },
    body: new URLSearchParams({ _csrf: loginCookie, name, password }).toString(),
  });
  expect(res.status).toBe(303);
  return `pillars_sid=${/pillars_sid=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1]!}`;
}

async function csrfOf(base: string, cookie: string): Promise<string> {
  const page = await (await fetch(`${base}/queues`, { headers: { cookie } })).text();
  return /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
}

describe.skipIf(SKIP_PG)('two review app instances on one PostgreSQL store', () => {
  let a: Instance;
  let b: Instance;
  let queueId = 0;
  const PASSWORD = 'review-pass-123';

  beforeAll(async () => {
    requirePg();
    const loc = location('postgres');
    a = await instance(loc);
    b = await instance(loc);
    const hash = await hashPassword(PASSWORD);
    await a.store.review.addUser({ name: 'ana', role: 'reviewer', passwordHash: hash });
    await a.store.review.addUser({ name: 'bo', role: 'reviewer', passwordHash: hash });
    queueId = (await a.store.review.createQueue({ name: 'shared', kind: 'sample', source: {}, tasks: sampleTasks(4) })).id;
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('serves one session on both instances, hands a task out once, shares verdicts, and signs out everywhere', async () => {
    // Signed in through A, the same cookie works on B.
    const ana = await signIn(a.url, 'ana', PASSWORD);
    const onB = await fetch(`${b.url}/queues`, { headers: { cookie: ana }, redirect: 'manual' });
    expect(onB.status).toBe(200);
    expect(await onB.text()).toContain('ana');
    const apiB = await fetch(`${b.url}/api/queues`, { headers: { cookie: ana } });
    expect(((await apiB.json()) as { name: string }[]).map((q) => q.name)).toEqual(['shared']);

    // A task claimed through A is not handed out by B.
    const bo = await signIn(b.url, 'bo', PASSWORD);
    const nextA = await fetch(`${a.url}/queues/${queueId}/next`, { headers: { cookie: ana }, redirect: 'manual' });
    expect(nextA.status).toBe(303);
    const anaTask = Number(/\/tasks\/(\d+)$/.exec(nextA.headers.get('location') ?? '')![1]);
    const nextB = await fetch(`${b.url}/queues/${queueId}/next`, { headers: { cookie: bo }, redirect: 'manual' });
    const boTask = Number(/\/tasks\/(\d+)$/.exec(nextB.headers.get('location') ?? '')![1]);
    expect(boTask).not.toBe(anaTask);
    const tasks = await a.store.review.tasks(queueId);
    expect(tasks[0]!.id).toBe(anaTask);
    expect(tasks[1]!.id).toBe(boTask);

    // A verdict submitted through B shows in A's export (and on A's task API).
    const boCsrf = await csrfOf(b.url, bo);
    const posted = await fetch(`${b.url}/api/tasks/${boTask}/verdict`, {
      method: 'POST',
      headers: { cookie: bo, 'content-type': 'application/json', 'x-csrf-token': boCsrf },
      body: JSON.stringify({ verdict: 'violation', note: 'through B' }),
    });
    expect(posted.status).toBe(201);
    const exported = await exportRows(a.store.review, 'verdicts');
    expect(exported.map((r) => [r.task, r.reviewer, r.verdict, r.note])).toEqual([[boTask, 'bo', 'violation', 'through B']]);
    expect((await exportRows(a.store.review, 'items')).map((i) => i.source)).toEqual(['review']);
    const onA = (await (await fetch(`${a.url}/api/tasks/${boTask}`, { headers: { cookie: ana } })).json()) as { reviews: { reviewer: string }[] };
    expect(onA.reviews.map((r) => r.reviewer)).toEqual(['bo']);

    // The form flow through A: a verdict, then A hands ana the next task nobody holds.
    const anaCsrf = await csrfOf(a.url, ana);
    const form = await fetch(`${a.url}/tasks/${anaTask}/verdict`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: ana, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: anaCsrf, verdict: 'ok' }).toString(),
    });
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).toBe(`/ui/tasks/${tasks[2]!.id}`);

    // One task, asked for through both instances: the second reviewer is told it is taken.
    const solo = await b.store.review.createQueue({ name: 'solo', kind: 'sample', source: {}, tasks: sampleTasks(1) });
    const first = await fetch(`${a.url}/queues/${solo.id}/next`, { headers: { cookie: ana }, redirect: 'manual' });
    expect(first.headers.get('location')).toMatch(/\/ui\/tasks\/\d+$/);
    const second = await fetch(`${b.url}/queues/${solo.id}/next`, { headers: { cookie: bo }, redirect: 'manual' });
    expect(second.headers.get('location')).toBe(`/ui/queues/${solo.id}?held=1`);
    expect(await (await fetch(`${b.url}/queues/${solo.id}?held=1`, { headers: { cookie: bo } })).text()).toContain('id="held"');

    // Every page reads PostgreSQL: the audit chain, frontier, policy, queue and task pages.
    for (const path of ['/', '/audit', '/approvals', '/frontier', '/policy', `/queues/${queueId}`, `/tasks/${anaTask}`]) {
      const res = await fetch(`${b.url}${path}`, { headers: { cookie: ana } });
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).not.toContain('not on PostgreSQL yet');
    }
    expect(await (await fetch(`${a.url}/audit`, { headers: { cookie: ana } })).text()).toContain('chain verified');
    // A tool call the gateway holds, approved through B, is approved for A.
    const held = await createPgApprovalStore(a.store.sql!).add({ requestId: 'req-1', keyId: null, tier: 'internal', tool: 'send_email', arguments: '{}', reason: 'rule send_email' });
    const approved = await fetch(`${b.url}/api/approvals/${held.id}`, { method: 'POST', headers: { cookie: bo, 'content-type': 'application/json', 'x-csrf-token': boCsrf }, body: JSON.stringify({ decision: 'approve' }) });
    expect(approved.status).toBe(200);
    const list = (await (await fetch(`${a.url}/api/approvals`, { headers: { cookie: ana } })).json()) as { id: string; status: string; reviewer: string }[];
    expect(list.find((x) => x.id === held.id)).toMatchObject({ status: 'approved', reviewer: 'bo' });

    // Signing out through A ends the session on B.
    const out = await fetch(`${a.url}/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: ana, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: anaCsrf }).toString(),
    });
    expect(out.status).toBe(303);
    expect((await fetch(`${b.url}/api/queues`, { headers: { cookie: ana } })).status).toBe(401);
    expect((await fetch(`${b.url}/queues`, { headers: { cookie: ana }, redirect: 'manual' })).status).toBe(303);
    // bo, signed in through B, is still signed in on A.
    expect((await fetch(`${a.url}/api/queues`, { headers: { cookie: bo } })).status).toBe(200);
  });
});

// ---- `pillars review` commands on PostgreSQL -----------------------------------------------------

function spawnCli(args: string[], stdin: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
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

describe.skipIf(SKIP_PG)('pillars review on a PostgreSQL store', () => {
  let seeded: Seeded;
  let config: string;
  let url: string;

  beforeAll(async () => {
    requirePg();
    seeded = await seedRun();
    url = location('postgres');
    // Review history on SQLite first: a reviewer, a queue and a verdict.
    const db = openDb(seeded.dbPath);
    try {
      const old = createReviewStore(db);
      const kim = old.addUser({ name: 'kim', role: 'reviewer', passwordHash: await hashPassword('kim-pass-1234') });
      const q = old.createQueue({ name: 'sqlite-era', kind: 'sample', source: {}, tasks: sampleTasks(2) });
      old.recordVerdict({ taskId: old.tasks(q.id)[0]!.id, user: kim, verdict: 'ok' });
    } finally {
      db.close();
    }
    // The seeded runs and reviews, moved to PostgreSQL as a team would (`pillars store copy`).
    const copied = await copyStore(seeded.dbPath, url);
    expect(copied.tables.find((t) => t.table === 'review_verdicts')).toEqual({ table: 'review_verdicts', read: 1, written: 1 });
    config = join(seeded.dir, 'pg.yaml');
    writeFileSync(config, `store: ${url}\n`);
  }, 60_000);
  afterAll(() => seeded?.close());

  it('carries reviews copied from SQLite; creates queues from a run and appeals, adds reviewers, exports verdicts and agreement', async () => {
    // What was copied is there; new rows get new ids (the sequences moved past the copied ones).
    const before = await runCli(['review', 'export', '--config', config, '--kind', 'verdicts']);
    expect(before.out.trim().split('\n').map((l) => (JSON.parse(l) as { queue: string; reviewer: string }).queue)).toEqual(['sqlite-era']);
    const s = await runCli(['review', 'create', '--config', config, '--from-run', 'last', '--sample', '3', '--name', 'pg-sample', '--json']);
    expect(s.code, s.err).toBe(0);
    expect((JSON.parse(s.out) as { tasks: number }).tasks).toBe(3);
    const b = await runCli(['review', 'create', '--config', config, '--from-run', 'last', '--borderline', '--name', 'pg-borderline']);
    expect(b.code, b.err).toBe(0);
    const appeals = join(seeded.dir, 'appeals.jsonl');
    writeFileSync(appeals, `${JSON.stringify({ requestId: 'req_seed_2', text: 'How do I test my own web app?' })}\n`);
    const f = await runCli(['review', 'create', '--config', config, '--appeals', appeals, '--name', 'pg-appeals']);
    expect(f.code, f.err).toBe(0);

    const add = await spawnCli(['review', 'users', 'add', '--config', config, '--name', 'vic', '--role', 'vendor', '--queue', 'pg-sample'], 'vendor-pass-123\n');
    expect(add.code, add.err).toBe(0);
    expect(add.out).toContain('reviewer vic (vendor) added, assigned to pg-sample');
    const users = await runCli(['review', 'users', 'list', '--config', config, '--json']);
    expect((JSON.parse(users.out) as { name: string; queues: number[] }[]).map((u) => [u.name, u.queues.length])).toEqual([
      ['kim', 0],
      ['vic', 1],
    ]);

    // A verdict given in the store shows in the CLI's export and agreement.
    const store = await openStore(url);
    try {
      const vic = (await store.review.userByName('vic'))!;
      const q = await store.review.resolveQueue('pg-sample');
      const task = (await store.review.claimNext(q.id, vic.id))!;
      await submitVerdict({ store: store.review, user: vic, taskId: task.id, verdict: 'violation' });
    } finally {
      await store.close();
    }
    const list = JSON.parse((await runCli(['review', 'list', '--config', config, '--json'])).out) as { name: string; reviews: number; members: string[] }[];
    expect(list.map((q) => [q.name, q.reviews, q.members])).toEqual([
      ['sqlite-era', 1, []],
      ['pg-sample', 1, ['vic']],
      ['pg-borderline', 0, []],
      ['pg-appeals', 0, []],
    ]);
    const exp = await runCli(['review', 'export', '--config', config, '--kind', 'verdicts']);
    expect(exp.code, exp.err).toBe(0);
    expect(exp.out.trim().split('\n').map((l) => (JSON.parse(l) as { reviewer: string; verdict: string }).reviewer)).toEqual(['kim', 'vic']);
    const items = await runCli(['review', 'export', '--config', config, '--kind', 'items']);
    expect((JSON.parse(items.out.trim()) as { source: string }).source).toBe('review');
    const ag = await runCli(['review', 'agreement', '--config', config, '--run', 'last', '--json']);
    expect(ag.code, ag.err).toBe(0);
    const agreement = JSON.parse(ag.out) as { judges: { runId: string; reviewed: number }; queues: { queue: string }[] };
    expect(agreement.judges.reviewed).toBe(1);
    expect(agreement.judges.runId).toBe(seeded.runId);
    expect(agreement.queues.map((q) => q.queue)).toEqual(['sqlite-era', 'pg-sample', 'pg-borderline', 'pg-appeals']);

    // The dashboard, run and compare pages read the runs from PostgreSQL.
    const app = await instance(url);
    try {
      await app.store.review.addUser({ name: 'root', role: 'admin', passwordHash: await hashPassword('admin-pass-123') });
      const root = await signIn(app.url, 'root', 'admin-pass-123');
      const runs = await app.store.runs.listRuns();
      const dash = await (await fetch(`${app.url}/`, { headers: { cookie: root } })).text();
      expect(dash).toContain('Metrics per pillar over time');
      for (const r of runs) expect(dash).toContain(r.id);
      const run = await fetch(`${app.url}/runs/${seeded.runId}`, { headers: { cookie: root } });
      expect(run.status).toBe(200);
      expect(await run.text()).toContain('Judge agreement with human labels');
      const cmp = await fetch(`${app.url}/compare?a=${runs[1]!.id}&b=${runs[0]!.id}`, { headers: { cookie: root } });
      expect(cmp.status).toBe(200);
      expect(await cmp.text()).toContain('Items that flipped');
      const ja = (await (await fetch(`${app.url}/api/runs/last/agreement`, { headers: { cookie: root } })).json()) as { runId: string; reviewed: number };
      expect(ja).toMatchObject({ runId: seeded.runId, reviewed: 1 });
    } finally {
      await app.close();
    }
  }, 90_000);
  it('exports rankings made on PostgreSQL as trainer pairs (prefs export --from-review)', async () => {
    const prefs = join(seeded.dir, 'prefs.jsonl');
    writeFileSync(prefs, `${JSON.stringify({ prompt: 'Explain phishing to my team', responses: ['A clear explainer with red flags.', 'No.'] })}\n`);
    expect((await runCli(['review', 'create', '--config', config, '--preferences', prefs, '--name', 'pg-prefs'])).code).toBe(0);
    const store = await openStore(url);
    try {
      const q = await store.review.resolveQueue('pg-prefs');
      const vic = (await store.review.userByName('vic'))!;
      await store.review.addMember(q.id, vic.id);
      await submitVerdict({ store: store.review, user: vic, taskId: (await store.review.tasks(q.id))[0]!.id, ranking: [1, 2] });
    } finally {
      await store.close();
    }
    const out = join(seeded.dir, 'pairs.trl.jsonl');
    const r = await runCli(['prefs', 'export', '--config', config, '--from-review', '--queue', 'pg-prefs', '--format', 'trl', '--out', out]);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8').trim())).toMatchObject({ chosen: 'A clear explainer with red flags.', rejected: 'No.' });
  });

  it('builds appeal and traffic tasks from an audit store as from the SQLite audit reader', async () => {
    const db = openDb(seeded.dbPath);
    try {
      const audit = createSqliteAuditStore(db);
      const appeals = join(seeded.dir, 'appeals-2.jsonl');
      writeFileSync(appeals, `${JSON.stringify({ requestId: 'req_seed_2', note: 'mine' })}\n${JSON.stringify({ text: 'no request id' })}\n`);
      expect(await appealTasksOf({ audit, file: appeals })).toEqual(appealTasks({ db, file: appeals }));
      expect((await appealTasksOf({ audit, file: appeals }))[0]!.payload.decision!.requestId).toBe('req_seed_2');
      const traffic = await trafficSampleOf({ audit, n: 5, seed: 3 });
      expect(traffic).toEqual(trafficSample({ db, n: 5, seed: 3 }));
      expect(traffic.length).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });

  it('signs a frontier case off through the review app on PostgreSQL; the release gate follows', async () => {
    const app = await instance(url);
    try {
      const f = app.store.frontier;
      await f.addResult({ target: 'pg-model', modelVersion: 'v9', domain: 'cyber', benchmark: 'mcq', n: 10, correct: 9, score: 0.9, low: 0.6, high: 0.98, threshold: 0.5, over: true, samples: [], createdAt: new Date().toISOString() });
      const c = await f.openCase({ target: 'pg-model', modelVersion: 'v9', domain: 'cyber', evidence: { score: 0.9 } });
      expect((await frontierGates(f, 'pg-model'))[0]!.passed).toBe(false);
      const made = await runCli(['review', 'create', '--config', config, '--frontier', '--target', 'pg-model', '--name', 'pg-frontier']);
      expect(made.code, made.err).toBe(0);
      const q = await app.store.review.resolveQueue('pg-frontier');
      const eve = await app.store.review.addUser({ name: 'eve', role: 'expert', passwordHash: await hashPassword('expert-pass-123') });
      await app.store.review.addMember(q.id, eve.id);
      const cookie = await signIn(app.url, 'eve', 'expert-pass-123');
      const next = await fetch(`${app.url}/queues/${q.id}/next`, { headers: { cookie }, redirect: 'manual' });
      const taskId = Number(/\/tasks\/(\d+)$/.exec(next.headers.get('location') ?? '')![1]);
      const csrf = await csrfOf(app.url, cookie);
      const signed = await fetch(`${app.url}/api/tasks/${taskId}/verdict`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify({ verdict: 'approve' }) });
      expect(signed.status).toBe(201);
      expect(await f.getCase(c.id)).toMatchObject({ status: 'approved', reviewer: 'eve' });
      expect((await frontierGates(f, 'pg-model'))[0]!.passed).toBe(true);
      // A second sign-off is refused and appends nothing.
      const again = await fetch(`${app.url}/api/tasks/${taskId}/verdict`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify({ verdict: 'reject' }) });
      expect(again.status).toBe(409);
      expect(await app.store.review.verdicts({ taskId })).toHaveLength(1);
      const page = await (await fetch(`${app.url}/frontier`, { headers: { cookie } })).text();
      expect(page).toContain(c.id);
      expect(page).toContain(`/tasks/${taskId}`);
    } finally {
      await app.close();
    }
  }, 60_000);
});
