import { sha256 } from '../core/hash.js';
import type { Decision } from '../core/types.js';
import { effectiveAction } from '../policy/effective.js';
import type { PolicyPack } from '../policy/schema.js';
import type { Level } from '../core/pillars.js';
import type { EscalationConfig } from './rails-config.js';
import type { MaybePromise } from '../core/maybe.js';
import type { SharedRedis } from './redis.js';

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
  observe(input: { bucket: string; conversationId: string | null; userTurns: string[]; decision: Decision; tier: string; context: string | null }): MaybePromise<Trajectory>;
  readonly size: number;
}

/** Where a conversation's remembered steps live: this process (default) or Redis (shared by instances). */
export interface ConversationMemory {
  get(key: string): MaybePromise<(Step | null)[] | null>;
  set(key: string, steps: (Step | null)[]): MaybePromise<void>;
  readonly size: number;
}

/** In this process: the most recent `maxConversations`, each forgotten `ttlSeconds` after its last step. */
export function localConversations(cfg: EscalationConfig, now: () => number = Date.now): ConversationMemory {
  const map = new Map<string, Entry>();
  const ttl = cfg.ttlSeconds * 1000;
  return {
    get size() {
      return map.size;
    },
    get(key) {
      const e = map.get(key);
      if (!e) return null;
      if (now() - e.at > ttl) {
        map.delete(key);
        return null;
      }
      return e.steps;
    },
    set(key, steps) {
      map.delete(key);
      map.set(key, { steps, at: now() });
      while (map.size > cfg.maxConversations) map.delete(map.keys().next().value!);
    },
  };
}

/**
 * On Redis (`gateway.redis`): a conversation whose turns reach different instances is still one
 * trajectory. Keys are the same hashes (never the raw header or text), expiring after `ttlSeconds`;
 * while Redis does not answer, this instance's own memory is used.
 */
export function redisConversations(cfg: EscalationConfig, redis: SharedRedis, opts: { prefix?: string; now?: () => number } = {}): ConversationMemory {
  const local = localConversations(cfg, opts.now);
  const prefix = opts.prefix ?? 'pillars:conv';
  return {
    get size() {
      return local.size;
    },
    async get(key) {
      await redis.ready();
      if (!redis.up()) return local.get(key);
      try {
        const v = await redis.client.get(`${prefix}:${key}`);
        return v ? (JSON.parse(v) as (Step | null)[]) : null;
      } catch {
        return local.get(key);
      }
    },
    async set(key, steps) {
      local.set(key, steps);
      if (!redis.up()) return;
      try {
        await redis.client.set(`${prefix}:${key}`, JSON.stringify(steps), 'PX', cfg.ttlSeconds * 1000);
      } catch {
        // Kept locally; the next step on this instance still sees it.
      }
    },
  };
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

export function createEscalationTracker(cfg: EscalationConfig, pack: PolicyPack | null, memory: ConversationMemory = localConversations(cfg)): EscalationTracker {
  return {
    get size() {
      return memory.size;
    },
    async observe({ bucket, conversationId, userTurns, decision, tier, context }) {
      const byHeader = conversationId !== null;
      const before = byHeader ? h(`${bucket}\u0000id\u0000${conversationId}`) : h(`${bucket}\u0000turns\u0000${userTurns.slice(0, -1).join('\u0001')}`);
      const after = byHeader ? before : h(`${bucket}\u0000turns\u0000${userTurns.join('\u0001')}`);
      const prev = (await memory.get(before)) ?? [];
      const step: Step | null = decision.policy !== null && typeof decision.level === 'number' ? { policy: decision.policy, level: decision.level } : null;
      const steps = [...prev, step].slice(-cfg.window);
      await memory.set(after, steps);
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
