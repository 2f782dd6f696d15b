import { silentLogger } from '../core/context.js';
import type { Decision, Guard } from '../core/types.js';

/**
 * What the integrations call to decide on a text: a Pillars gateway over HTTP (`POST /v1/guard`,
 * the same decision `pillars guard classify --json` prints) or a guard in this process.
 */

export interface GuardRequest {
  text: string;
  /** `input`: the user's words; `output`: the model's. */
  role: 'input' | 'output';
}

export type GuardFn = (req: GuardRequest, signal?: AbortSignal) => Promise<Decision>;

/** Actions that stop the text (the rest, allow and redact, let it through). */
export const isBlockingAction = (d: Decision): boolean => d.action === 'refuse' || d.action === 'deflect';

/** The text a caller sees instead of a stopped one. */
export function blockedText(d: Decision): string {
  const msg = d.message?.trim() || (d.action === 'deflect' ? 'I can only help with this topic at a general level.' : 'I can’t help with that request.');
  return d.policy && !msg.includes(d.policy) ? `${msg} (policy: ${d.policy})` : msg;
}

export class PillarsGuardError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'PillarsGuardError';
  }
}

export interface GatewayGuardOptions {
  /** The gateway's base URL, e.g. http://127.0.0.1:8787 (with or without /v1). */
  baseUrl: string;
  /** A Pillars API key (sent as a bearer token; never logged). */
  apiKey?: string;
  /** A declared context (`x-pillars-context`). */
  context?: string;
  timeoutMs?: number;
}

/** A guard that asks a Pillars gateway (`POST /v1/guard`). */
export function gatewayGuard(opts: GatewayGuardOptions): GuardFn {
  const url = `${opts.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '')}/v1/guard`;
  return async (req, signal) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
    if (opts.context) headers['x-pillars-context'] = opts.context;
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? 10_000);
    const r = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ text: req.text, role: req.role }), signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    const body = await r.text();
    if (!r.ok) {
      let msg = body.slice(0, 300);
      try {
        msg = (JSON.parse(body) as { error?: { message?: string } }).error?.message ?? msg;
      } catch {
        // not JSON: the raw text
      }
      throw new PillarsGuardError(`the Pillars gateway answered ${r.status}: ${msg}`, r.status);
    }
    return JSON.parse(body) as Decision;
  };
}

/** A guard object of this process (`createGuard(...)`) as a GuardFn. */
export function localGuard(guard: Guard, caller: { tier: string; context?: string } = { tier: 'public' }): GuardFn {
  return (req, signal) => guard.check({ text: req.text, role: req.role, caller }, { signal: signal ?? new AbortController().signal, log: silentLogger, runId: 'integration' });
}
