import type { Decision } from '../core/types.js';
import { checkGrounding, policyFor, requestQuestion, requestSources, SOURCES_HEADER, type CheckGroundingOptions, type GroundingConfig } from '../grounding/index.js';
import type { GatewayExtension } from './extensions.js';

/**
 * Grounding on the chat route (issue 18): when a request carries sources (documents, tool
 * results, `x-pillars-sources`) and a grounding policy covers the caller, the whole answer is
 * scored against them. `annotate` adds `x-pillars-grounding` (score), `x-pillars-relevance` and
 * `x-pillars-grounding-decision` (pass / fail); `deflect` and `refuse` replace an answer that fails
 * with the policy's message. A streamed answer has already gone out: it is scored for the audit
 * log only. Every scored answer leaves a record in the audit detail (`checks.grounding`).
 */

export function groundingExtension(cfg: GroundingConfig, opts: CheckGroundingOptions = {}): GatewayExtension {
  return {
    name: 'grounding',
    // A streamed answer that may be replaced is fetched whole (and replayed as a stream): nothing ungrounded leaves.
    wantsWhole(x) {
      const policy = policyFor(cfg.policies, { keyId: x.caller.keyId, tier: x.caller.tier, model: x.body.model });
      return policy !== null && policy.action !== 'annotate' && requestSources(x.body as Record<string, unknown>, x.headers[SOURCES_HEADER]).length > 0;
    },
    async output(x, answer, streamed) {
      const policy = policyFor(cfg.policies, { keyId: x.caller.keyId, tier: x.caller.tier, model: x.body.model });
      if (!policy) return null;
      const sources = requestSources(x.body as Record<string, unknown>, x.headers[SOURCES_HEADER]);
      if (sources.length === 0 || !answer.trim()) return null;
      const o = await checkGrounding({ sources, answer, question: requestQuestion(x.body as Record<string, unknown>) }, policy, { band: cfg.judge?.band, ...opts }, x.ctx);
      const audit = { policy: o.policy, grounding: round(o.grounding), relevance: o.relevance === null ? null : round(o.relevance), stage: o.stage, passed: o.passed, action: o.action, unsupported: o.unsupported.map((s) => s.slice(0, 200)), ms: round(o.ms), streamed, sources: sources.length };
      const headers = { 'x-pillars-grounding': o.grounding.toFixed(3), ...(o.relevance !== null ? { 'x-pillars-relevance': o.relevance.toFixed(3) } : {}), 'x-pillars-grounding-decision': o.passed ? 'pass' : 'fail' };
      if (o.passed || o.action === 'annotate' || streamed) return { headers, audit };
      const decision: Decision = {
        action: o.action,
        policy: `grounding.${o.policy}`,
        pillar: 'veracity_robustness',
        topic: 'grounding',
        level: null,
        score: 1 - o.grounding,
        stage: o.stage,
        reasons: o.reasons,
        message: policy.message ?? (o.action === 'deflect' ? 'I couldn’t find support for that answer in the provided sources.' : 'The answer was withheld: it is not supported by the provided sources.'),
      };
      return { headers, audit, decision };
    },
  };
}

const round = (n: number): number => Math.round(n * 1000) / 1000;
