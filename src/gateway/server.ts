import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { silentLogger } from '../core/context.js';
import type { Decision, Guard, Logger, PiiSpan } from '../core/types.js';
import type { PolicyPack } from '../policy/schema.js';
import type { Db } from '../store/db.js';
import { auditAnchor, createAuditLog, type AuditLog } from './audit.js';
import { auditRefused, handleChat } from './chat.js';
import { createCpuSlicer } from './cpu-slicer.js';
import { createReadiness, type ReadinessProbe } from './health.js';
import { jsonTooDeep, MAX_JSON_DEPTH } from './json-depth.js';
import { createDecisionCache, decisionCacheGauges, decisionScope } from './decision-cache.js';
import { assertInputSize, checkInput } from './input-check.js';
import { GatewayConfig, type GatewayConfigInput } from './config.js';
import { HttpError, readBody, sendError, sendJson, setDecision } from './http.js';
import { sqliteGatewayBackend, type GatewayBackend } from './backend.js';
import type { ApiKeyRecord } from './keys.js';
import { createAnomalyDetector, createRateLimiter, createRedisAnomalyDetector, createRedisRateLimiter } from './limits.js';
import { connectSharedRedis } from './redis.js';
import { createMetrics, type GatewayMetrics } from './metrics.js';
import { messageText } from './input-channels.js';
import { ChatRequest } from './openai.js';
import { auditEntry, decisionSummary, guardCheck, sha256, type Caller, type GatewayState } from './state.js';
import { createUpstream } from './upstream.js';
import { beginRequest, createRails } from './rails.js';
import type { Tracing } from '../core/trace.js';
import type { GatewayExtension } from './extensions.js';
import { Aligner } from '../align/aligner.js';

/**
 * The guardrail gateway: an OpenAI-compatible proxy on node:http (no framework: the hot path is
 * one parse, two guard checks and one pooled upstream call). Every response carries
 * `x-pillars-decision` (and `x-pillars-policy` when a policy applied).
 */

export interface GatewayOptions {
  guard: Guard;
  config?: GatewayConfigInput;
  /** Overrides `config.upstream`. */
  upstream?: string;
  /** Upstream API key (from the environment; never logged or stored). */
  upstreamApiKey?: string;
  /** The store: API keys and the audit log. Without it every caller is `public` and nothing is audited. */
  db?: Db;
  /** The store on either backend (gateway/backend.ts); overrides `db`. PostgreSQL lets instances share keys and one audit chain. */
  backend?: GatewayBackend;
  /** The pack: adapters and tiers. */
  pack?: PolicyPack;
  /** PII redaction for the other user messages of a conversation (the guard redacts the checked one). */
  redact?: (text: string) => { text: string; spans: PiiSpan[] };
  log?: Logger;
  now?: () => Date;
  /** Traces (tests: an in-memory exporter); default: from `gateway.trace`, off unless an endpoint is set. */
  tracing?: Tracing;
  /** Checks plugged into the chat route (grounding, scope): see extensions.ts. */
  extensions?: readonly GatewayExtension[];
  /** A shared aligner (its OCR thread already warm); default: one of `gateway.align`, closed with the gateway. */
  aligner?: Aligner;
}

export interface Gateway {
  readonly server: Server;
  readonly metrics: GatewayMetrics;
  readonly audit: AuditLog | null;
  listen(opts?: { port?: number; host?: string }): Promise<{ url: string; port: number; host: string }>;
  /** Stop accepting, finish in-flight requests (bounded), flush the audit queue, close the upstream pool. */
  close(): Promise<void>;
}

const CONTEXT_RE = /^[A-Za-z0-9_.-]{1,64}$/;

export function createGateway(opts: GatewayOptions): Gateway {
  const cfg = GatewayConfig.parse(opts.config ?? {});
  const log = opts.log ?? silentLogger;
  const upstreamUrl = opts.upstream ?? cfg.upstream;
  const metrics = createMetrics();
  const backend = opts.backend ?? (opts.db ? sqliteGatewayBackend(opts.db, { now: opts.now }) : null);
  const audit = backend
    ? createAuditLog(backend.db ?? backend.audit, { flushMs: cfg.audit.flushMs, batchSize: cfg.audit.batchSize, log, anchor: auditAnchor(backend.db, cfg.audit.anchor) })
    : null;
  const trusted = cfg.trustedTiers ? new Set(cfg.trustedTiers) : null;
  const adapters = new Map<string, { policy: string; context: string; tiers: string[] }>();
  for (const p of opts.pack?.policies ?? []) {
    for (const ex of p.exceptions) {
      if (!ex.adapter) continue;
      // One adapter may serve several exceptions: remember every policy, context and tier that reaches it.
      const a = adapters.get(ex.adapter);
      if (!a) adapters.set(ex.adapter, { policy: p.id, context: ex.context, tiers: [...ex.tiers] });
      else {
        if (!a.policy.split(', ').includes(p.id)) a.policy += `, ${p.id}`;
        if (!a.context.split(', ').includes(ex.context)) a.context += `, ${ex.context}`;
        for (const t of ex.tiers) if (!a.tiers.includes(t)) a.tiers.push(t);
      }
    }
  }
  // Heavy monitoring includes a per-key rate limit: trusted tiers without one get the default.
  const isTrusted = (tier: string): boolean => (trusted ? trusted.has(tier) : tier !== 'public');
  const rateLimits = { ...cfg.rateLimits };
  if (cfg.trustedRateLimit) for (const t of opts.pack?.tiers ?? []) if (isTrusted(t) && !rateLimits[t]) rateLimits[t] = cfg.trustedRateLimit;
  const shutdown = new AbortController();
  // Shared by instances (gateway.redis): rate limits, conversation escalation and anomaly windows.
  const redis = cfg.redis ? connectSharedRedis(cfg.redis, { log }) : null;
  const state: GatewayState = {
    cfg,
    guard: opts.guard,
    upstream: upstreamUrl ? createUpstream({ url: upstreamUrl, apiKey: opts.upstreamApiKey, timeoutMs: cfg.timeouts.upstreamMs }) : null,
    keys: backend?.keys ?? null,
    audit,
    metrics,
    limiter: redis ? createRedisRateLimiter(rateLimits, { redis }) : createRateLimiter(rateLimits),
    anomaly: redis ? createRedisAnomalyDetector(cfg.anomaly, { redis }) : createAnomalyDetector(cfg.anomaly),
    isTrusted,
    adapters,
    contexts: opts.pack ? new Set([...(opts.pack.contexts ?? []).map((c) => c.id), ...opts.pack.policies.flatMap((p) => p.exceptions.map((e) => e.context))]) : null,
    redact: opts.redact,
    log,
    ctx: { signal: shutdown.signal, log },
    now: opts.now ?? (() => new Date()),
    decisions: createDecisionCache({ max: cfg.decisionCache, scope: () => decisionScope(opts.guard, opts.pack) }),
    slicer: createCpuSlicer({ sliceMs: cfg.guardSliceMs }),
    bodies: { held: 0 },
    idPrefix: `${randomBytes(6).toString('hex')}_`,
    seq: 0,
    rails: createRails(cfg, { pack: opts.pack, approvals: backend?.approvals ?? null, redis, tracing: opts.tracing, now: opts.now }),
    extensions: opts.extensions,
    aligner: opts.aligner ?? new Aligner(cfg.align),
  };
  if (cfg.align.ocr.enabled && cfg.align.ocr.warm) state.aligner?.warm();

  // How long the event loop was held (health checks wait that long): exported in /metrics.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const readiness = createReadiness({ upstream: state.upstream, store: backend, audit, probeMs: cfg.health.probeMs, cacheMs: cfg.health.cacheMs });

  // Our own body timeout answers 408 in OpenAI's shape with the decision header; Node's request
  // timeout is only the backstop (for a client that never finishes its headers).
  const server = createServer({ requestTimeout: cfg.timeouts.requestMs + 5_000, keepAliveTimeout: 5_000 }, (req, res) => {
    const t0 = performance.now();
    const route = routeOf(req);
    res.setHeader('x-pillars-decision', 'allow');
    res.on('finish', () => {
      metrics.requestSeconds.observe({ route }, (performance.now() - t0) / 1000);
      metrics.requests.inc({ route, decision: String(res.getHeader('x-pillars-decision') ?? 'allow'), tier: String(res.getHeader('x-pillars-tier') ?? 'unknown') });
    });
    handle(state, { readiness, loopDelay }, req, res, route, t0).catch((e: unknown) => {
      const err = e instanceof HttpError ? e : new HttpError(500, 'internal gateway error', 'server_error', 'internal_error');
      if (!(e instanceof HttpError)) log.error({ err: (e as Error)?.message ?? String(e) }, 'unhandled gateway error');
      // Nothing was forwarded for a 4xx (403 set its own policy) or an internal error: say so.
      if (!(e instanceof HttpError) || (e.status < 500 && e.status !== 403)) setDecision(res, 'refuse');
      // Refused before its body was read (401, 429, ...): say the connection closes, so a client's
      // pool does not send its next request on a socket Node is about to close.
      if (!req.complete && !res.headersSent) res.setHeader('connection', 'close');
      sendError(res, err);
    });
  });
  // Requests Node rejects before our handler runs still get the decision header and an OpenAI error.
  server.on('clientError', (e: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return void socket.destroy();
    const [status, text, code, message] =
      e.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'headers_too_large', 'request headers are too large']
        : e.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout', 'request_timeout', 'the request did not arrive in time']
          : [400, 'Bad Request', 'bad_request', 'malformed HTTP request'];
    const body = JSON.stringify({ error: { message, type: 'invalid_request_error', code } });
    socket.end(`HTTP/1.1 ${status} ${text}\r\nx-pillars-decision: refuse\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
  });

  return {
    server,
    metrics,
    audit,
    listen({ port, host } = {}) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port ?? cfg.port, host ?? cfg.host, () => {
          server.off('error', reject);
          const a = server.address() as AddressInfo;
          const h = a.family === 'IPv6' ? `[${a.address}]` : a.address;
          resolve({ url: `http://${h}:${a.port}`, port: a.port, host: a.address });
        });
      });
    },
    async close() {
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), 5_000);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      shutdown.abort(new Error('gateway shutting down'));
      loopDelay.disable();
      await audit?.close();
      // Records that could not be written get a few more tries (a store locked for a moment);
      // what is still pending after that is the caller's to report (`audit.pending`, `audit.error`).
      for (let i = 0; audit && audit.pending > 0 && i < 10; i++) {
        await new Promise((r) => setTimeout(r, 100));
        await audit.flush();
      }
      await redis?.close();
      await state.upstream?.close();
      if (!opts.aligner) await state.aligner?.close();
      await state.rails.tracing.shutdown();
    },
  };
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function routeOf(req: IncomingMessage): string {
  const path = (req.url ?? '/').split('?')[0]!;
  switch (path) {
    case '/v1/chat/completions':
    case '/chat/completions':
      return 'chat';
    case '/v1/models':
    case '/models':
      return 'models';
    case '/v1/guard':
      return 'guard';
    case '/healthz':
      return 'healthz';
    case '/livez':
      return 'livez';
    case '/readyz':
      return 'readyz';
    case '/metrics':
      return 'metrics';
    default:
      return 'other';
  }
}

/** Resolve the caller from `Authorization` and `x-pillars-context`; 401 for an unknown or revoked key. */
async function resolveCaller(state: GatewayState, req: IncomingMessage, t0: number): Promise<Caller> {
  const requestId = `req_${state.idPrefix}${(state.seq++).toString(36)}`;
  const rawCtx = req.headers['x-pillars-context'];
  const ctxName = typeof rawCtx === 'string' && rawCtx.trim() !== '' ? rawCtx.trim() : null;
  if (ctxName !== null && !CONTEXT_RE.test(ctxName)) {
    throw new HttpError(400, 'x-pillars-context must be a context name (letters, digits, . _ -; at most 64)', 'invalid_request_error', 'invalid_context');
  }
  // A context the pack does not know can never unlock anything: say so rather than silently ignore a typo.
  if (ctxName !== null && state.contexts && !state.contexts.has(ctxName)) {
    throw new HttpError(400, `unknown context "${ctxName}" (the policy pack defines: ${[...state.contexts].join(', ') || 'none'})`, 'invalid_request_error', 'unknown_context');
  }
  const auth = req.headers.authorization;
  const addr = req.socket.remoteAddress ?? 'unknown';
  if (!auth) return { requestId, t0, tier: 'public', keyId: null, context: ctxName, bucket: `addr:${addr}`, headers: req.headers };
  const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
  const record = m && state.keys ? await lookupKey(state, m[1]!) : null;
  // Never echo the key: the message names neither it nor a prefix of it.
  if (!record) throw new HttpError(401, 'invalid or revoked API key', 'invalid_request_error', 'invalid_api_key');
  return { requestId, t0, tier: record.tier, keyId: record.id, context: ctxName, bucket: `key:${record.id}`, headers: req.headers };
}

/** The key's record; a store that does not answer is 503 (retry), never a 401 for a valid key. */
async function lookupKey(state: GatewayState, raw: string): Promise<ApiKeyRecord | null> {
  try {
    return await state.keys!.lookup(raw);
  } catch (e) {
    state.log.error({ err: (e as Error).message }, 'API key lookup failed: the store does not answer');
    throw new HttpError(503, 'the gateway cannot reach its store to check the API key; retry shortly', 'server_error', 'store_unavailable', { 'retry-after': '1' });
  }
}

async function handle(state: GatewayState, { readiness, loopDelay }: { readiness: ReadinessProbe; loopDelay: IntervalHistogram }, req: IncomingMessage, res: ServerResponse, route: string, t0: number): Promise<void> {
  const method = req.method ?? 'GET';
  if (route === 'livez' && method === 'GET') {
    // Liveness: the process answers. Nothing else is touched, so it stays cheap under any load.
    sendJson(res, 200, { status: 'ok' });
    return;
  }
  if ((route === 'readyz' || route === 'healthz') && method === 'GET') {
    // Readiness: the upstream answers (a cached probe), the store answers, audit records are written.
    const r = await readiness.check();
    sendJson(res, r.ready ? 200 : 503, { status: r.ready ? 'ok' : 'unready', upstream: state.upstream?.base ?? null, auditPending: state.audit?.pending ?? 0, checks: r.checks });
    return;
  }
  if (route === 'metrics' && method === 'GET') {
    const mem = process.memoryUsage();
    const text = state.metrics.render({
      pillars_gateway_audit_pending: { help: 'Audit records waiting to be written.', value: state.audit?.pending ?? 0 },
      pillars_gateway_audit_written_total: { help: 'Audit records written since start.', value: state.audit?.written ?? 0 },
      ...decisionCacheGauges(state.decisions.stats()),
      process_cpu_seconds_total: { help: 'CPU time (user + system) of this gateway process.', value: cpuSeconds() },
      process_resident_memory_bytes: { help: 'Resident memory of this gateway process.', value: mem.rss },
      nodejs_heap_used_bytes: { help: 'V8 heap in use.', value: mem.heapUsed },
      nodejs_heap_total_bytes: { help: 'V8 heap reserved.', value: mem.heapTotal },
      nodejs_external_memory_bytes: { help: 'Memory outside the V8 heap held by JavaScript objects (buffers).', value: mem.external },
      pillars_gateway_event_loop_delay_p99_seconds: { help: 'Event loop delay since start, 99th percentile (what a health check waits at worst, mostly).', value: loopDelay.percentile(99) / 1e9 },
      pillars_gateway_event_loop_delay_max_seconds: { help: 'Longest event loop delay since start.', value: loopDelay.max / 1e9 },
    });
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(text);
    return;
  }
  const caller = await resolveCaller(state, req, t0);
  res.setHeader('x-pillars-request-id', caller.requestId);
  res.setHeader('x-pillars-tier', caller.tier);
  caller.rails = beginRequest(state, req, res, route, caller);
  // No decision without its audit record: while records cannot be written, nothing is decided.
  if (state.audit?.error && state.cfg.audit.onFailure === 'reject' && (route === 'chat' || route === 'guard')) {
    state.metrics.auditRejected.inc({ route });
    throw new HttpError(503, `the gateway cannot write its audit log (${state.audit.error}); requests are refused until it can (gateway.audit.onFailure: reject)`, 'server_error', 'audit_unavailable', { 'retry-after': '1' });
  }
  const wait = await state.limiter.take(caller.tier, caller.bucket);
  if (wait > 0) {
    state.metrics.rateLimited.inc({ tier: caller.tier });
    const d: Decision = { action: 'refuse', policy: null, pillar: null, topic: null, level: null, score: 0, stage: 'embedded', reasons: [`rate limit for tier ${caller.tier} exceeded`] };
    state.audit?.append(auditEntry(state, caller, route, d, state.isTrusted(caller.tier) ? 'full' : 'standard', { status: 429, rateLimited: true }));
    throw new HttpError(429, `rate limit for tier ${caller.tier} exceeded; retry in ${wait} s`, 'rate_limit_error', 'rate_limit_exceeded', { 'retry-after': String(wait) });
  }

  if (route === 'models' && method === 'GET') return models(state, res, caller);
  if ((route === 'chat' || route === 'guard') && method === 'POST') reserveBody(state, req, res);
  if (route === 'chat' && method === 'POST') {
    const body = await parseBody(state, await readBody(req, state.cfg.bodyLimit, state.cfg.timeouts.requestMs), ChatRequest);
    const ac = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) ac.abort(new Error('client went away'));
    });
    return handleChat(state, res, caller, body, ac.signal);
  }
  if (route === 'guard' && method === 'POST') return guardRoute(state, req, res, caller);
  if (route !== 'other') throw new HttpError(405, `${method} is not supported on ${req.url}`, 'invalid_request_error', 'method_not_allowed');
  throw new HttpError(404, `no route ${method} ${req.url}`, 'invalid_request_error', 'not_found');
}

/**
 * Hold a request's body against `bodyBudget` until its response is done; past the budget, 503
 * `overloaded` before a byte of it is read.
 */
function reserveBody(state: GatewayState, req: IncomingMessage, res: ServerResponse): void {
  const declared = Number(req.headers['content-length']);
  const size = Number.isFinite(declared) && declared >= 0 ? Math.min(declared, state.cfg.bodyLimit + 1) : state.cfg.bodyLimit;
  if (state.bodies.held + size > state.cfg.bodyBudget && state.bodies.held > 0) {
    state.metrics.overloaded.inc({ reason: 'body_budget' });
    req.resume();
    throw new HttpError(503, 'the gateway is holding as many request bodies as it may (gateway.bodyBudget); retry shortly', 'server_error', 'overloaded', { 'retry-after': '1', connection: 'close' });
  }
  state.bodies.held += size;
  res.once('close', () => (state.bodies.held -= size));
}

type Schema<T> = { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } };

/** Bodies larger than this are parsed as a slice of their own (cpu-slicer.ts): many at once do not hold the event loop. */
const SLICED_BODY = 64 * 1024;

function parseBody<T>(state: GatewayState, text: string, schema: Schema<T>): Promise<T> {
  if (text.length < SLICED_BODY) return Promise.resolve(parseJson(text, schema));
  return state.slicer.run(() => parseJson(text, schema));
}

function parseJson<T>(text: string, schema: Schema<T>): T {
  // Depth first: a body nested thousands deep parses, then overflows the stack of whatever walks it.
  const deep = jsonTooDeep(text, MAX_JSON_DEPTH);
  if (deep >= 0) throw new HttpError(400, `invalid request: the body nests deeper than ${MAX_JSON_DEPTH} levels (at character ${deep})`, 'invalid_request_error', 'invalid_request');
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, `the request body is not valid JSON: ${(e as Error).message}`, 'invalid_request_error', 'invalid_json');
  }
  const r = schema.safeParse(v);
  if (!r.success) {
    const i = r.error.issues[0]!;
    const field = i.path.map(String).join('.') || '(body)';
    throw new HttpError(400, `invalid request: ${field}: ${i.message}`, 'invalid_request_error', 'invalid_request');
  }
  return r.data;
}

async function models(state: GatewayState, res: ServerResponse, caller: Caller): Promise<void> {
  let data: { object: string; data: { id: string; object: string; owned_by?: string }[] } = { object: 'list', data: [] };
  if (state.upstream) {
    try {
      const up = await state.upstream.request({ method: 'GET', path: '/models' });
      const text = await up.body.text();
      if (up.status >= 200 && up.status < 300) data = JSON.parse(text) as typeof data;
      else state.metrics.upstreamErrors.inc({ kind: `status_${up.status}` });
    } catch (e) {
      state.metrics.upstreamErrors.inc({ kind: 'models' });
      const status = (e as { status?: number }).status === 504 ? 504 : 502;
      throw new HttpError(status, (e as Error).message, 'upstream_error', 'upstream_unavailable');
    }
  }
  const have = new Set(data.data.map((m) => m.id));
  // Adapters this caller's tier may be routed to (through the named context).
  for (const [name, a] of state.adapters) {
    if (!have.has(name) && a.tiers.includes(caller.tier)) data.data.push({ id: name, object: 'model', owned_by: `pillars:${a.policy}:${a.context}` });
  }
  sendJson(res, 200, data);
}

interface GuardBody {
  text?: string;
  messages?: unknown[];
  context?: string;
  role?: 'input' | 'output';
}

/** POST /v1/guard: classification only; the body is the decision, exactly as `pillars guard classify --json` prints it. */
async function guardRoute(state: GatewayState, req: IncomingMessage, res: ServerResponse, caller: Caller): Promise<void> {
  const raw = await readBody(req, state.cfg.bodyLimit, state.cfg.timeouts.requestMs);
  const body = await parseBody<GuardBody>(state, raw, {
    safeParse(v: unknown) {
      const o = v as GuardBody | null;
      if (!o || typeof o !== 'object') return { success: false, error: { issues: [{ path: [], message: 'expected a JSON object' }] } };
      if (typeof o.text !== 'string' && !Array.isArray(o.messages)) return { success: false, error: { issues: [{ path: ['text'], message: 'give `text` (a string) or `messages`' }] } };
      return { success: true, data: o };
    },
  });
  const context = caller.context ?? (typeof body.context === 'string' && CONTEXT_RE.test(body.context) ? body.context : null);
  const who: Caller = { ...caller, context };
  let text = body.text ?? '';
  let shown: string | null = null;
  let d: Decision;
  if (typeof body.text !== 'string' && body.messages) {
    // A conversation: every message and part, exactly as the chat route reads it.
    const request = ChatRequest.safeParse({ messages: body.messages });
    if (!request.success) {
      const i = request.error.issues[0]!;
      throw new HttpError(400, `invalid request: ${i.path.map(String).join('.')}: ${i.message}`, 'invalid_request_error', 'invalid_request');
    }
    let v: Awaited<ReturnType<typeof checkInput>>;
    try {
      v = await checkInput(state, who, request.data);
    } catch (e) {
      if (e instanceof HttpError) auditRefused(state, who, 'guard', e);
      throw e;
    }
    d = v.final;
    // The audited prompt: the last user message, redacted like the forwarded one.
    text = v.promptIndex >= 0 ? messageText(v.forward[v.promptIndex]!, state.cfg.input) : '';
    shown = text;
  } else {
    try {
      assertInputSize(state, who.tier, text.length);
    } catch (e) {
      if (e instanceof HttpError) auditRefused(state, who, 'guard', e);
      throw e;
    }
    d = await guardCheck(state, { text, role: body.role === 'output' ? 'output' : 'input', caller: { tier: who.tier, context: context ?? undefined } });
  }
  setDecision(res, d.action, d.policy);
  sendJson(res, 200, d);
  state.audit?.append(
    auditEntry(state, who, 'guard', d, state.isTrusted(who.tier) ? 'full' : 'standard', {
      input: decisionSummary(d),
      promptSha256: sha256(text),
      promptChars: text.length,
      ...(state.isTrusted(who.tier) ? { prompt: shown !== null ? (state.redact ? state.redact(shown).text : shown) : d.action === 'redact' && d.redacted !== undefined ? d.redacted : state.redact ? state.redact(text).text : text } : {}),
    }),
  );
}
