import type { Caller, Ctx, GenerateRequest, Generation, Message, Target } from '../core/types.js';
import type { ComposedTargetConfig } from './config.js';
import { blockedText, type GuardProvider } from './guard/index.js';
import { fingerprintOf } from './util.js';

/**
 * "The model with all scaffolding attached": `{id, wraps: ID, systemPrompt, guard: true}`.
 *   - systemPrompt is merged in front of any system message the conversation already has;
 *   - guard on input: the last user message is checked first; refuse/deflect answers with the
 *     guard's text without calling the wrapped model; redact sends the redacted text instead;
 *   - guard on output: the model's answer is checked; refuse/deflect replaces it, redact redacts it.
 * Both decisions are attached as `generation.guard`.
 */
export class ComposedTarget implements Target {
  readonly id: string;
  readonly fingerprint: string;
  private readonly input: boolean;
  private readonly output: boolean;
  private readonly caller: Caller;

  constructor(private readonly cfg: ComposedTargetConfig, private readonly inner: Target, private readonly guards: GuardProvider | null) {
    this.id = cfg.id;
    const g = cfg.guard;
    this.input = g === true || (typeof g === 'object' && g.input);
    this.output = g === true || (typeof g === 'object' && g.output);
    this.caller = { tier: (typeof g === 'object' && g.tier) || 'public', ...(typeof g === 'object' && g.context ? { context: g.context } : {}) };
    this.fingerprint = fingerprintOf(cfg, { inner: inner.fingerprint, guard: this.input || this.output ? (guards?.fingerprint ?? 'none') : 'off' });
  }

  private withSystem(messages: Message[]): Message[] {
    const sp = this.cfg.systemPrompt;
    if (!sp) return messages;
    if (messages[0]?.role === 'system') return [{ role: 'system', content: `${sp}\n\n${messages[0].content}` }, ...messages.slice(1)];
    return [{ role: 'system', content: sp }, ...messages];
  }

  async generate(req: GenerateRequest, ctx: Ctx): Promise<Generation> {
    let messages = this.withSystem(req.messages);
    const guard = this.input || this.output ? this.guards?.guard() : undefined;
    let inputDecision;
    if (guard && this.input) {
      const lastUser = messages.map((m) => m.role).lastIndexOf('user');
      if (lastUser >= 0) {
        inputDecision = await guard.check({ text: messages[lastUser]!.content, caller: this.caller, role: 'input' }, ctx);
        const blocked = blockedText(inputDecision);
        if (blocked !== null) return { text: blocked, finishReason: 'content_filter', latencyMs: 0, guard: { input: inputDecision } };
        if (inputDecision.action === 'redact' && inputDecision.redacted !== undefined) {
          messages = messages.map((m, i) => (i === lastUser ? { ...m, content: inputDecision!.redacted! } : m));
        }
      }
    }
    const gen = await this.inner.generate({ ...req, messages }, ctx);
    const out: Generation = { ...gen, guard: { ...gen.guard, ...(inputDecision ? { input: inputDecision } : {}) } };
    if (guard && this.output) {
      const d = await guard.check({ text: gen.text, caller: this.caller, role: 'output' }, ctx);
      out.guard = { ...out.guard, output: d };
      const blocked = blockedText(d);
      if (blocked !== null) {
        out.text = blocked;
        out.finishReason = 'content_filter';
        delete out.logprobs;
      } else if (d.action === 'redact' && d.redacted !== undefined) {
        out.text = d.redacted;
      }
    }
    return out;
  }
}
