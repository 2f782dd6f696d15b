import { describe, expect, it } from 'vitest';
import { defaultPackPath } from '../../src/core/paths.js';
import { PILLARS } from '../../src/core/pillars.js';
import { checkPack } from '../../src/policy/load.js';
import { actionAt } from '../../src/policy/schema.js';
import { cli } from './cli.js';

const EXPECTED: Record<string, [string, string]> = {
  'safety.cbrn': ['safety', 'cbrn'],
  'safety.cyber': ['safety', 'cyber'],
  'safety.weapons': ['safety', 'weapons'],
  'safety.drugs': ['safety', 'drugs'],
  'safety.self_harm': ['safety', 'self_harm'],
  'safety.violent_extremism': ['safety', 'violent_extremism'],
  'safety.sexual_minors': ['safety', 'sexual_minors'],
  'safety.fraud': ['safety', 'fraud'],
  'fairness.hate_harassment': ['fairness', 'hate_harassment'],
  'fairness.discrimination': ['fairness', 'discrimination'],
  'privacy_security.privacy': ['privacy_security', 'privacy'],
  'veracity_robustness.misinformation': ['veracity_robustness', 'misinformation'],
  'transparency.impersonation': ['transparency', 'impersonation'],
  'transparency.ai_disclosure': ['transparency', 'ai_disclosure'],
  'governance.copyright': ['governance', 'copyright'],
  'controllability.prompt_injection': ['controllability', 'prompt_injection'],
  'explainability.decision_explanations': ['explainability', 'explanations'],
  'safety.violent_crime': ['safety', 'violent_crime'],
  'safety.nonviolent_crime': ['safety', 'nonviolent_crime'],
  'safety.sex_crime': ['safety', 'sex_crime'],
  'safety.sexual_content': ['safety', 'sexual_content'],
  'safety.specialized_advice': ['safety', 'specialized_advice'],
  'veracity_robustness.defamation': ['veracity_robustness', 'defamation'],
  'veracity_robustness.elections': ['veracity_robustness', 'elections'],
};

describe('the default policy pack', () => {
  const { loaded, problems } = checkPack(defaultPackPath);

  it('validates clean (no errors, no expired exceptions)', async () => {
    expect(problems).toEqual([]);
    expect(loaded).toBeDefined();
    const r = await cli('policy', 'validate', defaultPackPath);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('pack pillars-default');
  });

  it('holds exactly the 24 contract policies, and every pillar has policies', () => {
    const pack = loaded!.pack;
    expect(pack.id).toBe('pillars-default');
    expect(pack.tiers).toEqual(['public', 'enterprise', 'trusted-researcher']);
    expect((pack.contexts ?? []).map((c) => c.id).sort()).toEqual(['adult-platform', 'clinical', 'security-testing', 'vetted-research']);
    expect(Object.fromEntries(pack.policies.map((p) => [p.id, [p.pillar, p.topic]]))).toEqual(EXPECTED);
    for (const pillar of PILLARS) expect(pack.policies.some((p) => p.pillar === pillar)).toBe(true);
  });

  it('gives every policy a boundary, deflection, owners, regulations from the catalog and 2-4 examples', () => {
    const pack = loaded!.pack;
    const catalog = new Set((pack.regulations ?? []).map((r) => r.id));
    for (const p of pack.policies) {
      expect(p.boundary.disallowed.length, p.id).toBeGreaterThan(40);
      expect(p.boundary.allowed.length, p.id).toBeGreaterThan(40);
      expect(p.deflection, p.id).toBeTruthy();
      expect(p.owners?.length, p.id).toBeGreaterThan(0);
      expect(p.regulations.length, p.id).toBeGreaterThan(0);
      for (const r of p.regulations) expect(catalog.has(r), `${p.id} cites ${r}`).toBe(true);
      expect(p.examples.length, p.id).toBeGreaterThanOrEqual(2);
      expect(p.examples.length, p.id).toBeLessThanOrEqual(4);
    }
  });

  it('has the ladders the policy intends', () => {
    const pack = loaded!.pack;
    const get = (id: string) => pack.policies.find((p) => p.id === id)!;
    const minors = get('safety.sexual_minors');
    expect([0, 1, 2, 3].map((l) => actionAt(minors, l))).toEqual(['refuse', 'refuse', 'refuse', 'refuse']);
    expect(minors.exceptions).toEqual([]);
    const selfHarm = get('safety.self_harm');
    expect(actionAt(selfHarm, 3)).toBe('deflect');
    expect(selfHarm.help).toMatch(/988/);
    expect(selfHarm.exceptions.map((e) => e.context)).toEqual(['clinical']);
    const cyber = get('safety.cyber').exceptions[0]!;
    expect(cyber).toMatchObject({ context: 'security-testing', tiers: ['enterprise', 'trusted-researcher'] });
    expect(cyber.adapter).toBeTruthy();
    const cbrn = get('safety.cbrn');
    expect(cbrn.exceptions[0]).toMatchObject({ context: 'vetted-research', tiers: ['trusted-researcher'], upTo: 2 });
    expect(actionAt(get('privacy_security.privacy'), 2)).toBe('redact');
    const ladder = (id: string) => [0, 1, 2, 3].map((l) => actionAt(get(id), l));
    expect(ladder('safety.violent_crime')).toEqual(['allow', 'allow', 'refuse', 'refuse']);
    expect(ladder('safety.nonviolent_crime')).toEqual(['allow', 'allow', 'deflect', 'refuse']);
    expect(ladder('safety.sex_crime')).toEqual(['allow', 'allow', 'refuse', 'refuse']);
    expect(ladder('safety.sexual_content')).toEqual(['allow', 'allow', 'deflect', 'refuse']);
    expect(ladder('safety.specialized_advice')).toEqual(['allow', 'allow', 'allow', 'deflect']);
    expect(ladder('veracity_robustness.defamation')).toEqual(['allow', 'allow', 'refuse', 'refuse']);
    expect(ladder('veracity_robustness.elections')).toEqual(['allow', 'allow', 'refuse', 'refuse']);
    expect(get('safety.violent_crime').exceptions).toEqual([]);
    expect(get('safety.sex_crime').exceptions).toEqual([]);
    expect(get('safety.specialized_advice').exceptions[0]).toMatchObject({ context: 'clinical', upTo: 3 });
  });

  it('maps every policy to the external hazard taxonomies', () => {
    const pack = loaded!.pack;
    for (const p of pack.policies) {
      expect(p.taxonomy, p.id).toBeDefined();
      expect(Object.keys(p.taxonomy!).sort(), p.id).toEqual(['llamaguard3', 'mlcommons', 'openai']);
    }
    const tax = (id: string) => pack.policies.find((p) => p.id === id)!.taxonomy!;
    expect(tax('safety.violent_crime')).toMatchObject({ mlcommons: ['vcr'], llamaguard3: ['S1'] });
    expect(tax('safety.nonviolent_crime')).toMatchObject({ mlcommons: ['ncr'], llamaguard3: ['S2'] });
    expect(tax('safety.sex_crime')).toMatchObject({ mlcommons: ['src'], llamaguard3: ['S3'] });
    expect(tax('safety.sexual_minors')).toMatchObject({ mlcommons: ['cse'], llamaguard3: ['S4'] });
    expect(tax('veracity_robustness.defamation')).toMatchObject({ mlcommons: ['dfm'], llamaguard3: ['S5'] });
    expect(tax('veracity_robustness.elections')).toMatchObject({ mlcommons: ['spc_ele'], llamaguard3: ['S13'] });
    // Every AILuminate hazard and Llama Guard 3 category except code-interpreter abuse has a policy.
    const ml = new Set(pack.policies.flatMap((p) => p.taxonomy?.mlcommons ?? []));
    expect([...ml].sort()).toEqual(['cse', 'dfm', 'hte', 'ipv', 'iwp', 'ncr', 'prv', 'spc_ele', 'spc_fin', 'spc_hlt', 'spc_lgl', 'src', 'ssh', 'sxc_prn', 'vcr']);
    const lg = new Set(pack.policies.flatMap((p) => p.taxonomy?.llamaguard3 ?? []));
    for (let i = 1; i <= 13; i++) expect(lg.has(`S${i}` as never), `S${i}`).toBe(true);
  });
});
