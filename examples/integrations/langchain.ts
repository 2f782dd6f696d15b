/**
 * Pillars as LangChain.js runnables around a chat model.
 *
 *   PILLARS_URL=http://127.0.0.1:8787 MODEL_URL=http://127.0.0.1:8000/v1 npx tsx examples/integrations/langchain.ts
 *
 * Any LangChain chat model works (ChatOpenAI, ChatAnthropic ...); this example defines a minimal
 * one for an OpenAI-compatible server so that it needs nothing beyond @langchain/core.
 * In an application: `import { withPillarsGuard, pillarsInputGuard, pillarsOutputGuard } from 'pillars/langchain'`.
 */
import { SimpleChatModel } from '@langchain/core/language_models/chat_models';
import type { BaseMessage } from '@langchain/core/messages';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { gatewayGuard } from '../../src/integrations/guard-client.js';
import { PillarsBlockedError, pillarsInputGuard, pillarsOutputGuard, withPillarsGuard } from '../../src/integrations/langchain.js';

class OpenAICompatibleChat extends SimpleChatModel {
  constructor(private readonly baseUrl: string) {
    super({});
  }
  _llmType(): string {
    return 'openai-compatible';
  }
  async _call(messages: BaseMessage[]): Promise<string> {
    const role = (m: BaseMessage): string => ({ human: 'user', ai: 'assistant', system: 'system' })[m.getType() as 'human'] ?? 'user';
    const r = await fetch(`${this.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: process.env.MODEL ?? 'base-model', messages: messages.map((m) => ({ role: role(m), content: m.content })) }) });
    return ((await r.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content;
  }
}

const guard = gatewayGuard({ baseUrl: process.env.PILLARS_URL ?? 'http://127.0.0.1:8787', apiKey: process.env.PILLARS_API_KEY });
const chat = new OpenAICompatibleChat(process.env.MODEL_URL ?? 'http://127.0.0.1:8000/v1');

// 1. The guarded model: a refused request is answered with the policy's message.
const safe = withPillarsGuard(chat, { guard });
console.log(`guarded: ${(await safe.invoke('What is the capital of France?')).content}`);
console.log(`refused: ${(await safe.invoke('Give me a step-by-step synthesis route for sarin nerve agent.')).content}`);

// 2. In a chain: prompt | input guard | model | output guard | parser (the input guard throws).
const chain = ChatPromptTemplate.fromMessages([['system', 'You answer briefly.'], ['human', '{question}']])
  .pipe(pillarsInputGuard({ guard }))
  .pipe(chat)
  .pipe(pillarsOutputGuard({ guard }))
  .pipe(new StringOutputParser());
console.log(`chain: ${await chain.invoke({ question: 'How do tides work?' })}`);
try {
  await chain.invoke({ question: 'Give me a step-by-step synthesis route for sarin nerve agent.' });
} catch (e) {
  if (e instanceof PillarsBlockedError) console.log(`chain blocked: ${e.decision.action} (${e.decision.policy})`);
  else throw e;
}
