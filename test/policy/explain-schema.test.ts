import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assetPath } from '../../src/core/paths.js';
import type { Explanation } from '../../src/policy/explain.js';
import { policySchemaText, SCHEMA_FILE } from '../../src/policy/json-schema.js';
import { cli } from './cli.js';

describe('pillars policy explain', () => {
  it('shows the ladder with level names, boundary, exceptions, regulations with titles and owners', async () => {
    const r = await cli('policy', 'explain', 'safety.cbrn', '--policy', 'test/fixtures/policy/acme.yaml');
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/0 awareness\s+allow/);
    expect(out).toMatch(/2 technical detail\s+deflect/);
    expect(out).toMatch(/3 operational\s+refuse/);
    expect(out).toContain('disallowed: Uplift toward producing');
    expect(out).toContain('context vetted-research: tiers trusted-researcher; up to level 2 (technical detail); unlocks allow at level 2');
    expect(out).toContain('adapter cbrn-research-lora');
    expect(out).toContain('approver biosafety-board@acme.example');
    expect(out).toContain('expires 2027-12-31');
    expect(out).toMatch(/eu-ai-act:art-55: EU AI Act.*Article 55/);
    expect(out).toContain('Owners: rai-policy@acme.example');
    expect(out).toContain('severity critical');
  });

  it('--json carries the same facts', async () => {
    const r = await cli('policy', 'explain', 'safety.self_harm', '--json');
    expect(r.code).toBe(0);
    const e = JSON.parse(r.stdout) as Explanation;
    expect(e.levels.map((l) => l.action)).toEqual(['allow', 'allow', 'deflect', 'deflect']);
    expect(e.levels[3]!.name).toBe('operational');
    expect(e.exceptions[0]).toMatchObject({ context: 'clinical', expired: false });
    expect(e.regulations.every((r) => r.title)).toBe(true);
    expect(e.severity).toBe('critical');
  });

  it('shows the policy\'s external taxonomy mapping (text and --json), "not mapped" for packs without one', async () => {
    const t = await cli('policy', 'explain', 'safety.violent_crime');
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/Taxonomy\n\s+MLCommons AILuminate\s+vcr\n\s+Llama Guard 3\s+S1\n\s+OpenAI moderation\s+violence/);
    const j = JSON.parse((await cli('policy', 'explain', 'safety.specialized_advice', '--json')).stdout) as Explanation;
    expect(j.taxonomy).toEqual({ mlcommons: ['spc_hlt', 'spc_lgl', 'spc_fin'], llamaguard3: ['S6'], openai: [] });
    const none = await cli('policy', 'explain', 'controllability.prompt_injection');
    expect(none.stdout).toMatch(/Llama Guard 3\s+no counterpart/);
    const acme = await cli('policy', 'explain', 'safety.cbrn', '--policy', 'test/fixtures/policy/acme.yaml');
    expect(acme.stdout).toMatch(/Taxonomy\n\s+not mapped/);
    const acmeJson = JSON.parse((await cli('policy', 'explain', 'safety.cbrn', '--policy', 'test/fixtures/policy/acme.yaml', '--json')).stdout) as Explanation;
    expect(acmeJson.taxonomy).toBeNull();
  });

  it('an unknown id exits 2 with a suggestion', async () => {
    const r = await cli('policy', 'explain', 'safety.cbrm');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('did you mean "safety.cbrn"');
  });
});

describe('policy JSON Schema', () => {
  it('`pillars policy schema` prints it and the committed file is in sync (npm run schema)', async () => {
    const r = await cli('policy', 'schema');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as { $id: string; properties: Record<string, unknown> };
    expect(s.$id).toContain('policy-pack');
    expect(Object.keys(s.properties)).toEqual(expect.arrayContaining(['id', 'version', 'tiers', 'policies', 'changelog']));
    expect(readFileSync(assetPath(SCHEMA_FILE), 'utf8')).toBe(policySchemaText());
    const policy = (s as unknown as { definitions?: unknown; properties: { policies: { items: { properties: Record<string, { properties?: Record<string, unknown>; additionalProperties?: boolean }> } } } }).properties.policies.items;
    expect(Object.keys(policy.properties.taxonomy!.properties!)).toEqual(['mlcommons', 'llamaguard3', 'openai']);
    expect(policy.properties.taxonomy!.additionalProperties).toBe(false);
  });
});
