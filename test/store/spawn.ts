import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../review/seed.js';

/** `pillars` as a child process (tsx), for tests that choose the store with PILLARS_STORE. */

export const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
export const MAIN = join(ROOT, 'src', 'cli', 'main.ts');

export interface Proc {
  code: number | null;
  out: string;
  err: string;
}

export function pillars(args: string[], env: Record<string, string>, cwd: string): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', TSX, MAIN, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => void (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => void (err += c.toString()));
    p.on('error', reject);
    p.on('exit', (code) => resolve({ code, out, err }));
  });
}
