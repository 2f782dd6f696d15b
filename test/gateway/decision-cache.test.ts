import { describe, expect, it } from 'vitest';
import type { Decision } from '../../src/core/types.js';
import { defaultPackPath } from '../../src/core/paths.js';
import { createDecisionCache, decisionKey, decisionScope } from '../../src/gateway/decision-cache.js';
import { createGateway } from '../../src/gateway/server.js';
import { createGuard } from '../../src/guard/index.js';
import { loadPack } from '../../src/policy/load.js';

const d = (action: Decision['action']): Decision => ({ action, policy: null, pillar: null, topic: null, level: null, score: 0, stage: 'embedded', reasons: [] });

describe('decision cache', () => {
  it('keys by direction, tier, context and text', () => {
    const keys = new Set([decisionKey('input', 'public', null, 'a'), decisionKey('output', 'public', null, 'a'), decisionKey('input', 'enterprise', null, 'a'), decisionKey('input', 'public', 'clinical', 'a'), decisionKey('input', 'public', null, 'b')]);
    expect(keys.size).toBe(5);
  });

  it('keys by scope (model hash, pack version) too, and the scope is computed once, on first use', () => {
    expect(decisionKey('input', 'public', null, 'a', 'm1 pack@1')).not.toBe(decisionKey('input', 'public', null, 'a', 'm2 pack@1'));
    expect(decisionKey('input', 'public', null, 'a', 'm1 pack@1')).not.toBe(decisionKey('input', 'public', null, 'a', 'm1 pack@2'));
    let calls = 0;
    const c = createDecisionCache({ scope: () => `s${++calls}` });
    expect([c.scope, c.scope, calls]).toEqual(['s1', 's1', 1]);
    expect(decisionScope({ modelHash: 'abc' }, { id: 'p', version: '2' })).toBe('abc p@2');
  });

  it('counts hits, misses and evictions', () => {
    const c = createDecisionCache({ max: 1 });
    expect(c.get('a')).toBeUndefined();
    c.set('a', d('allow'));
    c.get('a');
    c.set('b', d('allow'));
    expect(c.stats()).toEqual({ hits: 1, misses: 1, evictions: 1, size: 1 });
  });

  it('a gateway decides a resent conversation turn once, and says so in /metrics', async () => {
    const pack = loadPack(defaultPackPath).pack;
    const gw = createGateway({ guard: createGuard({ pack }), pack });
    const { url } = await gw.listen({ port: 0, host: '127.0.0.1' });
    try {
      const ask = async (messages: unknown[]): Promise<string> =>
        ((await (await fetch(`${url}/v1/guard`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages }) })).json()) as { action: string }).action;
      const turns = [
        { role: 'system', content: 'You are a helpful assistant for a bank and travel app.' },
        { role: 'user', content: 'What is the exchange rate for euros today?' },
        { role: 'assistant', content: 'Sure, here is what I found.' },
        { role: 'user', content: 'And how do I book a train to Lyon?' },
      ];
      expect(await ask(turns.slice(0, 2))).toBe('allow');
      expect(await ask(turns)).toBe('allow');
      const metrics = await (await fetch(`${url}/metrics`)).text();
      const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1]);
      // The second request resent the system prompt and the first user turn: both were hits.
      expect(value('pillars_gateway_decision_cache_hits_total')).toBeGreaterThanOrEqual(2);
      expect(value('pillars_gateway_decision_cache_misses_total')).toBeGreaterThanOrEqual(4);
      expect(value('pillars_gateway_decision_cache_hit_ratio')).toBeGreaterThan(0);
    } finally {
      await gw.close();
    }
  });

  it('forgets the least recently used entry past its size, and any entry past its time', () => {
    let now = 0;
    const c = createDecisionCache({ max: 2, ttlMs: 1000, now: () => now });
    c.set('a', d('allow'));
    c.set('b', d('refuse'));
    expect(c.get('a')?.action).toBe('allow'); // a is now the most recent
    c.set('c', d('deflect'));
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')?.action).toBe('allow');
    now = 1500;
    expect(c.get('a')).toBeUndefined();
    const off = createDecisionCache({ max: 0 });
    off.set('a', d('allow'));
    expect(off.get('a')).toBeUndefined();
  });
});
