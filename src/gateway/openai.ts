import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** OpenAI wire shapes the gateway reads and writes: errors, completions, chunks, SSE. */

export interface OpenAIErrorBody {
  error: { message: string; type: string; code: string | null; param?: string | null };
}

export function errorBody(message: string, type: string, code: string | null): OpenAIErrorBody {
  return { error: { message, type, code } };
}

/** A content part (`{type: 'text', text}`) or a plain string. */
const ContentPart = z.object({ type: z.string(), text: z.string().optional() }).passthrough();
export const ChatMessage = z
  .object({
    role: z.string().min(1),
    content: z.union([z.string(), z.array(ContentPart), z.null()]).optional(),
  })
  .passthrough();
export type ChatMessage = z.infer<typeof ChatMessage>;

export const ChatRequest = z
  .object({
    model: z.string().optional(),
    messages: z.array(ChatMessage).min(1),
    stream: z.boolean().optional(),
  })
  .passthrough();
export type ChatRequest = z.infer<typeof ChatRequest>;

export const newId = (prefix: string): string => `${prefix}${randomBytes(12).toString('hex')}`;

export interface Completion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: { index: number; message: { role: 'assistant'; content: string }; finish_reason: string }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

/** A completion the gateway writes itself (a refusal or deflection). */
export function syntheticCompletion(model: string, content: string, finishReason: string): Completion {
  return {
    id: newId('chatcmpl-pillars-'),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finishReason }],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  };
}

export function chunk(id: string, model: string, delta: Record<string, unknown>, finishReason: string | null): string {
  const c = { id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model, choices: [{ index: 0, delta, finish_reason: finishReason }] };
  return `data: ${JSON.stringify(c)}\n\n`;
}

export const DONE = 'data: [DONE]\n\n';

/**
 * Incremental SSE parser: feed it text, get back the `data:` payloads of complete events.
 * Handles LF and CRLF framing and multi-line data.
 */
export class SseParser {
  private buf = '';
  /** The last chunk ended with CR: an LF opening the next one is the same line ending. */
  private afterCr = false;
  push(text: string): { data: string; raw: string }[] {
    if (this.afterCr && text.startsWith('\n')) text = text.slice(1);
    this.afterCr = text.endsWith('\r');
    this.buf += text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
    const out: { data: string; raw: string }[] = [];
    let i: number;
    while ((i = this.buf.indexOf('\n\n')) >= 0) {
      const raw = this.buf.slice(0, i + 2);
      this.buf = this.buf.slice(i + 2);
      const data = raw
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(l.startsWith('data: ') ? 6 : 5))
        .join('\n');
      out.push({ data, raw });
    }
    return out;
  }
  /** Whatever remains (an event without its final blank line). */
  rest(): string {
    return this.buf;
  }
}
