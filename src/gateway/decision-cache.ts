import { createHash } from 'node:crypto';
import type { Decision } from '../core/types.js';

/**
 * A small LRU of guard decisions keyed by (direction, tier, context, text). Clients resend the
 * whole conversation with every request, and every message is checked: without this a chat of
 * n turns costs O(n²) guard calls. Entries live `ttlMs` (default ten minutes: exceptions expire by
 * date, and the pack and model do not change under a running gateway); only the guard's own decisions are stored, never a fail-closed stand-in.
 * Cached decisions are shared: callers must not mutate them.
 */

export interface DecisionCache {
  get(key: string): Decision | undefined;
  set(key: string, d: Decision): void;
  readonly size: number;
}

export function decisionKey(role: string, tier: string, context: string | null, text: string): string {
  const h = createHash('sha256').update(text).digest('base64');
  return `${role}\u0000${tier}\u0000${context ?? ''}\u0000${h}`;
}

export function createDecisionCache(opts: { max?: number; ttlMs?: number; now?: () => number } = {}): DecisionCache {
  const max = opts.max ?? 4096;
  const ttl = opts.ttlMs ?? 600_000;
  const now = opts.now ?? Date.now;
  const map = new Map<string, { d: Decision; at: number }>();
  return {
    get(key) {
      const e = map.get(key);
      if (!e) return undefined;
      map.delete(key);
      if (now() - e.at > ttl) return undefined;
      map.set(key, e);
      return e.d;
    },
    set(key, d) {
      if (max <= 0) return;
      map.delete(key);
      map.set(key, { d, at: now() });
      while (map.size > max) map.delete(map.keys().next().value as string);
    },
    get size() {
      return map.size;
    },
  };
}
