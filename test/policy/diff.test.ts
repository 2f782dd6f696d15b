import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultPackPath } from '../../src/core/paths.js';
import type { PackDiff } from '../../src/policy/diff.js';
import { cli } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pillars-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of the default pack's header and policies (the bulk examples are not needed to diff). */
function copyDefault(name: string): string {
  const to = join(dir, name);
  cpSync(join(defaultPackPath, 'pack.yaml'), join(to, 'pack.yaml'));
  cpSync(join(defaultPackPath, 'policies'), join(to, 'policies'), { recursive: true });
  return to;
}

function edit(file: string, from: string, to: string, occurrence = 0): void {
  const text = readFileSync(file, 'utf8');
  let at = -1;
  for (let i = 0; i <= occurrence; i++) at = text.indexOf(from, at + 1);
  if (at < 0) throw new Error(`${from} not found in ${file}`);
  writeFileSync(file, text.slice(0, at) + to + text.slice(at + from.length));
}

const LADDER = 'levels: {0: allow, 1: allow, 2: deflect, 3: refuse}';

describe('pillars policy diff', () => {
  it('reports a level-2 deflect → allow edit as exactly one change, exit 0', async () => {
    const base = copyDefault('base');
    const changed = copyDefault('weapons');
    // safety.weapons is the third policy in safety.yaml with this ladder (cbrn, cyber, weapons).
    const safety = join(changed, 'policies', 'safety.yaml');
    edit(safety, `topic: weapons`, 'topic: weapons'); // sanity: present
    const text = readFileSync(safety, 'utf8');
    const w = text.indexOf('id: safety.weapons');
    const l = text.indexOf(LADDER, w);
    writeFileSync(safety, text.slice(0, l) + 'levels: {0: allow, 1: allow, 2: allow, 3: refuse}' + text.slice(l + LADDER.length));

    const r = await cli('policy', 'diff', base, changed, '--json');
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout) as PackDiff;
    expect(d.behaviour).toHaveLength(1);
    expect(d.behaviour[0]).toMatchObject({ topic: 'weapons', policies: ['safety.weapons'], level: 2, from: 'deflect', to: 'allow', allCells: true });
    // 3 tiers × (no context + 4 contexts): every cell of the level moved, nothing else did.
    expect(d.changedCells).toBe(15);
    expect(d.behaviour[0]!.cells).toHaveLength(15);
    expect(d.exceptions).toEqual([]);
    expect(d.severity).toEqual([]);
    expect(d.fields).toEqual([]);
    expect(d.policies).toEqual({ added: [], removed: [] });
    expect(d.examples).toEqual([]);
    expect(d.identical).toBe(false);

    const t = await cli('policy', 'diff', base, changed);
    expect(t.code).toBe(0);
    const changeLines = t.stdout.split('\n').filter((x) => /→/.test(x) && /level/.test(x));
    expect(changeLines).toHaveLength(1);
    expect(changeLines[0]).toContain('weapons (safety.weapons) level 2 technical detail: deflect → allow, every tier and context');
  });

  it('reports no difference between identical packs, still exit 0', async () => {
    const a = copyDefault('same-a');
    const b = copyDefault('same-b');
    const r = await cli('policy', 'diff', a, b, '--json');
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout) as PackDiff;
    expect(d.identical).toBe(true);
    expect(d.behaviour).toEqual([]);
    expect(d.changedCells).toBe(0);
  });

  it('reports a taxonomy mapping change as a field change, not a behaviour change', async () => {
    const base = copyDefault('tax-base');
    const changed = copyDefault('tax');
    edit(join(changed, 'policies', 'safety.yaml'), 'taxonomy: {mlcommons: [iwp], llamaguard3: [S9], openai: [illicit/violent]}', 'taxonomy: {mlcommons: [iwp], llamaguard3: [S9, S1], openai: [illicit/violent]}');
    const d = JSON.parse((await cli('policy', 'diff', base, changed, '--json')).stdout) as PackDiff;
    expect(d.behaviour).toEqual([]);
    expect(d.fields).toEqual([{ policy: 'safety.cbrn', field: 'taxonomy', from: 'mlcommons: iwp; llamaguard3: S9; openai: illicit/violent', to: 'mlcommons: iwp; llamaguard3: S1, S9; openai: illicit/violent' }]);
  });

  it('leaves cells an exception already allowed out of the change', async () => {
    const base = copyDefault('cbrn-base');
    const changed = copyDefault('cbrn');
    edit(join(changed, 'policies', 'safety.yaml'), LADDER, 'levels: {0: allow, 1: allow, 2: allow, 3: refuse}'); // first: safety.cbrn
    const d = JSON.parse((await cli('policy', 'diff', base, changed, '--json')).stdout) as PackDiff;
    expect(d.behaviour).toHaveLength(1);
    expect(d.changedCells).toBe(14);
    expect(d.behaviour[0]!.cells).not.toContainEqual({ tier: 'trusted-researcher', context: 'vetted-research' });
    expect(d.behaviour[0]!.where).toBe('every tier and context except context vetted-research: trusted-researcher (unchanged)');
  });

  it('reports exceptions widened and narrowed, severity changes, policies added and removed, version', async () => {
    const base = copyDefault('ex-base');
    const changed = copyDefault('ex');
    const safety = join(changed, 'policies', 'safety.yaml');
    // cyber: add public to the security-testing tiers and extend the expiry (widened).
    edit(safety, 'tiers: [enterprise, trusted-researcher]\n        upTo: 3', 'tiers: [public, enterprise, trusted-researcher]\n        upTo: 3');
    edit(safety, 'expires: 2027-06-30', 'expires: 2028-06-30');
    // cbrn exception: upTo 2 → 1 (narrowed).
    edit(safety, 'upTo: 2', 'upTo: 1');
    edit(join(changed, 'policies', 'governance.yaml'), 'severity: medium', 'severity: high');
    edit(join(changed, 'pack.yaml'), 'version: 1.1.0', 'version: 1.2.0');
    const expl = join(changed, 'policies', 'explainability.yaml');
    writeFileSync(expl, readFileSync(expl, 'utf8').replace(/id: explainability\.decision_explanations/, 'id: explainability.explanations'));

    const d = JSON.parse((await cli('policy', 'diff', base, changed, '--json')).stdout) as PackDiff;
    expect(d.versionChanged).toBe(true);
    expect(d.old.version).toBe('1.1.0');
    expect(d.new.version).toBe('1.2.0');
    const cyber = d.exceptions.find((e) => e.policy === 'safety.cyber')!;
    expect(cyber.kind).toBe('widened');
    expect(cyber.changes.join(' ')).toMatch(/tiers added: public/);
    expect(cyber.changes.join(' ')).toMatch(/expiry extended 2027-06-30 → 2028-06-30/);
    expect(d.exceptions.find((e) => e.policy === 'safety.cbrn')).toMatchObject({ kind: 'narrowed', changes: ['upTo lowered 2 → 1'] });
    expect(d.severity).toEqual([{ policy: 'governance.copyright', field: 'severity', from: 'medium', to: 'high' }]);
    expect(d.policies).toEqual({ added: ['explainability.explanations'], removed: ['explainability.decision_explanations'] });
    // Public may now invoke security-testing for cyber at levels 2 and 3; cbrn level 2 for researchers is no longer unlocked.
    const cyberCells = d.behaviour.filter((b) => b.topic === 'cyber');
    expect(cyberCells.map((b) => [b.level, b.from, b.to, b.cells])).toEqual([
      [2, 'deflect', 'allow', [{ tier: 'public', context: 'security-testing' }]],
      [3, 'refuse', 'allow', [{ tier: 'public', context: 'security-testing' }]],
    ]);
    expect(d.behaviour.filter((b) => b.topic === 'cbrn').map((b) => [b.level, b.from, b.to, b.cells])).toEqual([
      [2, 'allow', 'deflect', [{ tier: 'trusted-researcher', context: 'vetted-research' }]],
    ]);
    // The version moved without a changelog entry for it.
    expect(d.notes).toEqual(['the changelog has no entry for version 1.2.0']);
  });
});
