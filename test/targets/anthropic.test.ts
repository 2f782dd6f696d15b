import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCtx } from '../../src/core/context.js';
import { TargetError } from '../../src/core/errors.js';
import { AnthropicTarget } from '../../src/targets/anthropic/index.js';

/** A local server speaking Anthropic's Messages API, to check the AI SDK provider wiring. */
describe('anthropic target (AI SDK provider) against a local Messages API server', () => {
  const seen: { headers: Record<string, unknown>; body: Record<string, unknown> }[] = [];
  let url = '';
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as Record<string, unknown>;
      seen.push({ headers: req.headers, body });
      if ((body.messages as { content: unknown }[]).length === 3) {
        res.writeHead(529, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          model: body.model,
          content: [{ type: 'text', text: 'I cannot help with that.' }],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage: { input_tokens: 12, output_tokens: 7 },
        }),
      );
    });
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    process.env.PILLARS_ANTHROPIC_TEST = 'sk-ant-test';
  });
  afterAll(async () => {
    delete process.env.PILLARS_ANTHROPIC_TEST;
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('sends system, multi-turn messages and options; returns text and usage', async () => {
    const t = new AnthropicTarget({ id: 'a', type: 'anthropic', model: 'claude-3-5-haiku-latest', apiKeyEnv: 'PILLARS_ANTHROPIC_TEST', baseUrl: url, options: { maxTokens: 64 } });
    const gen = await t.generate({ messages: [{ role: 'system', content: 'Be safe.' }, { role: 'user', content: 'hi' }], options: { temperature: 0.3 } }, createCtx());
    expect(gen.text).toBe('I cannot help with that.');
    expect(gen.usage).toEqual({ inputTokens: 12, outputTokens: 7 });
    expect(seen[0]!.headers['x-api-key']).toBe('sk-ant-test');
    expect(seen[0]!.body).toMatchObject({ model: 'claude-3-5-haiku-latest', max_tokens: 64, temperature: 0.3 });
    expect(JSON.stringify(seen[0]!.body.system)).toContain('Be safe.');
  });

  it('maps an overloaded answer (529) to a retryable TargetError, without retrying inside the SDK', async () => {
    const t = new AnthropicTarget({ id: 'a', type: 'anthropic', model: 'claude-3-5-haiku-latest', apiKeyEnv: 'PILLARS_ANTHROPIC_TEST', baseUrl: url });
    const before = seen.length;
    const e = await t.generate({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: 'c' }] }, createCtx()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TargetError);
    expect((e as TargetError).status).toBe(529);
    expect((e as TargetError).isRetryable).toBe(true);
    expect(seen.length - before).toBe(1);
  });
});
