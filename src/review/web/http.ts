import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError as HttpStatus } from '../../core/errors.js';

/** Small HTTP helpers for the web app: security headers, bodies, responses. */

/** The review app's HTTP errors are the toolkit's `HttpError` (in the `PillarsError` tree). */
export { HttpStatus };

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'";

export function securityHeaders(res: ServerResponse): void {
  res.setHeader('content-security-policy', CSP);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('cache-control', 'no-store');
}

export function sendHtml(res: ServerResponse, status: number, body: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, v: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(v));
}

export function redirect(res: ServerResponse, to: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(303, { location: to, ...headers });
  res.end();
}

export async function readBody(req: IncomingMessage, limit = 256 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new HttpStatus(413, 'request body too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A form or JSON body as string fields (JSON values kept as they are). */
export async function readFields(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req);
  const type = String(req.headers['content-type'] ?? '');
  if (type.includes('application/json')) {
    try {
      const v = JSON.parse(text || '{}') as unknown;
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('expected an object');
      return v as Record<string, unknown>;
    } catch (e) {
      throw new HttpStatus(400, `the body is not a JSON object: ${(e as Error).message}`);
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}
