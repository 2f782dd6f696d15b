import type { LanguageModelMiddleware } from 'ai';
import type { Decision } from '../core/types.js';
import { blockedText, isBlockingAction, type GuardFn } from './guard-client.js';

/**
 * Pillars as Vercel AI SDK middleware: `wrapLanguageModel({model, middleware: pillarsMiddleware({guard})})`.
 * In front: the last user message is decided first; a refused or deflected request never reaches
 * the model and the caller gets the policy's message (finish reason `content-filter`). Behind: the
 * answer is decided before it is returned. Streams are held back: text is released only after the
 * text so far has been decided (every `windowChars` characters and at the end), so nothing
 * unchecked reaches the caller; a stopped stream ends with the policy's message.
 * Decisions are in `providerMetadata.pillars` (generate) or on the finish part (stream).
 */

type WrapGenerate = NonNullable<LanguageModelMiddleware['wrapGenerate']>;
type WrapStream = NonNullable<LanguageModelMiddleware['wrapStream']>;
type CallParams = Parameters<WrapGenerate>[0]['params'];
type GenerateResult = Awaited<ReturnType<WrapGenerate>>;
type StreamResult = Awaited<ReturnType<WrapStream>>;
type StreamPart = StreamResult['stream'] extends ReadableStream<infer P> ? P : never;

export interface PillarsMiddlewareOptions {
  guard: GuardFn;
  /** Decide the answer too (default true). */
  checkOutput?: boolean;
  /** Streams: decide (and release) every this many characters (default 200). */
  windowChars?: number;
}

/** The text of the prompt's last user message. */
export function lastUserText(prompt: CallParams['prompt']): string {
  for (let i = prompt.length - 1; i >= 0; i--) {
    const m = prompt[i]!;
    if (m.role !== 'user') continue;
    return m.content.map((p) => (p.type === 'text' ? p.text : '')).filter(Boolean).join('\n');
  }
  return '';
}

function summary(d: Decision): { action: string; policy: string | null; level: number | null; score: number; stage: string } {
  return { action: d.action, policy: d.policy, level: d.level, score: d.score, stage: d.stage };
}

export function pillarsMiddleware(opts: PillarsMiddlewareOptions): LanguageModelMiddleware {
  const checkOutput = opts.checkOutput ?? true;
  const windowChars = opts.windowChars ?? 200;
  const usage0 = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
  return {
    middlewareVersion: 'v2',
    async wrapGenerate({ doGenerate, params }): Promise<GenerateResult> {
      const input = await opts.guard({ text: lastUserText(params.prompt), role: 'input' }, params.abortSignal);
      if (isBlockingAction(input)) {
        return { content: [{ type: 'text', text: blockedText(input) }], finishReason: 'content-filter', usage: usage0, warnings: [], providerMetadata: { pillars: { input: summary(input) } } };
      }
      const result = await doGenerate();
      if (!checkOutput) return { ...result, providerMetadata: { ...result.providerMetadata, pillars: { input: summary(input) } } };
      const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
      const output = text.trim() ? await opts.guard({ text, role: 'output' }, params.abortSignal) : null;
      const pillars = { input: summary(input), ...(output ? { output: summary(output) } : {}) };
      if (output && isBlockingAction(output)) return { ...result, content: [{ type: 'text', text: blockedText(output) }], finishReason: 'content-filter', providerMetadata: { ...result.providerMetadata, pillars } };
      return { ...result, providerMetadata: { ...result.providerMetadata, pillars } };
    },

    async wrapStream({ doStream, params }): Promise<StreamResult> {
      const input = await opts.guard({ text: lastUserText(params.prompt), role: 'input' }, params.abortSignal);
      if (isBlockingAction(input)) {
        const parts: StreamPart[] = [
          { type: 'stream-start', warnings: [] },
          { type: 'text-start', id: 'pillars' },
          { type: 'text-delta', id: 'pillars', delta: blockedText(input) },
          { type: 'text-end', id: 'pillars' },
          { type: 'finish', finishReason: 'content-filter', usage: usage0, providerMetadata: { pillars: { input: summary(input) } } },
        ];
        return { stream: new ReadableStream<StreamPart>({ start: (c) => (parts.forEach((p) => c.enqueue(p)), c.close()) }) };
      }
      const result = await doStream();
      if (!checkOutput) return result;
      // Held parts wait until the text before them has been decided; other parts keep their order.
      let held: StreamPart[] = [];
      let text = '';
      let checkedUpTo = 0;
      let stopped = false;
      let output: Decision | null = null;
      let openText: string | null = null;
      const started = new Set<string>();
      const decide = async (c: TransformStreamDefaultController<StreamPart>): Promise<boolean> => {
        if (text.length > checkedUpTo && text.trim()) {
          output = await opts.guard({ text, role: 'output' }, params.abortSignal);
          checkedUpTo = text.length;
          if (isBlockingAction(output)) {
            stopped = true;
            // What was released stays (a text block it opened is closed); the rest is replaced by the policy's message.
            if (openText && started.has(openText)) c.enqueue({ type: 'text-end', id: openText });
            c.enqueue({ type: 'text-start', id: 'pillars' });
            c.enqueue({ type: 'text-delta', id: 'pillars', delta: blockedText(output) });
            c.enqueue({ type: 'text-end', id: 'pillars' });
            c.enqueue({ type: 'finish', finishReason: 'content-filter', usage: usage0, providerMetadata: { pillars: { input: summary(input), output: summary(output) } } });
            held = [];
            // Stop reading the model: the rest of its answer is not wanted.
            c.terminate();
            return false;
          }
        }
        for (const p of held) {
          if (p.type === 'text-start') started.add(p.id);
          c.enqueue(p);
        }
        held = [];
        return true;
      };
      const stream = result.stream.pipeThrough(
        new TransformStream<StreamPart, StreamPart>({
          async transform(part, c) {
            if (stopped) return;
            if (part.type === 'text-start') openText = part.id;
            if (part.type === 'text-end' && openText === part.id) openText = null;
            if (part.type === 'text-delta') text += part.delta;
            if (part.type === 'finish') {
              if (!(await decide(c))) return;
              const out = output as Decision | null;
              c.enqueue({ ...part, providerMetadata: { ...part.providerMetadata, pillars: { input: summary(input), ...(out ? { output: summary(out) } : {}) } } });
              return;
            }
            held.push(part);
            if (text.length - checkedUpTo >= windowChars) await decide(c);
          },
          async flush(c) {
            if (!stopped && held.length) await decide(c);
          },
        }),
      );
      return { ...result, stream };
    },
  };
}
