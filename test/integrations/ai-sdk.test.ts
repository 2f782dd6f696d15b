import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, streamText, wrapLanguageModel } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pillarsMiddleware } from '../../src/integrations/ai-sdk.js';
import { gatewayGuard } from '../../src/integrations/guard-client.js';
import { BAD_ANSWER, LONG_ANSWER, REFUSED_PROMPT, startRig, type Rig } from './setup.js';

/** The AI SDK middleware against the real `ai` package and provider, a real gateway and a local model server. */
describe('Vercel AI SDK middleware (wrapLanguageModel)', () => {
  let rig: Rig;
  let model: ReturnType<typeof wrapLanguageModel>;

  beforeAll(async () => {
    rig = await startRig((last) => (last.includes('bad') ? { content: BAD_ANSWER, chunkChars: 7 } : last.includes('long') ? { content: LONG_ANSWER, chunkChars: 9 } : { content: 'Paris is the capital of France.', chunkChars: 5 }));
    const provider = createOpenAICompatible({ name: 'stub', baseURL: rig.model.url });
    model = wrapLanguageModel({ model: provider.chatModel('base-model'), middleware: pillarsMiddleware({ guard: gatewayGuard({ baseUrl: rig.gatewayUrl }), windowChars: 64 }) });
  });
  afterAll(() => rig.close());

  it('lets an allowed request and answer through, with the decisions in providerMetadata', async () => {
    const r = await generateText({ model, prompt: 'What is the capital of France?' });
    expect(r.text).toBe('Paris is the capital of France.');
    expect(r.finishReason).toBe('stop');
    expect(r.providerMetadata?.pillars).toMatchObject({ input: { action: 'allow' }, output: { action: 'allow' } });
  });

  it('refuses in front: the model is never called', async () => {
    const before = rig.model.seen.length;
    const r = await generateText({ model, prompt: REFUSED_PROMPT });
    expect(r.text).toContain('I can’t help with that (policy safety.cbrn).');
    expect(r.finishReason).toBe('content-filter');
    expect(rig.model.seen.length).toBe(before);
  });

  it('refuses behind: a violating answer is replaced', async () => {
    const r = await generateText({ model, prompt: 'Tell me something bad' });
    expect(r.text).not.toContain('OPERATIONAL-DETAIL');
    expect(r.text).toContain('This response was stopped');
    expect(r.providerMetadata?.pillars).toMatchObject({ output: { action: 'refuse', policy: 'safety.cbrn' } });
  });

  it('streams an allowed answer in pieces, whole', async () => {
    const r = streamText({ model, prompt: 'Tell me a long story about tea' });
    const pieces: string[] = [];
    for await (const t of r.textStream) pieces.push(t);
    expect(pieces.join('')).toBe(LONG_ANSWER);
    expect(pieces.length).toBeGreaterThan(3);
    expect(await r.finishReason).toBe('stop');
  });

  it('holds a stream back: nothing after the violation is released, and it ends with the policy message', async () => {
    const r = streamText({ model, prompt: 'Stream something bad' });
    let text = '';
    for await (const t of r.textStream) text += t;
    expect(text).not.toContain('OPERATIONAL-DETAIL');
    expect(text).not.toContain('More text after it');
    expect(text).toContain('This response was stopped');
    expect(await r.finishReason).toBe('content-filter');
  });

  it('refuses a streamed request in front', async () => {
    const before = rig.model.seen.length;
    const r = streamText({ model, prompt: REFUSED_PROMPT });
    let text = '';
    for await (const t of r.textStream) text += t;
    expect(text).toContain('policy safety.cbrn');
    expect(rig.model.seen.length).toBe(before);
  });
});
