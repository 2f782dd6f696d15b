import { fileMedia } from '../align/media.js';
import { argsText } from './args-text.js';
import type { InputConfig } from './config.js';
import { fileData, fileText } from './file-text.js';
import { HttpError } from './http.js';
import type { ChatMessage, ChatRequest } from './openai.js';

/**
 * Every piece of text a chat request carries, wherever it sits: each message whatever its role,
 * each content part (`text`, `input_text`, `output_text`, `refusal`, `file`/`input_file` with text
 * or base64 text), an assistant turn's tool-call and function-call arguments, refusal and
 * reasoning, and the descriptions of the request's tools. Image and audio parts (and files holding
 * an image or audio) are not text: the aligner maps them into text (input-media.ts, src/align/);
 * any other part type is refused (400) rather than forwarded unread.
 */

export const TEXT_PARTS: ReadonlySet<string> = new Set(['text', 'input_text', 'output_text']);
export const FILE_PARTS: ReadonlySet<string> = new Set(['file', 'input_file']);
export const MEDIA_PARTS: ReadonlySet<string> = new Set(['image_url', 'input_image', 'input_audio']);

/** Where a text sits in the request, so a rewritten (redacted) text can be put back. */
export type InputPlace =
  | { at: 'content'; msg: number }
  | { at: 'part'; msg: number; part: number; field: 'text' | 'refusal' }
  | { at: 'file'; msg: number; part: number; mime: string }
  | { at: 'fixed' };

export interface InputSegment {
  /** e.g. `messages[2].content[1] (input_text)`. */
  where: string;
  place: InputPlace;
  /** The message's index (-1: the request's tools). */
  msg: number;
  /** The message's role (`tools` for tool definitions). */
  role: string;
  /** The caller's request (decided with the normal rule) or context (earlier turns, assistant text). */
  kind: 'request' | 'context';
  /** How the guard reads it: text the model wrote (assistant turns) is read as output. */
  guardRole: 'input' | 'output';
  text: string;
  /** Tool-call arguments are JSON. */
  json?: boolean;
  /** Text the aligner read from an image or audio part (`image: ocr`, `audio: speech` ...). */
  media?: string;
  /** A media part nothing could read, forwarded unread (gateway.align.unreadable: forward). */
  unread?: boolean;
}

/** Roles whose messages stay in force for the whole conversation (instructions, not turns). */
export const STANDING_ROLES: ReadonlySet<string> = new Set(['system', 'developer']);

const invalid = (message: string, code = 'invalid_request'): HttpError => new HttpError(400, message, 'invalid_request_error', code);

/** The request's texts, in order; throws a 400 for a part type the gateway cannot read. */
export function inputSegments(body: ChatRequest, cfg: InputConfig): InputSegment[] {
  const messages = body.messages;
  const out: InputSegment[] = [];
  const kinds = messageKinds(body, cfg);
  messages.forEach((m, i) => {
    const base = { msg: i, role: m.role, ...kinds[i]! } as const;
    const at = `messages[${i}]`;
    const add = (where: string, place: InputPlace, text: unknown, json = false): void => {
      if (typeof text !== 'string') return;
      // Tool-call arguments are read as their string values: `{"a": 1}` holds no text to decide.
      const read = json ? argsText(text) : text;
      if (read.trim() === '') return;
      out.push({ ...base, where: `${where} (${m.role})`, place, text: read, ...(json ? { json } : {}) });
    };
    const content = m.content;
    if (typeof content === 'string') add(`${at}.content`, { at: 'content', msg: i }, content);
    else if (Array.isArray(content)) {
      content.forEach((p, j) => {
        const where = `${at}.content[${j}]`;
        const part = p as Record<string, unknown>;
        if (TEXT_PARTS.has(p.type)) add(where, { at: 'part', msg: i, part: j, field: 'text' }, part.text);
        else if (p.type === 'refusal') add(where, { at: 'part', msg: i, part: j, field: 'refusal' }, part.refusal);
        else if (FILE_PARTS.has(p.type)) {
          const file = (p.type === 'file' ? part.file : part) as { file_data?: unknown; file_id?: unknown; filename?: unknown } | undefined;
          // An image or audio file is the aligner's to read.
          if (file && typeof file === 'object' && fileMedia(file)) return;
          const f = fileText(file && typeof file === 'object' ? file : {});
          if ('unreadable' in f) {
            if (cfg.unreadableFiles === 'reject') {
              throw invalid(`${where}: the gateway cannot read this ${p.type} part: ${f.unreadable}; only text files are checked (gateway.input.unreadableFiles: forward lets such files through unread)`, 'unreadable_file');
            }
          } else add(where, { at: 'file', msg: i, part: j, mime: f.mime }, f.text);
        } else if (!MEDIA_PARTS.has(p.type)) {
          throw invalid(`${where}.type: unknown content part type "${p.type}" (the gateway reads ${[...TEXT_PARTS, 'refusal', ...FILE_PARTS, ...MEDIA_PARTS].join(', ')})`);
        }
      });
    }
    const msg = m as Record<string, unknown>;
    add(`${at}.refusal`, { at: 'fixed' }, msg.refusal);
    add(`${at}.reasoning_content`, { at: 'fixed' }, msg.reasoning_content);
    add(`${at}.reasoning`, { at: 'fixed' }, msg.reasoning);
    if (Array.isArray(msg.tool_calls)) {
      msg.tool_calls.forEach((c: unknown, k: number) => add(`${at}.tool_calls[${k}].function.arguments`, { at: 'fixed' }, (c as { function?: { arguments?: unknown } })?.function?.arguments, true));
    }
    add(`${at}.function_call.arguments`, { at: 'fixed' }, (msg.function_call as { arguments?: unknown } | undefined)?.arguments, true);
  });
  if (cfg.tools) out.push(...toolSegments(body));
  return out;
}

/**
 * Each message's kind and how the guard reads it: the request (roles in `requestRoles`, in the
 * current turn, or standing instructions) or context; text the model wrote is read as output.
 */
export function messageKinds(body: ChatRequest, cfg: InputConfig): { kind: 'request' | 'context'; guardRole: 'input' | 'output' }[] {
  let lastAssistant = -1;
  body.messages.forEach((m, i) => {
    if (m.role === 'assistant') lastAssistant = i;
  });
  const requestRoles = new Set(cfg.requestRoles);
  return body.messages.map((m, i) => ({
    kind: requestRoles.has(m.role) && (i > lastAssistant || STANDING_ROLES.has(m.role)) ? 'request' : 'context',
    guardRole: m.role === 'assistant' ? 'output' : 'input',
  }));
}

/** The descriptions (and parameter descriptions) of the request's `tools` and legacy `functions`. */
function toolSegments(body: ChatRequest): InputSegment[] {
  const b = body as Record<string, unknown>;
  const defs: { where: string; fn: Record<string, unknown> }[] = [];
  if (Array.isArray(b.tools)) b.tools.forEach((t: unknown, k: number) => defs.push({ where: `tools[${k}]`, fn: ((t as { function?: unknown })?.function ?? t) as Record<string, unknown> }));
  if (Array.isArray(b.functions)) b.functions.forEach((f: unknown, k: number) => defs.push({ where: `functions[${k}]`, fn: (f ?? {}) as Record<string, unknown> }));
  const out: InputSegment[] = [];
  for (const { where, fn } of defs) {
    if (!fn || typeof fn !== 'object') continue;
    const texts: string[] = [];
    if (typeof fn.description === 'string') texts.push(fn.description);
    describe(fn.parameters, texts);
    const text = texts.join('\n');
    if (text.trim() === '') continue;
    out.push({ where: `${where} (${typeof fn.name === 'string' ? fn.name : 'tool'})`, place: { at: 'fixed' }, msg: -1, role: 'tools', kind: 'request', guardRole: 'input', text });
  }
  return out;
}

/**
 * Descriptions, titles and string enum values inside a JSON schema, in document order. A walk
 * with its own stack: a schema nested any depth cannot overflow the call stack.
 */
function describe(root: unknown, out: string[]): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v instanceof Text) out.push(v.text);
    else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    } else if (v && typeof v === 'object') {
      // Children are pushed in reverse, texts collected in order: a text is pushed as a marker.
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, x] = entries[i]!;
        if ((k === 'description' || k === 'title') && typeof x === 'string') stack.push(new Text(x));
        else if (k === 'enum' && Array.isArray(x)) {
          const names = x.filter((e): e is string => typeof e === 'string');
          for (let j = names.length - 1; j >= 0; j--) stack.push(new Text(names[j]!));
        } else stack.push(x);
      }
    }
  }
}

/** A text found by `describe`, waiting on its stack for its turn. */
class Text {
  constructor(readonly text: string) {}
}

/** The messages with some texts rewritten (redaction); untouched messages are shared, never mutated. */
export function rewriteInput(messages: ChatMessage[], edits: { place: InputPlace; text: string }[]): ChatMessage[] {
  if (edits.length === 0) return messages;
  const out = messages.slice();
  const copy = (i: number): ChatMessage => {
    if (out[i] === messages[i]) out[i] = { ...messages[i]!, ...(Array.isArray(messages[i]!.content) ? { content: messages[i]!.content!.slice() } : {}) };
    return out[i]!;
  };
  for (const { place, text } of edits) {
    if (place.at === 'content') copy(place.msg).content = text;
    else if (place.at === 'part') {
      const m = copy(place.msg);
      const parts = m.content as Record<string, unknown>[];
      parts[place.part] = { ...parts[place.part], [place.field]: text } as (typeof parts)[number];
    } else if (place.at === 'file') {
      const m = copy(place.msg);
      const parts = m.content as Record<string, unknown>[];
      const p = parts[place.part]!;
      const data = fileData(text, place.mime);
      parts[place.part] = p.type === 'file' ? { ...p, file: { ...(p.file as object), file_data: data } } : { ...p, file_data: data };
    }
  }
  return out;
}

/** All readable text of one message (content parts and files joined), for the audit. */
export function messageText(m: ChatMessage, cfg: InputConfig): string {
  try {
    return inputSegments({ messages: [m] }, { ...cfg, unreadableFiles: 'forward', tools: false })
      .map((s) => s.text)
      .join('\n');
  } catch {
    return typeof m.content === 'string' ? m.content : '';
  }
}
