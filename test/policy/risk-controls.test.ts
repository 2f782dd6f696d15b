import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RiskRegister } from '../../src/policy/risk.js';
import { cli } from './cli.js';

/** Issue 18: the gateway's tool rules close the risk register's "excessive agency" gap. */

describe('pillars risk assess with gateway tool rules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pillars-risk-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const assess = async (yaml: string): Promise<RiskRegister> => {
    const file = join(dir, `pillars-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, yaml);
    const r = await cli('risk', 'assess', '--product', 'agent-with-tools', '--format', 'json', '--config', file);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as RiskRegister;
  };

  it('excessive agency is a gap of the default pack, covered by gateway.tools rules that hold calls for approval', async () => {
    const without = await assess('gateway: {port: 8787}\n');
    const gap = without.harms.find((h) => h.id === 'excessive-agency')!;
    expect(gap).toMatchObject({ covered: false, controls: [] });
    expect(without.gaps.map((g) => g.harm)).toContain('excessive-agency');

    const withRules = await assess(['gateway:', '  tools:', '    byTier:', '      enterprise:', '        - {name: send_email, action: approve}', '        - {name: search}', ''].join('\n'));
    const h = withRules.harms.find((x) => x.id === 'excessive-agency')!;
    expect(h).toMatchObject({ covered: true, controls: ['gateway.tools'], uncoveredTopics: [] });
    expect(h.treatment).toContain("1 held for a reviewer's approval");
    expect(withRules.gaps.map((g) => g.harm)).not.toContain('excessive-agency');
    expect(withRules.summary.covered).toBe(without.summary.covered + 1);
  });
});
