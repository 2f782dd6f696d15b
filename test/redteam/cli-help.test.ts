import { describe, expect, it } from 'vitest';
import { cli } from './cli.js';

const COMMANDS = [
  ['redteam', 'run'],
  ['redteam', 'harvest'],
  ['redteam', 'report'],
  ['redteam', 'strategies'],
  ['redteam', 'runs'],
  ['deception', 'run'],
  ['frontier', 'run'],
  ['frontier', 'compare'],
  ['frontier', 'cases'],
  ['frontier', 'signoff'],
];

describe('red team, deception and frontier CLI help', () => {
  it.each(COMMANDS)('pillars %s %s --help shows an example', async (group, cmd) => {
    const r = await cli(group!, cmd!, '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Example:\n\s+\$ pillars /);
  });

  it('lists strategies with their declarations', async () => {
    const r = await cli('redteam', 'strategies', '--json');
    const j = JSON.parse(r.stdout) as { adaptive: { id: string }[]; transforms: { id: string; kind: string; description: string }[]; defaults: string[] };
    expect(j.adaptive.map((a) => a.id)).toEqual(['crescendo', 'pair', 'tap']);
    expect(j.transforms.find((t) => t.id === 'base64')).toMatchObject({ kind: 'encoding' });
    expect(j.defaults).toContain('base64+roleplay');
  });

  it('frontier signoff needs a decision of approve or reject', async () => {
    const r = await cli('frontier', 'signoff', 'FC-0001', '--reviewer', 'x', '--decision', 'maybe');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/approve, reject/);
  });
});
