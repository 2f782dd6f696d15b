import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/server.js';
import { acmePack, post, readSseChoices, ruleGuard } from './helpers.js';

/**
 * Stream shapes an upstream may send, through the hold-back (rule guard): keep-alive comments,
 * a usage chunk, logprobs, an error object, interleaved choices, CRLF framing, a multi-byte
 * character split across network writes, a final event without its blank line.
 */

let events: string[] = [];
const ev = (o: unknown): string => `data: ${JSON.stringify(o)}\n\n`;
const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => ev({ id: 'chatcmpl-up', object: 'chat.completion.chunk', created: 7, model: 'up-model', choices, ...extra });

describe('stream shapes through the hold-back', () => {
  let upstream: Server;
  let gw: Gateway;
  let url: string;

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        // Written byte by byte in a few writes: events and characters split anywhere.
        const bytes = Buffer.from(events.join(''), 'utf8');
        const cuts = [0, 5, 77, 78, 79, 301, bytes.length];
        let k = 0;
        const next = (): void => {
          if (k >= cuts.length - 1) return void res.end();
          res.write(bytes.subarray(cuts[k], cuts[k + 1]));
          k++;
          setTimeout(next, 2);
        };
        next();
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const up = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
    gw = createGateway({ guard: ruleGuard(acmePack()), upstream: up, config: { stream: { windowChars: 32, lookaheadChars: 16, overlapChars: 8 } } });
    url = (await gw.listen({ port: 0, host: '127.0.0.1' })).url;
  });

  afterAll(async () => {
    await gw.close();
    await new Promise<void>((r) => upstream.close(() => r()));
  });

  const stream = () => post(`${url}/v1/chat/completions`, { model: 'm', stream: true, messages: [{ role: 'user', content: 'hello' }] });

  it('keeps the upstream id, model and created; relays comments at once; usage, logprobs and finish after the text; multi-byte text whole', async () => {
    const text = 'Grüße aus München! 😀 Das Wetter ist schön. Wir sehen uns bald wieder, bis dann.';
    events = [
      ': keep-alive\n\n',
      chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]),
      ...Array.from({ length: Math.ceil(text.length / 5) }, (_, i) => chunk([{ index: 0, delta: { content: text.slice(i * 5, i * 5 + 5) }, logprobs: { content: [{ token: text.slice(i * 5, i * 5 + 5), logprob: -0.1 }] }, finish_reason: null }])),
      chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]),
      chunk([], { usage: { prompt_tokens: 3, completion_tokens: 9, total_tokens: 12 } }),
      'data: [DONE]\n\n',
    ].map((e) => e.replace(/\n/g, '\r\n'));
    const r = await stream();
    expect(r.status).toBe(200);
    expect(r.text.startsWith(': keep-alive')).toBe(true);
    const s = readSseChoices(r.text);
    expect(s.choices[0]!.content).toBe(text);
    expect(s.choices[0]!.finish).toBe('stop');
    expect(s.done).toBe(true);
    const datas = r.text.split('\n\n').filter((b) => b.startsWith('data: {')).map((b) => JSON.parse(b.slice(6)) as Record<string, unknown>);
    expect(datas.every((d) => d.id === 'chatcmpl-up' && d.model === 'up-model' && d.created === 7)).toBe(true);
    const fin = datas.find((d) => (d.choices as { finish_reason: string | null }[])[0]?.finish_reason === 'stop')!;
    expect(((fin.choices as { logprobs: { content: unknown[] } }[])[0]!.logprobs.content).length).toBe(Math.ceil(text.length / 5));
    expect(datas.at(-1)!.usage).toEqual({ prompt_tokens: 3, completion_tokens: 9, total_tokens: 12 });
    expect(r.text.trim().endsWith('data: [DONE]')).toBe(true);
  });

  it('holds interleaved choices apart and cuts every choice when one violates', async () => {
    const a = 'A harmless answer that talks about the weather for a while and then ends.';
    const b = 'The second answer starts well but then OPERATIONAL-DETAIL appears in it, which must be cut.';
    events = [];
    for (let i = 0; i < Math.max(a.length, b.length); i += 6) {
      if (i < a.length) events.push(chunk([{ index: 0, delta: { content: a.slice(i, i + 6) }, finish_reason: null }]));
      if (i < b.length) events.push(chunk([{ index: 1, delta: { content: b.slice(i, i + 6) }, finish_reason: null }]));
    }
    events.push(chunk([{ index: 0, delta: {}, finish_reason: 'stop' }, { index: 1, delta: {}, finish_reason: 'stop' }]), 'data: [DONE]\n\n');
    const r = await stream();
    expect(r.text).not.toContain('OPERATIONAL');
    const s = readSseChoices(r.text);
    expect(b.startsWith(s.choices[1]!.content.split('\n\n[')[0]!)).toBe(true);
    expect(s.choices[1]!.finish).toBe('content_filter');
    expect(s.choices[0]!.finish).toBe('content_filter');
  });

  it('passes an upstream error object on after the checked text, and reads a last event without its blank line', async () => {
    events = [chunk([{ index: 0, delta: { content: 'Partial answer. ' }, finish_reason: null }]), ev({ error: { message: 'overloaded', type: 'server_error' } }), chunk([{ index: 0, delta: { content: 'Tail.' }, finish_reason: 'stop' }]).trimEnd()];
    const r = await stream();
    const s = readSseChoices(r.text.split('\n\n').filter((b) => !b.includes('"error"')).join('\n\n'));
    expect(s.choices[0]!.content).toBe('Partial answer. Tail.');
    expect(r.text).toContain('"overloaded"');
    expect(r.text.indexOf('"overloaded"')).toBeGreaterThan(r.text.indexOf('Tail.'));
  });
});
