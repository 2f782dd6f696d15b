import { createHash } from 'node:crypto';
import type { Decision } from '../core/types.js';

/**
 * A bounded LRU of guard decisions keyed by the sha256 of (scope, direction, tier, context, text),
 * where the scope names what else shapes a decision: the model's hash and the pack's id and
 * version. Clients resend the whole conversation with every request, and every message is checked:
 * without this a chat of n turns costs O(n²) guard calls, and a system prompt shared by every
 * conversation is classified on every request. Entries live `ttlMs` (default ten minutes:
 * exceptions expire by date, and the caller puts the date in the key too); only the guard's own
 * decisions are stored, never a fail-closed stand-in. Hits and misses are counted for /metrics.
 * Cached decisions are shared: callers must not mutate them.
 */

export interface DecisionCacheStats {
  hits: number;
  misses: number;
  evictions: number;
  size: number;
}

export interface DecisionCache {
  get(key: string): Decision | undefined;
  set(key: string, d: Decision): void;
  readonly size: number;
  /** What, besides the text and the caller, the decisions depend on (model hash, pack version): part of every key. */
  readonly scope: string;
  stats(): DecisionCacheStats;
}

export function decisionKey(role: string, tier: string, context: string | null, text: string, scope = ''): string {
  return createHash('sha256').update(scope).update('\u0000').update(role).update('\u0000').update(tier).update('\u0000').update(context ?? '').update('\u0000').update(text).digest('base64');
}

export function createDecisionCache(opts: { max?: number; ttlMs?: number; now?: () => number; scope?: () => string } = {}): DecisionCache {
  const max = opts.max ?? 4096;
  const ttl = opts.ttlMs ?? 600_000;
  const now = opts.now ?? Date.now;
  const map = new Map<string, { d: Decision; at: number }>();
  let scope: string | null = null;
  const counts = { hits: 0, misses: 0, evictions: 0 };
  return {
    get(key) {
      if (max <= 0) return undefined;
      const e = map.get(key);
      if (!e) {
        counts.misses++;
        return undefined;
      }
      map.delete(key);
      if (now() - e.at > ttl) {
        counts.misses++;
        return undefined;
      }
      map.set(key, e);
      counts.hits++;
      return e.d;
    },
    set(key, d) {
      if (max <= 0) return;
      map.delete(key);
      map.set(key, { d, at: now() });
      while (map.size > max) {
        map.delete(map.keys().next().value as string);
        counts.evictions++;
      }
    },
    get size() {
      return map.size;
    },
    get scope() {
      // Computed on first use (the model's hash reads the whole model once per process).
      return (scope ??= max > 0 && opts.scope ? opts.scope() : '');
    },
    stats() {
      return { ...counts, size: map.size };
    },
  };
}

/** The scope of a gateway's cached decisions: the guard's model hash (a policy guard's) and the pack's id and version. */
export function decisionScope(guard: object, pack: { id: string; version: string } | undefined): string {
  const model = 'modelHash' in guard && typeof guard.modelHash === 'string' ? guard.modelHash : 'guard';
  return `${model} ${pack ? `${pack.id}@${pack.version}` : ''}`;
}

/** The cache's counters as /metrics gauges (hit rate = hits / (hits + misses)). */
export function decisionCacheGauges(s: DecisionCacheStats): Record<string, { help: string; value: number }> {
  const looked = s.hits + s.misses;
  return {
    pillars_gateway_decision_cache_hits_total: { help: 'Guard decisions answered from the decision cache (a text already decided for the same role, tier, context, model and pack).', value: s.hits },
    pillars_gateway_decision_cache_misses_total: { help: 'Guard decisions the decision cache did not hold.', value: s.misses },
    pillars_gateway_decision_cache_evictions_total: { help: 'Decisions dropped from the full cache (least recently used first).', value: s.evictions },
    pillars_gateway_decision_cache_entries: { help: 'Decisions held in the cache.', value: s.size },
    pillars_gateway_decision_cache_hit_ratio: { help: 'Hits / lookups since start (0 before the first lookup).', value: looked > 0 ? s.hits / looked : 0 },
  };
}
