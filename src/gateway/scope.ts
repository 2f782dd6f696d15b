import { z } from 'zod';
import type { Decision } from '../core/types.js';
import type { ScopeScorer } from '../grounding/index.js';
import type { GatewayExtension } from './extensions.js';
import type { ChatMessage } from './openai.js';

/**
 * Scope allow-list on the chat route (issue 18): a key or route bound to one of the pack's
 * `scopes` gets the scope's deflection for a request that is not what the assistant is for
 * (the last user message is compared with the scope: grounding/scope.ts; a follow-up that is not
 * in scope alone is read again with the user turn before it). The response says
 * which scope decided (`x-pillars-scope`, `x-pillars-scope-decision`); the audit detail keeps the
 * similarity, the stage and the nearest example (`checks.scope`).
 *
 * ```yaml
 * scope:
 *   judge: {target: judge-model, budgetMs: 1500}
 *   bindings:
 *     - {scope: billing-assistant, keys: [key_3f9a...]}
 *     - {scope: billing-assistant, models: [billing-bot]}
 * ```
 */

export const ScopeBinding = z
  .object({
    scope: z.string().min(1),
    keys: z.array(z.string().min(1)).optional(),
    tiers: z.array(z.string().min(1)).optional(),
    models: z.array(z.string().min(1)).optional(),
  })
  .strict()
  .refine((b) => b.keys || b.tiers || b.models, { message: 'a binding names keys, tiers or models (routes)' });
export type ScopeBinding = z.infer<typeof ScopeBinding>;

export const ScopeConfig = z
  .object({
    bindings: z.array(ScopeBinding).default([]),
    embedder: z.enum(['encoder', 'lexical']).default('encoder'),
    band: z.tuple([z.number().min(-1).max(1), z.number().min(-1).max(1)]).optional(),
    judge: z.object({ target: z.string().min(1), budgetMs: z.number().int().positive().default(2000) }).strict().optional(),
  })
  .strict();
export type ScopeConfig = z.infer<typeof ScopeConfig>;

export function scopeExtension(bindings: readonly ScopeBinding[], scorers: ReadonlyMap<string, ScopeScorer>): GatewayExtension {
  return {
    name: 'scope',
    async input(x) {
      const b = bindings.find((b) => (!b.keys || (x.caller.keyId !== null && b.keys.includes(x.caller.keyId))) && (!b.tiers || b.tiers.includes(x.caller.tier)) && (!b.models || (x.body.model !== undefined && b.models.includes(x.body.model))));
      const scorer = b ? scorers.get(b.scope) : undefined;
      if (!scorer) return null;
      const users = x.body.messages.filter((m) => m.role === 'user').map(textOf).filter((t) => t.trim());
      const text = users.at(-1) ?? '';
      if (!text.trim()) return null;
      let v = await scorer.check(text, x.ctx);
      // A follow-up ("and for last month?") is read with the turn before it: it continues that request.
      // Not a request closer to an out-of-scope example than to the scope: that is a change of subject.
      if (!v.inScope && users.length > 1 && v.outSimilarity <= v.similarity) {
        const withPrev = await scorer.check(`${users.at(-2)}\n${text}`, x.ctx);
        if (withPrev.inScope) v = { ...withPrev, reason: `${withPrev.reason} (read with the previous user turn)` };
      }
      const headers = { 'x-pillars-scope': v.scope, 'x-pillars-scope-decision': v.inScope ? 'in' : 'out' };
      const audit = { scope: v.scope, inScope: v.inScope, similarity: Math.round(v.similarity * 1000) / 1000, outSimilarity: Math.round(v.outSimilarity * 1000) / 1000, nearest: v.nearest.slice(0, 200), stage: v.stage, ms: Math.round(v.ms * 1000) / 1000 };
      if (v.inScope) return { headers, audit };
      const decision: Decision = {
        action: 'deflect',
        policy: `scope.${v.scope}`,
        pillar: 'controllability',
        topic: 'scope',
        level: null,
        score: 1 - Math.max(0, v.similarity),
        stage: v.stage,
        reasons: [v.reason],
        message: scorer.scope.deflection,
      };
      return { headers, audit, decision };
    },
  };
}

function textOf(m: ChatMessage): string {
  if (typeof m.content === 'string') return m.content;
  if (Array.isArray(m.content)) return m.content.map((p) => (typeof p.text === 'string' ? p.text : '')).filter(Boolean).join('\n');
  return '';
}
