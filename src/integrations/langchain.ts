import type { BaseLanguageModelInput } from '@langchain/core/language_models/base';
import { AIMessage, coerceMessageLikeToMessage, type BaseMessage, type BaseMessageLike } from '@langchain/core/messages';
import { BasePromptValue } from '@langchain/core/prompt_values';
import { RunnableLambda, type Runnable, type RunnableConfig } from '@langchain/core/runnables';
import type { Decision } from '../core/types.js';
import { blockedText, isBlockingAction, type GuardFn } from './guard-client.js';

/**
 * Pillars in LangChain.js: the guard as runnables in front of and behind a chat model.
 *
 * - `pillarsInputGuard({guard})`: passes its input through unchanged, or throws
 *   `PillarsBlockedError` (with the decision and the policy's message) when the last human message
 *   is refused or deflected;
 * - `pillarsOutputGuard({guard})`: passes an allowed answer through and replaces a stopped one with
 *   the policy's message (`response_metadata.pillars` says what was decided);
 * - `withPillarsGuard(model, {guard})`: both around a model, answering a stopped request with the
 *   policy's message instead of throwing:
 *   `const safe = withPillarsGuard(new ChatOpenAI(...), {guard: gatewayGuard({baseUrl})}); await safe.invoke('...')`.
 */

export class PillarsBlockedError extends Error {
  constructor(
    readonly decision: Decision,
    readonly text: string,
  ) {
    super(`Pillars ${decision.action}: ${text}`);
    this.name = 'PillarsBlockedError';
  }
}

export interface PillarsLangChainOptions {
  guard: GuardFn;
}

function contentText(content: BaseMessage['content']): string {
  if (typeof content === 'string') return content;
  return content.map((p) => (typeof p === 'string' ? p : p.type === 'text' && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).filter(Boolean).join('\n');
}

/** The text to decide in a chat model's input: a string, or its last human message. */
export function inputText(input: BaseLanguageModelInput): string {
  if (typeof input === 'string') return input;
  const messages: BaseMessage[] = input instanceof BasePromptValue ? input.toChatMessages() : (input as BaseMessageLike[]).map((m) => coerceMessageLikeToMessage(m));
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.getType() === 'human') return contentText(messages[i]!.content);
  return '';
}

const summary = (d: Decision): Record<string, unknown> => ({ action: d.action, policy: d.policy, level: d.level, score: d.score, stage: d.stage });

export function pillarsInputGuard(opts: PillarsLangChainOptions): Runnable<BaseLanguageModelInput, BaseLanguageModelInput> {
  return RunnableLambda.from(async (input: BaseLanguageModelInput, config?: RunnableConfig) => {
    const d = await opts.guard({ text: inputText(input), role: 'input' }, config?.signal);
    if (isBlockingAction(d)) throw new PillarsBlockedError(d, blockedText(d));
    return input;
  }).withConfig({ runName: 'PillarsInputGuard' });
}

async function checkAnswer(guard: GuardFn, msg: BaseMessage, input: Decision | null, signal?: AbortSignal): Promise<AIMessage> {
  const text = contentText(msg.content);
  const d = text.trim() ? await guard({ text, role: 'output' }, signal) : null;
  const pillars = { ...(input ? { input: summary(input) } : {}), ...(d ? { output: summary(d) } : {}) };
  if (d && isBlockingAction(d)) return new AIMessage({ content: blockedText(d), response_metadata: { ...msg.response_metadata, finish_reason: 'content_filter', pillars } });
  return new AIMessage({ content: msg.content, id: msg.id, additional_kwargs: msg.additional_kwargs, response_metadata: { ...msg.response_metadata, pillars }, ...(msg instanceof AIMessage ? { tool_calls: msg.tool_calls, usage_metadata: msg.usage_metadata } : {}) });
}

export function pillarsOutputGuard(opts: PillarsLangChainOptions): Runnable<BaseMessage, AIMessage> {
  return RunnableLambda.from((msg: BaseMessage, config?: RunnableConfig) => checkAnswer(opts.guard, msg, null, config?.signal)).withConfig({ runName: 'PillarsOutputGuard' });
}

export function withPillarsGuard(model: Runnable<BaseLanguageModelInput, BaseMessage>, opts: PillarsLangChainOptions): Runnable<BaseLanguageModelInput, AIMessage> {
  return RunnableLambda.from(async (input: BaseLanguageModelInput, config?: RunnableConfig) => {
    const d = await opts.guard({ text: inputText(input), role: 'input' }, config?.signal);
    if (isBlockingAction(d)) return new AIMessage({ content: blockedText(d), response_metadata: { finish_reason: 'content_filter', pillars: { input: summary(d) } } });
    const answer = await model.invoke(input, config);
    return checkAnswer(opts.guard, answer, d, config?.signal);
  }).withConfig({ runName: 'PillarsGuardedChatModel' });
}
