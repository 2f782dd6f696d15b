import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A cache of parsed YAML keyed by the file's content hash, so a large pack (the default pack's
 * thousands of labelled examples) is parsed once, not on every command. Only files that parsed
 * without error are cached; positions for error messages are recomputed from the text on demand.
 * Set PILLARS_NO_CACHE=1 to bypass it. Any cache failure falls back to parsing.
 */

const VERSION = 'yaml2-core-v1';
const dir = (): string => join(tmpdir(), 'pillars-yaml-cache');
const keyOf = (text: string): string => createHash('sha256').update(VERSION).update(text).digest('hex');
const enabled = (): boolean => !process.env.PILLARS_NO_CACHE;

export function readParsed(text: string): unknown {
  if (!enabled()) return undefined;
  try {
    return JSON.parse(readFileSync(join(dir(), `${keyOf(text)}.json`), 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export function writeParsed(text: string, data: unknown): void {
  if (!enabled()) return;
  try {
    mkdirSync(dir(), { recursive: true });
    const file = join(dir(), `${keyOf(text)}.json`);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data));
    renameSync(tmp, file);
  } catch {
    // A read-only or full disk only costs speed.
  }
}
