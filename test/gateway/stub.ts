import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local upstream that speaks OpenAI chat completions, plain and streamed (SSE), for the
 * gateway's tests and benchmark. It records what it receives so tests can check what the
 * upstream saw (the model name, redacted text) and what it never saw.
 */

export interface SeenRequest {
  model: string;
  messages: { role: string; content: unknown }[];
  stream: boolean;
  headers: IncomingMessage['headers'];
}

export interface StubReply {
  content: string;
  /** Other channels of choice 0's answer (streamed in this order: reasoning_content, reasoning, content, refusal, tool calls, function_call). */
  refusal?: string;
  reasoning_content?: string;
  reasoning?: string;
  tool_calls?: { name: string; arguments: string }[];
  function_call?: { name: string; arguments: string };
  /** Further choices (n > 1): their contents, after `content` (index 0). */
  more?: string[];
  /** For streams: drop the connection after this many chunks (a broken upstream). */
  breakAfter?: number;
  /** For streams: characters per SSE chunk (default 8). */
  chunkChars?: number;
  /** For streams: wait this long between chunks (a model generating; default: all at once). */
  chunkDelayMs?: number;
  /** Delay before the headers, in ms (to test timeouts). */
  delayMs?: number;
  status?: number;
}

export interface UpstreamStub {
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

export function startUpstreamStub(opts: { respond?: (r: SeenRequest) => StubReply | string; record?: boolean } = {}): Promise<UpstreamStub> {
  const seen: SeenRequest[] = [];
  const respond = opts.respond ?? (() => 'Hello from the stub.');
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (req.method === 'GET' && path.endsWith('/models')) {
        const body = JSON.stringify({ object: 'list', data: [{ id: 'base-model', object: 'model', owned_by: 'stub' }] });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
        return;
      }
      if (req.method !== 'POST' || !path.endsWith('/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"error":{"message":"not found","type":"invalid_request_error","code":null}}');
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model?: string; messages: SeenRequest['messages']; stream?: boolean };
      const r: SeenRequest = { model: body.model ?? '', messages: body.messages, stream: body.stream === true, headers: req.headers };
      if (opts.record !== false) seen.push(r);
      const out = respond(r);
      const reply: StubReply = typeof out === 'string' ? { content: out } : out;
      const send = (): void => {
        if (res.destroyed) return;
        if (reply.status && reply.status >= 400) {
          res.writeHead(reply.status, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: `stub error ${reply.status}`, type: 'server_error', code: null } }));
          return;
        }
        if (!r.stream) {
          const payload = JSON.stringify({
            id: 'chatcmpl-stub',
            object: 'chat.completion',
            created: 0,
            model: r.model,
            choices: [reply.content, ...(reply.more ?? [])].map((content, index) => ({ index, message: index === 0 ? firstMessage(reply) : { role: 'assistant', content }, finish_reason: index === 0 && reply.tool_calls ? 'tool_calls' : 'stop' })),
            usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
          });
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
          res.end(payload);
          return;
        }
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        const n = reply.chunkChars ?? 8;
        const ev = (delta: Record<string, unknown>, finish: string | null, index = 0): string =>
          `data: ${JSON.stringify({ id: 'chatcmpl-stub', object: 'chat.completion.chunk', created: 0, model: r.model, choices: [{ index, delta, finish_reason: finish }] })}\n\n`;
        const all = [reply.content, ...(reply.more ?? [])];
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
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/v1`,
        seen,
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
  const m: Record<string, unknown> = { role: 'assistant', content: reply.content === '' && (reply.tool_calls || reply.function_call) ? null : reply.content };
  if (reply.refusal !== undefined) m.refusal = reply.refusal;
  if (reply.reasoning_content !== undefined) m.reasoning_content = reply.reasoning_content;
  if (reply.reasoning !== undefined) m.reasoning = reply.reasoning;
  if (reply.tool_calls) m.tool_calls = reply.tool_calls.map((t, i) => ({ id: `call_${i}`, type: 'function', function: { name: t.name, arguments: t.arguments } }));
  if (reply.function_call) m.function_call = reply.function_call;
  return m;
}
