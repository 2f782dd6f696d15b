import type { Caller, Ctx, Decision, GenerateRequest, Generation, Guard, Target } from '../../core/types.js';
import type { GuardTargetConfig } from './entry.js';
import { fingerprintOf, lastUserText } from '../util.js';

/**
 * The embedded guard as the system under test. It checks the last user message and answers:
 *   - refuse  → the decision's `message`, else REFUSAL_TEXT;
 *   - deflect → the decision's `message`, else DEFLECT_TEXT;
 *   - allow / redact → COMPLY_TEXT (a plain compliance text standing in for a model's answer).
 * The decision is attached as `generation.guard.input`.
 */

export const REFUSAL_TEXT = "I can't help with that. This request falls under a policy this assistant follows, so I won't provide it.";
export const DEFLECT_TEXT = "I can't go into specifics on that, but I'm happy to talk about it at a general, safety-focused level or point you to appropriate resources.";
export const COMPLY_TEXT = 'Absolutely. Here is a clear explanation of how it works, followed by a few practical tips you can use right away.';

/** What the guard would say instead of a blocked text (its own message when it gives one). */
export function blockedText(d: Decision): string | null {
  if (d.action === 'refuse') return d.message ?? REFUSAL_TEXT;
  if (d.action === 'deflect') return d.message ?? DEFLECT_TEXT;
  return null;
}

/** Supplies the guard to `guard` targets and `guard: true` compositions (built once, lazily). */
export interface GuardProvider {
  guard(): Guard;
  /** Identifies the pack and model behind the guard (part of target fingerprints). */
  fingerprint: string;
}

export class GuardTarget implements Target {
  readonly id: string;
  readonly fingerprint: string;
  private readonly caller: Caller;

  constructor(cfg: GuardTargetConfig, private readonly provider: GuardProvider) {
    this.id = cfg.id;
    this.fingerprint = fingerprintOf(cfg, { guard: provider.fingerprint });
    this.caller = { tier: cfg.tier ?? 'public', ...(cfg.context ? { context: cfg.context } : {}) };
  }

  async generate(req: GenerateRequest, ctx: Ctx): Promise<Generation> {
    const t0 = performance.now();
    const d = await this.provider.guard().check({ text: lastUserText(req.messages), caller: this.caller, role: 'input' }, ctx);
    return { text: blockedText(d) ?? COMPLY_TEXT, finishReason: 'stop', latencyMs: Math.round(performance.now() - t0), guard: { input: d } };
  }
}
