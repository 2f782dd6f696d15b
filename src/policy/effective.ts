import type { Action, Level } from '../core/pillars.js';
import { actionAt, type Policy, type PolicyException, type PolicyPack } from './schema.js';

/**
 * The effective action of a policy for one cell (level, tier, context): the single rule that the
 * guard, `policy diff` and `policy explain` share.
 *
 * 1. Start from the ladder: `policy.levels[level]`.
 * 2. An exception APPLIES when all hold: the caller declared its `context`; the caller's tier is
 *    one of its `tiers`; `level <= upTo`; and it has not expired (`expires` is the last valid day,
 *    compared with today's UTC date).
 * 3. An applying exception turns the ladder's action into `allow` (with the exception's monitoring
 *    and adapter). It never makes anything stricter, and above `upTo` the ladder stands.
 * 4. Without a context, or with a tier no exception names, the ladder stands.
 */

export interface Cell {
  level: Level;
  /** The caller's access tier (e.g. public); null when unknown (no exception applies). */
  tier: string | null;
  /** The context the caller declared (e.g. security-testing); null for none. */
  context: string | null;
}

export interface EffectiveAction {
  action: Action;
  /** The ladder's action before exceptions. */
  base: Action;
  /** The exception that unlocked the action, when one did. */
  exception: PolicyException | null;
  monitoring: PolicyException['monitoring'] | null;
  adapter: string | null;
}

export const todayUtc = (): string => new Date().toISOString().slice(0, 10);

export function isExpired(ex: PolicyException, today: string = todayUtc()): boolean {
  return ex.expires !== undefined && ex.expires < today;
}

export function exceptionApplies(ex: PolicyException, cell: Cell, today: string = todayUtc()): boolean {
  return (
    cell.context !== null &&
    cell.tier !== null &&
    ex.context === cell.context &&
    ex.tiers.includes(cell.tier) &&
    cell.level <= ex.upTo &&
    !isExpired(ex, today)
  );
}

export function effectiveAction(input: { policy: Policy; cell: Cell; today?: string }): EffectiveAction {
  const { policy, cell } = input;
  const base = actionAt(policy, cell.level);
  const ex = base === 'allow' ? null : (policy.exceptions.find((e) => exceptionApplies(e, cell, input.today)) ?? null);
  if (!ex) return { action: base, base, exception: null, monitoring: null, adapter: null };
  return { action: 'allow', base, exception: ex, monitoring: ex.monitoring, adapter: ex.adapter ?? null };
}

/** How strict an action is, for combining several policies on one topic: the strictest wins. */
export const STRICTNESS: Record<Action, number> = { allow: 0, redact: 1, deflect: 2, refuse: 3 };

export function strictest(actions: Action[]): Action {
  let best: Action = 'allow';
  for (const a of actions) if (STRICTNESS[a] > STRICTNESS[best]) best = a;
  return best;
}

/** Effective action for a topic in a pack (strictest over the pack's policies on that topic); null when no policy covers it. */
export function topicAction(input: { pack: PolicyPack; topic: string; cell: Cell; today?: string }): { action: Action; policies: string[] } | null {
  const ps = input.pack.policies.filter((p) => p.topic === input.topic);
  if (ps.length === 0) return null;
  const actions = ps.map((policy) => effectiveAction({ policy, cell: input.cell, today: input.today }).action);
  return { action: strictest(actions), policies: ps.map((p) => p.id) };
}

/** Every context a pack knows: declared ones and those its exceptions name (sorted, unique). */
export function packContexts(pack: PolicyPack): string[] {
  const s = new Set<string>((pack.contexts ?? []).map((c) => c.id));
  for (const p of pack.policies) for (const e of p.exceptions) s.add(e.context);
  return [...s].sort();
}

