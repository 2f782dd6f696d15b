import { describe, expect, it } from 'vitest';
import { jobSize, redisClient } from '../../src/eval/queue.js';
import { limiterKeys, SharedRateLimiter } from '../../src/eval/queue-rate-limit.js';
import { requireRedis, SKIP_REDIS } from '../helpers/services.js';
import { queueUrl } from './helpers.js';

describe('queue job size', () => {
  it('is about total / 32 between 100 and 500 items, rounded up to whole rounds of the requests in flight', () => {
    expect(jobSize(600, 4)).toBe(100);
    expect(jobSize(600, 8)).toBe(104);
    expect(jobSize(10_000, 16)).toBe(320);
    expect(jobSize(50_000, 16)).toBe(512);
    expect(jobSize(1_000_000, 8)).toBe(504);
    expect(jobSize(10, 0)).toBe(100);
  });
});

describe.skipIf(SKIP_REDIS)('SharedRateLimiter', () => {
  it('spaces requests from several limiters (clients) sharing one target by 60,000 / rpm ms', async () => {
    requireRedis();
    const url = queueUrl([6, 7, 8, 9, 10]);
    const clients = [redisClient(url), redisClient(url)];
    const target = `unit-${process.pid}-${Date.now()}`;
    try {
      // 600 rpm: one request every 100 ms over both limiters together.
      const limiters = clients.map((c) => new SharedRateLimiter(c, { prefix: 'pillars-eval-test', target, limits: { rpm: 600 } }));
      const signal = new AbortController().signal;
      const t0 = performance.now();
      const times: number[] = [];
      await Promise.all(Array.from({ length: 10 }, async (_, i) => (await limiters[i % 2]!.acquire(1, signal), times.push(performance.now() - t0))));
      times.sort((a, b) => a - b);
      // Ten requests: the first at once, the last about 900 ms later.
      expect(times[9]! - times[0]!).toBeGreaterThanOrEqual(880);
      const keys = limiterKeys('pillars-eval-test', target);
      expect(Number(await clients[0]!.get(keys.req))).toBeGreaterThan(0);
    } finally {
      for (const c of clients) c.disconnect();
    }
  });
});
