import pino from 'pino';
import type { Ctx, Logger } from './types.js';

/** Keys whose values are never logged. */
export const REDACT_PATHS = ['apiKey', '*.apiKey', 'authorization', '*.authorization', 'headers.authorization', 'key', '*.key'];

/** A logger on stderr (stdout is for results). Level from PILLARS_LOG (default: warn). */
export function createLogger(opts: { level?: string; destination?: number } = {}): Logger {
  return pino(
    { level: opts.level ?? process.env.PILLARS_LOG ?? 'warn', redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    pino.destination({ dest: opts.destination ?? 2, sync: true }),
  );
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export function createCtx(opts: { log?: Logger; signal?: AbortSignal; runId?: string } = {}): Ctx {
  return { log: opts.log ?? silentLogger, signal: opts.signal ?? new AbortController().signal, runId: opts.runId };
}
