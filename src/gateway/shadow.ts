import type { Decision } from '../core/types.js';
import type { ShadowConfig } from './rails-config.js';

/**
 * Shadow (monitor-only) mode: for the policies, keys or tiers named in `gateway.shadow`, a
 * blocking decision (refuse, deflect) is made, logged, traced and announced in the response
 * headers, but not enforced: the request goes on as if allowed. Redaction still happens (it
 * blocks nothing).
 */

export interface ShadowNote {
  action: Decision['action'];
  policy: string | null;
  level: number | null;
  /** Which check decided: `guard`, `tools`, `escalation`, `urls`, `format`, `language`, `invisible`. */
  check: string;
  reason: string;
}

export function shadowApplies(cfg: ShadowConfig, caller: { tier: string; keyId: string | null }, policy: string | null): boolean {
  if (caller.keyId !== null && cfg.keys.includes(caller.keyId)) return true;
  if (cfg.tiers.includes(caller.tier)) return true;
  return cfg.policies.includes('*') || (policy !== null && cfg.policies.includes(policy));
}

/** The decision that stands in shadow mode: an allow that says what would have happened. */
export function shadowed(d: Decision): Decision {
  return { ...d, action: 'allow', message: undefined, reasons: [...d.reasons, `shadow mode: would have been ${d.action} (gateway.shadow); not enforced`] };
}
