import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Ctx, Decision } from '../core/types.js';
import { STRICTNESS } from '../policy/effective.js';
import type { ChatRequest } from './openai.js';
import type { Caller, GatewayState } from './state.js';

/**
 * Checks that plug into the chat route without touching it (issue 18: grounding, scope): each
 * may decide on the request before it is forwarded and on the whole answer after it, add response
 * headers, and put a record in the audit detail (`detail.checks.<name>`). A blocking decision
 * (deflect, refuse) replaces the request's or the answer's; anything else only annotates.
 */

export interface ChatExchange {
  caller: Caller;
  body: ChatRequest;
  headers: IncomingHttpHeaders;
  ctx: Ctx;
}

export interface ExtensionResult {
  /** A blocking decision replaces the request's (input) or the answer (output). */
  decision?: Decision | null;
  headers?: Record<string, string>;
  audit?: Record<string, unknown>;
}

export interface GatewayExtension {
  readonly name: string;
  input?(x: ChatExchange): Promise<ExtensionResult | null>;
  /** `streamed`: the answer already went out (only headers of later requests and the audit can say anything). */
  output?(x: ChatExchange, answer: string, streamed: boolean): Promise<ExtensionResult | null>;
  /** A streamed request whose answer this check may replace: fetched whole and replayed as a stream. */
  wantsWhole?(x: ChatExchange): boolean;
}

export interface ExtensionRun {
  /** Audit records by extension name. */
  readonly audit: Record<string, unknown>;
  /** The request's decision after the extensions' input checks (the stricter one wins). */
  input(d: Decision, res: ServerResponse): Promise<Decision>;
  /** A blocking decision on the answer, or null. `res` is null for a streamed answer (already sent). */
  output(answer: string, res: ServerResponse | null): Promise<Decision | null>;
  /** Some check may replace the answer: a streamed request is fetched whole. */
  wantsWhole(): boolean;
}

export function runExtensions(state: GatewayState, caller: Caller, body: ChatRequest, signal: AbortSignal): ExtensionRun | null {
  const exts = state.extensions;
  if (!exts || exts.length === 0) return null;
  const x: ChatExchange = { caller, body, headers: caller.headers ?? {}, ctx: { ...state.ctx, signal } };
  const audit: Record<string, unknown> = {};
  const apply = (name: string, r: ExtensionResult | null, res: ServerResponse | null): Decision | null => {
    if (!r) return null;
    if (r.audit) audit[name] = { ...((audit[name] as object | undefined) ?? {}), ...r.audit };
    if (r.headers && res && !res.headersSent) for (const [k, v] of Object.entries(r.headers)) res.setHeader(k, v);
    return r.decision ?? null;
  };
  return {
    audit,
    wantsWhole: () => exts.some((e) => e.wantsWhole?.(x) === true),
    async input(d, res) {
      let out = d;
      for (const e of exts) {
        if (!e.input) continue;
        const r = apply(e.name, await e.input(x), res);
        if (r && STRICTNESS[r.action] > STRICTNESS[out.action]) out = r;
      }
      return out;
    },
    async output(answer, res) {
      let out: Decision | null = null;
      for (const e of exts) {
        if (!e.output) continue;
        const r = apply(e.name, await e.output(x, answer, res === null), res);
        if (r && (r.action === 'refuse' || r.action === 'deflect') && (!out || STRICTNESS[r.action] > STRICTNESS[out.action])) out = r;
      }
      return res === null ? null : out;
    },
  };
}
