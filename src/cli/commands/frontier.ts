import { Option, type Command } from 'commander';
import { compareVersions, type CompareRow } from '../../frontier/index.js';
import type { CaseStatus } from '../../store/frontier.js';
import { openStore } from '../../store/open.js';
import { cliEnv, example, intOption, printJson, withConfig, withJson, type CommonOpts } from '../shared.js';
import { frontierRun } from '../../run/frontier.js';

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function signoffHint(id: string): string {
  return `pillars frontier signoff ${id} --reviewer NAME --decision approve|reject`;
}

export function registerFrontier(program: Command): void {
  const fr = program.command('frontier').description('frontier-risk capability benchmarks, thresholds, expert review cases and uplift across model versions');

  example(
    withJson(
      withConfig(
        fr
          .command('run')
          .description('score the target on each domain; over threshold opens a review case and exits 1 until a reviewer approves it for this model version')
          .requiredOption('--target <id>', 'target to measure')
          .option('--model-version <v>', 'model version the result and its sign-off belong to (default: derived from the target fingerprint)')
          .option('--domain <name>', 'only this domain (repeatable)', (v: string, p: string[] = []) => [...p, v])
          .addOption(intOption('--concurrency <n>', 'questions in flight at once', 4)),
      ),
    ),
    ['pillars frontier run --target candidate --model-version 2026-11-rc1'],
  ).action(async (opts: CommonOpts & { target: string; modelVersion?: string; domain?: string[]; concurrency: number }) => {
    const { config, ctx } = cliEnv(opts);
    const out = await frontierRun({ config, target: opts.target, modelVersion: opts.modelVersion, domains: opts.domain, concurrency: opts.concurrency }, ctx);
    if (opts.json) printJson(out);
    else {
      process.stdout.write(`frontier: ${out.target} version ${out.modelVersion}\n`);
      for (const d of out.domains) {
        const r = d.result;
        const state = !r.over ? 'ok' : d.case?.status === 'approved' ? `over threshold, approved in ${d.case.id} by ${d.case.reviewer ?? '?'}` : d.case?.status === 'rejected' ? `over threshold, REJECTED in ${d.case.id}` : `over threshold, review case ${d.case?.id ?? '?'} OPEN`;
        process.stdout.write(`  ${r.domain.padEnd(10)} ${pct(r.score).padStart(6)} (95% CI ${pct(r.low)}-${pct(r.high)}, n=${r.n}) threshold ${pct(r.threshold)}  ${state}\n`);
      }
    }
    const blocking = out.domains.filter((d) => d.blocking);
    for (const d of blocking) {
      const c = d.case!;
      process.stderr.write(
        c.status === 'rejected'
          ? `pillars: frontier gate failed: ${d.result.domain} is over threshold and review case ${c.id} was rejected by ${c.reviewer ?? '?'} for ${out.modelVersion}\n`
          : `pillars: frontier gate failed: ${d.result.domain} is over threshold; review case ${c.id} is open for expert review: ${signoffHint(c.id)}\n`,
      );
    }
    if (blocking.length) process.exitCode = 1;
  });

  example(withJson(withConfig(fr.command('compare').description('each domain of the latest model version against the previous and the strongest earlier version, with significance').option('--target <id>', 'only this target'))), [
    'pillars frontier compare --target candidate',
  ]).action(async (opts: CommonOpts & { target?: string }) => {
    const { config } = cliEnv(opts);
    const store = await openStore(config.storePath);
    try {
      const rows: CompareRow[] = compareVersions(await store.frontier.results(opts.target));
      if (opts.json) return printJson(rows);
      if (rows.length === 0) {
        process.stdout.write('no frontier results yet: run `pillars frontier run --target ID`\n');
        return;
      }
      const d = (x: CompareRow['previous']): string =>
        x ? `${x.diff >= 0 ? '+' : ''}${(x.diff * 100).toFixed(1)} pts vs ${x.version} (${pct(x.score)}), p=${x.p.toFixed(3)}${x.significant ? ' significant' : ''}` : 'n/a';
      for (const r of rows) {
        process.stdout.write(`${r.target} ${r.domain} ${r.version}: ${pct(r.score)} (n=${r.n}, threshold ${pct(r.threshold)})\n  previous:  ${d(r.previous)}\n  strongest: ${d(r.strongest)}\n`);
      }
    } finally {
      await store.close();
    }
  });

  example(withJson(withConfig(fr.command('cases').description('open and closed expert review cases').addOption(new Option('--status <s>', 'only this status').choices(['open', 'approved', 'rejected'])))), [
    'pillars frontier cases --status open',
  ]).action(async (opts: CommonOpts & { status?: CaseStatus }) => {
    const { config } = cliEnv(opts);
    const store = await openStore(config.storePath);
    try {
      const cases = await store.frontier.listCases({ status: opts.status });
      if (opts.json) return printJson(cases);
      if (cases.length === 0) process.stdout.write('no review cases\n');
      for (const c of cases) {
        process.stdout.write(`${c.id}  ${c.status.padEnd(8)}  ${c.target} ${c.modelVersion} ${c.domain}  opened ${c.openedAt}\n`);
        if (typeof c.evidence.summary === 'string') process.stdout.write(`    ${c.evidence.summary}\n`);
        if (c.status !== 'open') process.stdout.write(`    ${c.status} by ${c.reviewer ?? '?'} on ${c.decidedAt ?? '?'}${c.note ? `: ${c.note}` : ''}\n`);
        else process.stdout.write(`    ${signoffHint(c.id)}\n`);
      }
    } finally {
      await store.close();
    }
  });

  example(
    withJson(
      withConfig(
        fr
          .command('signoff <case>')
          .description('record an expert reviewer\'s decision on a review case (for the model version it was opened for)')
          .requiredOption('--reviewer <name>', 'who decides')
          .addOption(new Option('--decision <d>', 'approve releases the gate for that version; reject keeps it failing').choices(['approve', 'reject']).makeOptionMandatory())
          .option('--note <text>', 'the reviewer\'s rationale'),
      ),
    ),
    ['pillars frontier signoff FC-0001 --reviewer "Dr. A. Expert" --decision approve --note "uplift below concern"'],
  ).action(async (id: string, opts: CommonOpts & { reviewer: string; decision: 'approve' | 'reject'; note?: string }) => {
    const { config } = cliEnv(opts);
    const store = await openStore(config.storePath);
    try {
      const c = await store.frontier.decide(id, { reviewer: opts.reviewer, decision: opts.decision, note: opts.note });
      if (opts.json) return printJson(c);
      process.stdout.write(`${c.id}: ${c.status} by ${c.reviewer} for ${c.target} ${c.modelVersion} (${c.domain})\n`);
    } finally {
      await store.close();
    }
  });
}
