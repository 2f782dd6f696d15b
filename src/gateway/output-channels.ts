import { argsText } from './args-text.js';
import { TEXT_PARTS } from './input-channels.js';

/**
 * Every channel of text in a model's answer: per choice, `content` (a string or text parts),
 * `refusal`, `reasoning_content`, `reasoning`, each tool call's `function.arguments`, the legacy
 * `function_call.arguments` and an audio answer's `transcript`. Streams carry the same channels
 * as deltas (stream.ts); this is the non-streamed shape.
 */

export type ChannelKind = 'content' | 'refusal' | 'reasoning_content' | 'reasoning' | 'tool_call' | 'function_call' | 'audio_transcript';

export interface OutputText {
  choice: number;
  kind: ChannelKind;
  /** e.g. `choices[0].message.tool_calls[1].function.arguments`. */
  where: string;
  text: string;
  json: boolean;
}

export interface UpMessage {
  role?: string;
  content?: unknown;
  refusal?: unknown;
  reasoning_content?: unknown;
  reasoning?: unknown;
  tool_calls?: { function?: { arguments?: unknown } }[];
  function_call?: { arguments?: unknown };
  audio?: { transcript?: unknown };
  [k: string]: unknown;
}

export interface UpChoice {
  index?: number;
  message?: UpMessage;
  finish_reason?: string | null;
  logprobs?: unknown;
  [k: string]: unknown;
}

/** `reasoning` may be a string or an object with text in it (providers differ). */
export function reasoningText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of ['content', 'text', 'summary']) if (typeof o[k] === 'string') return o[k];
  }
  return '';
}

export function contentOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((p: { type?: unknown; text?: unknown; refusal?: unknown }) => (TEXT_PARTS.has(String(p?.type)) && typeof p.text === 'string' ? p.text : p?.type === 'refusal' && typeof p.refusal === 'string' ? p.refusal : ''))
    .filter((t) => t !== '')
    .join('\n');
}

export function outputTexts(choices: UpChoice[]): OutputText[] {
  const out: OutputText[] = [];
  choices.forEach((c, n) => {
    const m = c.message;
    if (!m) return;
    const i = typeof c.index === 'number' ? c.index : n;
    const at = `choices[${n}].message`;
    const add = (kind: ChannelKind, where: string, text: string, json = false): void => {
      if (text.trim() !== '') out.push({ choice: i, kind, where: `${at}.${where}`, text: json ? argsText(text) : text, json });
    };
    add('content', 'content', contentOf(m.content));
    if (typeof m.refusal === 'string') add('refusal', 'refusal', m.refusal);
    if (typeof m.reasoning_content === 'string') add('reasoning_content', 'reasoning_content', m.reasoning_content);
    add('reasoning', 'reasoning', reasoningText(m.reasoning));
    (Array.isArray(m.tool_calls) ? m.tool_calls : []).forEach((t, k) => {
      if (typeof t?.function?.arguments === 'string') add('tool_call', `tool_calls[${k}].function.arguments`, t.function.arguments, true);
    });
    if (typeof m.function_call?.arguments === 'string') add('function_call', 'function_call.arguments', m.function_call.arguments, true);
    if (typeof m.audio?.transcript === 'string') add('audio_transcript', 'audio.transcript', m.audio.transcript);
  });
  return out;
}

/** Replace every choice's answer by the gateway's message: nothing of the upstream's answer remains. */
export function blockChoices(choices: UpChoice[], message: string): void {
  for (const c of choices) {
    c.message = { role: 'assistant', content: message, refusal: null };
    c.finish_reason = 'content_filter';
    if ('logprobs' in c) c.logprobs = null;
  }
}

/** Redact every text channel of every choice. */
export function redactChoices(choices: UpChoice[], redact: (t: string) => string): void {
  for (const c of choices) {
    const m = c.message;
    if (!m) continue;
    if (typeof m.content === 'string') m.content = redact(m.content);
    else if (Array.isArray(m.content)) m.content = m.content.map((p: Record<string, unknown>) => (typeof p?.text === 'string' ? { ...p, text: redact(p.text) } : p));
    for (const k of ['refusal', 'reasoning_content', 'reasoning'] as const) if (typeof m[k] === 'string') m[k] = redact(m[k]);
    for (const t of Array.isArray(m.tool_calls) ? m.tool_calls : []) if (typeof t?.function?.arguments === 'string') t.function.arguments = redact(t.function.arguments);
    if (typeof m.function_call?.arguments === 'string') m.function_call.arguments = redact(m.function_call.arguments);
    if (m.audio && typeof m.audio.transcript === 'string') m.audio.transcript = redact(m.audio.transcript);
    if ('logprobs' in c && c.logprobs) c.logprobs = null;
  }
}
