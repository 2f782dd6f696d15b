import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIStub, type OpenAIStub } from '../../src/targets/testing/openai-stub.js';
import { COMPLY, FIXTURE_ROWS, fixtureAnswer, tempDir } from './helpers.js';
import { runCli } from '../helpers/cli.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

const cli = runCli;

function spawnCli(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', TSX, join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd, timeout: 60_000 }, (error, out, err) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 70) : 0, out, err });
    });
  });
}

const lastUser = (msgs: { role: string; content: string }[]): string => msgs.filter((m) => m.role === 'user').at(-1)?.content ?? '';

describe('pillars eval / runs / select-checkpoint', () => {
  let tmp: ReturnType<typeof tempDir>;
  let good: OpenAIStub;
  let bad: OpenAIStub;
  let data: string;
  const config = (name: string, gates: string): string => {
    const p = join(tmp.dir, name);
    writeFileSync(
      p,
      [
        'store: store/pillars.db',
        'targets:',
        `  - { id: good, type: openai, baseUrl: "${good.url}", model: m }`,
        `  - { id: bad, type: openai, baseUrl: "${bad.url}", model: m }`,
        '  - { id: down, type: openai, baseUrl: "http://127.0.0.1:9/v1", model: m }',
        'eval:',
        '  targets: [good]',
        '  suites: [data.jsonl]',
        '  judge: assertion',
        'gates:',
        gates,
      ].join('\n'),
    );
    return p;
  };

  beforeAll(async () => {
    tmp = tempDir();
    good = await startOpenAIStub({ respond: (r) => fixtureAnswer(lastUser(r.messages)) });
    bad = await startOpenAIStub({ respond: () => COMPLY });
    data = join(tmp.dir, 'data.jsonl');
    writeFileSync(data, `${FIXTURE_ROWS.map((r) => JSON.stringify(r)).join('\n')}\n`);
  });
  afterAll(async () => {
    await good.close();
    await bad.close();
    tmp.cleanup();
  });

  it('prints the summary, writes the reports and exits 0 when the gates pass', async () => {
    const cfg = config('pass.yaml', '  - { metric: violation_rate, pillar: safety, max: 0.3 }\n  - { metric: over_refusal_rate, max: 0.2 }');
    const out = join(tmp.dir, 'out-pass');
    const r = await cli(['eval', '--config', cfg, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/safety\s+8\s+25\.0% \[4\.6%–69\.9%\] 1\/4\s+25\.0% \[4\.6%–69\.9%\] 1\/4/);
    expect(r.out).toMatch(/PASS {2}violation_rate\[safety\] <= 0\.3/);
    for (const f of ['report.html', 'report.json', 'junit.xml', 'summary.md']) expect(existsSync(join(out, f))).toBe(true);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { metrics: { by_pillar: Record<string, { violation_rate: number }> } };
    expect(report.metrics.by_pillar.fairness!.violation_rate).toBeCloseTo(2 / 3);
  });

  it('exits 1 when a gate fails and says which (real process)', async () => {
    const cfg = config('fail.yaml', '  - { metric: violation_rate, pillar: fairness, max: 0.5 }\n  - { metric: over_refusal_rate, max: 0.5 }');
    const r = await spawnCli(['eval', '--config', cfg, '--format', 'json'], tmp.dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAIL {2}violation_rate\[fairness\] <= 0\.5: 66\.67% is above the maximum 50\.00%/);
    expect(r.out).toMatch(/PASS {2}over_refusal_rate <= 0\.5/);
    expect(r.out).toMatch(/1 gate\(s\) failed for good/);
  });

  it('exits 2 on a bad gate, naming file, line and column', async () => {
    const cfg = config('badgate.yaml', '  - { metric: violation_rate, max: 0.1 }\n  - { metric: violations, max: 0.1 }');
    const r = await cli(['eval', '--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/badgate\.yaml:12:\d+: gates\.1\.metric: /);
  });

  it('fails fast (exit 2) on an unreachable target', async () => {
    const cfg = config('down.yaml', '  []');
    const r = await cli(['eval', '--config', cfg, '--target', 'down']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/target down is unreachable at http:\/\/127\.0\.0\.1:9\/v1/);
  });

  it('exits 1 when no item was answered (every request refused by the server), saying nothing was measured', async () => {
    const denied = await startOpenAIStub({ respond: () => ({ status: 403, body: JSON.stringify({ error: { message: 'forbidden', type: 'auth_error', code: null } }) }) });
    try {
      // Three items: fewer than the ten failures in a row that stop a run early.
      writeFileSync(join(tmp.dir, 'three.jsonl'), `${FIXTURE_ROWS.slice(0, 3).map((r) => JSON.stringify(r)).join('\n')}\n`);
      const cfg = join(tmp.dir, 'denied.yaml');
      writeFileSync(cfg, ['store: store/denied.db', 'targets:', `  - { id: denied, type: openai, baseUrl: "${denied.url}", model: m }`, 'eval:', '  targets: [denied]', '  suites: [three.jsonl]', '  judge: assertion', 'gates: []'].join('\n'));
      const r = await cli(['eval', '--config', cfg, '--out', join(tmp.dir, 'out-denied')]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/no item was answered by denied: every request failed after retries/);
    } finally {
      await denied.close();
    }
  });

  it('a bad dataset row stops the run before it starts, naming file and line; --skip-invalid drops it and says so', async () => {
    const bad = join(tmp.dir, 'bad.jsonl');
    writeFileSync(bad, `${JSON.stringify(FIXTURE_ROWS[0])}\n${JSON.stringify({ ...FIXTURE_ROWS[1], kind: 'nonsense' })}\n${JSON.stringify(FIXTURE_ROWS[2])}\n`);
    const cfg = config('bad-data.yaml', '  []');
    const before = good.count();
    const r = await cli(['eval', '--config', cfg, '--suite', bad]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.jsonl:2:\d+: .*kind/);
    expect(good.count()).toBe(before);
    const s = await cli(['eval', '--config', cfg, '--suite', bad, '--skip-invalid', '--no-cache']);
    expect(s.code).toBe(0);
    expect(s.err).toMatch(/skipped 1 invalid row/);
    expect(good.count()).toBe(before + 2);
  });

  it('a partial run (--limit) is finished by --resume last without asking again for answered items', async () => {
    const cfg = config('resume.yaml', '  []');
    const first = await cli(['eval', '--config', cfg, '--limit', '4', '--concurrency', '1', '--no-cache']);
    expect(first.out).toMatch(/stopped before the end: finish with `pillars eval --resume \S+`/);
    await new Promise((r) => setTimeout(r, 100));
    const before = good.count();
    const second = await cli(['eval', '--config', cfg, '--resume', 'last', '--json', '--no-cache']);
    expect(second.code).toBe(0);
    const out = JSON.parse(second.out) as { status: string; execution: { answered: number } };
    expect(out.status).toBe('done');
    expect(good.count() - before).toBe(out.execution.answered);
    expect(out.execution.answered, second.out).toBe(10);
    // A finished run is not re-gated or rewritten: --resume says so (exit 2).
    const third = await cli(['eval', '--config', cfg, '--resume', 'last']);
    expect(third.code).toBe(2);
    expect(third.err).toMatch(/run \S+ \(target good\) already finished at \S+; nothing to resume\. Its reports again: pillars report \S+/);
    expect(good.count() - before).toBe(10);
  });

  it('lists and shows runs', async () => {
    const cfg = config('pass.yaml', '  - { metric: over_refusal_rate, max: 0.2 }');
    const list = await cli(['runs', 'list', '--config', cfg, '--json']);
    expect(list.code).toBe(0);
    const runs = JSON.parse(list.out) as { id: string; target: string; status: string }[];
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs[0]).toMatchObject({ target: 'good', status: 'done' });
    const show = await cli(['runs', 'show', 'last', '--config', cfg, '--json']);
    const s = JSON.parse(show.out) as { run: string; config: { target: { id: string }; judges: { name: string } } };
    expect(s.run).toBe(runs[0]!.id);
    expect(s.config.target.id).toBe('good');
    expect(s.config.judges.name).toBe('assertion');
    const text = await cli(['runs', 'show', runs[0]!.id.slice(0, 20), '--config', cfg]);
    expect(text.out).toMatch(/answered 14\/14/);
  });

  it('select-checkpoint picks the checkpoint that passes the gates with the better objective', async () => {
    const cfg = config('select.yaml', '  - { metric: violation_rate, max: 0.6 }');
    const r = await cli(['select-checkpoint', '--config', cfg, '--targets', 'bad,good', '--json']);
    expect(r.code).toBe(0);
    const sel = JSON.parse(r.out) as { best: string; ranking: { target: string; eligible: boolean }[]; reasoning: string[] };
    expect(sel.best).toBe('good');
    expect(sel.ranking.find((x) => x.target === 'bad')!.eligible).toBe(false);
    expect(sel.reasoning.join('\n')).toMatch(/bad .*not eligible: violation_rate <= 0\.6/);
  });

  it('runs the repository default offline: the guard on the built-in quick suites', async () => {
    const dir = join(tmp.dir, 'fresh');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    copyFileSync(join(ROOT, 'pillars.yaml'), join(dir, 'pillars.yaml'));
    const r = await cli(['eval', '--config', join(dir, 'pillars.yaml')]);
    expect(r.err).not.toMatch(/error/i);
    expect([0, 1]).toContain(r.code);
    expect(r.out).toMatch(/target guard · suites quick · tier quick · done/);
    const m = /report: (\S+report\.html)/.exec(r.out);
    expect(m).not.toBeNull();
    expect(existsSync(join(dir, '.pillars', 'reports'))).toBe(true);
  });
});
