import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Action } from '../core/pillars.js';
import { errorBody } from './openai.js';

/** Small HTTP helpers: bounded body reading, JSON replies, the decision headers. */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly code: string | null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * Read the whole body, refusing (413) past `limit` bytes (by Content-Length first, then by count)
 * and answering 408 when it has not all arrived within `timeoutMs`.
 */
export function readBody(req: IncomingMessage, limit: number, timeoutMs = 30_000): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      chunks.length = 0;
      reject(new HttpError(408, `the request body did not arrive within ${timeoutMs} ms`, 'invalid_request_error', 'request_timeout', { connection: 'close' }));
    }, timeoutMs);
    const finish = (): void => {
      done = true;
      clearTimeout(timer);
    };
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        finish();
        chunks.length = 0;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (done) return;
      finish();
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (e) => {
      if (done) return;
      finish();
      reject(new HttpError(400, `could not read the request body: ${e.message}`, 'invalid_request_error', 'body_read_error'));
    });
  });
}

const tooLarge = (limit: number): HttpError =>
  new HttpError(413, `request body is larger than the gateway's limit of ${limit} bytes`, 'invalid_request_error', 'request_too_large', { connection: 'close' });

export function setDecision(res: ServerResponse, action: Action, policy?: string | null): void {
  if (res.headersSent) return;
  res.setHeader('x-pillars-decision', action);
  if (policy) res.setHeader('x-pillars-policy', policy);
  else res.removeHeader('x-pillars-policy');
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, e: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, e.status, errorBody(e.message, e.type, e.code), e.headers);
}
