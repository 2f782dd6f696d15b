import type { Command } from 'commander';
import { buildReport } from '../../eval/load-report.js';
import { summaryJson, summaryTable } from '../../eval/summary.js';
import { storeError } from '../../store/db.js';
import { openStore } from '../../store/open.js';
import { describeLease } from '../../store/run-lease.js';
import type { RunRow } from '../../store/runs.js';
import { cliEnv, example, intOption, printJson, withConfig, withJson, type CommonOpts } from '../shared.js';

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function listRow(r: RunRow): Record<string, unknown> {
  return {
    id: r.id,
    created_at: r.created_at,
    finished_at: r.finished_at,
    status: r.status,
    target: r.target,
    suites: r.suites,
    tier: r.tier,
    items: r.item_count,
    gates_passed: r.gates ? r.gates.every((g) => g.passed) : null,
  };
}

export function registerRuns(program: Command): void {
  const runs = program.command('runs').description('list and show stored eval runs');

  example(withJson(withConfig(runs.command('list').description('the runs in the store, newest first').addOption(intOption('--limit <n>', 'at most n runs', 50)))), [
    'pillars runs list',
    'pillars runs list --json',
  ]).action(async (opts: CommonOpts & { limit: number }) => {
    const { config } = cliEnv(opts);
    const store = await openStore(config.storePath);
    try {
      const rows = await store.runs.listRuns({ limit: opts.limit });
      if (opts.json) {
        printJson(rows.map(listRow));
        return;
      }
      if (rows.length === 0) {
        process.stdout.write('no runs yet: `pillars eval` starts one\n');
        return;
      }
      const table = rows.map((r) => [r.id, r.created_at.slice(0, 19).replace('T', ' '), r.target, r.suites.join(','), r.tier, r.status, String(r.item_count ?? '?'), r.gates ? (r.gates.every((g) => g.passed) ? 'pass' : 'FAIL') : '—']);
      const header = ['run', 'created (UTC)', 'target', 'suites', 'tier', 'status', 'items', 'gates'];
      const w = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
      for (const r of [header, ...table]) process.stdout.write(`${r.map((c, i) => pad(c, w[i]!)).join('  ').trimEnd()}\n`);
    } catch (e) {
      // A damaged page found while reading: the file and what to do, exit 2 (not an internal error).
      throw storeError(config.storePath, e);
    } finally {
      await store.close();
    }
  });

  example(withJson(withConfig(runs.command('show <run>').description('a run\'s summary (metrics per pillar, gates) and configuration; `last` for the newest'))), [
    'pillars runs show last',
    'pillars runs show 20261121-210000-a1b2c3 --json',
  ]).action(async (ref: string, opts: CommonOpts) => {
    const { config } = cliEnv(opts);
    const opened = await openStore(config.storePath);
    try {
      const store = opened.runs;
      const run = await store.resolveRun(ref);
      const report = await buildReport(store, run.id, { items: 'failing', maxItems: 1000 });
      const answered = await store.countAnswered(run.id);
      if (opts.json) {
        printJson(summaryJson(report, { config: run.config, answered, items: run.item_count, created_at: run.created_at, finished_at: run.finished_at }));
        return;
      }
      process.stdout.write(`${summaryTable(report)}\n\n`);
      process.stdout.write(`answered ${answered}/${run.item_count ?? '?'} · started ${run.started_at} · finished ${run.finished_at ?? '—'}\n`);
      process.stdout.write(`configuration: ${JSON.stringify(run.config)}\n`);
      if (run.status === 'running' || run.status === 'preparing') process.stdout.write(`this run is ${run.status} (${describeLease(run)})\n`);
      else if (run.status !== 'done') process.stdout.write(`this run is ${run.status}: finish it with \`pillars eval --resume ${run.id}\`\n`);
    } catch (e) {
      // A damaged page found while reading: the file and what to do, exit 2 (not an internal error).
      throw storeError(config.storePath, e);
    } finally {
      await opened.close();
    }
  });
}
