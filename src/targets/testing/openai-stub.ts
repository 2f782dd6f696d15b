import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Message } from '../../core/types.js';

/**
 * The one local OpenAI-compatible server for tests and benchmarks (POST /v1/chat/completions,
 * plain and streamed as SSE; GET /v1/models) on 127.0.0.1, port 0. `respond` decides each answer;
 * a reply may set an HTTP status (to test retries), a delay (to test timeouts), token
 * log-probabilities, the other channels of an answer (refusal, reasoning, tool calls), further
 * choices, and for streams the chunk size, the pace and a broken connection.
 *
 * `startOpenAIStub` is the general form (targets, eval, red team); `startUpstreamStub` is the same
 * server with the gateway's defaults (model `base-model`, a canned answer) and `seen` for what the
 * upstream received.
 */

export interface StubRequest {
  /** The parsed JSON body. */
  body: Record<string, unknown>;
  messages: Message[];
  model: string;
  /** The request asked for a stream (`stream: true`). */
  stream: boolean;
  headers: IncomingMessage['headers'];
  /** 0-based count of chat requests received before this one. */
  index: number;
}

export interface StubReply {
  content?: string;
  logprobs?: { token: string; logprob: number }[];
  /** Other channels of choice 0's answer (streamed in this order: reasoning_content, reasoning, content, refusal, tool calls, function_call). */
  refusal?: string;
  reasoning_content?: string;
  reasoning?: string;
  tool_calls?: { name: string; arguments: string }[];
  function_call?: { name: string; arguments: string };
  /** Further choices (n > 1): their contents, after `content` (index 0). */
  more?: string[];
  status?: number;
  /** Raw body for error replies (default: an OpenAI-style error object). */
  body?: string;
  headers?: Record<string, string>;
  /** Delay before the headers, in ms (to test timeouts). */
  delayMs?: number;
  /** For streams: drop the connection after this many chunks (a broken upstream). */
  breakAfter?: number;
  /** For streams: characters per SSE chunk (default 8). */
  chunkChars?: number;
  /** For streams: wait this long between chunks (a model generating; default: all at once). */
  chunkDelayMs?: number;
}

export interface OpenAIStub {
  /** Base URL to configure as `baseUrl` (ends with /v1). */
  url: string;
  /** Every chat request received (empty when `record: false`). */
  requests: StubRequest[];
  /** Chat requests received (also counted when not recorded). */
  count(): number;
  close(): Promise<void>;
}

export interface StubOptions {
  respond: (req: StubRequest) => string | StubReply | Promise<string | StubReply>;
  record?: boolean;
  port?: number;
  /** Model ids listed by GET /v1/models (default `stub`). */
  models?: string[];
}

export function startOpenAIStub(opts: StubOptions): Promise<OpenAIStub> {
  const requests: StubRequest[] = [];
  let n = 0;
  const record = opts.record ?? true;
  const models = opts.models ?? ['stub'];

  const send = (res: ServerResponse, status: number, payload: string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers });
    res.end(payload);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path?.endsWith('/models')) {
      send(res, 200, JSON.stringify({ object: 'list', data: models.map((id) => ({ id, object: 'model', owned_by: 'stub' })) }));
      return;
    }
    if (req.method !== 'POST' || !path?.endsWith('/chat/completions')) {
      send(res, 404, JSON.stringify({ error: { message: `no route ${req.method} ${path}`, type: 'invalid_request_error', code: null } }));
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      send(res, 400, JSON.stringify({ error: { message: 'invalid JSON' } }));
      return;
    }
    const sreq: StubRequest = { body, messages: (body.messages ?? []) as Message[], model: String(body.model ?? ''), stream: body.stream === true, headers: req.headers, index: n++ };
    if (record) requests.push(sreq);
    const out = await opts.respond(sreq);
    const reply: StubReply = typeof out === 'string' ? { content: out } : out;
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (res.destroyed) return;
    const status = reply.status ?? 200;
    if (status >= 400) {
      send(res, status, reply.body ?? JSON.stringify({ error: { message: `stub error ${status}`, type: 'server_error', code: null } }), reply.headers);
      return;
    }
    if (sreq.stream) return streamReply(res, sreq, reply);
    const content = reply.content ?? '';
    const choices = [content, ...(reply.more ?? [])].map((c, index): Record<string, unknown> => ({
      index,
      message: index === 0 ? firstMessage(reply) : { role: 'assistant', content: c },
      finish_reason: index === 0 && reply.tool_calls ? 'tool_calls' : 'stop',
    }));
    if (reply.logprobs) choices[0]!.logprobs = { content: reply.logprobs.map((t) => ({ ...t, top_logprobs: [] })) };
    const payload = JSON.stringify({
      id: `chatcmpl-${sreq.index}`,
      object: 'chat.completion',
      created: 0,
      model: sreq.model,
      choices,
      usage: { prompt_tokens: 1, completion_tokens: Math.max(1, content.length >> 2), total_tokens: 1 + (content.length >> 2) },
    });
    send(res, 200, payload, reply.headers);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((e: unknown) => {
        if (!res.headersSent) send(res, 500, JSON.stringify({ error: { message: String(e) } }));
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/v1`,
        requests,
        count: () => n,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

/** Choice 0's message: the content and whichever other channels the reply sets. */
function firstMessage(reply: StubReply): Record<string, unknown> {
  const content = reply.content ?? '';
  const m: Record<string, unknown> = { role: 'assistant', content: content === '' && (reply.tool_calls || reply.function_call) ? null : content };
  if (reply.refusal !== undefined) m.refusal = reply.refusal;
  if (reply.reasoning_content !== undefined) m.reasoning_content = reply.reasoning_content;
  if (reply.reasoning !== undefined) m.reasoning = reply.reasoning;
  if (reply.tool_calls) m.tool_calls = reply.tool_calls.map((t, i) => ({ id: `call_${i}`, type: 'function', function: { name: t.name, arguments: t.arguments } }));
  if (reply.function_call) m.function_call = reply.function_call;
  return m;
}

/** The reply as an SSE stream of chat.completion.chunk events, then `data: [DONE]`. */
function streamReply(res: ServerResponse, r: StubRequest, reply: StubReply): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...reply.headers });
  const n = reply.chunkChars ?? 8;
  const ev = (delta: Record<string, unknown>, finish: string | null, index = 0): string =>
    `data: ${JSON.stringify({ id: `chatcmpl-${r.index}`, object: 'chat.completion.chunk', created: 0, model: r.model, choices: [{ index, delta, finish_reason: finish }] })}\n\n`;
  const all = [reply.content ?? '', ...(reply.more ?? [])];
  const events: string[] = all.map((_, index) => ev({ role: 'assistant', content: '' }, null, index));
  const pieces = (t: string): string[] => Array.from({ length: Math.ceil(t.length / n) }, (_, k) => t.slice(k * n, (k + 1) * n));
  for (const k of ['reasoning_content', 'reasoning'] as const) for (const p of pieces(reply[k] ?? '')) events.push(ev({ [k]: p }, null));
  for (let i = 0; i < Math.max(...all.map((c) => c.length)); i += n) {
    all.forEach((c, index) => {
      if (i < c.length) events.push(ev({ content: c.slice(i, i + n) }, null, index));
    });
  }
  for (const p of pieces(reply.refusal ?? '')) events.push(ev({ refusal: p }, null));
  (reply.tool_calls ?? []).forEach((t, index) => {
    events.push(ev({ tool_calls: [{ index, id: `call_${index}`, type: 'function', function: { name: t.name, arguments: '' } }] }, null));
    for (const p of pieces(t.arguments)) events.push(ev({ tool_calls: [{ index, function: { arguments: p } }] }, null));
  });
  if (reply.function_call) {
    events.push(ev({ function_call: { name: reply.function_call.name, arguments: '' } }, null));
    for (const p of pieces(reply.function_call.arguments)) events.push(ev({ function_call: { arguments: p } }, null));
  }
  if (reply.breakAfter !== undefined) {
    res.write(events.slice(0, reply.breakAfter).join(''));
    setTimeout(() => res.destroy(), 20);
    return;
  }
  events.push(...all.map((_, index) => ev({}, index === 0 && reply.tool_calls ? 'tool_calls' : reply.function_call ? 'function_call' : 'stop', index)));
  events.push('data: [DONE]\n\n');
  if (!reply.chunkDelayMs) return void res.end(events.join(''));
  let k = 0;
  const next = (): void => {
    if (res.destroyed) return;
    if (k === events.length - 1) return void res.end(events[k]);
    res.write(events[k++]);
    setTimeout(next, reply.chunkDelayMs);
  };
  next();
}

/** A chat request as the gateway's upstream saw it (content may be parts: images, files). */
export type SeenRequest = Omit<StubRequest, 'messages'> & { messages: { role: string; content: unknown }[] };

export interface UpstreamStub {
  url: string;
  seen: SeenRequest[];
  count(): number;
  close(): Promise<void>;
}

/** The stub with the gateway's defaults: model `base-model`, "Hello from the stub." unless `respond` says otherwise. */
export async function startUpstreamStub(opts: { respond?: (r: SeenRequest) => StubReply | string | Promise<StubReply | string>; record?: boolean } = {}): Promise<UpstreamStub> {
  const respond = opts.respond ?? (() => 'Hello from the stub.');
  const stub = await startOpenAIStub({ respond: (r) => respond(r as SeenRequest), record: opts.record, models: ['base-model'] });
  return { url: stub.url, seen: stub.requests as SeenRequest[], count: stub.count, close: stub.close };
}
