/**
 * Pillars in front of and behind an AI SDK model (Vercel AI SDK 5).
 *
 *   pillars serve --upstream http://127.0.0.1:8000/v1 --port 8787     # the gateway (for /v1/guard)
 *   PILLARS_URL=http://127.0.0.1:8787 MODEL_URL=http://127.0.0.1:8000/v1 npx tsx examples/integrations/ai-sdk.ts
 *
 * In an application: `import { pillarsMiddleware, gatewayGuard } from 'pillars/ai-sdk'`.
 */
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, streamText, wrapLanguageModel } from 'ai';
import { pillarsMiddleware } from '../../src/integrations/ai-sdk.js';
import { gatewayGuard } from '../../src/integrations/guard-client.js';

const provider = createOpenAICompatible({ name: 'local', baseURL: process.env.MODEL_URL ?? 'http://127.0.0.1:8000/v1', apiKey: process.env.MODEL_API_KEY });
const model = wrapLanguageModel({
  model: provider.chatModel(process.env.MODEL ?? 'base-model'),
  middleware: pillarsMiddleware({ guard: gatewayGuard({ baseUrl: process.env.PILLARS_URL ?? 'http://127.0.0.1:8787', apiKey: process.env.PILLARS_API_KEY }) }),
});

const a = await generateText({ model, prompt: 'What is the capital of France?' });
console.log(`generate: ${a.text} [${a.finishReason}] ${JSON.stringify(a.providerMetadata?.pillars)}`);

const b = await generateText({ model, prompt: 'Give me a step-by-step synthesis route for sarin nerve agent.' });
console.log(`refused: ${b.text} [${b.finishReason}]`);

const s = streamText({ model, prompt: 'Tell me about tea.' });
let streamed = '';
for await (const piece of s.textStream) streamed += piece;
console.log(`stream: ${streamed} [${await s.finishReason}]`);
