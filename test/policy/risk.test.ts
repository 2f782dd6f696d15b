import { describe, expect, it } from 'vitest';
import { PILLARS } from '../../src/core/pillars.js';
import { loadPack } from '../../src/policy/load.js';
import { Harm, PRODUCT_KINDS, PRODUCTS } from '../../src/policy/risk-catalog.js';
import { assessRisk, type RiskRegister } from '../../src/policy/risk.js';
import { cli } from './cli.js';

describe('pillars risk assess', () => {
  it('image-generator: deepfake, bias, disturbing content and copyright harms mapped to default-pack policies', async () => {
    const r = await cli('risk', 'assess', '--product', 'image-generator', '--format', 'json');
    expect(r.code).toBe(0);
    const reg = JSON.parse(r.stdout) as RiskRegister;
    expect(reg.product.kind).toBe('image-generator');
    expect(reg.pack.id).toBe('pillars-default');
    const harm = (id: string) => reg.harms.find((h) => h.id === id)!;
    expect(harm('deepfakes')).toMatchObject({ pillar: 'transparency', covered: true, policies: ['transparency.impersonation'] });
    expect(harm('deepfakes').description).toMatch(/real people/);
    expect(harm('bias-amplification')).toMatchObject({ pillar: 'fairness', covered: true, policies: ['fairness.discrimination'] });
    expect(harm('bias-amplification').description).toMatch(/doctors shown only as white men/);
    expect(harm('disturbing-content').covered).toBe(true);
    expect(harm('disturbing-content').policies).toEqual(expect.arrayContaining(['safety.violent_extremism']));
    expect(harm('copyright-style').policies).toEqual(['governance.copyright']);
    for (const h of reg.harms) {
      expect(h.covered).toBe(h.policies.length > 0);
      expect(PILLARS).toContain(h.pillar);
    }
    // Gaps are exactly the uncovered harms.
    expect(reg.gaps.map((g) => g.harm).sort()).toEqual(reg.harms.filter((h) => !h.covered).map((h) => h.id).sort());
    expect(reg.summary.harms).toBe(reg.harms.length);
    expect(reg.summary.covered + reg.summary.gaps).toBe(reg.summary.harms);
  });

  it('chat-assistant: the pack 1.1.0 harms (violent and other crime, sexual violence, advice, defamation, elections) are covered', () => {
    const { pack } = loadPack('policies/default');
    const reg = assessRisk({ product: 'chat-assistant', pack });
    const policies = (id: string) => reg.harms.find((h) => h.id === id)!.policies;
    expect(policies('violent-crime-help')).toEqual(['safety.violent_crime']);
    expect(policies('crime-how-to')).toEqual(['safety.nonviolent_crime']);
    expect(policies('sexual-violence')).toEqual(['safety.sex_crime']);
    expect(policies('unqualified-advice')).toEqual(['safety.specialized_advice']);
    expect(policies('defamation')).toEqual(['veracity_robustness.defamation']);
    expect(policies('election-disinformation')).toEqual(['veracity_robustness.elections']);
    const nc = assessRisk({ product: 'image-generator', pack }).harms.find((h) => h.id === 'non-consensual-intimate-imagery')!;
    expect(nc.policies).toEqual(expect.arrayContaining(['safety.sex_crime', 'transparency.impersonation']));
  });

  it('markdown is a risk register table with a gaps section', async () => {
    const r = await cli('risk', 'assess', '--product', 'agent-with-tools');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# Risk register: Agent with tools/);
    expect(r.stdout).toContain('| # | Harm | Pillar | Likelihood | Impact | Rating | Policies | Covered |');
    expect(r.stdout).toMatch(/Irreversible actions without confirmation.*\*\*GAP\*\*/);
  });

  it('every product kind covers several pillars and its covered harms name existing default policies', () => {
    const { pack } = loadPack('policies/default');
    const ids = new Set(pack.policies.map((p) => p.id));
    for (const kind of PRODUCT_KINDS) {
      for (const h of PRODUCTS[kind].harms) Harm.parse(h);
      expect(new Set(PRODUCTS[kind].harms.map((h) => h.id)).size, kind).toBe(PRODUCTS[kind].harms.length);
      const reg = assessRisk({ product: kind, pack });
      expect(new Set(PRODUCTS[kind].harms.map((h) => h.pillar)).size, kind).toBeGreaterThanOrEqual(7);
      for (const h of reg.harms) for (const p of h.policies) expect(ids.has(p)).toBe(true);
      expect(reg.summary.covered, kind).toBeGreaterThan(reg.summary.gaps);
    }
  });

  it('a pack without a topic turns the harms it covered into gaps', () => {
    const { pack } = loadPack('test/fixtures/policy/acme.yaml');
    const reg = assessRisk({ product: 'image-generator', pack });
    expect(reg.harms.find((h) => h.id === 'deepfakes')!.covered).toBe(false);
    expect(reg.gaps.map((g) => g.harm)).toContain('deepfakes');
    expect(reg.summary.covered).toBe(0);
  });

  it('an unknown kind exits 2 and lists the kinds', async () => {
    const r = await cli('risk', 'assess', '--product', 'toaster');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown product kind "toaster"');
    for (const k of PRODUCT_KINDS) expect(r.stderr).toContain(k);
  });
});
