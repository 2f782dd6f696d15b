import type { Readable } from 'node:stream';
import { Client, Pool } from 'undici';

/**
 * Calls to the upstream OpenAI-compatible server through one keep-alive undici pool.
 * Failures come back as `UpstreamFailure` with the status the gateway answers with:
 * 504 for timeouts, 502 for an unreachable or broken upstream.
 */

export class UpstreamFailure extends Error {
  constructor(
    message: string,
    readonly status: 502 | 504,
    readonly kind: 'timeout' | 'unreachable' | 'protocol',
  ) {
    super(message);
    this.name = 'UpstreamFailure';
  }
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable & { text(): Promise<string>; json(): Promise<unknown> };
}

export interface Upstream {
  readonly base: string;
  request(input: { method: 'GET' | 'POST'; path: string; body?: string; signal?: AbortSignal; headers?: Record<string, string> }): Promise<UpstreamResponse>;
  /** GET /models on a connection of its own (a pool busy with slow answers does not make the probe wait): the HTTP status. */
  probe(timeoutMs: number): Promise<number>;
  close(): Promise<void>;
}

/** `http://h:p/v1` stays; `http://h:p` becomes `http://h:p/v1`. Trailing slashes dropped. */
export function normalizeBase(url: string): URL {
  const u = new URL(url);
  let path = u.pathname.replace(/\/+$/, '');
  if (path === '') path = '/v1';
  u.pathname = path;
  return u;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

export function classifyUpstreamError(e: unknown, base: string): UpstreamFailure {
  if (e instanceof UpstreamFailure) return e;
  const err = e as { code?: string; message?: string; cause?: { code?: string } };
  const code = err.code ?? err.cause?.code ?? '';
  if (TIMEOUT_CODES.has(code)) return new UpstreamFailure(`the upstream model server at ${base} did not answer in time`, 504, 'timeout');
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EAI_AGAIN') {
    return new UpstreamFailure(`the upstream model server at ${base} is unreachable (${code})`, 502, 'unreachable');
  }
  return new UpstreamFailure(`the upstream model server at ${base} failed: ${err.message ?? String(e)}`, 502, 'protocol');
}

export function createUpstream(opts: { url: string; apiKey?: string; timeoutMs: number; connections?: number }): Upstream {
  const base = normalizeBase(opts.url);
  const shown = `${base.origin}${base.pathname}`;
  const pool = new Pool(base.origin, {
    connections: opts.connections ?? 128,
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
    connectTimeout: Math.min(opts.timeoutMs, 10_000),
    keepAliveTimeout: 10_000,
  });
  const auth = opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {};
  let probeClient: Client | null = null;
  return {
    base: shown,
    async request({ method, path, body, signal, headers }) {
      try {
        const r = await pool.request({
          method,
          path: `${base.pathname}${path}`,
          headers: { ...headers, ...auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), accept: 'application/json, text/event-stream' },
          body,
          signal,
        });
        return { status: r.statusCode, headers: r.headers, body: r.body as UpstreamResponse['body'] };
      } catch (e) {
        throw classifyUpstreamError(e, shown);
      }
    },
    async probe(timeoutMs) {
      probeClient ??= new Client(base.origin, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connectTimeout: timeoutMs, keepAliveTimeout: 10_000 });
      try {
        const r = await probeClient.request({ method: 'GET', path: `${base.pathname}/models`, headers: { ...auth, accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
        await r.body.dump();
        return r.statusCode;
      } catch (e) {
        throw classifyUpstreamError(e, shown);
      }
    },
    async close() {
      await Promise.all([pool.close(), probeClient?.close()]);
    },
  };
}
