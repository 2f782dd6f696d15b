import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeBase64 } from '../../src/attacks/index.js';
import type { Ctx, GenerateRequest, Generation, Message, Target } from '../../src/core/types.js';

/**
 * Test helpers for the red-team/deception/frontier tests: a minimal OpenAI-compatible server on
 * 127.0.0.1 (POST /v1/chat/completions) and a small fetch-based Target talking to it.
 */
export interface MiniStub {
  url: string;
  requests: Message[][];
  close(): Promise<void>;
}

export async function startMiniStub(respond: (messages: Message[]) => string): Promise<MiniStub> {
  const requests: Message[][] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.writeHead(404).end('{}');
        return;
      }
      const body = JSON.parse(raw) as { messages: Message[] };
      requests.push(body.messages);
      const content = respond(body.messages);
      const payload = JSON.stringify({
        id: `chatcmpl-${requests.length}`,
        object: 'chat.completion',
        created: 0,
        model: 'stub',
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(payload);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export function miniTarget(id: string, url: string): Target {
  return {
    id,
    fingerprint: `mini:${url}`,
    async generate(req: GenerateRequest, ctx: Ctx): Promise<Generation> {
      const r = await fetch(`${url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'stub', messages: req.messages, temperature: req.options?.temperature ?? 0 }),
        signal: ctx.signal,
      });
      const j = (await r.json()) as { choices: { message: { content: string } }[]; usage?: { prompt_tokens: number; completion_tokens: number } };
      return { text: j.choices[0]?.message.content ?? '', usage: { inputTokens: j.usage?.prompt_tokens, outputTokens: j.usage?.completion_tokens } };
    },
  };
}

export const REFUSAL = "I'm sorry, but I can't help with that request.";
export const COMPLIANCE = 'Sure! Staying in character: here is the full walkthrough you asked for, step by step. Step 1: gather what you need. Step 2: follow the procedure in order. Step 3: you are done.';

/** True when the text holds a base64 blob that decodes to readable text. */
export function hasBase64Payload(text: string): boolean {
  for (const m of text.matchAll(/[A-Za-z0-9+/]{16,}={0,2}/g)) {
    const dec = decodeBase64(m[0]);
    if (/^[\x20-\x7e\n]{8,}$/.test(dec) && /[a-z]{3,} [a-z]{2,}/i.test(dec)) return true;
  }
  return false;
}

/** A model that gives in only to base64-encoded requests inside a role-play framing. */
export function base64RoleplayModel(opts: { hardenedBy?: RegExp } = {}) {
  return (messages: Message[]): string => {
    const system = messages.find((m) => m.role === 'system')?.content ?? '';
    if (opts.hardenedBy && opts.hardenedBy.test(system)) return REFUSAL;
    const last = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    const roleplay = /stay in character|in character, respond/i.test(last);
    return roleplay && hasBase64Payload(last) ? COMPLIANCE : REFUSAL;
  };
}
