import type { Message } from '../core/types.js';
import type { RewardItem } from './scorer.js';

/**
 * What the reward model reads as "the prompt": the last user turn. One function for every way a
 * prompt arrives, so `reward score`, the server's `/get_reward` and `/v1/reward`, and training read
 * a prompt the same way:
 *
 * - plain text;
 * - a chat-templated string (ChatML / Qwen, Llama 3, Llama 2 / Mistral `[INST]`, Gemma, Phi-3,
 *   DeepSeek, Vicuna `USER:`/`ASSISTANT:`, Alpaca `### Instruction:`, hh-rlhf `Human:`/`Assistant:`),
 *   system prompts dropped;
 * - a message list ({role, content}[]), as OpenAI-style clients and OpenRLHF datasets send it.
 *
 * OpenRLHF's remote reward model receives `query` = chat-templated prompt + response (and, in recent
 * versions, the `prompts` list): `splitQuery` cuts the response off and reads the prompt the same way.
 */

const USER_PATTERNS: RegExp[] = [
  /<\|im_start\|>user\s*\n([\s\S]*?)<\|im_end\|>/g,
  /<\|start_header_id\|>user<\|end_header_id\|>\s*([\s\S]*?)<\|eot_id\|>/g,
  /\[INST\]([\s\S]*?)\[\/INST\]/g,
  /<start_of_turn>user\s*\n([\s\S]*?)<end_of_turn>/g,
  /<\|user\|>\s*([\s\S]*?)(?:<\|end\|>|<\|assistant\|>)/g,
  /<｜User｜>([\s\S]*?)(?=<｜Assistant｜>)/g,
  /(?:^|\n)USER:\s*([\s\S]*?)(?=\s*ASSISTANT:)/g,
  /### Instruction:\s*\n([\s\S]*?)(?=\n+### (?:Input|Response):)/g,
  /(?:^|\n\n)Human:\s*([\s\S]*?)(?=\n\nAssistant:)/g,
];

/** Where the assistant's answer starts in each template (the longest match wins when several are found). */
const ASSISTANT_MARKERS = [
  '<|im_start|>assistant\n',
  '<|start_header_id|>assistant<|end_header_id|>\n\n',
  '[/INST]',
  '<start_of_turn>model\n',
  '<|assistant|>',
  '<｜Assistant｜>',
  'ASSISTANT:',
  '### Response:',
  '\n\nAssistant:',
];

const END_TOKENS = /(<\|im_end\|>|<\|eot_id\|>|<\|endoftext\|>|<\/s>|<\|end\|>|<end_of_turn>|<eos>|<｜end▁of▁sentence｜>)\s*$/;

/** The user's text inside a chat-templated prompt (last user turn), or the prompt itself. */
export function userText(prompt: string): string {
  for (const re of USER_PATTERNS) {
    const all = [...prompt.matchAll(re)];
    if (all.length) return all.at(-1)![1]!.replace(/<<SYS>>[\s\S]*?<<\/SYS>>/, '').replace(/^<s>\s*/, '').trim();
  }
  return prompt.trim();
}

/** The prompt text the reward model reads, from a string (plain or chat-templated) or a message list. */
export function scoringPrompt(prompt: string | readonly { role: string; content: string }[]): string {
  if (typeof prompt === 'string') return userText(prompt);
  const last = [...prompt].reverse().find((m) => m.role === 'user');
  return last ? userText(last.content) : '';
}

/** Split an OpenRLHF query (templated prompt + response) into the prompt text and the response. */
export function splitQuery(query: string, prompt?: string): RewardItem {
  if (prompt !== undefined && query.startsWith(prompt)) {
    return { prompt: userText(prompt), response: query.slice(prompt.length).replace(END_TOKENS, '').trim() };
  }
  let at = -1;
  let len = 0;
  for (const m of ASSISTANT_MARKERS) {
    const i = query.lastIndexOf(m);
    if (i > at) {
      at = i;
      len = m.length;
    }
  }
  if (at >= 0) return { prompt: userText(query.slice(0, at + len)), response: query.slice(at + len).replace(END_TOKENS, '').trim() };
  return { prompt: prompt !== undefined ? userText(prompt) : '', response: query.replace(END_TOKENS, '').trim() };
}

/**
 * One row of `reward score` input or of `/v1/reward` items as a scored item: `{prompt, response}`
 * with `prompt` a string or a message list, `{messages, response}`, or OpenRLHF's `{query,
 * prompt?}`. Returns the reason a row cannot be read instead of throwing.
 */
export function rewardItemOf(row: unknown): RewardItem | { error: string } {
  if (row === null || typeof row !== 'object' || Array.isArray(row)) return { error: 'not a JSON object' };
  const r = row as Record<string, unknown>;
  const isMessages = (v: unknown): v is Message[] =>
    Array.isArray(v) && v.length > 0 && v.every((m) => m !== null && typeof m === 'object' && typeof (m as Message).role === 'string' && typeof (m as Message).content === 'string');
  if (typeof r.query === 'string') {
    if (r.prompt !== undefined && typeof r.prompt !== 'string') return { error: 'prompt: with query, must be the templated prompt string' };
    return splitQuery(r.query, r.prompt as string | undefined);
  }
  if (typeof r.response !== 'string') return { error: 'needs a string field response (or an OpenRLHF query)' };
  if (typeof r.prompt === 'string') return { prompt: scoringPrompt(r.prompt), response: r.response };
  if (isMessages(r.prompt)) return { prompt: scoringPrompt(r.prompt), response: r.response };
  if (isMessages(r.messages)) return { prompt: scoringPrompt(r.messages), response: r.response };
  return { error: 'needs prompt (a string or a list of {role, content} messages) or messages' };
}
