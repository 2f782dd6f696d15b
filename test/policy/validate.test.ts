import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPack, loadPack } from '../../src/policy/load.js';
import { cli, posOf } from './cli.js';

const ACME = readFileSync(new URL('../fixtures/policy/acme.yaml', import.meta.url), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'pillars-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** The acme policy again, with the same id, appended to the policies list. */
const SECOND = `  - id: safety.cbrn
    pillar: safety
    title: A second policy that reuses the id
    severity: high
    topic: cbrn_copy
    boundary: {disallowed: Something., allowed: Something else.}
    levels: {0: allow, 1: allow, 2: deflect, 3: refuse}
`;

function withDuplicate(text: string): string {
  return text.replace('changelog:', `${SECOND}changelog:`);
}

const LINE = /^(.+):(\d+):(\d+): (.+)$/;

function lines(stdout: string): { file: string; line: number; col: number; message: string }[] {
  return stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const m = LINE.exec(l);
      if (!m) throw new Error(`not a FILE:LINE:COL line: ${l}`);
      return { file: m[1]!, line: Number(m[2]), col: Number(m[3]), message: m[4]! };
    });
}

describe('pillars policy validate', () => {
  it("accepts the issue's example pack", async () => {
    const r = await cli('policy', 'validate', 'test/fixtures/policy/acme.yaml');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('valid (pack acme 1.0.0, 1 policies)');
    const { pack } = loadPack('test/fixtures/policy/acme.yaml');
    expect(pack.policies[0]!.exceptions[0]).toMatchObject({ context: 'vetted-research', tiers: ['trusted-researcher'], upTo: 2, expires: '2027-12-31' });
  });

  it('reports all four breakages at once, one FILE:LINE:COL line each, exit 1', async () => {
    const text = withDuplicate(ACME).replace('pillar: safety', 'pillar: saftey').replace('3: refuse}', '4: refuse}').replace('tiers: [trusted-researcher]', 'tiers: [nobody]');
    const file = write('broken.yaml', text);
    const r = await cli('policy', 'validate', file);
    expect(r.code).toBe(1);
    const got = lines(r.stdout);
    expect(got).toHaveLength(4);
    for (const g of got) expect(g.file).toBe(file);
    const at = (needle: string, from = 0): { line: number; col: number } => posOf(text, needle, from);
    const byMsg = (re: RegExp) => got.find((g) => re.test(g.message));
    expect(byMsg(/unknown pillar "saftey"/)).toMatchObject({ ...at('saftey') });
    expect(byMsg(/did you mean "safety"/)).toBeDefined();
    expect(byMsg(/level 4 is outside 0-3/)).toMatchObject({ ...at('4: refuse') });
    expect(byMsg(/unknown tier "nobody"/)).toMatchObject({ ...at('nobody') });
    const second = text.indexOf('- id: safety.cbrn', text.indexOf('- id: safety.cbrn') + 1);
    expect(byMsg(/duplicate policy id "safety.cbrn"/)).toMatchObject({ ...at('safety.cbrn', second) });
  });

  it.each([
    ['unknown pillar', (t: string) => t.replace('pillar: safety', 'pillar: saftey'), /unknown pillar "saftey"/, 'saftey'],
    ['duplicate id', withDuplicate, /duplicate policy id/, 'safety.cbrn\n    pillar: safety\n    title: A second'],
    ['level 4', (t: string) => t.replace('3: refuse}', '4: refuse}'), /level 4 is outside 0-3/, '4: refuse'],
    ['unknown tier', (t: string) => t.replace('tiers: [trusted-researcher]', 'tiers: [nobody]'), /unknown tier "nobody"/, 'nobody'],
    ['unknown action', (t: string) => t.replace('2: deflect', '2: deflekt'), /unknown action "deflekt"/, 'deflekt'],
    ['upTo outside 0-3', (t: string) => t.replace('upTo: 2', 'upTo: 4'), /upTo: level 4 is outside 0-3/, '4\n'],
    ['expired exception', (t: string) => t.replace('2027-12-31', '2021-03-01'), /expired on 2021-03-01/, '2021-03-01'],
    ['example level', (t: string) => t.replace('level: 0}', 'level: 7}'), /level 7 is outside 0-3/, '7}'],
    ['unknown taxonomy code', (t: string) => t.replace('    regulations:', '    taxonomy: {mlcommons: [vcx], llamaguard3: [S1]}\n    regulations:'), /vcr/, 'vcx'],
    ['unknown taxonomy key', (t: string) => t.replace('    regulations:', '    taxonomy: {llamaguard3: [S1], beavertails: [x]}\n    regulations:'), /beavertails/, 'beavertails'],
  ])('one line for %s', async (name, breakIt, re, needle) => {
    const text = breakIt(ACME);
    const file = write(`${name.replace(/\W+/g, '-')}.yaml`, text);
    const r = await cli('policy', 'validate', file);
    expect(r.code).toBe(1);
    const got = lines(r.stdout);
    expect(got).toHaveLength(1);
    expect(got[0]!.message).toMatch(re);
    expect(got[0]).toMatchObject(posOf(text, needle));
    expect(r.stderr).not.toMatch(/\n\s+at /); // never a stack trace
  });

  it('reports YAML syntax errors with their position', async () => {
    const text = ACME.replace('tiers: [public, enterprise, trusted-researcher]', 'tiers: [public, enterprise\nbroken: here');
    const file = write('syntax.yaml', text);
    const r = await cli('policy', 'validate', file);
    expect(r.code).toBe(1);
    const got = lines(r.stdout);
    expect(got).toHaveLength(1);
    expect(got[0]!.message).toMatch(/^YAML syntax error/);
    expect(got[0]!.line).toBeGreaterThanOrEqual(4);
  });

  it('exits 2 for a missing file', async () => {
    const r = await cli('policy', 'validate', join(dir, 'nope.yaml'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no such policy file or folder');
  });

  it('--json gives the problems as data', async () => {
    const file = write('json.yaml', ACME.replace('pillar: safety', 'pillar: saftey'));
    const r = await cli('policy', 'validate', file, '--json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as { valid: boolean; problems: { line: number; message: string }[] };
    expect(j.valid).toBe(false);
    expect(j.problems).toHaveLength(1);
    expect(j.problems[0]!.line).toBe(7);
  });

  it('defaults to the pack named in pillars.yaml', async () => {
    write('bad-pack.yaml', ACME.replace('tiers: [trusted-researcher]', 'tiers: [nobody]'));
    const cfg = write('pillars.yaml', 'policy: bad-pack.yaml\n');
    const r = await cli('policy', 'validate', '--config', cfg);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/bad-pack\.yaml:17:17: .*unknown tier "nobody"/);
  });

  it('problems in a folder pack point at the file that holds them', () => {
    const folder = join(dir, 'folder-pack');
    rmSync(folder, { recursive: true, force: true });
    const header = ACME.slice(0, ACME.indexOf('policies:'));
    const policies = ACME.slice(ACME.indexOf('policies:'), ACME.indexOf('changelog:')).replace('tiers: [trusted-researcher]', 'tiers: [nobody]');
    mkdirSync(folder);
    writeFileSync(join(folder, 'pack.yaml'), header);
    writeFileSync(join(folder, 'cbrn.yaml'), policies);
    const { problems } = checkPack(folder);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.file).toMatch(/cbrn\.yaml$/);
    expect(problems[0]).toMatchObject(posOf(policies, 'nobody'));
  });

  it('checks exception contexts and regulation references against the declared lists, when a pack declares them', async () => {
    const declared = ACME.replace(
      'policies:',
      'contexts:\n  - {id: vetted-research, description: Vetted.}\nregulations:\n  - {id: eu-ai-act:art-55, title: Art 55}\n  - {id: nist-ai-rmf:map-5.1, title: MAP 5.1}\npolicies:',
    );
    expect((await cli('policy', 'validate', write('declared.yaml', declared))).code).toBe(0);
    const text = declared.replace('context: vetted-research', 'context: vetted-reserch').replace('[eu-ai-act:art-55, nist-ai-rmf:map-5.1]', '[eu-ai-act:art-55, nist-ai-rmf:map-5.9]');
    const r = await cli('policy', 'validate', write('undeclared.yaml', text));
    expect(r.code).toBe(1);
    const got = lines(r.stdout);
    expect(got.map((g) => g.message)).toEqual([
      'exception names unknown context "vetted-reserch" (did you mean "vetted-research"?); contexts: vetted-research',
      'regulation "nist-ai-rmf:map-5.9" is not in the pack\'s regulations catalog (did you mean "nist-ai-rmf:map-5.1"?)',
    ]);
    expect(got[0]).toMatchObject(posOf(text, 'vetted-reserch'));
    expect(got[1]).toMatchObject(posOf(text, 'nist-ai-rmf:map-5.9'));
  });

  it('gives the same problems and positions when the parsed YAML comes from the cache', () => {
    const text = ACME.replace('pillar: safety', 'pillar: saftey').replace('upTo: 2', 'upTo: "2"');
    const file = write('cached.yaml', text);
    const first = checkPack(file).problems;
    const second = checkPack(file).problems;
    expect(second).toEqual(first);
    expect(first.map((p) => p.message)).toEqual([expect.stringMatching(/unknown pillar "saftey"/), 'upTo: expected a level 0, 1, 2 or 3, got "2"']);
    expect(first[1]).toMatchObject(posOf(text, '"2"'));
  });
});
