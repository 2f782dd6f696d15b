import { describe, expect, it } from 'vitest';
import { effectiveAction, exceptionApplies, strictest, topicAction } from '../../src/policy/effective.js';
import { loadPack } from '../../src/policy/load.js';

const { pack } = loadPack('test/fixtures/policy/acme.yaml');
const cbrn = pack.policies[0]!;
const TODAY = '2026-11-21';

describe('effective action', () => {
  it('is the ladder without a context', () => {
    expect(effectiveAction({ policy: cbrn, cell: { level: 2, tier: 'trusted-researcher', context: null }, today: TODAY }).action).toBe('deflect');
  });

  it('an exception unlocks allow for its tier and context up to upTo', () => {
    const e = effectiveAction({ policy: cbrn, cell: { level: 2, tier: 'trusted-researcher', context: 'vetted-research' }, today: TODAY });
    expect(e).toMatchObject({ action: 'allow', base: 'deflect', monitoring: 'full', adapter: 'cbrn-research-lora' });
    expect(e.exception?.context).toBe('vetted-research');
  });

  it('does not apply above upTo, to another tier or context, or after expiry', () => {
    const at = (level: 0 | 1 | 2 | 3, tier: string, context: string, today = TODAY) => effectiveAction({ policy: cbrn, cell: { level, tier, context }, today }).action;
    expect(at(3, 'trusted-researcher', 'vetted-research')).toBe('refuse');
    expect(at(2, 'enterprise', 'vetted-research')).toBe('deflect');
    expect(at(2, 'trusted-researcher', 'clinical')).toBe('deflect');
    expect(at(2, 'trusted-researcher', 'vetted-research', '2027-12-31')).toBe('allow'); // the expiry day is still valid
    expect(at(2, 'trusted-researcher', 'vetted-research', '2028-01-01')).toBe('deflect');
    expect(exceptionApplies(cbrn.exceptions[0]!, { level: 1, tier: null, context: 'vetted-research' }, TODAY)).toBe(false);
  });

  it('combines policies on one topic by the strictest action', () => {
    expect(strictest(['allow', 'redact', 'deflect'])).toBe('deflect');
    expect(strictest(['allow', 'refuse', 'redact'])).toBe('refuse');
    expect(topicAction({ pack, topic: 'cbrn', cell: { level: 0, tier: 'public', context: null } })).toEqual({ action: 'allow', policies: ['safety.cbrn'] });
    expect(topicAction({ pack, topic: 'nothing', cell: { level: 0, tier: 'public', context: null } })).toBeNull();
  });
});
