import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frontierGate, frontierGates, frontierSection } from '../../src/frontier/index.js';
import type { FrontierResult, FrontierStore } from '../../src/store/frontier.js';
import { copyStore } from '../../src/store/copy.js';
import { openStore, type OpenStore } from '../../src/store/open.js';
import { tempDir } from '../eval/helpers.js';
import { pgSchema, requirePg, SKIP_PG } from '../helpers/services.js';

/**
 * The FrontierStore contract on both backends: the same calls give the same results, cases are
 * numbered FC-0001, FC-0002 ..., one case per (target, version, domain), a decided case stays decided.
 */

const tmp = tempDir();
const schemas: { drop: () => Promise<void> }[] = [];
afterAll(async () => {
  for (const s of schemas) await s.drop();
  tmp.cleanup();
});

const result = (over: Partial<FrontierResult>): FrontierResult => ({
  target: 'm',
  modelVersion: 'v1',
  domain: 'cbrn',
  benchmark: 'bench.jsonl',
  n: 40,
  correct: 30,
  score: 0.75,
  low: 0.6,
  high: 0.86,
  threshold: 0.5,
  over: true,
  samples: [{ id: 'q1', question: 'Q1?', expected: 'A', answer: 'A', correct: true }],
  createdAt: '2026-12-01T10:00:00.000Z',
  ...over,
});

/** Everything the contract produces, without the row ids (which only need to grow). */
async function exercise(store: FrontierStore): Promise<Record<string, unknown>> {
  const ids = [
    await store.addResult(result({})),
    await store.addResult(result({ domain: 'cyber', score: 0.2, correct: 8, over: false, createdAt: '2026-12-01T10:00:01.000Z' })),
    await store.addResult(result({ modelVersion: 'v2', score: 0.8, correct: 32, createdAt: '2026-12-02T10:00:00.000Z' })),
    await store.addResult(result({ target: 'other', createdAt: '2026-12-01T09:00:00.000Z' })),
  ];
  expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
  const strip = (rs: FrontierResult[]): unknown[] => rs.map(({ id: _id, ...r }) => r);
  const c1 = await store.openCase({ target: 'm', modelVersion: 'v1', domain: 'cbrn', evidence: { summary: 'first' }, now: '2026-12-01T10:00:02.000Z' });
  const c2 = await store.openCase({ target: 'm', modelVersion: 'v2', domain: 'cbrn', evidence: { summary: 'second' }, now: '2026-12-02T10:00:02.000Z' });
  // Opening again refreshes an open case's evidence and keeps its id.
  const again = await store.openCase({ target: 'm', modelVersion: 'v1', domain: 'cbrn', evidence: { summary: 'refreshed' }, now: '2026-12-03T00:00:00.000Z' });
  expect(again.id).toBe(c1.id);
  const approved = await store.decide(c1.id, { reviewer: 'Dr. E', decision: 'approve', note: 'fine', now: '2026-12-04T00:00:00.000Z' });
  // A decided case is not reopened and not decided twice.
  const kept = await store.openCase({ target: 'm', modelVersion: 'v1', domain: 'cbrn', evidence: { summary: 'ignored' } });
  await expect(Promise.resolve().then(() => store.decide(c1.id, { reviewer: 'Dr. F', decision: 'reject' }))).rejects.toMatchObject({ exitCode: 1, message: expect.stringMatching(/already approved by Dr. E/) });
  await expect(Promise.resolve().then(() => store.decide(c2.id, { reviewer: '  ', decision: 'reject' }))).rejects.toThrow(/--reviewer/);
  await expect(Promise.resolve().then(() => store.getCase('FC-9999'))).rejects.toMatchObject({ code: 'not_found' });
  await expect(Promise.resolve().then(() => store.decide('FC-9999', { reviewer: 'x', decision: 'reject' }))).rejects.toMatchObject({ code: 'not_found' });
  return {
    all: strip(await store.results()),
    m: strip(await store.results('m')),
    latest: strip(await store.latest('m')),
    cases: [c1, c2, again, approved, kept],
    open: await store.listCases({ status: 'open' }),
    ofM: await store.listCases({ target: 'm' }),
    none: await store.listCases({ status: 'rejected', target: 'm' }),
    found: await store.findCase('m', 'v2', 'cbrn'),
    missing: await store.findCase('m', 'v3', 'cbrn'),
    gates: await frontierGates(store, 'm'),
    section: await frontierSection(store, 'm'),
  };
}

const outputs: Record<string, Record<string, unknown>> = {};

describe.each([
  { backend: 'sqlite' as const, skip: false },
  { backend: 'postgres' as const, skip: SKIP_PG },
])('FrontierStore on $backend', ({ backend, skip }) => {
  let store: OpenStore;
  beforeAll(async () => {
    if (skip) return;
    if (backend === 'postgres') requirePg();
    let location = join(tmp.dir, 'frontier.db');
    if (backend === 'postgres') {
      const s = pgSchema();
      schemas.push(s);
      location = s.url;
    }
    store = await openStore(location);
  });
  afterAll(async () => {
    await store?.close();
  });

  it.skipIf(skip)('keeps results, numbers cases, refreshes open ones and records decisions', async () => {
    const out = await exercise(store.frontier);
    expect((out.cases as { id: string }[]).map((c) => c.id)).toEqual(['FC-0001', 'FC-0002', 'FC-0001', 'FC-0001', 'FC-0001']);
    expect(out.cases).toMatchObject([{ evidence: { summary: 'first' } }, { status: 'open' }, { evidence: { summary: 'refreshed' } }, { status: 'approved', reviewer: 'Dr. E', note: 'fine' }, { status: 'approved', evidence: { summary: 'refreshed' } }]);
    expect((out.all as FrontierResult[]).map((r) => `${r.target}/${r.modelVersion}/${r.domain}`)).toEqual(['other/v1/cbrn', 'm/v1/cbrn', 'm/v1/cyber', 'm/v2/cbrn']);
    expect((out.latest as FrontierResult[]).map((r) => `${r.modelVersion}/${r.domain}`)).toEqual(['v2/cbrn', 'v1/cyber']);
    expect((out.open as { id: string }[]).map((c) => c.id)).toEqual(['FC-0002']);
    expect(out.gates).toMatchObject([{ metric: 'frontier.cbrn', passed: false, reason: expect.stringContaining('FC-0002 is open') }, { metric: 'frontier.cyber', passed: true }]);
    expect(out.missing).toBeNull();
    if (store.db) expect(frontierGate(store.db, 'm')).toEqual(out.gates);
    outputs[backend] = out;
  });
});

describe.skipIf(SKIP_PG)('FrontierStore on both backends', () => {
  it('gives the same results, cases, gates and report section', () => {
    requirePg();
    expect(outputs.postgres).toEqual(outputs.sqlite);
  });
});

describe.skipIf(SKIP_PG)('pillars store copy moves frontier, red-team and probe rows', () => {
  it('copies them row for row; PostgreSQL numbers new rows after the copied ones; a second copy adds nothing', async () => {
    requirePg();
    const file = join(tmp.dir, 'copy-from.db');
    const src = await openStore(file);
    try {
      await exercise(src.frontier);
      await src.redteam.createRun({ id: 'rt-1', target: 'm', mode: 'compete', config: {}, startedAt: '2026-12-01T10:00:00.000Z' });
      await src.redteam.addAttempt({ runId: 'rt-1', round: 1, agent: 'a', strategy: 's', applied: null, policy: null, pillar: 'safety', seedId: 'x', parent: null, goal: 'g', success: true, turns: 1, tokens: 1, cost: 0, transcript: [], verdict: { judge: 'j', label: 'complied', passed: false, score: 1, reasons: [] }, twin: null, createdAt: '2026-12-01T10:00:00.000Z' });
      await src.redteam.saveDeception({ id: 'dc-1', target: 'm', startedAt: '2026-12-01T10:00:00.000Z', result: { rate: 0 } });
      await src.probes.add({ kind: 'sparse', target: 'm', version: 'v1', domain: 'shots-0', value: 0.5, n: 4, detail: {} });
    } finally {
      await src.close();
    }
    const s = pgSchema();
    schemas.push(s);
    const first = await copyStore(file, s.url);
    for (const t of ['frontier_results', 'frontier_cases', 'redteam_runs', 'redteam_attempts', 'deception_runs', 'probe_results']) {
      const row = first.tables.find((x) => x.table === t)!;
      expect(row.written, t).toBe(row.read);
      expect(row.read, t).toBeGreaterThan(0);
    }
    expect((await copyStore(file, s.url)).tables.every((t) => t.written === 0)).toBe(true);
    const [a, b] = [await openStore(file), await openStore(s.url)];
    try {
      expect(await b.frontier.results()).toEqual(await a.frontier.results());
      expect(await b.frontier.listCases()).toEqual(await a.frontier.listCases());
      expect(await b.redteam.attempts('rt-1')).toEqual(await a.redteam.attempts('rt-1'));
      expect(await b.redteam.lastDeception()).toEqual(await a.redteam.lastDeception());
      expect(await b.probes.latestByVersion('sparse', 'shots-0')).toEqual(await a.probes.latestByVersion('sparse', 'shots-0'));
      const max = Math.max(...(await a.frontier.results()).map((r) => r.id!));
      expect(await b.frontier.addResult(result({ createdAt: '2026-12-05T00:00:00.000Z' }))).toBe(max + 1);
      expect((await b.frontier.openCase({ target: 'm', modelVersion: 'v9', domain: 'cbrn', evidence: {} })).id).toBe('FC-0003');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
