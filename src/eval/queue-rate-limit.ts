import type { Redis } from 'ioredis';
import { sleep } from './retry.js';

/**
 * A target's rate limits (`rpm`, `tpm`) held in total over every `pillars worker` taking jobs from
 * one Redis: the limiter's state lives in Redis, not in the process. It is GCRA (a virtual
 * scheduling clock, "theoretical arrival time") with reservations: each request runs one Lua
 * script that reads Redis' own clock, books the next free slot (one request every 60,000/rpm ms;
 * estimated tokens at tpm's pace) and returns how long to wait for it. So one round trip per
 * request, callers across processes are served in the order their scripts ran, no slot is given
 * twice, and no burst builds up while idle: over any window of W ms at most W·rpm/60,000 + 1
 * requests start (plus the spread of the workers' timer delays).
 *
 * The same surface as `RateLimiter` (eval/rate-limit.ts), so `executeRun` takes either.
 */

const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local perReq = tonumber(ARGV[1])
local perTok = tonumber(ARGV[2])
local tokens = tonumber(ARGV[3])
local start = now
if perReq > 0 then
  local a = tonumber(redis.call('GET', KEYS[1]) or '0')
  if a > start then start = a end
end
if perTok > 0 then
  local b = tonumber(redis.call('GET', KEYS[2]) or '0')
  if b > start then start = b end
end
if perReq > 0 then
  local tat = start + perReq
  redis.call('SET', KEYS[1], string.format('%.3f', tat), 'PX', math.ceil(tat - now) + 60000)
end
if perTok > 0 then
  local tat = start + perTok * tokens
  redis.call('SET', KEYS[2], string.format('%.3f', tat), 'PX', math.ceil(tat - now) + 60000)
end
return math.ceil(start - now)
`;

/** Move the token clock by the difference between reported and estimated tokens (ms). */
const SETTLE = `
local v = tonumber(redis.call('GET', KEYS[1]) or 'nil')
if v == nil then return 0 end
redis.call('SET', KEYS[1], string.format('%.3f', v + tonumber(ARGV[1])), 'KEEPTTL')
return 1
`;

export interface SharedLimits {
  rpm?: number;
  tpm?: number;
}

type LimiterRedis = Redis & {
  pillarsReserve(reqKey: string, tokKey: string, perReq: string, perTok: string, tokens: string): Promise<number>;
  pillarsSettle(tokKey: string, deltaMs: string): Promise<number>;
};

function withScripts(redis: Redis): LimiterRedis {
  const r = redis as LimiterRedis;
  if (typeof r.pillarsReserve !== 'function') {
    redis.defineCommand('pillarsReserve', { numberOfKeys: 2, lua: RESERVE });
    redis.defineCommand('pillarsSettle', { numberOfKeys: 1, lua: SETTLE });
  }
  return r;
}

/** Redis keys of a target's limiter: one clock for requests, one for tokens. */
export function limiterKeys(prefix: string, target: string): { req: string; tok: string } {
  return { req: `${prefix}:rate:${target}:req`, tok: `${prefix}:rate:${target}:tok` };
}

export class SharedRateLimiter {
  private readonly redis: LimiterRedis;
  private readonly perReq: number;
  private readonly perTok: number;
  private readonly keys: { req: string; tok: string };

  /** `redis`: a client this limiter may use (not a blocking BullMQ connection); `prefix`: the queue's name. */
  constructor(
    redis: Redis,
    opts: { prefix: string; target: string; limits: SharedLimits },
  ) {
    this.redis = withScripts(redis);
    this.perReq = opts.limits.rpm ? 60_000 / opts.limits.rpm : 0;
    this.perTok = opts.limits.tpm ? 60_000 / opts.limits.tpm : 0;
    this.keys = limiterKeys(opts.prefix, opts.target);
  }

  get active(): boolean {
    return this.perReq > 0 || this.perTok > 0;
  }

  /** Book the next slot for one request of about `tokens` tokens, and wait for it. */
  async acquire(tokens: number, signal: AbortSignal): Promise<void> {
    if (!this.active) return;
    const n = String(Math.max(0, Math.ceil(tokens)));
    // A process that wakes up more than a slot late (a busy event loop) would send together with
    // the requests booked after it: it books a new slot instead (a few times at most).
    const late = Math.max(this.perReq, 5);
    for (let tries = 0; ; tries++) {
      const wait = await this.redis.pillarsReserve(this.keys.req, this.keys.tok, String(this.perReq), String(this.perTok), n);
      if (wait <= 0) return;
      const due = performance.now() + wait;
      await sleep(wait, signal);
      if (performance.now() - due <= late || tries >= 3) return;
    }
  }

  /** Correct the token estimate once the provider reports real usage (best effort: a lost correction only shifts the pace slightly). */
  settle(estimated: number, actual: number | undefined): void {
    if (this.perTok === 0 || actual === undefined || actual === estimated) return;
    this.redis.pillarsSettle(this.keys.tok, ((actual - estimated) * this.perTok).toFixed(3)).catch(() => undefined);
  }
}
