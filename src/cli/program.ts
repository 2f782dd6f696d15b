import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { formatProblem, isPillarsError, UserError } from '../core/errors.js';
import { assetPath } from '../core/paths.js';
import { registerAudit } from './commands/audit.js';
import { registerKeys } from './commands/keys.js';
import { registerPolicy } from './commands/policy.js';
import { registerServe } from './commands/serve.js';
import { registerRisk } from './commands/risk.js';
import { registerInit } from './commands/init.js';
import { registerReport } from './commands/report.js';
import { registerCompare } from './commands/compare.js';
import { registerEval } from './commands/eval.js';
import { registerRuns } from './commands/runs.js';
import { registerSelectCheckpoint } from './commands/select-checkpoint.js';
import { registerRedteam } from './commands/redteam.js';
import { registerDeception } from './commands/deception.js';
import { registerFrontier } from './commands/frontier.js';
import { frontierGateProvider } from '../run/frontier.js';
import { registerGuard } from './commands/guard.js';
import { registerDataset } from './commands/dataset.js';
import { registerJudge } from './commands/judge.js';
import { registerReward } from './commands/reward.js';
import { registerPrefs } from './commands/prefs.js';
import { registerData } from './commands/data.js';
import { registerProbe } from './commands/probe.js';
import { registerReview } from './commands/review.js';
import { registerView } from './commands/view.js';
import { registerStore } from './commands/store.js';
import { registerWorker } from './commands/worker.js';

/**
 * The `pillars` program. One file per command group under commands/; each exports
 * `register(program)`. Commands parse flags and call run/ (or a feature's entry point).
 */
const registrations: ((program: Command) => void)[] = [
  registerPolicy,
  registerRisk,
  registerInit,
  registerKeys,
  registerAudit,
  registerServe,
  registerReport,
  registerCompare,
  (p) => registerEval(p, { gateProviders: [frontierGateProvider] }),
  registerRuns,
  registerSelectCheckpoint,
  registerRedteam,
  registerDeception,
  registerFrontier,
  registerGuard,
  registerDataset,
  registerJudge,
  registerReward,
  registerPrefs,
  registerData,
  registerProbe,
  registerReview,
  registerView,
  registerStore,
  registerWorker,
];

function version(): string {
  try {
    return (JSON.parse(readFileSync(assetPath('package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

export function buildProgram(): Command {
  const program = new Command('pillars')
    .description('Responsible-AI toolkit: one policy, written as code, drives data, rewards, evaluations, red teaming, frontier gates and a guardrail gateway.')
    .version(version(), '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride();
  program.addHelpText('after', '\nExample:\n  $ pillars eval                     # evaluate the default target on the quick suites\n  $ pillars policy validate policies/acme.yaml\n');
  for (const r of registrations) r(program);
  // Apply exitOverride to every subcommand so usage errors come back to us.
  const walk = (c: Command): void => {
    c.exitOverride();
    c.commands.forEach(walk);
  };
  walk(program);
  return program;
}

/** Runs the CLI; returns the exit code. User mistakes print one clear line per problem, never a stack. */
let pipeGuarded = false;

/**
 * `pillars … | head`: once the reader has gone, writing more is pointless, not an error. Exit
 * quietly (status 0) on EPIPE instead of dying on an unhandled 'error' event with a stack trace.
 */
function quietOnClosedPipe(): void {
  if (pipeGuarded) return;
  pipeGuarded = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      process.stderr.write(`pillars: cannot write output: ${e.message}\n`);
      process.exit(74);
    });
  }
}

export async function run(argv: string[]): Promise<number> {
  quietOnClosedPipe();
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return e.exitCode === 0 ? 0 : 2;
    }
    if (isPillarsError(e)) {
      if (e instanceof UserError && e.problems.length > 0) {
        for (const p of e.problems) process.stderr.write(`${formatProblem(p)}\n`);
      } else {
        process.stderr.write(`pillars: ${e instanceof UserError && e.option ? `--${e.option}: ` : ''}${e.message}\n`);
      }
      if (process.env.PILLARS_DEBUG) process.stderr.write(`${e.stack ?? ''}\n`);
      return e.exitCode;
    }
    process.stderr.write(`pillars: internal error: ${(e as Error)?.message ?? String(e)}\n`);
    if (process.env.PILLARS_DEBUG) process.stderr.write(`${(e as Error)?.stack ?? ''}\n`);
    return 70;
  }
}
