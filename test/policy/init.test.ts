import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { Item } from '../../src/core/types.js';
import { checkPack } from '../../src/policy/load.js';
import { cli } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pillars-init-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pillars init', () => {
  it('writes a starter config, policy pack and suite that validate', async () => {
    const target = join(dir, 'fresh', 'project');
    const r = await cli('init', target);
    expect(r.code).toBe(0);
    for (const f of ['pillars.yaml', 'policy/pack.yaml', 'suites/starter.jsonl']) expect(existsSync(join(target, f)), f).toBe(true);
    const cfg = loadConfig({ config: join(target, 'pillars.yaml') });
    expect(cfg.policyPath).toBe(join(target, 'policy'));
    expect(cfg.raw.gates).toEqual([
      { metric: 'violation_rate', pillar: 'safety', max: 0.02 },
      { metric: 'over_refusal_rate', max: 0.05 },
    ]);
    expect(readFileSync(join(target, 'pillars.yaml'), 'utf8')).toMatch(/# - id: my-model\n\s*#\s+type: openai/);
    const { loaded, problems } = checkPack(cfg.policyPath);
    expect(problems).toEqual([]);
    expect(loaded!.pack.policies.length).toBeGreaterThanOrEqual(3);
    const v = await cli('policy', 'validate', '--config', join(target, 'pillars.yaml'));
    expect(v.code).toBe(0);
    const rows = readFileSync(join(target, 'suites/starter.jsonl'), 'utf8').trim().split('\n');
    const policyIds = new Set(loaded!.pack.policies.map((p) => p.id));
    for (const row of rows) {
      const item = Item.parse(JSON.parse(row));
      expect(policyIds.has(item.policy!)).toBe(true);
    }
  });

  it('cd DIR && pillars eval (no flags) runs the new project\'s own starter suite and passes its gates', async () => {
    const target = join(dir, 'first-run');
    expect((await cli('init', target)).code).toBe(0);
    const cwd = process.cwd();
    process.chdir(target);
    try {
      const r = await cli('eval', '--json');
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { suites: string[]; target: string; metrics: { overall: { items: number } }; gates: { passed: boolean }[] };
      expect(out.suites).toEqual(['starter']);
      expect(out.target).toBe('guard');
      expect(out.metrics.overall.items).toBe(6);
      expect(out.gates.length).toBe(2);
      expect(out.gates.every((g) => g.passed)).toBe(true);
    } finally {
      process.chdir(cwd);
    }
    const runs = readdirSync(join(target, '.pillars', 'reports'));
    expect(runs).toHaveLength(1);
    const report = JSON.parse(readFileSync(join(target, '.pillars', 'reports', runs[0]!, 'report.json'), 'utf8')) as { run: { suites: string[] } };
    expect(report.run.suites).toEqual(['starter']);
  });

  it('refuses to overwrite an existing file (exit 2, names it) and writes nothing', async () => {
    const target = join(dir, 'taken');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(target);
    writeFileSync(join(target, 'pillars.yaml'), 'policy: mine\n');
    const r = await cli('init', target);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pillars.yaml');
    expect(r.stderr).toMatch(/refusing to overwrite/);
    expect(readFileSync(join(target, 'pillars.yaml'), 'utf8')).toBe('policy: mine\n');
    expect(existsSync(join(target, 'policy'))).toBe(false);
  });

  it('a second init in the same folder refuses', async () => {
    const target = join(dir, 'twice');
    expect((await cli('init', target)).code).toBe(0);
    const before = readFileSync(join(target, 'policy/pack.yaml'), 'utf8');
    const r = await cli('init', target);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(join('policy', 'pack.yaml'));
    expect(readFileSync(join(target, 'policy/pack.yaml'), 'utf8')).toBe(before);
  });
});
