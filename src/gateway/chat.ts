import type { ServerResponse } from 'node:http';
import type { Decision } from '../core/types.js';
import { isBlocking } from './checks.js';
import { checkCompletion } from './completion.js';
import { HttpError, sendJson, setDecision } from './http.js';
import { checkInput, type InputVerdict } from './input-check.js';
import { messageText } from './input-channels.js';
import { chunk, DONE, newId, syntheticCompletion, type ChatMessage, type ChatRequest } from './openai.js';
import type { UpChoice } from './output-channels.js';
import { modelKey } from './adapter-name.js';
import { auditEntry, decisionSummary, refusalText, sha256, type Caller, type GatewayState } from './state.js';
import { relayStream } from './stream.js';
import { railsAfterInput, railsAudit, railsChat, railsCompletion, replayAsStream } from './rails.js';
import { runExtensions, type ExtensionRun } from './extensions.js';
import { UpstreamFailure, classifyUpstreamError } from './upstream.js';

/**
 * POST /v1/chat/completions: check every text of the request (input-check.ts), answer refusals
 * and deflections ourselves, redact PII, route to an exception's adapter, forward, then check
 * every channel of the output (whole, or streamed through the hold-back so nothing unchecked
 * leaves: stream.ts).
 */

interface Outcome {
  final: Decision;
  input: Decision;
  output?: Decision;
  status: number;
  model?: string;
  upstreamModel?: string;
  adapter?: string;
  response?: string;
  cut?: boolean;
  error?: string;
}

export async function handleChat(state: GatewayState, res: ServerResponse, caller: Caller, request: ChatRequest, signal: AbortSignal): Promise<void> {
  // Invisible Unicode stripped before anything reads the request (rails.ts).
  const body = railsChat(state, caller, request, signal);
  // A part the gateway cannot read is a 400 before anything else happens.
  let verdict: InputVerdict;
  try {
    verdict = await checkInput(state, caller, body);
  } catch (e) {
    // A request refused before any check (too much text, an unreadable part) is still a decision: audited.
    if (e instanceof HttpError) auditRefused(state, caller, 'chat', e);
    throw e;
  }
  // Hidden text, language, conversation escalation (rails.ts).
  verdict.final = await railsAfterInput(state, caller, body, verdict);
  let input = verdict.final;
  // Plugged-in checks (grounding, scope: extensions.ts) may deflect the request before it is forwarded.
  const ext = runExtensions(state, caller, body, signal);
  if (ext && !isBlocking(input)) input = await ext.input(input, res);
  const flags = await state.anomaly.observe(caller.bucket, input.level);
  for (const f of flags) state.metrics.anomalies.inc({ kind: f.split(':')[0]!, tier: caller.tier });
  const monitoring = state.isTrusted(caller.tier) || verdict.exception?.monitoring === 'full' ? 'full' : 'standard';
  const model = body.model ?? 'default';
  const outcome: Outcome = { final: input, input, status: 200, model };
  // What goes (or would have gone) upstream: redacted.
  let forward: ChatMessage[] = verdict.forward;

  try {
    if (isBlocking(input)) {
      const content = refusalText(input);
      setDecision(res, input.action, input.policy);
      outcome.response = content;
      if (body.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        const id = newId('chatcmpl-pillars-');
        res.write(chunk(id, model, { role: 'assistant', content }, null));
        res.write(chunk(id, model, {}, 'content_filter'));
        res.end(DONE);
      } else {
        sendJson(res, 200, syntheticCompletion(model, content, 'content_filter'));
      }
      return;
    }

    // Redaction: PII is rewritten in every message but the assistant's before anything is forwarded
    // (clients resend their history verbatim).
    forward = verdict.forward;

    // Adapter routing: only when an exception with an adapter applied to this caller.
    const adapter = verdict.exception?.adapter;
    let upstreamModel = body.model;
    if (adapter) {
      upstreamModel = adapter;
      outcome.adapter = adapter;
    } else if (body.model && reservedAdapter(state, body.model)) {
      // Compared after normalising (case, width, spaces, control characters): no other spelling reaches it.
      const a = reservedAdapter(state, body.model)!;
      setDecision(res, 'refuse', a.policy);
      outcome.final = { ...input, action: 'refuse', policy: a.policy, reasons: [...input.reasons, `model ${body.model} is an adapter reserved for context ${a.context}`] };
      throw new HttpError(403, `model "${body.model}" is reserved for the ${a.context} context (tiers: ${a.tiers.join(', ')}) and is only reached through it`, 'permission_error', 'model_not_allowed');
    }
    outcome.upstreamModel = upstreamModel;
    // The header names the policy behind an exception's allow (the routing reason) too.
    setDecision(res, input.action, input.policy ?? (adapter ? policyOf(verdict) : null));

    if (!state.upstream) throw new UpstreamFailure('no upstream is configured (set gateway.upstream or --upstream)', 502, 'unreachable');
    // A streamed request whose answer a rail or an extension (grounding) may replace is fetched whole.
    const whole = caller.rails?.whole === true || (body.stream === true && ext?.wantsWhole() === true);
    const payload = JSON.stringify({ ...body, ...(whole ? { stream: false, stream_options: undefined } : {}), messages: forward, ...(upstreamModel !== undefined ? { model: upstreamModel } : {}) });
    const up = await state.upstream.request({ method: 'POST', path: '/chat/completions', body: payload, signal, headers: caller.rails ? state.rails.tracing.inject(caller.rails.ctx) : {} });

    if (up.status < 200 || up.status >= 300) {
      state.metrics.upstreamErrors.inc({ kind: `status_${up.status}` });
      let text: string;
      try {
        text = await up.body.text();
      } catch (e) {
        throw classifyUpstreamError(e, state.upstream.base);
      }
      outcome.status = up.status;
      outcome.error = text.slice(0, 500);
      res.writeHead(up.status, { 'content-type': String(up.headers['content-type'] ?? 'application/json') });
      res.end(text);
      return;
    }
    const ctype = String(up.headers['content-type'] ?? '');
    if (body.stream && !whole && ctype.includes('text/event-stream')) {
      await relayStream(state, res, caller, up.body, outcome, signal);
      await ext?.output(outcome.response ?? '', null);
    } else {
      await relayCompletion(state, res, caller, up.body, outcome, ext, whole);
    }
  } catch (e) {
    if (signal.aborted && !(e instanceof HttpError)) {
      outcome.status = 499;
      outcome.error = 'the client closed the connection';
      return;
    }
    if (e instanceof HttpError) {
      outcome.status = e.status;
      outcome.error = e.message;
      throw e;
    }
    if (!(e instanceof UpstreamFailure)) {
      // Our own failure (not the upstream's): a 500, and the upstream counters stay untouched.
      outcome.status = 500;
      outcome.error = (e as Error)?.message ?? String(e);
      throw e;
    }
    const f = classifyUpstreamError(e, state.upstream?.base ?? '(none)');
    state.metrics.upstreamErrors.inc({ kind: f.kind });
    outcome.status = f.status;
    outcome.error = f.message;
    throw new HttpError(f.status, f.message, f.status === 504 ? 'timeout_error' : 'upstream_error', f.status === 504 ? 'upstream_timeout' : 'upstream_unavailable');
  } finally {
    writeAudit(state, caller, monitoring, outcome, forward, verdict, flags, ext);
  }
}

/** The adapter `model` names, compared after normalising (modelKey), or null. */
function reservedAdapter(state: GatewayState, model: string): { policy: string; context: string; tiers: string[] } | null {
  const exact = state.adapters.get(model);
  if (exact) return exact;
  const key = modelKey(model);
  for (const [name, a] of state.adapters) if (modelKey(name) === key) return a;
  return null;
}

/** The audit record of a request refused with an HTTP error before the guard decided (413, 400). */
export function auditRefused(state: GatewayState, caller: Caller, route: string, e: HttpError): void {
  const d: Decision = { action: 'refuse', policy: null, pillar: null, topic: null, level: null, score: 0, stage: 'embedded', reasons: [e.message] };
  state.audit?.append(auditEntry(state, caller, route, d, state.isTrusted(caller.tier) ? 'full' : 'standard', { status: e.status, error: e.code }));
}

/** The policy whose exception routed the request (for the header when the final decision names none). */
function policyOf(v: InputVerdict): string | null {
  return v.flagged.find((f) => f.decision.exception === v.exception)?.decision.policy ?? null;
}

async function relayCompletion(state: GatewayState, res: ServerResponse, caller: Caller, body: { json(): Promise<unknown> }, o: Outcome, ext: ExtensionRun | null = null, whole = caller.rails?.whole === true): Promise<void> {
  let data: { choices?: UpChoice[] };
  try {
    data = (await body.json()) as { choices?: UpChoice[] };
  } catch {
    throw new UpstreamFailure('the upstream answered with a body that is not JSON', 502, 'protocol');
  }
  if (!data || typeof data !== 'object') throw new UpstreamFailure('the upstream answered with a body that is not a completion', 502, 'protocol');
  const v = await checkCompletion(state, caller, data);
  await railsCompletion(state, caller, data, v);
  o.response = v.response;
  if (v.output) {
    o.output = v.output;
    if (isBlocking(v.output) || (v.output.action === 'redact' && o.final.action === 'allow')) o.final = v.output;
  }
  const replaced = ext && !isBlocking(o.final) ? await ext.output(v.response, res) : null;
  if (replaced) {
    // An ungrounded answer (deflect / refuse policy): the caller gets the policy's message instead.
    o.output = o.final = replaced;
    o.response = refusalText(replaced);
    setDecision(res, replaced.action, replaced.policy);
    const synthetic = syntheticCompletion(o.model ?? 'default', o.response, 'content_filter');
    if (whole) replayAsStream(res, synthetic);
    else sendJson(res, 200, synthetic);
    return;
  }
  setDecision(res, o.final.action, o.final.policy ?? o.input.policy);
  if (whole) replayAsStream(res, data);
  else sendJson(res, 200, data);
}

function writeAudit(state: GatewayState, caller: Caller, monitoring: 'full' | 'standard', o: Outcome, forward: ChatMessage[], v: InputVerdict, flags: string[], ext: ExtensionRun | null = null): void {
  if (!state.audit) return;
  // What was (or would have been) forwarded: after redaction, never the raw PII.
  const text = (m: ChatMessage): string => messageText(m, state.cfg.input);
  const prompt = v.promptIndex >= 0 && forward[v.promptIndex] ? text(forward[v.promptIndex]!) : '';
  const response = o.response ?? '';
  const detail: Record<string, unknown> = {
    input: decisionSummary(o.input),
    // Every text of the request that was not a plain allow, and where it sits.
    inputFlags: v.flagged.map((f) => ({ where: f.seg.where, kind: f.seg.kind, action: f.decision.action, policy: f.decision.policy, level: f.decision.level })),
    inputTexts: v.checked,
    output: o.output ? decisionSummary(o.output) : null,
    status: o.status,
    model: o.model ?? null,
    upstreamModel: o.upstreamModel ?? null,
    adapter: o.adapter ?? null,
    streamCut: o.cut ?? false,
    error: o.error ?? null,
    flags,
    promptSha256: sha256(prompt),
    promptChars: prompt.length,
    responseSha256: sha256(response),
    responseChars: response.length,
    ...railsAudit(caller),
    ...(ext && Object.keys(ext.audit).length ? { checks: ext.audit } : {}),
  };
  if (monitoring === 'full') {
    // Full capture for heavy monitoring, with PII redacted: the audit is no place for card numbers.
    const clean = (t: string): string => (state.redact ? state.redact(t).text : t);
    detail.prompt = clean(prompt);
    detail.messages = forward.map((m) => ({ role: m.role, content: clean(text(m)) }));
    detail.response = clean(response);
  }
  state.audit.append(auditEntry(state, caller, 'chat', o.final, monitoring, detail));
}
