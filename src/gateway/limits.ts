import { randomBytes } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { MaybePromise } from '../core/maybe.js';
import type { SharedRedis } from './redis.js';
import type { AnomalyConfig, RateLimit } from './config.js';

/**
 * Per-caller rate limits (token buckets) and anomaly detection (a burst of high-level requests
 * from one key inside a sliding window). In memory, per gateway process; buckets idle long enough
 * to be full again are dropped so the maps stay bounded.
 */

export interface RateLimiter {
  /** Take one token; returns 0 when allowed, else the seconds to wait. */
  take(tier: string, caller: string): MaybePromise<number>;
}

export function createRateLimiter(limits: Record<string, RateLimit>, now: () => number = Date.now): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  let sweepAt = now();
  return {
    take(tier, caller) {
      const limit = limits[tier];
      if (!limit) return 0;
      const perMs = limit.requestsPerMinute / 60_000;
      const burst = limit.burst ?? Math.max(1, Math.ceil(limit.requestsPerMinute / 10));
      const t = now();
      if (t - sweepAt > 60_000) {
        for (const [k, b] of buckets) if (b.tokens + (t - b.at) * perMs >= burst) buckets.delete(k);
        sweepAt = t;
      }
      const k = `${tier}\u0000${caller}`;
      const b = buckets.get(k) ?? { tokens: burst, at: t };
      b.tokens = Math.min(burst, b.tokens + (t - b.at) * perMs);
      b.at = t;
      buckets.set(k, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.ceil((1 - b.tokens) / perMs / 1000);
    },
  };
}

/**
 * The same limits held across every gateway instance on one Redis (rate-limiter-flexible). A
 * token bucket of `burst` tokens refilled at `requestsPerMinute` is kept as `burst` points per
 * window of burst/rate seconds: the same sustained rate and the same largest burst. While Redis
 * does not answer, each instance falls back to its own in-memory limiter (logged), so a Redis
 * outage neither blocks traffic nor lifts the limits.
 */
export function createRedisRateLimiter(limits: Record<string, RateLimit>, opts: { redis: SharedRedis; prefix?: string }): RateLimiter {
  const client = opts.redis.client;
  const byTier = new Map<string, RateLimiterRedis | null>();
  const limiterFor = (tier: string): RateLimiterRedis | null => {
    if (byTier.has(tier)) return byTier.get(tier)!;
    const limit = limits[tier];
    let l: RateLimiterRedis | null = null;
    if (limit) {
      const burst = limit.burst ?? Math.max(1, Math.ceil(limit.requestsPerMinute / 10));
      const duration = Math.max(1, Math.round((burst * 60) / limit.requestsPerMinute));
      const points = Math.max(1, Math.round((limit.requestsPerMinute * duration) / 60));
      const keyPrefix = `${opts.prefix ?? 'pillars:rl'}:${tier}`;
      l = new RateLimiterRedis({ storeClient: client, keyPrefix, points, duration, insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration }) });
    }
    byTier.set(tier, l);
    return l;
  };
  return {
    async take(tier, caller) {
      const l = limiterFor(tier);
      if (!l) return 0;
      await opts.redis.ready();
      try {
        await l.consume(caller, 1);
        return 0;
      } catch (e) {
        if (e instanceof RateLimiterRes) return Math.max(1, Math.ceil(e.msBeforeNext / 1000));
        throw e;
      }
    },
  };
}

export interface AnomalyDetector {
  /** Record a request's level for a caller; returns the flags it raises (empty when none). */
  observe(caller: string, level: number | null): MaybePromise<string[]>;
}

/**
 * The anomaly window shared by every instance on one Redis: a sorted set of high-level request
 * times per caller, trimmed to the window. While Redis does not answer, this instance's own
 * window decides (`fallback`).
 */
export function createRedisAnomalyDetector(cfg: AnomalyConfig, opts: { redis: SharedRedis; prefix?: string; now?: () => number }): AnomalyDetector {
  const now = opts.now ?? Date.now;
  const fallback = createAnomalyDetector(cfg, now);
  const span = cfg.windowSeconds * 1000;
  const flag = (n: number): string[] => (n >= cfg.count ? [`burst:level>=${cfg.level}:${n}/${cfg.windowSeconds}s`] : []);
  // Members must be unique across every instance (two in one process included): a random id per detector.
  const self = randomBytes(6).toString('hex');
  let seq = 0;
  return {
    async observe(caller, level) {
      if (level === null || level < cfg.level) return [];
      await opts.redis.ready();
      if (!opts.redis.up()) return fallback.observe(caller, level);
      const t = now();
      const key = `${opts.prefix ?? 'pillars:anomaly'}:${caller}`;
      try {
        const r = await opts.redis.client
          .multi()
          .zadd(key, t, `${t}:${self}:${seq++}`)
          .zremrangebyscore(key, 0, t - span)
          .zcard(key)
          .pexpire(key, span)
          .exec();
        const n = Number(r?.[2]?.[1] ?? 0);
        return flag(n);
      } catch {
        return fallback.observe(caller, level);
      }
    },
  };
}

export function createAnomalyDetector(cfg: AnomalyConfig, now: () => number = Date.now): AnomalyDetector {
  const windows = new Map<string, number[]>();
  const span = cfg.windowSeconds * 1000;
  return {
    observe(caller, level) {
      if (level === null || level < cfg.level) return [];
      const t = now();
      const w = (windows.get(caller) ?? []).filter((x) => t - x < span);
      w.push(t);
      // Keep at most `count` timestamps: enough to decide, bounded memory.
      if (w.length > cfg.count) w.splice(0, w.length - cfg.count);
      windows.set(caller, w);
      if (windows.size > 10_000) {
        for (const [k, v] of windows) if (v.every((x) => t - x >= span)) windows.delete(k);
      }
      return w.length >= cfg.count ? [`burst:level>=${cfg.level}:${w.length}/${cfg.windowSeconds}s`] : [];
    },
  };
}
