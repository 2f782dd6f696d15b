import type { ServerResponse } from 'node:http';
import type { Decision } from '../core/types.js';
import { HttpError, sendJson, setDecision } from './http.js';
import { chunk, contentText, DONE, errorBody, lastUserIndex, newId, SseParser, syntheticCompletion, type ChatMessage, type ChatRequest } from './openai.js';
import { auditEntry, decisionSummary, guardCheck, refusalText, sha256, type Caller, type GatewayState } from './state.js';
import { classifyUpstreamError, UpstreamFailure } from './upstream.js';

/**
 * POST /v1/chat/completions: check the last user message, answer refusals and deflections
 * ourselves, redact PII, route to an exception's adapter, forward, then check the output
 * (whole, or streamed in held-back windows so a violating stream is cut before it leaks).
 */

const BLOCKING = new Set(['refuse', 'deflect']);
/** Output checks look at the last this-many characters of a response (bounded cost per window). */
const OUTPUT_CHECK_CHARS = 8_000;

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

export async function handleChat(state: GatewayState, res: ServerResponse, caller: Caller, body: ChatRequest, signal: AbortSignal): Promise<void> {
  const messages = body.messages;
  const idx = lastUserIndex(messages);
  const text = idx >= 0 ? contentText(messages[idx]!.content) : '';
  const input: Decision =
    text.trim() === ''
      ? { action: 'allow', policy: null, pillar: null, topic: null, level: null, score: 0, stage: 'embedded', reasons: ['no user text to check'] }
      : await guardCheck(state, { text, role: 'input', caller: { tier: caller.tier, context: caller.context ?? undefined } });

  const flags = state.anomaly.observe(caller.bucket, input.level);
  for (const f of flags) state.metrics.anomalies.inc({ kind: f.split(':')[0]!, tier: caller.tier });
  const monitoring = state.isTrusted(caller.tier) || input.exception?.monitoring === 'full' ? 'full' : 'standard';
  const model = body.model ?? 'default';
  const outcome: Outcome = { final: input, input, status: 200, model };
  let forward: ChatMessage[] = messages;

  try {
    if (BLOCKING.has(input.action)) {
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

    // Redaction: rewrite PII before anything reaches the upstream. Earlier turns are redacted on
    // every request (clients resend their history verbatim); the checked turn when the guard says so.
    if (input.action === 'redact' || (state.redact && idx > 0)) forward = redactMessages(state, messages, idx, input);

    // Adapter routing: only when an exception with an adapter applied to this caller.
    const adapter = input.exception?.adapter;
    let upstreamModel = body.model;
    if (adapter) {
      upstreamModel = adapter;
      outcome.adapter = adapter;
    } else if (body.model && state.adapters.has(body.model)) {
      const a = state.adapters.get(body.model)!;
      setDecision(res, 'refuse', a.policy);
      outcome.final = { ...input, action: 'refuse', policy: a.policy, reasons: [...input.reasons, `model ${body.model} is an adapter reserved for context ${a.context}`] };
      throw new HttpError(403, `model "${body.model}" is reserved for the ${a.context} context (tiers: ${a.tiers.join(', ')}) and is only reached through it`, 'permission_error', 'model_not_allowed');
    }
    outcome.upstreamModel = upstreamModel;
    setDecision(res, input.action, input.policy);

    if (!state.upstream) throw new UpstreamFailure('no upstream is configured (set gateway.upstream or --upstream)', 502, 'unreachable');
    const payload = JSON.stringify({ ...body, messages: forward, ...(upstreamModel !== undefined ? { model: upstreamModel } : {}) });
    const up = await state.upstream.request({ method: 'POST', path: '/chat/completions', body: payload, signal });

    if (up.status < 200 || up.status >= 300) {
      state.metrics.upstreamErrors.inc({ kind: `status_${up.status}` });
      const text = await up.body.text();
      outcome.status = up.status;
      outcome.error = text.slice(0, 500);
      res.writeHead(up.status, { 'content-type': String(up.headers['content-type'] ?? 'application/json') });
      res.end(text);
      return;
    }
    const ctype = String(up.headers['content-type'] ?? '');
    if (body.stream && ctype.includes('text/event-stream')) {
      await relayStream(state, res, caller, up.body, outcome, signal);
    } else {
      await relayCompletion(state, res, caller, up.body, outcome);
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
    const f = classifyUpstreamError(e, state.upstream?.base ?? '(none)');
    state.metrics.upstreamErrors.inc({ kind: f.kind });
    outcome.status = f.status;
    outcome.error = f.message;
    throw new HttpError(f.status, f.message, f.status === 504 ? 'timeout_error' : 'upstream_error', f.status === 504 ? 'upstream_timeout' : 'upstream_unavailable');
  } finally {
    writeAudit(state, caller, monitoring, outcome, forward, idx, flags);
  }
}

function redactMessages(state: GatewayState, messages: ChatMessage[], idx: number, d: Decision): ChatMessage[] {
  return messages.map((m, i) => {
    if (i === idx && d.action !== 'redact') return m;
    if (i === idx && d.redacted !== undefined && (typeof m.content === 'string' || !state.redact)) return { ...m, content: d.redacted };
    if (!state.redact || m.role === 'assistant') return m;
    if (typeof m.content === 'string') return { ...m, content: state.redact(m.content).text };
    if (Array.isArray(m.content)) return { ...m, content: m.content.map((p) => (typeof p.text === 'string' ? { ...p, text: state.redact!(p.text).text } : p)) };
    return m;
  });
}

async function checkOutput(state: GatewayState, caller: Caller, text: string): Promise<Decision> {
  const t = text.length > OUTPUT_CHECK_CHARS ? text.slice(-OUTPUT_CHECK_CHARS) : text;
  return guardCheck(state, { text: t, role: 'output', caller: { tier: caller.tier, context: caller.context ?? undefined } });
}

interface UpCompletion {
  model?: string;
  choices?: { message?: { content?: string | null }; finish_reason?: string | null }[];
}

/** Check every choice's text; the first blocking (else redacting, else last) decision wins. */
async function checkChoices(state: GatewayState, caller: Caller, texts: string[]): Promise<{ out: Decision; index: number } | null> {
  let last: { out: Decision; index: number } | null = null;
  let redact: { out: Decision; index: number } | null = null;
  for (let i = 0; i < texts.length; i++) {
    if (texts[i]!.trim() === '') continue;
    const out = await checkOutput(state, caller, texts[i]!);
    if (BLOCKING.has(out.action)) return { out, index: i };
    if (out.action === 'redact' && !redact) redact = { out, index: i };
    last = { out, index: i };
  }
  return redact ?? last;
}

async function relayCompletion(state: GatewayState, res: ServerResponse, caller: Caller, body: { json(): Promise<unknown> }, o: Outcome): Promise<void> {
  let data: UpCompletion;
  try {
    data = (await body.json()) as UpCompletion;
  } catch {
    throw new UpstreamFailure('the upstream answered with a body that is not JSON', 502, 'protocol');
  }
  const choices = data.choices ?? [];
  o.response = choices.map((c) => c.message?.content ?? '').join('\n\n');
  if (state.cfg.checkOutput) {
    // Each choice (n > 1) is checked on its own: none may slip through unchecked.
    const r = await checkChoices(state, caller, choices.map((c) => c.message?.content ?? ''));
    if (r) o.output = r.out;
    if (r && BLOCKING.has(r.out.action)) {
      const msg = refusalText(r.out);
      for (const c of choices) {
        if (c.message) c.message.content = msg;
        c.finish_reason = 'content_filter';
      }
      o.final = r.out;
      o.response = msg;
    } else if (r && r.out.action === 'redact') {
      for (const c of choices) {
        if (c.message && typeof c.message.content === 'string' && state.redact) c.message.content = state.redact(c.message.content).text;
      }
      const only = choices.length === 1 ? choices[0]!.message : undefined;
      if (only && r.out.redacted !== undefined && !state.redact) only.content = r.out.redacted;
      o.response = choices.map((c) => c.message?.content ?? '').join('\n\n');
      if (o.final.action === 'allow') o.final = r.out;
    }
  }
  setDecision(res, o.final.action, o.final.policy ?? o.input.policy);
  sendJson(res, 200, data);
}

interface StreamChunk {
  id?: string;
  model?: string;
  choices?: { index?: number; delta?: { content?: string | null } }[];
}

async function relayStream(state: GatewayState, res: ServerResponse, caller: Caller, body: AsyncIterable<Buffer>, o: Outcome, signal: AbortSignal): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', trailer: 'x-pillars-stream-decision' });
  const parser = new SseParser();
  const window = state.cfg.streamWindow;
  const check = state.cfg.checkOutput;
  // Events not yet sent, with the characters of content each carries.
  let held: { raw: string; chars: number }[] = [];
  let heldChars = 0;
  // After a passing check, the last few characters stay held so a phrase split across a window
  // boundary is seen whole by the next check before any of it leaves.
  const overlap = Math.min(64, Math.floor(window / 2));
  // The text so far of each choice (index), and which changed since the last check.
  const texts: string[] = [];
  const dirty = new Set<number>();
  let id = newId('chatcmpl-pillars-');
  let model = o.upstreamModel ?? o.model ?? 'default';
  let done = false;

  const release = (keep: number): void => {
    let cut = held.length;
    let kept = 0;
    while (cut > 0 && kept + held[cut - 1]!.chars <= keep && held[cut - 1]!.chars > 0) kept += held[--cut]!.chars;
    // Content-less events (role, finish) at the end travel with the content before them.
    if (kept === 0) cut = held.length;
    if (cut > 0) res.write(held.slice(0, cut).map((e) => e.raw).join(''));
    held = held.slice(cut);
    heldChars = kept;
  };
  // Returns false when the stream was cut.
  const gate = async (): Promise<boolean> => {
    if (!check || dirty.size === 0) return true;
    const idx = [...dirty];
    dirty.clear();
    const r = await checkChoices(state, caller, idx.map((i) => texts[i] ?? ''));
    if (r) o.output = r.out;
    if (!r || !BLOCKING.has(r.out.action)) return true;
    held = [];
    o.final = r.out;
    o.cut = true;
    state.metrics.streamsCut.inc({ policy: r.out.policy ?? 'none' });
    const why = `\n\n[${refusalText(r.out)}]`;
    res.write(texts.map((_, i) => chunkFor(id, model, i, { content: why }, 'content_filter')).join('') || chunk(id, model, { content: why }, 'content_filter'));
    return false;
  };

  try {
    outer: for await (const buf of body) {
      for (const ev of parser.push(buf.toString('utf8'))) {
        if (ev.data === '[DONE]') {
          done = true;
          break outer;
        }
        let chars = 0;
        if (ev.data !== '') {
          try {
            const c = JSON.parse(ev.data) as StreamChunk;
            if (c.id) id = c.id;
            if (c.model) model = c.model;
            for (const ch of c.choices ?? []) {
              const piece = ch.delta?.content;
              if (typeof piece !== 'string' || piece === '') continue;
              const i = ch.index ?? 0;
              texts[i] = (texts[i] ?? '') + piece;
              dirty.add(i);
              chars += piece.length;
            }
            heldChars += chars;
          } catch {
            // Not JSON (a comment or keep-alive): relay as is.
          }
        }
        held.push({ raw: ev.raw, chars });
        if (heldChars >= window) {
          if (!(await gate())) break outer;
          release(overlap);
        }
      }
    }
  } catch (e) {
    o.response = texts.join('\n\n');
    if (signal.aborted) {
      o.status = 499;
      o.error = 'the client closed the connection';
      res.destroy();
      return;
    }
    // The upstream broke mid-stream: nothing unchecked is released; the client gets an error event.
    const f = classifyUpstreamError(e, state.upstream?.base ?? '(none)');
    state.metrics.upstreamErrors.inc({ kind: `stream_${f.kind}` });
    o.status = f.status;
    o.error = f.message;
    res.write(`data: ${JSON.stringify(errorBody(f.message, 'upstream_error', 'upstream_stream_error'))}\n\n`);
    res.end(DONE);
    return;
  }
  o.response = texts.join('\n\n');
  if (!o.cut) {
    if (await gate()) {
      release(0);
      if (!done && parser.rest().trim() !== '') res.write(`${parser.rest()}\n\n`);
    }
  }
  res.addTrailers({ 'x-pillars-stream-decision': o.final.action });
  res.end(DONE);
}

function chunkFor(id: string, model: string, index: number, delta: Record<string, unknown>, finish: string | null): string {
  const c = { id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model, choices: [{ index, delta, finish_reason: finish }] };
  return `data: ${JSON.stringify(c)}\n\n`;
}

function writeAudit(state: GatewayState, caller: Caller, monitoring: 'full' | 'standard', o: Outcome, forward: ChatMessage[], idx: number, flags: string[]): void {
  if (!state.audit) return;
  // What was (or would have been) forwarded: after redaction, never the raw PII.
  const prompt = idx >= 0 ? contentText(forward[idx]!.content) : '';
  const response = o.response ?? '';
  const detail: Record<string, unknown> = {
    input: decisionSummary(o.input),
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
  };
  if (monitoring === 'full') {
    // Full capture for heavy monitoring, with PII redacted: the audit is no place for card numbers.
    const clean = (t: string): string => (state.redact ? state.redact(t).text : t);
    detail.prompt = clean(prompt);
    detail.messages = forward.map((m) => ({ role: m.role, content: clean(contentText(m.content)) }));
    detail.response = clean(response);
  }
  state.audit.append(auditEntry(state, caller, 'chat', o.final, monitoring, detail));
}
