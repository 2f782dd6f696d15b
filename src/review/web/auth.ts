import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { sha256 } from '../../core/hash.js';
import type { ReviewStore, ReviewUser } from '../../store/review.js';
import { DUMMY_HASH, verifyPassword } from '../password.js';

/**
 * Sessions and CSRF. The session cookie holds a random token; the store keeps only its SHA-256.
 * Cookies are HttpOnly, SameSite=Strict and scoped to the app's path. Every POST carries the
 * session's CSRF token (form field `_csrf` or header `x-csrf-token`); sign-in, which has no
 * session yet, uses a double-submit cookie.
 */

export const SESSION_COOKIE = 'pillars_sid';
export const LOGIN_COOKIE = 'pillars_login';
const SESSION_HOURS = 12;

export const token = (): string => randomBytes(32).toString('base64url');

export function parseCookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    try {
      out[k] = decodeURIComponent(v);
    } catch {
      out[k] = v;
    }
  }
  return out;
}

export function cookie(name: string, value: string, opts: { path: string; maxAge?: number; secure?: boolean }): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${opts.path}`, 'HttpOnly', 'SameSite=Strict'];
  if (opts.maxAge !== undefined) parts.push(`Max-Age=${opts.maxAge}`);
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

export interface Session {
  user: ReviewUser;
  csrf: string;
  tokenHash: string;
}

/** The request's session, from the store (any instance of the app signed it in). */
export async function currentSession(store: ReviewStore, req: IncomingMessage): Promise<Session | null> {
  const t = parseCookies(req)[SESSION_COOKIE];
  if (!t) return null;
  const tokenHash = sha256(t);
  const s = await store.session(tokenHash);
  return s ? { user: s.user, csrf: s.csrf, tokenHash } : null;
}

/** Check a password; returns the user or null (same work whether or not the name exists). */
export async function authenticate(store: ReviewStore, name: string, password: string): Promise<ReviewUser | null> {
  const rec = await store.passwordHash(name);
  const ok = await verifyPassword(password, rec?.hash ?? DUMMY_HASH);
  if (!rec || !ok || rec.user.disabled) return null;
  return rec.user;
}

export async function startSession(store: ReviewStore, user: ReviewUser, now: Date): Promise<{ token: string; maxAge: number }> {
  const t = token();
  await store.createSession({ tokenHash: sha256(t), userId: user.id, csrf: token(), expiresAt: new Date(now.getTime() + SESSION_HOURS * 3600_000).toISOString() });
  return { token: t, maxAge: SESSION_HOURS * 3600 };
}
