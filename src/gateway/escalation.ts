import { sha256 } from '../core/hash.js';
import type { Decision } from '../core/types.js';
import { effectiveAction } from '../policy/effective.js';
import type { PolicyPack } from '../policy/schema.js';
import type { Level } from '../core/pillars.js';
import type { EscalationConfig } from './rails-config.js';

/**
 * Conversation-level escalation (a crescendo): a conversation's steps, each individually allowed,
 * that climb toward a level its policy refuses. A conversation is named by a header (scoped to
 * the caller) or, without one, by the hash of its user turns: a step is stored under the hash of
 * every user turn so far, and found by the next request under the hash of its earlier turns.
 *
 * The trajectory score of step k on policy p (levels l_1..l_k of the window's steps on p):
 *
 *     score = l_k + momentum × (rise + dwell)
 *     rise  = Σ max(0, l_i − l_{i−1})            (how far the conversation climbed)
 *     dwell = #{ i < k : l_i ≥ max(1, l_k) }     (earlier steps already at this level)
 *
 * The step whose score reaches the first level the policy blocks for this caller (tier and
 * context, exceptions included), while its own level is below it, is deflected.
 */

export interface Step {
  policy: string;
  level: number;
}

export interface Trajectory {
  /** A short id of the conversation (hash; never the raw header). */
  conversation: string;
  /** The step's number in the remembered window (1-based). */
  step: number;
  policy: string | null;
  score: number;
  /** The first level the policy blocks for this caller (null: none, or no policy). */
  blockedLevel: number | null;
  /** The step crossed it. */
  crossed: boolean;
}

interface Entry {
  steps: (Step | null)[];
  at: number;
}

export interface EscalationTracker {
  /** Record this request's step and score the trajectory. */
  observe(input: { bucket: string; conversationId: string | null; userTurns: string[]; decision: Decision; tier: string; context: string | null }): Trajectory;
  readonly size: number;
}

const h = sha256;

export function trajectoryScore(levels: number[], momentum: number): number {
  const k = levels.length - 1;
  if (k < 0) return 0;
  let rise = 0;
  for (let i = 1; i <= k; i++) rise += Math.max(0, levels[i]! - levels[i - 1]!);
  const floor = Math.max(1, levels[k]!);
  let dwell = 0;
  for (let i = 0; i < k; i++) if (levels[i]! >= floor) dwell++;
  return levels[k]! + momentum * (rise + dwell);
}

/** The first level (0-3) at which `policy` blocks this caller, or null. */
export function blockedLevel(pack: PolicyPack | null, policyId: string, tier: string, context: string | null): number | null {
  const policy = pack?.policies.find((p) => p.id === policyId);
  if (!policy) return null;
  for (const level of [0, 1, 2, 3] as Level[]) {
    const a = effectiveAction({ policy, cell: { level, tier, context } }).action;
    if (a === 'refuse' || a === 'deflect') return level;
  }
  return null;
}

export function createEscalationTracker(cfg: EscalationConfig, pack: PolicyPack | null, now: () => number = Date.now): EscalationTracker {
  const map = new Map<string, Entry>();
  const ttl = cfg.ttlSeconds * 1000;
  const take = (key: string): Entry | null => {
    const e = map.get(key);
    if (!e) return null;
    if (now() - e.at > ttl) {
      map.delete(key);
      return null;
    }
    return e;
  };
  const put = (key: string, e: Entry): void => {
    map.delete(key);
    map.set(key, e);
    while (map.size > cfg.maxConversations) map.delete(map.keys().next().value!);
  };
  return {
    get size() {
      return map.size;
    },
    observe({ bucket, conversationId, userTurns, decision, tier, context }) {
      const byHeader = conversationId !== null;
      const before = byHeader ? h(`${bucket}\u0000id\u0000${conversationId}`) : h(`${bucket}\u0000turns\u0000${userTurns.slice(0, -1).join('\u0001')}`);
      const after = byHeader ? before : h(`${bucket}\u0000turns\u0000${userTurns.join('\u0001')}`);
      const prev = take(before)?.steps ?? [];
      const step: Step | null = decision.policy !== null && typeof decision.level === 'number' ? { policy: decision.policy, level: decision.level } : null;
      const steps = [...prev, step].slice(-cfg.window);
      put(after, { steps, at: now() });
      const conversation = after.slice(0, 16);
      if (!step) return { conversation, step: steps.length, policy: null, score: 0, blockedLevel: null, crossed: false };
      const levels = steps.filter((s): s is Step => s !== null && s.policy === step.policy).map((s) => s.level);
      const score = Math.round(trajectoryScore(levels, cfg.momentum) * 1000) / 1000;
      const blocked = blockedLevel(pack, step.policy, tier, context);
      return { conversation, step: steps.length, policy: step.policy, score, blockedLevel: blocked, crossed: blocked !== null && step.level < blocked && score >= blocked };
    },
  };
}

/** The deflection of a step that crosses: the policy's deflection text when the pack has one. */
export function escalationDecision(t: Trajectory, d: Decision, pack: PolicyPack | null): Decision {
  const policy = pack?.policies.find((p) => p.id === t.policy);
  const message = policy?.deflection ?? 'This conversation is heading toward detail I can’t provide; I can keep helping at a general level.';
  return {
    ...d,
    action: 'deflect',
    score: t.score,
    exception: null,
    reasons: [`conversation escalation: trajectory score ${t.score} on ${t.policy} reaches level ${t.blockedLevel} (step ${t.step}; this step alone is level ${d.level})`, ...d.reasons],
    message,
  };
}
