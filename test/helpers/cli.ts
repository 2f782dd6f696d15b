import { vi } from 'vitest';
import { run } from '../../src/cli/program.js';

export interface CliResult {
  code: number;
  /** Everything written to stdout / stderr (also under the short names `out` / `err`). */
  stdout: string;
  stderr: string;
  out: string;
  err: string;
}

/** Runs the `pillars` CLI in-process (so a stub server in the test answers it) and captures its output. */
export async function runCli(args: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const text = (c: string | Uint8Array): string => (typeof c === 'string' ? c : Buffer.from(c).toString('utf8'));
  const so = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (out.push(text(c)), true));
  const se = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => (err.push(text(c)), true));
  process.exitCode = undefined;
  try {
    const code = await run(['node', 'pillars', ...args]);
    const stdout = out.join('');
    const stderr = err.join('');
    return { code, stdout, stderr, out: stdout, err: stderr };
  } finally {
    so.mockRestore();
    se.mockRestore();
    process.exitCode = undefined;
  }
}

/** The same, with the arguments spread: `cli('policy', 'validate', path)`. */
export function cli(...args: string[]): Promise<CliResult> {
  return runCli(args);
}
