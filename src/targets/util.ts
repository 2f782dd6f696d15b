import { sha256 } from '../core/hash.js';
import { TargetError } from '../core/errors.js';
import type { Message } from '../core/types.js';

/** JSON with sorted keys, so equal settings give equal strings. */
export function stableStringify(v: unknown): string {
  if (v === undefined) return 'null';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`).join(',')}}`;
}

export { sha256 };

/** Settings that never change what a target answers, or that are secret: left out of the fingerprint. */
const NOT_BEHAVIOUR = new Set(['id', 'description', 'rpm', 'tpm', 'timeoutMs', 'maxRetries', 'apiKeyEnv', 'apiKeyHeader', 'samples']);

/** A readable fingerprint of a target's behaviour-defining settings (never secrets). */
export function fingerprintOf(cfg: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  const kept: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(cfg)) {
    if (NOT_BEHAVIOUR.has(k)) continue;
    // Header values may be credentials: only their names identify behaviour.
    kept[k] = k === 'headers' && v && typeof v === 'object' ? Object.keys(v).sort() : v;
  }
  const label = [cfg.type, cfg.model ?? cfg.path ?? cfg.url ?? cfg.wraps].filter((x) => typeof x === 'string').join(':');
  return `${label}#${sha256(stableStringify({ ...kept, ...extra })).slice(0, 16)}`;
}

/** Read a dotted path (a.b.0.c) out of parsed JSON. */
export function getPath(v: unknown, path: string): unknown {
  let cur: unknown = v;
  for (const part of path.split('.').filter(Boolean)) {
    if (cur === null || cur === undefined) return undefined;
    if (Array.isArray(cur)) cur = cur[Number(part)];
    else if (typeof cur === 'object') cur = (cur as Record<string, unknown>)[part];
    else return undefined;
  }
  return cur;
}

/** The API key named by `apiKeyEnv`, read at request time (never stored). */
export function readKey(id: string, envName: string | undefined, required: boolean): string | undefined {
  if (!envName) return undefined;
  const v = process.env[envName];
  if (!v && required) throw new TargetError(`target ${id}: environment variable ${envName} (apiKeyEnv) is not set`, { isRetryable: false });
  return v || undefined;
}

const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Turn a network / abort error into a TargetError (retryable for transient network failures). */
export function networkError(id: string, e: unknown, signal?: AbortSignal): TargetError {
  if (e instanceof TargetError) return e;
  const err = e as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  if (signal?.aborted) {
    const reason = signal.reason as { name?: string } | undefined;
    const timeout = reason?.name === 'TimeoutError';
    return new TargetError(`target ${id}: ${timeout ? 'request timed out' : 'request aborted'}`, { isRetryable: timeout, cause: e });
  }
  const code = err.code ?? err.cause?.code ?? '';
  const retry = NET_CODES.has(code) || code.startsWith('UND_ERR');
  return new TargetError(`target ${id}: ${code ? `${code} ` : ''}${err.message ?? String(e)}`, { isRetryable: retry, cause: e });
}

/** Parse a Retry-After header value (seconds or HTTP date) into milliseconds. */
export function retryAfterMs(v: string | string[] | undefined): number | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (!s) return undefined;
  const n = Number(s);
  if (Number.isFinite(n)) return Math.max(0, n * 1000);
  const t = Date.parse(s);
  return Number.isFinite(t) ? Math.max(0, t - Date.now()) : undefined;
}

/** A TargetError carrying the server's Retry-After hint. */
export class HttpTargetError extends TargetError {
  readonly retryAfterMs?: number;
  constructor(message: string, opts: { status: number; retryAfterMs?: number }) {
    super(message, { status: opts.status });
    this.retryAfterMs = opts.retryAfterMs;
  }
}

export function lastUserText(messages: Message[]): string {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === 'user') return messages[i]!.content;
  return messages[messages.length - 1]?.content ?? '';
}

/** Shorten a server's error body for a message (no secrets are ever sent back by us). */
export function snippet(s: string, n = 200): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n)}…` : t;
}
