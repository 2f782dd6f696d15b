import { sha256 } from '../core/hash.js';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A cache of parsed YAML keyed by the file's content hash, so a large pack (the default pack's
 * thousands of labelled examples) is parsed once, not on every command. Only files that parsed
 * without error are cached; positions for error messages are recomputed from the text on demand.
 * Set PILLARS_NO_CACHE=1 to bypass it. Any cache failure falls back to parsing.
 *
 * The folder lives in the shared temporary directory, so it is trusted only when it is ours and
 * nobody else can write to it (0700): otherwise another local user could plant a "parsed" pack
 * (a weakened policy) under a known content hash. An untrusted folder is not used at all.
 */

const VERSION = 'yaml2-core-v1';
const dir = (): string => join(tmpdir(), 'pillars-yaml-cache');
const keyOf = (text: string): string => sha256(VERSION + text);
const enabled = (): boolean => !process.env.PILLARS_NO_CACHE;

/** The cache folder is ours and writable by nobody else (POSIX); on Windows, trusted as is. */
export function trustedDir(path: string): boolean {
  try {
    const st = statSync(path);
    if (!st.isDirectory()) return false;
    if (typeof process.getuid !== 'function') return true;
    return st.uid === process.getuid() && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

export function readParsed(text: string): unknown {
  if (!enabled() || !trustedDir(dir())) return undefined;
  try {
    return JSON.parse(readFileSync(join(dir(), `${keyOf(text)}.json`), 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export function writeParsed(text: string, data: unknown): void {
  if (!enabled()) return;
  try {
    mkdirSync(dir(), { recursive: true, mode: 0o700 });
    if (!trustedDir(dir())) return;
    const file = join(dir(), `${keyOf(text)}.json`);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // A read-only or full disk only costs speed.
  }
}
