import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportData } from '../../src/core/report.js';
import { loadReport, loadStoredReport } from '../../src/eval/load-report.js';
import { openStore } from '../../src/store/open.js';
import { startOpenAIStub, type OpenAIStub } from '../../src/targets/testing/openai-stub.js';
import { FIXTURE_ROWS, fixtureAnswer, tempDir } from '../eval/helpers.js';
import { pgSchema, requirePg, SKIP_PG } from '../helpers/services.js';
import { MAIN, pillars, TSX, type Proc } from './spawn.js';

/**
 * Every command that reads runs and frontier cases works on either backend: the same sequence of
 * `pillars` processes (frontier run, eval with the frontier gate, signoff, eval again, report,
 * compare, runs, frontier cases, view) with PILLARS_STORE set to a SQLite file and to a PostgreSQL
 * schema gives the same output.
 */

const MCQ = 'The following is a multiple-choice question';

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => void (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** `pillars view RUN --port 0 --json` as a process: the pages it serves, then SIGTERM. */
async function viewPages(env: Record<string, string>, cwd: string, run: string, paths: (origin: string) => string[]): Promise<{ status: number; body: string }[]> {
  const p = spawn(process.execPath, ['--import', TSX, MAIN, 'view', run, '--port', '0', '--json', '--config', join(cwd, 'pillars.yaml')], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      const timer = setTimeout(() => reject(new Error(`pillars view printed no URL: ${out} ${err}`)), 60_000);
      p.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) {
          clearTimeout(timer);
          resolve((JSON.parse(out) as { url: string }).url);
        }
      });
      p.stderr.on('data', (c: Buffer) => void (err += c.toString()));
      p.on('exit', (code) => reject(new Error(`pillars view exited (${code}): ${err}`)));
    });
    const origin = new URL(url).origin;
    const pages = [await get(url)];
    for (const path of paths(origin)) pages.push(await get(`${origin}${path}`));
    return pages;
  } finally {
    if (p.exitCode === null) {
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await exited;
    }
  }
}

/**
 * The report without what differs between two runs of the same thing (ids, times) and without
 * `sections.frontier`, which the eval adds when it gates and the store does not keep.
 */
const comparable = (r: ReportData): unknown => {
  const { frontier: _frontier, ...sections } = r.sections ?? {};
  return { metrics: r.metrics, gates: r.gates, items: r.items, sections, tier: r.run.tier, target: r.run.target, status: r.run.status };
};

/** Run ids, times and ports replaced by placeholders, so the same pages from two stores compare equal. */
function normalise(s: string, ids: string[]): string {
  let out = s;
  ids.forEach((id, i) => (out = out.split(id).join(`RUN${i}`)));
  return out
    .replace(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?Z?/g, 'TIME')
    .replace(/127\.0\.0\.1:\d+/g, 'HOST')
    .replace(/fp-[0-9a-f]{12}/g, 'FP');
}

interface Outcome {
  frontierRun: unknown;
  gateBefore: unknown;
  gateAfter: unknown;
  report: unknown;
  compare: unknown;
  runs: unknown;
  show: string;
  cases: unknown;
  pages: string[];
}

const outcomes: Partial<Record<'sqlite' | 'postgres', Outcome>> = {};
const tmp = tempDir();
const schemas: { drop: () => Promise<void> }[] = [];
let stub: OpenAIStub;

beforeAll(async () => {
  // Frontier questions are answered right (A), eval items as the fixture says.
  stub = await startOpenAIStub({
    respond: (r) => {
      const last = r.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
      return last.startsWith(MCQ) ? 'A' : fixtureAnswer(last);
    },
  });
});
afterAll(async () => {
  await stub?.close();
  for (const s of schemas) await s.drop();
  tmp.cleanup();
});

describe.each([
  { backend: 'sqlite' as const, skip: false },
  { backend: 'postgres' as const, skip: SKIP_PG },
])('pillars report, compare, runs, view and frontier on $backend', ({ backend, skip }) => {
  it.skipIf(skip)('gives the same reports, pages, cases and gates', { timeout: 240_000 }, async () => {
    if (backend === 'postgres') requirePg();
    const dir = join(tmp.dir, backend);
    mkdirSync(dir, { recursive: true });
    let store = join(dir, 'store', 'pillars.db');
    if (backend === 'postgres') {
      const s = pgSchema();
      schemas.push(s);
      store = s.url;
    }
    writeFileSync(join(dir, 'data.jsonl'), `${FIXTURE_ROWS.map((r) => JSON.stringify(r)).join('\n')}\n`);
    writeFileSync(join(dir, 'bench.jsonl'), `${Array.from({ length: 10 }, (_, i) => JSON.stringify({ question: `Question ${i + 1}?`, choices: ['right', 'wrong'], answer: 0 })).join('\n')}\n`);
    // No `store:` in the file: PILLARS_STORE chooses the backend.
    writeFileSync(
      join(dir, 'pillars.yaml'),
      [
        'targets:',
        `  - { id: good, type: openai, baseUrl: "${stub.url}", model: m }`,
        'eval:',
        '  targets: [good]',
        '  suites: [data.jsonl]',
        '  judge: assertion',
        'gates:',
        '  - { metric: violation_rate, pillar: safety, max: 0.3 }',
        'frontier:',
        '  cbrn: { benchmark: bench.jsonl, threshold: 0.5 }',
        '',
      ].join('\n'),
    );
    const env = { PILLARS_STORE: store };
    const cfg = ['--config', join(dir, 'pillars.yaml')];
    const run = (args: string[]): Promise<Proc> => pillars([...args, ...cfg], env, dir);

    // The frontier run opens a review case; the eval's frontier gate fails until it is approved.
    const fr = await run(['frontier', 'run', '--target', 'good', '--model-version', 'v1', '--json']);
    expect(fr.code, fr.err).toBe(1);
    const frontierRun = JSON.parse(fr.out) as { domains: { case: { id: string; status: string } }[] };
    expect(frontierRun.domains[0]!.case).toMatchObject({ id: 'FC-0001', status: 'open' });
    const first = await run(['eval', '--out', join(dir, 'first'), '--format', 'json', '--json']);
    expect(first.code, first.err).toBe(1);
    const firstReport = JSON.parse(readFileSync(join(dir, 'first', 'report.json'), 'utf8')) as ReportData;
    const gateBefore = firstReport.gates.find((g) => g.metric === 'frontier.cbrn');
    expect(gateBefore).toMatchObject({ passed: false, reason: expect.stringContaining('FC-0001 is open') });
    expect(firstReport.sections?.frontier).toMatchObject({ review_cases: [{ id: 'FC-0001', status: 'open' }] });

    const signoff = await run(['frontier', 'signoff', 'FC-0001', '--reviewer', 'Dr. E', '--decision', 'approve', '--json']);
    expect(signoff.code, signoff.err).toBe(0);
    const second = await run(['eval', '--out', join(dir, 'second'), '--format', 'json', '--json']);
    expect(second.code, second.err).toBe(0);
    const secondReport = JSON.parse(readFileSync(join(dir, 'second', 'report.json'), 'utf8')) as ReportData;
    const gateAfter = secondReport.gates.find((g) => g.metric === 'frontier.cbrn');
    expect(gateAfter).toMatchObject({ passed: true, reason: expect.stringContaining('FC-0001 approved by Dr. E') });

    // pillars report RUN re-renders exactly what the eval wrote; `last` and a prefix resolve.
    const rep = await run(['report', secondReport.run.id.slice(0, 18), '--out', join(dir, 'again'), '--format', 'json', '--json']);
    expect(rep.code, rep.err).toBe(0);
    expect(JSON.parse(rep.out)).toMatchObject({ run: secondReport.run.id });
    const again = JSON.parse(readFileSync(join(dir, 'again', 'report.json'), 'utf8')) as ReportData;
    expect(comparable(again)).toEqual(comparable(secondReport));

    const cmp = await run(['compare', firstReport.run.id, 'last', '--json']);
    expect(cmp.code, cmp.err).toBe(0);
    const listed = await run(['runs', 'list', '--json']);
    expect(listed.code, listed.err).toBe(0);
    expect((JSON.parse(listed.out) as { id: string }[]).map((r) => r.id)).toEqual([secondReport.run.id, firstReport.run.id]);
    const show = await run(['runs', 'show', 'last']);
    expect(show.code, show.err).toBe(0);
    const cases = await run(['frontier', 'cases', '--json']);
    expect(cases.code, cases.err).toBe(0);
    expect(JSON.parse(cases.out)).toMatchObject([{ id: 'FC-0001', status: 'approved', reviewer: 'Dr. E' }]);

    // pillars view: the run's page, the runs list and the side by side, over real HTTP.
    const ids = [firstReport.run.id, secondReport.run.id];
    const pages = await viewPages(env, dir, secondReport.run.id, () => ['/', `/runs/${ids[0]}?verdict=failed`, `/compare?run=${ids[0]}&run=${ids[1]}`, '/runs/nope']);
    expect(pages.map((p) => p.status)).toEqual([200, 200, 200, 200, 404]);
    expect(pages[0]!.body).toContain(secondReport.run.id);
    expect(pages[0]!.body).toContain('s-mb-4');

    // The library call another feature uses gives the same report as the SQLite-only loadReport.
    const opened = await openStore(store);
    try {
      const stored = await loadStoredReport(opened, 'last');
      // The same report, less the regulations the command fills in from the policy pack.
      const withoutRegulations = (r: ReportData): ReportData => ({ ...r, items: r.items.map(({ regulations: _r, ...i }) => i) });
      expect(comparable(stored)).toEqual(comparable(withoutRegulations(again)));
      if (opened.db) expect(loadReport(opened.db, 'last')).toEqual(stored);
    } finally {
      await opened.close();
    }

    const norm = (text: string): string => normalise(text.split(dir).join('DIR'), ids);
    outcomes[backend] = {
      frontierRun: JSON.parse(norm(fr.out)),
      gateBefore,
      gateAfter,
      report: JSON.parse(norm(JSON.stringify(comparable(again)))),
      compare: JSON.parse(norm(cmp.out)),
      runs: (JSON.parse(norm(listed.out)) as Record<string, unknown>[]).map((r) => ({ ...r, created_at: undefined, finished_at: undefined })),
      show: norm(show.out),
      cases: JSON.parse(norm(cases.out)),
      pages: pages.map((p) => norm(p.body)),
    };
  });
});

describe.skipIf(SKIP_PG)('the same commands on both backends', () => {
  it('give the same output on PostgreSQL as on SQLite', () => {
    requirePg();
    const { sqlite, postgres } = outcomes;
    expect(sqlite && postgres).toBeTruthy();
    for (const k of Object.keys(sqlite!) as (keyof Outcome)[]) expect(postgres![k], k).toEqual(sqlite![k]);
  });
});
