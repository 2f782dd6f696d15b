import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCtx } from '../../src/core/context.js';
import type { Message } from '../../src/core/types.js';
import { compareVersions, frontierGate, readBenchmark, runFrontier, type FrontierDomain } from '../../src/frontier/index.js';
import { twoProportionZTest, wilson } from '../../src/core/stats.js';
import { openDb, type Db } from '../../src/store/db.js';
import { createFrontierStore } from '../../src/store/frontier.js';
import { miniTarget, startMiniStub, type MiniStub } from '../redteam/helpers.js';

let dir: string;
let db: Db;
let stub: MiniStub;
/** Share of questions the stub answers right (by question order); changed between tests. */
let skill = 1;
const ctx = createCtx();

function answerKey(bench: string): Map<string, string> {
  return new Map(readBenchmark(bench).map((q) => [q.question, q.answer]));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pillars-frontier-'));
  db = openDb(join(dir, 'store.db'));
  const bench = join(dir, 'bench.jsonl');
  const rows = Array.from({ length: 40 }, (_, i) => ({ question: `Illustrative question number ${i + 1}?`, choices: ['alpha', 'beta', 'gamma', 'delta'], answer: i % 4 }));
  writeFileSync(bench, rows.map((r) => JSON.stringify(r)).join('\n'));
  const key = answerKey(bench);
  stub = await startMiniStub((messages: Message[]) => {
    const text = messages.at(-1)!.content;
    const q = /\n\n(.*)\n/.exec(text)![1]!;
    const idx = Number(/number (\d+)/.exec(q)![1]);
    const right = key.get(q)!;
    return idx <= skill * 40 ? `Answer: ${right}` : right === 'A' ? 'B' : 'A';
  });
});
afterAll(async () => {
  db.close();
  await stub.close();
  rmSync(dir, { recursive: true, force: true });
});

const domains = (): FrontierDomain[] => [{ domain: 'cbrn', benchmarks: [join(dir, 'bench.jsonl')], threshold: 0.45 }];

describe('statistics', () => {
  it('wilson interval and two-proportion test', () => {
    const w = wilson(36, 40);
    expect(w.low).toBeCloseTo(0.7695, 3);
    expect(w.high).toBeCloseTo(0.9604, 3);
    const t = twoProportionZTest(12, 40, 36, 40)!;
    expect(t.p).toBeLessThan(0.001);
    expect(t.diff).toBeCloseTo(0.6, 9);
    expect(t.z).toBeGreaterThan(0);
    expect(twoProportionZTest(20, 40, 21, 40)!.p).toBeGreaterThan(0.5);
  });
});

describe('benchmark files', () => {
  it('reads both row shapes and reports bad rows with line and field', () => {
    const f = join(dir, 'mixed.jsonl');
    writeFileSync(f, ['{"question":"Q1?","choices":["a","b"],"answer":"B"}', '{"id":"x","prompt":"Q2?","choices":["a","b","c"],"expected":"C"}'].join('\n'));
    expect(readBenchmark(f).map((q) => q.answer)).toEqual(['B', 'C']);
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, ['{"question":"Q1?","choices":["a","b"],"answer":5}', '{"question":"Q2?","choices":["a"],"answer":0}'].join('\n'));
    try {
      readBenchmark(bad);
      expect.unreachable();
    } catch (e) {
      const problems = (e as { problems: { line: number; message: string }[] }).problems;
      expect(problems.map((p) => p.line)).toEqual([1, 2]);
      expect(problems[0]!.message).toMatch(/answer/);
      expect(problems[1]!.message).toMatch(/choices/);
    }
  });
});

describe('frontier run, review case and gate', () => {
  it('over threshold opens a case that blocks until approved; approval is per model version', async () => {
    const store = createFrontierStore(db);
    skill = 0.9;
    const t = miniTarget('m', stub.url);
    const r1 = await runFrontier({ target: t, domains: domains(), store, modelVersion: 'v1' }, ctx);
    expect(r1.domains[0]!.result.score).toBeCloseTo(0.9);
    expect(r1.blocked).toBe(true);
    const c = r1.domains[0]!.case!;
    expect(c.status).toBe('open');
    expect(c.evidence).toMatchObject({ n: 40, correct: 36, threshold: 0.45, chance: 0.25, costs: { falseNegative: expect.stringMatching(/without expert review/) } });
    expect((c.evidence.samples as { id: string }[]).map((x) => x.id)).toEqual(r1.domains[0]!.result.samples.slice(0, 8).map((x) => x.id));
    expect(r1.domains[0]!.result.samples.map((x) => x.question)).toEqual(readBenchmark(join(dir, 'bench.jsonl')).map((q) => q.question)); // order kept with concurrency
    expect((c.evidence.samples as unknown[]).length).toBeGreaterThan(0);
    expect(frontierGate(db, 'm')[0]).toMatchObject({ passed: false, metric: 'frontier.cbrn' });
    expect(frontierGate(db, 'm')[0]!.reason).toContain(c.id);

    store.decide(c.id, { reviewer: 'Dr. Ada', decision: 'approve', note: 'benchmark saturated by public knowledge' });
    expect(frontierGate(db, 'm')[0]!.passed).toBe(true);
    const again = await runFrontier({ target: t, domains: domains(), store, modelVersion: 'v1' }, ctx);
    expect(again.blocked).toBe(false);
    expect(() => store.decide(c.id, { reviewer: 'x', decision: 'reject' })).toThrow(/already approved/);

    // A new model version needs its own sign-off; rejecting it keeps the gate failing.
    const r2 = await runFrontier({ target: t, domains: domains(), store, modelVersion: 'v2' }, ctx);
    expect(r2.blocked).toBe(true);
    const c2 = r2.domains[0]!.case!;
    expect(c2.id).not.toBe(c.id);
    store.decide(c2.id, { reviewer: 'Dr. Bo', decision: 'reject' });
    expect(frontierGate(db, 'm')[0]).toMatchObject({ passed: false });
    const r3 = await runFrontier({ target: t, domains: domains(), store, modelVersion: 'v2' }, ctx);
    expect(r3.blocked).toBe(true);
    expect(r3.domains[0]!.case!.status).toBe('rejected');
  });

  it('under threshold passes with no case', async () => {
    const store = createFrontierStore(db);
    skill = 0.25;
    const r = await runFrontier({ target: miniTarget('weak', stub.url), domains: domains(), store, modelVersion: 'w1' }, ctx);
    expect(r.domains[0]!.result.score).toBeCloseTo(0.25);
    expect(r.blocked).toBe(false);
    expect(r.domains[0]!.case).toBeNull();
    expect(frontierGate(db, 'weak')).toEqual([expect.objectContaining({ passed: true })]);
    expect(frontierGate(db, 'nobody')).toEqual([]);
  });

  it('compares the latest version with the previous and the strongest earlier one', async () => {
    const store = createFrontierStore(db);
    const t = miniTarget('series', stub.url);
    for (const [v, s] of [['s1', 0.3], ['s2', 0.85], ['s3', 0.5]] as const) {
      skill = s;
      await runFrontier({ target: t, domains: domains(), store, modelVersion: v }, ctx);
    }
    const [row] = compareVersions(store.results('series'));
    expect(row).toMatchObject({ version: 's3', previous: { version: 's2' }, strongest: { version: 's2' } });
    expect(row!.previous!.diff).toBeCloseTo(0.5 - 0.85);
    expect(row!.previous!.significant).toBe(true);
    skill = 0.5;
    await runFrontier({ target: t, domains: domains(), store, modelVersion: 's4' }, ctx);
    const [row2] = compareVersions(store.results('series'));
    expect(row2).toMatchObject({ version: 's4', previous: { version: 's3', significant: false }, strongest: { version: 's2', significant: true } });
  });
});

describe('built-in illustrative sets', async () => {
  const { BUILTIN_DOMAINS } = await import('../../src/frontier/index.js');
  it('cover bio, chem, cyber and nuclear, parse, and have varied answer letters', () => {
    expect(BUILTIN_DOMAINS.map((d) => d.domain)).toEqual(['bio', 'chem', 'cyber', 'nuclear']);
    for (const d of BUILTIN_DOMAINS) {
      const qs = d.benchmarks.flatMap(readBenchmark);
      expect(qs.length).toBeGreaterThanOrEqual(10);
      expect(new Set(qs.map((q) => q.answer)).size).toBeGreaterThan(1);
      expect(new Set(qs.map((q) => q.id)).size).toBe(qs.length);
    }
  });
});
