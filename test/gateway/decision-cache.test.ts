import { describe, expect, it } from 'vitest';
import type { Decision } from '../../src/core/types.js';
import { createDecisionCache, decisionKey } from '../../src/gateway/decision-cache.js';

const d = (action: Decision['action']): Decision => ({ action, policy: null, pillar: null, topic: null, level: null, score: 0, stage: 'embedded', reasons: [] });

describe('decision cache', () => {
  it('keys by direction, tier, context and text', () => {
    const keys = new Set([decisionKey('input', 'public', null, 'a'), decisionKey('output', 'public', null, 'a'), decisionKey('input', 'enterprise', null, 'a'), decisionKey('input', 'public', 'clinical', 'a'), decisionKey('input', 'public', null, 'b')]);
    expect(keys.size).toBe(5);
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
