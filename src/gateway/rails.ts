import type { IncomingMessage, ServerResponse } from 'node:http';
import { createTracing, SpanKind, type Context, type Span, type Tracing } from '../core/trace.js';
import type { PillarId } from '../core/pillars.js';
import type { Decision } from '../core/types.js';
import { STRICTNESS } from '../policy/effective.js';
import type { PolicyPack } from '../policy/schema.js';
import type { ApprovalStore } from '../store/approvals.js';
import type { Awaitable } from '../core/maybe.js';
import type { SharedRedis } from './redis.js';
import { argsText } from './args-text.js';
import { decideText, isBlocking } from './checks.js';
import type { CompletionVerdict } from './completion.js';
import type { GatewayConfig } from './config.js';
import { createEscalationTracker, escalationDecision, redisConversations, type EscalationTracker, type Trajectory } from './escalation.js';
import { HttpError } from './http.js';
import { messageText } from './input-channels.js';
import type { InputVerdict } from './input-check.js';
import { stripInvisible } from './invisible.js';
import { identifyLanguage } from './language.js';
import { chunk, DONE, newId, type ChatMessage, type ChatRequest } from './openai.js';
import { blockChoices, contentOf, type UpChoice } from './output-channels.js';
import { formatOf, formatProblem } from './response-format.js';
import { shadowApplies, shadowed, type ShadowNote } from './shadow.js';
import { refusalText, type Caller, type GatewayState } from './state.js';
import { awaitApproval, createToolPolicy, toolCalls, type ToolPolicy } from './tools-policy.js';
import { checkUrls } from './urls.js';

/**
 * The runtime guardrails around the guard's own checks (issue 18, part A), in one place so the
 * request path calls them at three points: `beginRequest` (trace context, latency budget,
 * response headers), `railsInput` (invisible Unicode, hidden text, language, conversation
 * escalation) and `railsOutput` (tool rules and approvals, tool-argument injection, URLs,
 * response format, answer language). Every decision, the guard's included, passes
 * `observeDecision`: shadow mode, a trace span, timing.
 */

export interface Rails {
  tools: ToolPolicy | null;
  escalation: EscalationTracker | null;
  tracing: Tracing;
  pack: PolicyPack | null;
  approvals: Awaitable<ApprovalStore> | null;
}

/** What the rails learn about one request (kept on its Caller). */
export interface RequestRails {
  span: Span;
  ctx: Context;
  /** performance.now() by which guard work must be done (the latency budget header), or null. */
  deadline: number | null;
  shadow: ShadowNote[];
  flags: string[];
  /** Wall time of guard work per direction: first start, last end (performance.now()). */
  timing: { input?: [number, number]; output?: [number, number] };
  hidden: string;
  language: string | null;
  trajectory: Trajectory | null;
  /** The conversation id header (escalation), validated. */
  conversation: string | null;
  approvals: { id: string; tool: string; status: string }[];
  /** The input check is done: output-role texts decided from now on are the answer (URL checks apply). */
  answering: boolean;
  /** The chat request (after `railsPrepare`), its abort signal, and whether a streamed one is fetched whole. */
  body: ChatRequest | null;
  signal: AbortSignal | null;
  whole: boolean;
}

export const BUDGET_HEADER = 'x-pillars-latency-budget-ms';

export function createRails(cfg: GatewayConfig, opts: { pack?: PolicyPack; approvals?: Awaitable<ApprovalStore> | null; redis?: SharedRedis | null; tracing?: Tracing; now?: () => Date }): Rails {
  const hasRules = Object.keys(cfg.tools.byTier).length > 0 || Object.keys(cfg.tools.byKey).length > 0;
  const headers: Record<string, string> = {};
  for (const [h, env] of Object.entries(cfg.trace.headersEnv)) if (process.env[env]) headers[h] = process.env[env]!;
  return {
    tools: hasRules ? createToolPolicy(cfg.tools) : null,
    escalation: cfg.escalation.enabled ? createEscalationTracker(cfg.escalation, opts.pack ?? null, opts.redis ? redisConversations(cfg.escalation, opts.redis) : undefined) : null,
    tracing: opts.tracing ?? createTracing({ endpoint: cfg.trace.endpoint, serviceName: cfg.trace.serviceName, headers }),
    pack: opts.pack ?? null,
    approvals: opts.approvals ?? null,
  };
}

const round = (ms: number): number => Math.round(ms * 100) / 100;

/** Start a request's rails: its span (child of the caller's W3C context), its budget, its response headers. */
export function beginRequest(state: GatewayState, req: IncomingMessage, res: ServerResponse, route: string, caller: Caller): RequestRails {
  const raw = req.headers[BUDGET_HEADER];
  let deadline: number | null = null;
  if (raw !== undefined) {
    const ms = Number(raw);
    if (typeof raw !== 'string' || !/^\d+(\.\d+)?$/.test(raw.trim()) || !(ms > 0) || ms > 600_000) {
      throw new HttpError(400, `${BUDGET_HEADER} must be a number of milliseconds between 1 and 600000`, 'invalid_request_error', 'invalid_latency_budget');
    }
    deadline = caller.t0 + ms;
  }
  const conversation = conversationHeader(state, req);
  const tracing = state.rails.tracing;
  const parent = tracing.extract(req.headers);
  const span = tracing.start('pillars.gateway.request', { 'http.route': route, 'pillars.request_id': caller.requestId, 'pillars.tier': caller.tier }, parent, { kind: SpanKind.SERVER });
  const rr: RequestRails = { span, ctx: tracing.withSpan(parent, span), deadline, shadow: [], flags: [], timing: {}, hidden: '', language: null, trajectory: null, conversation, approvals: [], answering: false, body: null, signal: null, whole: false };
  const writeHead = res.writeHead.bind(res) as (...a: unknown[]) => ServerResponse;
  (res as unknown as { writeHead: (...a: unknown[]) => ServerResponse }).writeHead = (...a: unknown[]) => {
    if (!res.headersSent) annotate(res, rr, tracing);
    return writeHead(...a);
  };
  res.once('close', () => {
    span.setAttribute('pillars.action', String(res.getHeader('x-pillars-decision') ?? 'allow'));
    const policy = res.getHeader('x-pillars-policy');
    if (policy) span.setAttribute('pillars.policy', String(policy));
    span.setAttribute('http.status_code', res.statusCode);
    if (rr.shadow.length) span.setAttribute('pillars.shadow', rr.shadow.map((s) => s.action).join(','));
    span.end();
  });
  return rr;
}

/** The rails' response headers: guard timing, shadow decisions, flags, trajectory, approvals, trace id. */
function annotate(res: ServerResponse, rr: RequestRails, tracing: Tracing): void {
  const timing: string[] = [];
  let total = 0;
  for (const dir of ['input', 'output'] as const) {
    const t = rr.timing[dir];
    if (!t) continue;
    const ms = t[1] - t[0];
    total += ms;
    timing.push(`guard-${dir};dur=${round(ms)}`);
  }
  if (timing.length) {
    res.setHeader('server-timing', timing.join(', '));
    res.setHeader('x-pillars-guard-ms', String(round(total)));
  }
  if (rr.shadow.length) {
    const worst = rr.shadow.reduce((a, b) => (STRICTNESS[b.action] > STRICTNESS[a.action] ? b : a));
    res.setHeader('x-pillars-shadow-decision', worst.action);
    res.setHeader('x-pillars-shadow-policy', [...new Set(rr.shadow.map((s) => s.policy ?? 'gateway'))].join(', '));
  }
  if (rr.flags.length) res.setHeader('x-pillars-flags', [...new Set(rr.flags)].join(', '));
  if (rr.trajectory) res.setHeader('x-pillars-trajectory', `${rr.trajectory.score}; step=${rr.trajectory.step}; conversation=${rr.trajectory.conversation}`);
  if (rr.approvals.length) res.setHeader('x-pillars-approval', rr.approvals.map((a) => `${a.id}=${a.status}`).join(', '));
  if (tracing.enabled) res.setHeader('x-pillars-trace-id', rr.span.spanContext().traceId);
}

/** The guard's decision within the request's latency budget: past it, fail closed (or open) like a guard error. */
export async function withinBudget(state: GatewayState, caller: Caller, p: Promise<Decision>): Promise<Decision> {
  const deadline = caller.rails?.deadline ?? null;
  if (deadline === null) return p;
  const left = deadline - performance.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Decision>((resolve) => {
    timer = setTimeout(
      () => {
        caller.rails!.flags.push('latency-budget-exceeded');
        const base = { policy: null, pillar: null, topic: null, level: null, score: 0, stage: 'embedded' as const };
        resolve(
          state.cfg.failClosed
            ? { ...base, action: 'refuse', reasons: [`the guard did not decide within the request's latency budget (${BUDGET_HEADER})`, 'failClosed: refused'], message: 'The safety guard could not check this request within its latency budget, so the gateway refused it.' }
            : { ...base, action: 'allow', reasons: [`the guard did not decide within the request's latency budget (${BUDGET_HEADER})`, 'failClosed is off: forwarded unchecked'] },
        );
      },
      Math.max(0, left),
    );
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/**
 * Every decision passes here: the shadow rule (a blocking decision of a shadowed policy, key or
 * tier becomes an allow that says so), a trace span with its attributes, the guard timing.
 */
export function observeDecision(state: GatewayState, caller: Caller, check: string, role: 'input' | 'output', d: Decision, t0: number): Decision {
  const rr = caller.rails;
  const t1 = performance.now();
  let out = d;
  let shadow = false;
  if (rr) {
    const cur = rr.timing[role];
    rr.timing[role] = cur ? [Math.min(cur[0], t0), Math.max(cur[1], t1)] : [t0, t1];
    if (isBlocking(d) && shadowApplies(state.cfg.shadow, caller, d.policy)) {
      rr.shadow.push({ action: d.action, policy: d.policy, level: d.level, check, reason: d.reasons[0] ?? '' });
      out = shadowed(d);
      shadow = true;
    }
  }
  const tracing = state.rails.tracing;
  if (tracing.enabled) {
    const attrs: Record<string, string | number | boolean> = {
      'pillars.check': check,
      'pillars.role': role,
      'pillars.action': d.action,
      'pillars.stage': d.stage,
      'pillars.duration_ms': round(t1 - t0),
      'pillars.request_id': caller.requestId,
      'pillars.shadow': shadow,
    };
    if (d.policy) attrs['pillars.policy'] = d.policy;
    if (typeof d.level === 'number') attrs['pillars.level'] = d.level;
    const span = tracing.start('pillars.decision', attrs, rr?.ctx, { startTime: performance.timeOrigin + t0 });
    span.end(performance.timeOrigin + t1);
  }
  return out;
}

/**
 * URLs in the answer (every channel, tool-call arguments' values included, and every streamed
 * window: this runs where the guard's output decisions are made): markdown images that can carry
 * data out, links off the allow-list. The stricter of the guard's decision and this one.
 */
export function answerUrls(state: GatewayState, caller: Caller, text: string, d: Decision): Decision {
  const rr = caller.rails;
  const urls = state.cfg.checks.urls;
  if (!rr?.answering || (urls.images === 'allow' && urls.allow.length === 0)) return d;
  const t0 = performance.now();
  let out = d;
  for (const f of checkUrls(text, { allow: urls.allow, images: urls.images })) {
    rr.flags.push(f.kind === 'domain' ? `url:${f.host}` : 'image-exfiltration');
    if (f.kind === 'domain' && urls.action !== 'refuse') continue;
    const why = f.kind === 'image-exfiltration' ? `a markdown image whose URL can carry data out (${f.host || f.url.slice(0, 40)})` : `a link to ${f.host}, not on gateway.checks.urls.allow`;
    out = stricter(out, observeDecision(state, caller, 'urls', 'output', railDecision('refuse', 'gateway.urls', 'privacy_security', [why], 'The answer contained a link the gateway does not let through.'), t0));
  }
  return out;
}

/** A decision of the rails themselves (not the guard's). */
function railDecision(action: Decision['action'], policy: string, pillar: PillarId, reasons: string[], message: string): Decision {
  return { action, policy, pillar, topic: policy.split('.')[1] ?? null, level: null, score: 1, stage: 'embedded', reasons, message };
}

const stricter = (a: Decision | null, b: Decision): Decision => (a === null || STRICTNESS[b.action] > STRICTNESS[a.action] ? b : a);

/**
 * Before the input check: invisible characters stripped from every message's text (the model and
 * the guard see the visible text; what tag characters spelled is kept to be decided on its own).
 */
export function railsPrepare(state: GatewayState, caller: Caller, body: ChatRequest): ChatRequest {
  const mode = state.cfg.checks.invisible;
  if (mode === 'off') return body;
  let count = 0;
  let hidden = '';
  const fix = (t: string): string => {
    const r = stripInvisible(t);
    if (!r.found) return t;
    count += r.found.count;
    hidden += r.found.hidden;
    return mode === 'strip' ? r.text : t;
  };
  const messages = body.messages.map((m) => {
    let changed = false;
    let content = m.content as unknown;
    if (typeof content === 'string') {
      const t = fix(content);
      if (t !== content) {
        content = t;
        changed = true;
      }
    } else if (Array.isArray(content)) {
      const before = content as Record<string, unknown>[];
      const parts = before.map((p) => {
        if (typeof p?.text !== 'string') return p;
        const t = fix(p.text);
        return t === p.text ? p : { ...p, text: t };
      });
      if (parts.some((p, i) => p !== before[i])) {
        content = parts;
        changed = true;
      }
    }
    return changed ? ({ ...m, content } as ChatMessage) : m;
  });
  if (count === 0) return body;
  const rr = caller.rails;
  if (rr) {
    rr.flags.push(`invisible-unicode:${count}`);
    rr.hidden = hidden;
  }
  return mode === 'strip' ? { ...body, messages } : body;
}

/** After the input check: hidden text, language, conversation escalation. The decision that stands. */
export async function railsInput(state: GatewayState, caller: Caller, body: ChatRequest, verdict: InputVerdict, decide: (text: string, role: 'input' | 'output') => Promise<Decision>): Promise<Decision> {
  const rr = caller.rails;
  let d = verdict.final;
  if (!rr) return d;
  if (rr.hidden.trim() !== '') {
    const h = await decide(rr.hidden, 'input');
    if (isBlocking(h) && STRICTNESS[h.action] > STRICTNESS[d.action]) d = { ...h, reasons: ['decided on text hidden in Unicode tag characters', ...h.reasons] };
  }
  const userTurns = body.messages.filter((m) => m.role === 'user').map((m) => messageText(m, state.cfg.input));
  const langs = state.cfg.checks.languages;
  const last = userTurns.at(-1) ?? '';
  const t0 = performance.now();
  const guess = identifyLanguage(last, langs.minChars);
  if (guess.lang !== 'und') rr.language = guess.lang;
  if (langs.allow.length > 0 && guess.lang !== 'und' && !langs.allow.includes(guess.lang)) {
    rr.flags.push(`language:${guess.lang}`);
    if (langs.action !== 'annotate') {
      const l = railDecision(langs.action, 'gateway.language', 'controllability', [`the request is in ${guess.lang} (confidence ${round(guess.confidence)}); gateway.checks.languages.allow: ${langs.allow.join(', ')}`], `This assistant answers in ${langs.allow.join(', ')} only.`);
      d = stricter(d, observeDecision(state, caller, 'language', 'input', l, t0));
    }
  }
  const tracker = state.rails.escalation;
  if (tracker) {
    const t1 = performance.now();
    const t = await tracker.observe({ bucket: caller.bucket, conversationId: rr.conversation, userTurns, decision: verdict.final, tier: caller.tier, context: caller.context });
    rr.trajectory = t;
    if (t.crossed && !isBlocking(d)) d = observeDecision(state, caller, 'escalation', 'input', escalationDecision(t, verdict.final, state.rails.pack), t1);
  }
  return d;
}

/** Read (and validate) the conversation header. */
function conversationHeader(state: GatewayState, req: IncomingMessage): string | null {
  if (!state.cfg.escalation.enabled) return null;
  const v = req.headers[state.cfg.escalation.header.toLowerCase()];
  if (v === undefined) return null;
  if (typeof v !== 'string' || !/^[\w.:-]{1,128}$/.test(v)) throw new HttpError(400, `${state.cfg.escalation.header} must be a conversation id (letters, digits, . _ : -; at most 128)`, 'invalid_request_error', 'invalid_conversation');
  return v;
}

/** Streamed requests whose answer must be checked whole (tool rules, a response format): fetched whole, replayed as a stream. */
export function needsWhole(state: GatewayState, caller: Caller, body: ChatRequest): boolean {
  const b = body as Record<string, unknown>;
  if (state.rails.tools?.applies(caller) && (Array.isArray(b.tools) || Array.isArray(b.functions))) return true;
  return state.cfg.checks.responseFormat === 'refuse' && formatOf(b) !== null;
}

/**
 * After the output check of a whole answer: invisible characters, tool rules (refuse, hold for
 * approval), tool-argument injection, URLs, the response format, the answer's language. Returns
 * the strictest blocking decision (the caller replaces the answer), or null.
 */
export async function railsOutput(
  state: GatewayState,
  caller: Caller,
  body: ChatRequest,
  data: { choices?: UpChoice[] },
  decide: (text: string, role: 'input' | 'output', json: boolean) => Promise<Decision>,
  signal: AbortSignal,
): Promise<Decision | null> {
  const rr = caller.rails;
  const choices = Array.isArray(data.choices) ? data.choices : [];
  if (!rr || choices.length === 0) return null;
  const checks = state.cfg.checks;
  let block: Decision | null = null;

  if (checks.invisible !== 'off') {
    let count = 0;
    const fix = (t: string): string => {
      const r = stripInvisible(t);
      if (!r.found) return t;
      count += r.found.count;
      return checks.invisible === 'strip' ? r.text : t;
    };
    for (const c of choices) {
      const m = c.message;
      if (!m) continue;
      if (typeof m.content === 'string') m.content = fix(m.content);
      else if (Array.isArray(m.content)) m.content = m.content.map((p: Record<string, unknown>) => (typeof p?.text === 'string' ? { ...p, text: fix(p.text) } : p));
      for (const t of Array.isArray(m.tool_calls) ? m.tool_calls : []) if (typeof t?.function?.arguments === 'string') t.function.arguments = fix(t.function.arguments);
    }
    if (count > 0) rr.flags.push(`invisible-unicode-output:${count}`);
  }

  // Tools: rules first, then the arguments read as input (instruction injection); approvals last,
  // so nobody is asked about a call that is refused anyway.
  const policy = state.rails.tools;
  const held: { call: ReturnType<typeof toolCalls>[number]; reason: string }[] = [];
  if (policy?.applies(caller)) {
    for (const call of toolCalls(choices)) {
      const t0 = performance.now();
      const r = policy.rule(caller, call);
      if (r.action === 'refuse') {
        block = stricter(block, observeDecision(state, caller, 'tools', 'output', railDecision('refuse', 'gateway.tools', 'controllability', [`${call.where}: ${r.reason}`], `The assistant tried to use the tool "${call.name}", which this deployment does not allow.`), t0));
        continue;
      }
      if (state.cfg.tools.injection && call.arguments.trim() !== '') {
        const text = argsText(call.arguments);
        if (text.trim() !== '') {
          const d = await decide(text, 'input', true);
          if (isBlocking(d)) {
            block = stricter(block, { ...d, reasons: [`${call.where}: tool-call arguments read as input`, ...d.reasons] });
            continue;
          }
        }
      }
      if (r.action === 'approve') held.push({ call, reason: r.reason });
    }
  }

  const spec = checks.responseFormat !== 'off' ? formatOf(body as Record<string, unknown>) : null;
  if (spec) {
    const t0 = performance.now();
    for (const c of choices) {
      const m = c.message;
      if (!m || (Array.isArray(m.tool_calls) && m.tool_calls.length > 0 && !contentOf(m.content))) continue;
      const problem = formatProblem(contentOf(m.content), spec);
      if (!problem) continue;
      rr.flags.push('format-invalid');
      if (checks.responseFormat === 'refuse') block = stricter(block, observeDecision(state, caller, 'format', 'output', railDecision('refuse', 'gateway.format', 'veracity_robustness', [problem], 'The model’s answer did not match the requested format.'), t0));
      break;
    }
  }

  const langs = checks.languages;
  if (langs.allow.length > 0 || rr.language) {
    const t0 = performance.now();
    const text = choices.map((c) => contentOf(c.message?.content)).join('\n');
    const g = identifyLanguage(text, langs.minChars);
    if (g.lang !== 'und') {
      if (rr.language && g.lang !== rr.language) rr.flags.push(`language-mismatch:${rr.language}->${g.lang}`);
      if (langs.allow.length > 0 && !langs.allow.includes(g.lang) && langs.action !== 'annotate') {
        block = stricter(block, observeDecision(state, caller, 'language', 'output', railDecision(langs.action, 'gateway.language', 'controllability', [`the answer is in ${g.lang}; gateway.checks.languages.allow: ${langs.allow.join(', ')}`], `This assistant answers in ${langs.allow.join(', ')} only.`), t0));
      }
    }
  }

  if (block && isBlocking(block)) return block;
  // Held calls: each waits for a reviewer; any not approved refuses the answer.
  for (const h of held) {
    const t0 = performance.now();
    if (!state.rails.approvals) {
      block = stricter(block, observeDecision(state, caller, 'tools', 'output', railDecision('refuse', 'gateway.tools', 'controllability', [`${h.reason}; the gateway has no store to hold it for approval`], `The tool call "${h.call.name}" needs a reviewer's approval, which this gateway cannot ask for.`), t0));
      continue;
    }
    const { redact, timeoutMs, pollMs } = state.cfg.tools.approval;
    const args = redact && state.redact ? state.redact(h.call.arguments).text : h.call.arguments;
    const a = await awaitApproval(state.rails.approvals, { requestId: caller.requestId, keyId: caller.keyId, tier: caller.tier, tool: h.call.name, arguments: args, reason: h.reason }, { timeoutMs, pollMs, signal });
    rr.approvals.push({ id: a.id, tool: a.tool, status: a.status });
    if (a.status !== 'approved') {
      const d = railDecision('refuse', 'gateway.tools', 'controllability', [`${h.call.where}: ${h.reason}; held as ${a.id}: ${a.status}${a.reviewer ? ` by ${a.reviewer}` : ''}`], `The tool call "${h.call.name}" was not approved (${a.status}).`);
      block = stricter(block, observeDecision(state, caller, 'tools', 'output', d, t0));
    }
  }
  return block && isBlocking(block) ? block : null;
}

/** The rails' part of the audit record. */
export function railsAudit(caller: Caller): Record<string, unknown> {
  const rr = caller.rails;
  if (!rr) return {};
  const out: Record<string, unknown> = {};
  if (rr.shadow.length) out.shadow = rr.shadow;
  if (rr.flags.length) out.railFlags = [...new Set(rr.flags)];
  if (rr.trajectory) out.trajectory = rr.trajectory;
  if (rr.approvals.length) out.approvals = rr.approvals;
  const g: Record<string, number> = {};
  for (const dir of ['input', 'output'] as const) if (rr.timing[dir]) g[dir] = round(rr.timing[dir]![1] - rr.timing[dir]![0]);
  if (Object.keys(g).length) out.guardMs = g;
  return out;
}

/** A whole completion sent as a stream (a streamed request whose answer had to be checked whole). */
export function replayAsStream(res: ServerResponse, data: { id?: unknown; model?: unknown; choices?: UpChoice[] }): void {
  const id = typeof data.id === 'string' ? data.id : newId('chatcmpl-pillars-');
  const model = typeof data.model === 'string' ? data.model : 'default';
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const [n, c] of (data.choices ?? []).entries()) {
    const m = c.message ?? {};
    const index = typeof c.index === 'number' ? c.index : n;
    const delta: Record<string, unknown> = { role: 'assistant' };
    const content = contentOf(m.content);
    if (content) delta.content = content;
    if (typeof m.refusal === 'string') delta.refusal = m.refusal;
    if (Array.isArray(m.tool_calls)) delta.tool_calls = m.tool_calls.map((t, k) => ({ index: k, ...t }));
    if (m.function_call) delta.function_call = m.function_call;
    const withIndex = (s: string): string => s.replace('"index":0,', `"index":${index},`);
    res.write(withIndex(chunk(id, model, delta, null)));
    res.write(withIndex(chunk(id, model, {}, c.finish_reason ?? 'stop')));
  }
  res.end(DONE);
}

/**
 * The chat route's entry to the rails: strip invisible text, decide on the request's rails after
 * the input check (`then`), and say whether a streamed request is fetched whole.
 */
export function railsChat(state: GatewayState, caller: Caller, body: ChatRequest, signal: AbortSignal): ChatRequest {
  const b = railsPrepare(state, caller, body);
  if (caller.rails) Object.assign(caller.rails, { body: b, signal, whole: b.stream === true && needsWhole(state, caller, b) });
  return b;
}

/** `railsInput` with the gateway's own text decisions. */
export function railsAfterInput(state: GatewayState, caller: Caller, body: ChatRequest, verdict: InputVerdict): Promise<Decision> {
  if (caller.rails) caller.rails.answering = true;
  return railsInput(state, caller, body, verdict, (text, role) => decideText(state, caller, { text, role }));
}

/** The rails on a whole answer, after the guard's output check: a blocking rail replaces every choice. */
export async function railsCompletion(state: GatewayState, caller: Caller, data: { choices?: UpChoice[] }, v: CompletionVerdict): Promise<void> {
  const rr = caller.rails;
  if (!rr?.body || (v.output && isBlocking(v.output))) return;
  const block = await railsOutput(state, caller, rr.body, data, (text, role, json) => decideText(state, caller, { text, role, kind: json ? 'json' : 'prose' }), rr.signal ?? new AbortController().signal);
  const choices = Array.isArray(data.choices) ? data.choices : [];
  if (block) {
    blockChoices(choices, refusalText(block));
    v.output = block;
  }
  v.response = choices.map((c) => contentOf(c.message?.content)).join('\n\n');
}
