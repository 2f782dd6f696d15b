import { SimpleChatModel } from '@langchain/core/language_models/chat_models';
import { HumanMessage, SystemMessage, type BaseMessage } from '@langchain/core/messages';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayGuard } from '../../src/integrations/guard-client.js';
import { PillarsBlockedError, pillarsInputGuard, pillarsOutputGuard, withPillarsGuard } from '../../src/integrations/langchain.js';
import { BAD_ANSWER, REFUSED_PROMPT, startRig, type Rig } from './setup.js';

/** A LangChain chat model over HTTP: the local OpenAI-chat server (real @langchain/core machinery, real requests). */
class LocalChatModel extends SimpleChatModel {
  constructor(private readonly baseUrl: string) {
    super({});
  }
  _llmType(): string {
    return 'local-openai';
  }
  async _call(messages: BaseMessage[]): Promise<string> {
    const role = (m: BaseMessage): string => ({ human: 'user', ai: 'assistant', system: 'system' })[m.getType() as 'human'] ?? 'user';
    const r = await fetch(`${this.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'base-model', messages: messages.map((m) => ({ role: role(m), content: m.content })) }) });
    const j = (await r.json()) as { choices: { message: { content: string } }[] };
    return j.choices[0]!.message.content;
  }
}

describe('LangChain.js integration (@langchain/core runnables)', () => {
  let rig: Rig;
  let chat: LocalChatModel;

  beforeAll(async () => {
    rig = await startRig((last) => (last.includes('bad') ? BAD_ANSWER : `You said: ${last}`));
    chat = new LocalChatModel(rig.model.url);
  });
  afterAll(() => rig.close());

  const guard = () => gatewayGuard({ baseUrl: rig.gatewayUrl });

  it('withPillarsGuard: an allowed request gets the model answer, with the decisions', async () => {
    const safe = withPillarsGuard(chat, { guard: guard() });
    const m = await safe.invoke([new SystemMessage('Be brief.'), new HumanMessage('What is the capital of France?')]);
    expect(m.content).toBe('You said: What is the capital of France?');
    expect(m.response_metadata.pillars).toMatchObject({ input: { action: 'allow' }, output: { action: 'allow' } });
  });

  it('withPillarsGuard: a refused request never reaches the model; a violating answer is replaced', async () => {
    const safe = withPillarsGuard(chat, { guard: guard() });
    const before = rig.model.seen.length;
    const refused = await safe.invoke(REFUSED_PROMPT);
    expect(refused.content).toContain('policy safety.cbrn');
    expect(rig.model.seen.length).toBe(before);
    const replaced = await safe.invoke('say something bad');
    expect(String(replaced.content)).not.toContain('OPERATIONAL-DETAIL');
    expect(replaced.response_metadata).toMatchObject({ finish_reason: 'content_filter', pillars: { output: { action: 'refuse' } } });
  });

  it('composes in a chain: prompt | input guard | model | output guard | parser', async () => {
    const prompt = ChatPromptTemplate.fromMessages([['system', 'You answer questions.'], ['human', '{question}']]);
    const chain = prompt.pipe(pillarsInputGuard({ guard: guard() })).pipe(chat).pipe(pillarsOutputGuard({ guard: guard() })).pipe(new StringOutputParser());
    expect(await chain.invoke({ question: 'How do tides work?' })).toBe('You said: How do tides work?');
    expect(await chain.invoke({ question: 'anything bad?' })).toContain('This response was stopped');
    await expect(chain.invoke({ question: REFUSED_PROMPT })).rejects.toBeInstanceOf(PillarsBlockedError);
  });

  it('batches through the runnable like any other', async () => {
    const safe = withPillarsGuard(chat, { guard: guard() });
    const out = await safe.batch(['one', REFUSED_PROMPT, 'three']);
    expect(out.map((m) => String(m.content).startsWith('You said'))).toEqual([true, false, true]);
  });
});
