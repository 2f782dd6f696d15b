#!/usr/bin/env node
import { run } from './program.js';

run(process.argv).then(
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
