#!/usr/bin/env node
import { run } from './program.js';

run(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // run() handles every known error; this is a bug.
    console.error(e);
    process.exitCode = 70;
  },
);
