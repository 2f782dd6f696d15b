import { LinearModel, loadDefaultModel, type ClassifierModel, type ResponsePrediction } from '../classifier/index.js';
import type { Level } from '../core/pillars.js';
import type { Ctx, Decision, Guard, GuardInput } from '../core/types.js';
import type { PolicyPack } from '../policy/schema.js';
import { askCascade, type CascadeConfig } from './cascade.js';
import { decide, decisionFor } from './decide.js';
import type { PiiType } from './pii.js';

/**
 * The policy guard: `decide` (sync, embedded classifier only), `check` (async: the embedded
 * decision, then the LLM cascade when the classifier is unsure and a cascade is configured),
 * `classifyResponse` (refused / complied / deflected / partial).
 */

export { detectPii, redactPii, luhnValid, ibanValid, PII_TYPES, type PiiType } from './pii.js';
export { buildRubric, parseCascadeReply, type CascadeConfig } from './cascade.js';
export { decide, type DecideResult } from './decide.js';
export { guardConfigSchema, guardFromConfig, type GuardConfig } from './config.js';
export { evaluateGuard, type GuardFigures } from './evaluate.js';

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
}

export interface PolicyGuard extends Guard {
  readonly pack: PolicyPack;
  readonly model: ClassifierModel;
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

  const embedded = (input: GuardInput): ReturnType<typeof decide> =>
    decide({ pack, model, text: input.text, caller: input.caller, role: input.role, now: now(), band, redact });

  return {
    pack,
    model,
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
