import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Message } from '../../core/types.js';

/**
 * A local OpenAI-compatible server for tests and benchmarks (POST /v1/chat/completions,
 * GET /v1/models) on 127.0.0.1, port 0. `respond` decides each answer; a reply may set an HTTP
 * status (to test retries), a delay (to test timeouts) and token log-probabilities.
 */

export interface StubRequest {
  /** The parsed JSON body. */
  body: Record<string, unknown>;
  messages: Message[];
  model: string;
  headers: IncomingMessage['headers'];
  /** 0-based count of chat requests received before this one. */
  index: number;
}

export interface StubReply {
  content?: string;
  logprobs?: { token: string; logprob: number }[];
  status?: number;
  /** Raw body for error replies (default: an OpenAI-style error object). */
  body?: string;
  headers?: Record<string, string>;
  delayMs?: number;
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

export function startOpenAIStub(opts: {
  respond: (req: StubRequest) => string | StubReply | Promise<string | StubReply>;
  record?: boolean;
  port?: number;
}): Promise<OpenAIStub> {
  const requests: StubRequest[] = [];
  let n = 0;
  const record = opts.record ?? true;

  const send = (res: ServerResponse, status: number, payload: string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers });
    res.end(payload);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path?.endsWith('/models')) {
      send(res, 200, JSON.stringify({ object: 'list', data: [{ id: 'stub', object: 'model' }] }));
      return;
    }
    if (req.method !== 'POST' || !path?.endsWith('/chat/completions')) {
      send(res, 404, JSON.stringify({ error: { message: `no route ${req.method} ${path}` } }));
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      send(res, 400, JSON.stringify({ error: { message: 'invalid JSON' } }));
      return;
    }
    const sreq: StubRequest = { body, messages: (body.messages ?? []) as Message[], model: String(body.model ?? ''), headers: req.headers, index: n++ };
    if (record) requests.push(sreq);
    const out = await opts.respond(sreq);
    const reply: StubReply = typeof out === 'string' ? { content: out } : out;
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (res.destroyed) return;
    const status = reply.status ?? 200;
    if (status >= 400) {
      send(res, status, reply.body ?? JSON.stringify({ error: { message: `stub error ${status}` } }), reply.headers);
      return;
    }
    const content = reply.content ?? '';
    const choice: Record<string, unknown> = { index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' };
    if (reply.logprobs) choice.logprobs = { content: reply.logprobs.map((t) => ({ ...t, top_logprobs: [] })) };
    const payload = JSON.stringify({
      id: `chatcmpl-${sreq.index}`,
      object: 'chat.completion',
      created: 0,
      model: sreq.model,
      choices: [choice],
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
