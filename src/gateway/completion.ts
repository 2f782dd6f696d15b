import type { Decision } from '../core/types.js';
import { STRICTNESS } from '../policy/effective.js';
import { decideText, isBlocking } from './checks.js';
import { blockChoices, contentOf, outputTexts, redactChoices, type OutputText, type UpChoice } from './output-channels.js';
import { refusalText, type Caller, type GatewayState } from './state.js';

/**
 * The output check of a non-streamed answer: every channel of every choice (output-channels.ts)
 * is decided on its own; the strictest decision wins. A blocking one replaces every choice with
 * the gateway's message; a redacting one redacts every channel.
 */

export interface CompletionVerdict {
  /** The strictest output decision (null: nothing to check, or checks are off). */
  output: Decision | null;
  /** Where it was found. */
  where: string | null;
  /** The answer's text as it leaves (content of every choice), for the audit. */
  response: string;
}

export async function checkCompletion(state: GatewayState, caller: Caller, data: { choices?: UpChoice[] }): Promise<CompletionVerdict> {
  const choices = Array.isArray(data.choices) ? data.choices : [];
  const response = (): string => choices.map((c) => contentOf(c.message?.content)).join('\n\n');
  if (!state.cfg.checkOutput) return { output: null, where: null, response: response() };
  const texts = outputTexts(choices);
  const ds = await Promise.all(texts.map((t: OutputText) => decideText(state, caller, { text: t.text, role: 'output', kind: t.json ? 'json' : 'prose' })));
  let best = -1;
  ds.forEach((d, i) => {
    if (best < 0 || STRICTNESS[d.action] > STRICTNESS[ds[best]!.action]) best = i;
  });
  if (best < 0) return { output: null, where: null, response: response() };
  const output = ds[best]!;
  if (isBlocking(output)) blockChoices(choices, refusalText(output));
  else if (output.action === 'redact') {
    const only = texts.length === 1 && texts[0]!.kind === 'content' && choices.length === 1 && typeof choices[0]!.message?.content === 'string' ? output.redacted : undefined;
    if (state.redact) redactChoices(choices, (t) => state.redact!(t).text);
    else if (only !== undefined) choices[0]!.message!.content = only;
  }
  return { output: { ...output, reasons: [`decided on ${texts[best]!.where}`, ...output.reasons] }, where: texts[best]!.where, response: response() };
}
