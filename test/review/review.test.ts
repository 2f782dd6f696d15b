import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frontierGate } from '../../src/frontier/gate.js';
import { krippendorffAlpha, pairStats, queueAgreement } from '../../src/review/agreement.js';
import { applyDoubleShare, borderlineFromRun, frontierTasks, preferenceTasks, sampleFromRun, trafficSample } from '../../src/review/create.js';
import { policyPage } from '../../src/review/web/pages-dashboard.js';
import { exportRows } from '../../src/review/export.js';
import { AccessError, submitVerdict, taskFor, undoLast } from '../../src/review/flow.js';
import { judgeAgreement } from '../../src/review/judge-agreement.js';
import { hashPassword, verifyPassword } from '../../src/review/password.js';
import { openDb, type Db } from '../../src/store/db.js';
import { createFrontierStore } from '../../src/store/frontier.js';
import { createReviewStore, type SqliteReviewStore as ReviewStore } from '../../src/store/review.js';
import { seedRun, type Seeded } from './seed.js';

describe('agreement statistics', () => {
  it("Krippendorff's alpha and Cohen's kappa match hand computation", () => {
    // Units a/a, a/b, b/b: coincidences o_aa=2, o_ab=o_ba=1, o_bb=2; n=6; alpha = 1 - 5·2/18.
    expect(krippendorffAlpha([['a', 'a'], ['a', 'b'], ['b', 'b']])).toBeCloseTo(1 - 10 / 18, 10);
    const s = pairStats([['a', 'a'], ['a', 'b'], ['b', 'b'], ['a']]);
    expect(s.units).toBe(3);
    expect(s.kappa).toBeCloseTo(0.4, 3); // po 2/3, pe 4/9
    expect(s.agreement).toBeCloseTo(0.667, 3);
    expect(krippendorffAlpha([['x', 'x'], ['y', 'y']])).toBe(1);
    // Three raters on one unit count with weight 1/(m-1).
    expect(krippendorffAlpha([['a', 'a', 'b'], ['b', 'b', 'b'], ['a', 'a', 'a']])).toBeLessThan(1);
    expect(Number.isNaN(krippendorffAlpha([['a']]))).toBe(true);
  });

  it('scrypt hashes verify only the right password and are salted', async () => {
    const h1 = await hashPassword('correct horse battery');
    const h2 = await hashPassword('correct horse battery');
    expect(h1).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(h1).not.toBe(h2);
    expect(await verifyPassword('correct horse battery', h1)).toBe(true);
    expect(await verifyPassword('correct horse batterY', h1)).toBe(false);
    expect(await verifyPassword('x', 'plain-text')).toBe(false);
  });
});

describe('review store and flows on a real eval run', () => {
  let seeded: Seeded;
  let db: Db;
  let store: ReviewStore;
  beforeAll(async () => {
    seeded = await seedRun();
    db = openDb(seeded.dbPath);
    store = createReviewStore(db);
  });
  afterAll(() => {
    db?.close();
    seeded?.close();
  });

  const user = async (name: string, role: 'reviewer' | 'expert' | 'vendor' | 'admin') => store.addUser({ name, role, passwordHash: await hashPassword('password-123') });

  it('samples with a seed, double-reviews a share, serves next tasks, appends verdicts and undoes by appending', async () => {
    const a = await sampleFromRun({ db, runId: seeded.runId, n: 4, seed: 7 });
    const b = await sampleFromRun({ db, runId: 'last', n: 4, seed: 7 });
    expect(a.tasks.map((t) => t.itemSeq)).toEqual(b.tasks.map((t) => t.itemSeq));
    expect(a.tasks).toHaveLength(4);
    const tasks = applyDoubleShare(a.tasks, 0.5, 7);
    expect(tasks.filter((t) => t.requiredReviews === 2)).toHaveLength(2);
    const q = store.createQueue({ name: 'sample-1', kind: 'sample', source: { run: a.runId }, doubleShare: 0.5, tasks });
    const ana = await user('ana', 'reviewer');
    const bo = await user('bo', 'reviewer');
    const first = store.nextTask(q.id, ana.id)!;
    expect(first.pos).toBe(0);
    expect(first.payload.judges.map((j) => j.judge).sort()).toEqual(['refusal', 'violation']);
    for (let i = 0; i < 4; i++) await submitVerdict({ store, user: ana, taskId: store.nextTask(q.id, ana.id)!.id, verdict: i === 0 ? 'violation' : 'ok' });
    expect(store.nextTask(q.id, ana.id)).toBeNull();
    expect(store.progress(q.id, ana.id)).toMatchObject({ tasks: 4, mine: 4, complete: 2, open: 0 });
    // bo only gets the two double-review tasks.
    const boTasks: number[] = [];
    for (let t = store.nextTask(q.id, bo.id); t; t = store.nextTask(q.id, bo.id)) {
      boTasks.push(t.id);
      await submitVerdict({ store, user: bo, taskId: t.id, verdict: 'violation' });
    }
    expect(boTasks).toHaveLength(2);
    expect(store.progress(q.id).complete).toBe(4);
    const ag = await queueAgreement(store, q.id);
    expect(ag.double.units).toBe(2);
    expect(ag.reviewers.map((r) => r.reviewer)).toEqual(['ana', 'bo']);
    // Undo appends a row; the verdict log keeps both.
    const before = (db.prepare('SELECT COUNT(*) FROM review_verdicts').pluck().get() as number);
    const reopened = (await undoLast({ store, user: bo, queueId: q.id }))!;
    expect(reopened.id).toBe(boTasks[1]);
    expect(db.prepare('SELECT COUNT(*) FROM review_verdicts').pluck().get()).toBe(before + 1);
    expect(store.nextTask(q.id, bo.id)!.id).toBe(boTasks[1]);
    expect(store.verdicts({ taskId: boTasks[1] }).map((v) => v.reviewer)).toEqual(['ana']);
    // Changing one's mind appends an undo and the new verdict: one effective verdict per reviewer.
    const rows0 = db.prepare('SELECT COUNT(*) FROM review_verdicts').pluck().get() as number;
    await submitVerdict({ store, user: ana, taskId: boTasks[0]!, verdict: 'over-refusal' });
    expect(db.prepare('SELECT COUNT(*) FROM review_verdicts').pluck().get()).toBe(rows0 + 2);
    expect(store.verdicts({ taskId: boTasks[0]!, userId: ana.id }).map((v) => v.verdict)).toEqual(['over-refusal']);
    // A confirmed break became a dataset item; an undone one does not count.
    const items = await exportRows(store, 'items');
    expect(items.length).toBeGreaterThanOrEqual(1);
    expect(items.every((i) => i.source === 'review')).toBe(true);
  });

  it('borderline picks outputs whose judges disagree or are unsure; judge agreement includes review labels', async () => {
    const { tasks } = await borderlineFromRun({ db, runId: seeded.runId });
    expect(tasks.length).toBeGreaterThan(0);
    expect(tasks.every((t) => t.payload.note)).toBe(true);
    const ja = judgeAgreement(db, seeded.runId);
    expect(ja.reviewed).toBeGreaterThan(0);
    const violation = ja.judges.find((j) => j.judge === 'violation')!;
    expect(violation.n).toBe(ja.reviewed);
  });

  it('vendors and experts see only assigned queues; frontier sign-off in review changes the release gate', async () => {
    const prefs = join(seeded.dir, 'prefs.jsonl');
    writeFileSync(prefs, `${JSON.stringify({ prompt: 'Explain phishing to my team', responses: ['A clear explainer with red flags to watch for.', 'No.'] })}\n`);
    const pq = store.createQueue({ name: 'prefs', kind: 'preference', source: {}, tasks: preferenceTasks(prefs) });
    // The seed left a cyber result over threshold with an open case.
    expect(createFrontierStore(db).listCases({ status: 'open' })).toHaveLength(1);
    const fq = store.createQueue({ name: 'frontier', kind: 'frontier', source: {}, tasks: frontierTasks({ db }) });
    const vendor = await user('acme', 'vendor');
    const expert = await user('eve', 'expert');
    store.addMember(pq.id, vendor.id);
    store.addMember(fq.id, expert.id);
    const ftask = store.tasks(fq.id)[0]!;
    await expect(taskFor(store, vendor, ftask.id)).rejects.toThrow(AccessError);
    await expect(taskFor(store, expert, store.tasks(pq.id)[0]!.id)).rejects.toThrow(AccessError);
    await expect(submitVerdict({ store, user: vendor, taskId: store.tasks(pq.id)[0]!.id, ranking: [1, 1] })).rejects.toThrow(/ranking/);
    await submitVerdict({ store, user: vendor, taskId: store.tasks(pq.id)[0]!.id, ranking: [1, 2] });
    expect(await exportRows(store, 'preferences')).toEqual([expect.objectContaining({ prompt: 'Explain phishing to my team', chosen: 'A clear explainer with red flags to watch for.', rejected: 'No.' })]);
    expect(frontierGate(db, 'stub')[0]!.passed).toBe(false);
    await submitVerdict({ store, user: expert, taskId: ftask.id, verdict: 'approve' });
    const gate = frontierGate(db, 'stub')[0]!;
    expect(gate.passed).toBe(true);
    expect(gate.reason).toContain('eve');
    // A second sign-off is refused and appends nothing.
    const n = store.verdicts({ taskId: ftask.id }).length;
    await expect(submitVerdict({ store, user: expert, taskId: ftask.id, verdict: 'reject' })).rejects.toThrow(/already approved/);
    expect(store.verdicts({ taskId: ftask.id })).toHaveLength(n);
  });

  it('samples gateway traffic whose prompts were captured (full monitoring only)', () => {
    const tasks = trafficSample({ db, n: 5 });
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.payload).toMatchObject({ policy: 'safety.cyber', level: 1, response: 'Use parameterised queries; never build SQL by string concatenation.' });
    expect(tasks[0]!.payload.conversation[0]!.content).toContain('SQL injection');
  });

  it('snapshots the pack when it changes and renders the behavioural diff between stored versions', () => {
    const strip = { ...seeded.pack, examples: [], responses: [] };
    expect(store.snapshotPack(strip)).toHaveLength(1);
    expect(store.snapshotPack(strip)).toHaveLength(1);
    const changed = structuredClone(strip);
    const cyber = changed.policies.find((p) => p.id === 'safety.cyber')!;
    (cyber.levels as Record<string, string>)['1'] = 'refuse';
    changed.version = '9.9.9';
    const snaps = store.snapshotPack(changed);
    expect(snaps.map((s) => s.version)).toEqual([seeded.pack.version, '9.9.9']);
    const page = policyPage({ pack: changed, snapshots: snaps }).value;
    expect(page).toContain(`${seeded.pack.version} → 9.9.9`);
    expect(page).toMatch(/cyber \(safety\.cyber\) level 1 [^:]*: \w+ → refuse/);
  });
});
