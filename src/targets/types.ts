import type { Ctx, Target } from '../core/types.js';

/** Optional extras a provider may implement beyond the core `Target`. */
export interface ProbeableTarget extends Target {
  /** Cheap reachability check made once before a run; throws a TargetError (code target_unreachable) when down. */
  probe?(ctx: Ctx): Promise<void>;
}

export function hasProbe(t: Target): t is ProbeableTarget & { probe(ctx: Ctx): Promise<void> } {
  return typeof (t as ProbeableTarget).probe === 'function';
}
