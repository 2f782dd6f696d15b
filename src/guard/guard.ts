import { LinearModel, loadDefaultModel, type ClassifierModel, type ResponsePrediction } from '../classifier/index.js';
import type { Level } from '../core/pillars.js';
import type { Ctx, Decision, Guard, GuardInput } from '../core/types.js';
import type { PolicyPack } from '../policy/schema.js';
import { askCascade, type CascadeConfig } from './cascade.js';
import { decide, decisionFor } from './decide.js';
import { modelHash } from './identity.js';
import type { PiiType } from './pii.js';
import { stage2Runner, type Stage2Options, type Stage2Runner } from './stage2.js';

/**
 * The policy guard: `decide` (sync, embedded classifier only), `check` (async: the embedded
 * decision, then stage 2 (sentence encoder, ./stage2.ts) when enabled and the classifier is unsure,
 * then the LLM cascade when stage 2 did not decide and a cascade is configured),
 * `classifyResponse` (refused / complied / deflected / partial).
 */

/** PII types redacted by default (names, addresses and IPs are detected but not redacted unless configured). */
export const DEFAULT_REDACT: readonly PiiType[] = ['email', 'phone', 'card', 'iban', 'ssn', 'nino', 'sin', 'api_key', 'jwt', 'private_key', 'secret'];

export interface GuardOptions {
  pack: PolicyPack;
  model?: ClassifierModel;
  cascade?: CascadeConfig;
  /** Clock for exception expiry (tests pin it). */
  now?: () => Date;
  band?: [number, number];
  redact?: readonly PiiType[];
  /** When the guard itself fails: refuse (true, default) or allow (false). */
  failClosed?: boolean;
  /** Stage 2 (sentence encoder + head, asked in the unsure band within a latency budget): off unless given. */
  stage2?: Stage2Options | false;
  /** The model's identity (default: the sha256 of its serialized form, see identity.ts). */
  modelHash?: string;
}

export interface PolicyGuard extends Guard {
  readonly pack: PolicyPack;
  readonly model: ClassifierModel;
  /** sha256 of the model (computed on first read): part of any cache key of answers the guard shaped. */
  readonly modelHash: string;
  /** Stage 2 when enabled (`warm()` loads the encoder ahead of the first request). */
  readonly stage2: Stage2Runner | null;
  decide(input: GuardInput): Decision;
  check(input: GuardInput, ctx: Ctx): Promise<Decision>;
  classifyResponse(text: string): ResponsePrediction;
}

function failure(e: unknown, failClosed: boolean): Decision {
  return {
    action: failClosed ? 'refuse' : 'allow',
    policy: null,
    pillar: null,
    topic: null,
    level: null,
    score: 0,
    stage: 'embedded',
    reasons: [`guard error: ${(e as Error)?.message ?? String(e)}; failing ${failClosed ? 'closed' : 'open'}`],
    exception: null,
    message: failClosed ? 'The request could not be checked by the guard, so it was not processed.' : undefined,
  };
}

export function createGuard(opts: GuardOptions): PolicyGuard {
  const model = opts.model ?? loadDefaultModel();
  const pack = opts.pack;
  const th = model instanceof LinearModel ? model.meta.threshold : 0.5;
  const band = opts.band ?? opts.cascade?.band ?? ([Math.max(0, th - 0.15), Math.min(1, th + 0.2)] as [number, number]);
  const redact = opts.redact ?? DEFAULT_REDACT;
  const failClosed = opts.failClosed ?? true;
  const now = opts.now ?? (() => new Date());
  const stage2 = opts.stage2 && opts.stage2.enabled !== false ? stage2Runner(opts.stage2, band) : null;

  const embedded = (input: GuardInput): ReturnType<typeof decide> =>
    decide({ pack, model, text: input.text, caller: input.caller, role: input.role, now: now(), band, redact });

  return {
    pack,
    model,
    stage2,
    get modelHash(): string {
      return opts.modelHash ?? modelHash(model);
    },
    decide(input: GuardInput): Decision {
      try {
        return embedded(input).decision;
      } catch (e) {
        return failure(e, failClosed);
      }
    },
    async check(input: GuardInput, ctx: Ctx): Promise<Decision> {
      let first: ReturnType<typeof decide>;
      try {
        first = embedded(input);
      } catch (e) {
        ctx.log.error({ err: (e as Error)?.message }, 'guard failed');
        return failure(e, failClosed);
      }
      if (stage2?.wants(first)) {
        const caller = input.caller ?? { tier: 'public' };
        const d = await stage2.run({ first, text: input.text, caller, role: input.role ?? 'input', pack, today: now().toISOString().slice(0, 10), redact });
        // Stage 2 decided; or it could not, and its reason travels with the decision to the cascade.
        if (d.stage === 'encoder' || !opts.cascade) return d;
        first = { ...first, decision: d };
      }
      if (!first.unsure || !opts.cascade) return first.decision;
      const { verdict, error, ms } = await askCascade(opts.cascade, pack, input.text, ctx);
      if (!verdict) {
        return { ...first.decision, reasons: [...first.decision.reasons, `cascade ${opts.cascade.target.id} gave no verdict (${error}); embedded decision stands`] };
      }
      const topic = verdict.policy === null ? null : (pack.policies.find((p) => p.id === verdict.policy)?.topic ?? null);
      const caller = input.caller ?? { tier: 'public' };
      return decisionFor({
        pack,
        topic,
        level: verdict.level as Level,
        score: first.decision.score,
        caller,
        today: now().toISOString().slice(0, 10),
        stage: 'cascade',
        reasons: [
          ...first.decision.reasons.filter((r) => !r.startsWith('PII found')),
          `cascade ${opts.cascade.target.id} (${Math.round(ms)} ms): ${verdict.policy ?? 'no policy'}${verdict.policy ? ` level ${verdict.level}` : ''}${verdict.reason ? `: ${verdict.reason}` : ''}`,
        ],
        text: input.text,
        redact,
      });
    },
    classifyResponse(text: string): ResponsePrediction {
      return model.predictResponse(text);
    },
  };
}
