import { generateText, type LanguageModel, type ModelMessage } from 'ai';
import { TargetError } from '../core/errors.js';
import type { Ctx, GenerateRequest, Generation, Message } from '../core/types.js';
import type { GenOptions } from './schema-common.js';
import { networkError } from './util.js';

/** Shared by the providers that sit on the Vercel AI SDK (anthropic, bedrock). */

function toModelMessages(messages: Message[]): ModelMessage[] {
  return messages.map((m): ModelMessage => {
    if (m.role === 'system') return { role: 'system', content: m.content };
    if (m.role === 'assistant') return { role: 'assistant', content: m.content };
    // Tool results in an item's transcript are shown to the model as user text.
    return { role: 'user', content: m.role === 'tool' ? `[tool result]\n${m.content}` : m.content };
  });
}

const FINISH: Record<string, Generation['finishReason']> = { stop: 'stop', length: 'length', 'content-filter': 'content_filter', error: 'error' };

export async function aiSdkGenerate(id: string, model: LanguageModel, defaults: GenOptions | undefined, req: GenerateRequest, ctx: Ctx): Promise<Generation> {
  const o = { ...defaults, ...req.options };
  const t0 = performance.now();
  try {
    const r = await generateText({
      model,
      messages: toModelMessages(req.messages),
      temperature: o.temperature,
      maxOutputTokens: o.maxTokens,
      seed: o.seed,
      stopSequences: o.stop,
      abortSignal: ctx.signal,
      maxRetries: 0, // the runner retries, with its own backoff and rate limits
    });
    return {
      text: r.text,
      finishReason: FINISH[r.finishReason] ?? 'other',
      usage: { inputTokens: r.usage.inputTokens, outputTokens: r.usage.outputTokens },
      latencyMs: Math.round(performance.now() - t0),
    };
  } catch (e) {
    const err = e as { statusCode?: number; isRetryable?: boolean; message?: string; responseBody?: string };
    if (typeof err.statusCode === 'number') {
      throw new TargetError(`target ${id}: HTTP ${err.statusCode}: ${err.message ?? ''}`, { status: err.statusCode, cause: e });
    }
    throw networkError(id, e, ctx.signal);
  }
}
