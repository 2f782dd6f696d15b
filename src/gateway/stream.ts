import type { ServerResponse } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import type { Decision } from '../core/types.js';
import { STRICTNESS } from '../policy/effective.js';
import { decideText, isBlocking } from './checks.js';
import { streamWindow } from './config.js';
import { Holdback } from './holdback.js';
import { DONE, errorBody, newId, SseParser } from './openai.js';
import { reasoningText, type ChannelKind } from './output-channels.js';
import { refusalText, type Caller, type GatewayState } from './state.js';
import { classifyUpstreamError } from './upstream.js';

/**
 * A streamed answer through the hold-back (holdback.ts). The upstream's chunks are parsed, not
 * relayed: each choice's channels (content, refusal, reasoning_content, reasoning, each tool
 * call's arguments, function_call arguments) are held and released in checked windows, as
 * chunks the gateway writes with the upstream's id, model and created. Events without text (the
 * role, keep-alive comments) leave at once; finish reasons, logprobs and usage leave after the
 * text they close. A channel ends when another channel of its choice starts, its choice
 * finishes, or the stream ends: its held text is then checked and released. A failing check cuts
 * the stream: nothing more of the answer leaves, a last chunk per choice says why, then [DONE].
 */

export interface StreamOutcome {
  final: Decision;
  output?: Decision;
  cut?: boolean;
  response?: string;
  status: number;
  error?: string;
  upstreamModel?: string;
  model?: string;
}

type StreamKind = Exclude<ChannelKind, 'audio_transcript'>;

interface Channel {
  kind: StreamKind;
  /** tool_calls index (kind tool_call). */
  tool?: number;
  held: Holdback;
  /** A tool call's id/type/name (or function_call's name): sent with its first released arguments. */
  header?: Record<string, unknown>;
  headerSent: boolean;
}

interface ChoiceState {
  index: number;
  channels: Map<string, Channel>;
  current: Channel | null;
  logprobs: { content: unknown[]; refusal: unknown[] } | null;
}

interface Delta {
  role?: unknown;
  content?: unknown;
  refusal?: unknown;
  reasoning_content?: unknown;
  reasoning?: unknown;
  tool_calls?: { index?: number; id?: string; type?: string; function?: { name?: string; arguments?: unknown } }[];
  function_call?: { name?: string; arguments?: unknown };
}

interface UpChunk {
  id?: string;
  created?: number;
  model?: string;
  system_fingerprint?: string;
  choices?: { index?: number; delta?: Delta; finish_reason?: string | null; logprobs?: { content?: unknown[] | null; refusal?: unknown[] | null } | null }[];
  usage?: unknown;
}

/** A stream past `timeouts.streamMs` (an upstream that keeps dripping): ended by the gateway. */
class StreamTimeout extends Error {}

export async function relayStream(state: GatewayState, res: ServerResponse, caller: Caller, body: AsyncIterable<Buffer> & { destroy?(e?: Error): void }, o: StreamOutcome, signal: AbortSignal): Promise<void> {
  // The between-chunks timeout never fires for an upstream that sends a little every few seconds: a total limit does.
  const limitMs = state.cfg.timeouts.streamMs;
  const limit = setTimeout(() => body.destroy?.(new StreamTimeout(`the streamed answer ran past the gateway's limit of ${limitMs} ms (gateway.timeouts.streamMs) and was ended`)), limitMs);
  try {
    await relay(state, res, caller, body, o, signal);
  } finally {
    clearTimeout(limit);
  }
}

async function relay(state: GatewayState, res: ServerResponse, caller: Caller, body: AsyncIterable<Buffer>, o: StreamOutcome, signal: AbortSignal): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', trailer: 'x-pillars-stream-decision' });
  const check = state.cfg.checkOutput;
  const opts = { windowChars: streamWindow(state.cfg), overlapChars: state.cfg.stream.overlapChars, lookaheadChars: state.cfg.stream.lookaheadChars };
  const meta: Record<string, unknown> = { id: newId('chatcmpl-pillars-'), object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: o.upstreamModel ?? o.model ?? 'default' };
  const choices = new Map<number, ChoiceState>();
  const trailing: unknown[] = [];
  let usage: unknown;

  const write = (index: number, delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}): void => {
    res.write(`data: ${JSON.stringify({ ...meta, choices: [{ index, delta, ...extra, finish_reason: finish }] })}\n\n`);
  };
  const choiceOf = (i: number): ChoiceState => {
    let c = choices.get(i);
    if (!c) choices.set(i, (c = { index: i, channels: new Map(), current: null, logprobs: null }));
    return c;
  };
  const channelOf = (c: ChoiceState, kind: StreamKind, tool?: number): Channel => {
    const key = tool === undefined ? kind : `${kind}:${tool}`;
    let ch = c.channels.get(key);
    if (!ch) c.channels.set(key, (ch = { kind, tool, held: new Holdback(opts, kind === 'tool_call' || kind === 'function_call' ? 'json' : 'prose'), headerSent: false }));
    return ch;
  };
  const release = (c: ChoiceState, ch: Channel, text: string): void => {
    if (ch.kind === 'tool_call') {
      const head = ch.headerSent ? {} : (ch.header ?? {});
      const fn = { ...((head.function as object | undefined) ?? {}), arguments: text };
      write(c.index, { tool_calls: [{ index: ch.tool ?? 0, ...head, function: fn }] });
    } else if (ch.kind === 'function_call') {
      write(c.index, { function_call: { ...(ch.headerSent ? {} : (ch.header ?? {})), arguments: text } });
    } else write(c.index, { [ch.kind]: text });
    ch.headerSent = true;
  };

  /** Check and release what `ch` may release now (everything when `end`); false when the stream was cut. */
  const pump = async (c: ChoiceState, ch: Channel, end: boolean): Promise<boolean> => {
    for (;;) {
      const step = ch.held.next(end || !check);
      if (!step) break;
      let redact = false;
      if (check) {
        const kind = ch.kind === 'tool_call' || ch.kind === 'function_call' ? 'json' : 'prose';
        const ds = await Promise.all(step.checks.map((text) => decideText(state, caller, { text, role: 'output', kind })));
        let worst = ds[0]!;
        for (const d of ds) if (STRICTNESS[d.action] > STRICTNESS[worst.action]) worst = d;
        if (!o.output || STRICTNESS[worst.action] >= STRICTNESS[o.output.action]) o.output = worst;
        if (isBlocking(worst)) {
          cut(worst);
          return false;
        }
        redact = worst.action === 'redact';
      }
      const text = ch.held.commit(step.to);
      release(c, ch, redact && state.redact ? state.redact(text).text : text);
    }
    if (end && !ch.headerSent && ch.header) release(c, ch, '');
    return true;
  };
  const endChoice = async (c: ChoiceState): Promise<boolean> => {
    for (const ch of c.channels.values()) if (!(await pump(c, ch, true))) return false;
    c.current = null;
    return true;
  };
  const cut = (d: Decision): void => {
    o.final = d;
    o.cut = true;
    state.metrics.streamsCut.inc({ policy: d.policy ?? 'none' });
    const why = `\n\n[${refusalText(d)}]`;
    const seen = choices.size > 0 ? [...choices.keys()] : [0];
    for (const i of seen) write(i, { content: why }, 'content_filter');
  };

  /** Take one upstream chunk in; false when the stream was cut. */
  const take = async (chunk: UpChunk): Promise<boolean> => {
    if (typeof chunk.id === 'string') meta.id = chunk.id;
    if (typeof chunk.model === 'string') meta.model = chunk.model;
    if (typeof chunk.created === 'number') meta.created = chunk.created;
    if (typeof chunk.system_fingerprint === 'string') meta.system_fingerprint = chunk.system_fingerprint;
    if (chunk.usage !== undefined && chunk.usage !== null) usage = chunk.usage;
    for (const [n, up] of (chunk.choices ?? []).entries()) {
      const c = choiceOf(typeof up.index === 'number' ? up.index : n);
      const d = up.delta ?? {};
      if (typeof d.role === 'string') write(c.index, { role: d.role });
      const pieces: { ch: Channel; text: string }[] = [];
      for (const kind of ['reasoning_content', 'reasoning', 'content', 'refusal'] as const) {
        const text = kind === 'reasoning' ? reasoningText(d.reasoning) : d[kind];
        if (typeof text === 'string' && text !== '') pieces.push({ ch: channelOf(c, kind), text });
      }
      for (const t of Array.isArray(d.tool_calls) ? d.tool_calls : []) {
        const ch = channelOf(c, 'tool_call', typeof t.index === 'number' ? t.index : 0);
        const head: Record<string, unknown> = { ...(ch.header ?? {}) };
        if (t.id !== undefined) head.id = t.id;
        if (t.type !== undefined) head.type = t.type;
        if (t.function?.name !== undefined) head.function = { name: t.function.name };
        if (!ch.headerSent) ch.header = head;
        pieces.push({ ch, text: typeof t.function?.arguments === 'string' ? t.function.arguments : '' });
      }
      if (d.function_call) {
        const ch = channelOf(c, 'function_call');
        if (d.function_call.name !== undefined && !ch.headerSent) ch.header = { name: d.function_call.name };
        pieces.push({ ch, text: typeof d.function_call.arguments === 'string' ? d.function_call.arguments : '' });
      }
      for (const { ch, text } of pieces) {
        // Another channel of this choice starts: the one before it is over, and leaves first.
        if (c.current && c.current !== ch && !(await pump(c, c.current, true))) return false;
        c.current = ch;
        ch.held.push(text);
        if (!(await pump(c, ch, false))) return false;
      }
      if (up.logprobs) {
        c.logprobs ??= { content: [], refusal: [] };
        c.logprobs.content.push(...(up.logprobs.content ?? []));
        c.logprobs.refusal.push(...(up.logprobs.refusal ?? []));
      }
      if (up.finish_reason) {
        if (!(await endChoice(c))) return false;
        write(c.index, {}, up.finish_reason, c.logprobs ? { logprobs: c.logprobs } : {});
        c.logprobs = null;
      }
    }
    return true;
  };

  const parser = new SseParser();
  const utf8 = new StringDecoder('utf8');
  let ok = true;
  try {
    outer: for await (const buf of body) {
      for (const ev of parser.push(utf8.write(buf))) {
        if (ev.data === '[DONE]') break outer;
        if (!(await event(ev))) {
          ok = false;
          break outer;
        }
      }
    }
    if (ok) for (const ev of parser.push(`${utf8.end()}\n\n`)) if (ev.data !== '[DONE]' && !(await event(ev))) ok = false;
  } catch (e) {
    o.response = responseText(choices);
    if (signal.aborted) {
      o.status = 499;
      o.error = 'the client closed the connection';
      res.destroy();
      return;
    }
    if (e instanceof StreamTimeout) {
      // Ended by the gateway: what is held (unchecked) stays held; the client gets an error event.
      state.metrics.upstreamErrors.inc({ kind: 'stream_timeout' });
      o.status = 504;
      o.error = e.message;
      res.write(`data: ${JSON.stringify(errorBody(e.message, 'timeout_error', 'stream_timeout'))}\n\n`);
      res.end(DONE);
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
  if (ok) {
    for (const c of choices.values()) {
      if (!(await endChoice(c))) {
        ok = false;
        break;
      }
    }
  }
  if (ok) {
    for (const t of trailing) res.write(`data: ${JSON.stringify(t)}\n\n`);
    if (usage !== undefined) res.write(`data: ${JSON.stringify({ ...meta, choices: [], usage })}\n\n`);
    if (o.output && o.final.action === 'allow' && o.output.action === 'redact') o.final = o.output;
  }
  o.response = responseText(choices);
  res.addTrailers({ 'x-pillars-stream-decision': o.final.action });
  res.end(DONE);

  async function event(ev: { data: string; raw: string }): Promise<boolean> {
    if (ev.data === '') {
      // A comment or keep-alive: no text, relayed as is.
      if (/^:/m.test(ev.raw)) res.write(ev.raw);
      return true;
    }
    let chunk: UpChunk;
    try {
      chunk = JSON.parse(ev.data) as UpChunk;
    } catch {
      state.log.warn({ bytes: ev.data.length }, 'dropped a stream event that is not JSON');
      return true;
    }
    if (!chunk || typeof chunk !== 'object') return true;
    if (!Array.isArray(chunk.choices)) {
      // Not a chunk (an error object): passed on after the text before it.
      trailing.push(chunk);
      return true;
    }
    return take(chunk);
  }
}

/** Everything each choice's content channel received (the audit's response). */
function responseText(choices: Map<number, ChoiceState>): string {
  return [...choices.values()].map((c) => c.channels.get('content')?.held.text ?? '').join('\n\n');
}
