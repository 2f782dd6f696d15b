#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { assetPath } from '../core/paths.js';

/**
 * `pillars --version` answers before the program (every command and the features behind them) is
 * imported; everything else loads the program.
 */
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  let version = '0.0.0';
  try {
    version = (JSON.parse(readFileSync(assetPath('package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // no package.json next to the build: report 0.0.0 as the program does
  }
  process.stdout.write(`${version}\n`);
} else {
  import('./program.js')
    .then(({ run }) => run(process.argv))
    .then(
      (code) => {
        process.exitCode = code;
        // A `pillars serve` worker that failed to start: its IPC channel to the primary would keep it
        // alive, not listening, forever. Let go of it so the process exits with its code (a cluster
        // worker's `process.disconnect()` would exit 0).
        if (code !== 0) process.channel?.unref();
      },
      (e: unknown) => {
        // run() handles every known error; this is a bug.
        console.error(e);
        process.exitCode = 70;
      },
    );
}
